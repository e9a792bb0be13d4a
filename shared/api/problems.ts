/**
 * RFC 9457 problem details, as every API error is sent: the kinds the API answers with (status and title)
 * and the body's schema. The server throws them (functions/errors.ts), the document lists them, and the
 * one client reads them (shared/api/client.ts).
 */
import { z } from 'zod';
import { FieldIssueSchema } from '../spec.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Every problem type the API returns; `type` is `urn:ganzoo:problem:<kind>`, documented at /docs. */
export const PROBLEM_KINDS = {
  'invalid-request': { status: 400, title: 'The request is invalid' },
  unauthorized: { status: 401, title: 'Authentication required' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'run-finished': { status: 409, title: 'The run has already finished' },
  'run-not-resumable': { status: 409, title: 'Only a FAILED or CANCELLED run can be resumed' },
  'group-finished': { status: 409, title: 'Every member of the group has already ended' },
  'dataset-in-use': { status: 409, title: 'A run in flight uses the dataset' },
  'dataset-not-uploading': { status: 409, title: 'The dataset version is not waiting for its upload' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency key reused for a different request' },
  'too-many-runs': { status: 429, title: 'Too many runs in flight' },
  'upstream-failed': { status: 502, title: 'A service the API depends on failed' },
  internal: { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

export const problemType = (kind: ProblemKind) => `urn:ganzoo:problem:${kind}`;

export const ProblemSchema = z
  .looseObject({
    type: z
      .string()
      .describe(
        `One of: ${(Object.keys(PROBLEM_KINDS) as ProblemKind[]).map((k) => problemType(k)).join(', ')}.`,
      ),
    title: z.string(),
    status: z.int(),
    detail: z.string().describe('What went wrong, naming the field or the reason.'),
    errors: z
      .array(FieldIssueSchema)
      .optional()
      .describe('For invalid requests: each field at fault, as a dotted path.'),
    instance: z.string().optional().describe('For 500s: the id the error was logged under.'),
  })
  .describe('RFC 9457 problem details; extension members (such as a runId) may follow.');

/** Extension members, such as the runId of a run that failed to submit, ride along. */
export type Problem = z.output<typeof ProblemSchema>;
