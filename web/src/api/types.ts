/** The API's answers as the dashboard reads them: every type comes from the wire contract in shared/. */

import type { z } from 'zod';
import type { Problem } from '../../../shared/api/problems.ts';
import type {
  CreatedDataset,
  DatasetCatalog,
  DatasetView,
  EvaluationSchema,
  ExportedGenerator,
  Group,
  GroupEvaluationResult,
  GroupPage,
  GroupSummary,
  Metrics,
  MetricsLine,
  Model,
  RunPage,
  SampleRef,
  SamplesPage,
} from '../../../shared/api/schemas.ts';
import type { FamilyId } from '../../../shared/catalog.ts';
import type { DatasetInfo } from '../../../shared/datasets.ts';
import type { Labels, LabelsPatch } from '../../../shared/labels.ts';
import type { ResumedRun, RunRecord, RunStatus } from '../../../shared/run.ts';
import type { ExperimentSpec, FieldIssue } from '../../../shared/spec.ts';
import type { DatasetVersion, UploadedDataset } from '../../../shared/uploads.ts';

export type {
  CreatedDataset,
  DatasetCatalog,
  DatasetInfo,
  DatasetVersion,
  DatasetView,
  ExperimentSpec,
  ExportedGenerator,
  FamilyId,
  FieldIssue,
  Group,
  GroupEvaluationResult,
  GroupPage,
  GroupSummary,
  Labels,
  LabelsPatch,
  Metrics,
  MetricsLine,
  Model,
  Problem,
  ResumedRun,
  RunPage,
  RunRecord,
  RunStatus,
  SampleRef,
  SamplesPage,
  UploadedDataset,
};

/** GET /experiments/{id}/evaluation. */
export type Evaluation = z.output<typeof EvaluationSchema>;

export const ACTIVE_STATUSES: readonly RunStatus[] = ['QUEUED', 'SUBMITTED', 'STARTING', 'RUNNING'];
export const ALL_STATUSES: readonly RunStatus[] = [...ACTIVE_STATUSES, 'SUCCEEDED', 'FAILED', 'CANCELLED'];
export const isActive = (status: RunStatus) => ACTIVE_STATUSES.includes(status);
