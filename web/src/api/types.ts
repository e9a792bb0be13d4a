/** The API's answers as the dashboard reads them; the run record and spec types come from shared/. */
import type { FamilyInfo } from '../../../shared/catalog.ts';
import type { DatasetInfo } from '../../../shared/datasets.ts';
import type { EvalPicture, EvalResult } from '../../../shared/evaluation.ts';
import type { ResumedRun, RunRecord, RunStatus } from '../../../shared/run.ts';
import type { ExperimentSpec, FieldIssue } from '../../../shared/spec.ts';
import type { JsonSchema } from '../lib/schema-form.ts';

export type { DatasetInfo, ExperimentSpec, FieldIssue, ResumedRun, RunRecord, RunStatus };

export interface RunPage {
  runs: RunRecord[];
  nextCursor?: string;
}

export interface MetricsLine {
  step: number;
  time?: string;
  values: Record<string, number>;
  imagesPerSecond?: number;
  stepMs?: number;
  backend?: string;
  attempt?: number;
}

export interface Metrics {
  runId: string;
  total: number;
  metrics: MetricsLine[];
}

export interface SampleRef {
  step: number;
  url: string;
}

export interface SamplesPage {
  runId: string;
  samples: SampleRef[];
  nextCursor?: string;
}

export interface GeneratorUrls {
  runId: string;
  modelUrl: string;
  weightUrls: Record<string, string>;
  expiresAt: string;
}

/** GET /experiments/{id}/evaluation: the run's eval.json and presigned URLs of its pictures. */
export interface Evaluation {
  runId: string;
  evaluation: EvalResult;
  pictures: (EvalPicture & { url: string })[];
  expiresAt: string;
}

/** GET /models: a family with its hyperparameters as JSON Schema and their defaults. */
export type Model = Omit<FamilyInfo, 'hyperparameters'> & {
  hyperparameters: JsonSchema;
  defaults: Record<string, unknown>;
};

/** RFC 9457 problem details, as every API error is sent. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldIssue[];
}

export const ACTIVE_STATUSES: readonly RunStatus[] = ['QUEUED', 'SUBMITTED', 'STARTING', 'RUNNING'];
export const ALL_STATUSES: readonly RunStatus[] = [...ACTIVE_STATUSES, 'SUCCEEDED', 'FAILED', 'CANCELLED'];
export const isActive = (status: RunStatus) => ACTIVE_STATUSES.includes(status);
