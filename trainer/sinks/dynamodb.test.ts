import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../shared/spec.ts';
import { RetriesExhausted } from '../../shared/storage/retry.ts';
import { runItem } from '../../shared/storage/run-item.ts';
import { RunSlots } from '../../shared/storage/run-slots.ts';
import {
  type DynamoEmulator,
  dynamoClientFor,
  type Outage,
  startDynamoEmulator,
  startOutageProxy,
} from '../../test/emulators.ts';
import { DynamoStatusSink } from './dynamodb.ts';
import { StatusRefused } from './status-file.ts';

// The shared status contract (happy path, late heartbeats, cancel, retry attempts, races) runs against
// this sink in status-file.test.ts; these are the DynamoDB-specific parts.

const TABLE = 'ganzoo-runs';
const quiet = { onRetry: () => {} };
let dynamo: DynamoEmulator;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startDynamoEmulator();
  await dynamo.createRunsTable(TABLE);
  client = dynamoClientFor(dynamo.endpoint);
});

afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

const sink = (extra: Partial<ConstructorParameters<typeof DynamoStatusSink>[0]> = {}) =>
  new DynamoStatusSink({ client, table: TABLE, retry: quiet, ...extra });

async function rawItem(runId: string) {
  return (
    await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { id: { S: runId } }, ConsistentRead: true }),
    )
  ).Item;
}

/** Counts ConditionalCheckFailed answers seen by a client. */
function countConflicts(c: DynamoDBClient): { count: number } {
  const seen = { count: 0 };
  c.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if ((err as Error).name === 'ConditionalCheckFailedException') seen.count++;
        throw err;
      }
    },
    { step: 'initialize' },
  );
  return seen;
}

describe('DynamoStatusSink', () => {
  it('creates a run started by hand, with the seed, and stores progress as a map', async () => {
    const spec = parseSpec({ family: 'dcgan', dataset: 'mnist' });
    const s = sink({ seed: { owner: 'cli', spec } });
    await s.report({ runId: 'by-hand', status: 'STARTING', attempt: 1 });
    await s.report({
      runId: 'by-hand',
      status: 'RUNNING',
      attempt: 1,
      progress: { step: 3, totalSteps: 10, backend: 'wasm', losses: { d: 0.5 } },
    });
    const item = await rawItem('by-hand');
    expect(item?.id).toEqual({ S: 'by-hand' });
    expect(item?.status).toEqual({ S: 'RUNNING' });
    expect(item?.attempt).toEqual({ N: '1' });
    expect(item?.owner).toEqual({ S: 'cli' });
    expect(item?.progress?.M?.step).toEqual({ N: '3' });
    expect(item?.progress?.M?.losses?.M?.d).toEqual({ N: '0.5' });
    expect((await s.read('by-hand'))?.spec).toEqual(spec);
  });

  it('updates only what the trainer reports on a record the API created', async () => {
    const spec = parseSpec({ family: 'dcgan', dataset: 'mnist' });
    const at = '2026-01-01T00:00:00.000Z';
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: marshall({
          id: 'from-api',
          owner: 'someone',
          spec,
          status: 'SUBMITTED',
          attempt: 1,
          jobId: 'job-1',
          createdAt: at,
          updatedAt: at,
          ownerCreatedIndex: 'x',
        }),
      }),
    );
    await sink().report({ runId: 'from-api', status: 'STARTING', attempt: 1 });
    const r = await sink().read('from-api');
    expect(r).toMatchObject({ status: 'STARTING', owner: 'someone', jobId: 'job-1', spec, createdAt: at });
    expect((r as Record<string, unknown>).ownerCreatedIndex).toBe('x');
  });

  it("frees the run's slot among its owner's runs in flight when it reports the run's end, once", async () => {
    const slots = new RunSlots(client, TABLE, { attempts: 1, baseMs: 0, maxMs: 0, onRetry: () => {} });
    const at = new Date().toISOString();
    const spec = parseSpec({ family: 'vanilla', dataset: 'ring8' });
    // As the API submits a run: its slot taken, then the run written QUEUED.
    const submit = async (id: string) => {
      expect(await slots.take('slot-owner', `${id}#1`, 1)).toBe(true);
      const history = [{ status: 'QUEUED' as const, attempt: 1, at }];
      const run = {
        id,
        owner: 'slot-owner',
        spec,
        status: 'QUEUED',
        attempt: 1,
        createdAt: at,
        updatedAt: at,
        history,
      };
      await client.send(new PutItemCommand({ TableName: TABLE, Item: runItem(run) }));
    };
    await submit('slot-1');
    await sink().report({ runId: 'slot-1', status: 'RUNNING', attempt: 1 });
    expect(await slots.held('slot-owner')).toEqual(['slot-1#1']);
    await sink().report({ runId: 'slot-1', status: 'SUCCEEDED', attempt: 1 });
    expect(await slots.held('slot-owner')).toEqual([]);
    // The owner's next run gets the slot; a repeated report of the end frees nothing of it.
    await submit('slot-2');
    await sink().report({ runId: 'slot-1', status: 'SUCCEEDED', attempt: 1 });
    expect(await slots.held('slot-owner')).toEqual(['slot-2#1']);
  });

  it('refuses with StatusRefused once the API has cancelled the run', async () => {
    const s = sink();
    await s.report({
      runId: 'api-cancel',
      status: 'RUNNING',
      attempt: 1,
      progress: { step: 1, totalSteps: 9 },
    });
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { id: { S: 'api-cancel' } },
        UpdateExpression: 'SET #s = :c, updatedAt = :u',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':c': { S: 'CANCELLED' }, ':u': { S: new Date().toISOString() } },
      }),
    );
    const err = await s
      .report({ runId: 'api-cancel', status: 'RUNNING', attempt: 1, progress: { step: 2, totalSteps: 9 } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatusRefused);
    expect(err).toMatchObject({ runId: 'api-cancel', current: { status: 'CANCELLED', attempt: 1 } });
  });

  it('re-reads and retries when another writer got in between', async () => {
    const a = dynamoClientFor(dynamo.endpoint);
    const b = dynamoClientFor(dynamo.endpoint);
    const conflicts = [countConflicts(a), countConflicts(b)];
    const sa = sink({ client: a });
    const sb = sink({ client: b });
    // Both create at once: one PutItem wins, the other re-reads and finds nothing left to do.
    await Promise.all([
      sa.report({ runId: 'race', status: 'STARTING', attempt: 1 }),
      sb.report({ runId: 'race', status: 'STARTING', attempt: 1 }),
    ]);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? sa : sb).report({
          runId: 'race',
          status: 'RUNNING',
          attempt: 1,
          progress: { step: i + 1, totalSteps: 10 },
        }),
      ),
    );
    expect((await sa.read('race'))?.progress?.step).toBe(10);
    expect(conflicts[0]!.count + conflicts[1]!.count).toBeGreaterThan(0);
    a.destroy();
    b.destroy();
  });

  it('gives up clearly when every conditional write loses', async () => {
    const c = dynamoClientFor(dynamo.endpoint);
    // Every UpdateItem answers as if someone else had just written.
    c.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') {
          throw Object.assign(new Error('The conditional request failed'), {
            name: 'ConditionalCheckFailedException',
          });
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const s = sink({ client: c, conflictAttempts: 3 });
    await s.report({ runId: 'contended', status: 'STARTING', attempt: 1 });
    await expect(s.report({ runId: 'contended', status: 'RUNNING', attempt: 1 })).rejects.toThrow(
      /run contended: RUNNING not written: 3 conditional writes to ganzoo-runs lost to other writers/,
    );
    c.destroy();
  });

  it('does not retry a permanent error such as a missing table', async () => {
    let retries = 0;
    const s = sink({ table: 'no-such-table', retry: { onRetry: () => retries++ } });
    await expect(s.report({ runId: 'x', status: 'STARTING', attempt: 1 })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(retries).toBe(0);
  });
});

describe('DynamoStatusSink during an outage', () => {
  let proxy: Outage;
  let proxied: DynamoDBClient;

  beforeAll(async () => {
    proxy = await startOutageProxy(dynamo.endpoint);
    proxied = dynamoClientFor(proxy.endpoint);
  });
  afterEach(() => proxy.up());
  afterAll(async () => {
    proxied.destroy();
    await proxy.stop();
  });

  it('retries while DynamoDB is down and writes once it is back', async () => {
    let retries = 0;
    const s = sink({
      client: proxied,
      retry: { attempts: 50, baseMs: 20, maxMs: 50, onRetry: () => retries++ },
    });
    await s.report({ runId: 'outage', status: 'STARTING', attempt: 1 });
    await proxy.down();
    const pending = s.report({
      runId: 'outage',
      status: 'RUNNING',
      attempt: 1,
      progress: { step: 4, totalSteps: 8 },
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(retries).toBeGreaterThan(2);
    await proxy.up();
    await pending;
    expect(await sink().read('outage')).toMatchObject({ status: 'RUNNING', progress: { step: 4 } });
  });

  it('fails with a message naming the table, the run and how long it tried', async () => {
    const s = sink({ client: proxied, retry: { attempts: 3, baseMs: 20, maxMs: 40, onRetry: () => {} } });
    await proxy.down();
    const err = await s.report({ runId: 'down', status: 'STARTING', attempt: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhausted);
    expect((err as Error).message).toMatch(
      /^DynamoDB unavailable: GetItem ganzoo-runs id=down failed 3 times over \d+\.\d s: .*ECONNREFUSED/,
    );
  });
});
