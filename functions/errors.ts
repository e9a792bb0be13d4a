/**
 * RFC 9457 problem details. Handlers throw an ApiProblem (an HTTPException) and stay on the success path;
 * the app's single onError turns any error into an application/problem+json response, and anything
 * unexpected into a generic 500 that is logged with an incident id and never shows the error to the client.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_KINDS,
  type Problem,
  type ProblemKind,
  problemType,
} from '../shared/api/problems.ts';
import type { FieldIssue } from '../shared/spec.ts';

export { PROBLEM_KINDS, type Problem, type ProblemKind, problemType };

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
