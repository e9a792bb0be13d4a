/**
 * Starts an uploaded dataset's validation job locally: trainer/job.ts with GANZOO_TASK=validate-dataset as a
 * child process, as Batch runs it in the cloud (BatchRunner.validate).
 * The job moves the version to READY or FAILED itself; a job that dies before it can leaves it VALIDATING,
 * which the dataset page shows with its job id.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type UploadedDataset, validationEnv } from '../../shared/uploads.ts';
import type { DatasetValidator } from '../ports.ts';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface LocalValidatorOptions {
  bucket: string;
  table: string;
  logsDir: string;
  s3Endpoint?: string;
  dynamoEndpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Called with each job's exit code (tests wait on it). */
  onExit?: (jobId: string, code: number | null) => void;
}

export class LocalDatasetValidator implements DatasetValidator {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: LocalValidatorOptions) {}

  async validate(dataset: UploadedDataset, version: number): Promise<{ jobId: string }> {
    const o = this.options;
    const jobId = `local-validate-${dataset.id}-${version}`;
    mkdirSync(o.logsDir, { recursive: true });
    const log = createWriteStream(join(o.logsDir, `${jobId}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', 'trainer/job.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...validationEnv(dataset.id, version),
        GANZOO_BUCKET: o.bucket,
        GANZOO_TABLE: o.table,
        ...(o.s3Endpoint ? { AWS_ENDPOINT_URL_S3: o.s3Endpoint } : {}),
        ...(o.dynamoEndpoint ? { AWS_ENDPOINT_URL_DYNAMODB: o.dynamoEndpoint } : {}),
        ...(o.region ? { AWS_REGION: o.region } : {}),
        ...(o.credentials
          ? {
              AWS_ACCESS_KEY_ID: o.credentials.accessKeyId,
              AWS_SECRET_ACCESS_KEY: o.credentials.secretAccessKey,
            }
          : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const done = new Promise<void>((finish) =>
      child.on('close', (code) => {
        log.end();
        o.onExit?.(jobId, code);
        finish();
      }),
    );
    this.running.add(done);
    void done.then(() => this.running.delete(done));
    return { jobId };
  }

  /** Waits for every job started so far. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
