import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIRST_ATTEMPT_ENV } from '../../shared/batch-job.ts';
import { DEFAULT_GPU_PRICES } from '../../shared/cost.ts';
import { costLabel } from '../../shared/cost-label.ts';
import type { RunRecord } from '../../shared/run.ts';
import { parseSpec } from '../../shared/spec.ts';
import { RunSlots } from '../../shared/storage/run-slots.ts';
import { type Emulators, startEmulators } from '../../test/emulators.ts';
import { DynamoRunStore } from '../stores/run-store.ts';
import {
  type BatchAttempt,
  type BatchJobDetail,
  type BatchJobStateChangeEvent,
  createBatchStateHandler,
  failureReason,
  mapBatchState,
} from './batch-state.ts';

const JOB = 'b6a1c2d3-0000-4000-8000-000000000001';

/** A state-change event shaped like the ones Batch sends (the detail is DescribeJobs' job). */
function event(
  status: string,
  attempts: BatchAttempt[] = [],
  extra: Partial<BatchJobDetail> = {},
  runId = 'run-1',
): BatchJobStateChangeEvent {
  return {
    source: 'aws.batch',
    'detail-type': 'Batch Job State Change',
    time: '2026-01-01T00:00:00Z',
    detail: {
      jobId: JOB,
      jobName: `ganzoo-${runId}`,
      status,
      attempts,
      container: {
        environment: [
          { name: 'GANZOO_RUN_ID', value: runId },
          { name: 'GANZOO_BUCKET', value: 'b' },
        ],
      },
      tags: { 'ganzoo:run-id': runId },
      ...extra,
    },
  };
}

const hostLost: BatchAttempt = {
  container: { exitCode: 143, reason: '' },
  statusReason: 'Host EC2 (instance i-0abc) terminated.',
};
const crashed: BatchAttempt = {
  container: { exitCode: 1 },
  statusReason: 'Essential container in task exited',
};

describe('mapBatchState', () => {
  it.each([
    ['SUBMITTED', 'SUBMITTED'],
    ['PENDING', 'SUBMITTED'],
    ['RUNNABLE', 'SUBMITTED'],
    ['STARTING', 'STARTING'],
    ['RUNNING', 'RUNNING'],
    ['SUCCEEDED', 'SUCCEEDED'],
  ])('maps Batch %s to %s', (batch, run) => {
    const attempts = batch === 'SUCCEEDED' ? [{ container: { exitCode: 0 } }] : [];
    expect(mapBatchState(event(batch, attempts).detail)).toEqual({
      ok: true,
      runId: 'run-1',
      update: { status: run, attempt: 1 },
    });
  });

  it('counts the attempt on its way while the job is not done, and the last one when it is', () => {
    expect(mapBatchState(event('RUNNABLE', [hostLost]).detail)).toMatchObject({
      update: { status: 'SUBMITTED', attempt: 2 },
    });
    expect(mapBatchState(event('STARTING', [hostLost]).detail)).toMatchObject({
      update: { status: 'STARTING', attempt: 2 },
    });
    expect(
      mapBatchState(event('SUCCEEDED', [hostLost, { container: { exitCode: 0 } }]).detail),
    ).toMatchObject({ update: { status: 'SUCCEEDED', attempt: 2 } });
    // Terminated before any attempt began: it still ends attempt 1.
    expect(mapBatchState(event('FAILED', [], { statusReason: 'cancelled' }).detail)).toMatchObject({
      update: { status: 'FAILED', attempt: 1 },
    });
  });

  it("counts a resubmitted job's attempts from the run's attempt it started at", () => {
    const resubmitted = (status: string, attempts: BatchAttempt[] = [], first = '3') => {
      const e = event(status, attempts);
      e.detail.container!.environment!.push({ name: FIRST_ATTEMPT_ENV, value: first });
      return mapBatchState(e.detail);
    };
    expect(resubmitted('RUNNABLE')).toMatchObject({ update: { status: 'SUBMITTED', attempt: 3 } });
    expect(resubmitted('STARTING', [hostLost])).toMatchObject({ update: { status: 'STARTING', attempt: 4 } });
    expect(resubmitted('RUNNING', [], 'x')).toEqual({
      ok: false,
      why: `Batch job ${JOB}: ${FIRST_ATTEMPT_ENV} must be a whole number from 1, not "x"`,
    });
  });

  it('gives a failed run a reason from Batch and the container', () => {
    const detail = event('FAILED', [crashed], { statusReason: 'Essential container in task exited' }).detail;
    expect(mapBatchState(detail)).toEqual({
      ok: true,
      runId: 'run-1',
      update: {
        status: 'FAILED',
        attempt: 1,
        reason: `Batch job ${JOB} failed: Essential container in task exited; exit code 1; see the job's log`,
      },
    });
  });

  it('says what to change for a timeout, memory, lost hosts and an unusable spec', () => {
    const reason = (attempts: BatchAttempt[], statusReason?: string) =>
      failureReason(event('FAILED', attempts, statusReason ? { statusReason } : {}).detail);
    expect(reason([{ statusReason: 'x' }], 'Job attempt duration exceeded timeout')).toMatch(
      /timeoutMinutes/,
    );
    const oom = {
      container: { exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
    };
    expect(reason([oom], 'Essential container in task exited')).toMatch(
      /OutOfMemoryError: Container killed due to memory usage; exit code 137: out of memory; lower batchSize/,
    );
    expect(reason([hostLost, hostLost, hostLost], 'Host EC2 (instance i-0abc) terminated.')).toMatch(
      /resources\.retries or set resources\.spot to false/,
    );
    expect(reason([{ container: { exitCode: 2 } }], 'Essential container in task exited')).toMatch(
      /stored spec/,
    );
    expect(failureReason({ jobId: 'j', status: 'FAILED' })).toBe('Batch job j failed: no reason given');
  });

  it('finds the run id in the tags when the environment does not have it', () => {
    const detail = { ...event('RUNNING').detail, container: {} };
    expect(mapBatchState(detail)).toMatchObject({ ok: true, runId: 'run-1' });
  });

  it('ignores jobs that are not ours, unknown states and ids that are not run ids', () => {
    expect(mapBatchState({ jobId: 'j', status: 'RUNNING' })).toEqual({
      ok: false,
      why: 'Batch job j carries no run id',
    });
    expect(mapBatchState(event('PAUSED').detail)).toEqual({
      ok: false,
      why: "unknown Batch job status 'PAUSED'",
    });
    expect(mapBatchState(event('RUNNING', [], {}, 'idem#x').detail)).toMatchObject({ ok: false });
  });
});

describe('the Batch state handler on the runs table', () => {
  let emulators: Emulators;
  let store: DynamoRunStore;
  let table = '';
  let n = 0;
  const lines: string[] = [];
  const handler = () => createBatchStateHandler({ runStore: store, log: (l) => lines.push(l) });

  beforeAll(async () => {
    emulators = await startEmulators();
  });
  afterAll(async () => {
    await emulators?.stop();
  });
  beforeEach(async () => {
    table = `runs-${++n}`;
    await emulators.createRunsTable(table);
    store = new DynamoRunStore({ client: emulators.dynamoClient(), table, retry: { attempts: 1 } });
  });

  async function submitted(overrides: Partial<RunRecord> = {}): Promise<RunRecord> {
    const at = '2026-01-01T00:00:00.000Z';
    const run: RunRecord = {
      id: 'run-1',
      owner: 'user-1',
      spec: parseSpec({ family: 'vanilla', dataset: 'ring8' }),
      status: 'SUBMITTED',
      attempt: 1,
      jobId: JOB,
      createdAt: at,
      updatedAt: at,
      ...overrides,
    };
    await store.create(run);
    return run;
  }

  const life = () => [
    event('SUBMITTED'),
    event('PENDING'),
    event('RUNNABLE'),
    event('STARTING'),
    event('RUNNING'),
    event('SUCCEEDED', [{ container: { exitCode: 0 } }]),
  ];

  async function deliver(events: BatchJobStateChangeEvent[]) {
    const handle = handler();
    const outcomes = [];
    for (const e of events) outcomes.push((await handle(e)).outcome);
    return outcomes;
  }

  it('follows a job through its states in order', async () => {
    await submitted();
    const outcomes = await deliver(life());
    expect(outcomes).toEqual(['unchanged', 'unchanged', 'unchanged', 'applied', 'applied', 'applied']);
    expect(await store.get('run-1')).toMatchObject({ status: 'SUCCEEDED', attempt: 1, jobId: JOB });
  });

  it('changes nothing when every event arrives twice', async () => {
    await submitted();
    await deliver(life().flatMap((e) => [e, e]));
    const once = await store.get('run-1');
    expect(once).toMatchObject({ status: 'SUCCEEDED', attempt: 1 });
    const again = await deliver(life());
    expect(again.every((o) => o === 'unchanged' || o === 'refused')).toBe(true);
    expect(await store.get('run-1')).toEqual(once);
  });

  it('ends in the same state when the events arrive in reverse', async () => {
    await submitted();
    const outcomes = await deliver(life().reverse());
    expect(outcomes[0]).toBe('applied');
    expect(outcomes.slice(1).every((o) => o === 'refused')).toBe(true);
    expect(await store.get('run-1')).toMatchObject({ status: 'SUCCEEDED', attempt: 1 });
  });

  it('moves to the next attempt after a Spot reclaim, and ignores the old attempt arriving late', async () => {
    await submitted();
    await deliver([event('STARTING'), event('RUNNING')]);
    const outcomes = await deliver([
      event('RUNNABLE', [hostLost]), // a retry cannot begin before it starts
      event('STARTING', [hostLost]),
      event('RUNNING'), // attempt 1, late
      event('RUNNING', [hostLost]),
    ]);
    expect(outcomes).toEqual(['refused', 'applied', 'refused', 'applied']);
    expect(await store.get('run-1')).toMatchObject({ status: 'RUNNING', attempt: 2 });
    await deliver([
      event('FAILED', [hostLost, crashed], { statusReason: 'Essential container in task exited' }),
    ]);
    expect(await store.get('run-1')).toMatchObject({
      status: 'FAILED',
      attempt: 2,
      reason: `Batch job ${JOB} failed: Essential container in task exited; exit code 1; see the job's log`,
    });
  });

  it('keeps the reason of a cancelled run when the terminated job reports FAILED', async () => {
    await submitted();
    await deliver([event('RUNNING')]);
    await store.update('run-1', { status: 'CANCELLED', reason: 'cancelled by user-1' });
    const outcomes = await deliver([event('FAILED', [], { statusReason: 'cancelled by user-1' })]);
    expect(outcomes).toEqual(['refused']);
    expect(await store.get('run-1')).toMatchObject({ status: 'CANCELLED', reason: 'cancelled by user-1' });
  });

  it("frees the run's slot among its owner's runs in flight when a job's end ends the run, once", async () => {
    store = new DynamoRunStore({
      client: emulators.dynamoClient(),
      table,
      retry: { attempts: 1 },
      maxRunsInFlight: 1,
    });
    const slots = new RunSlots(emulators.dynamoClient(), table, {
      attempts: 1,
      baseMs: 0,
      maxMs: 0,
      onRetry: () => {},
    });
    await submitted();
    expect(await slots.held('user-1')).toEqual(['run-1#1']);
    await deliver([event('RUNNING')]);
    const lost = event('FAILED', [{ container: { exitCode: 137 } }]);
    expect(await deliver([lost])).toEqual(['applied']);
    expect(await slots.held('user-1')).toEqual([]);
    // The owner's next run takes the slot; the same event again frees nothing of it.
    await submitted({ id: 'run-2', jobId: 'job-2' });
    expect(await deliver([lost])).toEqual(['unchanged']);
    expect(await slots.held('user-1')).toEqual(['run-2#1']);
  });

  it("puts each job's billed attempts into the run's cost, priced by capacity, whatever order they come in", async () => {
    const prices = {
      ...DEFAULT_GPU_PRICES,
      'g4dn.xlarge': { onDemand: 0.5, spot: 0.2 },
    };
    const handle = createBatchStateHandler({ runStore: store, log: (l) => lines.push(l), prices });
    await submitted();
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const first = { ...hostLost, startedAt: t0, stoppedAt: t0 + 1800_000 };
    const second = { container: { exitCode: 0 }, startedAt: t0 + 1900_000, stoppedAt: t0 + 3700_000 };
    const done = event('SUCCEEDED', [first, second], { jobQueue: 'spot-queue' });
    // The final event first, then an earlier one with only the first attempt: the cost keeps the longer.
    await handle(done);
    await handle(event('RUNNING', [first], { jobQueue: 'spot-queue' }));
    const cost = (await store.get('run-1'))?.cost;
    expect(cost).toMatchObject({
      estimate: true,
      seconds: 3600,
      usd: 0.2,
      jobs: { [JOB]: { capacity: 'spot', instanceType: 'g4dn.xlarge', seconds: 3600, usdPerHour: 0.2 } },
    });
    // A job the run no longer points at (here one on the on-demand queue, an hour) still cost money.
    const other = event('FAILED', [{ ...crashed, startedAt: t0, stoppedAt: t0 + 3600_000 }], {
      jobId: 'job-old',
      jobQueue: 'on-demand-queue',
    });
    const fallback = {
      queuesFor: () => ({ spot: 'spot-queue', onDemand: 'on-demand-queue' }),
      submit: async () => ({ jobId: 'never' }),
      cancel: async () => {},
    };
    expect(
      (await createBatchStateHandler({ runStore: store, prices, fallback, log: () => {} })(other)).outcome,
    ).toBe('ignored');
    expect((await store.get('run-1'))?.cost).toMatchObject({
      seconds: 7200,
      usd: 0.7,
      jobs: { 'job-old': { capacity: 'on-demand', seconds: 3600, usdPerHour: 0.5 } },
    });
    expect(costLabel((await store.get('run-1'))?.cost)).toBe(
      'estimate: $0.70 (2.0 h billed; g4dn.xlarge Spot at $0.2/h, g4dn.xlarge on-demand at $0.5/h)',
    );
  });

  it('records the job id when its first event beats the API', async () => {
    const { jobId: _, ...queued } = await submitted({ id: 'run-2', status: 'QUEUED', jobId: undefined });
    expect(queued.id).toBe('run-2');
    await deliver([event('SUBMITTED', [], {}, 'run-2')]);
    expect(await store.get('run-2')).toMatchObject({ status: 'SUBMITTED', jobId: JOB });
  });

  it("ignores events of a job the run does not point at, and of runs it doesn't know", async () => {
    await submitted({ jobId: 'another-job' });
    lines.length = 0;
    expect(await deliver([event('FAILED', [crashed]), event('RUNNING', [], {}, 'run-9')])).toEqual([
      'ignored',
      'ignored',
    ]);
    expect(await store.get('run-1')).toMatchObject({ status: 'SUBMITTED' });
    expect(lines).toEqual([
      `batch-state: ignored: run run-1 belongs to Batch job another-job, not Batch job ${JOB}`,
      `batch-state: ignored: run run-9 (Batch job ${JOB}) is not in the store`,
    ]);
  });
});

describe('mapBatchState, a group array job', () => {
  const groupEnv = {
    container: { environment: [{ name: 'GANZOO_GROUP_ID', value: 'GROUP1' }] },
    tags: { 'ganzoo:group-id': 'GROUP1' },
  };
  it("maps a child's event (jobId parent:index) to the member run at that index", () => {
    const mapped = mapBatchState({
      jobId: 'parent-9:2',
      status: 'RUNNING',
      arrayProperties: { index: 2 },
      ...groupEnv,
    });
    expect(mapped).toEqual({ ok: true, runId: 'GROUP1-0002', update: { status: 'RUNNING', attempt: 1 } });
    // Without arrayProperties, the index is read from the child's job id.
    const byId = mapBatchState({ jobId: 'parent-9:5', status: 'FAILED', attempts: [crashed], ...groupEnv });
    expect(byId.ok && byId.runId).toBe('GROUP1-0005');
  });

  it("ignores the array job's own events, saying why", () => {
    const mapped = mapBatchState({
      jobId: 'parent-9',
      status: 'RUNNING',
      arrayProperties: { size: 3 },
      ...groupEnv,
    });
    expect(mapped).toEqual({
      ok: false,
      why: "Batch job parent-9 is a group's array job; its children's events move the member runs",
    });
  });
});
