import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetInfo } from '../shared/datasets.ts';
import { describeGenerator } from '../shared/generator.ts';
import { runFiles } from '../shared/keys.ts';
import type { RunRecord } from '../shared/run.ts';
import { RunSchema } from '../shared/run-record.ts';
import { type ApiHarness, QUICK, startApiHarness, TABLE } from '../test/api-harness.ts';
import { dynamoClientFor, startOutageProxy } from '../test/emulators.ts';
import { createApp } from './app.ts';
import { staticTokenAuth } from './auth.ts';
import { openApiDocument, RESPONSE_SCHEMAS } from './openapi.ts';
import { DynamoGroupStore } from './stores/group-store.ts';
import { DynamoRunStore } from './stores/run-store.ts';

let h: ApiHarness;
let run: RunRecord;

const doc = openApiDocument() as {
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
};
const PUBLIC = ['/health', '/openapi.json', '/docs'];

beforeAll(async () => {
  h = await startApiHarness();
  const res = await h.submit({ family: 'vanilla', dataset: 'grid25' });
  run = (await res.json()) as RunRecord;
  await h.artifacts.put(run.id, runFiles.sample(0), new Uint8Array([1]), 'image/png');
  await h.artifacts.put(
    run.id,
    runFiles.metrics,
    '{"step":10,"values":{"loss/D":1}}\n',
    'application/x-ndjson',
  );
  await h.artifacts.put(run.id, runFiles.generatorWeights, new Uint8Array([1]), 'application/octet-stream');
  const descriptor = describeGenerator({
    family: 'vanilla',
    dataset: datasetInfo('grid25'),
    latentName: 'z',
    latentDim: 64,
    noise: 'normal',
  });
  await h.artifacts.put(run.id, runFiles.generatorDescriptor, JSON.stringify(descriptor), 'application/json');
  await h.artifacts.put(run.id, runFiles.generatorModel, '{}', 'application/json');
});

afterAll(async () => {
  await h.stop();
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      url: path.replace('{id}', run.id),
      op,
    })),
  );

describe('the app', () => {
  it('serves exactly the routes the OpenAPI document describes', () => {
    // A route with inline middleware appears once per handler; ALL /* is the auth middleware.
    const served = [
      ...new Set(
        h.app.routes
          .filter((r) => r.method !== 'ALL')
          .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
      ),
    ].sort();
    expect(served).toEqual(
      operations()
        .map((o) => `${o.method} ${o.path}`)
        .sort(),
    );
  });

  it('needs no token for health, openapi.json and docs', async () => {
    for (const path of PUBLIC) {
      expect((await h.request(path, { as: null })).status, path).toBe(200);
      expect(doc.paths[path]?.get?.security, path).toEqual([]);
    }
  });

  it('answers 401 without a valid token on every other route', async () => {
    const guarded = operations().filter((o) => !PUBLIC.includes(o.path));
    expect(guarded.length).toBeGreaterThanOrEqual(9);
    for (const { method, url, op } of guarded) {
      for (const authorization of [undefined, 'Bearer wrong', 'Basic dXNlcjpwYXNz']) {
        const res = await h.app.request(url, {
          method,
          headers: authorization ? { authorization, 'content-type': 'application/json' } : {},
          ...(method === 'POST' ? { body: '{}' } : {}),
        });
        expect(res.status, `${method} ${url} ${authorization}`).toBe(401);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
      }
      expect(Object.keys(op.responses)).toContain('401');
    }
    expect(h.runner.cancels).toHaveLength(0);
  });

  it('answers unknown routes 401 without a token and a 404 problem with one', async () => {
    expect((await h.request('/nowhere', { as: null })).status).toBe(401);
    const res = await h.request('/nowhere');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: 'urn:ganzoo:problem:not-found' });
  });

  it('answers with the shapes the OpenAPI document gives', async () => {
    const checks: [string, keyof typeof RESPONSE_SCHEMAS][] = [
      ['/health', 'Health'],
      ['/experiments', 'RunPage'],
      [`/experiments/${run.id}`, 'Run'],
      [`/experiments/${run.id}/metrics`, 'Metrics'],
      [`/experiments/${run.id}/samples`, 'Samples'],
      [`/experiments/${run.id}/generator`, 'Generator'],
      ['/models', 'Models'],
      ['/datasets', 'Datasets'],
      ['/experiments/nope', 'Problem'],
    ];
    for (const [path, schema] of checks) {
      const body = await (await h.request(path)).json();
      const parsed = RESPONSE_SCHEMAS[schema].safeParse(body);
      expect(parsed.success, `${path}: ${parsed.error?.message}`).toBe(true);
    }
    const one = (await (await h.request(`/experiments/${run.id}`)).json()) as Record<string, unknown>;
    const known = Object.keys(RunSchema.shape);
    expect(Object.keys(one).filter((k) => !known.includes(k))).toEqual([]);
  });

  it('answers a generic 500 problem, and logs the error, when a store is down', async () => {
    const proxy = await startOutageProxy(h.emulators.dynamoEndpoint);
    const client = dynamoClientFor(proxy.endpoint);
    const logged: unknown[] = [];
    const app = createApp({
      runStore: new DynamoRunStore({ client, table: TABLE, retry: QUICK }),
      groupStore: new DynamoGroupStore({ client, table: TABLE, retry: QUICK }),
      artifacts: h.artifacts,
      runner: h.runner,
      auth: staticTokenAuth('t', 'someone'),
      log: (message, error) => logged.push(message, error),
    });
    try {
      await proxy.down();
      const res = await app.request('/experiments', { headers: { authorization: 'Bearer t' } });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ type: 'urn:ganzoo:problem:internal', status: 500 });
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|\bat \w/);
      expect(logged.length).toBe(2);
      await proxy.up();
      expect((await app.request('/experiments', { headers: { authorization: 'Bearer t' } })).status).toBe(
        200,
      );
    } finally {
      client.destroy();
      await proxy.stop();
    }
  });

  it('serves the same routes over HTTP from a Node server', async () => {
    const server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const headers = { authorization: 'Bearer token-of-caller-one', 'content-type': 'application/json' };
      const post = await fetch(`${base}/experiments`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ family: 'vanilla', dataset: 'ring8' }),
      });
      expect(post.status).toBe(201);
      const created = (await post.json()) as RunRecord;
      const got = await fetch(`${base}${post.headers.get('location')}`, { headers });
      expect(((await got.json()) as RunRecord).id).toBe(created.id);
      const big = await fetch(`${base}/experiments`, { method: 'POST', headers, body: 'x'.repeat(70_000) });
      expect(big.status).toBe(413);
      expect((await fetch(`${base}/health`)).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
