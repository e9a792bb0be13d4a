/**
 * In-process AWS emulators for tests: fauxqs for S3 (in memory) and dynalite for DynamoDB (in memory).
 * No Docker, no Python; each starts in well under a second on a free port. Tests point the real SDK at
 * them, either with explicit clients (s3Client(), dynamoClient()) or through the SDK's endpoint variables
 * (env()), exactly as production code is pointed at AWS.
 */

import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { startFauxqs } from 'fauxqs';
import { RUNS_TABLE } from '../shared/tables.ts';

export const EMULATOR_REGION = 'us-east-1';
export const EMULATOR_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface S3Emulator {
  endpoint: string;
  port: number;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface DynamoEmulator {
  endpoint: string;
  port: number;
  /**
   * A runs table as the API and trainer use it: hash key `id` (S), on-demand, and the owner index of
   * shared/tables.ts (owner HASH, createdAt RANGE, all attributes projected).
   */
  createRunsTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface Emulators {
  s3Endpoint: string;
  dynamoEndpoint: string;
  region: string;
  createBucket(name: string): Promise<void>;
  createRunsTable(name: string): Promise<void>;
  /** Clients with retries off, so a test sees each failure as it happens. */
  s3Client(): S3Client;
  dynamoClient(): DynamoDBClient;
  /** The variables that point any SDK v3 client (and the default provider chain) at these emulators. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

/** fauxqs on `port` (0: any free port). In memory: a restart starts with no buckets. */
export async function startS3Emulator(port = 0): Promise<S3Emulator> {
  const server = await startFauxqs({ port, logger: false, defaultRegion: EMULATOR_REGION });
  return {
    endpoint: server.address,
    port: server.port,
    createBucket: async (name) => {
      server.createBucket(name);
    },
    stop: () => server.stop(),
  };
}

type DynaliteFactory = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;
// dynalite is CommonJS without type declarations; this is the one call we make.
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

/** dynalite on `port` (0: any free port), tables ready at once. In memory: a restart starts empty. */
export async function startDynamoEmulator(port = 0): Promise<DynamoEmulator> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${actualPort}`;
  return {
    endpoint,
    port: actualPort,
    createRunsTable: async (name) => {
      const client = dynamoClientFor(endpoint);
      const index = RUNS_TABLE.ownerIndex;
      try {
        await client.send(
          new CreateTableCommand({
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
          }),
        );
      } finally {
        client.destroy();
      }
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets from SDK clients would otherwise hold close() open.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
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

export function dynamoClientFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: EMULATOR_REGION,
    credentials: EMULATOR_CREDENTIALS,
    maxAttempts: 1,
  });
}

/**
 * A TCP relay in front of an emulator that can be taken down and brought back on the same port, to test
 * outages without losing the emulator's in-memory state. Down means connection refused, as when a service
 * is unreachable; open connections are cut.
 */
export interface Outage {
  endpoint: string;
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOutageProxy(target: string): Promise<Outage> {
  const { port: targetPort, hostname } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(targetPort), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  let listening = true;
  const down = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    down,
    up: async () => {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    stop: down,
  };
}

export async function startEmulators(): Promise<Emulators> {
  const [s3, dynamo] = await Promise.all([startS3Emulator(), startDynamoEmulator()]);
  return {
    s3Endpoint: s3.endpoint,
    dynamoEndpoint: dynamo.endpoint,
    region: EMULATOR_REGION,
    createBucket: s3.createBucket,
    createRunsTable: dynamo.createRunsTable,
    s3Client: () => s3ClientFor(s3.endpoint),
    dynamoClient: () => dynamoClientFor(dynamo.endpoint),
    env: () => ({
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: EMULATOR_REGION,
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    }),
    stop: async () => {
      await Promise.all([s3.stop(), dynamo.stop()]);
    },
  };
}
