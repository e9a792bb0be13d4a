/**
 * The job entry point: what the container runs on Batch and what the local runner starts. Everything comes
 * from the environment: GANZOO_RUN_ID (or, for a group's array job, GANZOO_GROUP_ID and the child's
 * AWS_BATCH_JOB_ARRAY_INDEX), and either GANZOO_BUCKET (+ GANZOO_TABLE) for S3/DynamoDB or
 * GANZOO_RUN_DIR for a local folder. The spec is the run's stored spec.json, written when it was submitted:
 * read and parsed here once, then handed on to the loop and the evaluation.
 * Exit codes as in run.ts; 2 when the environment or the stored spec is unusable (a retry cannot fix it).
 * With GANZOO_TASK=validate-dataset the same entry point validates an uploaded dataset instead
 * (validate-job.ts): one image, one job definition, and Batch cannot override an image's entry point.
 */
import { jobRunId } from '../shared/batch-job.ts';
import { assertRunId, runFiles } from '../shared/keys.ts';
import type { ExperimentSpec } from '../shared/spec.ts';
import { exitWith, runTrainerProcess } from './run.ts';
import { RunSpecError, readRunSpec } from './run-spec.ts';
import { openSinks } from './sinks/open.ts';
import { VALIDATE_TASK, validateDatasetJob } from './validate-job.ts';

async function trainJob(): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`error: ${message}\n`);
    return 2;
  };
  let runId: string;
  try {
    // An experiment group's array job: the member at this child's array index.
    runId = assertRunId(jobRunId(process.env));
  } catch (err) {
    return fail((err as Error).message);
  }
  const out = process.env.GANZOO_RUN_DIR;
  const sinks = openSinks({ runId, ...(out ? { out } : {}) });
  let spec: ExperimentSpec;
  try {
    spec = await readRunSpec(sinks.artifacts);
  } catch (err) {
    if (!(err instanceof RunSpecError)) throw err;
    if (err.fault === 'missing')
      return fail(`run ${runId} has no ${runFiles.spec} at ${sinks.artifacts.location}`);
    const why = err.fault === 'not JSON' ? `not JSON (${err.detail})` : err.detail;
    return fail(`run ${runId}: stored ${runFiles.spec} is invalid: ${why}`);
  }
  return runTrainerProcess({ runId, spec, specStored: true, sinks, quiet: process.env.GANZOO_QUIET === '1' });
}

exitWith(process.env.GANZOO_TASK === VALIDATE_TASK ? validateDatasetJob : trainJob);
