/**
 * The local platform behind `npm start`: the API of functions/app.ts over the same DynamoDB and S3 stores
 * as in the cloud, pointed at in-process emulators whose data lives in one folder, with the local process
 * runner instead of Batch and one static token instead of Cognito. Everything listens on 127.0.0.1.
 *
 *   {dataDir}/dynamodb/   dynalite's LevelDB store (the runs table)
 *   {dataDir}/s3/         the artifacts bucket, one file per object (s3-files.ts)
 *   {dataDir}/logs/       each run's trainer output
 *   {dataDir}/token       the local bearer token, made at the first start
 *   {dataDir}/platform.pid  held while a platform runs, so two never share the folder
 *
 * One port serves the API, the dashboard (web/dist, when built) and presigned artifact URLs (/s3/...).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { createApp } from '../../functions/app.ts';
import { staticTokenAuth } from '../../functions/auth.ts';
import { newDatasetId } from '../../functions/ids.ts';
import type { JobRunner, RunStore } from '../../functions/ports.ts';
import { LocalRunner, type ReconcileResult } from '../../functions/runners/local-runner.ts';
import { LocalDatasetValidator } from '../../functions/runners/validation-runner.ts';
import { S3ArtifactStore } from '../../functions/stores/artifact-store.ts';
import { DynamoGroupStore } from '../../functions/stores/group-store.ts';
import { ListCachedRunStore } from '../../functions/stores/list-cache.ts';
import { API_RETRY, DynamoRunStore } from '../../functions/stores/run-store.ts';
import { LOCAL_LIMITS, type RunLimits } from '../../shared/limits.ts';
import { DatasetsTable } from '../../shared/storage/datasets-table.ts';
import { S3Objects } from '../../shared/storage/s3-objects.ts';
import {
  dynamoClientFor,
  EMULATOR_CREDENTIALS,
  EMULATOR_REGION,
  s3ClientFor,
  startDynamoEmulator,
  startS3Emulator,
} from './emulators.ts';
import { S3_PATH_PREFIX, s3Gateway } from './s3-gateway.ts';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_DIR = join(REPO_ROOT, '.data');
export const LOCAL_TABLE = 'ganzoo-runs';
export const LOCAL_BUCKET = 'ganzoo-artifacts';
/** Whoever holds the local token; every run made through this platform belongs to it. */
export const LOCAL_SUBJECT = 'local';
const WEB_DIST = join(REPO_ROOT, 'web', 'dist');

export interface PlatformOptions {
  /** Default 8787; 0 takes any free port. */
  port?: number;
  dataDir: string;
  /**
   * A runner to use instead of the local process runner (benchmarks, tests). Runs left unfinished by an
   * earlier start are then not taken up.
   */
  runner?: JobRunner;
  /**
   * Keep listings until the table changes (functions/stores/list-cache.ts); default true. Off, every
   * listing reads the table: how the benchmark measures that path.
   */
  listCache?: boolean;
  /** More environment for the trainers the local runner starts, and for the dataset validation jobs. */
  trainerEnv?: Record<string, string>;
  /** After SIGTERM, how long a trainer may take to checkpoint before SIGKILL (the local runner's default). */
  killGraceMs?: number;
  /** Trainers running at once (the local runner's default: 1). */
  concurrency?: number;
  /**
   * What an owner may have in flight (default shared/limits.ts LOCAL_LIMITS); false counts nothing, for
   * benchmarks whose runner never ends a run.
   */
  limits?: RunLimits | false;
}

export interface Platform {
  /** http://127.0.0.1:{port} */
  url: string;
  port: number;
  dataDir: string;
  token: string;
  tokenFile: string;
  /** True when the token was made by this start (the data folder was new). */
  newToken: boolean;
  s3Endpoint: string;
  dynamoEndpoint: string;
  runStore: RunStore;
  artifacts: S3ArtifactStore;
  runner: JobRunner;
  /** The local process runner, unless a custom runner was given. */
  localRunner: LocalRunner | undefined;
  /** Runs an earlier start left unfinished, and what became of them; undefined with a custom runner. */
  reconciled: ReconcileResult | undefined;
  /** Whether web/dist has a dashboard to serve (checked on each request; this is the state at start). */
  dashboard: boolean;
  /** Stops serving, stops running trainers with a checkpoint (resumed at the next start), closes stores. */
  stop(): Promise<void>;
}

/** Refuses a second platform on the same folder: two LevelDB writers, or two runners, would clash. */
function takeLock(dataDir: string): () => void {
  const path = join(dataDir, 'platform.pid');
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // Already gone; nothing holds it.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      throw new Error(
        `${dataDir} is in use by another ganzoo platform (pid ${pid}); stop it, or set GANZOO_DATA_DIR to another folder`,
      );
    }
    // Left by a platform that was killed: take it over.
    unlinkSync(path);
  }
  throw new Error(`could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The token kept in the data folder, made on first use; only the owner may read it. */
function localToken(dataDir: string): { token: string; file: string; created: boolean } {
  const file = join(dataDir, 'token');
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return { token, file, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = `gz_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file, created: true };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const dataDir = resolve(options.dataDir);
  // Runs, artifacts and the token are the user's; nobody else on the machine needs to read them.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const unlock = takeLock(dataDir);
  const cleanup: (() => Promise<void> | void)[] = [unlock];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step();
  };
  try {
    const { token, file: tokenFile, created: newToken } = localToken(dataDir);

    // The port is taken first: presigned URLs name it, so the stores cannot be built before it is known.
    // Until they are, and unfinished runs are taken up again, every request is answered 503.
    let handle: ((req: Request) => Response | Promise<Response>) | undefined;
    const server = createAdaptorServer({
      fetch: (req: Request) =>
        handle ? handle(req) : new Response('starting up, try again in a moment\n', { status: 503 }),
    }) as Server;
    const port = await listen(server, options.port ?? DEFAULT_PORT);
    let closing: Promise<void> | undefined;
    const closeServer = () => {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        // Requests still open get 503 from here on or fail on the stopped stores; none is worth waiting for.
        server.closeAllConnections();
      });
      return closing;
    };
    cleanup.push(closeServer);
    const url = `http://127.0.0.1:${port}`;

    // Listings are cached until the emulator sees a change to the table, whoever makes it (list-cache.ts).
    const listCache = options.listCache ?? true;
    let tableChanged = () => {};
    const [s3, dynamo] = await Promise.all([
      startS3Emulator({ dir: join(dataDir, 's3') }),
      startDynamoEmulator({
        dir: join(dataDir, 'dynamodb'),
        thread: true,
        ...(listCache ? { onChange: () => tableChanged() } : {}),
      }),
    ]);
    cleanup.push(
      () => s3.stop(),
      () => dynamo.stop(),
    );
    await Promise.all([dynamo.createRunsTable(LOCAL_TABLE), s3.createBucket(LOCAL_BUCKET)]);

    const dynamoClient = dynamoClientFor(dynamo.endpoint, { unsigned: true });
    const s3Client = s3ClientFor(s3.endpoint);
    const signer = s3ClientFor(`${url}${S3_PATH_PREFIX}`);
    cleanup.push(() => {
      dynamoClient.destroy();
      s3Client.destroy();
      signer.destroy();
    });
    // Undone in reverse: the server stops before the stores it uses (the earlier entry is then a no-op).
    cleanup.push(closeServer);
    const limits = options.limits ?? LOCAL_LIMITS;
    const tableStore = new DynamoRunStore({
      client: dynamoClient,
      table: LOCAL_TABLE,
      ...(limits ? { maxRunsInFlight: limits.maxRunsInFlight } : {}),
    });
    let runStore: RunStore = tableStore;
    if (listCache) {
      const cached = new ListCachedRunStore(tableStore);
      tableChanged = () => cached.invalidate();
      runStore = cached;
    }
    const artifacts = new S3ArtifactStore({ client: s3Client, bucket: LOCAL_BUCKET, presignClient: signer });
    const groupStore = new DynamoGroupStore({ client: dynamoClient, table: LOCAL_TABLE });

    let runner: JobRunner;
    let localRunner: LocalRunner | undefined;
    let reconciled: ReconcileResult | undefined;
    if (options.runner) {
      runner = options.runner;
    } else {
      const local = new LocalRunner({
        runStore,
        logsDir: join(dataDir, 'logs'),
        bucket: LOCAL_BUCKET,
        table: LOCAL_TABLE,
        s3Endpoint: s3.endpoint,
        dynamoEndpoint: dynamo.endpoint,
        region: EMULATOR_REGION,
        credentials: EMULATOR_CREDENTIALS,
        artifacts,
        ...(options.trainerEnv ? { env: options.trainerEnv } : {}),
        ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      });
      // Trainers write their last checkpoint to the emulators, so they are stopped before those are.
      cleanup.push(() => local.close());
      reconciled = await local.reconcile(await runStore.listUnfinished());
      runner = localRunner = local;
    }

    const datasets = {
      table: new DatasetsTable({ client: dynamoClient, table: LOCAL_TABLE, retry: API_RETRY }),
      objects: new S3Objects({ client: s3Client, bucket: LOCAL_BUCKET, retry: API_RETRY }),
    };
    const validator = new LocalDatasetValidator({
      datasets,
      ...(options.trainerEnv ? { env: options.trainerEnv } : {}),
      bucket: LOCAL_BUCKET,
      table: LOCAL_TABLE,
      logsDir: join(dataDir, 'logs'),
      s3Endpoint: s3.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      region: EMULATOR_REGION,
      credentials: EMULATOR_CREDENTIALS,
    });
    // A validation whose job stopped with the platform is started again, as the local runner resumes runs.
    await validator.reconcile();
    const api = createApp({
      runStore,
      groupStore,
      artifacts,
      runner,
      uploads: {
        ...datasets,
        signer,
        validator,
        newDatasetId,
      },
      auth: staticTokenAuth(token, LOCAL_SUBJECT),
      ...(limits ? { caps: limits } : {}),
    });
    const front = new Hono();
    front.all(`${S3_PATH_PREFIX}/*`, s3Gateway({ signer, upstream: s3.endpoint }));
    // The dashboard's runtime config (the cloud's comes from the infra): the API is here, sign-in is by token.
    front.get('/config.json', (c) => {
      c.header('cache-control', 'no-store');
      return c.json({ apiUrl: url });
    });
    const dashboardIndex = join(WEB_DIST, 'index.html');
    // Made on first use: serveStatic warns at construction when its folder is missing.
    let dashboardFiles: ReturnType<typeof serveStatic> | undefined;
    // The API's own paths skip the file checks below: they are the hot path under load.
    const apiRoots = new Set(api.routes.map((r) => r.path.split('/')[1]).filter(Boolean));
    front.use('*', async (c, next) => {
      if (apiRoots.has(c.req.path.split('/')[1]!)) return api.fetch(c.req.raw);
      // Checked per request, so a dashboard built while the platform runs is served without a restart.
      if (!existsSync(dashboardIndex)) {
        if (c.req.path === '/' && c.req.method === 'GET') return c.redirect('/docs');
        return next();
      }
      dashboardFiles ??= serveStatic({ root: relative(process.cwd(), WEB_DIST) || '.' });
      return dashboardFiles(c, next);
    });
    // Everything else is the API, with its own errors, 404s and auth.
    front.notFound((c) => api.fetch(c.req.raw));
    handle = (req) => front.fetch(req);
    let stopping: Promise<void> | undefined;

    return {
      url,
      port,
      dataDir,
      token,
      tokenFile,
      newToken,
      s3Endpoint: s3.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      runStore,
      artifacts,
      runner,
      localRunner,
      reconciled,
      dashboard: existsSync(dashboardIndex),
      stop: () => {
        handle = () => new Response('shutting down\n', { status: 503 });
        stopping ??= undo();
        return stopping;
      },
    };
  } catch (err) {
    await undo();
    throw err;
  }
}
