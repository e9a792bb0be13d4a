/**
 * S3 or DynamoDB unreachable while the trainer's job runs: the job reaches the service through a TCP relay
 * (test/emulators.ts startOutageProxy) that refuses connections while it is down, set as that service's
 * endpoint variable. A short outage is ridden out by the sinks' retries with backoff and the run succeeds;
 * one that outlasts them fails the run with a reason naming the service, and nothing written before is lost.
 * The retry budget is shortened through the trainer's own variables (GANZOO_RETRY_*) so this takes seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchJobDetail, createBatchStateHandler } from '../../functions/events/batch-state.ts';
import { DynamoRunStore } from '../../functions/stores/run-store.ts';
import { runFiles } from '../../shared/keys.ts';
import { latestCheckpoint } from '../../trainer/checkpoint.ts';
import { TINY_SPEC } from '../api-harness.ts';
import { type Outage, startOutageProxy } from '../emulators.ts';
import { type Deployment, deploy, runArtifacts, storedRun, submitRun } from './aws.ts';
import { startTrainerJob, until } from './trainer-job.ts';

const STEPS = 40;
const SPEC = { ...TINY_SPEC, steps: STEPS, sampleEvery: 2, metricsEvery: 2, checkpointEvery: 10 };
/** Ten tries, 100 ms doubling to 400 ms, jittered: about 1.5-3 s of retrying before giving up. */
const RETRY = { GANZOO_RETRY_ATTEMPTS: '10', GANZOO_RETRY_BASE_MS: '100', GANZOO_RETRY_MAX_MS: '400' };
const OUTAGE_MS = 1_000;

let d: Deployment;
const proxies: Outage[] = [];
beforeAll(async () => {
  d = await deploy();
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  d?.destroy();
});

type Service = 'S3' | 'DYNAMODB';

async function proxyFor(service: Service): Promise<{ proxy: Outage; env: Record<string, string> }> {
  const variable = `AWS_ENDPOINT_URL_${service}`;
  const proxy = await startOutageProxy(process.env[variable]!);
  proxies.push(proxy);
  return { proxy, env: { ...RETRY, [variable]: proxy.endpoint } };
}

const sampleSteps = async (runId: string) =>
  (await runArtifacts(d, runId).list(runFiles.samplesDir)).map((k) =>
    Number(k.slice(runFiles.samplesDir.length, -4)),
  );

describe.each(['S3', 'DYNAMODB'] as const)('%s unreachable mid-run', (service) => {
  const name = service === 'S3' ? 'S3' : 'DynamoDB';

  it(`rides out a ${OUTAGE_MS} ms outage with retries and succeeds`, async () => {
    const { run, job } = await submitRun(d, SPEC);
    const { proxy, env } = await proxyFor(service);
    const trainer = startTrainerJob(job, { env });
    let stderr = '';
    trainer.child.stderr?.on('data', (b) => {
      stderr += b;
    });
    await until(async () => (await sampleSteps(run.id)).includes(10), 'the sample of step 10');
    await proxy.down();
    // DynamoDB is written at heartbeats and at the end only: keep it down until a write has hit it.
    const downAt = Date.now();
    await until(() => stderr.includes('retrying in'), `a ${name} write to fail and be retried`);
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
    await proxy.up();
    const { code } = await trainer.exited;
    expect(code, stderr).toBe(0);
    // The retries waited longer each time (before the jitter, 100, 200, 400 ms...).
    const delays = [...stderr.matchAll(/\(try (\d+)\)[^\n]*retrying in (\d+) ms/g)].map((m) => Number(m[2]));
    expect(delays.length).toBeGreaterThanOrEqual(1);
    expect(stderr).toMatch(service === 'S3' ? /s3:\/\// : new RegExp(d.table));
    expect(await storedRun(d, run.id)).toMatchObject({ status: 'SUCCEEDED', progress: { step: STEPS } });
    expect(await sampleSteps(run.id)).toEqual(Array.from({ length: STEPS / 2 + 1 }, (_, i) => i * 2));
  });

  it(`fails with a reason naming ${name} when it stays down, and keeps what was written`, async () => {
    const { run, job } = await submitRun(d, SPEC);
    const { proxy, env } = await proxyFor(service);
    const trainer = startTrainerJob(job, { env });
    await until(async () => (await sampleSteps(run.id)).includes(20), 'the sample of step 20');
    await proxy.down();
    const before = await d.keys();
    const checkpointBefore = await latestCheckpoint(runArtifacts(d, run.id));
    const { code, stderr } = await trainer.exited;
    expect(code).toBe(1);
    expect(stderr).toContain(`${name} unavailable`);

    // What the run record says: the trainer's own reason when S3 failed (DynamoDB was there to take it);
    // with DynamoDB down it cannot write, and Batch's FAILED event records the job's failure instead.
    if (service === 'DYNAMODB') {
      const handle = createBatchStateHandler({
        runStore: new DynamoRunStore({ table: d.table }),
        log: () => {},
      });
      await handle({
        detail: { ...(job as BatchJobDetail), status: 'FAILED', attempts: [{ container: { exitCode: 1 } }] },
      });
    }
    const record = await storedRun(d, run.id);
    expect(record.status).toBe('FAILED');
    expect(record.reason).toMatch(service === 'S3' ? /S3 unavailable/ : /exit code 1; see the job's log/);

    // Nothing written before the outage is gone, and its checkpoint is still the latest complete one.
    const after = await d.keys();
    expect(after).toEqual(expect.arrayContaining(before));
    expect(await latestCheckpoint(runArtifacts(d, run.id))).toBeGreaterThanOrEqual(checkpointBefore ?? 0);
  });
});
