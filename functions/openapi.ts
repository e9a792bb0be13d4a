/**
 * The API's own zod schemas (query parameters the routes parse, and the shapes they answer with) and the
 * OpenAPI 3.1 document built from them and from shared/'s spec and catalog schemas with z.toJSONSchema.
 * Routes validate with the same objects the document describes, so the two cannot drift apart.
 */
import { z } from 'zod';
import { FAMILIES, FAMILY_IDS } from '../shared/catalog.ts';
import { DATASET_IDS } from '../shared/datasets.ts';
import { RUN_STATUSES } from '../shared/run.ts';
import { ExperimentSpecInputSchema, GPU_TYPES } from '../shared/spec.ts';
import { PROBLEM_KINDS, type ProblemKind, problemType } from './errors.ts';

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
const cursor = z
  .string()
  .min(1)
  .max(2048)
  .optional()
  .describe("Opaque: a previous page's nextCursor, to get the page after it.");

export const ListQuerySchema = z.object({
  limit: pageLimit(20),
  cursor,
  status: z.enum(RUN_STATUSES).optional().describe('Only runs in this status.'),
  family: z.enum(FAMILY_IDS).optional().describe('Only runs of this GAN family.'),
});

export const MetricsQuerySchema = z
  .object({
    every: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe('Keep every Nth metrics line (and always the first and the last).'),
    points: z.coerce
      .number()
      .int()
      .min(2)
      .max(MAX_METRICS_LINES)
      .optional()
      .describe('Keep N evenly spaced lines, the first and the last included; for charts.'),
  })
  .refine((q) => q.every === undefined || q.points === undefined, {
    message: "use either 'every' or 'points', not both",
    path: ['points'],
  });

export const SamplesQuerySchema = z.object({ limit: pageLimit(50), cursor });

// ---- response bodies ----

const ProgressSchema = z.object({
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

const CostSchema = z
  .object({
    estimate: z
      .literal(true)
      .describe('Always true: from configured prices and billed time, not from a bill.'),
    usd: z.number().describe('US dollars, the sum over its jobs.'),
    seconds: z.int().describe('Billed seconds, the sum over its jobs.'),
    jobs: z
      .record(
        z.string(),
        z.object({
          capacity: z.enum(['spot', 'on-demand', 'local']),
          instanceType: z.enum(GPU_TYPES).optional(),
          seconds: z.int(),
          usdPerHour: z.number().describe('The price assumed (0 locally).'),
        }),
      )
      .describe(
        "By job id: a Batch job's attempts' startedAt to stoppedAt, or a local trainer process's wall time.",
      ),
    updatedAt: z.iso.datetime(),
  })
  .describe('An estimate of what the run has cost: billed time x the configured price of its instance type.');

export const RunSchema = z.object({
  id: z.string().describe('Run id; sorts by creation time.'),
  owner: z.string().describe('Subject of the caller who submitted it.'),
  spec: ExperimentSpecInputSchema.describe('The validated spec, defaults filled in.'),
  status: z.enum(RUN_STATUSES),
  attempt: z.int().min(1).describe('1-based; a retry after a host or Spot failure increments it.'),
  jobId: z.string().optional().describe('Batch job id, or the local runner id.'),
  progress: ProgressSchema.optional(),
  reason: z.string().optional().describe('Why the run failed or was cancelled.'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  history: z
    .array(
      z.object({
        status: z.enum(RUN_STATUSES),
        attempt: z.int().min(1),
        at: z.iso.datetime(),
        note: z.string().optional().describe("Why, when not the trainer's doing, e.g. moved to on-demand."),
      }),
    )
    .optional()
    .describe(
      'Every status the run entered, oldest first; a retry shows as STARTING with a higher attempt, a run moved to on-demand capacity as SUBMITTED with a higher attempt.',
    ),
  cost: CostSchema.optional(),
});

export const ResumedRunSchema = RunSchema.extend({
  resumeFrom: z
    .int()
    .min(0)
    .describe(
      "The step of the run's latest checkpoint, where the new attempt continues (0: from the start).",
    ),
});

const RunPageSchema = z.object({
  runs: z
    .array(RunSchema)
    .describe("Newest first; without each run's history (GET /experiments/{id} has it)."),
  nextCursor: z.string().optional().describe('Present when there are more runs; pass as cursor.'),
});

const MetricsLineSchema = z
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

const MetricsSchema = z.object({
  runId: z.string(),
  total: z.int().describe('Lines in the run, before downsampling.'),
  metrics: z
    .array(MetricsLineSchema)
    .describe(`In step order; at most ${MAX_METRICS_LINES}, evenly spaced, when the run has more.`),
});

const SamplesSchema = z.object({
  runId: z.string(),
  samples: z
    .array(z.object({ step: z.int(), url: z.url().describe('Presigned GET URL of the PNG grid.') }))
    .describe('In step order.'),
  nextCursor: z.string().optional(),
});

const GeneratorSchema = z.object({
  runId: z.string(),
  modelUrl: z.url().describe('Presigned URL of the tfjs layers model.json.'),
  weightUrls: z
    .record(z.string(), z.url())
    .describe(
      "Presigned URL of each weights file by file name (model.json names them relative to itself); map them with tfjs's weightUrlConverter.",
    ),
  expiresAt: z.iso.datetime(),
});

const EvaluationSchema = z.object({
  runId: z.string(),
  evaluation: z
    .record(z.string(), z.unknown())
    .describe(
      "The run's eval.json: kind 'images' (cFID, class histograms, class accuracy or the latent code's best mapping) or kind 'points2d' (modes covered and HQ%), with the definitions used.",
    ),
  pictures: z
    .array(z.object({ key: z.string(), title: z.string(), url: z.url().describe('Presigned GET URL.') }))
    .describe('Pictures the evaluation wrote (latent interpolation and arithmetic, code traversals).'),
  expiresAt: z.iso.datetime(),
});

const ModelSchema = z.object({
  id: z.enum(FAMILY_IDS),
  title: z.string(),
  paper: z.object({ title: z.string(), authors: z.string(), year: z.int(), url: z.url() }),
  axis: z.string(),
  summary: z.string(),
  datasets: z.array(z.enum(DATASET_IDS)),
  hyperparameters: z.record(z.string(), z.unknown()).describe("JSON Schema of the family's hyperparameters."),
  defaults: z.record(z.string(), z.unknown()).describe('The hyperparameters a spec gets when it names none.'),
});

const DatasetSchema = z.object({
  id: z.enum(DATASET_IDS),
  title: z.string(),
  kind: z.enum(['images', 'points2d']),
  shape: z.array(z.int()),
  classes: z.int(),
  description: z.string(),
  source: z.string(),
});

const HealthSchema = z.object({ status: z.literal('ok'), time: z.iso.datetime() });

export const ProblemSchema = z.looseObject({
  type: z
    .string()
    .describe(
      `One of: ${(Object.keys(PROBLEM_KINDS) as ProblemKind[]).map((k) => problemType(k)).join(', ')}.`,
    ),
  title: z.string(),
  status: z.int(),
  detail: z.string().describe('What went wrong, naming the field or the reason.'),
  errors: z
    .array(z.object({ field: z.string(), message: z.string() }))
    .optional()
    .describe('For invalid requests: each field at fault, as a dotted path.'),
  instance: z.string().optional().describe('For 500s: the id the error was logged under.'),
});

// ---- the document ----

type JsonSchema = Record<string, unknown>;

/** Response bodies become named components, so each route refers to them instead of repeating them. */
const components = z.registry<{ id: string }>();
export const RESPONSE_SCHEMAS = {
  Run: RunSchema,
  ResumedRun: ResumedRunSchema,
  RunPage: RunPageSchema,
  Metrics: MetricsSchema,
  Samples: SamplesSchema,
  Generator: GeneratorSchema,
  Evaluation: EvaluationSchema,
  Models: z.object({ models: z.array(ModelSchema) }),
  Datasets: z.object({ datasets: z.array(DatasetSchema) }),
  Health: HealthSchema,
  Problem: ProblemSchema,
} satisfies Record<string, z.ZodType>;
type ComponentName = keyof typeof RESPONSE_SCHEMAS;
for (const [id, schema] of Object.entries(RESPONSE_SCHEMAS)) components.add(schema, { id });

const ref = (name: ComponentName | 'ExperimentSpec') => ({ $ref: `#/components/schemas/${name}` });

function strip({ $schema: _s, $id: _i, ...rest }: JsonSchema): JsonSchema {
  return rest;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return strip(z.toJSONSchema(schema, { io }) as JsonSchema);
}

/** A family's hyperparameters as a JSON Schema of what a spec may send (every field optional, defaulted). */
export function hyperparameterSchema(family: (typeof FAMILIES)[number]): JsonSchema {
  return jsonSchema(family.hyperparameters, 'input');
}

function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(components, {
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, strip(s)]));
}

function queryParameters(schema: z.ZodType): JsonSchema[] {
  const { properties = {}, required = [] } = jsonSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, { description, ...s }]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    ...(description ? { description } : {}),
    schema: s,
  }));
}

const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Run id, as returned by POST /experiments.',
  schema: { type: 'string' },
};

/** Headers a problem answer carries besides its body. */
const PROBLEM_HEADERS: Partial<Record<ProblemKind, JsonSchema>> = {
  'too-many-runs': {
    'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } },
  },
};

const problems = (...kinds: ProblemKind[]) =>
  Object.fromEntries(
    kinds.map((k) => [
      String(PROBLEM_KINDS[k].status),
      {
        description: PROBLEM_KINDS[k].title,
        ...(PROBLEM_HEADERS[k] ? { headers: PROBLEM_HEADERS[k] } : {}),
        content: { 'application/problem+json': { schema: ref('Problem') } },
      },
    ]),
  );

const ok = (description: string, schema: ComponentName, headers?: JsonSchema) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: ref(schema) } },
});

interface Operation {
  summary: string;
  description?: string;
  tags: string[];
  public?: boolean;
  parameters?: JsonSchema[];
  requestBody?: JsonSchema;
  responses: Record<string, unknown>;
}

function operation(o: Operation): JsonSchema {
  const { public: isPublic, responses, ...rest } = o;
  return {
    ...rest,
    ...(isPublic ? { security: [] } : {}),
    responses: isPublic ? responses : { ...responses, ...problems('unauthorized') },
  };
}

/** The OpenAPI 3.1 document of the app; built once per call, so callers cache it. */
export function openApiDocument(): JsonSchema {
  const owned = [idParameter];
  return {
    openapi: '3.1.0',
    info: {
      title: 'ganzoo API',
      version: '0.1.0',
      description:
        'Submit GAN training runs, follow their progress, and fetch their metrics, sample grids and exported generators. ' +
        'Every route except /health, /openapi.json and /docs needs an Authorization: Bearer <token> header; ' +
        'a caller sees only their own runs. Errors are RFC 9457 problem details. GPU types: ' +
        `${GPU_TYPES.join(', ')}.`,
    },
    tags: [
      { name: 'experiments', description: 'Training runs.' },
      { name: 'catalog', description: 'GAN families and datasets a spec may name.' },
      { name: 'meta', description: 'Health and documentation; no token needed.' },
    ],
    security: [{ bearer: [] }],
    paths: {
      '/experiments': {
        post: operation({
          summary: 'Submit a training run',
          description:
            'Validates the spec (unknown fields and out-of-range values are rejected, naming the field), stores the run, writes its spec for the trainer and submits the job. ' +
            "A deployment may cap resources.timeoutMinutes and resources.retries below the schema's maxima; a spec over a cap gets 400 naming the field and the cap. " +
            'With an Idempotency-Key header, retrying the same request returns the run the first one made (200) instead of making another. ' +
            "A caller whose runs not yet ended (QUEUED to RUNNING) reach the deployment's limit of runs in flight gets 429 with Retry-After; the problem names the limit (maxRunsInFlight, inFlight).",
          tags: ['experiments'],
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'Any unique string of 1 to 255 visible ASCII characters, chosen by the client.',
              schema: { type: 'string', minLength: 1, maxLength: 255 },
            },
          ],
          requestBody: {
            required: true,
            description: `The experiment spec, at most ${MAX_SPEC_BYTES / 1024} KB.`,
            content: { 'application/json': { schema: ref('ExperimentSpec') } },
          },
          responses: {
            '201': ok('The run, submitted.', 'Run', {
              Location: { description: 'The run.', schema: { type: 'string' } },
            }),
            '200': ok('The run an earlier request with the same Idempotency-Key made.', 'Run'),
            ...problems(
              'invalid-request',
              'payload-too-large',
              'unsupported-media-type',
              'idempotency-key-reused',
              'too-many-runs',
              'upstream-failed',
            ),
          },
        }),
        get: operation({
          summary: 'List your runs, newest first',
          tags: ['experiments'],
          parameters: queryParameters(ListQuerySchema),
          responses: { '200': ok('A page of runs.', 'RunPage'), ...problems('invalid-request') },
        }),
      },
      '/experiments/{id}': {
        get: operation({
          summary: 'One run',
          tags: ['experiments'],
          parameters: owned,
          responses: { '200': ok('The run.', 'Run'), ...problems('not-found') },
        }),
      },
      '/experiments/{id}/cancel': {
        post: operation({
          summary: 'Cancel a run',
          description:
            'Stops its job and ends the run as CANCELLED. A finished run cannot be cancelled (409).',
          tags: ['experiments'],
          parameters: owned,
          responses: {
            '200': ok('The run, CANCELLED.', 'Run'),
            ...problems('not-found', 'run-finished', 'upstream-failed'),
          },
        }),
      },
      '/experiments/{id}/resume': {
        post: operation({
          summary: 'Resume a FAILED or CANCELLED run',
          description:
            "Continues the run from its latest checkpoint as its next attempt, through the same runner as a submit (a Batch job in the cloud, a trainer process locally): the run goes QUEUED with the attempt raised, drops the ended attempt's reason and job id, and is submitted. A run that has not ended, or SUCCEEDED, cannot be resumed (409). A resumed run is in flight again and counts against the limit of runs in flight (429 with Retry-After).",
          tags: ['experiments'],
          parameters: owned,
          responses: {
            '200': ok('The run, submitted again, and the step it resumes from.', 'ResumedRun', {
              Location: { description: 'The run.', schema: { type: 'string' } },
            }),
            ...problems('not-found', 'run-not-resumable', 'too-many-runs', 'upstream-failed'),
          },
        }),
      },
      '/experiments/{id}/metrics': {
        get: operation({
          summary: "A run's metrics",
          description: 'The lines of metrics.jsonl so far, optionally downsampled for a chart.',
          tags: ['experiments'],
          parameters: [...owned, ...queryParameters(MetricsQuerySchema)],
          responses: {
            '200': ok('Metrics in step order.', 'Metrics'),
            ...problems('invalid-request', 'not-found'),
          },
        }),
      },
      '/experiments/{id}/samples': {
        get: operation({
          summary: "A run's sample grids",
          description: 'Steps with presigned URLs of their PNG grids; the images never pass through the API.',
          tags: ['experiments'],
          parameters: [...owned, ...queryParameters(SamplesQuerySchema)],
          responses: {
            '200': ok('A page of samples in step order.', 'Samples'),
            ...problems('invalid-request', 'not-found'),
          },
        }),
      },
      '/experiments/{id}/generator': {
        get: operation({
          summary: "A run's exported generator",
          description: 'Presigned URLs of the tfjs model.json and its weights, for loading in a browser.',
          tags: ['experiments'],
          parameters: owned,
          responses: {
            '200': ok('Where to load the generator from.', 'Generator'),
            ...problems('not-found'),
          },
        }),
      },
      '/experiments/{id}/evaluation': {
        get: operation({
          summary: "A run's evaluation",
          description:
            'What scoring the exported generator gave at the end of training (GANS.md metrics), and presigned URLs of its pictures.',
          tags: ['experiments'],
          parameters: owned,
          responses: {
            '200': ok('The evaluation.', 'Evaluation'),
            ...problems('not-found'),
          },
        }),
      },
      '/models': {
        get: operation({
          summary: 'GAN families',
          description: "Each family with its paper, datasets, hyperparameters' JSON Schema and defaults.",
          tags: ['catalog'],
          responses: { '200': ok('The model catalog.', 'Models') },
        }),
      },
      '/datasets': {
        get: operation({
          summary: 'Built-in datasets',
          tags: ['catalog'],
          responses: { '200': ok('The dataset catalog.', 'Datasets') },
        }),
      },
      '/health': {
        get: operation({
          summary: 'Liveness',
          tags: ['meta'],
          public: true,
          responses: { '200': ok('The API is up.', 'Health') },
        }),
      },
      '/openapi.json': {
        get: operation({
          summary: 'This document',
          tags: ['meta'],
          public: true,
          responses: { '200': { description: 'OpenAPI 3.1 document.' } },
        }),
      },
      '/docs': {
        get: operation({
          summary: 'This document as a web page',
          tags: ['meta'],
          public: true,
          responses: { '200': { description: 'HTML.', content: { 'text/html': {} } } },
        }),
      },
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Cognito access token in the cloud; the static token printed by npm start locally.',
        },
      },
      schemas: {
        ...componentSchemas(),
        ExperimentSpec: jsonSchema(ExperimentSpecInputSchema, 'input'),
        ...Object.fromEntries(FAMILIES.map((f) => [`Hyperparameters.${f.id}`, hyperparameterSchema(f)])),
      },
    },
  };
}

export type ListQuery = z.output<typeof ListQuerySchema>;
export type MetricsLine = z.output<typeof MetricsLineSchema>;
