import { setTimeout as sleep } from 'node:timers/promises';
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FamilyId } from '../../shared/catalog.ts';
import type { RunRecord, RunStatus } from '../../shared/run.ts';
import { parseSpec } from '../../shared/spec.ts';
import { RunSlots, TooManyRunsInFlight } from '../../shared/storage/run-slots.ts';
import { type DynamoEmulator, dynamoClientFor, startDynamoEmulator } from '../../test/emulators.ts';
import { DynamoStatusSink } from '../../trainer/sinks/dynamodb.ts';
import { StatusRefused } from '../../trainer/sinks/status-file.ts';
import type { RunPage } from '../ports.ts';
import {
  BadCursor,
  BadIdempotencyKey,
  DynamoRunStore,
  type DynamoRunStoreOptions,
  idempotencyItemId,
  RunExists,
} from './run-store.ts';

const TABLE = 'ganzoo-runs';
const quiet = { onRetry: () => {} };
const SPECS = {
  dcgan: parseSpec({ family: 'dcgan', dataset: 'mnist' }),
  vanilla: parseSpec({ family: 'vanilla', dataset: 'ring8' }),
} as const;

let dynamo: DynamoEmulator;
let client: DynamoDBClient;
/** A second API replica: its own client and connections, unsigned as `npm start`'s own (emulators.ts). */
let otherClient: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startDynamoEmulator();
  await dynamo.createRunsTable(TABLE);
  client = dynamoClientFor(dynamo.endpoint);
  otherClient = dynamoClientFor(dynamo.endpoint, { unsigned: true });
});

afterAll(async () => {
  client.destroy();
  otherClient.destroy();
  await dynamo.stop();
});

const store = (extra: Partial<DynamoRunStoreOptions> = {}) =>
  new DynamoRunStore({ client, table: TABLE, retry: quiet, claimGraceMs: 50, ...extra });
const replica = () => store({ client: otherClient });

let seq = 0;
/** Ids and owners unique per call, so tests share one table without seeing each other's runs. */
const uid = (prefix: string) => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

function newRun(
  owner: string,
  options: { createdAt?: string; family?: FamilyId; id?: string } = {},
): RunRecord {
  const at = options.createdAt ?? new Date().toISOString();
  return {
    id: options.id ?? uid('run'),
    owner,
    spec: SPECS[(options.family ?? 'dcgan') as keyof typeof SPECS],
    status: 'QUEUED',
    attempt: 1,
    createdAt: at,
    updatedAt: at,
  };
}

async function rawItem(id: string) {
  return (
    await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }))
  ).Item;
}

/** Every page of a listing, following nextCursor. */
async function allPages(
  s: DynamoRunStore,
  query: Omit<Parameters<DynamoRunStore['list']>[0], 'cursor'>,
): Promise<RunPage[]> {
  const pages: RunPage[] = [];
  let cursor: string | undefined;
  do {
    const page = await s.list({ ...query, ...(cursor !== undefined ? { cursor } : {}) });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 50);
  return pages;
}

/** `count` runs of one owner, one second apart, oldest first. */
async function seedRuns(owner: string, count: number, shape: (i: number) => Partial<RunRecord> = () => ({})) {
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  const runs = Array.from({ length: count }, (_, i) => {
    const run = newRun(owner, { createdAt: new Date(base + i * 1000).toISOString() });
    return { ...run, ...shape(i) } as RunRecord;
  });
  const s = store();
  // Written directly in any status: the status machine is tested on its own below.
  await Promise.all(runs.map((r) => s.create(r)));
  return runs;
}

describe("npm start's unsigned emulator client", () => {
  it('sends a well-formed header without a computed signature, which the emulator takes', async () => {
    const headers: Record<string, string>[] = [];
    otherClient.middlewareStack.add(
      (next) => async (args) => {
        headers.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: 'deserialize', name: 'captureHeaders' },
    );
    try {
      const run = newRun(uid('owner'));
      await replica().create(run);
      expect(await store().get(run.id)).toEqual(run);
    } finally {
      otherClient.middlewareStack.remove('captureHeaders');
    }
    expect(headers.length).toBeGreaterThan(0);
    for (const h of headers) {
      expect(h.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/.+, Signature=unsigned$/);
      expect(h['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    }
  });
});

describe('DynamoRunStore create and get', () => {
  it('stores every field of the record and reads it back, strongly consistent', async () => {
    const s = store();
    const run = { ...newRun(uid('owner')), jobId: 'job-1' };
    const out = await s.create(run);
    expect(out).toEqual({ run, created: true });
    expect(await s.get(run.id)).toEqual(run);
    const item = await rawItem(run.id);
    expect(item?.spec).toEqual({ S: JSON.stringify(run.spec) });
    expect(item?.family).toEqual({ S: 'dcgan' });
    expect(item?.owner).toEqual({ S: run.owner });
  });

  it('reads, lists, filters and updates runs stored with the spec as a map, as items were written before', async () => {
    const s = store();
    const owner = uid('owner');
    const base = Date.parse('2026-02-01T00:00:00.000Z');
    const at = (i: number) => new Date(base + i * 1000).toISOString();
    const old = [0, 1, 2].map((i) =>
      newRun(owner, { createdAt: at(i), family: i === 1 ? 'vanilla' : 'dcgan' }),
    );
    for (const run of old) {
      await client.send(
        new PutItemCommand({ TableName: TABLE, Item: marshall(run, { removeUndefinedValues: true }) }),
      );
    }
    const current = [3, 4].map((i) =>
      newRun(owner, { createdAt: at(i), family: i === 3 ? 'vanilla' : 'dcgan' }),
    );
    for (const run of current) await s.create(run);
    expect((await rawItem(old[0]!.id))?.spec?.M).toBeDefined();

    expect(await s.get(old[0]!.id)).toEqual(old[0]);
    const newestFirst = [...old, ...current].reverse();
    const listed = await allPages(s, { owner, limit: 2 });
    expect(listed.flatMap((p) => p.runs)).toEqual(newestFirst);
    const vanilla = await allPages(store({ filteredPageSize: 2 }), { owner, family: 'vanilla', limit: 5 });
    expect(vanilla.flatMap((p) => p.runs.map((r) => r.id))).toEqual([current[0]!.id, old[1]!.id]);

    const moved = await s.update(old[2]!.id, { status: 'SUBMITTED', jobId: 'job-old' });
    expect(moved.ok).toBe(true);
    expect(await s.get(old[2]!.id)).toMatchObject({
      spec: old[2]!.spec,
      status: 'SUBMITTED',
      jobId: 'job-old',
    });
  });

  it('answers undefined for unknown ids, ids that are not run ids and idempotency items', async () => {
    const s = store();
    const run = newRun(uid('owner'));
    await s.create(run, 'key-1');
    expect(await s.get('no-such-run')).toBeUndefined();
    expect(await s.get('has space')).toBeUndefined();
    expect(await s.get(idempotencyItemId(run.owner, 'key-1'))).toBeUndefined();
    expect(await rawItem(idempotencyItemId(run.owner, 'key-1'))).toBeDefined();
  });

  it('reads many runs in their order across batches of 100, with undefined for what is not a run', async () => {
    const s = store();
    const owner = uid('owner');
    const runs = Array.from({ length: 130 }, () => newRun(owner));
    for (const r of runs) await s.create(r, undefined);
    await s.update(runs[120]!.id, { status: 'SUBMITTED', jobId: 'job-120' });
    const ids = [...runs.map((r) => r.id).reverse(), 'no-such-run', 'has space', runs[3]!.id];
    const got = await s.getMany(ids);
    expect(got).toHaveLength(ids.length);
    expect(got.slice(0, 130).map((r) => r?.id)).toEqual(runs.map((r) => r.id).reverse());
    expect(got[130]).toBeUndefined();
    expect(got[131]).toBeUndefined();
    expect(got[132]).toEqual(await s.get(runs[3]!.id));
    expect(got[9]).toMatchObject({ id: runs[120]!.id, status: 'SUBMITTED', jobId: 'job-120' });
    expect(await s.getMany([])).toEqual([]);
  });

  it('refuses a second run with the same id', async () => {
    const s = store();
    const run = newRun(uid('owner'));
    await s.create(run);
    await expect(s.create({ ...newRun(uid('owner')), id: run.id })).rejects.toBeInstanceOf(RunExists);
    expect((await s.get(run.id))?.owner).toBe(run.owner);
  });
});

describe('DynamoRunStore list', () => {
  it('lists newest first, 10 at a time, with a cursor until the end', async () => {
    const owner = uid('owner');
    const runs = await seedRuns(owner, 25);
    await seedRuns(uid('someone-else'), 3);
    // An idempotency item of this owner must not show up as a run.
    await store().create(newRun(owner, { createdAt: '2025-06-01T00:00:00.000Z' }), 'k');
    const pages = await allPages(store(), { owner, limit: 10 });
    expect(pages.map((p) => p.runs.length)).toEqual([10, 10, 6]);
    expect(pages[2]?.nextCursor).toBeUndefined();
    const ids = pages.flatMap((p) => p.runs.map((r) => r.id));
    expect(ids.slice(0, 25)).toEqual(runs.map((r) => r.id).reverse());
    expect(new Set(ids).size).toBe(26);
  });

  it('gives no cursor when the last page is exactly full', async () => {
    const owner = uid('owner');
    await seedRuns(owner, 20);
    const pages = await allPages(store(), { owner, limit: 10 });
    expect(pages.map((p) => p.runs.length)).toEqual([10, 10]);
  });

  it('filters by status and family across pages, never returning an empty page while more match', async () => {
    const owner = uid('owner');
    const statuses: RunStatus[] = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'RUNNING'];
    const runs = await seedRuns(owner, 25, (i) => ({
      status: statuses[i % 5],
      spec: i % 3 === 0 ? SPECS.vanilla : SPECS.dcgan,
    }));
    // Small index reads, so that one page needs several Query calls and some calls match nothing.
    const s = store({ filteredPageSize: 4 });
    const newestFirst = [...runs].reverse();
    const cases = [
      { status: 'RUNNING' as const },
      { family: 'vanilla' },
      { status: 'RUNNING' as const, family: 'vanilla' },
      { status: 'FAILED' as const, family: 'dcgan' },
    ];
    for (const filter of cases) {
      const expected = newestFirst
        .filter((r) => filter.status === undefined || r.status === filter.status)
        .filter((r) => filter.family === undefined || r.spec.family === filter.family)
        .map((r) => r.id);
      const pages = await allPages(s, { owner, limit: 3, ...filter });
      expect(pages.flatMap((p) => p.runs.map((r) => r.id))).toEqual(expected);
      for (const page of pages) expect(page.runs.length).toBe(page.nextCursor ? 3 : page.runs.length);
      expect(pages.every((p) => p.runs.length > 0)).toBe(true);
    }
  });

  it('finds a single match at the far end of the index on the first page', async () => {
    const owner = uid('owner');
    await seedRuns(owner, 25, (i) => ({ status: i === 0 ? 'CANCELLED' : 'SUCCEEDED' }));
    const page = await store({ filteredPageSize: 4 }).list({ owner, status: 'CANCELLED', limit: 10 });
    expect(page.runs).toHaveLength(1);
    expect(page.nextCursor).toBeUndefined();
  });

  it('rejects a cursor it did not hand out with BadCursor, and a limit out of range', async () => {
    const s = store();
    const owner = uid('owner');
    const bad = [
      'not base64 at all!',
      Buffer.from('{"id":"x"}').toString('base64url'),
      Buffer.from('["2026-01-01T00:00:00.000Z","idem#a#b"]').toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
    ];
    for (const cursor of bad) await expect(s.list({ owner, limit: 10, cursor })).rejects.toThrow(BadCursor);
    await expect(s.list({ owner, limit: 0 })).rejects.toThrow(RangeError);
    await expect(s.list({ owner, limit: 101 })).rejects.toThrow(RangeError);
  });
});

describe('DynamoRunStore idempotent create', () => {
  it('returns the first run for a retried submit with the same key', async () => {
    const s = store();
    const owner = uid('owner');
    const first = await s.create(newRun(owner), 'submit-1');
    const retry = await s.create(newRun(owner), 'submit-1');
    expect(first.created).toBe(true);
    expect(retry).toEqual({ run: first.run, created: false });
    expect((await s.list({ owner, limit: 10 })).runs.map((r) => r.id)).toEqual([first.run.id]);
  });

  it('keeps the same key of different owners apart, even when owners contain the separator', async () => {
    const s = store();
    const a = await s.create(newRun('team#a'), 'b#shared');
    const b = await s.create(newRun('team'), 'a#b#shared');
    const c = await s.create(newRun(uid('owner')), 'b#shared');
    expect([a.created, b.created, c.created]).toEqual([true, true, true]);
    expect(new Set([a.run.id, b.run.id, c.run.id]).size).toBe(3);
  });

  it('stores exactly one run when replicas race on one key', async () => {
    const owner = uid('owner');
    const stores = [store(), replica(), store(), replica()];
    const results = await Promise.all(stores.map((s) => s.create(newRun(owner), 'race')));
    const ids = new Set(results.map((r) => r.run.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await store().list({ owner, limit: 10 })).runs.map((r) => r.id)).toEqual([...ids]);
  });

  it('ends with one run when the claimant writes its run only after another request recovered it', async () => {
    const slowClient = dynamoClientFor(dynamo.endpoint);
    // Holds back the run put (not the claim) past the other request's grace period.
    slowClient.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Item?: { id?: { S?: string } } };
        if (context.commandName === 'PutItemCommand' && !input.Item?.id?.S?.startsWith('idem#')) {
          await sleep(300);
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    try {
      const owner = uid('owner');
      const slow = store({ client: slowClient }).create(newRun(owner), 'slow');
      await sleep(50);
      const fast = await store({ claimGraceMs: 20 }).create(newRun(owner), 'slow');
      const late = await slow;
      expect(fast.created).toBe(true);
      expect(late).toEqual({ run: fast.run, created: false });
      expect((await store().list({ owner, limit: 10 })).runs).toEqual([fast.run]);
    } finally {
      slowClient.destroy();
    }
  });

  it('makes the run a crashed request claimed but never wrote', async () => {
    const s = store();
    const owner = uid('owner');
    const orphanId = uid('orphan');
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: marshall({
          id: idempotencyItemId(owner, 'crash'),
          runId: orphanId,
          createdAt: new Date().toISOString(),
        }),
      }),
    );
    const out = await s.create(newRun(owner), 'crash');
    expect(out.created).toBe(true);
    expect(out.run.id).toBe(orphanId);
    expect(await s.get(orphanId)).toEqual(out.run);
    expect(await s.create(newRun(owner), 'crash')).toEqual({ run: out.run, created: false });
  });

  it('rejects keys the table cannot hold', async () => {
    const s = store();
    await expect(s.create(newRun(uid('owner')), '')).rejects.toThrow(BadIdempotencyKey);
    await expect(s.create(newRun(uid('owner')), 'k'.repeat(256))).rejects.toThrow(BadIdempotencyKey);
  });
});

describe('DynamoRunStore update', () => {
  it('moves a run forward, refuses moves backwards, and ignores duplicates and late progress', async () => {
    const s = store();
    const run = newRun(uid('owner'));
    await s.create(run);
    const versions = [run.updatedAt];
    const step = async (update: Parameters<DynamoRunStore['update']>[1]) => {
      const result = await s.update(run.id, update);
      if (result.ok && result.changed) versions.push(result.record.updatedAt);
      return result;
    };
    expect(await step({ status: 'SUBMITTED', jobId: 'job-1' })).toMatchObject({ ok: true, changed: true });
    expect(await step({ status: 'STARTING' })).toMatchObject({ ok: true, changed: true });
    const progress = { step: 50, totalSteps: 100, backend: 'wasm', losses: { d: 0.5, g: 1.5 } };
    expect(await step({ status: 'RUNNING', progress })).toMatchObject({ ok: true, changed: true });
    const late = await step({ status: 'RUNNING', progress: { step: 40, totalSteps: 100 } });
    expect(late).toMatchObject({ ok: true, changed: false });
    expect(await step({ status: 'SUBMITTED' })).toEqual({
      ok: false,
      reason: 'cannot move from RUNNING back to SUBMITTED',
    });
    expect(await step({ status: 'SUCCEEDED' })).toMatchObject({ ok: true, changed: true });
    expect(await step({ status: 'SUCCEEDED' })).toMatchObject({ ok: true, changed: false });
    expect(await step({ status: 'FAILED', reason: 'late' })).toEqual({
      ok: false,
      reason: `run ${run.id} already ended as SUCCEEDED`,
    });

    const stored = await s.get(run.id);
    expect(stored).toMatchObject({ status: 'SUCCEEDED', jobId: 'job-1', progress, attempt: 1 });
    expect(stored?.reason).toBeUndefined();
    expect([...versions].sort()).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
    const item = await rawItem(run.id);
    expect(item?.progress?.M?.losses?.M?.d).toEqual({ N: '0.5' });
    // One history entry per status entered, each at the version that entered it.
    expect(stored?.history?.map((h) => h.status)).toEqual(['SUBMITTED', 'STARTING', 'RUNNING', 'SUCCEEDED']);
    expect(stored?.history?.map((h) => h.at)).toEqual(versions.slice(1));
  });

  it('answers a refusal for a run that does not exist', async () => {
    expect(await store().update('missing-run', { status: 'CANCELLED' })).toEqual({
      ok: false,
      reason: 'run missing-run does not exist',
    });
  });

  it('loses no update when replicas write concurrently', async () => {
    const run = { ...newRun(uid('owner')), status: 'RUNNING' as const };
    await store().create(run);
    const updates = [
      replica().update(run.id, { status: 'RUNNING', jobId: 'job-9' }),
      ...Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? store() : replica()).update(run.id, {
          status: 'RUNNING',
          progress: { step: i + 1, totalSteps: 10 },
        }),
      ),
    ];
    const results = await Promise.all(updates);
    expect(results.every((r) => r.ok)).toBe(true);
    const stored = await store().get(run.id);
    expect(stored?.jobId).toBe('job-9');
    expect(stored?.progress?.step).toBe(6);
  });

  it('lets exactly one of two racing final states win; the other is refused cleanly', async () => {
    const run = { ...newRun(uid('owner')), status: 'RUNNING' as const };
    await store().create(run);
    const [a, b] = await Promise.all([
      store().update(run.id, { status: 'CANCELLED', reason: 'cancelled by the user' }),
      replica().update(run.id, { status: 'SUCCEEDED' }),
    ]);
    const winners = [a, b].filter((r) => r?.ok);
    expect(winners).toHaveLength(1);
    const loser = [a, b].find((r) => !r?.ok);
    expect(loser).toMatchObject({ ok: false, reason: expect.stringMatching(/already ended as/) });
    const final = await store().get(run.id);
    expect(final?.status).toBe(winners[0]?.ok ? winners[0].record.status : undefined);
  });
});

describe('DynamoRunStore and the trainer status sink share one item format', () => {
  const sink = (seed?: ConstructorParameters<typeof DynamoStatusSink>[0]['seed']) =>
    new DynamoStatusSink({ client, table: TABLE, retry: quiet, ...(seed ? { seed } : {}) });

  it('reads what the trainer reports, and the trainer sees what the store writes', async () => {
    const s = store();
    const run = newRun(uid('owner'));
    await s.create(run);
    await s.update(run.id, { status: 'SUBMITTED', jobId: 'job-3' });
    const trainer = sink();
    await trainer.report({ runId: run.id, status: 'STARTING', attempt: 1 });
    const progress = { step: 7, totalSteps: 20, imagesPerSecond: 120.5, losses: { d: 0.25 } };
    await trainer.report({ runId: run.id, status: 'RUNNING', attempt: 1, progress });
    expect(await s.get(run.id)).toMatchObject({
      status: 'RUNNING',
      jobId: 'job-3',
      progress,
      spec: run.spec,
    });
    expect((await s.list({ owner: run.owner, limit: 5 })).runs[0]?.progress).toEqual(progress);

    expect(await s.update(run.id, { status: 'CANCELLED', reason: 'stopped' })).toMatchObject({ ok: true });
    expect(await trainer.read(run.id)).toMatchObject({ status: 'CANCELLED', reason: 'stopped' });
    await expect(
      trainer.report({ runId: run.id, status: 'RUNNING', attempt: 1, progress: { step: 8, totalSteps: 20 } }),
    ).rejects.toBeInstanceOf(StatusRefused);
    // A listing leaves the history out; the run itself has it.
    const listed = (await s.list({ owner: run.owner, limit: 5 })).runs[0]!;
    expect(listed.history).toBeUndefined();
    expect(listed).toEqual({ ...(await s.get(run.id)), history: undefined });
    // Both writers append to the same history.
    expect((await s.get(run.id))?.history?.map((h) => h.status)).toEqual([
      'SUBMITTED',
      'STARTING',
      'RUNNING',
      'CANCELLED',
    ]);
  });

  it('lists and updates a run the trainer created by hand', async () => {
    const owner = uid('owner');
    const runId = uid('by-hand');
    await sink({ owner, spec: SPECS.vanilla }).report({ runId, status: 'STARTING', attempt: 1 });
    const s = store();
    const listed = await s.list({ owner, limit: 5, family: 'vanilla' });
    expect(listed.runs.map((r) => r.id)).toEqual([runId]);
    expect(listed.runs[0]).toMatchObject({ owner, spec: SPECS.vanilla, status: 'STARTING', attempt: 1 });
    expect(await s.update(runId, { status: 'RUNNING', progress: { step: 1, totalSteps: 5 } })).toMatchObject({
      ok: true,
      changed: true,
    });
    expect(await sink().read(runId)).toMatchObject({ status: 'RUNNING' });
  });
});

describe('DynamoRunStore listUnfinished', () => {
  it('finds the submitted, starting and running runs of every owner, and nothing else', async () => {
    const s = store();
    const ids: Record<string, string> = {};
    for (const status of ['QUEUED', 'SUBMITTED', 'STARTING', 'RUNNING', 'SUCCEEDED', 'CANCELLED'] as const) {
      const run = newRun(uid('owner'));
      await s.create(run);
      if (status !== 'QUEUED') expect((await s.update(run.id, { status })).ok).toBe(true);
      ids[status] = run.id;
    }
    const unfinished = new Set((await s.listUnfinished()).map((r) => r.id));
    for (const status of ['SUBMITTED', 'STARTING', 'RUNNING'])
      expect(unfinished.has(ids[status]!)).toBe(true);
    for (const status of ['QUEUED', 'SUCCEEDED', 'CANCELLED'])
      expect(unfinished.has(ids[status]!)).toBe(false);
  });
});

describe('DynamoRunStore runs in flight', () => {
  const slots = () => new RunSlots(client, TABLE, { attempts: 1, baseMs: 0, maxMs: 0, onRetry: () => {} });
  const limited = (maxRunsInFlight: number, extra: Partial<DynamoRunStoreOptions> = {}) =>
    store({ maxRunsInFlight, ...extra });

  it('lets exactly one of two concurrent creates at the limit in, and stores nothing for the other', async () => {
    const owner = uid('owner');
    await limited(2).create(newRun(owner));
    const racers = [newRun(owner), newRun(owner)];
    const outcomes = await Promise.allSettled([
      limited(2).create(racers[0]!),
      limited(2, { client: otherClient }).create(racers[1]!),
    ]);
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(TooManyRunsInFlight);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ limit: 2, inFlight: 2 });
    const stored = await Promise.all(racers.map((r) => store().get(r.id)));
    expect(stored.filter(Boolean)).toHaveLength(1);
    expect(await slots().held(owner)).toHaveLength(2);
  });

  it('frees the slot in the write that ends the run, once, and takes a new one on resume', async () => {
    const owner = uid('owner');
    const s = limited(1);
    const run = (await s.create(newRun(owner))).run;
    expect(await slots().held(owner)).toEqual([`${run.id}#1`]);
    await expect(s.create(newRun(owner))).rejects.toBeInstanceOf(TooManyRunsInFlight);
    expect((await s.update(run.id, { status: 'CANCELLED', reason: 'by hand' })).ok).toBe(true);
    expect(await slots().held(owner)).toEqual([]);
    // The same end again changes nothing and frees nothing.
    expect(await s.update(run.id, { status: 'CANCELLED', reason: 'by hand' })).toMatchObject({
      changed: false,
    });
    const other = (await s.create(newRun(owner))).run;
    // A resume at the limit is refused and leaves the run as it was.
    await expect(s.update(run.id, { status: 'QUEUED', attempt: 2, resume: true })).rejects.toMatchObject({
      name: 'TooManyRunsInFlight',
    });
    expect((await s.get(run.id))?.status).toBe('CANCELLED');
    await s.update(other.id, { status: 'FAILED', reason: 'x' });
    expect((await s.update(run.id, { status: 'QUEUED', attempt: 2, resume: true })).ok).toBe(true);
    expect(await slots().held(owner)).toEqual([`${run.id}#2`]);
    // A late free of the slot the run held before its resume frees nothing of the resumed run's.
    expect(await slots().free(owner, `${run.id}#1`)).toBe(false);
    expect(await slots().held(owner)).toEqual([`${run.id}#2`]);
  });

  it('frees at the limit a slot whose run ended without freeing it, and never a live one', async () => {
    const owner = uid('owner');
    const s = limited(2);
    const live = (await s.create(newRun(owner))).run;
    const ended = (await s.create(newRun(owner))).run;
    // Ended by a writer that stopped before it freed the slot: the item moves, the slot stays.
    await rawWrite(ended.id, 'SUCCEEDED');
    expect(await slots().held(owner)).toHaveLength(2);
    const next = (await s.create(newRun(owner))).run;
    expect(await slots().held(owner)).toEqual([`${live.id}#1`, `${next.id}#1`].sort());
    await expect(s.create(newRun(owner))).rejects.toMatchObject({ inFlight: 2 });
  });

  it('frees the slot of a create whose run could not be written', async () => {
    const owner = uid('owner');
    const taken = newRun(uid('other-owner'));
    await store().create(taken);
    await expect(limited(1).create({ ...newRun(owner), id: taken.id })).rejects.toBeInstanceOf(RunExists);
    expect(await slots().held(owner)).toEqual([]);
  });

  it('gives an idempotent retry at the limit its run, not a refusal', async () => {
    const owner = uid('owner');
    const first = await limited(1).create(newRun(owner), 'key-1');
    const again = await limited(1).create(newRun(owner), 'key-1');
    expect(again).toEqual({ run: first.run, created: false });
    await expect(limited(1).create(newRun(owner), 'key-2')).rejects.toBeInstanceOf(TooManyRunsInFlight);
    // The refused request's claim is released: the key is free for a later try.
    expect(await rawItem(idempotencyItemId(owner, 'key-2'))).toBeUndefined();
  });
});

/** Moves a run's status in the table without the store, as a writer that stopped right after would leave it. */
async function rawWrite(id: string, status: RunStatus): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: { id: { S: id } },
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: status } },
    }),
  );
}
