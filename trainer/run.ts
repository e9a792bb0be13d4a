/**
 * One run of the trainer as a process: backend, sinks, signals, progress, and an exit code. Shared by the
 * command line (cli.ts) and the job entry point (job.ts) that Batch and the local runner start.
 * Exit codes: 0 succeeded (or already done, or cancelled), 1 failed, 130/143 stopped by SIGINT/SIGTERM
 * after writing a checkpoint (start it again to resume).
 */

import { FIRST_ATTEMPT_ENV, runAttempt } from '../shared/batch-job.ts';
import { datasetInfo } from '../shared/datasets.ts';
import { hasEvaluation } from '../shared/evaluation.ts';
import { runFiles } from '../shared/keys.ts';
import { type ExperimentSpec, isBuiltIn } from '../shared/spec.ts';
import { retryTuningFromEnv } from '../shared/storage/retry.ts';
import { S3Objects } from '../shared/storage/s3-objects.ts';
import { RunUploadSchema } from '../shared/uploads.ts';
import { initBackend } from './backend/index.ts';
import { prepareDataset } from './data/prepare.ts';
import { loadUploadedDataset } from './data/uploaded.ts';
import { evaluateRun, summarize } from './eval/evaluate.ts';
import { train } from './loop.ts';
import { progressPrinter } from './progress.ts';
import { type ArtifactSink, locationOf, type StatusSink } from './sinks/types.ts';
import { onStopSignals } from './stop-signals.ts';

export interface RunProcessOptions {
  runId: string;
  spec: ExperimentSpec;
  /** The spec was read from the run's own spec.json (the job): nothing to write or compare there. */
  specStored?: boolean;
  sinks: { artifacts: ArtifactSink; status: StatusSink };
  backend?: string;
  quiet?: boolean;
}

/** An uploaded dataset, as the run's dataset.json names it, read from the bucket (GANZOO_BUCKET). */
async function loadUploadFor(ref: string, artifacts: ArtifactSink): Promise<void> {
  const bytes = await artifacts.get(runFiles.upload);
  if (!bytes)
    throw new Error(
      `${ref}: the run has no ${runFiles.upload}; submit it through the API, which records the version`,
    );
  const upload = RunUploadSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  const bucket = process.env.GANZOO_BUCKET;
  if (!bucket)
    throw new Error(`${ref}: uploaded datasets are read from the bucket, and GANZOO_BUCKET is not set`);
  const objects = new S3Objects({ bucket, retry: retryTuningFromEnv() });
  await loadUploadedDataset(upload, (key) => objects.get(key));
}

export async function runTrainerProcess(o: RunProcessOptions): Promise<number> {
  const say = (s: string) => !o.quiet && process.stderr.write(`${s}\n`);
  const backend = await initBackend(o.backend);
  const { artifacts, status } = o.sinks;
  const at = (key: string) => locationOf(artifacts, key);
  say(
    `run ${o.runId}: ${o.spec.family} on ${o.spec.dataset}, ${o.spec.steps} steps, batch ${o.spec.batchSize}`,
  );
  say(`backend: ${backend.name} (${backend.detail})`);
  // Files a dataset needs are fetched and checked now (in the cloud, MNIST may come from its canonical
  // mirror, checksummed and cached in S3), so a missing dataset fails the run before any training.
  if (isBuiltIn(o.spec.dataset)) await prepareDataset(o.spec.dataset);
  else await loadUploadFor(o.spec.dataset, artifacts);
  say(`artifacts: ${artifacts.location}`);

  const stop = { requested: false };
  let signal: NodeJS.Signals | undefined;
  onStopSignals({
    first: (s) => {
      signal = s;
      stop.requested = true;
      say(`\n${s}: writing a checkpoint, then stopping (again to abort)`);
    },
    again: () => process.exit(130),
  });

  // Batch numbers a job's attempts from 1; a job submitted again for the run (a resume, or a move to
  // on-demand capacity) starts further on (GANZOO_FIRST_ATTEMPT, set by functions/runners/batch-runner.ts).
  const batchAttempt = process.env.AWS_BATCH_JOB_ATTEMPT;
  const jobId = process.env.AWS_BATCH_JOB_ID;
  const firstAttempt = runAttempt(1, process.env[FIRST_ATTEMPT_ENV]);
  const attemptEnv = batchAttempt
    ? String(runAttempt(Number(batchAttempt), process.env[FIRST_ATTEMPT_ENV]))
    : process.env.GANZOO_ATTEMPT;
  const outcome = await train({
    ...(jobId ? { job: { id: jobId, firstAttempt } } : {}),
    runId: o.runId,
    spec: o.spec,
    ...(o.specStored ? { specStored: true } : {}),
    artifacts,
    status,
    backend: backend.name,
    stop,
    ...(attemptEnv ? { attempt: Number(attemptEnv) } : {}),
    ...(o.quiet ? {} : { onProgress: progressPrinter() }),
    ...(o.spec.evaluate && hasEvaluation(o.spec.dataset, datasetInfo(o.spec.dataset).kind)
      ? {
          evaluate: async () => {
            say(`evaluating the generator (${at(runFiles.eval)})`);
            try {
              say(summarize(await evaluateRun(artifacts, { spec: o.spec, backend })));
            } catch (err) {
              // The training itself succeeded: the run keeps its generator, and the evaluation can be
              // made again with `npm run eval` on its artifacts.
              process.stderr.write(`evaluation failed: ${(err as Error).message}\n`);
            }
          },
        }
      : {}),
  });
  switch (outcome.status) {
    case 'SUCCEEDED':
      say(`done: samples in ${at(runFiles.samplesDir)}, generator in ${at(runFiles.generatorModel)}`);
      return 0;
    case 'INTERRUPTED':
      say(`stopped at step ${outcome.step} with a checkpoint; start the same run again to resume`);
      return signal === 'SIGINT' ? 130 : 143;
    case 'CANCELLED':
      say(`cancelled: ${outcome.reason}`);
      return 0;
    case 'FAILED':
      process.stderr.write(`failed: ${outcome.reason}\n`);
      return 1;
  }
}

/** Runs main and exits with its code; an unexpected error is printed (no stack) and exits 1. */
export function exitWith(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(1);
    },
  );
}
