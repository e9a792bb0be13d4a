import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runFiles, runPrefix } from '../../shared/keys.ts';
import { EMULATOR_CREDENTIALS, type S3Emulator, s3ClientFor, startS3Emulator } from '../../test/emulators.ts';
import { S3ArtifactSink } from '../../trainer/sinks/s3.ts';
import { BadCursor, S3ArtifactStore, type S3ArtifactStoreOptions } from './artifact-store.ts';

const BUCKET = 'ganzoo-artifacts';
const quiet = { onRetry: () => {} };
let s3: S3Emulator;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Emulator();
  await s3.createBucket(BUCKET);
  client = s3ClientFor(s3.endpoint);
});

afterAll(async () => {
  client.destroy();
  await s3.stop();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

const store = (extra: Partial<S3ArtifactStoreOptions> = {}) =>
  new S3ArtifactStore({ client, bucket: BUCKET, retry: quiet, ...extra });

let seq = 0;
const runId = () => `run-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

/** A few bytes that differ per step, standing in for a PNG. */
const png = (step: number) => new Uint8Array([0x89, 0x50, 0x4e, 0x47, step % 256, 7]);

async function fetchBytes(url: string): Promise<{ status: number; type: string | null; bytes: Uint8Array }> {
  const res = await fetch(url);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

describe('S3ArtifactStore', () => {
  it('puts and gets run-relative keys under the shared layout', async () => {
    const s = store();
    const id = runId();
    await s.put(id, runFiles.spec, '{"family":"dcgan"}', 'application/json');
    expect(new TextDecoder().decode(await s.get(id, runFiles.spec))).toBe('{"family":"dcgan"}');
    // The trainer's sink finds it where the layout says.
    const sink = new S3ArtifactSink({ client, bucket: BUCKET, prefix: runPrefix(id), retry: quiet });
    expect(await sink.list('')).toEqual([runFiles.spec]);
    expect(await s.get(id, runFiles.eval)).toBeUndefined();
    await expect(s.put(id, '../other/spec.json', '{}', 'application/json')).rejects.toThrow(/escapes/);
    await expect(s.get('../x', runFiles.spec)).rejects.toThrow(/invalid run id/);
  });

  it('lists samples in step order, a page at a time, with URLs that return the bytes', async () => {
    const s = store();
    const id = runId();
    const steps = [0, 100, 200, 300, 400, 500, 600];
    // Written by the trainer's sink, out of order, with other files around them.
    const sink = new S3ArtifactSink({ client, bucket: BUCKET, prefix: runPrefix(id), retry: quiet });
    for (const step of [...steps].reverse()) await sink.put(runFiles.sample(step), png(step));
    await sink.put(runFiles.metrics, '{"step":0}\n');
    await sink.put(runFiles.checkpointState(100), '{}');
    await s.put(`${id}-other`, runFiles.sample(50), png(50), 'image/png');

    const pages: { steps: number[]; cursor?: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.listSamples(id, { limit: 3, ...(cursor !== undefined ? { cursor } : {}) });
      pages.push({
        steps: page.samples.map((x) => x.step),
        ...(page.nextCursor ? { cursor: page.nextCursor } : {}),
      });
      cursor = page.nextCursor;
      if (pages.length === 1) {
        const fetched = await fetchBytes(page.samples[1]!.url);
        expect(fetched).toEqual({ status: 200, type: 'image/png', bytes: png(100) });
        expect(page.samples[1]!.url).toMatch(/X-Amz-Expires=3600/);
      }
    } while (cursor !== undefined && pages.length < 10);
    expect(pages.map((p) => p.steps)).toEqual([[0, 100, 200], [300, 400, 500], [600]]);
  });

  it('presigns an existing object for a browser, and answers undefined for a missing one', async () => {
    const s = store();
    const id = runId();
    const model = '{"format":"layers-model"}';
    await s.put(id, runFiles.generatorModel, model, 'application/json');
    const url = await s.presign(id, runFiles.generatorModel, 60);
    expect(url).toMatch(/X-Amz-Expires=60/);
    const fetched = await fetchBytes(url!);
    expect(fetched.status).toBe(200);
    expect(new TextDecoder().decode(fetched.bytes)).toBe(model);
    expect(await s.presign(id, runFiles.generatorWeights)).toBeUndefined();
    await expect(s.presign(id, runFiles.generatorModel, 0)).rejects.toThrow(RangeError);
  });

  it('signs for a separate public endpoint, path-style', async () => {
    const publicEndpoint = `http://localhost:${s3.port}`;
    const s = store({ presignEndpoint: publicEndpoint });
    const id = runId();
    await s.put(id, runFiles.sample(10), png(10), 'image/png');
    const url = (await s.presign(id, runFiles.sample(10)))!;
    expect(url.startsWith(`${publicEndpoint}/${BUCKET}/${runPrefix(id)}samples/`)).toBe(true);
    expect((await fetchBytes(url)).bytes).toEqual(png(10));
    const listed = await s.listSamples(id, { limit: 10 });
    expect(listed.samples[0]?.url.startsWith(publicEndpoint)).toBe(true);
  });

  it('builds its clients from the endpoint variables, with path-style URLs a browser can fetch', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_S3', s3.endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', EMULATOR_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', EMULATOR_CREDENTIALS.secretAccessKey);
    const s = new S3ArtifactStore({ bucket: BUCKET, retry: quiet });
    const id = runId();
    await s.put(id, runFiles.sample(20), png(20), 'image/png');
    const url = (await s.presign(id, runFiles.sample(20)))!;
    expect(url.startsWith(`${s3.endpoint.replace(/\/$/, '')}/${BUCKET}/`)).toBe(true);
    expect((await fetchBytes(url)).bytes).toEqual(png(20));
  });

  it('rejects cursors it did not hand out, or handed out for another run, with BadCursor', async () => {
    const s = store();
    const [a, b] = [runId(), runId()];
    for (const step of [1, 2, 3]) await s.put(a, runFiles.sample(step), png(step), 'image/png');
    const first = await s.listSamples(a, { limit: 1 });
    expect(first.nextCursor).toBeDefined();
    await expect(s.listSamples(b, { limit: 1, cursor: first.nextCursor! })).rejects.toThrow(BadCursor);
    for (const cursor of ['%%%', Buffer.from('[]').toString('base64url'), 'eyJ9']) {
      await expect(s.listSamples(a, { limit: 1, cursor })).rejects.toThrow(BadCursor);
    }
    await expect(s.listSamples(a, { limit: 0 })).rejects.toThrow(RangeError);
  });

  it('finds the latest complete checkpoint: one whose state.json was written', async () => {
    const s = store();
    const id = runId();
    expect(await s.latestCheckpoint(id)).toBeUndefined();
    for (const step of [100, 200]) {
      await s.put(id, `${runFiles.checkpoint(step)}g.bin`, png(step), 'application/octet-stream');
      await s.put(id, runFiles.checkpointState(step), '{}', 'application/json');
    }
    // Step 300 was being written when its trainer died: no state.json.
    await s.put(id, `${runFiles.checkpoint(300)}g.bin`, png(3), 'application/octet-stream');
    expect(await s.latestCheckpoint(id)).toBe(200);
    expect(await s.latestCheckpoint(runId())).toBeUndefined();
  });
});
