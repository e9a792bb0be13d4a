import { BatchClient } from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import { BATCH_RETRY_RULES, FIRST_ATTEMPT_ENV, jobRunId } from '../../shared/batch-job.ts';
import type { RunRecord } from '../../shared/run.ts';
import { GPU_TYPES, parseSpec } from '../../shared/spec.ts';
import { BatchRunner, EVALUATE_ON_EXIT } from './batch-runner.ts';

interface CapturedCall {
  command: string;
  input: Record<string, unknown>;
}

/**
 * A Batch client that sends nothing: a middleware records each command's parameters and answers with a
 * canned response. It checks what the runner asks of Batch; the integration tests run it against moto.
 */
function batchClientCapturingParameters(response: Record<string, unknown> = {}) {
  const calls: CapturedCall[] = [];
  const client = new BatchClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      calls.push({ command: context.commandName ?? '?', input: args.input as Record<string, unknown> });
      return { output: { $metadata: {}, ...response }, response: {} };
    },
    { step: 'initialize', name: 'captureParameters' },
  );
  return { client, calls };
}

function run(overrides: Partial<RunRecord> = {}, resources: Record<string, unknown> = {}): RunRecord {
  return {
    id: 'run-123',
    owner: 'user-1',
    spec: parseSpec({ family: 'dcgan', dataset: 'mnist', resources }),
    status: 'QUEUED',
    attempt: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** Queue names that say their type and capacity, so a wrong pick shows in the diff. */
const queues = Object.fromEntries(
  GPU_TYPES.map((t) => [t, { spot: `${t}-spot`, onDemand: `${t}-on-demand` }]),
) as Record<(typeof GPU_TYPES)[number], { spot: string; onDemand: string }>;

const options = {
  queues,
  jobDefinition: 'ganzoo-trainer:3',
  bucket: 'artifacts-bucket',
  table: 'runs-table',
};

describe('BatchRunner', () => {
  it('submits a Spot run with its environment, retries, timeout and tags', async () => {
    const { client, calls } = batchClientCapturingParameters({ jobId: 'job-abc', jobName: 'x' });
    const runner = new BatchRunner({ client, ...options });
    const result = await runner.submit(run({}, { spot: true, retries: 4, timeoutMinutes: 90 }));
    expect(result).toEqual({ jobId: 'job-abc' });
    expect(calls).toEqual([
      {
        command: 'SubmitJobCommand',
        input: {
          jobName: 'ganzoo-run-123',
          jobQueue: 'g4dn.xlarge-spot',
          jobDefinition: 'ganzoo-trainer:3',
          containerOverrides: {
            environment: [
              { name: 'GANZOO_RUN_ID', value: 'run-123' },
              { name: 'GANZOO_BUCKET', value: 'artifacts-bucket' },
              { name: 'GANZOO_TABLE', value: 'runs-table' },
              { name: 'GANZOO_FIRST_ATTEMPT', value: '1' },
            ],
            // All of a g4dn.xlarge (4 vCPUs, 16 GiB) but 2 GiB for the ECS agent and the OS.
            resourceRequirements: [
              { type: 'VCPU', value: '4' },
              { type: 'MEMORY', value: '14336' },
            ],
          },
          retryStrategy: {
            attempts: 4,
            evaluateOnExit: [
              { onStatusReason: 'Host EC2*', action: 'RETRY' },
              { onExitCode: '143', action: 'RETRY' },
              { onReason: 'Cannot*', action: 'RETRY' },
              { onReason: '*', action: 'EXIT' },
              { onExitCode: '*', action: 'EXIT' },
            ],
          },
          timeout: { attemptDurationSeconds: 5400 },
          tags: { 'ganzoo:run-id': 'run-123', 'ganzoo:owner': 'user-1', 'ganzoo:family': 'dcgan' },
          propagateTags: true,
        },
      },
    ]);
  });

  it('puts on-demand runs on the on-demand queue, with the default retries and timeout', async () => {
    const { client, calls } = batchClientCapturingParameters({ jobId: 'job-def' });
    await new BatchRunner({ client, ...options }).submit(run({}, { spot: false }));
    expect(calls[0]?.input).toMatchObject({
      jobQueue: 'g4dn.xlarge-on-demand',
      retryStrategy: { attempts: 3 },
      timeout: { attemptDurationSeconds: 7200 },
    });
  });

  it('gives a resumed run a fresh resources.retries, and a move to on-demand after it what is left', () => {
    const runner = new BatchRunner({ ...options });
    const at = '2026-01-01T00:00:00.000Z';
    // Attempts 1-3 used, FAILED, then resumed by the owner as attempt 4.
    const history = [
      { status: 'QUEUED' as const, attempt: 1, at },
      { status: 'FAILED' as const, attempt: 3, at },
      { status: 'QUEUED' as const, attempt: 4, at },
    ];
    const resumed = run({ attempt: 4, history }, { retries: 3 });
    expect(runner.submitInput(resumed).retryStrategy?.attempts).toBe(3);
    expect(runner.submitInput(resumed).containerOverrides?.environment).toContainEqual({
      name: FIRST_ATTEMPT_ENV,
      value: '4',
    });
    // Its attempt 4 found no Spot capacity: attempts 5 and 6 are left of the resume's three.
    const moved = { ...resumed, attempt: 5 };
    expect(runner.submitInput(moved, { onDemand: true }).retryStrategy?.attempts).toBe(2);
  });

  it("submits a run's later attempt to on-demand when asked, numbering from the run and with the attempts left", () => {
    const runner = new BatchRunner({ ...options });
    const later = run({ attempt: 2 }, { spot: true, retries: 3 });
    const input = runner.submitInput(later, { onDemand: true });
    expect(input.jobQueue).toBe('g4dn.xlarge-on-demand');
    expect(input.containerOverrides?.environment).toContainEqual({ name: FIRST_ATTEMPT_ENV, value: '2' });
    expect(input.retryStrategy?.attempts).toBe(2);
    // Never fewer than one attempt, and a first job begins at attempt 1.
    expect(runner.submitInput(run({ attempt: 5 }, { retries: 2 })).retryStrategy?.attempts).toBe(1);
    const first = runner.submitInput(run());
    expect(first.retryStrategy?.attempts).toBe(3);
    expect(first.containerOverrides?.environment).toContainEqual({ name: FIRST_ATTEMPT_ENV, value: '1' });
    expect(first.jobQueue).toBe('g4dn.xlarge-spot');
  });

  /** The whole instance but 2 GiB: what each type's request must be, written out. */
  const SIZES = {
    'g4dn.xlarge': { vcpus: '4', memoryMiB: '14336' },
    'g4dn.2xlarge': { vcpus: '8', memoryMiB: '30720' },
    'g5.xlarge': { vcpus: '4', memoryMiB: '14336' },
    'g5.2xlarge': { vcpus: '8', memoryMiB: '30720' },
  } as const;
  const combinations = GPU_TYPES.flatMap((gpu) => [
    { gpu, spot: true, queue: `${gpu}-spot`, size: SIZES[gpu] },
    { gpu, spot: false, queue: `${gpu}-on-demand`, size: SIZES[gpu] },
  ]);
  it.each(combinations)(
    'submits gpu $gpu with spot $spot to $queue, sized to its instance',
    async ({ gpu, spot, queue, size }) => {
      const { client, calls } = batchClientCapturingParameters({ jobId: 'job-gpu' });
      await new BatchRunner({ client, ...options }).submit(run({}, { gpu, spot }));
      expect(calls).toEqual([
        {
          command: 'SubmitJobCommand',
          input: {
            jobName: 'ganzoo-run-123',
            jobQueue: queue,
            jobDefinition: 'ganzoo-trainer:3',
            containerOverrides: {
              environment: [
                { name: 'GANZOO_RUN_ID', value: 'run-123' },
                { name: 'GANZOO_BUCKET', value: 'artifacts-bucket' },
                { name: 'GANZOO_TABLE', value: 'runs-table' },
                { name: 'GANZOO_FIRST_ATTEMPT', value: '1' },
              ],
              resourceRequirements: [
                { type: 'VCPU', value: size.vcpus },
                { type: 'MEMORY', value: size.memoryMiB },
              ],
            },
            retryStrategy: { attempts: 3, evaluateOnExit: EVALUATE_ON_EXIT },
            timeout: { attemptDurationSeconds: 7200 },
            tags: { 'ganzoo:run-id': 'run-123', 'ganzoo:owner': 'user-1', 'ganzoo:family': 'dcgan' },
            propagateTags: true,
          },
        },
      ]);
    },
  );

  it('refuses a GPU type this deployment has no queue for, naming it and the configured ones', async () => {
    const { client, calls } = batchClientCapturingParameters({ jobId: 'j' });
    const runner = new BatchRunner({
      client,
      ...options,
      queues: { 'g4dn.xlarge': queues['g4dn.xlarge'], 'g5.xlarge': queues['g5.xlarge'] },
    });
    await expect(runner.submit(run({}, { gpu: 'g5.2xlarge' }))).rejects.toThrow(
      'no Batch queue for GPU type g5.2xlarge in this deployment; configured: g4dn.xlarge, g5.xlarge',
    );
    expect(calls).toEqual([]);
  });

  it('retries before every catch-all, within the five rules Batch allows, and gives Batch its own copy', () => {
    const firstExit = EVALUATE_ON_EXIT.findIndex((r) => r.action === 'EXIT');
    expect(EVALUATE_ON_EXIT.slice(0, firstExit).every((r) => r.action === 'RETRY')).toBe(true);
    expect(EVALUATE_ON_EXIT.slice(firstExit).map((r) => r.onReason ?? r.onExitCode)).toEqual(['*', '*']);
    expect(EVALUATE_ON_EXIT.length).toBeLessThanOrEqual(5);
    expect(EVALUATE_ON_EXIT).toEqual(BATCH_RETRY_RULES);
    expect(EVALUATE_ON_EXIT[0]).not.toBe(BATCH_RETRY_RULES[0]);
  });

  it('keeps tag values within the characters Batch accepts', async () => {
    const { client, calls } = batchClientCapturingParameters({ jobId: 'j' });
    await new BatchRunner({ client, ...options }).submit(run({ owner: 'auth0|abc#1 x@y.z' }));
    expect(calls[0]?.input.tags).toMatchObject({ 'ganzoo:owner': 'auth0_abc_1 x@y.z' });
  });

  it('fails plainly when Batch returns no job id', async () => {
    const { client } = batchClientCapturingParameters({});
    await expect(new BatchRunner({ client, ...options }).submit(run())).rejects.toThrow(/no job id/);
  });

  it('cancels with TerminateJob and the reason, whatever state the job is in', async () => {
    const { client, calls } = batchClientCapturingParameters();
    await new BatchRunner({ client, ...options }).cancel(
      run({ jobId: 'job-abc', status: 'RUNNING' }),
      'cancelled by user-1',
    );
    expect(calls).toEqual([
      { command: 'TerminateJobCommand', input: { jobId: 'job-abc', reason: 'cancelled by user-1' } },
    ]);
  });

  it('has nothing to stop for a run that was never submitted', async () => {
    const { client, calls } = batchClientCapturingParameters();
    await new BatchRunner({ client, ...options }).cancel(run(), 'cancelled');
    expect(calls).toEqual([]);
  });
});

describe('BatchRunner, experiment groups', () => {
  const group = {
    id: '01GROUPID0000000000000000A',
    owner: 'user-1',
    kind: 'seeds' as const,
    spec: run().spec,
    seeds: [1, 2, 3],
    members: [0, 1, 2].map((i) => ({ runId: `01GROUPID0000000000000000A-000${i}`, varies: { seed: i + 1 } })),
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  const members = group.members.map((m) => run({ id: m.runId, group: { id: group.id, index: 0 } }));

  it('submits one array job of the members size, carrying the group id instead of a run id', async () => {
    const { client, calls } = batchClientCapturingParameters({ jobId: 'parent-1', jobName: 'x' });
    const out = await new BatchRunner({ ...options, client }).submitGroup(group, members);
    expect(out).toEqual({ jobId: 'parent-1', memberJobIds: ['parent-1:0', 'parent-1:1', 'parent-1:2'] });
    const input = calls[0]!.input as {
      jobName: string;
      arrayProperties: { size: number };
      containerOverrides: { environment: { name: string; value: string }[] };
      tags: Record<string, string>;
    };
    expect(calls[0]!.command).toBe('SubmitJobCommand');
    expect(input.jobName).toBe(`ganzoo-${group.id}`);
    expect(input.arrayProperties).toEqual({ size: 3 });
    const env = Object.fromEntries(input.containerOverrides.environment.map((e) => [e.name, e.value]));
    expect(env).toEqual({
      GANZOO_GROUP_ID: group.id,
      GANZOO_BUCKET: 'artifacts-bucket',
      GANZOO_TABLE: 'runs-table',
      [FIRST_ATTEMPT_ENV]: '1',
    });
    expect(input.tags).toMatchObject({ 'ganzoo:group-id': group.id, 'ganzoo:owner': 'user-1' });
    expect(input.tags).not.toHaveProperty('ganzoo:run-id');
  });

  it('refuses an array of one (Batch needs 2 or more) and cancels a group by its array job', async () => {
    const { client, calls } = batchClientCapturingParameters({});
    const runner = new BatchRunner({ ...options, client });
    expect(() => runner.submitGroupInput(group, members.slice(0, 1))).toThrow(/at least 2 members/);
    await runner.cancelGroup({ ...group, jobId: 'parent-1' }, 'cancelled on request');
    expect(calls).toEqual([
      { command: 'TerminateJobCommand', input: { jobId: 'parent-1', reason: 'cancelled on request' } },
    ]);
  });
});

describe('jobRunId: the run a job or an array child trains', () => {
  it('reads GANZOO_RUN_ID, or the member of GANZOO_GROUP_ID at AWS_BATCH_JOB_ARRAY_INDEX', () => {
    expect(jobRunId({ GANZOO_RUN_ID: 'run-1' })).toBe('run-1');
    expect(jobRunId({ GANZOO_GROUP_ID: 'G', AWS_BATCH_JOB_ARRAY_INDEX: '12' })).toBe('G-0012');
    expect(() => jobRunId({ GANZOO_GROUP_ID: 'G' })).toThrow(/AWS_BATCH_JOB_ARRAY_INDEX is undefined/);
    expect(() => jobRunId({ GANZOO_GROUP_ID: 'G', AWS_BATCH_JOB_ARRAY_INDEX: '-1' })).toThrow(
      /not an array index/,
    );
    expect(() => jobRunId({})).toThrow(/neither GANZOO_RUN_ID nor GANZOO_GROUP_ID/);
  });
});
