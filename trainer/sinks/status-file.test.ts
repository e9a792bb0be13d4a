import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextTimestamp } from '../../shared/run.ts';
import { type DynamoEmulator, dynamoClientFor, startDynamoEmulator } from '../../test/emulators.ts';
import { DynamoStatusSink } from './dynamodb.ts';
import { LocalArtifactSink } from './local.ts';
import { FileStatusSink, type RunState, StatusRefused } from './status-file.ts';
import type { StatusSink, TrainerStatus } from './types.ts';

let dir: string;
let dynamo: DynamoEmulator;
const TABLE = 'ganzoo-runs';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ganzoo-status-'));
  dynamo = await startDynamoEmulator();
  await dynamo.createRunsTable(TABLE);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await dynamo.stop();
});

interface Store {
  /** A new reporter for the run (a new sink instance, as a second process would have). */
  sink(runId: string): StatusSink;
  read(runId: string): Promise<RunState | undefined>;
}

const stores: Array<[string, () => Store]> = [
  [
    'FileStatusSink',
    () => ({
      sink: (runId) => new FileStatusSink(join(dir, runId)),
      read: (runId) => new FileStatusSink(join(dir, runId)).read(runId),
    }),
  ],
  [
    'DynamoStatusSink',
    () => ({
      sink: () => new DynamoStatusSink({ client: dynamoClientFor(dynamo.endpoint), table: TABLE }),
      read: (runId) =>
        new DynamoStatusSink({ client: dynamoClientFor(dynamo.endpoint), table: TABLE }).read(runId),
    }),
  ],
];

const running = (runId: string, step: number, attempt = 1): TrainerStatus => ({
  runId,
  status: 'RUNNING',
  attempt,
  progress: { step, totalSteps: 1000, imagesPerSecond: 120.5, losses: { d: 0.7, g: 1.3 } },
});

// Both status sinks keep one contract; it lives here so the file and DynamoDB versions cannot drift apart.
describe.each(stores)('%s', (name, makeStore) => {
  const store = makeStore();
  const id = (s: string) => `${name === 'FileStatusSink' ? 'f' : 'd'}-${s}`;

  it('creates the record on the first report and follows STARTING -> RUNNING -> SUCCEEDED', async () => {
    const runId = id('happy');
    const s = store.sink(runId);
    await s.report({ runId, status: 'STARTING', attempt: 1 });
    expect(await store.read(runId)).toMatchObject({ id: runId, status: 'STARTING', attempt: 1 });
    await s.report(running(runId, 10));
    await s.report(running(runId, 20));
    await s.report({ runId, status: 'SUCCEEDED', attempt: 1 });
    const r = await store.read(runId);
    expect(r).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 1,
      progress: { step: 20, totalSteps: 1000, imagesPerSecond: 120.5, losses: { d: 0.7, g: 1.3 } },
    });
    expect(Date.parse(r!.updatedAt)).toBeGreaterThan(Date.parse(r!.createdAt));
    // A duplicate final report is accepted and changes nothing.
    await s.report({ runId, status: 'SUCCEEDED', attempt: 1 });
    expect((await store.read(runId))?.updatedAt).toBe(r!.updatedAt);
  });

  it('reads nothing for a run that never reported', async () => {
    expect(await store.sink(id('never')).read(id('never'))).toBeUndefined();
  });

  it('keeps newer progress when a late heartbeat arrives', async () => {
    const runId = id('late');
    const s = store.sink(runId);
    await s.report({ runId, status: 'STARTING', attempt: 1 });
    await s.report(running(runId, 50));
    await s.report(running(runId, 40));
    expect((await store.read(runId))?.progress?.step).toBe(50);
  });

  it('refuses reports after the run was cancelled, with StatusRefused', async () => {
    const runId = id('cancel');
    const trainer = store.sink(runId);
    await trainer.report({ runId, status: 'STARTING', attempt: 1 });
    await trainer.report(running(runId, 5));
    // Someone else (the API, a person) cancels it.
    await store.sink(runId).report({ runId, status: 'CANCELLED', attempt: 1, reason: 'cancelled by user' });
    const err = await trainer.report(running(runId, 6)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatusRefused);
    expect((err as StatusRefused).current).toEqual({ status: 'CANCELLED', attempt: 1 });
    expect((err as StatusRefused).message).toMatch(/already ended as CANCELLED/);
    await expect(trainer.report({ runId, status: 'SUCCEEDED', attempt: 1 })).rejects.toBeInstanceOf(
      StatusRefused,
    );
    expect(await store.read(runId)).toMatchObject({
      status: 'CANCELLED',
      reason: 'cancelled by user',
      progress: { step: 5 },
    });
  });

  it('starts attempt 2 after RUNNING, and refuses the old attempt from then on', async () => {
    const runId = id('retry');
    const s = store.sink(runId);
    await s.report({ runId, status: 'STARTING', attempt: 1 });
    await s.report(running(runId, 300));
    await s.report({ runId, status: 'STARTING', attempt: 2 });
    expect(await store.read(runId)).toMatchObject({ status: 'STARTING', attempt: 2 });
    await expect(s.report(running(runId, 301, 1))).rejects.toBeInstanceOf(StatusRefused);
    await s.report(running(runId, 300, 2));
    await s.report({ runId, status: 'SUCCEEDED', attempt: 2 });
    expect(await store.read(runId)).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 2,
      progress: { step: 300 },
    });
  });

  it('loses no update when two reporters write at once', async () => {
    const runId = id('race');
    const a = store.sink(runId);
    const b = store.sink(runId);
    await a.report({ runId, status: 'STARTING', attempt: 1 });
    // Interleaved heartbeats from two writers; whatever the order, the highest step must win.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).report(running(runId, (i + 1) * 10))),
    );
    expect((await store.read(runId))?.progress?.step).toBe(120);
    await Promise.all([
      a.report({ runId, status: 'SUCCEEDED', attempt: 1 }),
      b.report(running(runId, 125)),
    ]).catch(() => undefined);
    // Either the heartbeat landed first and then the run ended, or the end refused the heartbeat.
    expect((await store.read(runId))?.status).toBe('SUCCEEDED');
  });

  it('drops NaN and infinite numbers from progress instead of failing the write', async () => {
    const runId = id('nan');
    const s = store.sink(runId);
    await s.report({
      runId,
      status: 'RUNNING',
      attempt: 1,
      progress: {
        step: 7,
        totalSteps: 10,
        etaSeconds: Number.POSITIVE_INFINITY,
        losses: { d: Number.NaN, g: 2 },
      },
    });
    expect((await store.read(runId))?.progress).toEqual({ step: 7, totalSteps: 10, losses: { g: 2 } });
  });
});

describe('FileStatusSink', () => {
  it('writes status.json in the run folder atomically, next to the artifacts', async () => {
    const root = join(dir, 'layout');
    const s = new FileStatusSink(root, { seed: { owner: 'local' } });
    await s.report({ runId: 'layout', status: 'STARTING', attempt: 1 });
    const json = JSON.parse(await readFile(join(root, 'status.json'), 'utf8'));
    expect(json).toMatchObject({ id: 'layout', owner: 'local', status: 'STARTING', attempt: 1 });
    // No temporary or lock files left behind, and the artifact listing sees just status.json.
    expect(await readdir(root)).toEqual(['status.json']);
    expect(await new LocalArtifactSink(root).list('')).toEqual(['status.json']);
  });

  it('waits for another process holding the lock, and takes over a stale lock', async () => {
    const root = join(dir, 'locked');
    const s = new FileStatusSink(root);
    await s.report({ runId: 'locked', status: 'STARTING', attempt: 1 });
    const lock = join(root, 'status.json.tmp-lock');
    await writeFile(lock, '');
    let done = false;
    const pending = s.report(running('locked', 1)).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    await rm(lock);
    await pending;
    expect((await s.read())?.status).toBe('RUNNING');

    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await s.report(running('locked', 2));
    expect((await s.read())?.progress?.step).toBe(2);
  });

  it('refuses a report for a different run than the file holds', async () => {
    const s = new FileStatusSink(join(dir, 'mixed'));
    await s.report({ runId: 'mixed', status: 'STARTING', attempt: 1 });
    await expect(s.report({ runId: 'other', status: 'RUNNING', attempt: 1 })).rejects.toThrow(/not other/);
    await expect(s.read('other')).rejects.toThrow(/holds the status of run mixed, not other/);
    expect(await s.read('mixed')).toMatchObject({ id: 'mixed', status: 'STARTING' });
  });
});

describe('nextTimestamp', () => {
  it('is strictly after the previous one even within a millisecond or behind a slow clock', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    expect(nextTimestamp(undefined, now)).toBe('2026-01-01T00:00:00.000Z');
    expect(nextTimestamp('2026-01-01T00:00:00.000Z', now)).toBe('2026-01-01T00:00:00.001Z');
    expect(nextTimestamp('2026-01-01T00:00:05.000Z', now)).toBe('2026-01-01T00:00:05.001Z');
    expect(nextTimestamp('2025-12-31T00:00:00.000Z', now)).toBe('2026-01-01T00:00:00.000Z');
  });
});
