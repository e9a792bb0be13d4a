/**
 * The run record's schema: what the runs table holds and the API answers with. The types in shared/run.ts
 * are inferred from it; this module is apart so that importing the status machine brings no zod along
 * (the dashboard's first page imports shared/run.ts).
 */
import { z } from 'zod';
import { LabelsSchema } from './labels.ts';
import { RUN_STATUSES } from './run.ts';
import { type ExperimentSpec, type ExperimentSpecInput, ExperimentSpecSchema, GPU_TYPES } from './spec.ts';
import { RunUploadSchema } from './uploads.ts';

/** Live progress, written by the trainer's heartbeats. */
export const RunProgressSchema = z.object({
  step: z.int().describe('Last finished step.'),
  totalSteps: z.int(),
  imagesPerSecond: z.number().optional(),
  etaSeconds: z.number().optional(),
  backend: z.string().optional().describe('tfjs backend the trainer chose, e.g. tensorflow or wasm.'),
  lastSampleStep: z.int().optional(),
  losses: z.record(z.string(), z.number()).optional(),
  phase: z
    .enum(['evaluating'])
    .optional()
    .describe('Set while the trainer scores the exported generator after the last step.'),
});

/** A status the run entered (or a retry's new attempt), with when: the run page's timeline. */
export const StatusEventSchema = z.object({
  status: z.enum(RUN_STATUSES),
  attempt: z.int().min(1),
  at: z.iso.datetime(),
  note: z.string().optional().describe("Why, when not the trainer's doing, e.g. moved to on-demand."),
});

// The variants narrow `hyperparameters` per family; a record keeps the general spec type.
const SpecOfRun = ExperimentSpecSchema as unknown as z.ZodType<ExperimentSpec, ExperimentSpecInput>;

/** One job's share of a run's estimated cost. */
export const JobUsageSchema = z.object({
  capacity: z.enum(['spot', 'on-demand', 'local']),
  instanceType: z
    .enum(GPU_TYPES)
    .optional()
    .describe('The instance type priced; absent for a local process.'),
  seconds: z.int().describe("Billed seconds, summed over the job's attempts."),
  usdPerHour: z.number().describe('The price assumed, US dollars per hour (0 locally).'),
});

export const RunCostSchema = z
  .object({
    estimate: z
      .literal(true)
      .describe('Always true: from configured prices and billed time, not from a bill.'),
    usd: z.number().describe('US dollars, the sum over its jobs.'),
    seconds: z.int().describe('Billed seconds, the sum over its jobs.'),
    jobs: z
      .record(z.string(), JobUsageSchema)
      .describe(
        "By job id: a Batch job's attempts' startedAt to stoppedAt, or a local trainer process's wall time.",
      ),
    updatedAt: z.iso
      .datetime()
      .describe("When a job's usage last changed; the version its conditional write checks."),
  })
  .describe('An estimate of what the run has cost: billed time x the configured price of its instance type.');

export const RunSchema = z.object({
  id: z.string().describe('Run id; sorts by creation time.'),
  owner: z.string().describe('Subject of the caller who submitted it.'),
  spec: SpecOfRun.describe('The validated spec, defaults filled in.'),
  status: z.enum(RUN_STATUSES),
  attempt: z.int().min(1).describe('1-based; a retry after a host or Spot failure increments it.'),
  jobId: z.string().optional().describe('Batch job id, or the local runner id.'),
  progress: RunProgressSchema.optional(),
  reason: z
    .string()
    .optional()
    .describe('Why the run failed or was cancelled, in words a person can act on.'),
  group: z
    .object({ id: z.string(), index: z.int().min(0) })
    .optional()
    .describe(
      'The experiment group it is a member of (shared/group.ts), and its place there (a Batch array index).',
    ),
  labels: LabelsSchema.optional(),
  cost: RunCostSchema.optional(),
  upload: RunUploadSchema.optional().describe(
    "The uploaded dataset version it trains on, and the sha256 of that version's manifest (its spec says upload:{id}@{version}).",
  ),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  history: z
    .array(StatusEventSchema)
    .optional()
    .describe(
      'Every status the run entered, oldest first; a retry shows as STARTING with a higher attempt, a run moved to on-demand capacity as SUBMITTED with a higher attempt.',
    ),
});

/** What POST /experiments/{id}/resume answers: the run submitted again, and the step it continues from. */
export const ResumedRunSchema = RunSchema.extend({
  resumeFrom: z
    .int()
    .min(0)
    .describe(
      "The step of the run's latest checkpoint, where the new attempt continues (0: from the start).",
    ),
});
