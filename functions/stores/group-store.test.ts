/** Groups in the runs table, on dynalite: stored whole, listed per owner newest first, apart from runs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandGroup, type GroupRecord } from '../../shared/group.ts';
import type { RunRecord } from '../../shared/run.ts';
import { type DynamoEmulator, dynamoClientFor, startDynamoEmulator } from '../../test/emulators.ts';
import { DynamoGroupStore } from './group-store.ts';
import { DynamoRunStore } from './run-store.ts';

const TABLE = 'ganzoo-runs';
let dynamo: DynamoEmulator;
let groups: DynamoGroupStore;
let runs: DynamoRunStore;

beforeAll(async () => {
  dynamo = await startDynamoEmulator();
  await dynamo.createRunsTable(TABLE);
  groups = new DynamoGroupStore({ client: dynamoClientFor(dynamo.endpoint), table: TABLE });
  runs = new DynamoRunStore({ client: dynamoClientFor(dynamo.endpoint), table: TABLE });
});

afterAll(async () => {
  await dynamo.stop();
});

let seq = 0;
function group(owner: string, members = 3): GroupRecord {
  const expanded = expandGroup({
    spec: { family: 'dcgan', dataset: 'mnist' },
    seeds: Array.from({ length: members }, (_, i) => i + 1),
  });
  if (!expanded.ok) throw new Error('bad test group');
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, ++seq)).toISOString();
  return {
    id: `g${seq}`,
    owner,
    kind: 'seeds',
    spec: expanded.members[0]!.spec,
    seeds: expanded.members.map((m) => m.spec.seed),
    members: expanded.members.map((m, i) => ({ runId: `g${seq}-run-${i}`, varies: m.varies })),
    createdAt: at,
  };
}

describe('DynamoGroupStore on dynalite', () => {
  it('stores a group whole and reads it back; the same id twice is refused', async () => {
    const g = group('alice', 1000);
    expect(await groups.create(g)).toBe(true);
    expect(await groups.get(g.id)).toEqual(g);
    expect(await groups.create({ ...g, owner: 'mallory' })).toBe(false);
    expect((await groups.get(g.id))?.owner).toBe('alice');
    expect(await groups.get('no-such-group')).toBeUndefined();
  });

  it("lists one owner's groups newest first, page by page, and never another's", async () => {
    const made = [group('bob'), group('bob'), group('bob'), group('carol')];
    for (const g of made) await groups.create(g);
    const first = await groups.list('bob', 2);
    expect(first.groups.map((g) => g.id)).toEqual([made[2]!.id, made[1]!.id]);
    const second = await groups.list('bob', 2, first.nextCursor);
    expect(second.groups.map((g) => g.id)).toEqual([made[0]!.id]);
    expect((await groups.list('carol', 10)).groups.map((g) => g.id)).toEqual([made[3]!.id]);
    await expect(groups.list('carol', 2, first.nextCursor)).rejects.toThrow(/not a cursor from this listing/);
  });

  it("keeps groups out of the owner's run listing and out of the runs a restarted runner picks up", async () => {
    const g = group('dave');
    await groups.create(g);
    const at = new Date().toISOString();
    const run: RunRecord = {
      id: 'dave-run-1',
      owner: 'dave',
      spec: g.spec,
      status: 'QUEUED',
      attempt: 1,
      group: { id: g.id, index: 0 },
      createdAt: at,
      updatedAt: at,
      history: [{ status: 'QUEUED', attempt: 1, at }],
    };
    await runs.create(run);
    const page = await runs.list({ owner: 'dave', limit: 10 });
    expect(page.runs.map((r) => r.id)).toEqual(['dave-run-1']);
    expect(page.runs[0]?.group).toEqual({ id: g.id, index: 0 });
    expect((await runs.listUnfinished()).map((r) => r.id)).not.toContain(`group#${g.id}`);
  });
});
