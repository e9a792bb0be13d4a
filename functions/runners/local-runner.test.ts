import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { costLabel } from '../../shared/cost-label.ts';
import { runKey } from '../../shared/keys.ts';
import type { RunRecord } from '../../shared/run.ts';
import { type ExperimentSpec, parseSpec } from '../../shared/spec.ts';
import { RunSlots } from '../../shared/storage/run-slots.ts';
import { EMULATOR_CREDENTIALS, type Emulators, startEmulators } from '../../test/emulators.ts';
import { scratchDir, tinySpec } from '../../trainer/test-util.ts';
import { createApp } from '../app.ts';
import { staticTokenAuth } from '../auth.ts';
import { S3ArtifactStore } from '../stores/artifact-store.ts';
import { DynamoGroupStore } from '../stores/group-store.ts';
import { DynamoRunStore } from '../stores/run-store.ts';
import { LocalRunner, type LocalRunnerOptions, trainerSaid } from './local-runner.ts';

/**
 * Stands in for trainer/job.ts where only the process matters: what it does follows from the run id's
 * first word. It writes what it was given to stdout (the run's log) and, with FAKE_ORDER, a line per
 * start and end to a shared file, so a test sees which ran when.
 */
const FAKE_TRAINER = `
import { appendFileSync } from 'node:fs';
const id = process.env.GANZOO_RUN_ID;
const attempt = Number(process.env.GANZOO_ATTEMPT);
const order = (what) => process.env.FAKE_ORDER && appendFileSync(process.env.FAKE_ORDER, what + ' ' + id + '\\n');
const mode = id.split('-')[0];
const waitForTerm = (onTerm) => { process.on('SIGTERM', onTerm); setInterval(() => {}, 1000); };
if (mode === 'wait' || (mode === 'resume' && attempt === 1)) {
  waitForTerm(() => { console.error('checkpoint written'); order('end'); process.exit(143); });
}
if (mode === 'stubborn') waitForTerm(() => console.error('ignoring SIGTERM'));
order('start');
console.log(['fake trainer', id, 'attempt', attempt, 'pid', process.pid].join(' '));
console.log(['env', process.env.GANZOO_BUCKET, process.env.GANZOO_TABLE, process.env.AWS_ENDPOINT_URL_S3,
  process.env.AWS_ENDPOINT_URL_DYNAMODB, process.env.AWS_REGION, process.env.AWS_ACCESS_KEY_ID,
  process.env.GANZOO_RUN_DIR ?? 'no-run-dir', 'trainers', process.env.GANZOO_TRAINERS].join(' '));
if (mode === 'ok' || (mode === 'resume' && attempt > 1)) setTimeout(() => { order('end'); process.exit(0); }, 50);
if (mode === 'fail') {
  for (let i = 1; i <= 8; i++) console.error('step ' + i + '/8 | ETA ?');
  console.error('error: S3 unavailable');
  console.error('step 8/8 | ETA ?');
  process.exit(1);
}
`;

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let emulators: Emulators;
let fakeTrainer = '';

beforeAll(async () => {
  emulators = await startEmulators();
  fakeTrainer = join(scratchDir('fake-trainer'), 'fake-trainer.mjs');
  writeFileSync(fakeTrainer, FAKE_TRAINER);
});
afterAll(async () => {
  await emulators?.stop();
});

let n = 0;
let table = '';
let store: DynamoRunStore;
let logsDir = '';
let notes: string[] = [];
const runners: LocalRunner[] = [];

beforeEach(async () => {
  table = `runs-${++n}`;
  await emulators.createRunsTable(table);
  store = new DynamoRunStore({ client: emulators.dynamoClient(), table, retry: { attempts: 1 } });
  logsDir = join(scratchDir('runner-logs'), 'logs');
  notes = [];
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
});

function runner(options: Partial<LocalRunnerOptions> = {}): LocalRunner {
  const r = new LocalRunner({
    runStore: store,
    logsDir,
    bucket: 'artifacts',
    table,
    s3Endpoint: emulators.s3Endpoint,
    dynamoEndpoint: emulators.dynamoEndpoint,
    region: emulators.region,
    credentials: EMULATOR_CREDENTIALS,
    trainerArgs: [fakeTrainer],
    log: (line) => notes.push(line),
    ...options,
  });
  runners.push(r);
  return r;
}

async function stored(id: string, overrides: Partial<RunRecord> = {}, resources = {}): Promise<RunRecord> {
  const at = new Date().toISOString();
  const run: RunRecord = {
    id,
    owner: 'user-1',
    spec: parseSpec({ family: 'vanilla', dataset: 'ring8', resources }),
    status: 'SUBMITTED',
    attempt: 1,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
  await store.create(run);
  return run;
}

const log = (r: LocalRunner, id: string) =>
  existsSync(r.logPath(id)) ? readFileSync(r.logPath(id), 'utf8') : '';
const started = (r: LocalRunner, id: string, attempt = 1) =>
  until(() => log(r, id).includes(`fake trainer ${id} attempt ${attempt}`), `${id} attempt ${attempt}`);

describe('LocalRunner', () => {
  it('runs one trainer at a time by default, in the order submitted, with the S3 and DynamoDB environment', async () => {
    const order = join(scratchDir('order'), 'order.txt');
    const r = runner({ env: { FAKE_ORDER: order, GANZOO_RUN_DIR: '/must/not/leak' } });
    const jobIds = [];
    for (const id of ['ok-1', 'ok-2', 'ok-3']) jobIds.push((await r.submit(await stored(id))).jobId);
    expect(jobIds).toEqual(['local-ok-1-1', 'local-ok-2-1', 'local-ok-3-1']);
    expect(r.jobs().map((j) => [j.runId, j.state])).toEqual([
      ['ok-1', 'running'],
      ['ok-2', 'queued'],
      ['ok-3', 'queued'],
    ]);
    await r.idle();
    expect(readFileSync(order, 'utf8').trim().split('\n')).toEqual([
      'start ok-1',
      'end ok-1',
      'start ok-2',
      'end ok-2',
      'start ok-3',
      'end ok-3',
    ]);
    expect(log(r, 'ok-2')).toContain(
      `env artifacts ${table} ${emulators.s3Endpoint} ${emulators.dynamoEndpoint} us-east-1 test no-run-dir trainers 1`,
    );
    expect(log(r, 'ok-2')).toMatch(
      /local-ok-2-1: attempt 1 starts[\s\S]*local-ok-2-1: ended with exit code 0/,
    );
    // The trainer reports its own success; the runner writes nothing.
    expect((await store.get('ok-1'))?.status).toBe('SUBMITTED');
  });

  it('runs up to its concurrency at once, and a run submitted twice once', async () => {
    const r = runner({ concurrency: 2 });
    for (const id of ['wait-a', 'wait-b', 'wait-c']) await r.submit(await stored(id));
    expect(await r.submit((await store.get('wait-c'))!)).toEqual({ jobId: 'local-wait-c-1' });
    expect(r.jobs().map((j) => [j.runId, j.state])).toEqual([
      ['wait-a', 'running'],
      ['wait-b', 'running'],
      ['wait-c', 'queued'],
    ]);
    await started(r, 'wait-a');
    // Each trainer is told how many share the cores (a native one takes its share as threads).
    await until(() => log(r, 'wait-a').includes('no-run-dir trainers 2'), 'wait-a told of 2 trainers');
    await r.cancel((await store.get('wait-a'))!, 'make room');
    await started(r, 'wait-c');
    for (const id of ['wait-b', 'wait-c']) await r.cancel((await store.get(id))!, 'done');
    await r.idle();
  });

  it('marks a run FAILED when its trainer exits non-zero, in one line: its error, not its progress', async () => {
    const r = runner();
    await r.submit(await stored('fail-1', {}, { retries: 3 }));
    await r.idle();
    const run = await store.get('fail-1');
    // Not retried: an error the trainer reports would recur.
    expect(run).toMatchObject({ status: 'FAILED', attempt: 1 });
    expect(run?.reason).toBe(
      `attempt 1: the trainer exited with code 1: error: S3 unavailable; resume continues from its latest checkpoint; log: ${r.logPath('fail-1')}`,
    );
    expect(log(r, 'fail-1')).toContain('step 1/8 | ETA ?\n');
  });

  it('cancels a running trainer with SIGTERM and records the reason', async () => {
    const r = runner();
    const run = await stored('wait-1');
    await r.submit(run);
    await started(r, 'wait-1');
    await r.cancel(run, 'cancelled by user-1');
    await r.cancel(run, 'twice'); // idempotent
    await r.idle();
    expect(log(r, 'wait-1')).toContain('checkpoint written');
    expect(await store.get('wait-1')).toMatchObject({ status: 'CANCELLED', reason: 'cancelled by user-1' });
  });

  it('kills a trainer that ignores SIGTERM after the grace period', async () => {
    const r = runner({ killGraceMs: 300 });
    const run = await stored('stubborn-1');
    await r.submit(run);
    await started(r, 'stubborn-1');
    await r.cancel(run, 'cancelled');
    await r.idle();
    expect(log(r, 'stubborn-1')).toMatch(/ignoring SIGTERM[\s\S]*ended with signal SIGKILL/);
    expect((await store.get('stubborn-1'))?.status).toBe('CANCELLED');
  });

  it('takes a cancelled run out of the queue without starting it', async () => {
    const r = runner();
    const first = await stored('wait-1');
    const second = await stored('wait-2');
    await r.submit(first);
    await r.submit(second);
    await r.cancel(second, 'not needed');
    expect(r.jobs().map((j) => j.runId)).toEqual(['wait-1']);
    expect(await store.get('wait-2')).toMatchObject({ status: 'CANCELLED', reason: 'not needed' });
    await r.cancel(first, 'done');
    await r.idle();
    expect(existsSync(r.logPath('wait-2'))).toBe(false);
  });

  it('resumes a trainer stopped from outside as the next attempt', async () => {
    const r = runner();
    await r.submit(await stored('resume-1', {}, { retries: 3 }));
    await started(r, 'resume-1');
    process.kill(r.jobs()[0]!.pid!, 'SIGTERM');
    await started(r, 'resume-1', 2);
    await r.idle();
    expect(await store.get('resume-1')).toMatchObject({
      status: 'STARTING',
      attempt: 2,
      jobId: 'local-resume-1-2',
    });
    expect(notes).toEqual(['run resume-1: attempt 1 was stopped (143); resuming as attempt 2']);
  });

  it('fails a run stopped from outside when it has no attempts left', async () => {
    const r = runner();
    await r.submit(await stored('wait-1', {}, { retries: 1 }));
    await started(r, 'wait-1');
    process.kill(r.jobs()[0]!.pid!, 'SIGTERM');
    await r.idle();
    expect(await store.get('wait-1')).toMatchObject({
      status: 'FAILED',
      attempt: 1,
      reason: `attempt 1 was stopped (143), and the run has no attempts left (resources.retries is 1); resume continues from its latest checkpoint; log: ${r.logPath('wait-1')}`,
    });
  });

  it('gives a resumed run a fresh resources.retries, counted from the attempt it was resumed as', async () => {
    const at = new Date().toISOString();
    // Attempts 1 and 2 used, then resumed by the owner as attempt 3, with resources.retries 2: 3 and 4.
    const history = [
      { status: 'QUEUED' as const, attempt: 1, at },
      { status: 'FAILED' as const, attempt: 2, at },
      { status: 'QUEUED' as const, attempt: 3, at },
    ];
    const r = runner();
    await r.submit(await stored('wait-1', { attempt: 3, history }, { retries: 2 }));
    await started(r, 'wait-1', 3);
    process.kill(r.jobs()[0]!.pid!, 'SIGTERM');
    await started(r, 'wait-1', 4);
    process.kill(r.jobs()[0]!.pid!, 'SIGTERM');
    await r.idle();
    expect(await store.get('wait-1')).toMatchObject({
      status: 'FAILED',
      attempt: 4,
      reason: expect.stringMatching(/^attempt 4 was stopped \(143\), and the run has no attempts left/),
    });
  });

  it("puts each trainer process's wall time into the run's cost, at no charge", async () => {
    const r = runner();
    await r.submit(await stored('resume-1', {}, { retries: 3 }));
    await started(r, 'resume-1');
    await new Promise((done) => setTimeout(done, 1200));
    process.kill(r.jobs()[0]!.pid!, 'SIGTERM');
    await started(r, 'resume-1', 2);
    await r.idle();
    const cost = (await store.get('resume-1'))?.cost;
    expect(Object.keys(cost?.jobs ?? {}).sort()).toEqual(['local-resume-1-1', 'local-resume-1-2']);
    expect(cost?.jobs['local-resume-1-1']).toMatchObject({ capacity: 'local', usdPerHour: 0 });
    expect(cost?.jobs['local-resume-1-1']?.seconds).toBeGreaterThanOrEqual(1);
    expect(cost).toMatchObject({ estimate: true, usd: 0 });
    expect(costLabel(cost)).toMatch(/^local: no charge \(\d+ s\)$/);
  });

  it('takes up the runs a previous process left unfinished', async () => {
    const runs = [
      await stored('ok-submitted'),
      await stored('resume-running', { status: 'RUNNING' }),
      await stored('ok-starting', { status: 'STARTING', attempt: 2 }),
      await stored('ok-spent', { status: 'RUNNING', attempt: 3 }, { retries: 3 }),
      await stored('ok-done', { status: 'SUCCEEDED' }),
      await stored('ok-queued', { status: 'QUEUED' }),
    ];
    // A record the runner already moved on: its snapshot here is stale, so the store refuses it.
    const stale = await stored('ok-moved', { status: 'RUNNING' });
    await store.update('ok-moved', { status: 'FAILED', reason: 'elsewhere' });
    const order = join(scratchDir('order'), 'order.txt');
    const r = runner({ env: { FAKE_ORDER: order } });
    expect(await r.reconcile([...runs, stale])).toEqual({
      resumed: ['ok-submitted', 'resume-running', 'ok-starting'],
      failed: ['ok-spent'],
      skipped: ['ok-moved'],
    });
    await r.idle();
    // Taken up in turn, each as the attempt it resumes (read after the fact: a quick job may be over before
    // reconcile returns on a loaded machine).
    expect(
      readFileSync(order, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('start ')),
    ).toEqual(['start ok-submitted', 'start resume-running', 'start ok-starting']);
    expect(log(r, 'ok-submitted')).toContain('local-ok-submitted-1: attempt 1 starts');
    expect(log(r, 'resume-running')).toContain('local-resume-running-2: attempt 2 starts');
    expect(log(r, 'ok-starting')).toContain('local-ok-starting-3: attempt 3 starts');
    expect(await store.get('resume-running')).toMatchObject({ status: 'STARTING', attempt: 2 });
    expect(await store.get('ok-starting')).toMatchObject({ status: 'STARTING', attempt: 3 });
    expect(await store.get('ok-submitted')).toMatchObject({ status: 'SUBMITTED', attempt: 1 });
    expect((await store.get('ok-spent'))?.reason).toBe(
      `the runner stopped while attempt 3 was RUNNING, and the run has no attempts left (resources.retries is 3); resume continues from its latest checkpoint; log: ${r.logPath('ok-spent')}`,
    );
    expect(await store.get('ok-queued')).toMatchObject({ status: 'QUEUED' });
    expect(log(r, 'resume-running')).toContain('fake trainer resume-running attempt 2');
  });

  it('on close stops its trainers and leaves their runs for the next reconcile', async () => {
    const r = runner();
    await r.submit(await stored('wait-1'));
    await r.submit(await stored('wait-2'));
    await started(r, 'wait-1');
    await r.close();
    expect(r.jobs()).toEqual([]);
    expect(log(r, 'wait-1')).toContain('checkpoint written');
    expect((await store.get('wait-1'))?.status).toBe('SUBMITTED');
    await expect(r.submit((await store.get('wait-2'))!)).rejects.toThrow(/shutting down/);
  });

  it('frees the slot of every run it ends, each once: cancelled queued or running, failed, out of attempts', async () => {
    store = new DynamoRunStore({
      client: emulators.dynamoClient(),
      table,
      retry: { attempts: 1 },
      maxRunsInFlight: 10,
    });
    const slots = new RunSlots(emulators.dynamoClient(), table, {
      attempts: 1,
      baseMs: 0,
      maxMs: 0,
      onRetry: () => {},
    });
    const r = runner();
    const running = await stored('wait-1');
    const queued = await stored('wait-2');
    const spent = await stored('wait-3', {}, { retries: 1 });
    const failing = await stored('fail-1');
    expect(await slots.held('user-1')).toHaveLength(4);
    for (const run of [running, queued, spent, failing]) await r.submit(run);
    await r.cancel(queued, 'not needed');
    expect(await slots.held('user-1')).not.toContain('wait-2#1');
    await started(r, 'wait-1');
    await r.cancel(running, 'cancelled');
    await started(r, 'wait-3');
    process.kill(r.jobs()[0]!.pid!, 'SIGTERM');
    await r.idle();
    expect(
      (await Promise.all(['wait-1', 'wait-2', 'wait-3', 'fail-1'].map((id) => store.get(id)))).map(
        (x) => x?.status,
      ),
    ).toEqual(['CANCELLED', 'CANCELLED', 'FAILED', 'FAILED']);
    expect(await slots.held('user-1')).toEqual([]);
  });

  it('fails a run whose trainer cannot be started', async () => {
    const r = runner({ cwd: join(logsDir, 'no-such-folder') });
    await r.submit(await stored('ok-1'));
    await r.idle();
    expect((await store.get('ok-1'))?.reason).toMatch(/^the trainer could not be started: spawn .*ENOENT/);
  });

  it("keeps the reason to the trainer's error line, short", () => {
    expect(trainerSaid('step 1/9\nerror: a\nstep 2/9\r\nfailed: diverged\rstep 3/9\n')).toBe(
      'failed: diverged',
    );
    expect(trainerSaid('a\n\nb\n')).toBe('b');
    expect(trainerSaid(`error: ${'x'.repeat(2000)}`, 10)).toBe('error: xxx...');
  });

  it('starts a resumed attempt once the cancelled one has stopped, not beside it', async () => {
    const r = runner();
    const run = await stored('resume-1', {}, { retries: 1 });
    await r.submit(run);
    await started(r, 'resume-1');
    await r.cancel(run, 'cancelled');
    // The API's resume: the run QUEUED as attempt 2, submitted while attempt 1 is still stopping.
    await store.update('resume-1', { status: 'CANCELLED', reason: 'cancelled' });
    const resumed = await store.update('resume-1', { status: 'QUEUED', attempt: 2, resume: true });
    expect(resumed.ok).toBe(true);
    expect(await r.submit(resumed.ok ? resumed.record : run)).toEqual({ jobId: 'local-resume-1-2' });
    await started(r, 'resume-1', 2);
    await r.idle();
    expect(log(r, 'resume-1')).toMatch(
      /checkpoint written[\s\S]*ended with exit code 143[\s\S]*attempt 2 starts/,
    );
    // retries counts afresh from the resume: attempt 2 of a run with resources.retries 1 may run.
    expect(await store.get('resume-1')).toMatchObject({ status: 'QUEUED', attempt: 2 });
  });
});

describe('LocalRunner with the real trainer', () => {
  const bucket = 'artifacts';

  async function storedWithSpec(id: string, spec: ExperimentSpec): Promise<RunRecord> {
    const run = await stored(id);
    await store.update(id, { status: 'SUBMITTED' });
    await emulators.createBucket(bucket);
    const s3 = emulators.s3Client();
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: runKey(id, 'spec.json'),
        Body: JSON.stringify(spec, null, 2),
        ContentType: 'application/json',
      }),
    );
    s3.destroy();
    return { ...run, spec };
  }

  const artifacts = () => new S3ArtifactStore({ client: emulators.s3Client(), bucket });
  const realRunner = () =>
    runner({
      trainerArgs: undefined,
      env: { GANZOO_BACKEND: 'wasm', GANZOO_RETRY_ATTEMPTS: '2' },
      artifacts: artifacts(),
    });
  // Long enough to be killed between checkpoints; tiny steps, so the whole run takes seconds.
  const killable = tinySpec('vanilla', 'ring8', { steps: 1500, checkpointEvery: 50, sampleEvery: 1500 });

  /** SIGKILL once the run has a checkpoint past step 0; the checkpoint it had then. */
  async function killAfterCheckpoint(r: LocalRunner, id: string): Promise<number> {
    const store = artifacts();
    let at: number | undefined;
    await until(async () => {
      at = await store.latestCheckpoint(id);
      return (at ?? 0) > 0;
    }, 'a checkpoint');
    process.kill(r.jobs()[0]!.pid!, 'SIGKILL');
    return at!;
  }

  it('trains a tiny run to SUCCEEDED through the emulators', async () => {
    const r = realRunner();
    const run = await storedWithSpec('real-1', tinySpec('vanilla', 'ring8'));
    await r.submit(run);
    await r.idle();
    const record = await store.get('real-1');
    expect(record, log(r, 'real-1')).toMatchObject({ status: 'SUCCEEDED', attempt: 1 });
    expect(record?.progress).toMatchObject({ step: 4, totalSteps: 4 });
    expect(log(r, 'real-1')).toContain('done: samples in s3://artifacts/runs/real-1/');
  });

  it('resumes a trainer stopped from outside from its checkpoint, as attempt 2', async () => {
    const r = realRunner();
    const spec = tinySpec('vanilla', 'ring8', { steps: 100, checkpointEvery: 50, sampleEvery: 100 });
    await r.submit(await storedWithSpec('real-2', spec));
    await until(async () => (await store.get('real-2'))?.status === 'RUNNING', 'the trainer running');
    process.kill(r.jobs()[0]!.pid!, 'SIGTERM');
    await r.idle();
    const record = await store.get('real-2');
    expect(record, log(r, 'real-2')).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 2,
      jobId: 'local-real-2-2',
    });
    expect(log(r, 'real-2')).toMatch(
      /ended with exit code 143[\s\S]*attempt 2 starts[\s\S]*resuming from checkpoint/,
    );
  });

  it('retries a trainer killed by SIGKILL mid-run as the next attempt, from its latest checkpoint', async () => {
    const r = realRunner();
    await r.submit(
      await storedWithSpec('real-3', { ...killable, resources: { ...killable.resources, retries: 2 } }),
    );
    const seen = await killAfterCheckpoint(r, 'real-3');
    await r.idle();
    const record = await store.get('real-3');
    expect(record, log(r, 'real-3')).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 2,
      jobId: 'local-real-3-2',
    });
    expect(record?.history?.filter((e) => e.status === 'STARTING').map((e) => e.attempt)).toEqual([1, 2]);
    const from =
      /ended with signal SIGKILL ===\n=== .* attempt 2 starts ===\n(?:.*\n)*?resuming from checkpoint at step (\d+)/.exec(
        log(r, 'real-3'),
      );
    expect(Number(from?.[1])).toBeGreaterThanOrEqual(seen);
    expect(notes.join('\n')).toMatch(
      /attempt 1: the trainer was killed by SIGKILL .*; resuming as attempt 2/,
    );
  });

  it('fails a run killed by SIGKILL with no attempts left in one line, and the API resumes it from its checkpoint', async () => {
    const r = realRunner();
    const spec = { ...killable, resources: { ...killable.resources, retries: 1 } };
    await r.submit(await storedWithSpec('real-4', spec));
    await killAfterCheckpoint(r, 'real-4');
    await r.idle();
    const failed = await store.get('real-4');
    const checkpoint = await artifacts().latestCheckpoint('real-4');
    expect(failed).toMatchObject({ status: 'FAILED', attempt: 1 });
    expect(failed?.reason).toMatch(
      new RegExp(
        `^attempt 1: the trainer was killed by SIGKILL( at step \\d+)? \\(the kernel sends SIGKILL when memory runs out; lower batchSize if it recurs\\), and the run has no attempts left \\(resources.retries is 1\\); latest checkpoint: step ${checkpoint}, where resume continues; log: ${r.logPath('real-4')}$`,
      ),
    );

    // Resumed through the API with this runner: attempt 2 continues from that checkpoint to the end.
    const app = createApp({
      runStore: store,
      groupStore: new DynamoGroupStore({ client: emulators.dynamoClient(), table }),
      artifacts: artifacts(),
      runner: r,
      auth: staticTokenAuth('t', 'user-1'),
    });
    const res = await app.request('/experiments/real-4/resume', {
      method: 'POST',
      headers: { authorization: 'Bearer t' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'SUBMITTED', attempt: 2, resumeFrom: checkpoint });
    await until(
      async () => (await store.get('real-4'))?.status === 'SUCCEEDED',
      'the resumed run to end',
      90_000,
    );
    const done = await store.get('real-4');
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempt: 2, jobId: 'local-real-4-2' });
    expect(done?.reason).toBeUndefined();
    expect(log(r, 'real-4')).toMatch(
      new RegExp(`attempt 2 starts ===\\n(?:.*\\n)*?resuming from checkpoint at step ${checkpoint}\\n`),
    );
  });
});
