/**
 * The listing cache over the real run store, on dynalite on a thread of its own with its change signal
 * wired as `npm start` wires it: a repeated listing is answered without reaching the table, and any change
 * shows in the next listing, whether this store made it or another client wrote the table directly (as a
 * trainer does).
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../shared/run.ts';
import { parseSpec } from '../../shared/spec.ts';
import { runItem } from '../../shared/storage/run-item.ts';
import { type DynamoEmulator, dynamoClientFor, startDynamoEmulator } from '../../test/emulators.ts';
import type { ListQuery, RunPage, RunStore } from '../ports.ts';
import { ListCachedRunStore } from './list-cache.ts';
import { DynamoRunStore } from './run-store.ts';

const TABLE = 'ganzoo-runs';
let dynamo: DynamoEmulator;
let changes = 0;
let cached: ListCachedRunStore | undefined;
const client = () => dynamoClientFor(dynamo.endpoint);
const apiClient = () => dynamoClientFor(dynamo.endpoint, { unsigned: true });

beforeAll(async () => {
  dynamo = await startDynamoEmulator({
    thread: true,
    onChange: () => {
      changes++;
      cached?.invalidate();
    },
  });
  await dynamo.createRunsTable(TABLE);
});

afterAll(async () => {
  await dynamo.stop();
});

/**
 * The real store, with each of its listings counted (a listing served from the cache is not); unless
 * `announced` is false, the emulator's change signal drops its cache.
 */
function counted({ announced = true } = {}) {
  const store = new DynamoRunStore({ client: apiClient(), table: TABLE });
  const reads = { lists: 0 };
  const list = store.list.bind(store);
  store.list = (q) => {
    reads.lists++;
    return list(q);
  };
  const listing = new ListCachedRunStore(store);
  cached = announced ? listing : undefined;
  return { store: listing, reads };
}

let seq = 0;
function newRun(owner: string): RunRecord {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, ++seq)).toISOString();
  return {
    id: `run-${seq}-${Math.random().toString(36).slice(2, 8)}`,
    owner,
    spec: parseSpec({ family: 'dcgan', dataset: 'mnist' }),
    status: 'QUEUED',
    attempt: 0,
    createdAt: at,
    updatedAt: at,
    history: [{ status: 'QUEUED', attempt: 0, at }],
  };
}

const ids = (page: RunPage) => page.runs.map((r) => r.id);

describe('ListCachedRunStore on dynalite', () => {
  it('answers a repeated listing without reading the table, and keeps different listings apart', async () => {
    const { store, reads } = counted();
    const owner = `owner-${seq}`;
    for (let i = 0; i < 3; i++) await store.create(newRun(owner));
    const first = await store.list({ owner, limit: 2 });
    expect(reads.lists).toBe(1);
    expect(await store.list({ owner, limit: 2 })).toBe(first);
    expect(reads.lists).toBe(1);
    // Another page, limit, filter or owner is another listing.
    const next = await store.list({ owner, limit: 2, cursor: first.nextCursor! });
    await store.list({ owner, limit: 3 });
    await store.list({ owner, limit: 2, status: 'QUEUED' });
    await store.list({ owner, limit: 2, family: 'wgan' });
    expect((await store.list({ owner: `${owner}-other`, limit: 2 })).runs).toEqual([]);
    expect(reads.lists).toBe(6);
    expect(ids(next)).toHaveLength(1);
    expect(ids(first)).not.toContain(ids(next)[0]);
    // Shared between callers, so nobody may change it.
    expect(Object.isFrozen(first.runs[0]!.spec)).toBe(true);
  });

  it("shows the store's own create and update in the next listing, unannounced", async () => {
    const { store, reads } = counted({ announced: false });
    const owner = `owner-${seq}`;
    const a = newRun(owner);
    await store.create(a);
    expect(ids(await store.list({ owner, limit: 5 }))).toEqual([a.id]);
    const b = newRun(owner);
    await store.create(b);
    expect(ids(await store.list({ owner, limit: 5 }))).toEqual([b.id, a.id]);
    expect((await store.update(a.id, { status: 'SUBMITTED', jobId: 'job-1' })).ok).toBe(true);
    const page = await store.list({ owner, limit: 5 });
    expect(page.runs.find((r) => r.id === a.id)?.status).toBe('SUBMITTED');
    expect(reads.lists).toBe(3);
  });

  it('shows a change another client wrote to the table in the next listing after that write is answered', async () => {
    const { store } = counted();
    const owner = `owner-${seq}`;
    const run = newRun(owner);
    await store.create(run);
    expect((await store.list({ owner, limit: 5 })).runs[0]?.status).toBe('QUEUED');
    const before = changes;
    // A trainer's write: its own client, straight to the table, not through this store.
    const trainer = client();
    await trainer.send(
      new PutItemCommand({ TableName: TABLE, Item: runItem({ ...run, status: 'RUNNING', attempt: 1 }) }),
    );
    trainer.destroy();
    // Announced before the writer heard of it: no listing read after the write can be stale.
    expect(changes).toBeGreaterThan(before);
    expect((await store.list({ owner, limit: 5 })).runs[0]?.status).toBe('RUNNING');
  });

  it('announces no change for reads', async () => {
    const { store } = counted();
    const owner = `owner-${seq}`;
    await store.create(newRun(owner));
    const before = changes;
    await store.list({ owner, limit: 5 });
    await store.get('no-such-run');
    await store.listUnfinished();
    await new Promise((r) => setTimeout(r, 50));
    expect(changes).toBe(before);
  });

  it('is refused without a thread of its own', async () => {
    await expect(startDynamoEmulator({ onChange: () => {} })).rejects.toThrow(/onChange needs thread: true/);
  });
});

/**
 * A stand-in store (named so: the races need a listing held open at will) whose listings answer only when
 * released, or fail when told to.
 */
class HeldListStore implements RunStore {
  lists = 0;
  private held: { resolve: () => void; reject: (err: Error) => void }[] = [];
  async list(query: ListQuery): Promise<RunPage> {
    const n = ++this.lists;
    await new Promise<void>((resolve, reject) => this.held.push({ resolve, reject }));
    return { runs: [{ ...newRun(query.owner), id: `listed-${n}` }] };
  }
  release(): void {
    for (const h of this.held.splice(0)) h.resolve();
  }
  fail(message: string): void {
    for (const h of this.held.splice(0)) h.reject(new Error(message));
  }
  create = () => Promise.reject(new Error('not used'));
  update = () => Promise.reject(new Error('not used'));
  get = () => Promise.resolve(undefined);
  getMany = () => Promise.reject(new Error('not used'));
  listUnfinished = () => Promise.resolve([]);
  recordUsage = () => Promise.reject(new Error('not used'));
  setLabels = () => Promise.reject(new Error('not used'));
  reserveSlots = () => Promise.reject(new Error('not used'));
  releaseSlots = () => Promise.reject(new Error('not used'));
}

describe('ListCachedRunStore, races and bounds', () => {
  const q = { owner: 'o', limit: 5 };

  it('shares one read among callers asking at once', async () => {
    const held = new HeldListStore();
    const store = new ListCachedRunStore(held);
    const a = store.list(q);
    const b = store.list(q);
    held.release();
    expect(await a).toBe(await b);
    expect(held.lists).toBe(1);
  });

  it('does not keep, or share, a listing that was under way when a change was announced', async () => {
    const held = new HeldListStore();
    const store = new ListCachedRunStore(held);
    const before = store.list(q);
    store.invalidate();
    const after = store.list(q);
    expect(held.lists).toBe(2);
    held.release();
    expect(ids(await before)).toEqual(['listed-1']);
    expect(ids(await after)).toEqual(['listed-2']);
    expect(await store.list(q)).toBe(await after);
    expect(held.lists).toBe(2);
  });

  it('does not keep a failed read', async () => {
    const held = new HeldListStore();
    const store = new ListCachedRunStore(held);
    const failed = store.list(q);
    held.fail('emulator down');
    await expect(failed).rejects.toThrow('emulator down');
    const retried = store.list(q);
    held.release();
    expect(ids(await retried)).toEqual(['listed-2']);
  });

  it('keeps at most maxPages listings, dropping the oldest first', async () => {
    const held = new HeldListStore();
    const store = new ListCachedRunStore(held, 2);
    const list = async (owner: string) => {
      const p = store.list({ owner, limit: 5 });
      held.release();
      return p;
    };
    await list('a');
    await list('b');
    await list('c');
    expect(held.lists).toBe(3);
    await list('c');
    await list('b');
    expect(held.lists).toBe(3);
    await list('a');
    expect(held.lists).toBe(4);
  });
});
