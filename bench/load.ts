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
 * An error is a transport failure or any status other than 200/201. The clients run in a worker thread so
 * their own work does not sit on the server's event loop; they share the machine's cores with it. A 2 s
 * warm-up is not counted. Writes docs/results/load.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { startPlatform } from '../scripts/platform/platform.ts';
import { RecordingRunner } from '../test/api-harness.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'docs', 'results', 'load.json');

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer ${min}-${max}`);
  return n;
}

const CLIENTS = intFromEnv('CLIENTS', 200, 1, 2000);
const SECONDS = intFromEnv('SECONDS', 30, 1, 600);
const STORED_RUNS = intFromEnv('RUNS', 200, 1, 10_000);
const WARMUP_SECONDS = 2;

const SPEC = {
  family: 'vanilla',
  dataset: 'ring8',
  steps: 20,
  batchSize: 16,
  sampleEvery: 10,
  hyperparameters: { hiddenUnits: 16, hiddenLayers: 1 },
};

interface Sample {
  kind: string;
  ms: number;
  status: string;
}

// Plain JavaScript for the worker, so it needs no TypeScript loader. node:http with a keep-alive agent
// costs less CPU per request than fetch, which leaves more of the shared cores to the server.
const LOAD_WORKER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { base, token, ids, spec, clients, warmupMs, measureMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const auth = { authorization: 'Bearer ' + token };
const pick = () => ids[Math.floor(Math.random() * ids.length)];
function next() {
  const r = Math.random();
  if (r < 0.5) return { kind: 'GET /experiments?limit=20', method: 'GET', path: '/experiments?limit=20' };
  if (r < 0.75) return { kind: 'GET /experiments/{id}', method: 'GET', path: '/experiments/' + pick() };
  if (r < 0.9) return { kind: 'GET /experiments/{id}/samples', method: 'GET', path: '/experiments/' + pick() + '/samples' };
  return { kind: 'POST /experiments', method: 'POST', path: '/experiments', body: spec };
}
const send = (req) =>
  new Promise((resolve) => {
    const headers = req.body ? { ...auth, 'content-type': 'application/json' } : auth;
    const r = http.request(base + req.path, { method: req.method, headers, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(String(res.statusCode)));
      res.on('error', (e) => resolve('transport: ' + e.code));
    });
    r.on('error', (e) => resolve('transport: ' + (e.code || e.message)));
    r.end(req.body);
  });
(async () => {
  const samples = [];
  const start = performance.now();
  const from = start + warmupMs;
  const end = from + measureMs;
  const client = async () => {
    while (performance.now() < end) {
      const req = next();
      const t0 = performance.now();
      const status = await send(req);
      const t1 = performance.now();
      if (t0 >= from && t1 <= end) samples.push({ kind: req.kind, ms: t1 - t0, status });
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  agent.destroy();
  parentPort.postMessage(samples);
})();
`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (x: number) => Math.round(x * 100) / 100;

function summarize(samples: Sample[]) {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  const errors = samples.filter((s) => s.status !== '200' && s.status !== '201').length;
  return {
    requests: samples.length,
    errors,
    statuses,
    requestsPerSecond: round(samples.length / SECONDS),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'ganzoo-bench-load-'));
const runner = new RecordingRunner();
const platform = await startPlatform({ port: 0, dataDir, runner });
try {
  console.log(`load on ${platform.url}: submitting ${STORED_RUNS} runs through the API first...`);
  const ids: string[] = [];
  for (let i = 0; i < STORED_RUNS; i++) {
    const res = await fetch(`${platform.url}/experiments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(SPEC),
    });
    if (res.status !== 201) throw new Error(`seeding run ${i}: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  console.log(`${CLIENTS} clients for ${SECONDS} s (+${WARMUP_SECONDS} s warm-up)...`);
  const loadBefore = loadavg()[0];
  const samples = await new Promise<Sample[]>((done, fail) => {
    const worker = new Worker(LOAD_WORKER, {
      eval: true,
      workerData: {
        base: platform.url,
        token: platform.token,
        ids,
        spec: JSON.stringify(SPEC),
        clients: CLIENTS,
        warmupMs: WARMUP_SECONDS * 1000,
        measureMs: SECONDS * 1000,
      },
    });
    worker.once('message', (m: Sample[]) => {
      done(m);
      void worker.terminate();
    });
    worker.once('error', fail);
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
      mix: '50% GET /experiments?limit=20, 25% GET /experiments/{id}, 15% GET /experiments/{id}/samples, 10% POST /experiments',
      server:
        'the npm start platform in one process (Hono on @hono/node-server, fauxqs with files, dynalite on its own thread), on 127.0.0.1',
      runner: 'records each submit and trains nothing',
      loadGenerator: 'worker thread, node:http keep-alive, closed loop',
      node: process.version,
      cpus: cpus().length,
      loadAverageBefore: round(loadBefore ?? 0),
    },
    overall: summarize(samples),
    byEndpoint: Object.fromEntries(kinds.map((k) => [k, summarize(samples.filter((s) => s.kind === k))])),
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
