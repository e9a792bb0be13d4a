/**
 * `npm run bench:load`: the local API (the `npm start` platform: Hono, dynalite and fauxqs in one process)
 * under CLIENTS concurrent clients (default 200) for SECONDS (default 30), each sending its next request as
 * soon as the last one answered, over a mix of what dashboards and the CLI do:
 *
 *   50%  GET  /experiments?limit=20          the run list
 *   25%  GET  /experiments/{id}              one run (a random one of those stored first)
 *   15%  GET  /experiments/{id}/samples      its sample URLs
 *   10%  POST /experiments                   a submit (the runner records it and trains nothing)
 *
 * An error is a transport failure or any status but 2xx. The load generator is bench/http-load.ts's (clients
 * in a worker thread, a 2 s warm-up not counted). Writes docs/results/load.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlatform } from '../scripts/platform/platform.ts';
import { RecordingRunner, TINY_SPEC } from '../test/api-harness.ts';
import { closedLoop, intFromEnv, latency, type Route, round, WARMUP_SECONDS } from './http-load.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'docs', 'results', 'load.json');

const CLIENTS = intFromEnv('CLIENTS', 200, 1, 2000);
const SECONDS = intFromEnv('SECONDS', 30, 1, 600);
const STORED_RUNS = intFromEnv('RUNS', 200, 1, 10_000);
const MIX: Route[] = [
  { kind: 'GET /experiments?limit=20', method: 'GET', path: '/experiments?limit=20', share: 0.5 },
  { kind: 'GET /experiments/{id}', method: 'GET', path: '/experiments/{id}', share: 0.25 },
  { kind: 'GET /experiments/{id}/samples', method: 'GET', path: '/experiments/{id}/samples', share: 0.15 },
  {
    kind: 'POST /experiments',
    method: 'POST',
    path: '/experiments',
    share: 0.1,
    body: JSON.stringify(TINY_SPEC),
  },
];

const dataDir = mkdtempSync(join(tmpdir(), 'ganzoo-bench-load-'));
const runner = new RecordingRunner();
// No limit of runs in flight: this runner never ends a run, and the load submits hundreds.
const platform = await startPlatform({ port: 0, dataDir, runner, limits: false });
try {
  console.log(`load on ${platform.url}: submitting ${STORED_RUNS} runs through the API first...`);
  const ids: string[] = [];
  for (let i = 0; i < STORED_RUNS; i++) {
    const res = await fetch(`${platform.url}/experiments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(TINY_SPEC),
    });
    if (res.status !== 201) throw new Error(`seeding run ${i}: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  console.log(`${CLIENTS} clients for ${SECONDS} s (+${WARMUP_SECONDS} s warm-up)...`);
  const loadBefore = loadavg()[0];
  const { samples, cpuMs } = await closedLoop({
    base: platform.url,
    token: platform.token,
    ids,
    routes: MIX,
    clients: CLIENTS,
    seconds: SECONDS,
  });
  const kinds = [...new Set(samples.map((s) => s.kind))].sort();
  const results = {
    benchmark: 'load',
    date: new Date().toISOString(),
    setup: {
      clients: CLIENTS,
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      storedRunsBefore: STORED_RUNS,
      mix: MIX.map((r) => `${100 * r.share}% ${r.kind}`).join(', '),
      server:
        'the npm start platform in one process (Hono on @hono/node-server, fauxqs with files, dynalite on its own thread), on 127.0.0.1',
      runner: 'records each submit and trains nothing',
      loadGenerator: 'worker thread, node:http keep-alive, closed loop',
      node: process.version,
      cpus: cpus().length,
      loadAverageBefore: round(loadBefore ?? 0),
    },
    overall: latency(samples, SECONDS, cpuMs),
    byEndpoint: Object.fromEntries(
      kinds.map((k) => [
        k,
        latency(
          samples.filter((s) => s.kind === k),
          SECONDS,
        ),
      ]),
    ),
    submitsDuringLoad: runner.submits.length - STORED_RUNS,
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  const o = results.overall;
  console.log(
    `${o.requests} requests (${o.requestsPerSecond}/s), ${o.errors} errors, p50 ${o.p50Ms} ms, p99 ${o.p99Ms} ms, max ${o.maxMs} ms`,
  );
  for (const [k, r] of Object.entries(results.byEndpoint)) {
    console.log(`  ${k}: ${r.requests} requests, ${r.errors} errors, p99 ${r.p99Ms} ms`);
  }
  console.log(`wrote ${RESULTS}`);
} finally {
  await platform.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
