/**
 * The one way the dashboard talks to the API: bearer token on every call, RFC 9457 problems turned into
 * ApiErrors carrying their field errors, a refused token sending the user to sign in, and a lost connection
 * recorded in `connection` (shown as a banner) rather than hidden.
 */
import { store } from '../lib/store.ts';
import { session, sessionExpired } from '../session.ts';
import type {
  DatasetInfo,
  Evaluation,
  ExperimentSpec,
  GeneratorUrls,
  Metrics,
  Model,
  Problem,
  ResumedRun,
  RunPage,
  RunRecord,
  RunStatus,
  SampleRef,
  SamplesPage,
} from './types.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problem?: Problem,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ConnectionState {
  ok: boolean;
  /** Why the last request could not reach the API. */
  error?: string;
  since?: number;
}

export const connection = store<ConnectionState>({ ok: true });

let apiUrl = '';

export function setApiUrl(url: string): void {
  apiUrl = url;
}

async function request<T>(path: string, init: RequestInit = {}, auth = true): Promise<T> {
  const headers = new Headers(init.headers);
  if (auth) {
    const s = session.get();
    if (!s || (s.expiresAt !== undefined && s.expiresAt < Date.now())) {
      sessionExpired();
      throw new ApiError(401, 'signed out: sign in again');
    }
    headers.set('authorization', `Bearer ${s.token}`);
  }
  let res: Response;
  try {
    res = await fetch(`${apiUrl}${path}`, { ...init, headers });
  } catch (err) {
    const prev = connection.get();
    connection.set({ ok: false, error: (err as Error).message, since: prev.ok ? Date.now() : prev.since });
    throw new ApiError(0, `the API at ${apiUrl || location.origin} cannot be reached`);
  }
  if (!connection.get().ok) connection.set({ ok: true });
  if (res.ok) return (await res.json()) as T;
  let problem: Problem | undefined;
  try {
    problem = (await res.json()) as Problem;
  } catch {
    // Not problem+json (a proxy's error page): the status says enough.
  }
  if (res.status === 401 && auth) sessionExpired();
  throw new ApiError(res.status, problem?.detail ?? `HTTP ${res.status} from ${path}`, problem);
}

const enc = encodeURIComponent;

export interface ListQuery {
  cursor?: string;
  status?: RunStatus;
  family?: string;
  limit?: number;
}

export const api = {
  health: () => request<{ status: string }>('/health', {}, false),
  openapi: () => request<{ components: { schemas: Record<string, unknown> } }>('/openapi.json', {}, false),
  models: () => request<{ models: Model[] }>('/models').then((r) => r.models),
  datasets: () => request<{ datasets: DatasetInfo[] }>('/datasets').then((r) => r.datasets),

  listRuns(q: ListQuery = {}): Promise<RunPage> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
    return request<RunPage>(`/experiments${params.size ? `?${params}` : ''}`);
  },
  run: (id: string) => request<RunRecord>(`/experiments/${enc(id)}`),
  submit: (spec: Partial<ExperimentSpec>, idempotencyKey: string) =>
    request<RunRecord>('/experiments', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(spec),
    }),
  cancel: (id: string) => request<RunRecord>(`/experiments/${enc(id)}/cancel`, { method: 'POST' }),
  resume: (id: string) => request<ResumedRun>(`/experiments/${enc(id)}/resume`, { method: 'POST' }),
  metrics: (id: string, points?: number) =>
    request<Metrics>(`/experiments/${enc(id)}/metrics${points ? `?points=${points}` : ''}`),
  samplesPage: (id: string, cursor?: string) =>
    request<SamplesPage>(
      `/experiments/${enc(id)}/samples?limit=100${cursor ? `&cursor=${enc(cursor)}` : ''}`,
    ),
  /** Every sample of a run, page after page, in step order. */
  async samples(id: string): Promise<SampleRef[]> {
    const all: SampleRef[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.samplesPage(id, cursor);
      all.push(...page.samples);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  },
  generator: (id: string) => request<GeneratorUrls>(`/experiments/${enc(id)}/generator`),
  evaluation: (id: string) => request<Evaluation>(`/experiments/${enc(id)}/evaluation`),
};
