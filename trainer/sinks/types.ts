/**
 * Where a run's artifacts and status go. The loop only sees these interfaces; a local folder and S3 (for
 * artifacts), a local file and DynamoDB (for status) implement them.
 */
import type { RunProgress, RunStatus } from '../../shared/run.ts';

/** Objects under one run's root, addressed by the relative keys of shared/keys.ts (runFiles). */
export interface ArtifactSink {
  /** Human-readable location of the run root, e.g. a folder path or s3://bucket/runs/{id}/. */
  readonly location: string;
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** The object's bytes, or undefined when it does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Relative keys under a relative prefix, in lexicographic order. */
  list(prefix: string): Promise<string[]>;
}

/** Where `key` is in `sink`, for messages: a path or an s3:// URL. */
export function locationOf(sink: ArtifactSink, key: string): string {
  return `${sink.location.replace(/\/+$/, '')}/${key}`;
}

/** What the trainer reports about itself; the run store applies it through shared/run.ts transition. */
export interface TrainerStatus {
  runId: string;
  status: Extract<RunStatus, 'STARTING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'>;
  attempt: number;
  progress?: RunProgress;
  reason?: string;
}

export interface StatusSink {
  report(status: TrainerStatus): Promise<void>;
  /** The run's recorded status and attempt, if any: tells a restarted trainer which attempt it is. */
  read(
    runId: string,
  ): Promise<
    | { status: RunStatus; attempt: number; reason?: string; progress?: RunProgress; jobId?: string }
    | undefined
  >;
}
