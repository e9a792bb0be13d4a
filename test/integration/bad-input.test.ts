/**
 * Bad input, generated (fast-check), against the API over the emulators: malformed JSON, wrong types, huge
 * bodies, unknown families and datasets, negative or absurd sizes, path tricks in dataset names and run
 * ids, bad idempotency keys, missing or forged tokens. Every case must get a 4xx problem whose message names
 * the problem (the field, for a spec), never a 5xx, and after every property the runs table, the bucket and
 * Batch must still be empty: a rejected request stores nothing. The number of cases run is printed.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SPEC_BYTES } from '../../shared/api/schemas.ts';
import { FAMILY_IDS } from '../../shared/catalog.ts';
import { DATASET_IDS } from '../../shared/datasets.ts';
import { type Deployment, deploy, requestAs, TOKEN } from './aws.ts';

const VALID = {
  family: 'vanilla',
  dataset: 'ring8',
  steps: 20,
  batchSize: 16,
  seed: 1,
  sampleEvery: 10,
  metricsEvery: 5,
  checkpointEvery: 10,
  hyperparameters: { hiddenUnits: 16, hiddenLayers: 1 },
  resources: { gpu: 'g4dn.xlarge', spot: true, timeoutMinutes: 60, retries: 2 },
};
const RUNS = Number(process.env.GANZOO_FC_RUNS ?? 200);

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

let d: Deployment;
let app: ReturnType<Deployment['app']>;
const cases: Record<string, number> = {};

beforeAll(async () => {
  d = await deploy();
  app = d.app();
});
// Nothing deletes from the table or the bucket here, so anything a rejected request stored is still there
// when its property ends; the item or key says which case it came from.
afterEach(async () => {
  const [items, keys] = await Promise.all([d.items(), d.keys()]);
  expect(items, 'items stored by rejected requests').toEqual([]);
  expect(keys, 'objects stored by rejected requests').toEqual([]);
});
afterAll(() => {
  const total = Object.values(cases).reduce((a, b) => a + b, 0);
  console.log(
    `fast-check: ${total} bad-input cases (${Object.entries(cases)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})`,
  );
  d?.destroy();
});

/** Sends one request and checks the answer is a 4xx problem. */
async function rejected(
  property: string,
  path: string,
  init: RequestInit & { token?: string | null },
  expectStatus?: number,
): Promise<Problem> {
  cases[property] = (cases[property] ?? 0) + 1;
  const { token = TOKEN, ...rest } = init;
  const res = await requestAs(app, token)(path, rest);
  const text = await res.text();
  expect(res.status, `${rest.method ?? 'GET'} ${path}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, text.slice(0, 300)).toBeLessThan(500);
  if (expectStatus !== undefined) expect(res.status, text.slice(0, 300)).toBe(expectStatus);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const problem = JSON.parse(text) as Problem;
  expect(problem.status).toBe(res.status);
  expect(problem.detail.length).toBeGreaterThan(0);
  return problem;
}

const post = (body: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

/** The spec with `value` at a dotted path. */
function withField(path: string, value: unknown): Record<string, unknown> {
  const spec = structuredClone(VALID) as Record<string, unknown>;
  const keys = path.split('.');
  let at = spec;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[keys.at(-1)!] = value;
  return spec;
}

/** The problem names `field` (or a field beneath it) among its issues and in its detail. */
function namesField(problem: Problem, field: string): void {
  const fields = (problem.errors ?? []).map((e) => e.field);
  expect(
    fields.some((f) => f === field || f.startsWith(`${field}.`)),
    `${JSON.stringify(problem)} names ${field}`,
  ).toBe(true);
  expect(problem.detail).toContain(field.split('.')[0]!);
}

const NUMERIC_FIELDS = [
  ['steps', 1, 10_000_000],
  ['batchSize', 1, 4096],
  ['seed', 0, 2 ** 31 - 1],
  ['sampleEvery', 1, 10_000_000],
  ['metricsEvery', 1, 10_000_000],
  ['checkpointEvery', 1, 10_000_000],
  ['resources.timeoutMinutes', 5, 7 * 24 * 60],
  ['resources.retries', 1, 10],
  ['hyperparameters.hiddenUnits', 4, 4096],
  ['hyperparameters.hiddenLayers', 1, 8],
] as const;

describe('bad input to the API', () => {
  it('malformed JSON: 400 saying the body is not JSON', async () => {
    const valid = JSON.stringify(VALID);
    const malformed = fc.oneof(
      fc.string({ minLength: 1 }).filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return s.trim() !== '';
        }
      }),
      fc.integer({ min: 1, max: valid.length - 1 }).map((n) => valid.slice(0, n)),
      fc.constantFrom('{"family": "vanilla",}', "{'family': 'vanilla'}", '{"a":1}{"b":2}', 'NaN', '[1,]'),
    );
    await fc.assert(
      fc.asyncProperty(malformed, async (body) => {
        const problem = await rejected('malformed JSON', '/experiments', post(body), 400);
        expect(problem.detail).toMatch(/not valid JSON/);
      }),
      { numRuns: RUNS },
    );
  });

  it('wrong types: 400 naming the field', async () => {
    const wrong = fc.oneof(
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
    );
    const fields = fc.constantFrom(
      'family',
      'dataset',
      'steps',
      'batchSize',
      'seed',
      'sampleEvery',
      'resources.spot',
      'resources.gpu',
      'resources.retries',
      'hyperparameters.hiddenUnits',
    );
    await fc.assert(
      fc.asyncProperty(fields, wrong, async (field, value) => {
        fc.pre(!(field === 'resources.spot' && typeof value === 'boolean'));
        const problem = await rejected(
          'wrong types',
          '/experiments',
          post(JSON.stringify(withField(field, value))),
          400,
        );
        namesField(problem, field);
      }),
      { numRuns: RUNS },
    );
    // The whole body of the wrong type.
    for (const body of ['[]', '"spec"', '42', 'null', 'true']) {
      const problem = await rejected('wrong types', '/experiments', post(body), 400);
      expect(problem.detail).toMatch(/spec/);
    }
  });

  it('negative, fractional and absurd sizes: 400 naming the field', async () => {
    const outOfRange = fc.constantFrom(...NUMERIC_FIELDS).chain(([field, min, max]) =>
      fc.tuple(
        fc.constant(field),
        fc.oneof(
          fc.integer({ min: -(2 ** 40), max: min - 1 }),
          fc.integer({ min: max + 1, max: 2 ** 52 }),
          fc.double({ min: min + 0.01, max: max - 0.01, noNaN: true }).filter((x) => !Number.isInteger(x)),
          fc.constantFrom(1e308, -1e308, 2 ** 53 + 2),
        ),
      ),
    );
    await fc.assert(
      fc.asyncProperty(outOfRange, async ([field, value]) => {
        const problem = await rejected(
          'sizes',
          '/experiments',
          post(JSON.stringify(withField(field, value))),
          400,
        );
        namesField(problem, field);
      }),
      { numRuns: RUNS },
    );
  });

  it('unknown families, datasets and keys, and path tricks in dataset names: 400 naming the field', async () => {
    const trick = fc.oneof(
      fc.string(),
      fc.constantFrom(
        '../mnist',
        'mnist/../../etc/passwd',
        's3://another-bucket/data/',
        '/etc/passwd',
        'datasets/../../runs/x',
        '%2e%2e%2fmnist',
        'mnist\u0000',
        'MNIST',
        ' mnist',
      ),
      fc.tuple(fc.constantFrom('..', '.', '%2e%2e', ''), fc.string()).map(([a, b]) => `${a}/${b}`),
    );
    const unknown = fc.oneof(
      fc.tuple(
        fc.constant('family'),
        trick.filter((s) => !(FAMILY_IDS as readonly string[]).includes(s)),
      ),
      fc.tuple(
        fc.constant('dataset'),
        trick.filter((s) => !(DATASET_IDS as readonly string[]).includes(s)),
      ),
      fc.tuple(
        fc.constant('hyperparameters'),
        fc
          .string({ minLength: 1 })
          .filter((k) => !['hiddenUnits', 'hiddenLayers', 'latentDim', 'learningRate'].includes(k)),
      ),
    );
    await fc.assert(
      fc.asyncProperty(unknown, async ([field, value]) => {
        // An unknown hyperparameter name may hold dots, so it is set directly rather than by path.
        const spec =
          field === 'hyperparameters'
            ? { ...VALID, hyperparameters: { ...VALID.hyperparameters, [value]: 1 } }
            : withField(field, value);
        const problem = await rejected('unknown names', '/experiments', post(JSON.stringify(spec)), 400);
        namesField(problem, field);
      }),
      { numRuns: RUNS },
    );
    const extraKey = fc.string({ minLength: 1 }).filter((k) => !(k in VALID) && k !== '__proto__');
    await fc.assert(
      fc.asyncProperty(extraKey, async (key) => {
        const problem = await rejected(
          'unknown names',
          '/experiments',
          post(JSON.stringify({ ...VALID, [key]: 1 })),
          400,
        );
        expect(JSON.stringify(problem)).toContain(JSON.stringify(key).slice(1, -1));
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it(`bodies over ${MAX_SPEC_BYTES} bytes: 413`, async () => {
    const huge = fc.oneof(
      fc.integer({ min: MAX_SPEC_BYTES + 1, max: 4 * MAX_SPEC_BYTES }).map((n) => 'x'.repeat(n)),
      fc
        .integer({ min: MAX_SPEC_BYTES, max: 2 * MAX_SPEC_BYTES })
        .map((n) => JSON.stringify({ ...VALID, hyperparameters: { hiddenUnits: 16, pad: 'p'.repeat(n) } })),
      fc.integer({ min: MAX_SPEC_BYTES / 2, max: MAX_SPEC_BYTES }).map((n) => `[${'1,'.repeat(n)}1]`),
    );
    await fc.assert(
      fc.asyncProperty(huge, async (body) => {
        const problem = await rejected('huge bodies', '/experiments', post(body), 413);
        expect(problem.detail).toContain(String(MAX_SPEC_BYTES));
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it('path tricks in run ids and bad cursors: 404 or 400, never another run', async () => {
    const id = fc.oneof(
      fc.string({ minLength: 1 }),
      fc.constantFrom(
        '..',
        '%2e%2e',
        '..%2f..%2fexperiments',
        '%00',
        'a'.repeat(300),
        'runs%2fx',
        '*',
        '%20',
      ),
      fc.tuple(fc.constantFrom('../', '..%2f', './', '%2e%2e/'), fc.string()).map(([a, b]) => a + b),
    );
    const suffix = fc.constantFrom('', '/metrics', '/samples', '/generator', '/cancel');
    await fc.assert(
      fc.asyncProperty(id, suffix, async (raw, tail) => {
        const path = `/experiments/${encodeURIComponent(raw).replace(/%25/g, '%')}${tail}`;
        const method = tail === '/cancel' ? 'POST' : 'GET';
        let url: URL;
        try {
          url = new URL(path, 'http://api.test');
        } catch {
          return; // not a URL a client could send
        }
        // A path that normalises back to the collection is not a run id at all.
        fc.pre(!/^\/experiments\/?$/.test(url.pathname) && url.pathname.startsWith('/experiments/'));
        const problem = await rejected('run ids', path, { method });
        expect([400, 404, 405]).toContain(problem.status);
      }),
      { numRuns: RUNS },
    );
    const cursor = fc.oneof(fc.string({ minLength: 1 }), fc.base64String({ minLength: 4 }));
    await fc.assert(
      fc.asyncProperty(cursor, async (c) => {
        const problem = await rejected('cursors', `/experiments?cursor=${encodeURIComponent(c)}`, {}, 400);
        namesField(problem, 'cursor');
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('missing or forged tokens: 401, and a valid spec is not stored', async () => {
    const forged = fc.oneof(
      fc.constant(null),
      fc.string().map((s) => `Bearer ${s}`),
      fc.string({ minLength: 1 }).map((s) => `Bearer ${TOKEN}${s}`),
      fc.constantFrom(
        `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`,
        TOKEN,
        `bearer  ${TOKEN}x`,
        'Bearer',
      ),
    );
    await fc.assert(
      fc.asyncProperty(forged, async (header) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        // Header values must be byte strings without line breaks; anything else a client cannot send.
        const value = header === null ? null : header.replace(/[^\x20-\x7e]/g, '');
        fc.pre(value !== `Bearer ${TOKEN}` && value?.trim() !== `Bearer ${TOKEN}`);
        if (value !== null) headers.authorization = value;
        const problem = await rejected(
          'tokens',
          '/experiments',
          { method: 'POST', headers, body: JSON.stringify(VALID), token: null },
          401,
        );
        expect(problem.type).toBe('urn:ganzoo:problem:unauthorized');
      }),
      { numRuns: RUNS },
    );
  });

  it('bad Idempotency-Key or Content-Type with a valid spec: 400 or 415, nothing stored', async () => {
    const key = fc.oneof(
      fc.string({ minLength: 256, maxLength: 400, unit: fc.constantFrom('a', 'b', '1') }),
      fc.string({ minLength: 1 }).map((s) => `a b${s.replace(/[^\x20-\x7e]/g, '')}`),
      fc.constant('""'),
    );
    await fc.assert(
      fc.asyncProperty(key, async (k) => {
        const problem = await rejected(
          'idempotency keys',
          '/experiments',
          post(JSON.stringify(VALID), { 'idempotency-key': k }),
          400,
        );
        namesField(problem, 'Idempotency-Key');
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
    const type = fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'application/xml',
      '',
    );
    await fc.assert(
      fc.asyncProperty(type, async (t) => {
        const headers: Record<string, string> = t ? { 'content-type': t } : {};
        await rejected(
          'content types',
          '/experiments',
          { method: 'POST', headers, body: JSON.stringify(VALID) },
          415,
        );
      }),
      { numRuns: 10 },
    );
  });

  it('stored nothing in Batch either', async () => {
    const { ListJobsCommand } = await import('@aws-sdk/client-batch');
    for (const queue of Object.values(d.queues).flatMap((q) => [q.spot, q.onDemand])) {
      for (const jobStatus of ['SUBMITTED', 'SUCCEEDED', 'FAILED'] as const) {
        const out = await d.batch.send(new ListJobsCommand({ jobQueue: queue, jobStatus }));
        expect(out.jobSummaryList ?? []).toEqual([]);
      }
    }
  });
});
