/**
 * Walks every operation of GET /openapi.json with requests generated from the document (fast-check) against
 * the app on the in-process emulators: each answer must be a status the document declares for that
 * operation (405 for a method the path lacks), never a 5xx, and its body must match the declared schema.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemSchema } from '../shared/api/problems.ts';
import { type RouteDef, routes } from '../shared/api/routes.ts';
import { ExperimentSpecSchema } from '../shared/spec.ts';
import { type ApiHarness, startApiHarness, TINY_SPEC } from '../test/api-harness.ts';
import { openApiDocument } from './openapi.ts';

type Json = Record<string, unknown>;
const doc = openApiDocument() as {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json> };
};
const RUNS = Number(process.env.GANZOO_FC_RUNS ?? 40);

let h: ApiHarness;
let runId = '';
let groupId = '';
const seen = new Map<string, number>();
let requests = 0;

beforeAll(async () => {
  h = await startApiHarness();
  const res = await h.submit(TINY_SPEC);
  runId = ((await res.json()) as { id: string }).id;
  const group = await h.request('/experiment-groups', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ spec: TINY_SPEC, seeds: [1, 2] }),
  });
  groupId = ((await group.json()) as { id: string }).id;
});
afterAll(async () => {
  console.log(
    `generated requests: ${requests}; statuses: ${JSON.stringify(Object.fromEntries([...seen].sort()))}`,
  );
  await h.stop();
});

/** Values a JSON Schema allows, and some it does not (the document must declare the 400 for those). */
function arbitraryOf(schema: Json): fc.Arbitrary<unknown> {
  const s = schema.$ref ? doc.components.schemas[String(schema.$ref).split('/').pop()!]! : schema;
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if (s.type === 'integer') {
    const min = (s.minimum as number | undefined) ?? -10;
    const max = Math.min((s.maximum as number | undefined) ?? 1000, min + 1_000_000);
    return fc.oneof(fc.integer({ min, max }), fc.integer());
  }
  if (s.type === 'number')
    return fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ noNaN: true }));
  if (s.type === 'boolean') return fc.boolean();
  if (s.type === 'string')
    return typeof s.pattern === 'string' ? fc.stringMatching(new RegExp(s.pattern)) : fc.string();
  if (s.type === 'object' && s.properties) {
    const props = s.properties as Record<string, Json>;
    return fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arbitraryOf(v)])), {
      requiredKeys: (s.required as string[] | undefined) ?? [],
    });
  }
  if (Array.isArray(s.oneOf)) return fc.oneof(...(s.oneOf as Json[]).map(arbitraryOf));
  return fc.jsonValue();
}

/** Methods the path does not take, for the 405 check. */
const otherMethods = (path: string) =>
  ['PUT', 'DELETE', 'PATCH'].filter(
    (m) =>
      !(Object.values(routes) as RouteDef[]).some((r) => r.path === path && r.method.toUpperCase() === m),
  );

function request(path: string, method: string, op: Json) {
  const params = (op.parameters as Json[] | undefined) ?? [];
  const query = params.filter((p) => p.in === 'query');
  const body = (op.requestBody as { content: Record<string, { schema: Json }> } | undefined)?.content[
    'application/json'
  ]?.schema;
  return fc.record({
    id: fc.oneof(
      fc.constant(path.startsWith('/experiment-groups') ? groupId : runId),
      // '.' and '..' are not ids a client can send: URL parsing removes them as dot segments (RFC 3986
      // 5.2.4), so '/experiments/./cancel' arrives as '/experiments/cancel'.
      fc.string({ minLength: 1 }).filter((id) => id !== '.' && id !== '..'),
    ),
    query: fc.record(Object.fromEntries(query.map((p) => [String(p.name), arbitraryOf(p.schema as Json)])), {
      requiredKeys: [],
    }),
    body: body ? arbitraryOf(body) : fc.constant(undefined),
    method: fc.oneof(
      { weight: 9, arbitrary: fc.constant(method.toUpperCase()) },
      { weight: 1, arbitrary: fc.constantFrom(...otherMethods(path)) },
    ),
  });
}

const schemaFor = (route: RouteDef, status: number) =>
  status >= 400
    ? ProblemSchema
    : (
        route.responses as Record<
          number,
          { schema?: { safeParse(v: unknown): { success: boolean; error?: unknown } } }
        >
      )[status]?.schema;

describe('the document is exact', () => {
  for (const route of Object.values(routes) as RouteDef[]) {
    const op = doc.paths[route.path]![route.method]!;
    it(`${route.method.toUpperCase()} ${route.path}`, async () => {
      await fc.assert(
        fc.asyncProperty(request(route.path, route.method, op), async (r) => {
          const path = route.path.replace('{id}', encodeURIComponent(r.id));
          const q = new URLSearchParams(Object.entries(r.query).map(([k, v]) => [k, String(v)]));
          const res = await h.request(`${path}${q.size ? `?${q}` : ''}`, {
            method: r.method,
            ...(r.body !== undefined && r.method === route.method.toUpperCase()
              ? { body: JSON.stringify(r.body), headers: { 'content-type': 'application/json' } }
              : {}),
          });
          requests++;
          seen.set(String(res.status), (seen.get(String(res.status)) ?? 0) + 1);
          const body = res.headers.get('content-type')?.includes('json')
            ? await res.json()
            : await res.text();
          expect(res.status, JSON.stringify(body)).toBeLessThan(500);
          if (!(r.method.toLowerCase() in doc.paths[route.path]!)) {
            expect(res.status).toBe(405);
            expect(res.headers.get('allow')).toContain(route.method.toUpperCase());
            return;
          }
          expect(Object.keys(op.responses as Json), `${res.status} ${JSON.stringify(body)}`).toContain(
            String(res.status),
          );
          const schema = schemaFor(route, res.status);
          if (schema) expect(schema.safeParse(body).success, JSON.stringify(body).slice(0, 500)).toBe(true);
        }),
        { numRuns: RUNS },
      );
    }, 120_000);
  }

  it('a body the spec schema accepts is accepted unless it breaks a rule the 400 states', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryOf(doc.components.schemas.ExperimentSpec!), async (spec) => {
        if (!ExperimentSpecSchema.safeParse(spec).success) return;
        const res = await h.submit(spec);
        requests++;
        seen.set(String(res.status), (seen.get(String(res.status)) ?? 0) + 1);
        if (res.status !== 201) {
          const p = (await res.json()) as { errors?: { message: string }[] };
          expect(res.status).toBe(400);
          expect(
            p.errors?.some((e) => / must hold, got /.test(e.message)),
            JSON.stringify(p),
          ).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
