/**
 * LocalStack (host mode, no Docker) and moto server as child processes on free loopback ports, for the
 * integration suite: LocalStack serves S3 (and SQS, EventBridge, IAM/STS), moto serves DynamoDB and Batch
 * (docs/TESTING.md says why). Each comes from its own virtual environment (venv.ts). LocalStack 4.14.0 needs
 * Python 3.13; where only an older one is found, S3 is routed to moto instead, and said so. Each
 * writes its output to a log file, whose tail is in the error when it does not become healthy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmulatorVenvs, LOCALSTACK_PYTHON } from './venv.ts';

/** Services LocalStack is asked to serve; the suite uses S3, the rest are there for future tests. */
/** moto_server's own entry point with werkzeug's server made single-threaded (see where moto starts). */
const MOTO_ONE_REQUEST_AT_A_TIME = [
  'import sys, moto.server as s',
  'serve = s.run_simple',
  's.run_simple = lambda *a, **k: serve(*a, **{**k, "threaded": False})',
  'sys.argv[0] = "moto_server"',
  'sys.exit(s.main())',
].join('; ');

export const LOCALSTACK_SERVICES = ['s3', 'sqs', 'events', 'iam', 'sts'] as const;

/** Where each service the suite uses is served. */
export interface ServiceEndpoints {
  s3: string;
  dynamodb: string;
  batch: string;
  cognito: string;
}

export interface AwsEmulators extends ServiceEndpoints {
  /** LocalStack's gateway, e.g. http://127.0.0.1:4566; absent when S3 had to be routed to moto. */
  localstack?: string;
  /** moto server, e.g. http://127.0.0.1:5000 */
  moto: string;
  /** Where the logs and LocalStack's files are (removed by stop unless keepLogs). */
  dir: string;
  stop(options?: { keepLogs?: boolean }): Promise<void>;
}

/** The SDK's per-service endpoint variables for these emulators: the only way production code sees them. */
export function endpointEnv(e: ServiceEndpoints): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: e.s3,
    AWS_ENDPOINT_URL_DYNAMODB: e.dynamodb,
    AWS_ENDPOINT_URL_BATCH: e.batch,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: e.cognito,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  name: string;
  child: ChildProcess;
  log: string;
  exited: Promise<void>;
}

function startProcess(
  name: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  dir: string,
): Started {
  const log = join(dir, `${name}.log`);
  const fd = openSync(log, 'a');
  // detached: its own process group, so stop() reaches the workers it forks as well.
  const child = spawn(cmd, args, { env, stdio: ['ignore', fd, fd], detached: true, cwd: dir });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => {});
  return { name, child, log, exited };
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

async function stopProcess(p: Started, graceMs = 10_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null || p.child.pid === undefined) return;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-(p.child.pid as number), s);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
  signal('SIGKILL'); // anything of its group still left
}

/** Polls `check` until it returns true; fails early when the process exits, naming its log. */
async function waitHealthy(
  p: Started,
  what: string,
  check: () => Promise<boolean>,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  for (;;) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) {
      throw new Error(
        `${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) before ${what}; its log (${p.log}) ends:\n${tail(p.log)}`,
      );
    }
    try {
      if (await check()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${p.name} did not report ${what} within ${ms / 1000} s${last ? ` (last error: ${last})` : ''}; its log (${p.log}) ends:\n${tail(p.log)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** True when LocalStack's health endpoint lists every service asked for as available or running. */
export async function localstackHealthy(endpoint: string): Promise<boolean> {
  const res = await fetch(`${endpoint}/_localstack/health`, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) return false;
  const body = (await res.json()) as { services?: Record<string, string> };
  return LOCALSTACK_SERVICES.every((s) => ['available', 'running'].includes(body.services?.[s] ?? ''));
}

export async function motoHealthy(endpoint: string): Promise<boolean> {
  const res = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) });
  await res.body?.cancel();
  return res.ok;
}

/**
 * moto's Batch runs jobs in Docker unless told otherwise; without Docker a job goes straight to SUCCEEDED
 * (the suite runs the trainer itself, as the job would).
 */
export async function configureMoto(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ batch: { use_docker: false } }),
  });
  if (!res.ok)
    throw new Error(`moto refused its Batch configuration: HTTP ${res.status} ${await res.text()}`);
}

export interface StartOptions {
  /** Seconds to wait for each to become healthy (default 90: LocalStack's first start compiles its files). */
  timeoutSeconds?: number;
  /** Hears a notice when S3 is routed to moto. */
  log?: (line: string) => void;
}

/** Endpoints for a LocalStack (if any) and a moto: S3 on LocalStack when there is one. */
export function serviceEndpoints(localstack: string | undefined, moto: string): ServiceEndpoints {
  return { s3: localstack ?? moto, dynamodb: moto, batch: moto, cognito: moto };
}

export async function startAwsEmulators(
  venvs: EmulatorVenvs,
  options: StartOptions = {},
): Promise<AwsEmulators> {
  const ms = (options.timeoutSeconds ?? 90) * 1000;
  const lsVenv = venvs.localstack;
  const withLocalstack = lsVenv !== undefined;
  if (!withLocalstack) {
    options.log?.(
      `LocalStack 4.14.0 needs Python ${LOCALSTACK_PYTHON.join('.')}+ and the newest found is ${venvs.moto.pythonVersion.join('.')}: S3 is served by moto (docs/TESTING.md)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'ganzoo-aws-emulators-'));
  const [lsPort, motoPort] = [await freePort(), await freePort()];
  const localstack = `http://127.0.0.1:${lsPort}`;
  const moto = `http://127.0.0.1:${motoPort}`;
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('AWS_')) delete base[k];
  const lsRoot = join(dir, 'localstack');
  mkdirSync(lsRoot);
  const started: Started[] = [];
  const stopAll = async () => {
    await Promise.all(started.map((p) => stopProcess(p)));
  };
  try {
    const healthy: Promise<void>[] = [];
    if (lsVenv) {
      const ls = startProcess(
        'localstack',
        lsVenv.python,
        ['-m', 'localstack.runtime.main'],
        {
          ...base,
          GATEWAY_LISTEN: `127.0.0.1:${lsPort}`,
          SERVICES: LOCALSTACK_SERVICES.join(','),
          FILESYSTEM_ROOT: lsRoot,
          OVERRIDE_IN_DOCKER: '0',
          SKIP_SSL_CERT_DOWNLOAD: '1',
          DNS_ADDRESS: '0',
          DISABLE_EVENTS: '1',
          LOCALSTACK_HOST: `127.0.0.1:${lsPort}`,
        },
        dir,
      );
      started.push(ls);
      const services = LOCALSTACK_SERVICES.join(', ');
      healthy.push(waitHealthy(ls, `${services} healthy`, () => localstackHealthy(localstack), ms));
    }
    // moto_server serves each request on its own thread, and moto's UpdateItem reads, checks and writes
    // without a lock, so two conditional writes at once could both pass (the runs-in-flight race test saw
    // it under load). One request at a time makes each conditional write atomic, as DynamoDB's are.
    const mt = startProcess(
      'moto',
      venvs.moto.python,
      ['-c', MOTO_ONE_REQUEST_AT_A_TIME, '-H', '127.0.0.1', '-p', `${motoPort}`],
      base,
      dir,
    );
    started.push(mt);
    healthy.push(waitHealthy(mt, 'healthy', () => motoHealthy(moto), ms));
    await Promise.all(healthy);
    await configureMoto(moto);
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    ...serviceEndpoints(withLocalstack ? localstack : undefined, moto),
    ...(withLocalstack ? { localstack } : {}),
    moto,
    dir,
    stop: async ({ keepLogs = false } = {}) => {
      await stopAll();
      if (!keepLogs) rmSync(dir, { recursive: true, force: true });
    },
  };
}
