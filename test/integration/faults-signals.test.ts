/**
 * The trainer's job, writing to S3 (LocalStack) and DynamoDB (moto), stopped the two ways Batch and the
 * machine stop it: SIGKILL at random steps, several times in one run (it resumes each time and the run's
 * artifacts come out as if it never stopped), and SIGTERM (a checkpoint is written before it exits), also
 * after a cancel through the API, whose retried attempt must end without training.
 * GANZOO_FAULT_SEED replays a failing choice of steps.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchStateHandler } from '../../functions/events/batch-state.ts';
import { DynamoRunStore } from '../../functions/stores/run-store.ts';
import { runFiles } from '../../shared/keys.ts';
import { seededRandom } from '../../shared/random.ts';
import { parseSpec } from '../../shared/spec.ts';
import { latestCheckpoint, loadCheckpoint } from '../../trainer/checkpoint.ts';
import { buildGan } from '../../trainer/loop.ts';
import type { ArtifactSink } from '../../trainer/sinks/types.ts';
import { TINY_SPEC } from '../api-harness.ts';
import { type Deployment, deploy, requestAs, runArtifacts, storedRun, submitRun } from './aws.ts';
import { startTrainerJob, until } from './trainer-job.ts';

const STEPS = 60;
const SPEC = { ...TINY_SPEC, steps: STEPS, sampleEvery: 2, metricsEvery: 2, checkpointEvery: 10 };

let d: Deployment;
beforeAll(async () => {
  d = await deploy();
});
afterAll(() => d?.destroy());

/** A small seeded generator, so a failing choice of kill steps can be replayed. */
const random = seededRandom;

/**
 * One sample step in each third of the run, never on a checkpoint, so each kill loses a different stretch
 * of work and each resume starts from a different checkpoint.
 */
function killSteps(seed: number): number[] {
  const next = random(seed);
  const thirds = [0, 1, 2].map((t) => {
    const steps: number[] = [];
    // The last 10 steps are left out: a kill seen that late could land after the job finished.
    for (
      let s = (t * STEPS) / 3 + 2;
      s < Math.min(((t + 1) * STEPS) / 3, STEPS - 10);
      s += SPEC.sampleEvery
    ) {
      if (s % SPEC.checkpointEvery !== 0) steps.push(s);
    }
    return steps;
  });
  return thirds.map((steps) => steps[Math.floor(next() * steps.length)]!);
}

async function sampleSteps(sink: ArtifactSink): Promise<number[]> {
  return (await sink.list(runFiles.samplesDir)).map((k) => Number(k.slice(runFiles.samplesDir.length, -4)));
}

async function metricSteps(sink: ArtifactSink): Promise<number[]> {
  const bytes = await sink.get(runFiles.metrics);
  return new TextDecoder()
    .decode(bytes)
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { step: number }).step);
}

/** Loads the checkpoint at `step` into a freshly built GAN and checks every weight came back finite. */
async function checkpointLoads(sink: ArtifactSink, spec: ReturnType<typeof parseSpec>, step: number) {
  const gan = buildGan(spec);
  const state = await loadCheckpoint(sink, gan, step);
  expect(state.step).toBe(step);
  for (const net of Object.values(gan.nets)) {
    for (const w of net.weights) expect(w.read().isFinite().all().dataSync()[0]).toBe(1);
  }
}

describe('the trainer job under signals', () => {
  it('resumes after SIGKILL at random steps, three times, and ends with every artifact once', async () => {
    const seed = Number(process.env.GANZOO_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const kills = killSteps(seed);
    console.log(`SIGKILL after the samples of steps ${kills.join(', ')} (GANZOO_FAULT_SEED=${seed})`);
    const { run, job } = await submitRun(d, SPEC);
    const sink = runArtifacts(d, run.id);
    let attempt = 1;
    for (const step of kills) {
      const trainer = startTrainerJob(job, { attempt });
      await until(async () => (await sampleSteps(sink)).includes(step), `the sample of step ${step}`);
      trainer.child.kill('SIGKILL');
      const { signal, code, stderr } = await trainer.exited;
      expect(signal, `attempt ${attempt} ended by itself (${code}): ${stderr}`).toBe('SIGKILL');
      attempt++;
    }
    const last = await startTrainerJob(job, { attempt }).exited;
    expect(last.stderr).toMatch(/resuming from checkpoint at step \d+/);
    expect(last.code, last.stderr).toBe(0);

    const everyOther = (from: number) =>
      Array.from({ length: (STEPS - from) / 2 + 1 }, (_, i) => from + i * 2);
    // Each sample step exactly once (the listing is every key; a rewrite under another name would show).
    expect(await sampleSteps(sink)).toEqual(everyOther(0));
    const steps = await metricSteps(sink);
    expect(steps).toEqual(everyOther(2));
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1]!);
    expect(await latestCheckpoint(sink)).toBe(STEPS);
    await checkpointLoads(sink, parseSpec(SPEC), STEPS);
    const record = await storedRun(d, run.id);
    expect(record).toMatchObject({ status: 'SUCCEEDED', attempt, progress: { step: STEPS } });
  });

  it('writes a checkpoint to S3 on SIGTERM before it exits with 143', async () => {
    const spec = { ...SPEC, steps: 5000, sampleEvery: 10, checkpointEvery: 100_000 };
    const { run, job } = await submitRun(d, spec);
    const sink = runArtifacts(d, run.id);
    const trainer = startTrainerJob(job);
    await until(async () => (await sampleSteps(sink)).includes(20), 'the sample of step 20');
    expect(await latestCheckpoint(sink)).toBeUndefined();
    trainer.child.kill('SIGTERM');
    const { code, stderr } = await trainer.exited;
    expect(code, stderr).toBe(143);
    const at = await latestCheckpoint(sink);
    expect(at).toBeGreaterThanOrEqual(20);
    expect(at).toBeLessThan(spec.steps);
    await checkpointLoads(sink, parseSpec(spec), at!);
    expect((await metricSteps(sink)).at(-1)).toBeLessThanOrEqual(at!);
    // Stopped, not failed: the run is still the job's to resume.
    expect((await storedRun(d, run.id)).status).toBe('RUNNING');
  });

  it('a run cancelled through the API stops with 143, and the retried attempt exits 0 without a step', async () => {
    const spec = { ...SPEC, steps: 5000, sampleEvery: 10, checkpointEvery: 100_000 };
    const { run, job } = await submitRun(d, spec);
    const sink = runArtifacts(d, run.id);
    const trainer = startTrainerJob(job, { attempt: 1 });
    await until(async () => (await sampleSteps(sink)).includes(20), 'the sample of step 20');

    // The cancel asks Batch to terminate the job (TerminateJob), then records CANCELLED; Batch then sends
    // the container SIGTERM, which moto cannot do, so the test sends it.
    const cancelled = await requestAs(d.app())(`/experiments/${run.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    trainer.child.kill('SIGTERM');
    const first = await trainer.exited;
    expect(first.code, first.stderr).toBe(143);
    expect(first.stderr).toContain('SIGTERM: writing a checkpoint');
    const record = await storedRun(d, run.id);
    expect(record).toMatchObject({ status: 'CANCELLED', attempt: 1, reason: 'cancelled on request' });

    // Exit code 143 is one Batch's retry strategy retries: the same job's attempt 2 starts.
    const keys = await d.keys();
    const metrics = await metricSteps(sink);
    const retried = await startTrainerJob(job, { attempt: 2 }).exited;
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toMatch(/cancelled: run \S+ was cancelled \(cancelled on request\); not training/);
    expect(retried.stderr).not.toMatch(/step \d+\/|resuming from checkpoint/);
    // Not a step: not an object written in S3, not a metrics line, not a status write.
    expect(await d.keys()).toEqual(keys);
    expect(await metricSteps(sink)).toEqual(metrics);
    expect(await storedRun(d, run.id)).toEqual(record);

    // Batch then reports the job SUCCEEDED (the retry exited 0): the run stays CANCELLED.
    const handle = createBatchStateHandler({
      runStore: new DynamoRunStore({ table: d.table }),
      log: () => {},
    });
    const done = await d.job(run.jobId!);
    const outcome = await handle({ detail: { ...done, jobId: done.jobId!, status: 'SUCCEEDED' } as never });
    expect(outcome.outcome).toBe('refused');
    expect(await storedRun(d, run.id)).toEqual(record);
  });

  it('a cancelled run resumed through the API continues as a new Batch job from its checkpoint; the old job no longer trains', async () => {
    const spec = { ...SPEC, steps: 400, sampleEvery: 10, checkpointEvery: 100_000 };
    const { run, job } = await submitRun(d, spec);
    const sink = runArtifacts(d, run.id);
    const api = requestAs(d.app());
    const trainer = startTrainerJob(job, { attempt: 1 });
    await until(async () => (await sampleSteps(sink)).includes(20), 'the sample of step 20');
    expect((await api(`/experiments/${run.id}/cancel`, { method: 'POST' })).status).toBe(200);
    trainer.child.kill('SIGTERM');
    expect((await trainer.exited).code).toBe(143);
    const checkpoint = await latestCheckpoint(sink);
    expect(checkpoint).toBeGreaterThanOrEqual(20);

    const res = await api(`/experiments/${run.id}/resume`, { method: 'POST' });
    expect(res.status).toBe(200);
    const resumed = (await res.json()) as { jobId: string; attempt: number; resumeFrom: number };
    expect(resumed).toMatchObject({ attempt: 2, resumeFrom: checkpoint });
    expect(resumed.jobId).not.toBe(run.jobId);
    const newJob = await d.job(resumed.jobId);
    expect(newJob.container?.environment).toContainEqual({ name: 'GANZOO_FIRST_ATTEMPT', value: '2' });

    // Batch's retry of the old job (its attempt 2) starts too: it must not train the resumed run.
    const keys = await d.keys();
    const stale = await startTrainerJob(job, { attempt: 2 }).exited;
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stderr).toContain(`job ${job.jobId} no longer trains run ${run.id}`);
    expect(await d.keys()).toEqual(keys);

    // The new job's first attempt is the run's attempt 2, from the checkpoint, to the end.
    const next = await startTrainerJob(newJob, { attempt: 1 }).exited;
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`resuming from checkpoint at step ${checkpoint}`);
    const done = await storedRun(d, run.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempt: 2, jobId: resumed.jobId });
    expect(done.reason).toBeUndefined();
    // Every sample step once, across both attempts.
    expect(await sampleSteps(sink)).toEqual(Array.from({ length: 41 }, (_, i) => i * 10));

    // Events of the old job are ignored; the new job's map to the run's attempt 2.
    const handle = createBatchStateHandler({
      runStore: new DynamoRunStore({ table: d.table }),
      log: () => {},
    });
    const old = await d.job(job.jobId!);
    expect((await handle({ detail: { ...old, jobId: old.jobId!, status: 'FAILED' } as never })).outcome).toBe(
      'ignored',
    );
    const fresh = await d.job(resumed.jobId);
    const outcome = await handle({ detail: { ...fresh, jobId: fresh.jobId!, status: 'SUCCEEDED' } as never });
    expect(outcome).toMatchObject({ outcome: 'unchanged', attempt: 2 });
  });
});
