/**
 * In-process AWS emulators, for the local platform and for tests: fauxqs for S3 and dynalite for DynamoDB.
 * No Docker, no Python; each starts in well under a second on a loopback port. Given a folder they keep
 * their data there across restarts (dynalite in LevelDB, S3 in files, see s3-files.ts); without one they
 * keep it in memory. The real SDK is pointed at them, exactly as production code is pointed at AWS.
 */

import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import { RUNS_TABLE } from '../../shared/tables.ts';
import { type FauxqsS3Store, type FauxqsS3StoreClass, fileBackedS3Store } from './s3-files.ts';

export const EMULATOR_REGION = 'us-east-1';
export const EMULATOR_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface S3Emulator {
  endpoint: string;
  port: number;
  /** Creates the bucket unless it exists. */
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface DynamoEmulator {
  endpoint: string;
  port: number;
  /**
   * A runs table as the API and trainer use it, unless it exists: hash key `id` (S), on-demand, and the
   * owner index of shared/tables.ts (owner HASH, createdAt RANGE, all attributes projected).
   */
  createRunsTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** 0 (the default): any free port. */
  port?: number;
  /** Where to keep the data across restarts; in memory when absent. */
  dir?: string;
}

export interface DynamoEmulatorOptions extends EmulatorOptions {
  /**
   * Runs dynalite on a thread of its own, so its request handling and LevelDB work run beside the API's
   * event loop instead of taking turns with it (the local platform's listing latency under load).
   */
  thread?: boolean;
  /**
   * Called whenever a request that may change the tables (anything but a read: see DYNAMO_READS) has been
   * answered, whoever sent it: the platform's API or a trainer's own client. Only with `thread`.
   */
  onChange?: () => void;
}

/** The DynamoDB operations dynalite serves that change nothing; every other request counts as a change. */
export const DYNAMO_READS = [
  'BatchGetItem',
  'DescribeTable',
  'DescribeTimeToLive',
  'GetItem',
  'ListTables',
  'ListTagsOfResource',
  'Query',
  'Scan',
] as const;

type BuildAppStores = NonNullable<NonNullable<Parameters<typeof buildApp>[0]>['stores']>;

interface FauxqsStores {
  sqsStore: unknown;
  snsStore: unknown;
  s3Store: FauxqsS3Store;
}

/**
 * fauxqs's store classes. Its package exports only buildApp/startFauxqs, and startFauxqs listens on every
 * interface with in-memory stores, so the platform builds the app itself (listening on loopback) around
 * stores it makes. The modules are loaded by file URL next to the package's resolved entry point, which
 * is the same module instance fauxqs uses; fauxqs is pinned to an exact version in package.json.
 */
async function fauxqsStores(dir: string | undefined): Promise<FauxqsStores> {
  const entry = import.meta.resolve('fauxqs');
  const load = async <T>(path: string, name: string): Promise<T> => {
    const mod = (await import(new URL(path, entry).href)) as Record<string, unknown>;
    if (typeof mod[name] !== 'function') {
      throw new Error(
        `fauxqs has no ${name} in ${path}: the installed version is not the one this was written for`,
      );
    }
    return mod[name] as T;
  };
  const [SqsStore, SnsStore, S3Store] = await Promise.all([
    load<new () => unknown>('./sqs/sqsStore.js', 'SqsStore'),
    load<new () => unknown>('./sns/snsStore.js', 'SnsStore'),
    load<FauxqsS3StoreClass>('./s3/s3Store.js', 'S3Store'),
  ]);
  return {
    sqsStore: new SqsStore(),
    snsStore: new SnsStore(),
    s3Store: dir === undefined ? new S3Store() : fileBackedS3Store(S3Store, dir),
  };
}

/** fauxqs on 127.0.0.1. With `dir`, buckets and objects persist there. */
export async function startS3Emulator(options: EmulatorOptions | number = {}): Promise<S3Emulator> {
  const { port = 0, dir } = typeof options === 'number' ? { port: options } : options;
  const stores = await fauxqsStores(dir);
  const app = buildApp({
    logger: false,
    defaultRegion: EMULATOR_REGION,
    // fauxqs types its stores with classes it does not export; ours are those classes' instances.
    stores: stores as unknown as BuildAppStores,
  });
  await app.listen({ port, host: '127.0.0.1' });
  const actualPort = (app.server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    createBucket: async (name) => {
      stores.s3Store.createBucket(name);
    },
    stop: async () => {
      await app.close();
    },
  };
}

type DynaliteFactory = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  path?: string;
}) => Server;
const requireHere = createRequire(import.meta.url);
// dynalite is CommonJS without type declarations; this is the one call we make.
const dynalite = requireHere('dynalite') as DynaliteFactory;

/** A running dynalite: its port, and how to stop it (closing its LevelDB store). */
interface DynaliteHandle {
  port: number;
  stop(): Promise<void>;
}

async function dynaliteHere(options: Parameters<DynaliteFactory>[0], port: number): Promise<DynaliteHandle> {
  const server = dynalite(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets from SDK clients would otherwise hold close() open. dynalite's close() also
        // closes its LevelDB store.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

// Plain CommonJS, so the thread needs no TypeScript loader: it loads dynalite from the path resolved here.
// With workerData.reads, each request that is not one of them is announced once the store has the change,
// and its answer is held until the main thread has acknowledged the announcement: so by the time any client
// (the API or a trainer) hears that a write landed, the listing cache has already been told (list-cache.ts),
// and no announcement is still on its way to drop a listing read after it.
const DYNALITE_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require(workerData.module)(workerData.options);
const held = new Map();
let announced = 0;
if (workerData.reads) {
  const reads = new Set(workerData.reads);
  const [handler] = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    const target = String(req.headers['x-amz-target'] || '');
    if (!reads.has(target.slice(target.indexOf('.') + 1))) {
      // dynalite ends its answer once the store has the change, even when the client is gone by then.
      const end = res.end;
      res.end = function (...args) {
        const change = ++announced;
        held.set(change, () => end.apply(this, args));
        parentPort.postMessage({ changed: change });
        return this;
      };
    }
    handler(req, res);
  });
}
server.once('error', (err) => parentPort.postMessage({ error: err.message, code: err.code }));
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m && m.acknowledged !== undefined) {
    const release = held.get(m.acknowledged);
    held.delete(m.acknowledged);
    if (release) release();
    return;
  }
  for (const release of held.values()) release();
  held.clear();
  server.closeAllConnections();
  server.close((err) => parentPort.postMessage({ stopped: true, error: err ? err.message : undefined }));
});
`;

async function dynaliteThread(
  options: Parameters<DynaliteFactory>[0],
  port: number,
  onChange: (() => void) | undefined,
): Promise<DynaliteHandle> {
  const worker = new Worker(DYNALITE_THREAD, {
    eval: true,
    workerData: {
      module: requireHere.resolve('dynalite'),
      options,
      port,
      ...(onChange ? { reads: DYNAMO_READS } : {}),
    },
  });
  type Message = { port?: number; stopped?: boolean; changed?: number; error?: string; code?: string };
  if (onChange) {
    worker.on('message', (m: Message) => {
      if (m.changed === undefined) return;
      try {
        onChange();
      } finally {
        worker.postMessage({ acknowledged: m.changed });
      }
    });
  }
  const next = () =>
    new Promise<Message>((resolve, reject) => {
      const onError = (err: Error) => done(() => reject(err));
      const onExit = (code: number) => done(() => reject(new Error(`dynalite's thread exited (${code})`)));
      const onMessage = (m: Message) => m.changed !== undefined || done(() => resolve(m));
      const done = (settle: () => void) => {
        worker.off('error', onError).off('exit', onExit).off('message', onMessage);
        settle();
      };
      worker.on('error', onError).on('exit', onExit).on('message', onMessage);
    });
  const started = await next();
  if (started.port === undefined) {
    await worker.terminate();
    throw Object.assign(new Error(`dynalite did not start: ${started.error}`), { code: started.code });
  }
  return {
    port: started.port,
    stop: async () => {
      const stopped = next();
      worker.postMessage({ stop: true });
      const m = await stopped;
      // The store is closed by now. Left to exit by itself, the thread now and then never finished exiting
      // (within tens of stops on Node 20, with no JS left running: native teardown); terminate() does not hang.
      await worker.terminate();
      if (m.error) throw new Error(`dynalite did not stop cleanly: ${m.error}`);
    },
  };
}

/** dynalite on 127.0.0.1, tables ready at once. With `dir`, a LevelDB store there. */
export async function startDynamoEmulator(
  options: DynamoEmulatorOptions | number = {},
): Promise<DynamoEmulator> {
  const {
    port = 0,
    dir,
    thread = false,
    onChange,
  } = typeof options === 'number' ? { port: options } : options;
  if (onChange && !thread) throw new Error('startDynamoEmulator: onChange needs thread: true');
  const dynaliteOptions = {
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dir !== undefined ? { path: dir } : {}),
  };
  const handle = thread
    ? await dynaliteThread(dynaliteOptions, port, onChange)
    : await dynaliteHere(dynaliteOptions, port);
  const endpoint = `http://127.0.0.1:${handle.port}`;
  return {
    endpoint,
    port: handle.port,
    createRunsTable: async (name) => {
      const client = dynamoClientFor(endpoint);
      try {
        await client.send(new CreateTableCommand(runsTableInput(name)));
      } catch (err) {
        // A persistent store has the table from an earlier start.
        if ((err as { name?: string }).name !== 'ResourceInUseException') throw err;
      } finally {
        client.destroy();
      }
    },
    stop: handle.stop,
  };
}

export function s3ClientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: EMULATOR_REGION,
    credentials: EMULATOR_CREDENTIALS,
    forcePathStyle: true,
    maxAttempts: 1,
  });
}

/**
 * A client of a DynamoDB emulator. `unsigned` (only for the in-process emulator, dynalite) sends a
 * well-formed SigV4 header without computing its signature: dynalite checks the header's form and date, never
 * the signature, and hashing each body and its HMAC chain took about a sixth of the API's CPU per listing.
 */
export function dynamoClientFor(endpoint: string, o: { unsigned?: boolean } = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: EMULATOR_REGION,
    credentials: EMULATOR_CREDENTIALS,
    maxAttempts: 1,
    ...(o.unsigned ? { signer: { sign: unsignedForEmulator } } : {}),
  });
}

async function unsignedForEmulator<R extends { headers: Record<string, string> }>(request: R): Promise<R> {
  const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const scope = `${date.slice(0, 8)}/${EMULATOR_REGION}/dynamodb/aws4_request`;
  request.headers['x-amz-date'] = date;
  request.headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.accessKeyId}/${scope}, ` +
    'SignedHeaders=host;x-amz-date, Signature=unsigned';
  return request;
}

/** The runs table of shared/tables.ts as the CDK stack declares it, for every emulator that needs one. */
export function runsTableInput(name: string): CreateTableCommandInput {
  const index = RUNS_TABLE.ownerIndex;
  return {
    TableName: name,
    KeySchema: [{ AttributeName: RUNS_TABLE.partitionKey, KeyType: 'HASH' }],
    AttributeDefinitions: [
      { AttributeName: RUNS_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: index.partitionKey, AttributeType: 'S' },
      { AttributeName: index.sortKey, AttributeType: 'S' },
    ],
    // Projecting everything lets a listing return whole records without a GetItem per run.
    GlobalSecondaryIndexes: [
      {
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}
