/**
 * RFC 9457 problem details. Handlers throw an ApiProblem (an HTTPException) and stay on the success path;
 * the app's single onError turns any error into an application/problem+json response, and anything
 * unexpected into a generic 500 that is logged with an incident id and never shows the error to the client.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { FieldIssue } from '../shared/spec.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Every problem type the API returns; `type` is `urn:ganzoo:problem:<kind>`, documented at /docs. */
export const PROBLEM_KINDS = {
  'invalid-request': { status: 400, title: 'The request is invalid' },
  unauthorized: { status: 401, title: 'Authentication required' },
  'not-found': { status: 404, title: 'Not found' },
  'run-finished': { status: 409, title: 'The run has already finished' },
  'run-not-resumable': { status: 409, title: 'Only a FAILED or CANCELLED run can be resumed' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency key reused for a different request' },
  'too-many-runs': { status: 429, title: 'Too many runs in flight' },
  'upstream-failed': { status: 502, title: 'A service the API depends on failed' },
  internal: { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Per-field issues of a 400, e.g. { field: 'steps', message: 'Too big: expected number to be <=10000000' }. */
  errors?: FieldIssue[];
  /** For a 500: an id to find the logged error by. */
  instance?: string;
  /** Extension members, such as the runId of a run that failed to submit. */
  [member: string]: unknown;
}

export const problemType = (kind: ProblemKind) => `urn:ganzoo:problem:${kind}`;

export function problemResponse(problem: Problem, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}

export class ApiProblem extends HTTPException {
  readonly problem: Problem;
  private readonly headers: Record<string, string> | undefined;

  constructor(
    kind: ProblemKind,
    detail: string,
    extra: {
      errors?: FieldIssue[];
      headers?: Record<string, string>;
      cause?: unknown;
      members?: Record<string, unknown>;
    } = {},
  ) {
    const { status, title } = PROBLEM_KINDS[kind];
    super(status, { message: detail, cause: extra.cause });
    this.problem = {
      ...extra.members,
      type: problemType(kind),
      title,
      status,
      detail,
      ...(extra.errors ? { errors: extra.errors } : {}),
    };
    this.headers = extra.headers;
  }

  override getResponse(): Response {
    return problemResponse(this.problem, this.headers);
  }
}

export const invalidRequest = (detail: string, errors?: FieldIssue[]) =>
  new ApiProblem('invalid-request', detail, errors ? { errors } : {});
export const notFound = (detail: string) => new ApiProblem('not-found', detail);

/** Maps a failed zod parse of query parameters or a body to a 400 naming each field. */
export function issuesOf(error: { issues: { path: PropertyKey[]; message: string }[] }): FieldIssue[] {
  return error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message }));
}

export type ErrorLogger = (message: string, error: unknown) => void;

/** The app's one error handler. */
export function errorHandler(log: ErrorLogger = (m, e) => console.error(m, e)) {
  return function onError(err: Error, c: Context): Response {
    if (err instanceof ApiProblem) {
      // A 502 says what failed in words; the operator still needs the underlying error.
      if (err.status >= 500) log(`${c.req.method} ${c.req.path}: ${err.message}`, err.cause);
      return err.getResponse();
    }
    if (err instanceof HTTPException && err.status < 500) {
      // Hono's own 4xx (a malformed JSON body, a body-limit overflow): keep the status, speak problem+json.
      const kind = (Object.keys(PROBLEM_KINDS) as ProblemKind[]).find(
        (k) => PROBLEM_KINDS[k].status === err.status,
      );
      return problemResponse({
        type: kind ? problemType(kind) : 'about:blank',
        title: kind ? PROBLEM_KINDS[kind].title : 'Request failed',
        status: err.status,
        detail: err.message || 'the request was refused',
      });
    }
    const incident = crypto.randomUUID();
    log(`[${incident}] ${c.req.method} ${c.req.path} failed`, err);
    return problemResponse({
      type: problemType('internal'),
      title: PROBLEM_KINDS.internal.title,
      status: 500,
      detail: 'An unexpected error occurred; it has been logged under the id in "instance".',
      instance: `urn:uuid:${incident}`,
    });
  };
}

export function notFoundHandler(c: Context): Response {
  return problemResponse({
    type: problemType('not-found'),
    title: PROBLEM_KINDS['not-found'].title,
    status: 404,
    detail: `no route for ${c.req.method} ${c.req.path}`,
  });
}
