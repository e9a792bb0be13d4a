/**
 * Starts an uploaded dataset's validation job locally: trainer/job.ts with GANZOO_TASK=validate-dataset as a
 * child process, as Batch runs it in the cloud (BatchRunner.validate).
 * The job moves the version to READY or FAILED itself; a job that dies before it can (killed, out of
 * memory, a crash) would leave it VALIDATING, so its exit fails the version with what happened and where its
 * log is, as the Batch event handler does in the cloud. A platform that stopped while a job ran starts it
 * again (reconcile()).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DatasetStores, failValidation } from '../../shared/storage/dataset-failure.ts';
import { abandonedValidationReason, type UploadedDataset, validationEnv } from '../../shared/uploads.ts';
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
  /** The version's record and files, to fail a version whose job died without answering. */
  datasets: DatasetStores;
  /** More environment for the job (the platform's trainer environment). */
  env?: Record<string, string>;
  /** Called with each job's exit code (tests wait on it). */
  onExit?: (jobId: string, code: number | null) => void;
  log?: (line: string) => void;
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
        ...o.env,
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
    let said = '';
    child.stderr.on('data', (chunk: Buffer) => {
      said = (said + chunk.toString()).slice(-4096);
    });
    const logPath = join(resolve(o.logsDir), `${jobId}.log`);
    const done = new Promise<void>((finish) =>
      child.on('close', (code, signal) => {
        log.end();
        const ended = code === 0 ? undefined : { code, signal, said };
        void (ended ? this.died(dataset.id, version, ended, logPath) : Promise.resolve())
          .catch((err: Error) =>
            this.log(`validation of ${dataset.id}@${version}: its end was not recorded: ${err.message}`),
          )
          .finally(() => {
            o.onExit?.(jobId, code);
            finish();
          });
      }),
    );
    this.running.add(done);
    void done.then(() => this.running.delete(done));
    return { jobId };
  }

  private log(line: string) {
    (this.options.log ?? ((l: string) => process.stderr.write(`validation: ${l}\n`)))(line);
  }

  /**
   * A job that exited with an error or was killed: its version fails (if still VALIDATING) with what
   * happened, the job's last error line and its log. Exit 0 means the job recorded its own answer.
   */
  private async died(
    id: string,
    version: number,
    ended: { code: number | null; signal: NodeJS.Signals | null; said: string },
    logPath: string,
  ): Promise<void> {
    const lastError = ended.said
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^(error|failed):/i.test(l) || /heap out of memory/i.test(l))
      .at(-1);
    const how =
      ended.signal === 'SIGKILL'
        ? 'was killed by SIGKILL (as the kernel does when memory runs out; if it recurs, upload fewer or smaller images)'
        : ended.signal
          ? `was killed by ${ended.signal}`
          : `exited with code ${ended.code}${lastError ? ` (${lastError})` : ''}`;
    await failValidation(
      this.options.datasets,
      id,
      version,
      abandonedValidationReason(
        `${how}; its log is ${logPath}`,
        /heap out of memory/i.test(ended.said) ? 'memory' : undefined,
      ),
    );
  }

  /**
   * Starts again the validation of every version left VALIDATING (`datasets.table.listValidating()`): its
   * job was a child of a platform that has since stopped, so nothing will answer for it otherwise. The job
   * reads the files still under raw/; their versions, by id.
   */
  async reconcile(): Promise<string[]> {
    const left = await this.options.datasets.table.listValidating();
    for (const { dataset, version } of left) {
      this.log(`validation of ${dataset.id}@${version} was left unfinished; starting it again`);
      await this.validate(dataset, version);
    }
    return left.map(({ dataset, version }) => `${dataset.id}@${version}`);
  }

  /** Waits for every job started so far. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
