/**
 * The wire contract: every route of the API with its request (path parameters, query, headers, body) and
 * its answers (status, schema, headers) and the problems it may answer with. The server validates with
 * these schemas (functions/routes/), the OpenAPI document is built from this table (functions/openapi.ts),
 * and the one client (shared/api/client.ts) takes its types from it, with its paths checked against it.
 */
import type { z } from 'zod';
import { GroupRequestBodySchema } from '../group.ts';
import { LabelsPatchSchema } from '../labels.ts';
import { ResumedRunSchema, RunSchema } from '../run-record.ts';
import { ExperimentSpecSchema } from '../spec.ts';
import { CreateDatasetSchema } from '../uploads.ts';
import type { ProblemKind } from './problems.ts';
import {
  CompleteDatasetSchema,
  CreatedDatasetSchema,
  DatasetIdParamsSchema,
  DatasetsSchema,
  DatasetViewSchema,
  EvaluationSchema,
  GeneratorSchema,
  GroupEvaluationResultSchema,
  GroupIdParamsSchema,
  GroupListQuerySchema,
  GroupPageSchema,
  GroupSchema,
  HealthSchema,
  ListQuerySchema,
  MAX_SPEC_BYTES,
  MetricsQuerySchema,
  MetricsSchema,
  ModelsSchema,
  RunIdParamsSchema,
  RunPageSchema,
  SamplesQuerySchema,
  SamplesSchema,
  SubmitHeadersSchema,
} from './schemas.ts';

export interface Answer {
  description: string;
  /** A JSON body; without one the answer's body is described in words (`content`). */
  schema?: z.ZodType;
  content?: string;
  headers?: Record<string, string>;
}

export interface RouteDef {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI's template: /experiments/{id}. */
  path: string;
  summary: string;
  description?: string;
  tag: 'experiments' | 'groups' | 'catalog' | 'datasets' | 'meta';
  /** Answers without a token. */
  public?: boolean;
  params?: z.ZodObject;
  query?: z.ZodType;
  headers?: z.ZodObject;
  body?: { schema: z.ZodType; description: string };
  responses: Record<number, Answer>;
  problems: readonly ProblemKind[];
}

const location = { Location: 'The run.' };
const groupLocation = { Location: 'The group.' };
const labelsBody = {
  schema: LabelsPatchSchema,
  description:
    'The name, tags and note to change: a field given replaces it, null removes it, one left out stays.',
};

export const routes = {
  submit: {
    method: 'post',
    path: '/experiments',
    summary: 'Submit a training run',
    description:
      'Validates the spec (unknown fields, out-of-range values, a dataset the family does not train on and a broken rule between hyperparameters are rejected, naming the field), stores the run, writes its spec for the trainer and submits the job. ' +
      'With an Idempotency-Key header, retrying the same request returns the run the first one made (200) instead of making another.',
    tag: 'experiments',
    headers: SubmitHeadersSchema,
    body: {
      schema: ExperimentSpecSchema,
      description: `The experiment spec, at most ${MAX_SPEC_BYTES / 1024} KB.`,
    },
    responses: {
      201: { description: 'The run, submitted.', schema: RunSchema, headers: location },
      200: {
        description: 'The run an earlier request with the same Idempotency-Key made.',
        schema: RunSchema,
        headers: location,
      },
    },
    problems: [
      'invalid-request',
      'payload-too-large',
      'unsupported-media-type',
      'idempotency-key-reused',
      'too-many-runs',
      'upstream-failed',
    ],
  },
  listRuns: {
    method: 'get',
    path: '/experiments',
    summary: 'List your runs, newest first',
    tag: 'experiments',
    query: ListQuerySchema,
    responses: { 200: { description: 'A page of runs.', schema: RunPageSchema } },
    problems: ['invalid-request'],
  },
  getRun: {
    method: 'get',
    path: '/experiments/{id}',
    summary: 'One run',
    tag: 'experiments',
    params: RunIdParamsSchema,
    responses: { 200: { description: 'The run.', schema: RunSchema } },
    problems: ['not-found'],
  },
  patchRun: {
    method: 'patch',
    path: '/experiments/{id}',
    summary: "Change a run's name, tags or note",
    description:
      'Labels only: the spec, the status and the artifacts are not touched, whatever state the run is in.',
    tag: 'experiments',
    params: RunIdParamsSchema,
    body: labelsBody,
    responses: { 200: { description: 'The run with its new labels.', schema: RunSchema } },
    problems: ['invalid-request', 'not-found', 'unsupported-media-type', 'payload-too-large'],
  },
  cancel: {
    method: 'post',
    path: '/experiments/{id}/cancel',
    summary: 'Cancel a run',
    description: 'Stops its job and ends the run as CANCELLED. A finished run cannot be cancelled (409).',
    tag: 'experiments',
    params: RunIdParamsSchema,
    responses: { 200: { description: 'The run, CANCELLED.', schema: RunSchema } },
    problems: ['not-found', 'run-finished', 'upstream-failed'],
  },
  resume: {
    method: 'post',
    path: '/experiments/{id}/resume',
    summary: 'Resume a FAILED or CANCELLED run',
    description:
      "Continues the run from its latest checkpoint as its next attempt, through the same runner as a submit (a Batch job in the cloud, a trainer process locally): the run goes QUEUED with the attempt raised, drops the ended attempt's reason and job id, and is submitted. A run that has not ended, or SUCCEEDED, cannot be resumed (409).",
    tag: 'experiments',
    params: RunIdParamsSchema,
    responses: {
      200: {
        description: 'The run, submitted again, and the step it resumes from.',
        schema: ResumedRunSchema,
        headers: location,
      },
    },
    problems: ['not-found', 'run-not-resumable', 'too-many-runs', 'upstream-failed'],
  },
  metrics: {
    method: 'get',
    path: '/experiments/{id}/metrics',
    summary: "A run's metrics",
    description: 'The lines of metrics.jsonl so far, optionally downsampled for a chart.',
    tag: 'experiments',
    params: RunIdParamsSchema,
    query: MetricsQuerySchema,
    responses: { 200: { description: 'Metrics in step order.', schema: MetricsSchema } },
    problems: ['invalid-request', 'not-found'],
  },
  samples: {
    method: 'get',
    path: '/experiments/{id}/samples',
    summary: "A run's sample grids",
    description: 'Steps with presigned URLs of their PNG grids; the images never pass through the API.',
    tag: 'experiments',
    params: RunIdParamsSchema,
    query: SamplesQuerySchema,
    responses: { 200: { description: 'A page of samples in step order.', schema: SamplesSchema } },
    problems: ['invalid-request', 'not-found'],
  },
  generator: {
    method: 'get',
    path: '/experiments/{id}/generator',
    summary: "A run's exported generator",
    description:
      "Presigned URLs of the tfjs model.json and its weights, for loading in a browser, and the generator's descriptor: what to feed it. 404 until the run has exported one.",
    tag: 'experiments',
    params: RunIdParamsSchema,
    responses: {
      200: { description: 'Where to load the generator from, and what it takes.', schema: GeneratorSchema },
    },
    problems: ['not-found'],
  },
  evaluation: {
    method: 'get',
    path: '/experiments/{id}/evaluation',
    summary: "A run's evaluation",
    description:
      'What scoring the exported generator gave at the end of training (GANS.md metrics), and presigned URLs of its pictures. 404, saying why, for a run without one: still training, evaluation turned off or not defined for its dataset, or ended before it.',
    tag: 'experiments',
    params: RunIdParamsSchema,
    responses: { 200: { description: 'The evaluation.', schema: EvaluationSchema } },
    problems: ['not-found'],
  },
  submitGroup: {
    method: 'post',
    path: '/experiment-groups',
    summary: 'Submit an experiment group: one spec over several seeds or a sweep',
    description:
      "Expands the base spec into one member per seed, or per point of a sweep over the family's hyperparameters (a grid: every combination; random: `samples` draws within the catalog's ranges, or among listed values, seeded). " +
      'Every member is checked before anything is stored: an unknown hyperparameter, a value out of range, a combination a rule refuses or more members than the limit (GANZOO_MAX_GROUP_MEMBERS, default 1,000) answer 400 naming the field (`seeds`, `sweep` or `sweep.parameters.<name>`). ' +
      'Each member is an ordinary run (its own id, artifacts, cancel and resume) that records its group. The limit of runs in flight counts every member at submit: a group that would pass it is refused whole (429 naming the numbers) and nothing is stored; one larger than the limit itself answers 400. ' +
      'In the cloud the members run as one Batch array job; locally the runner takes them in turn (GANZOO_LOCAL_CONCURRENCY at once). ' +
      'With an Idempotency-Key header, retrying the same request returns the group the first one made (200).',
    tag: 'groups',
    headers: SubmitHeadersSchema,
    body: {
      schema: GroupRequestBodySchema,
      description: `The group request, at most ${MAX_SPEC_BYTES / 1024} KB.`,
    },
    responses: {
      201: { description: 'The group, its members submitted.', schema: GroupSchema, headers: groupLocation },
      200: {
        description: 'The group an earlier request with the same Idempotency-Key made.',
        schema: GroupSchema,
        headers: groupLocation,
      },
    },
    problems: [
      'invalid-request',
      'payload-too-large',
      'unsupported-media-type',
      'idempotency-key-reused',
      'too-many-runs',
      'upstream-failed',
    ],
  },
  listGroups: {
    method: 'get',
    path: '/experiment-groups',
    summary: 'List your experiment groups, newest first',
    tag: 'groups',
    query: GroupListQuerySchema,
    responses: { 200: { description: 'A page of groups.', schema: GroupPageSchema } },
    problems: ['invalid-request'],
  },
  getGroup: {
    method: 'get',
    path: '/experiment-groups/{id}',
    summary: 'One group, its members and their statuses',
    tag: 'groups',
    params: GroupIdParamsSchema,
    responses: { 200: { description: 'The group.', schema: GroupSchema } },
    problems: ['not-found'],
  },
  patchGroup: {
    method: 'patch',
    path: '/experiment-groups/{id}',
    summary: "Change a group's name, tags or note",
    description: "The group's own labels; its members' are their own (PATCH /experiments/{id}).",
    tag: 'groups',
    params: GroupIdParamsSchema,
    body: labelsBody,
    responses: { 200: { description: 'The group with its new labels.', schema: GroupSchema } },
    problems: ['invalid-request', 'not-found', 'unsupported-media-type', 'payload-too-large'],
  },
  cancelGroup: {
    method: 'post',
    path: '/experiment-groups/{id}/cancel',
    summary: 'Cancel every member of a group',
    description:
      'Cancels each member that has not ended, as POST /experiments/{id}/cancel would; members that ended stay as they are. 409 when every member has already ended.',
    tag: 'groups',
    params: GroupIdParamsSchema,
    responses: { 200: { description: 'The group, its members as they now stand.', schema: GroupSchema } },
    problems: ['not-found', 'group-finished', 'upstream-failed'],
  },
  groupEvaluation: {
    method: 'get',
    path: '/experiment-groups/{id}/evaluation',
    summary: "A group's evaluation: its members' joined",
    description:
      "Each member's eval.json read and joined: mean ± sd (min, max) of each metric over the members that have it; for a sweep, each metric at each swept value; the best member on the first metric all share. Members still training or without an evaluation are listed in `pending`, with why.",
    tag: 'groups',
    params: GroupIdParamsSchema,
    responses: { 200: { description: 'The joined evaluation.', schema: GroupEvaluationResultSchema } },
    problems: ['not-found'],
  },
  models: {
    method: 'get',
    path: '/models',
    summary: 'GAN families',
    description: "Each family with its paper, datasets, hyperparameters' JSON Schema, defaults and rules.",
    tag: 'catalog',
    responses: { 200: { description: 'The model catalog.', schema: ModelsSchema } },
    problems: [],
  },
  datasets: {
    method: 'get',
    path: '/datasets',
    summary: "Built-in datasets and the caller's uploads",
    tag: 'catalog',
    responses: { 200: { description: 'The dataset catalog.', schema: DatasetsSchema } },
    problems: [],
  },
  createDataset: {
    method: 'post',
    path: '/datasets',
    summary: 'Upload a dataset (or its next version)',
    description:
      "Declares the files (loose PNG/JPEG files laid out as the kind needs, or one zip of them) and answers where to PUT each: one presigned URL, or presigned parts for a file of 8 MiB or more. Under a name the caller already has, it makes that dataset's next version. Then POST /datasets/{id}/complete.",
    tag: 'datasets',
    body: { schema: CreateDatasetSchema, description: 'Name, kind, layout, size and the files.' },
    responses: {
      201: { description: 'The version, UPLOADING, and where to upload.', schema: CreatedDatasetSchema },
    },
    problems: ['invalid-request', 'unsupported-media-type', 'payload-too-large', 'upstream-failed'],
  },
  getDataset: {
    method: 'get',
    path: '/datasets/{id}',
    summary: 'One uploaded dataset with its versions',
    tag: 'datasets',
    params: DatasetIdParamsSchema,
    responses: { 200: { description: 'The dataset and its previews.', schema: DatasetViewSchema } },
    problems: ['not-found'],
  },
  deleteDataset: {
    method: 'delete',
    path: '/datasets/{id}',
    summary: 'Delete an uploaded dataset',
    description: 'Every version and its files. Refused (409) while a run not yet ended trains on it.',
    tag: 'datasets',
    params: DatasetIdParamsSchema,
    responses: { 200: { description: 'The dataset as it was.', schema: DatasetViewSchema } },
    problems: ['not-found', 'dataset-in-use'],
  },
  completeDataset: {
    method: 'post',
    path: '/datasets/{id}/complete',
    summary: "Finish a version's upload",
    description:
      'Joins the parts of any multipart file, then starts the validation job (202): the version goes VALIDATING, then READY (counts, preview, manifest) or FAILED with the reason.',
    tag: 'datasets',
    params: DatasetIdParamsSchema,
    body: { schema: CompleteDatasetSchema, description: 'The version, and the ETags of multipart files.' },
    responses: { 202: { description: 'The dataset, its version VALIDATING.', schema: DatasetViewSchema } },
    problems: [
      'invalid-request',
      'not-found',
      'dataset-not-uploading',
      'unsupported-media-type',
      'upstream-failed',
    ],
  },
  health: {
    method: 'get',
    path: '/health',
    summary: 'Liveness',
    tag: 'meta',
    public: true,
    responses: { 200: { description: 'The API is up.', schema: HealthSchema } },
    problems: [],
  },
  openapi: {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'meta',
    public: true,
    responses: { 200: { description: 'OpenAPI 3.1 document.', content: 'application/json' } },
    problems: [],
  },
  docs: {
    method: 'get',
    path: '/docs',
    summary: 'This document as a web page',
    tag: 'meta',
    public: true,
    responses: { 200: { description: 'HTML.', content: 'text/html' } },
    problems: [],
  },
} as const satisfies Record<string, RouteDef>;

export type Routes = typeof routes;
export type RouteName = keyof Routes;

/** The body of a route's answer with `status`. */
export type AnswerOf<
  K extends RouteName,
  S extends keyof Routes[K]['responses'],
> = Routes[K]['responses'][S] extends { schema: infer Z extends z.ZodType } ? z.output<Z> : unknown;
/** A route's query parameters as a client sends them (a number where the server reads one from text). */
export type QueryOf<K extends RouteName> = Routes[K] extends { query: infer Q extends z.ZodType }
  ? { [P in keyof z.input<Q>]?: unknown extends z.input<Q>[P] ? number : z.input<Q>[P] }
  : never;

/** Hono's path pattern for a route: /experiments/:id. */
export const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
