/**
 * The local platform as `npm start` runs it, in-process: a tiny run submitted over HTTP with the local token
 * trains in a real trainer process to SUCCEEDED, its sample is fetched through its presigned URL, and after
 * a stop and a start on the same data folder the run and its samples are still there.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { main as ganzoo } from '../scripts/ganzoo.ts';
import { type Platform, startPlatform } from '../scripts/platform/platform.ts';
import type { RunRecord } from '../shared/run.ts';
import { scratchDir } from '../trainer/test-util.ts';
import { TINY_SPEC } from './api-harness.ts';
import { capturingIo } from './fixtures/cli-io.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface SamplesPage {
  samples: { step: number; url: string }[];
}

const dataDir = scratchDir('platform');
const started: Platform[] = [];

async function start(): Promise<Platform> {
  // The wasm backend is the one every machine has; one trainer at a time keeps the CPU use small.
  const p = await startPlatform({
    port: 0,
    dataDir,
    trainerEnv: { GANZOO_BACKEND: 'wasm', GANZOO_QUIET: '1' },
  });
  started.push(p);
  return p;
}

function api(p: Platform) {
  const headers = { authorization: `Bearer ${p.token}` };
  return {
    get: async <T>(path: string): Promise<T> => {
      const res = await fetch(`${p.url}${path}`, { headers });
      expect(res.status, `GET ${path}`).toBe(200);
      return (await res.json()) as T;
    },
    post: (path: string, body: unknown) =>
      fetch(`${p.url}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
  };
}

async function pngAt(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  return bytes;
}

afterAll(async () => {
  for (const p of started) await p.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local platform', () => {
  it('trains a run submitted over HTTP and keeps it, and its samples, across a restart', async () => {
    const first = await start();
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.newToken).toBe(true);
    const http = api(first);

    const res = await http.post('/experiments', TINY_SPEC);
    expect(res.status).toBe(201);
    const submitted = (await res.json()) as RunRecord;

    // Watched through the listing, as the dashboard does: RUNNING and SUCCEEDED are written by the trainer's
    // own DynamoDB client, so they show only if the emulator's change signal drops the listing cache.
    let listed = submitted;
    const deadline = Date.now() + 90_000;
    while (!['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(listed.status)) {
      if (Date.now() > deadline) throw new Error(`run still listed as ${listed.status} after 90 s`);
      await new Promise((r) => setTimeout(r, 100));
      listed = (await http.get<{ runs: RunRecord[] }>('/experiments?limit=20')).runs[0]!;
      expect(listed.id).toBe(submitted.id);
    }
    expect(listed.status, listed.reason).toBe('SUCCEEDED');
    // The runner adds the trainer's wall time to the cost estimate once the process has exited, just after
    // the trainer's SUCCEEDED: the record is settled when that is there.
    let run = await http.get<RunRecord>(`/experiments/${submitted.id}`);
    while (run.cost === undefined) {
      if (Date.now() > deadline) throw new Error('no cost estimate on the run within 90 s');
      await new Promise((r) => setTimeout(r, 100));
      run = await http.get<RunRecord>(`/experiments/${submitted.id}`);
    }
    expect(run.status).toBe('SUCCEEDED');
    expect(run.cost).toMatchObject({ estimate: true, usd: 0 });

    const { samples } = await http.get<SamplesPage>(`/experiments/${run.id}/samples`);
    expect(samples.map((s) => s.step)).toEqual([0, 10, 20]);
    const last = samples.at(-1)!;
    expect(last.url.startsWith(`${first.url}/s3/`)).toBe(true);
    const before = await pngAt(last.url);
    // The URL is the credential: altered, it is refused, as S3 refuses it.
    const altered = last.url.replace(
      /X-Amz-Signature=[0-9a-f]/,
      (m) => `${m.slice(0, -1)}${m.endsWith('0') ? '1' : '0'}`,
    );
    expect((await fetch(altered)).status).toBe(403);
    expect((await fetch(`${first.url}/experiments`)).status).toBe(401);

    // A second platform on the same folder would share its LevelDB and its runner: refused.
    await expect(startPlatform({ port: 0, dataDir })).rejects.toThrow(/in use by another ganzoo platform/);

    await first.stop();
    const second = await start();
    expect(second.token).toBe(first.token);
    expect(second.newToken).toBe(false);
    expect(second.reconciled).toEqual({ resumed: [], failed: [], skipped: [] });
    const again = api(second);
    expect(await again.get<RunRecord>(`/experiments/${run.id}`)).toEqual(run);
    const relisted = await again.get<{ runs: RunRecord[] }>('/experiments?limit=20');
    expect(relisted.runs.map((r) => r.id)).toEqual([run.id]);
    const kept = await again.get<SamplesPage>(`/experiments/${run.id}/samples`);
    expect(kept.samples.map((s) => s.step)).toEqual([0, 10, 20]);
    expect(await pngAt(kept.samples.at(-1)!.url)).toEqual(before);
  });

  it('takes a group of seeds from the CLI and trains every member, watched to the end', async () => {
    const p = started.at(-1)!;
    const c = capturingIo(p, { sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 200))) });
    const cli = (...argv: string[]) => ganzoo(argv, c.io);
    const steps = String(TINY_SPEC.steps);
    expect(
      await cli(
        'submit',
        '--family',
        'vanilla',
        '--dataset',
        'ring8',
        '--steps',
        steps,
        '--seeds',
        '1,2',
        '--json',
      ),
    ).toBe(0);
    const group = JSON.parse(c.out()) as { id: string; members: { runId: string }[] };
    expect(group.members).toHaveLength(2);
    c.clear();
    // The local runner trains the members (one at a time by default); the watch ends when both have.
    expect(await cli('group', group.id, '--watch'), c.err()).toBe(0);
    expect(c.out()).toMatch(/#0 seed=1 {2}SUCCEEDED/);
    expect(c.out()).toMatch(/#1 seed=2 {2}SUCCEEDED/);
    for (const m of group.members)
      expect((await api(p).get<RunRecord>(`/experiments/${m.runId}`)).status).toBe('SUCCEEDED');
  });
});
