/**
 * The one HTTP client of the API, for the dashboard and the CLI. Its types come from the wire contract
 * (shared/api/routes.ts) and each call's method and path are checked against it when compiled; at run time
 * it needs nothing but fetch, so the dashboard's first page carries no schema library. What differs
 * between the two callers (where the token comes from, what a lost connection does, retries) lives in the
 * `fetch` each passes.
 */
import type { LabelsPatch } from '../labels.ts';
import type { Problem } from './problems.ts';
import type { AnswerOf, QueryOf, RouteName, Routes } from './routes.ts';

/** What the API said when it refused or failed, from its problem+json body when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** 0: the API could not be reached. */
    readonly status: number,
    readonly problem: Partial<Problem>,
    message: string,
    /** "POST /experiments": the request that failed. */
    readonly request = '',
  ) {
    super(message);
  }
}

export interface CallInfo {
  route: RouteName;
  /** The route needs no token. */
  public: boolean;
}

export type ClientFetch = (url: string, init: RequestInit, call: CallInfo) => Promise<Response>;

export interface ClientOptions {
  /** The API's address, without a trailing slash; '' for the page's own origin. */
  baseUrl: string | (() => string);
  fetch: ClientFetch;
}

type Success<K extends RouteName> = AnswerOf<K, keyof Routes[K]['responses'] & (200 | 201 | 202)>;
type Query = Record<string, string | number | boolean | undefined>;

interface Args {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
}

const fill = (path: string, params: Record<string, string> = {}) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));

function search(query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function createApiClient(options: ClientOptions) {
  const base = () => (typeof options.baseUrl === 'function' ? options.baseUrl() : options.baseUrl);

  /** One request to route `name`, whose method and path the compiler checks against the contract. */
  async function call<K extends RouteName>(
    name: K,
    method: Routes[K]['method'],
    path: Routes[K]['path'],
    args: Args = {},
    isPublic: Routes[K] extends { public: true } ? true : false = false as never,
  ): Promise<Success<K>> {
    const target = `${fill(path, args.params)}${search(args.query)}`;
    const init: RequestInit = {
      method: method.toUpperCase(),
      headers: {
        accept: 'application/json, application/problem+json',
        ...(args.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...args.headers,
      },
      ...(args.body !== undefined ? { body: JSON.stringify(args.body) } : {}),
    };
    const response = await options.fetch(`${base()}${target}`, init, { route: name, public: isPublic });
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as Success<K>;
    let problem: Partial<Problem> = {};
    try {
      problem = JSON.parse(text) as Partial<Problem>;
    } catch {
      // Not from the app (a proxy or gateway page): say what came back.
    }
    const said =
      problem.detail ??
      problem.title ??
      (text.trim().slice(0, 200) || `HTTP ${response.status} from ${target}`);
    throw new ApiError(response.status, problem, said, `${init.method} ${target}`);
  }

  const client = {
    health: () => call('health', 'get', '/health', {}, true),
    openapi: () =>
      call('openapi', 'get', '/openapi.json', {}, true) as Promise<{
        components: { schemas: Record<string, unknown> };
      }>,
    models: () => call('models', 'get', '/models').then((r) => r.models),
    datasets: () => call('datasets', 'get', '/datasets').then((r) => r.datasets),
    /** The built-ins and the caller's uploads. */
    datasetCatalog: () => call('datasets', 'get', '/datasets'),
    createDataset: (body: unknown) => call('createDataset', 'post', '/datasets', { body }),
    dataset: (id: string) => call('getDataset', 'get', '/datasets/{id}', { params: { id } }),
    deleteDataset: (id: string) => call('deleteDataset', 'delete', '/datasets/{id}', { params: { id } }),
    completeDataset: (id: string, body: unknown) =>
      call('completeDataset', 'post', '/datasets/{id}/complete', { params: { id }, body }),
    listRuns: (query: QueryOf<'listRuns'> = {}) => call('listRuns', 'get', '/experiments', { query }),
    run: (id: string) => call('getRun', 'get', '/experiments/{id}', { params: { id } }),
    patchRun: (id: string, labels: LabelsPatch) =>
      call('patchRun', 'patch', '/experiments/{id}', { params: { id }, body: labels }),
    submit: (spec: unknown, idempotencyKey?: string) =>
      call('submit', 'post', '/experiments', {
        body: spec,
        ...(idempotencyKey !== undefined ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
      }),
    cancel: (id: string) => call('cancel', 'post', '/experiments/{id}/cancel', { params: { id } }),
    resume: (id: string) => call('resume', 'post', '/experiments/{id}/resume', { params: { id } }),
    metrics: (id: string, query: QueryOf<'metrics'> = {}) =>
      call('metrics', 'get', '/experiments/{id}/metrics', { params: { id }, query }),
    samplesPage: (id: string, query: QueryOf<'samples'> = {}) =>
      call('samples', 'get', '/experiments/{id}/samples', { params: { id }, query }),
    /** Every sample of a run, page after page, in step order. */
    async samples(id: string) {
      const all: Success<'samples'>['samples'] = [];
      let cursor: string | undefined;
      do {
        const page = await client.samplesPage(id, { limit: 100, ...(cursor ? { cursor } : {}) });
        all.push(...page.samples);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    },
    generator: (id: string) => call('generator', 'get', '/experiments/{id}/generator', { params: { id } }),
    evaluation: (id: string) => call('evaluation', 'get', '/experiments/{id}/evaluation', { params: { id } }),
    submitGroup: (request: unknown, idempotencyKey?: string) =>
      call('submitGroup', 'post', '/experiment-groups', {
        body: request,
        ...(idempotencyKey !== undefined ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
      }),
    listGroups: (query: QueryOf<'listGroups'> = {}) =>
      call('listGroups', 'get', '/experiment-groups', { query }),
    group: (id: string) => call('getGroup', 'get', '/experiment-groups/{id}', { params: { id } }),
    patchGroup: (id: string, labels: LabelsPatch) =>
      call('patchGroup', 'patch', '/experiment-groups/{id}', { params: { id }, body: labels }),
    cancelGroup: (id: string) =>
      call('cancelGroup', 'post', '/experiment-groups/{id}/cancel', { params: { id } }),
    groupEvaluation: (id: string) =>
      call('groupEvaluation', 'get', '/experiment-groups/{id}/evaluation', { params: { id } }),
  };
  return client;
}

export type ApiClient = ReturnType<typeof createApiClient>;
