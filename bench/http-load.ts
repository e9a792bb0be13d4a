/**
 * What the HTTP benchmarks (api-latency.ts, load.ts) share: their settings from the environment, a
 * closed-loop load generator and the latency summary.
 *
 * The clients run in a worker thread, so their own work does not sit on the server's event loop (they still
 * share the machine's cores with it). Each client sends its next request as soon as the last one answered;
 * requests that start in the warm-up or end after the measured window are not counted.
 */
import { Worker } from 'node:worker_threads';

export function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer ${min}-${max}`);
  return n;
}

export const WARMUP_SECONDS = 2;

export interface Route {
  /** How the results name it, e.g. "GET /experiments/{id}". */
  kind: string;
  method: 'GET' | 'POST';
  /** `{id}` is replaced by a random one of the load's ids. */
  path: string;
  /** Share of the requests, 0..1; the shares of a load add up to 1. */
  share: number;
  /** A JSON body (sent with content-type application/json). */
  body?: string;
}

export interface LoadOptions {
  base: string;
  token: string;
  routes: Route[];
  clients: number;
  seconds: number;
  ids?: string[];
}

export interface Sample {
  kind: string;
  ms: number;
  /** The HTTP status, or "transport: CODE" when no answer came. */
  status: string;
}

// Plain JavaScript, so the worker needs no TypeScript loader. node:http with a keep-alive agent costs less
// CPU per request than fetch, which leaves more of the shared cores to the server.
const WORKER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { base, token, ids, routes, clients, warmupMs, measureMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const auth = { authorization: 'Bearer ' + token };
function next() {
  let r = Math.random();
  const route = routes.find((x) => (r -= x.share) < 0) || routes[routes.length - 1];
  return { ...route, path: route.path.replace('{id}', () => ids[Math.floor(Math.random() * ids.length)]) };
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
  const from = performance.now() + warmupMs;
  setTimeout(() => parentPort.postMessage('measuring'), warmupMs);
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

export interface LoadResult {
  samples: Sample[];
  /**
   * CPU time of the whole process (server, emulator threads and the load generator's thread) over the
   * measured window: unlike latency, it does not move when the machine's other tenants take cores away.
   */
  cpuMs: number;
}

/** Runs the load for WARMUP_SECONDS + seconds and returns the measured requests. */
export function closedLoop(o: LoadOptions): Promise<LoadResult> {
  if (o.routes.some((r) => r.path.includes('{id}')) && !o.ids?.length) {
    throw new Error('a route names {id} but the load has no ids');
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        base: o.base,
        token: o.token,
        ids: o.ids ?? [],
        routes: o.routes,
        clients: o.clients,
        warmupMs: WARMUP_SECONDS * 1000,
        measureMs: o.seconds * 1000,
      },
    });
    let start: NodeJS.CpuUsage | undefined;
    worker.on('message', (m: 'measuring' | Sample[]) => {
      if (m === 'measuring') {
        start = process.cpuUsage();
        return;
      }
      const cpu = process.cpuUsage(start);
      resolve({ samples: m, cpuMs: start ? (cpu.user + cpu.system) / 1000 : Number.NaN });
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const round = (x: number) => Math.round(x * 100) / 100;

/**
 * Counts, throughput and latency percentiles of measured requests (an error is any answer but 2xx); with
 * the window's CPU time, also the CPU time per request.
 */
export function latency(samples: Sample[], seconds: number, cpuMs?: number) {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return {
    requests: samples.length,
    errors: samples.filter((s) => !/^2\d\d$/.test(s.status)).length,
    statuses,
    requestsPerSecond: round(samples.length / seconds),
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    ...(cpuMs !== undefined ? { cpuMsPerRequest: round(cpuMs / Math.max(1, samples.length)) } : {}),
  };
}
