/**
 * In-process AWS emulators for tests: fauxqs for S3 and dynalite for DynamoDB, in memory, on loopback ports,
 * started as the local platform starts them (scripts/platform/emulators.ts, where the table layout and the
 * clients are defined once). Tests point the real SDK at them, either with explicit clients (s3Client(),
 * dynamoClient()) or through the SDK's endpoint variables (env()), exactly as production code is pointed
 * at AWS.
 */

import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  dynamoClientFor,
  EMULATOR_CREDENTIALS,
  EMULATOR_REGION,
  s3ClientFor,
  startDynamoEmulator,
  startS3Emulator,
} from '../scripts/platform/emulators.ts';

export {
  type DynamoEmulator,
  dynamoClientFor,
  EMULATOR_CREDENTIALS,
  EMULATOR_REGION,
  type S3Emulator,
  s3ClientFor,
  startDynamoEmulator,
  startS3Emulator,
} from '../scripts/platform/emulators.ts';

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
