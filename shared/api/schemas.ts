/**
 * The API's wire shapes apart from the run record (shared/run-record.ts) and the spec (shared/spec.ts):
 * query parameters, and the bodies of the answers. Routes (shared/api/routes.ts) name them; the server
 * validates with them, the document is built from them and the client's types are inferred from them.
 */
import { z } from 'zod';
import { FAMILY_IDS, SURVEY_AXES } from '../catalog.ts';
import { DATASET_IDS, DatasetInfoSchema, DatasetKindSchema } from '../datasets.ts';
import type { EvalResult } from '../evaluation.ts';
import { GeneratorDescriptorSchema, STYLE_PARTS } from '../generator.ts';
import { GroupEvaluationSchema, GroupRecordSchema, GroupStatusSchema } from '../group.ts';
import { RUN_STATUSES } from '../run.ts';
import { RunProgressSchema, RunSchema } from '../run-record.ts';
import { DatasetVersionSchema, UploadedDatasetSchema } from '../uploads.ts';

/** Largest accepted POST /experiments body. */
export const MAX_SPEC_BYTES = 64 * 1024;
/**
 * Most metrics lines one answer carries (about 1 MB), whatever was asked: a long run's metrics.jsonl can
 * hold millions, and a Lambda response may not exceed 6 MB.
 */
export const MAX_METRICS_LINES = 5000;
/** Lifetime of presigned artifact URLs. */
export const URL_TTL_SECONDS = 900;

// ---- query parameters (unknown parameters are ignored, so cache-busting additions do no harm) ----

const pageLimit = (fallback: number) =>
  z.coerce.number().int().min(1).max(100).default(fallback).describe('Items per page, 1 to 100.');

/** A cursor is base64url JSON the store wrote; `prefix` is how that JSON's first characters encode. */
const cursor = (prefix: string) =>
  z
    .string()
    .max(2048)
    .regex(new RegExp(`^${prefix}[A-Za-z0-9_-]+$`))
    .optional()
    .describe(
      "Opaque: a previous page's nextCursor, to get the page after it. One this API did not hand out answers 400.",
    );

/** Filters on labels (shared/labels.ts), shared by the runs' and the groups' listings. */
const labelFilters = {
  tag: z.string().min(1).max(40).optional().describe('Only those with this tag (exactly).'),
  q: z
    .string()
    .min(1)
    .max(120)
    .optional()
    .describe('Only those whose name contains this text, ignoring case.'),
};

export const ListQuerySchema = z.object({
  limit: pageLimit(20),
  cursor: cursor('WyI'),
  status: z.enum(RUN_STATUSES).optional().describe('Only runs in this status.'),
  family: z.enum(FAMILY_IDS).optional().describe('Only runs of this GAN family.'),
  ...labelFilters,
});

export const GroupListQuerySchema = z.object({
  limit: pageLimit(20),
  cursor: cursor('eyJ'),
  ...labelFilters,
});

export const MetricsQuerySchema = z
  .object({
    every: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe('Keep every Nth metrics line (and always the first and the last). Not with points.'),
    points: z.coerce
      .number()
      .int()
      .min(2)
      .max(MAX_METRICS_LINES)
      .optional()
      .describe('Keep N evenly spaced lines, the first and the last included; for charts. Not with every.'),
  })
  .refine((q) => q.every === undefined || q.points === undefined, {
    message: "use either 'every' or 'points', not both",
    path: ['points'],
  });

export const SamplesQuerySchema = z.object({ limit: pageLimit(50), cursor: cursor('eyJ') });

export const RunIdParamsSchema = z.object({
  id: z.string().min(1).describe('Run id, as returned by POST /experiments.'),
});

export const GroupIdParamsSchema = z.object({
  id: z.string().min(1).describe('Group id, as returned by POST /experiment-groups.'),
});

export const SubmitHeadersSchema = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(
      'Any unique string of 1 to 255 visible ASCII characters, chosen by the client; a retried request with it returns the run the first one made.',
    ),
});

// ---- response bodies ----

export const RunPageSchema = z.object({
  runs: z
    .array(RunSchema)
    .describe("Newest first; without each run's history (GET /experiments/{id} has it)."),
  nextCursor: z.string().optional().describe('Present when there are more runs; pass as cursor.'),
});

export const MetricsLineSchema = z
  .looseObject({
    step: z.int(),
    time: z.iso.datetime().optional(),
    values: z.record(z.string(), z.number()).describe('Losses and diagnostics by name, e.g. "loss/D".'),
    imagesPerSecond: z.number().optional(),
    stepMs: z.number().optional(),
    backend: z.string().optional(),
    attempt: z.int().optional(),
  })
  .describe("One line of the run's metrics.jsonl.");

export const MetricsSchema = z.object({
  runId: z.string(),
  total: z.int().describe('Lines in the run, before downsampling.'),
  metrics: z
    .array(MetricsLineSchema)
    .describe(`In step order; at most ${MAX_METRICS_LINES}, evenly spaced, when the run has more.`),
});

export const SampleRefSchema = z.object({
  step: z.int(),
  url: z.url().describe('Presigned GET URL of the PNG grid.'),
  stage: z
    .object({ index: z.int().min(0), name: z.string() })
    .optional()
    .describe('A run that trains in stages: the stage whose generator drew it (stages.json).'),
});

export const SamplesSchema = z.object({
  runId: z.string(),
  samples: z.array(SampleRefSchema).describe('In step order.'),
  nextCursor: z.string().optional(),
});

/** Where GET /experiments/{id}/generator's descriptor comes from. */
export const GENERATOR_DESCRIPTOR_SOURCES = ['file', 'spec'] as const;

export const GeneratorSchema = z.object({
  runId: z.string(),
  modelUrl: z.url().describe('Presigned URL of the tfjs layers model.json.'),
  weightUrls: z
    .record(z.string(), z.url())
    .describe(
      "Presigned URL of each weights file by file name (model.json names them relative to itself); map them with tfjs's weightUrlConverter.",
    ),
  descriptor: GeneratorDescriptorSchema.describe(
    'What the generator takes and gives: its inputs by name with kind (latent, class, code, ...), per-sample shape and range or distribution; its outputs; its abilities.',
  ),
  parts: z
    .record(
      z.enum(STYLE_PARTS),
      z.strictObject({ modelUrl: z.url(), weightUrls: z.record(z.string(), z.url()) }),
    )
    .optional()
    .describe(
      "A style-based generator's mapping and synthesis networks (descriptor.styles), each as modelUrl and weightUrls.",
    ),
  descriptorSource: z
    .enum(GENERATOR_DESCRIPTOR_SOURCES)
    .describe(
      "'file': the generator/descriptor.json the trainer wrote at export. 'spec': the generator was exported before descriptors, and this one is derived from the run's spec and the model's inputs.",
    ),
  expiresAt: z.iso.datetime(),
});

export const EvaluationSchema = z.object({
  runId: z.string(),
  // Typed as shared/evaluation.ts reads it; its many kinds are described in words, not in the schema.
  evaluation: z
    .record(z.string(), z.unknown())
    .describe(
      "The run's eval.json: kind 'images' (cFID, class histograms, class accuracy or the latent code's best mapping) or kind 'points2d' (modes covered and HQ%), with the definitions used.",
    ) as unknown as z.ZodType<EvalResult>,
  pictures: z
    .array(z.object({ key: z.string(), title: z.string(), url: z.url().describe('Presigned GET URL.') }))
    .describe('Pictures the evaluation wrote (latent interpolation and arithmetic, code traversals).'),
  expiresAt: z.iso.datetime(),
});

export const ModelSchema = z.object({
  id: z.enum(FAMILY_IDS),
  title: z.string(),
  paper: z.object({ title: z.string(), authors: z.string(), year: z.int(), url: z.url() }),
  axis: z.enum(SURVEY_AXES),
  summary: z.string(),
  kinds: z.array(DatasetKindSchema).describe('The dataset kinds the family trains on.'),
  datasets: z.array(z.enum(DATASET_IDS)).describe('The built-in datasets of those kinds.'),
  hyperparameters: z.record(z.string(), z.unknown()).describe("JSON Schema of the family's hyperparameters."),
  defaults: z.record(z.string(), z.unknown()).describe('The hyperparameters a spec gets when it names none.'),
  rules: z
    .array(
      z.object({
        field: z.string().describe('The field a broken rule names.'),
        fields: z.array(z.string()).describe('Every field the rule reads.'),
        rule: z.string().describe('The rule, e.g. "sigmaMin < sigmaInit < sigmaMax".'),
      }),
    )
    .optional()
    .describe('Rules between the hyperparameters that a spec must also satisfy (400 otherwise).'),
});

export const ModelsSchema = z.object({ models: z.array(ModelSchema) });
export const DatasetsSchema = z.object({
  datasets: z.array(DatasetInfoSchema.extend({ id: z.enum(DATASET_IDS) })),
  uploads: z
    .array(UploadedDatasetSchema)
    .describe(
      "The caller's uploaded datasets, newest first; a spec names a READY version as upload:{id}@{version}.",
    ),
});

// ---- uploaded datasets ----

export const DatasetIdParamsSchema = z.object({
  id: z.string().min(1).describe('Uploaded dataset id, as returned by POST /datasets.'),
});

export const UploadTargetSchema = z.union([
  z.object({
    path: z.string(),
    url: z.url().describe('Presigned PUT URL for the whole file; S3 takes exactly the declared bytes.'),
  }),
  z.object({
    path: z.string(),
    uploadId: z.string().describe('The multipart upload, to name in POST /datasets/{id}/complete.'),
    partBytes: z.int().describe('Every part is this size except the last.'),
    parts: z
      .array(z.object({ partNumber: z.int().min(1), url: z.url() }))
      .describe('Presigned PUT URL of each part; keep the ETag header each answers.'),
  }),
]);

export const CreatedDatasetSchema = z.object({
  dataset: UploadedDatasetSchema,
  version: DatasetVersionSchema.describe('The new version, UPLOADING.'),
  uploads: z.array(UploadTargetSchema).describe('Where to PUT each declared file.'),
  expiresAt: z.iso.datetime().describe('When the upload URLs stop working.'),
});

export const CompleteDatasetSchema = z.strictObject({
  version: z.int().min(1),
  parts: z
    .array(
      z.strictObject({
        path: z.string(),
        uploadId: z.string(),
        etags: z.array(z.strictObject({ partNumber: z.int().min(1), etag: z.string().min(1) })).min(1),
      }),
    )
    .default([])
    .describe('For each file uploaded in parts, the ETag each part answered.'),
});

export const DatasetViewSchema = z.object({
  dataset: UploadedDatasetSchema,
  previews: z
    .array(z.object({ version: z.int(), url: z.url() }))
    .describe("Presigned GET URL of each READY version's preview grid."),
});

export const HealthSchema = z.object({ status: z.literal('ok'), time: z.iso.datetime() });

// ---- experiment groups (shared/group.ts) ----

/** A group as lists show it: what was asked, its labels and its status derived from its members'. */
export const GroupSummarySchema = GroupRecordSchema.omit({ members: true })
  .extend({ size: z.int().describe('Members in the group.') })
  .extend(GroupStatusSchema.shape)
  .describe('An experiment group; GET /experiment-groups/{id} has its members.');

export const GroupMemberSchema = z.object({
  index: z.int().min(0).describe("The member's place in the group (its Batch array index)."),
  runId: z.string(),
  varies: GroupRecordSchema.shape.members.element.shape.varies,
  status: z.enum(RUN_STATUSES),
  attempt: z.int().min(1),
  progress: RunProgressSchema.optional(),
  reason: z.string().optional(),
});

export const GroupSchema = GroupSummarySchema.extend({
  members: z.array(GroupMemberSchema).describe('Every member run, in order, with its status.'),
}).describe('An experiment group and its members.');

export const GroupPageSchema = z.object({
  groups: z.array(GroupSummarySchema).describe('Newest first.'),
  nextCursor: z.string().optional().describe('Present when there are more groups; pass as cursor.'),
});

export const GroupEvaluationResultSchema = GroupEvaluationSchema.extend({
  groupId: z.string(),
  swept: z.array(z.string()).describe('The swept hyperparameters (none for a group of seeds).'),
  pending: z
    .array(z.object({ runId: z.string(), why: z.string() }))
    .describe('Members without an evaluation yet (or at all), and why.'),
  evaluated: z
    .array(
      z.object({
        runId: z.string(),
        varies: GroupRecordSchema.shape.members.element.shape.varies,
        metrics: z.record(z.string(), z.number()),
      }),
    )
    .describe("Each evaluated member's headline metrics, in member order."),
}).describe(
  "The members' eval.json joined: mean ± sd (min, max) per metric, per swept value, and the best member.",
);

export type RunPage = z.output<typeof RunPageSchema>;
export type MetricsLine = z.output<typeof MetricsLineSchema>;
export type Metrics = z.output<typeof MetricsSchema>;
export type SampleRef = z.output<typeof SampleRefSchema>;
export type SamplesPage = z.output<typeof SamplesSchema>;
export type ExportedGenerator = z.output<typeof GeneratorSchema>;
export type Model = z.output<typeof ModelSchema>;
export type ListQuery = z.output<typeof ListQuerySchema>;
export type GroupListQuery = z.output<typeof GroupListQuerySchema>;
export type GroupSummary = z.output<typeof GroupSummarySchema>;
export type GroupMemberStatus = z.output<typeof GroupMemberSchema>;
export type Group = z.output<typeof GroupSchema>;
export type GroupPage = z.output<typeof GroupPageSchema>;
export type GroupEvaluationResult = z.output<typeof GroupEvaluationResultSchema>;
export type CreatedDataset = z.output<typeof CreatedDatasetSchema>;
export type UploadTarget = z.output<typeof UploadTargetSchema>;
export type CompleteDataset = z.input<typeof CompleteDatasetSchema>;
export type DatasetView = z.output<typeof DatasetViewSchema>;
export type DatasetCatalog = z.output<typeof DatasetsSchema>;
