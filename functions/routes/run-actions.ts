/**
 * What the API does to a run, the same whether a request names the run or its group: hand a QUEUED run to
 * the runner and record SUBMITTED, end a run that could not start as FAILED, cancel a run; and the run as
 * the API shows it.
 */
import { hasEvaluation } from '../../shared/evaluation.ts';
import { isTerminal, RUN_FIELDS, type RunRecord } from '../../shared/run.ts';
import { ApiProblem, type ErrorLogger } from '../errors.ts';
import type { JobRunner, RunStore } from '../ports.ts';
import { message } from './request.ts';

export const CANCEL_REASON = 'cancelled on request';

/** The record as the API shows it: only RunRecord's fields, whatever else the table item carries. */
export function publicRun(run: RunRecord): RunRecord {
  const out: Record<string, unknown> = {};
  for (const field of RUN_FIELDS) if (run[field] !== undefined) out[field] = run[field];
  return out as unknown as RunRecord;
}

/** Why a run has no eval.json, in words. */
export function whyNoEvaluation(run: RunRecord): string {
  if (run.spec.evaluate === false) return "its spec turns evaluation off ('evaluate': false)";
  if (!hasEvaluation(run.spec.dataset, run.upload?.kind))
    return `no evaluation is defined for dataset '${run.spec.dataset}'`;
  if (!isTerminal(run.status)) return `it is ${run.status}, and the evaluation is written when training ends`;
  if (run.status === 'SUCCEEDED')
    return "the trainer could not make one (its log says why; 'npm run eval' on the run's folder makes one)";
  return `it ended as ${run.status} before training finished`;
}

export interface RunActionDeps {
  runStore: RunStore;
  runner: JobRunner;
  now: () => Date;
  log: ErrorLogger;
}

export function runActions(deps: RunActionDeps) {
  const { runStore, runner, now } = deps;

  /** Ends a run that could not start as FAILED; if even that write fails, the reason is still logged. */
  async function fail(run: RunRecord, reason: string): Promise<void> {
    try {
      const result = await runStore.update(run.id, { status: 'FAILED', reason, at: now().toISOString() });
      if (!result.ok) deps.log(`run ${run.id}: could not record FAILED (${reason})`, result.reason);
    } catch (err) {
      deps.log(`run ${run.id}: could not record FAILED (${reason})`, err);
    }
  }

  /**
   * Records SUBMITTED with the job the runner gave a run. The trainer may have got ahead (a local job
   * reports STARTING at once): its status is kept and the job recorded. A run cancelled meanwhile has its
   * job stopped here, since the cancel found none to stop. The record as it then stands.
   */
  async function recordJob(run: RunRecord, jobId: string): Promise<RunRecord> {
    const submitted = await runStore.update(run.id, {
      status: 'SUBMITTED',
      jobId,
      at: now().toISOString(),
    });
    let record = submitted.ok ? submitted.record : await runStore.get(run.id);
    if (!submitted.ok && record && !isTerminal(record.status) && record.jobId === undefined) {
      const withJob = await runStore.update(run.id, {
        status: record.status,
        jobId,
        at: now().toISOString(),
      });
      if (withJob.ok) record = withJob.record;
    }
    if (!submitted.ok && record?.status === 'CANCELLED') {
      await runner.cancel({ ...record, jobId }, CANCEL_REASON).catch((err: unknown) => {
        deps.log(`run ${run.id}: job ${jobId} of a cancelled run could not be stopped`, err);
      });
    }
    return record ?? run;
  }

  /**
   * Hands a QUEUED run to the runner and records SUBMITTED with its job id. A run the runner refused ends
   * FAILED (502); the record as it then stands is returned.
   */
  async function startJob(run: RunRecord): Promise<RunRecord> {
    let jobId: string;
    try {
      ({ jobId } = await runner.submit(run));
    } catch (err) {
      const reason = `the training job could not be submitted: ${message(err)}`;
      await fail(run, reason);
      throw new ApiProblem('upstream-failed', `run ${run.id} failed: ${reason}`, {
        cause: err,
        members: { runId: run.id },
      });
    }
    return recordJob(run, jobId);
  }

  const finished = (r: RunRecord) =>
    new ApiProblem(
      'run-finished',
      `run ${r.id} already ended as ${r.status}${r.reason ? ` (${r.reason})` : ''}; there is nothing to cancel`,
      { members: { status: r.status } },
    );

  /**
   * Cancels a run that has not ended: asks the runner to stop its job (unless `jobStopped`: its group's job
   * was stopped whole), then records CANCELLED. 409 for a run that ended, 502 when the job could not be
   * stopped (the run is then unchanged).
   */
  async function cancel(run: RunRecord, jobStopped = false): Promise<RunRecord> {
    if (isTerminal(run.status)) throw finished(run);
    // Always ask the runner: a local job may be running before its job id was recorded.
    if (!jobStopped) {
      try {
        await runner.cancel(run, CANCEL_REASON);
      } catch (err) {
        throw new ApiProblem(
          'upstream-failed',
          `the job of run ${run.id} could not be stopped, so the run is unchanged; try again`,
          { cause: err },
        );
      }
    }
    const result = await runStore.update(run.id, {
      status: 'CANCELLED',
      reason: CANCEL_REASON,
      at: now().toISOString(),
    });
    if (result.ok) return result.record;
    // It finished between our read and our write.
    const current = await runStore.get(run.id);
    if (current && isTerminal(current.status)) throw finished(current);
    throw new Error(`run ${run.id}: CANCELLED refused: ${result.reason}`);
  }

  return { fail, startJob, recordJob, cancel };
}
