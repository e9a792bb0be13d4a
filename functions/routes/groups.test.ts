/**
 * /experiment-groups and labels over dynalite and the in-process S3 (test/api-harness.ts), with a
 * RecordingRunner (no submitGroup: members are submitted one by one, as the local runner takes them).
 * Bad groups are refused naming the field, and then the table, the bucket and the runner hold nothing new.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Group, GroupEvaluationResult, GroupPage } from '../../shared/api/schemas.ts';
import { runFiles } from '../../shared/keys.ts';
import type { RunRecord } from '../../shared/run.ts';
import { RunSlots } from '../../shared/storage/run-slots.ts';
import { type ApiHarness, BUCKET, QUICK, startApiHarness, TABLE, TINY_SPEC } from '../../test/api-harness.ts';
import { newDatasetId } from '../ids.ts';

const MAX_MEMBERS = 6;
const LIMIT = 8;
let h: ApiHarness;
let slots: RunSlots;

beforeAll(async () => {
  h = await startApiHarness({
    maxRunsInFlight: LIMIT,
    caps: { maxTimeoutMinutes: 180, maxRetries: 3, maxGroupMembers: MAX_MEMBERS },
  });
  slots = new RunSlots(h.emulators.dynamoClient(), TABLE, QUICK);
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(async () => {
  // Each test starts with caller one's runs all ended.
  const { runs } = await h.runStore.list({ owner: 'caller-one', limit: 100 });
  for (const run of runs) await h.request(`/experiments/${run.id}/cancel`, { method: 'POST' });
  h.runner.reset();
});

const json = { 'content-type': 'application/json' };
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  h.request(path, { method: 'POST', body: JSON.stringify(body), headers: { ...json, ...headers } });
const patch = (path: string, body: unknown) =>
  h.request(path, { method: 'PATCH', body: JSON.stringify(body), headers: json });

async function tableItems(): Promise<string[]> {
  const out = await h.emulators
    .dynamoClient()
    .send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }));
  return (out.Items ?? []).map((i) => `${i.id?.S} ${JSON.stringify(i.held?.SS ?? [])}`).sort();
}
async function bucketKeys(): Promise<string[]> {
  const out = await h.emulators.s3Client().send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function created(body: unknown, headers: Record<string, string> = {}): Promise<Group> {
  const res = await post('/experiment-groups', body, headers);
  const group = (await res.json()) as Group;
  expect(res.status, JSON.stringify(group)).toBe(201);
  return group;
}

describe('POST /experiment-groups', () => {
  it('makes one ordinary run per seed, recording its group, submitted in member order', async () => {
    const group = await created({
      spec: { ...TINY_SPEC, labels: { name: 'tiny ring', tags: ['seeds', 'ring8'], note: 'three seeds' } },
      seeds: [1, 2, 3],
    });
    expect(group).toMatchObject({
      kind: 'seeds',
      seeds: [1, 2, 3],
      size: 3,
      status: 'RUNNING',
      labels: { name: 'tiny ring', tags: ['seeds', 'ring8'], note: 'three seeds' },
    });
    // The labels are the group's: the base spec it keeps has none.
    expect(group.spec).not.toHaveProperty('labels');
    expect(group.members.map((m) => m.varies)).toEqual([{ seed: 1 }, { seed: 2 }, { seed: 3 }]);
    expect(h.runner.submits.map((r) => r.id)).toEqual(group.members.map((m) => m.runId));
    for (const [index, m] of group.members.entries()) {
      expect(m.status).toBe('SUBMITTED');
      const run = (await (await h.request(`/experiments/${m.runId}`)).json()) as RunRecord;
      expect(run.group).toEqual({ id: group.id, index });
      expect(run.spec.seed).toBe(index + 1);
      expect(run.spec).not.toHaveProperty('labels');
      expect(run.labels).toEqual({ name: `tiny ring · seed=${index + 1}`, tags: ['seeds', 'ring8'] });
      const stored = await h.artifacts.get(m.runId, runFiles.spec);
      expect(JSON.parse(new TextDecoder().decode(stored))).toEqual(run.spec);
    }
    expect(await slots.held('caller-one')).toHaveLength(3);
  });

  it('expands a grid sweep into every combination, each member its own hyperparameters', async () => {
    const group = await created({
      spec: TINY_SPEC,
      sweep: { mode: 'grid', parameters: { learningRate: [1e-4, 2e-4, 4e-4], hiddenUnits: [8, 16] } },
    });
    expect(group.size).toBe(6);
    const specs = await Promise.all(
      group.members.map(async (m) => ((await h.runStore.get(m.runId)) as RunRecord).spec.hyperparameters),
    );
    expect(specs.map((hp) => [hp.learningRate, hp.hiddenUnits])).toEqual([
      [1e-4, 8],
      [1e-4, 16],
      [2e-4, 8],
      [2e-4, 16],
      [4e-4, 8],
      [4e-4, 16],
    ]);
  });

  it('records the uploaded dataset each member trains on, as a single run does, and refuses one not READY', async () => {
    const at = new Date().toISOString();
    const version = {
      version: 1,
      status: 'UPLOADING' as const,
      createdAt: at,
      updatedAt: at,
      kind: 'images' as const,
      layout: 'flat' as const,
      size: 32,
      channels: 1 as const,
      resize: false,
      files: [{ path: 'a.png', bytes: 100 }],
    };
    const ds = await h.datasets.addVersion('caller-one', 'group-shapes', newDatasetId(), at, () => version);
    const dcgan = {
      family: 'dcgan',
      dataset: `upload:${ds.id}@1`,
      steps: 4,
      batchSize: 16,
      sampleEvery: 2,
      evaluate: false,
      hyperparameters: { latentDim: 16, gChannels: 16, dChannels: 16 },
    };
    // Still uploading: refused naming the dataset, and nothing stored.
    const keysBefore = await bucketKeys();
    const itemsBefore = await tableItems();
    const early = await post('/experiment-groups', { spec: dcgan, seeds: [1, 2] });
    const problem = (await early.json()) as { detail: string; errors: { field: string }[] };
    expect(early.status, JSON.stringify(problem)).toBe(400);
    expect(problem.detail).toMatch(/version 1 of 'group-shapes' is UPLOADING; only a READY version trains/);
    expect(problem.errors.map((i) => i.field)).toEqual(['dataset']);
    expect(await bucketKeys()).toEqual(keysBefore);
    expect(await tableItems()).toEqual(itemsBefore);
    expect(h.runner.submits).toHaveLength(0);

    await h.datasets.updateVersion(ds.id, 1, (v) => ({ ...v, status: 'VALIDATING' }));
    const report = {
      count: 60,
      shape: [32, 32, 1],
      classNames: [],
      perClass: [60],
      resized: 0,
      converted: 0,
      notes: [],
    };
    await h.datasets.updateVersion(ds.id, 1, (v) => ({
      ...v,
      status: 'READY',
      report,
      manifestSha256: 'a'.repeat(64),
    }));
    const group = await created({ spec: dcgan, seeds: [1, 2] });
    // What POST /experiments records for the same spec is what every member records.
    const single = await h.submit(dcgan);
    expect(single.status).toBe(201);
    const expected = ((await single.json()) as RunRecord).upload;
    expect(expected).toEqual({
      id: ds.id,
      version: 1,
      owner: 'caller-one',
      kind: 'images',
      manifestSha256: 'a'.repeat(64),
      shape: [32, 32, 1],
      count: 60,
      classNames: [],
    });
    for (const m of group.members) {
      const run = (await (await h.request(`/experiments/${m.runId}`)).json()) as RunRecord;
      expect(run.upload).toEqual(expected);
      const stored = await h.artifacts.get(m.runId, runFiles.upload);
      expect(JSON.parse(new TextDecoder().decode(stored))).toEqual(expected);
    }
    // Another caller cannot train on it through a group either.
    const other = await h.request('/experiment-groups', {
      method: 'POST',
      as: 'two',
      headers: json,
      body: JSON.stringify({ spec: dcgan, seeds: [1, 2] }),
    });
    expect(other.status).toBe(400);
    expect(((await other.json()) as { detail: string }).detail).toMatch(/you have no uploaded dataset/);
  });

  it.each([
    [
      'limit + 1 seeds',
      { spec: TINY_SPEC, seeds: [1, 2, 3, 4, 5, 6, 7] },
      'seeds',
      /7 seeds; a group holds at most 6/,
    ],
    [
      'limit + 1 sweep members',
      {
        spec: TINY_SPEC,
        sweep: { mode: 'random', samples: 7, parameters: { learningRate: { min: 1e-4, max: 1e-3 } } },
      },
      'sweep',
      /7 members; a group holds at most 6/,
    ],
    [
      'a value out of range',
      { spec: TINY_SPEC, sweep: { mode: 'grid', parameters: { learningRate: [1e-4, 2] } } },
      'sweep.parameters.learningRate.1',
      /1/,
    ],
    [
      'an unknown hyperparameter',
      { spec: TINY_SPEC, sweep: { mode: 'grid', parameters: { momentum: [0.1, 0.2] } } },
      'sweep.parameters.momentum',
      /'vanilla' has no hyperparameter 'momentum'/,
    ],
    [
      'both seeds and a sweep',
      { spec: TINY_SPEC, seeds: [1], sweep: { mode: 'grid', parameters: {} } },
      '',
      /either seeds or sweep/,
    ],
    ['a bad base spec', { spec: { ...TINY_SPEC, steps: -1 }, seeds: [1] }, 'spec.steps', /./],
    [
      'a spec over the caps',
      { spec: { ...TINY_SPEC, resources: { retries: 9 } }, seeds: [1] },
      'spec.resources.retries',
      /3/,
    ],
  ])('refuses %s naming the field, and stores nothing', async (_what, body, field, said) => {
    const [items, keys] = [await tableItems(), await bucketKeys()];
    const res = await post('/experiment-groups', body);
    const problem = (await res.json()) as { status: number; errors: { field: string; message: string }[] };
    expect(res.status, JSON.stringify(problem)).toBe(400);
    const issue = problem.errors.find((e) => e.field === field);
    expect(issue, JSON.stringify(problem.errors)).toBeDefined();
    expect(issue!.message).toMatch(said);
    expect(await tableItems()).toEqual(items);
    expect(await bucketKeys()).toEqual(keys);
    expect(h.runner.submits).toHaveLength(0);
  });

  it('counts every member against the runs in flight: a group that would pass the limit is refused whole', async () => {
    for (let i = 0; i < LIMIT - 2; i++) expect((await h.submit(TINY_SPEC)).status).toBe(201);
    const [items, keys, held] = [await tableItems(), await bucketKeys(), await slots.held('caller-one')];
    const res = await post('/experiment-groups', { spec: TINY_SPEC, seeds: [1, 2, 3] });
    const problem = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(problem).toMatchObject({ maxRunsInFlight: LIMIT, inFlight: LIMIT - 2, asked: 3 });
    expect(problem.detail).toMatch(
      /3 members would bring your runs in flight from 6 to 9, over this deployment's limit of 8/,
    );
    expect(await tableItems()).toEqual(items);
    expect(await bucketKeys()).toEqual(keys);
    expect(await slots.held('caller-one')).toEqual(held);
    // Two fit.
    expect((await created({ spec: TINY_SPEC, seeds: [1, 2] })).size).toBe(2);
  });

  it('refuses a group larger than the limit of runs in flight itself with 400 naming seeds or sweep', async () => {
    const h2 = await startApiHarness({ maxRunsInFlight: 2 });
    try {
      const res = await h2.request('/experiment-groups', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ spec: TINY_SPEC, seeds: [1, 2, 3] }),
      });
      const problem = (await res.json()) as { errors: { field: string; message: string }[] };
      expect(res.status).toBe(400);
      expect(problem.errors[0]).toMatchObject({ field: 'seeds' });
      expect(problem.errors[0]!.message).toMatch(/3 members, and this deployment's limit per owner is 2/);
      expect(h2.runner.submits).toHaveLength(0);
    } finally {
      await h2.stop();
    }
  });

  it('answers a retried request with the same Idempotency-Key with the same group, and a different one with 422', async () => {
    const body = { spec: TINY_SPEC, seeds: [4, 5] };
    const first = await created(body, { 'idempotency-key': 'group-key-1' });
    const again = await post('/experiment-groups', body, { 'idempotency-key': 'group-key-1' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as Group).id).toBe(first.id);
    expect(h.runner.submits).toHaveLength(2);
    const other = await post(
      '/experiment-groups',
      { ...body, seeds: [4, 6] },
      { 'idempotency-key': 'group-key-1' },
    );
    expect(other.status).toBe(422);
    // The same key for a run is another key.
    expect((await h.submit(TINY_SPEC, { idempotencyKey: 'group-key-1' })).status).toBe(201);
  });
});

describe('reading, cancelling and evaluating a group', () => {
  it('lists groups newest first with their derived status, and filters by tag and name', async () => {
    const a = await created({ spec: { ...TINY_SPEC, labels: { name: 'Alpha', tags: ['x'] } }, seeds: [1] });
    const b = await created({ spec: { ...TINY_SPEC, labels: { name: 'Beta' } }, seeds: [1] });
    const page = (await (await h.request('/experiment-groups?limit=2')).json()) as GroupPage;
    expect(page.groups.map((g) => g.id)).toEqual([b.id, a.id]);
    expect(page.groups[0]).not.toHaveProperty('members');
    expect(page.groups[0]).toMatchObject({ size: 1, status: 'RUNNING', counts: { SUBMITTED: 1 } });
    const tagged = (await (await h.request('/experiment-groups?tag=x&limit=100')).json()) as GroupPage;
    expect(tagged.groups.map((g) => g.id)).toEqual([a.id]);
    const named = (await (await h.request('/experiment-groups?q=bet&limit=100')).json()) as GroupPage;
    expect(named.groups.map((g) => g.id)).toEqual([b.id]);
    // Another caller sees none of them.
    expect((await h.request(`/experiment-groups/${a.id}`, { as: 'two' })).status).toBe(404);
  });

  it('cancels every member that has not ended, and then answers 409', async () => {
    const group = await created({ spec: TINY_SPEC, seeds: [1, 2, 3] });
    // One member ends on its own first.
    await h.runStore.update(group.members[0]!.runId, { status: 'SUCCEEDED' });
    const res = await h.request(`/experiment-groups/${group.id}/cancel`, { method: 'POST' });
    const after = (await res.json()) as Group;
    expect(res.status).toBe(200);
    expect(after.members.map((m) => m.status)).toEqual(['SUCCEEDED', 'CANCELLED', 'CANCELLED']);
    expect(after.status).toBe('FAILED');
    expect(after.counts).toEqual({ SUCCEEDED: 1, CANCELLED: 2 });
    expect(h.runner.cancels.map((c) => c.run.id)).toEqual(group.members.slice(1).map((m) => m.runId));
    expect((await h.request(`/experiment-groups/${group.id}/cancel`, { method: 'POST' })).status).toBe(409);
  });

  it("joins the members' eval.json: mean ± sd (min, max) per metric and per swept value, and the best member", async () => {
    const group = await created({
      spec: TINY_SPEC,
      sweep: { mode: 'grid', parameters: { hiddenUnits: [8, 16] } },
    });
    const hq = [40, 60];
    for (const [i, m] of group.members.entries()) {
      const evaluation = {
        kind: 'points2d',
        modes: { modesCovered: i + 3, hqPercent: hq[i] },
        definitions: {},
      };
      await h.artifacts.put(m.runId, runFiles.eval, JSON.stringify(evaluation), 'application/json');
      await h.runStore.update(m.runId, { status: 'SUCCEEDED' });
    }
    const res = await h.request(`/experiment-groups/${group.id}/evaluation`);
    const ev = (await res.json()) as GroupEvaluationResult;
    expect(res.status).toBe(200);
    expect(ev.members).toBe(2);
    expect(ev.metrics.hqPercent).toMatchObject({ n: 2, mean: 50, min: 40, max: 60, better: 'higher' });
    expect(ev.metrics.hqPercent!.sd).toBeCloseTo(Math.SQRT2 * 10, 10);
    expect(ev.swept).toEqual(['hiddenUnits']);
    expect(ev.bySweptValue.hiddenUnits!.map((v) => [v.value, v.metrics.hqPercent!.mean])).toEqual([
      [8, 40],
      [16, 60],
    ]);
    expect(ev.best).toEqual({ runId: group.members[1]!.runId, metric: 'modesCovered', value: 4 });
    expect(ev.pending).toEqual([]);
  });

  it('lists members without an evaluation as pending, saying why', async () => {
    const group = await created({ spec: TINY_SPEC, seeds: [1, 2] });
    const ev = (await (
      await h.request(`/experiment-groups/${group.id}/evaluation`)
    ).json()) as GroupEvaluationResult;
    expect(ev.members).toBe(0);
    expect(ev.pending.map((p) => p.runId)).toEqual(group.members.map((m) => m.runId));
    expect(ev.pending[0]!.why).toMatch(/SUBMITTED, and the evaluation is written when training ends/);
  });
});

describe('labels', () => {
  it('are set at submit, edited by PATCH (null removes one), and filter GET /experiments', async () => {
    const res = await h.submit({ ...TINY_SPEC, labels: { name: 'First Try', tags: ['a', 'b'] } });
    const run = (await res.json()) as RunRecord;
    expect(run.labels).toEqual({ name: 'First Try', tags: ['a', 'b'] });
    expect(run.spec).not.toHaveProperty('labels');
    const edited = await patch(`/experiments/${run.id}`, {
      name: null,
      note: 'lr too high',
      tags: ['b', 'c'],
    });
    expect(edited.status).toBe(200);
    expect(((await edited.json()) as RunRecord).labels).toEqual({ tags: ['b', 'c'], note: 'lr too high' });
    const named = await patch(`/experiments/${run.id}`, { name: 'Second Try' });
    expect(((await named.json()) as RunRecord).labels?.name).toBe('Second Try');
    // The spec the trainer reads never saw them.
    expect(
      JSON.parse(new TextDecoder().decode(await h.artifacts.get(run.id, runFiles.spec))),
    ).not.toHaveProperty('labels');
    const ids = async (q: string) =>
      ((await (await h.request(`/experiments?limit=100&${q}`)).json()) as { runs: RunRecord[] }).runs.map(
        (r) => r.id,
      );
    expect(await ids('tag=c')).toEqual([run.id]);
    expect(await ids('tag=a')).toEqual([]);
    expect(await ids('q=second')).toEqual([run.id]);
    expect(await ids('q=first')).toEqual([]);
  });

  it('refuse a bad patch naming the field, leaving the labels as they were', async () => {
    const run = (await (await h.submit({ ...TINY_SPEC, labels: { name: 'kept' } })).json()) as RunRecord;
    for (const [body, field] of [
      [{ tags: ['has space'] }, 'tags.0'],
      [{ tags: ['a', 'a'] }, 'tags'],
      [{ colour: 'red' }, ''],
      [{ name: 'x'.repeat(121) }, 'name'],
    ] as const) {
      const res = await patch(`/experiments/${run.id}`, body);
      const problem = (await res.json()) as { errors: { field: string }[] };
      expect(res.status, JSON.stringify(problem)).toBe(400);
      expect(problem.errors.map((e) => e.field)).toContain(field);
    }
    expect((await h.runStore.get(run.id))?.labels).toEqual({ name: 'kept' });
    expect((await patch('/experiments/NO-SUCH-RUN', { name: 'x' })).status).toBe(404);
  });

  it("edit a group's own labels", async () => {
    const group = await created({ spec: { ...TINY_SPEC, labels: { tags: ['g'] } }, seeds: [1] });
    const res = await patch(`/experiment-groups/${group.id}`, { name: 'renamed', tags: null });
    const after = (await res.json()) as Group;
    expect(res.status).toBe(200);
    expect(after.labels).toEqual({ name: 'renamed' });
    const read = (await (await h.request(`/experiment-groups/${group.id}`)).json()) as Group;
    expect(read.labels).toEqual({ name: 'renamed' });
  });
});
