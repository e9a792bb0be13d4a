/**
 * Runs trainer/job.ts as AWS Batch would run the container of a submitted job: the environment the job
 * carries (container.environment, as Batch describes it), plus what Batch itself sets (AWS_BATCH_JOB_ID,
 * AWS_BATCH_JOB_ATTEMPT). The AWS endpoints come from this process's environment (env.ts), unless a test
 * overrides them, e.g. to route S3 through an outage proxy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { JobDetail } from '@aws-sdk/client-batch';

export interface TrainerJob {
  child: ChildProcess;
  /** Resolves when the process has exited, with what it wrote to stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** The job's container environment as a plain object. */
export function jobEnvironment(job: JobDetail): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { name, value } of job.container?.environment ?? [])
    if (name && value !== undefined) env[name] = value;
  return env;
}

export function startTrainerJob(
  job: JobDetail,
  options: { attempt?: number; env?: Record<string, string> } = {},
): TrainerJob {
  if (!job.jobId) throw new Error('the job has no id');
  const child = spawn(process.execPath, ['--import', 'tsx', 'trainer/job.ts'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ...jobEnvironment(job),
      AWS_BATCH_JOB_ID: job.jobId,
      AWS_BATCH_JOB_ATTEMPT: String(options.attempt ?? 1),
      // The backend every machine has; a tiny network trains in seconds on it.
      GANZOO_BACKEND: 'wasm',
      ...options.env,
    },
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

export async function until(
  cond: () => Promise<boolean> | boolean,
  what: string,
  ms = 90_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
