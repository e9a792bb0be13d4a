/**
 * `npm run bench:api`: latency of the API over HTTP on the local platform (scripts/platform/: dynalite and
 * fauxqs in-process, on a fresh data folder) with 10,000 runs of one owner in the table.
 *
 *   GET /experiments?limit=20   the dashboard's first page, newest first (target: p99 < 50 ms)
 *   POST /experiments           the submit path up to the runner: validate, conditional create, spec to
 *                               S3, runner.submit, conditional update to SUBMITTED. The runner is
 *                               NoTrainRunner, which accepts the job and trains nothing, so the numbers are
 *                               the API's and the stores', not a trainer's.
 *
 * Load: CLIENTS concurrent closed-loop clients (default 16; bench/http-load.ts) for SECONDS per row
 * (default 20) after a 2 s warm-up that is not counted; only on 127.0.0.1. As in `npm start`, the API,
 * fauxqs and the stores' SDK clients share the main event loop, dynalite has a thread of its own, and
 * listings are kept until the table changes (functions/stores/list-cache.ts). Rows:
 *   - the read at CLIENTS, and at LIGHT_CLIENTS (default 4), below saturation;
 *   - the read while one request in 20 submits a run, so the cache is dropped again and again;
 *   - the submit alone;
 *   - the read at CLIENTS with the listing cache off (the same folder restarted), every read reaching the
 *     table: the path the cache saves.
 * RUNS changes how many runs are stored first.
 *
 * Each row also gives the process's CPU time per request (server, emulator threads and load generator
 * together), which moves less than latency when the machine's other tenants take cores away.
 *
 * Writes bench/results/api-latency.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runIdGenerator } from '../functions/ids.ts';
import type { JobRunner } from '../functions/ports.ts';
import { LOCAL_SUBJECT, type Platform, startPlatform } from '../scripts/platform/platform.ts';
import type { RunRecord } from '../shared/run.ts';
import { parseSpec } from '../shared/spec.ts';
import { TINY_SPEC } from '../test/api-harness.ts';
import { closedLoop, intFromEnv, latency, type Route, WARMUP_SECONDS } from './http-load.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results', 'api-latency.json');

const STORED_RUNS = intFromEnv('RUNS', 10_000, 1, 100_000);
const CLIENTS = intFromEnv('CLIENTS', 16, 1, 256);
const LIGHT_CLIENTS = intFromEnv('LIGHT_CLIENTS', 4, 1, 256);
const SECONDS = intFromEnv('SECONDS', 20, 1, 120);
const READ_TARGET_P99_MS = 50;

/** Accepts every job and runs nothing: what is measured ends where a real runner would start training. */
class NoTrainRunner implements JobRunner {
  submitted = 0;
  async submit(run: RunRecord): Promise<{ jobId: string }> {
    this.submitted++;
    return { jobId: `no-train-${run.id}` };
  }
  async cancel(): Promise<void> {}
}

/** Stores runs straight through the run store, newest last, spread over the past 30 days. */
async function seed(store: { create(run: RunRecord): Promise<unknown> }, count: number): Promise<number> {
  const spec = parseSpec(TINY_SPEC);
  const end = Date.now() - 60_000;
  const step = Math.floor((30 * 24 * 3600 * 1000) / count);
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const at = end - (count - i) * step;
      const iso = new Date(at).toISOString();
      const status = i % 10 === 0 ? 'FAILED' : 'SUCCEEDED';
      await store.create({
        id: runIdGenerator(() => at)(),
        owner: LOCAL_SUBJECT,
        spec,
        status,
        attempt: 1,
        jobId: `no-train-${i}`,
        progress: { step: 20, totalSteps: 20, backend: 'wasm', lastSampleStep: 20 },
        ...(status === 'FAILED' ? { reason: 'seeded as failed' } : {}),
        createdAt: iso,
        updatedAt: iso,
        // As a finished run's record holds it (the list leaves it out, the run's own page shows it).
        history: (['QUEUED', 'SUBMITTED', 'STARTING', 'RUNNING', status] as const).map((s) => ({
          status: s,
          attempt: 1,
          at: iso,
        })),
      });
      if ((i + 1) % 2_000 === 0) process.stdout.write(`  ${i + 1} runs stored\n`);
    }
  };
  // A few writers at once: enough to fill the table quickly without starving the emulator.
  await Promise.all(Array.from({ length: 4 }, worker));
  return (performance.now() - started) / 1000;
}

/** Routes (kind, share of requests) under `clients` closed-loop clients on `on`: one summary per kind. */
async function measure(on: Platform, routes: Route[], clients: number) {
  console.log(`${routes.map((r) => r.kind).join(' + ')}: ${SECONDS} s (+${WARMUP_SECONDS} s warm-up)...`);
  const { samples, cpuMs } = await closedLoop({
    base: on.url,
    token: on.token,
    routes,
    clients,
    seconds: SECONDS,
  });
  // The process's CPU time is shared by every kind's requests: given per request only for a route alone.
  return routes.map((r) => ({
    endpoint: r.kind,
    ...latency(
      samples.filter((x) => x.kind === r.kind),
      SECONDS,
      routes.length === 1 ? cpuMs : undefined,
    ),
  }));
}

const list = { method: 'GET', path: '/experiments?limit=20' } as const;
const submit = { method: 'POST', path: '/experiments', body: JSON.stringify(TINY_SPEC) } as const;
const dataDir = mkdtempSync(join(tmpdir(), 'ganzoo-bench-api-'));
const runner = new NoTrainRunner();
const rows: Awaited<ReturnType<typeof measure>> = [];
let seedSeconds = 0;
try {
  // No limit of runs in flight: this runner never ends a run, and the seeding stores thousands.
  let platform = await startPlatform({ port: 0, dataDir, runner, limits: false });
  try {
    console.log(`API latency on ${platform.url}: storing ${STORED_RUNS} runs for one owner...`);
    seedSeconds = await seed(platform.runStore, STORED_RUNS);
    console.log(`  stored in ${seedSeconds.toFixed(1)} s`);
    const read = `GET /experiments?limit=20 (${CLIENTS} clients)`;
    rows.push(
      ...(await measure(platform, [{ ...list, kind: read, share: 1 }], CLIENTS)),
      // The same read without saturating the one event loop: what a few dashboards polling at once see.
      ...(await measure(
        platform,
        [{ ...list, kind: `GET /experiments?limit=20 (${LIGHT_CLIENTS} clients)`, share: 1 }],
        LIGHT_CLIENTS,
      )),
      // Each submit changes the table, so the listing cache is dropped and the next reads reach the table.
      ...(await measure(
        platform,
        [
          { ...list, kind: `${read}, while 1 request in 20 submits a run`, share: 0.95 },
          { ...submit, kind: `POST /experiments, 1 request in 20 beside those reads`, share: 0.05 },
        ],
        CLIENTS,
      )),
      ...(await measure(
        platform,
        [
          {
            ...submit,
            kind: `POST /experiments (${CLIENTS} clients; submit path, NoTrainRunner trains nothing)`,
            share: 1,
          },
        ],
        CLIENTS,
      )),
    );
    await platform.stop();
    // The same folder restarted without the listing cache: every read reaches the emulator.
    platform = await startPlatform({ port: 0, dataDir, runner, listCache: false, limits: false });
    rows.push(
      ...(await measure(platform, [{ ...list, kind: `${read}, listing cache off`, share: 1 }], CLIENTS)),
    );
  } finally {
    await platform.stop();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
const read = rows[0]!;
const uncached = rows.at(-1)!;

const results = {
  benchmark: 'api-latency',
  date: new Date().toISOString(),
  setup: {
    storedRuns: STORED_RUNS,
    owner: 'one owner (the local token)',
    clients: CLIENTS,
    secondsPerEndpoint: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    server:
      'the npm start platform in one process: Hono on @hono/node-server and fauxqs (files) on the main thread, dynalite (LevelDB on disk) on a thread of its own',
    runner: 'NoTrainRunner (accepts the job, runs nothing)',
    loadGenerator:
      'worker thread, node:http with keep-alive, closed loop (next request when the last answered)',
    node: process.version,
    cpus: cpus().length,
    seedSeconds: Math.round(seedSeconds * 10) / 10,
    runsSubmittedDuringBench: runner.submitted,
  },
  target: {
    endpoint: read.endpoint,
    clients: CLIENTS,
    p99Ms: READ_TARGET_P99_MS,
    met: read.p99Ms < READ_TARGET_P99_MS,
    listingCacheOff: {
      endpoint: uncached.endpoint,
      p99Ms: uncached.p99Ms,
      met: uncached.p99Ms < READ_TARGET_P99_MS,
    },
  },
  results: rows,
};
mkdirSync(dirname(RESULTS), { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);

const cols = ['requests', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'non-2xx', 'CPU ms/req'];
const width = Math.max(...rows.map((r) => r.endpoint.length));
console.log(`\n${'endpoint'.padEnd(width)}  ${cols.map((c) => c.padStart(8)).join(' ')}`);
for (const r of rows) {
  const cells = [
    r.requests,
    r.requestsPerSecond,
    r.p50Ms,
    r.p90Ms,
    r.p99Ms,
    r.maxMs,
    r.errors,
    r.cpuMsPerRequest ?? '-',
  ];
  console.log(`${r.endpoint.padEnd(width)}  ${cells.map((c) => String(c).padStart(8)).join(' ')}`);
}
console.log(
  `\ntarget: ${read.endpoint} p99 < ${READ_TARGET_P99_MS} ms: ${results.target.met ? 'met' : 'NOT met'} (${read.p99Ms} ms)`,
);
console.log(`results in ${RESULTS}`);
