/**
 * One run end to end against the emulators, every part the production code: submitted through the API,
 * it becomes a Batch job (moto) on the right queue with the right definition and environment; the trainer
 * runs as that job would and writes its artifacts to S3 (LocalStack) under the key layout and its status
 * to DynamoDB (moto); Batch state-change events arrive in order, twice and backwards; the run ends
 * SUCCEEDED with every sample listed and fetchable through its presigned URL.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchJobDetail, createBatchStateHandler } from '../../functions/events/batch-state.ts';
import { DynamoRunStore } from '../../functions/stores/run-store.ts';
import { DEFAULT_GPU_PRICES } from '../../shared/cost.ts';
import type { PointsEval } from '../../shared/evaluation.ts';
import { runFiles, runPrefix } from '../../shared/keys.ts';
import type { RunRecord } from '../../shared/run.ts';
import { TINY_SPEC } from '../api-harness.ts';
import { type Deployment, deploy, GPU, requestAs } from './aws.ts';
import { startTrainerJob, until } from './trainer-job.ts';

const STEPS = 30;
const SPEC = { ...TINY_SPEC, steps: STEPS, metricsEvery: 5, checkpointEvery: 10 };
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let d: Deployment;
beforeAll(async () => {
  d = await deploy();
});
afterAll(() => d?.destroy());

describe('a run through API, Batch, trainer, S3, DynamoDB and Batch events', () => {
  it('ends SUCCEEDED with its artifacts under the layout and every sample fetchable', async () => {
    const api = requestAs(d.app());
    const post = await api('/experiments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...SPEC, resources: { spot: false } }),
    });
    expect(post.status).toBe(201);
    const submitted = (await post.json()) as RunRecord;
    expect(submitted.status).toBe('SUBMITTED');
    expect(submitted.jobId).toBeTruthy();

    // The job as Batch holds it: the on-demand queue (spot: false), the trainer's definition, the run's env.
    const job = await d.job(submitted.jobId!);
    expect(job.jobQueue).toBe(d.queues[GPU]!.onDemand);
    expect(job.jobDefinition).toContain(d.jobDefinition);
    expect(job.jobName).toBe(`ganzoo-${submitted.id}`);
    const env = Object.fromEntries((job.container?.environment ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      GANZOO_RUN_ID: submitted.id,
      GANZOO_BUCKET: d.bucket,
      GANZOO_TABLE: d.table,
    });

    // Batch's state-change events, built from the job's own description. moto ran the job to SUCCEEDED at
    // once (it has no Docker), so its finished attempt is kept only on the events of a finished job.
    const logged: string[] = [];
    const handle = createBatchStateHandler({
      runStore: new DynamoRunStore({ table: d.table }),
      log: (line) => logged.push(line),
    });
    const event = (status: string, extra: Partial<BatchJobDetail> = {}) =>
      handle({
        source: 'aws.batch',
        'detail-type': 'Batch Job State Change',
        detail: {
          ...(job as BatchJobDetail),
          status,
          attempts: ['SUCCEEDED', 'FAILED'].includes(status) ? (job as BatchJobDetail).attempts : [],
          ...extra,
        },
      });
    const stored = async () => (await new DynamoRunStore({ table: d.table }).get(submitted.id))!;

    // In order, the queued states twice over: the run moves to STARTING once and stays there.
    for (const s of ['SUBMITTED', 'PENDING', 'RUNNABLE', 'RUNNABLE', 'STARTING', 'STARTING']) await event(s);
    expect((await stored()).status).toBe('STARTING');
    expect((await stored()).attempt).toBe(1);

    const startedAt = Date.now();
    const trainer = startTrainerJob(job, { attempt: 1 });
    await until(async () => (await stored()).status === 'RUNNING', 'the trainer to report RUNNING');
    expect((await event('RUNNING')).outcome).toBe('unchanged');
    const { code, stderr } = await trainer.exited;
    // moto runs nothing, so its attempt starts and stops at the same instant; Batch would report the
    // container's own times, here the trainer's, which the run's cost estimate is made from.
    const ran = { startedAt, stoppedAt: Date.now() };
    job.attempts = job.attempts?.map((a) => ({ ...a, ...ran }));
    expect(stderr).not.toMatch(/error|failed/i);
    expect(code).toBe(0);

    // Success twice, then every event again backwards: nothing moves the run back or changes its record.
    expect(job.attempts).toHaveLength(1);
    expect((await event('SUCCEEDED')).outcome).toBe('unchanged');
    const done = await stored();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.progress?.step).toBe(STEPS);
    // Its cost: the attempt's billed seconds at the on-demand price of its type, labelled an estimate.
    const seconds = Math.round((ran.stoppedAt - ran.startedAt) / 1000);
    expect(seconds).toBeGreaterThan(0);
    expect(done.cost).toMatchObject({
      estimate: true,
      seconds,
      jobs: {
        [submitted.jobId!]: {
          capacity: 'on-demand',
          instanceType: GPU,
          seconds,
          usdPerHour: DEFAULT_GPU_PRICES[GPU].onDemand,
        },
      },
    });
    expect(done.cost?.usd).toBeCloseTo((seconds / 3600) * DEFAULT_GPU_PRICES[GPU].onDemand, 4);
    for (const s of ['SUCCEEDED', 'RUNNING', 'STARTING', 'RUNNABLE', 'PENDING', 'SUBMITTED']) {
      const outcome = await event(s);
      expect(['unchanged', 'refused']).toContain(outcome.outcome);
    }
    expect(await stored()).toEqual(done);
    // A failure reported after success is refused too.
    expect((await event('FAILED', { statusReason: 'late' })).outcome).toBe('refused');
    expect((await stored()).status).toBe('SUCCEEDED');

    // The item in DynamoDB is the run record the API shows.
    const item = (await d.items()).map((i) => unmarshall(i as never)).find((i) => i.id === submitted.id);
    expect(item).toMatchObject({ status: 'SUCCEEDED', attempt: 1, jobId: submitted.jobId });
    const shown = (await (await api(`/experiments/${submitted.id}`)).json()) as RunRecord;
    expect(shown).toMatchObject({ status: 'SUCCEEDED', jobId: submitted.jobId, progress: { step: STEPS } });
    expect(shown.cost).toEqual(done.cost);

    // S3 holds the layout of shared/keys.ts, and nothing outside the run's prefix.
    const keys = await d.keys();
    const prefix = runPrefix(submitted.id);
    expect(keys.every((k) => k.startsWith(prefix))).toBe(true);
    const relative = keys.map((k) => k.slice(prefix.length));
    const sampleSteps = [0, 10, 20, 30];
    for (const k of [runFiles.spec, runFiles.metrics, runFiles.generatorModel, runFiles.generatorWeights]) {
      expect(relative).toContain(k);
    }
    for (const s of sampleSteps) expect(relative).toContain(runFiles.sample(s));
    expect(relative).toContain(`${runFiles.checkpoint(STEPS)}state.json`);
    expect(relative.filter((k) => k.startsWith(runFiles.samplesDir))).toHaveLength(sampleSteps.length);

    // Metrics through the API: one line per metricsEvery steps, in order.
    const metrics = (await (await api(`/experiments/${submitted.id}/metrics`)).json()) as {
      metrics: { step: number }[];
    };
    expect(metrics.metrics.map((m) => m.step)).toEqual([5, 10, 15, 20, 25, 30]);

    // Every sample listed (one page at a time) and fetched from S3 by its presigned URL.
    const listed: { step: number; url: string }[] = [];
    let cursor: string | undefined;
    do {
      const q = `limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await api(`/experiments/${submitted.id}/samples?${q}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { samples: { step: number; url: string }[]; nextCursor?: string };
      listed.push(...page.samples);
      cursor = page.nextCursor;
    } while (cursor);
    expect(listed.map((s) => s.step)).toEqual(sampleSteps);
    for (const s of listed) {
      const res = await fetch(s.url);
      expect(res.status, `sample ${s.step}`).toBe(200);
      expect([...new Uint8Array(await res.arrayBuffer()).slice(0, 8)]).toEqual(PNG_SIGNATURE);
    }
    // The generator's presigned URLs reach the exported model.
    const gen = (await (await api(`/experiments/${submitted.id}/generator`)).json()) as { modelUrl: string };
    const model = (await (await fetch(gen.modelUrl)).json()) as { modelTopology?: unknown };
    expect(model.modelTopology).toBeDefined();

    // The job scored its generator from S3 and wrote eval.json beside it; the API serves it.
    expect(relative).toContain(runFiles.eval);
    const evaluation = (await (await api(`/experiments/${submitted.id}/evaluation`)).json()) as {
      evaluation: PointsEval;
    };
    expect(evaluation.evaluation).toMatchObject({
      kind: 'points2d',
      run: { dataset: 'ring8', steps: STEPS },
    });
    expect(evaluation.evaluation.run.dir).toContain(`s3://`);
    expect(evaluation.evaluation.modes.modesTotal).toBe(8);
  });
});
