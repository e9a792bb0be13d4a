/**
 * Picks the sinks for a run from the environment: the cloud sets GANZOO_BUCKET (and GANZOO_TABLE) on the
 * trainer's job; without them a run writes into a local folder.
 */
import { runPrefix } from '../../shared/keys.ts';
import type { RetryTuning } from '../../shared/storage/retry.ts';
import { DynamoStatusSink } from './dynamodb.ts';
import { LocalArtifactSink } from './local.ts';
import { S3ArtifactSink } from './s3.ts';
import { FileStatusSink, type RunSeed } from './status-file.ts';
import type { ArtifactSink, StatusSink } from './types.ts';

export interface OpenSinksOptions {
  runId: string;
  /** The run's own local folder (artifacts and status.json), used when GANZOO_BUCKET is not set. */
  out?: string;
  /** Owner and spec for a run record the trainer has to create itself. */
  seed?: RunSeed;
  retry?: Partial<RetryTuning>;
}

export interface Sinks {
  artifacts: ArtifactSink;
  status: StatusSink;
}

function env(name: string): string | undefined {
  const v = process.env[name]?.trim();
  return v ? v : undefined;
}

export function openSinks(options: OpenSinksOptions): Sinks {
  const { runId, out, seed, retry } = options;
  const bucket = env('GANZOO_BUCKET');
  const table = env('GANZOO_TABLE');
  if (bucket) {
    const artifacts = new S3ArtifactSink({ bucket, prefix: runPrefix(runId), ...(retry ? { retry } : {}) });
    if (table) {
      return {
        artifacts,
        status: new DynamoStatusSink({ table, ...(seed ? { seed } : {}), ...(retry ? { retry } : {}) }),
      };
    }
    // Artifacts in S3 but no table: keep status in the local folder rather than nowhere.
    if (out) return { artifacts, status: new FileStatusSink(out, seed ? { seed } : {}) };
    throw new Error(
      `run ${runId}: GANZOO_BUCKET is set but GANZOO_TABLE is not, so there is nowhere to keep the run's status; set GANZOO_TABLE, or give a local output folder for status.json`,
    );
  }
  if (!out) {
    throw new Error(
      `run ${runId}: nowhere to write artifacts; give a local output folder, or set GANZOO_BUCKET (and GANZOO_TABLE) to write to S3 (and DynamoDB)`,
    );
  }
  return { artifacts: new LocalArtifactSink(out), status: new FileStatusSink(out, seed ? { seed } : {}) };
}
