import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../functions/app.ts';
import { staticTokenAuth } from '../functions/auth.ts';
import type { JobRunner } from '../functions/ports.ts';
import { S3ArtifactStore } from '../functions/stores/artifact-store.ts';
import { DynamoGroupStore } from '../functions/stores/group-store.ts';
import { DynamoRunStore } from '../functions/stores/run-store.ts';
import { ApiError } from '../shared/api/client.ts';
import { withJobUsage } from '../shared/cost.ts';
import { datasetInfo } from '../shared/datasets.ts';
import { describeGenerator } from '../shared/generator.ts';
import { runFiles } from '../shared/keys.ts';
import { parseSpec } from '../shared/spec.ts';
import { type Emulators, startEmulators } from '../test/emulators.ts';
import { capturingIo } from '../test/fixtures/cli-io.ts';
import { scratchDir } from '../trainer/test-util.ts';
import {
  buildSpec,
  describeError,
  formatRuns,
  type Io,
  main,
  parseCommand,
  type SubmitCommand,
  seedsFlag,
  statusLine,
  sweepFlags,
  UsageError,
} from './ganzoo.ts';

const env = { GANZOO_API_URL: 'http://api.test/', GANZOO_TOKEN: 'secret' };
const parse = (line: string) => parseCommand(line.split(' ').filter(Boolean), env);

describe('ganzoo arguments', () => {
  it('reads the API and token from the environment, flags first', () => {
    expect(parse('list')).toEqual({
      name: 'list',
      api: 'http://api.test',
      token: 'secret',
      json: false,
      all: false,
    });
    expect(parse('cancel r1 --api https://x.example/prod --token t --json')).toEqual({
      name: 'cancel',
      id: 'r1',
      api: 'https://x.example/prod',
      token: 't',
      json: true,
    });
    expect(() => parseCommand(['list'], {})).toThrow('no API address: pass --api URL or set GANZOO_API_URL');
    expect(() => parseCommand(['list', '--api', 'localhost:8787'], {})).toThrow(/http\(s\) URL/);
  });

  it('builds a submission from flags', () => {
    const c = parse(
      'submit --family dcgan --dataset mnist --steps 500 --batch 32 --hp learningRate=0.0002 --hp label=x --hp ema=true --on-demand --timeout 60 --retries 2 --gpu g5.xlarge --idempotency-key k1',
    );
    expect(c).toMatchObject({
      name: 'submit',
      overrides: {
        fields: { family: 'dcgan', dataset: 'mnist', steps: 500, batchSize: 32 },
        hyperparameters: { learningRate: 0.0002, label: 'x', ema: true },
        resources: { spot: false, timeoutMinutes: 60, retries: 2, gpu: 'g5.xlarge' },
      },
      watch: false,
      idempotencyKey: 'k1',
    });
    const a = parse('submit spec.json') as SubmitCommand;
    const b = parse('submit spec.json') as SubmitCommand;
    expect(a.specFile).toBe('spec.json');
    expect(a.idempotencyKey).not.toBe(b.idempotencyKey);
  });

  it('says what is wrong with a command line', () => {
    const wrong = (line: string) => {
      try {
        parse(line);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error(`'${line}' was accepted`);
    };
    expect(wrong('fly')).toBe(
      "unknown command 'fly' (one of submit, sweep, group, list, watch, cancel, resume, pull, dataset)",
    );
    expect(wrong('submit --family dcgan')).toBe('submit needs a spec file, or --family and --dataset');
    expect(wrong('submit a.json b.json')).toBe("'submit' takes at most one spec file");
    expect(wrong('submit a.json --steps many')).toBe("--steps expects a number, got 'many'");
    expect(wrong('submit a.json --hp lr')).toBe("--hp expects NAME=VALUE, got 'lr'");
    expect(wrong('list --steps 3')).toBe("--steps is not an option of 'list'");
    expect(wrong('list --limit 0')).toBe("--limit expects a number of at least 1, got '0'");
    expect(wrong('watch')).toBe("'watch' takes one run id, e.g. ganzoo watch ID");
    expect(wrong('cancel a b')).toBe("'cancel' takes one run id, e.g. ganzoo cancel ID");
    expect(wrong('list --colour')).toMatch(/Unknown option '--colour'/);
  });

  it('has defaults for the rest', () => {
    expect(parse('pull r1')).toMatchObject({ name: 'pull', id: 'r1', out: 'r1' });
    expect(parse('watch r1 --interval 0.5')).toMatchObject({ intervalMs: 500 });
    expect(parse('list --status running --all --limit 5')).toMatchObject({
      status: 'RUNNING',
      all: true,
      limit: 5,
    });
    expect(parse('')).toEqual({ name: 'help' });
    expect(parse('submit --help')).toEqual({ name: 'help' });
  });

  it('puts the flags over the spec file', async () => {
    const file = join(scratchDir('cli-spec'), 'spec.json');
    writeFileSync(
      file,
      JSON.stringify({
        family: 'dcgan',
        dataset: 'mnist',
        steps: 10,
        hyperparameters: { a: 1 },
        resources: { spot: true },
      }),
    );
    const c = parse(`submit ${file} --steps 20 --hp b=2 --on-demand`) as SubmitCommand;
    expect(await buildSpec(c.specFile, c.overrides)).toEqual({
      family: 'dcgan',
      dataset: 'mnist',
      steps: 20,
      hyperparameters: { a: 1, b: 2 },
      resources: { spot: false },
    });
    writeFileSync(file, '{ nope');
    await expect(buildSpec(file, c.overrides)).rejects.toThrow(/spec\.json is not JSON/);
    await expect(buildSpec(join(file, 'missing'), c.overrides)).rejects.toThrow(/cannot read/);
  });

  it('prints a problem plainly, field by field', () => {
    const err = new ApiError(
      400,
      {
        title: 'The request is invalid',
        detail: 'the spec is invalid: steps',
        errors: [{ field: 'steps', message: 'Too big' }],
      },
      'the spec is invalid: steps',
      'POST /experiments',
    );
    expect(describeError(err)).toBe(
      'error: POST /experiments: 400 the spec is invalid: steps\n  steps: Too big',
    );
    expect(describeError(new ApiError(401, {}, 'Authentication required', 'GET /experiments'))).toMatch(
      /GANZOO_TOKEN/,
    );
  });

  it('shows a run with the trainer progress bar', () => {
    const run = {
      id: 'r',
      status: 'RUNNING',
      attempt: 2,
      progress: { step: 50, totalSteps: 100, etaSeconds: 30, losses: { 'loss/D': 1.25 } },
    } as never;
    expect(statusLine(run, 10)).toBe('RUNNING (attempt 2) [=====     ] step 50/100 | D 1.250 | ETA 30s');
  });
});

describe('ganzoo against the API', () => {
  const TOKEN = 'cli-test-token';
  const bucket = 'cli-artifacts';
  let emulators: Emulators;
  let server: ReturnType<typeof serve>;
  let api = '';
  let runStore: DynamoRunStore;
  let artifacts: S3ArtifactStore;
  const jobs: string[] = [];
  const runner: JobRunner = {
    submit: async (run) => {
      jobs.push(`submit ${run.id}`);
      return { jobId: `job-${run.id}` };
    },
    cancel: async (run, reason) => {
      jobs.push(`cancel ${run.id} ${reason}`);
    },
  };

  beforeAll(async () => {
    emulators = await startEmulators();
    await emulators.createRunsTable('cli-runs');
    await emulators.createBucket(bucket);
    runStore = new DynamoRunStore({ client: emulators.dynamoClient(), table: 'cli-runs' });
    artifacts = new S3ArtifactStore({ client: emulators.s3Client(), bucket });
    const app = createApp({
      runStore,
      groupStore: new DynamoGroupStore({ client: emulators.dynamoClient(), table: 'cli-runs' }),
      artifacts,
      runner,
      auth: staticTokenAuth(TOKEN, 'user-1'),
      log: () => {},
    });
    server = await new Promise<ReturnType<typeof serve>>((ready) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ready(s));
    });
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server?.close(done));
    await emulators?.stop();
  });

  async function cli(...argv: string[]) {
    return cliWith({}, ...argv);
  }

  async function cliWith(extra: Partial<Io>, ...argv: string[]) {
    const c = capturingIo({ url: api, token: TOKEN }, extra);
    const code = await main(argv, c.io);
    return { code, out: c.out(), err: c.err() };
  }

  it('submits, lists and cancels a run', async () => {
    const submitted = await cli('submit', '--family', 'vanilla', '--dataset', 'ring8', '--steps', '50');
    expect(submitted.err).toBe('');
    expect(submitted.code).toBe(0);
    const id = /submitted run (\S+): vanilla on ring8, 50 steps \(SUBMITTED\)/.exec(submitted.out)?.[1];
    expect(id, submitted.out).toBeDefined();
    expect(jobs).toContain(`submit ${id}`);

    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(
      new RegExp(
        `^ID\\s+NAME\\s+STATUS\\s+FAMILY\\s+DATASET\\s+STEP\\s+CREATED\\s+COST\\n${id}\\s+-\\s+SUBMITTED\\s+vanilla\\s+ring8\\s+0/50\\s+\\S+ \\S+\\s+-\\n`,
      ),
    );

    const json = await cli('list', '--json', '--status', 'submitted');
    expect((JSON.parse(json.out) as { runs: { id: string }[] }).runs.map((r) => r.id)).toEqual([id]);

    const cancelled = await cli('cancel', id!);
    expect(cancelled).toEqual({ code: 0, out: `run ${id} CANCELLED: cancelled on request\n`, err: '' });
    expect(jobs).toContain(`cancel ${id} cancelled on request`);

    const again = await cli('cancel', id!);
    expect(again.code).toBe(1);
    expect(again.err).toBe(
      `error: POST /experiments/${id}/cancel: 409 run ${id} already ended as CANCELLED (cancelled on request); there is nothing to cancel\n`,
    );
  });

  it('submits a group of seeds and a sweep, lists by tag, and shows a group with its evaluation', async () => {
    const seeds = await cli(
      'submit',
      '--family',
      'vanilla',
      '--dataset',
      'ring8',
      '--steps',
      '20',
      '--seeds',
      '1,2,3',
      '--name',
      'three',
      '--tag',
      'grp',
    );
    expect(seeds.err).toBe('');
    const id =
      /submitted group (\S+) "three": seeds, vanilla on ring8, 3 members, RUNNING \(3 SUBMITTED\)/.exec(
        seeds.out,
      )?.[1];
    expect(id, seeds.out).toBeDefined();
    const sweep = await cli(
      'sweep',
      '--family',
      'vanilla',
      '--dataset',
      'ring8',
      '--steps',
      '20',
      '--hp',
      'learningRate=1e-4,2e-4,4e-4',
      '--hp',
      'hiddenUnits=8,16',
      '--json',
    );
    const swept = JSON.parse(sweep.out) as { id: string; size: number; members: { varies: unknown }[] };
    expect(swept.size).toBe(6);
    expect(swept.members[5]!.varies).toEqual({ learningRate: 4e-4, hiddenUnits: 16 });

    const tagged = await cli('list', '--tag', 'grp');
    const rows = tagged.out.trim().split('\n').slice(1);
    expect(rows).toHaveLength(3);
    // Members share their createdAt, so their order in the listing is the index's.
    expect(rows.map((r) => /three · (seed=\d) #grp\s+SUBMITTED/.exec(r)?.[1]).sort()).toEqual([
      'seed=1',
      'seed=2',
      'seed=3',
    ]);

    // The members end, each with an evaluation; the group then shows mean ± sd and the best member.
    const group = JSON.parse((await cli('group', id!, '--json')).out).group as {
      members: { runId: string }[];
    };
    for (const [i, m] of group.members.entries()) {
      await artifacts.put(
        m.runId,
        runFiles.eval,
        JSON.stringify({ kind: 'points2d', modes: { modesCovered: i, hqPercent: 10 * (i + 1) } }),
        'application/json',
      );
      await runStore.update(m.runId, { status: 'SUCCEEDED' });
    }
    const shown = await cli('group', id!);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(
      /group \S+ "three": seeds, vanilla on ring8, 3 members, SUCCEEDED \(3 SUCCEEDED\)/,
    );
    expect(shown.out).toMatch(/#0 seed=1 {2}SUCCEEDED/);
    expect(shown.out).toMatch(/hqPercent\s+20\.00 ± 10\.00 \(10\.00-30\.00, n=3\)\s+higher/);
    expect(shown.out).toContain(`best: run ${group.members[2]!.runId} (modesCovered 2)`);
  });

  it('watches a group: one progress line per member until all have ended', async () => {
    let polls = 0;
    const submitted = await cli(
      'submit',
      '--family',
      'vanilla',
      '--dataset',
      'ring8',
      '--steps',
      '20',
      '--seeds',
      '7,8',
      '--json',
    );
    const group = JSON.parse(submitted.out) as { id: string; members: { runId: string }[] };
    const watched = await cliWith(
      {
        sleep: async () => {
          // First poll: one member trains; second: both have ended.
          polls++;
          const [a, b] = group.members.map((m) => m.runId);
          if (polls === 1) {
            await runStore.update(a!, { status: 'RUNNING', progress: { step: 10, totalSteps: 20 } });
          } else {
            await runStore.update(a!, { status: 'SUCCEEDED' });
            await runStore.update(b!, { status: 'FAILED', reason: 'diverged at step 3' });
          }
        },
      },
      'group',
      group.id,
      '--watch',
    );
    expect(watched.code).toBe(1);
    expect(watched.out).toMatch(/#0 seed=7 {2}SUBMITTED\n#1 seed=8 {2}SUBMITTED/);
    expect(watched.out).toMatch(/#0 seed=7 {2}RUNNING .*10\/20/);
    expect(watched.out).toMatch(/#1 seed=8 {2}FAILED: diverged at step 3/);
    expect(watched.out).toContain('no member has an evaluation yet');
  });

  it('resumes a cancelled run from its latest checkpoint, and says why it cannot resume a running one', async () => {
    const submitted = await cli('submit', '--family', 'vanilla', '--dataset', 'ring8', '--steps', '50');
    const id = /submitted run (\S+):/.exec(submitted.out)![1]!;
    const running = await cli('resume', id);
    expect(running.code).toBe(1);
    expect(running.err).toBe(
      `error: POST /experiments/${id}/resume: 409 run ${id} is SUBMITTED; only a FAILED or CANCELLED run can be resumed\n`,
    );
    await cli('cancel', id);
    await artifacts.put(id, runFiles.checkpointState(20), '{}', 'application/json');
    const resumed = await cli('resume', id);
    expect(resumed).toEqual({
      code: 0,
      out: `resumed run ${id} as attempt 2 from step 20 (SUBMITTED)\n`,
      err: '',
    });
    expect(jobs.filter((j) => j === `submit ${id}`)).toHaveLength(2);
    expect(await runStore.get(id)).toMatchObject({ status: 'SUBMITTED', attempt: 2 });
  });

  it('prints what the API refused, field by field, and a missing token', async () => {
    const bad = await cli('submit', '--family', 'vanilla', '--dataset', 'ring8', '--steps', '0');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^error: POST \/experiments: 400 the spec is invalid: steps\n {2}steps: /);
    const anonymous = await cli('list', '--token', 'wrong');
    expect(anonymous.code).toBe(1);
    expect(anonymous.err).toMatch(/401[\s\S]*pass --token TOKEN or set GANZOO_TOKEN/);
  });

  it('watches a run to its end, then says where the samples are, and pulls them', async () => {
    const submitted = await cli(
      'submit',
      '--family',
      'vanilla',
      '--dataset',
      'ring8',
      '--steps',
      '20',
      '--json',
    );
    const id = (JSON.parse(submitted.out) as { id: string }).id;
    for (const step of [0, 10, 20])
      await artifacts.put(id, runFiles.sample(step), `png ${step}`, 'image/png');
    await artifacts.put(id, runFiles.generatorWeights, 'weights', 'application/octet-stream');
    const descriptor = describeGenerator({
      family: 'vanilla',
      dataset: datasetInfo('ring8'),
      latentName: 'z',
      latentDim: 64,
      noise: 'normal',
    });
    await artifacts.put(id, runFiles.generatorDescriptor, JSON.stringify(descriptor), 'application/json');
    await artifacts.put(id, runFiles.generatorModel, '{"model":1}', 'application/json');
    await artifacts.put(
      id,
      runFiles.eval,
      '{"kind":"points2d","modes":{"modesCovered":3}}',
      'application/json',
    );
    const progress = { step: 20, totalSteps: 20, etaSeconds: 0 };
    for (const status of ['STARTING', 'RUNNING', 'SUCCEEDED'] as const) {
      await runStore.update(id, { status, progress });
    }

    const watched = await cli('watch', id);
    expect(watched.code).toBe(0);
    const lines = watched.out.split('\n');
    expect(lines[0]).toBe('SUCCEEDED step 20/20 | ETA 0s');
    expect(lines[1]).toBe('3 sample grids; the last, at step 20:');
    expect(lines[2]).toMatch(/^ {2}http:\/\/.*00000020\.png/);
    expect(watched.out).toContain(`ganzoo pull ${id} --out ${id}`);

    const out = join(scratchDir('cli-pull'), 'run');
    const pulled = await cli('pull', id, '--out', out);
    expect(pulled.err).toBe('');
    expect(pulled.out).toContain('3 sample grids downloaded\n');
    expect(readFileSync(join(out, runFiles.sample(10)), 'utf8')).toBe('png 10');
    expect(readFileSync(join(out, runFiles.generatorModel), 'utf8')).toBe('{"model":1}');
    expect(readFileSync(join(out, runFiles.generatorWeights), 'utf8')).toBe('weights');
    expect(JSON.parse(readFileSync(join(out, runFiles.generatorDescriptor), 'utf8'))).toEqual(descriptor);
    expect(pulled.out).toContain(
      `generator: ${join(out, runFiles.generatorModel)} (a tfjs layers model), takes z[64] (latent, normal)\n`,
    );
    expect(JSON.parse(readFileSync(join(out, runFiles.eval), 'utf8'))).toEqual({
      kind: 'points2d',
      modes: { modesCovered: 3 },
    });
    // spec.json makes the folder a run folder that `npm run eval` can score again.
    expect(JSON.parse(readFileSync(join(out, runFiles.spec), 'utf8'))).toMatchObject({
      family: 'vanilla',
      steps: 20,
    });
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))).toMatchObject({
      id,
      status: 'SUCCEEDED',
    });
    const again = await cli('pull', id, '--out', out);
    expect(again.out).toContain('0 sample grids downloaded, 3 already there\n');
    expect(existsSync(join(out, `${runFiles.sample(10)}.part`))).toBe(false);
  });

  it('pulls a generator exported before descriptors without one, saying its inputs come from the spec', async () => {
    const submitted = await cli(
      'submit',
      '--family',
      'cgan',
      '--dataset',
      'mnist',
      '--hp',
      'latentDim=16',
      '--json',
    );
    const id = (JSON.parse(submitted.out) as { id: string }).id;
    await artifacts.put(id, runFiles.generatorWeights, 'weights', 'application/octet-stream');
    // model.json's topology as tfjs writes it, for z and label inputs (no descriptor.json beside it).
    const input = (name: string, width: number) => ({
      class_name: 'InputLayer',
      name,
      config: { batch_input_shape: [null, width], name },
    });
    const model = JSON.stringify({
      modelTopology: {
        class_name: 'Model',
        config: {
          layers: [input('z', 16), input('label', 10)],
          input_layers: [
            ['z', 0, 0],
            ['label', 0, 0],
          ],
        },
      },
    });
    await artifacts.put(id, runFiles.generatorModel, model, 'application/json');
    await runStore.update(id, { status: 'FAILED', reason: 'stopped after export' });
    const out = join(scratchDir('cli-pull'), 'older');
    const pulled = await cli('pull', id, '--out', out);
    expect(pulled.err).toBe('');
    expect(pulled.out).toContain(
      "takes z[16] (latent, normal), label[10] (class, 10 classes) (derived from the run's spec: it was exported before generators had descriptors)\n",
    );
    expect(readFileSync(join(out, runFiles.generatorModel), 'utf8')).toBe(model);
    expect(existsSync(join(out, runFiles.generatorDescriptor))).toBe(false);
  });

  it('redraws one progress line on a terminal while the run trains', async () => {
    const submitted = await cli(
      'submit',
      '--family',
      'vanilla',
      '--dataset',
      'ring8',
      '--steps',
      '20',
      '--json',
    );
    const id = (JSON.parse(submitted.out) as { id: string }).id;
    const next = [
      () => runStore.update(id, { status: 'RUNNING', progress: { step: 10, totalSteps: 20, etaSeconds: 5 } }),
      () =>
        runStore.update(id, { status: 'SUCCEEDED', progress: { step: 20, totalSteps: 20, etaSeconds: 0 } }),
    ];
    const polls: number[] = [];
    const watched = await cliWith(
      {
        isTTY: true,
        sleep: async (ms) => {
          polls.push(ms);
          await next.shift()?.();
        },
      },
      'watch',
      id,
      '--interval',
      '3',
    );
    expect(watched.code).toBe(0);
    expect(polls).toEqual([3000, 3000]);
    const frames = watched.out.split('\r\x1b[2K');
    expect(frames.slice(1, 4)).toEqual([
      'SUBMITTED',
      `RUNNING [${'='.repeat(15)}${' '.repeat(15)}] step 10/20 | ETA 5s`,
      `SUCCEEDED [${'='.repeat(30)}] step 20/20 | ETA 0s\nno sample grids were written\n`,
    ]);
  });

  it('ends a watch of a failed run with its reason and exit code 1', async () => {
    const submitted = await cli('submit', '--family', 'vanilla', '--dataset', 'ring8', '--json');
    const id = (JSON.parse(submitted.out) as { id: string }).id;
    await runStore.update(id, { status: 'FAILED', reason: 'out of memory' });
    const watched = await cli('watch', id);
    expect(watched.code).toBe(1);
    expect(watched.out).toBe(`FAILED\nrun ${id} FAILED: out of memory\nno sample grids were written\n`);
    const pulled = await cli('pull', id, '--out', join(scratchDir('cli-pull'), 'failed'));
    expect(pulled.code).toBe(0);
    expect(pulled.out).toMatch(/no generator: run \S+ has no generator yet: it ended as FAILED/);
  });
});

describe('ganzoo groups: arguments', () => {
  it('reads --seeds, labels and a sweep grid or random draws', () => {
    const c = parse(
      'submit --family vanilla --dataset ring8 --seeds 1,2,3 --name base --tag a --tag b --note hi',
    ) as SubmitCommand;
    expect(c).toMatchObject({
      seeds: [1, 2, 3],
      overrides: { labels: { name: 'base', tags: ['a', 'b'], note: 'hi' } },
    });
    const g = parse(
      'sweep --family vanilla --dataset ring8 --hp learningRate=1e-4,2e-4 --hp batchSize=32,64 --hp hiddenUnits=16',
    ) as SubmitCommand;
    expect(g.sweep).toEqual({
      mode: 'grid',
      parameters: { learningRate: [1e-4, 2e-4], batchSize: [32, 64] },
    });
    expect(g.overrides.hyperparameters).toEqual({ hiddenUnits: 16 });
    expect(sweepFlags(['learningRate=1e-5..1e-3:log', 'hiddenUnits=8,16'], 4, 7).sweep).toEqual({
      mode: 'random',
      samples: 4,
      seed: 7,
      parameters: { learningRate: { min: 1e-5, max: 1e-3, scale: 'log' }, hiddenUnits: [8, 16] },
    });
    expect(() => sweepFlags(['learningRate=1e-5..1e-3'], undefined, undefined)).toThrow(
      /a range needs --random N/,
    );
    expect(() => sweepFlags(['hiddenUnits=16'], undefined, undefined)).toThrow(
      /at least one --hp NAME=V1,V2/,
    );
    expect(() => seedsFlag('1,x')).toThrow(/--seeds expects whole numbers/);
    expect(() => parse('list --seeds 1')).toThrow(/--seeds is not an option of 'list'/);
  });
});

describe('formatRuns', () => {
  it('shows each run its cost: an estimate in dollars, local at no charge, or nothing yet', () => {
    const spec = parseSpec({ family: 'vanilla', dataset: 'ring8' });
    const at = '2026-01-01T00:00:00.000Z';
    const base = { owner: 'o', spec, status: 'SUCCEEDED' as const, attempt: 1, createdAt: at, updatedAt: at };
    const cloud = withJobUsage(
      undefined,
      'job-1',
      { capacity: 'spot', instanceType: 'g4dn.xlarge', seconds: 7200, usdPerHour: 0.21 },
      at,
    );
    const local = withJobUsage(undefined, 'local-b-1', { capacity: 'local', seconds: 60, usdPerHour: 0 }, at);
    const lines = formatRuns([
      { ...base, id: 'a', cost: cloud },
      { ...base, id: 'b', cost: local },
      { ...base, id: 'c' },
    ]).split('\n');
    expect(lines[0]).toMatch(/\sCOST$/);
    expect(lines[1]).toMatch(/\s~\$0\.42$/);
    expect(lines[2]).toMatch(/\slocal: no charge$/);
    expect(lines[3]).toMatch(/\s-$/);
  });
});
