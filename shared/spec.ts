/**
 * The experiment spec: what a user submits and what the trainer runs. Validation fills defaults (including
 * the family's hyperparameter defaults) and rejects unknown keys and out-of-range values with messages that
 * name the field.
 */
import { z } from 'zod';
import {
  brokenRules,
  datasetMismatch,
  FAMILIES,
  FAMILY_IDS,
  type FamilyId,
  type FamilyInfo,
  familyInfo,
} from './catalog.ts';
import { DATASET_IDS, type DatasetId, datasetInfo } from './datasets.ts';
import { LabelsSchema } from './labels.ts';
import { UPLOAD_KINDS, UPLOAD_REF, type UploadRef } from './uploads.ts';

export const GPU_TYPES = ['g4dn.xlarge', 'g4dn.2xlarge', 'g5.xlarge', 'g5.2xlarge'] as const;
export type GpuType = (typeof GPU_TYPES)[number];

/** The schema's own ceilings; a deployment may cap lower (shared/limits.ts). */
export const MAX_TIMEOUT_MINUTES = 7 * 24 * 60;
export const MAX_RETRIES = 10;

export const ResourcesSchema = z.strictObject({
  gpu: z.enum(GPU_TYPES).default('g4dn.xlarge').describe('Instance type for a cloud run.'),
  spot: z
    .boolean()
    .default(true)
    .describe('Run on Spot capacity first (a reclaimed attempt resumes from its checkpoint).'),
  timeoutMinutes: z
    .int()
    .min(5)
    .max(MAX_TIMEOUT_MINUTES)
    .default(120)
    .describe('Wall-clock limit of one attempt.'),
  retries: z
    .int()
    .min(1)
    .max(MAX_RETRIES)
    .default(3)
    .describe('Attempts in all, for infrastructure failures such as Spot reclaims.'),
});

/** A dataset that is neither a built-in nor an upload reference: name both forms, not only the second. */
const unknownDataset = (ids: readonly string[]) =>
  `expected a built-in dataset (${ids.join(', ')}) or upload:{dataset id}@{version} of your own, e.g. upload:u0123456789ab@1`;

/** A READY version of one of the caller's uploads; the API checks it against the registry and the family. */
const uploadRefSchema = (builtIns: readonly string[]) =>
  z
    .string()
    // zod answers a string that fits neither form with this branch's message: it names both forms.
    .regex(UPLOAD_REF, unknownDataset(builtIns))
    .describe(
      "One of your uploaded datasets' READY versions, upload:{id}@{version} (GET /datasets lists them).",
    );

/** A family that trains on a kind users may upload also takes uploads. */
const takesUploads = (f: FamilyInfo) => f.kinds.some((k) => (UPLOAD_KINDS as readonly string[]).includes(k));

const cadence = (d: number, what: string) => z.int().min(1).max(10_000_000).default(d).describe(what);

const SpecShape = {
  family: z.enum(FAMILY_IDS).describe('GAN family id, see GET /models.'),
  dataset: z
    .union([z.enum(DATASET_IDS), uploadRefSchema(DATASET_IDS)])
    .describe('Built-in dataset id, or upload:{id}@{version} of your own; see GET /datasets.'),
  hyperparameters: z.record(z.string(), z.unknown()).default({}).describe("The family's hyperparameters."),
  steps: z
    .int()
    .min(1)
    .max(10_000_000)
    .default(2000)
    .describe('Training steps (one D and one G update each).'),
  batchSize: z.int().min(1).max(4096).default(64).describe('Real images per step.'),
  seed: z
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1)
    .describe('Seeds weights, data order and latents.'),
  sampleEvery: cadence(200, 'Write a sample grid every this many steps (and at the last step).'),
  metricsEvery: cadence(10, 'Write a metrics line every this many steps.'),
  checkpointEvery: cadence(500, 'Write a checkpoint every this many steps (and at the end and on SIGTERM).'),
  evaluate: z
    .boolean()
    .default(true)
    .describe(
      'When training ends, score the generator (cFID and classes on MNIST, modes and HQ% on ring8 and grid25) and keep the result with the run.',
    ),
  resources: ResourcesSchema.default(ResourcesSchema.parse({})),
  // Stored on the record beside the spec, never in the spec a run keeps (shared/labels.ts splitLabels).
  labels: LabelsSchema.optional(),
};

/** The spec's outer shape; hyperparameters are checked against the family's own schema in parseSpec. */
export const ExperimentSpecInputSchema = z.strictObject(SpecShape);

export type ExperimentSpec = Omit<z.output<typeof ExperimentSpecInputSchema>, 'family' | 'dataset'> & {
  family: FamilyId;
  dataset: DatasetId | UploadRef;
  hyperparameters: Record<string, unknown>;
};
export type ExperimentSpecInput = z.input<typeof ExperimentSpecInputSchema>;

/** A built-in dataset id, as opposed to an upload's upload:{id}@{version}. */
export function isBuiltIn(dataset: string): dataset is DatasetId {
  return (DATASET_IDS as readonly string[]).includes(dataset);
}

/**
 * The spec as the wire contract states it: one variant per family, with that family's datasets and its own
 * hyperparameter schema, and the rules between its hyperparameters in words (JSON Schema cannot state
 * them). validateSpec accepts exactly what this accepts, less the rules; the API's document is built from it.
 */
export const ExperimentSpecSchema = z
  .discriminatedUnion(
    'family',
    (FAMILIES as readonly FamilyInfo[]).map((f) =>
      ExperimentSpecInputSchema.extend({
        family: z.literal(f.id).describe(`${f.title}, see GET /models.`),
        dataset: takesUploads(f)
          ? z
              .union([z.enum(f.datasets as [DatasetId, ...DatasetId[]]), uploadRefSchema(f.datasets)])
              .describe('Built-in dataset id, or upload:{id}@{version} of your own; see GET /datasets.')
          : z
              .enum(f.datasets as [DatasetId, ...DatasetId[]])
              .describe('Built-in dataset id, see GET /datasets.'),
        hyperparameters: f.hyperparameters
          .default({})
          .describe(
            f.rules?.length
              ? `The family's hyperparameters; they must also satisfy: ${f.rules.map((r) => r.rule).join('; ')}.`
              : "The family's hyperparameters.",
          ),
      }),
    ) as unknown as [typeof ExperimentSpecInputSchema, ...(typeof ExperimentSpecInputSchema)[]],
  )
  .describe('An experiment spec; `family` selects the variant.');

export const FieldIssueSchema = z.object({
  field: z
    .string()
    .describe('Dotted path of the field, e.g. "hyperparameters.learningRate"; "" for the spec itself.'),
  message: z.string(),
});
export type FieldIssue = z.output<typeof FieldIssueSchema>;

export class SpecError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; '));
    this.name = 'SpecError';
  }
}

function toIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      return {
        field: path,
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`,
      };
    }
    return { field: path, message: issue.message };
  });
}

export type SpecResult = { ok: true; spec: ExperimentSpec } | { ok: false; issues: FieldIssue[] };

export function validateSpec(input: unknown): SpecResult {
  const outer = ExperimentSpecInputSchema.safeParse(input);
  if (!outer.success) return { ok: false, issues: toIssues(outer.error) };
  const base = outer.data;
  const family = familyInfo(base.family)!;
  const issues: FieldIssue[] = [];
  // An upload's kind is the registry's to say: the API checks it (functions/routes/datasets.ts resolveUpload).
  if (isBuiltIn(base.dataset)) {
    const mismatch = datasetMismatch(family, datasetInfo(base.dataset));
    if (mismatch) issues.push({ field: 'dataset', message: mismatch });
  } else if (!takesUploads(family))
    issues.push({
      field: 'dataset',
      message: `family '${family.id}' trains on no kind of dataset that can be uploaded`,
    });
  // The family's schema reads the hyperparameters as sent: the record parse above copies them into a new
  // object, where a '__proto__' key would become the prototype instead of an unknown field.
  const sent = (input as { hyperparameters?: unknown }).hyperparameters ?? {};
  const hp = family.hyperparameters.safeParse(sent);
  if (!hp.success) issues.push(...toIssues(hp.error, 'hyperparameters'));
  else {
    for (const { field, message } of brokenRules(family, hp.data as Record<string, unknown>)) {
      issues.push({ field: `hyperparameters.${field}`, message });
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  // The schema checked `dataset` is a built-in id or matches UPLOAD_REF.
  const dataset = base.dataset as DatasetId | UploadRef;
  return { ok: true, spec: { ...base, dataset, hyperparameters: hp.data as Record<string, unknown> } };
}

/**
 * Hyperparameters whose default changed after runs were stored, with what a stored spec without them
 * meant then. Stored specs have every field filled in, so a missing one predates the field.
 */
const FORMER_DEFAULTS: Partial<Record<FamilyId, Record<string, unknown>>> = {
  infogan: { noise: 'normal' },
};

/**
 * A spec read back from a run (its spec.json), parsed as it was meant when stored: a field added since
 * takes the value the run was trained with, not today's default.
 */
export function parseStoredSpec(input: unknown): ExperimentSpec {
  const stored = input as { family?: unknown; hyperparameters?: unknown } | null;
  const former = FORMER_DEFAULTS[stored?.family as FamilyId];
  const hp = stored?.hyperparameters ?? {};
  // Anything not shaped like a spec is left for parseSpec to name.
  if (!former || stored?.hyperparameters === null || typeof hp !== 'object' || Array.isArray(hp))
    return parseSpec(input);
  return parseSpec({ ...stored, hyperparameters: { ...former, ...hp } });
}

/** validateSpec, throwing a SpecError that lists every field at fault. */
export function parseSpec(input: unknown): ExperimentSpec {
  const result = validateSpec(input);
  if (!result.ok) throw new SpecError(result.issues);
  return result.spec;
}
