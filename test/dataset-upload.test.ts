/**
 * The user's own images end to end under the local platform (`npm start`'s emulators, the local runners):
 * a folder of 1,000 generated PNGs uploaded through the CLI (presigned PUTs through the platform's S3
 * gateway), validated by its own job to READY, then trained on by a DCGAN for a few steps; one image of
 * kind 'single' trained on by SinGAN; and refusals that leave nothing stored.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../scripts/ganzoo.ts';
import { s3ClientFor } from '../scripts/platform/emulators.ts';
import { type Platform, startPlatform } from '../scripts/platform/platform.ts';
import { createApiClient } from '../shared/api/client.ts';
import { uploadPrefix } from '../shared/keys.ts';
import { S3Objects } from '../shared/storage/s3-objects.ts';
import { scratchDir } from '../trainer/test-util.ts';
import { shapePng } from './fixtures/shape-png.ts';
import { zip } from './fixtures/zip-archive.ts';

const dataDir = scratchDir('dataset-upload');
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({
    port: 0,
    dataDir,
    trainerEnv: { GANZOO_BACKEND: 'wasm', GANZOO_QUIET: '1' },
  });
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function cli(args: string[]) {
  let out = '';
  let err = '';
  const io = {
    fetch: globalThis.fetch,
    env: {},
    out: (t: string) => {
      out += t;
    },
    err: (t: string) => {
      err += t;
    },
    isTTY: false,
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  };
  return main([...args, '--api', platform.url, '--token', platform.token], io).then((code) => ({
    code,
    out,
    err,
  }));
}

const api = () =>
  createApiClient({
    baseUrl: platform.url,
    fetch: (url, init) =>
      fetch(url, {
        ...init,
        headers: { ...(init.headers as object), authorization: `Bearer ${platform.token}` },
      }),
  });

/** The run once it has SUCCEEDED or FAILED (polled every half second, at most five minutes). */
async function finished(id: string) {
  let last = await api().run(id);
  for (let t = 0; t < 600 && !['SUCCEEDED', 'FAILED'].includes(last.status); t++) {
    await new Promise((r) => setTimeout(r, 500));
    last = await api().run(id);
  }
  return last;
}

describe('uploaded datasets under the local platform', () => {
  it('1,000 PNGs through the CLI: validated to READY, then a DCGAN trains on them', async () => {
    const dir = join(dataDir, 'shapes');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 1000; i++) writeFileSync(join(dir, `${String(i).padStart(4, '0')}.png`), shapePng(i));
    const up = await cli([
      'dataset',
      'upload',
      dir,
      '--name',
      'shapes',
      '--kind',
      'images',
      '--size',
      '32',
      '--channels',
      '1',
    ]);
    console.log(up.err.split('\n').slice(-4).join('\n'), up.out);
    expect(up.code, up.err).toBe(0);
    expect(up.err).toMatch(/\[#+\] 100%/);
    const catalog = await api().datasetCatalog();
    const shapes = catalog.uploads.find((u) => u.name === 'shapes')!;
    const v1 = shapes.versions[0]!;
    expect(v1.status).toBe('READY');
    expect(v1.report).toMatchObject({ count: 1000, shape: [32, 32, 1], resized: 0 });
    expect(v1.manifestSha256).toMatch(/^[0-9a-f]{64}$/);

    const run = await api().submit({
      family: 'dcgan',
      dataset: `upload:${shapes.id}@1`,
      steps: 4,
      batchSize: 16,
      sampleEvery: 2,
      checkpointEvery: 4,
      evaluate: false,
      hyperparameters: { latentDim: 16, gChannels: 16, dChannels: 16 },
    });
    expect(run.upload).toMatchObject({ id: shapes.id, version: 1, manifestSha256: v1.manifestSha256 });
    const last = await finished(run.id);
    expect(last.status, last.reason).toBe('SUCCEEDED');
    const samples = await api().samples(run.id);
    expect(samples.map((s) => s.step)).toContain(4);

    // A second upload under the same name is version 2, resized and said so; version 1 is unchanged.
    const again = await cli([
      'dataset',
      'upload',
      join(dir, '0001.png'),
      '--name',
      'shapes',
      '--kind',
      'images',
      '--size',
      '16',
      '--channels',
      '1',
    ]);
    expect(again.code, again.err).toBe(0);
    const { dataset } = await api().dataset(shapes.id);
    expect(dataset.versions.map((v) => v.status)).toEqual(['READY', 'READY']);
    expect(dataset.versions[0]).toEqual(v1);
    expect(dataset.versions[1]!.report).toMatchObject({ count: 1, resized: 1 });
    expect(dataset.versions[1]!.report!.notes[0]).toMatch(/resized to 16x16 \(from 32x32: 1\)/);
  }, 600_000);

  it('a paired folder (A/ and B/) through the CLI, then pix2pix trains on it and shows its held-out strips', async () => {
    const dir = join(dataDir, 'pairs');
    for (const side of ['A', 'B']) mkdirSync(join(dir, side), { recursive: true });
    // B is A's square moved along: a translation the U-Net can learn from its input.
    for (let i = 0; i < 64; i++) {
      const name = `${String(i).padStart(3, '0')}.png`;
      writeFileSync(join(dir, 'A', name), shapePng(i));
      writeFileSync(join(dir, 'B', name), shapePng(i + 5));
    }
    const up = await cli([
      'dataset',
      'upload',
      dir,
      '--name',
      'moved',
      '--kind',
      'paired',
      '--size',
      '32',
      '--channels',
      '1',
    ]);
    expect(up.code, up.err).toBe(0);
    const moved = (await api().datasetCatalog()).uploads.find((u) => u.name === 'moved')!;
    expect(moved.versions[0]).toMatchObject({ status: 'READY', report: { count: 64, shape: [32, 32, 1] } });

    const run = await api().submit({
      family: 'pix2pix',
      dataset: `upload:${moved.id}@1`,
      steps: 4,
      batchSize: 8,
      sampleEvery: 4,
      checkpointEvery: 4,
      hyperparameters: { gFilters: 4, dFilters: 4 },
    });
    const last = await finished(run.id);
    expect(last.status, last.reason).toBe('SUCCEEDED');
    expect((await api().samples(run.id)).map((s) => s.step)).toContain(4);
    // Its evaluation scored the held-out pairs of the upload: the model beside the input copied through.
    const { evaluation } = await api().evaluation(run.id);
    expect(evaluation).toMatchObject({ kind: 'translation', samples: 6 });
    if (evaluation.kind !== 'translation' || !evaluation.paired) throw new Error('not a paired evaluation');
    expect(evaluation.paired.model.l1).toBeGreaterThan(0);
    expect(evaluation.paired.copyThrough.l1).toBeGreaterThan(0);
    // No classifier of the project's reads a user's images: no cFID is made up for them.
    expect(evaluation.paired.cfid).toBeUndefined();
  }, 600_000);

  it("one image of kind 'single' through the CLI trains SinGAN; a folder of two is refused", async () => {
    const dir = join(dataDir, 'photo');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.png'), shapePng(7));
    writeFileSync(join(dir, 'b.png'), shapePng(8));
    const upload = (what: string) =>
      cli([
        'dataset',
        'upload',
        what,
        '--name',
        'photo',
        '--kind',
        'single',
        '--size',
        '24',
        '--channels',
        '3',
      ]);
    const two = await upload(dir);
    expect(two.code).not.toBe(0);
    expect(two.err).toMatch(/kind 'single' takes one image, not 2 files: upload the image alone/);
    expect((await api().datasetCatalog()).uploads.find((u) => u.name === 'photo')).toBeUndefined();

    const one = await upload(join(dir, 'a.png'));
    expect(one.code, one.err).toBe(0);
    const photo = (await api().datasetCatalog()).uploads.find((u) => u.name === 'photo')!;
    expect(photo.versions[0]).toMatchObject({ status: 'READY', kind: 'single' });
    expect(photo.versions[0]!.report).toMatchObject({ count: 1, shape: [24, 24, 3] });
    const run = await api().submit({
      family: 'singan',
      dataset: `upload:${photo.id}@1`,
      steps: 4,
      batchSize: 1,
      sampleEvery: 4,
      evaluate: false,
      hyperparameters: { maxSize: 24, minSize: 12, channels: 4, layers: 3, nCritic: 1, gSteps: 1 },
    });
    const last = await finished(run.id);
    expect(last.status, last.reason).toBe('SUCCEEDED');
    const { descriptor } = await api().generator(run.id);
    expect(descriptor.pyramid?.sizes.at(-1)).toEqual([24, 24]);
  }, 300_000);

  it('refuses a zip with a ../ entry and a folder with a non-image: FAILED with the reason, nothing kept', async () => {
    const objects = new S3Objects({
      bucket: 'ganzoo-artifacts',
      client: s3ClientFor(platform.s3Endpoint),
      retry: { attempts: 1, baseMs: 0, maxMs: 0 },
    });
    const bad = join(dataDir, 'bad');
    mkdirSync(join(bad, 'zip'), { recursive: true });
    mkdirSync(join(bad, 'text'), { recursive: true });
    writeFileSync(join(bad, 'zip', 'images.zip'), zip([{ name: '../escape.png', data: shapePng(1) }]));
    writeFileSync(join(bad, 'text', 'a.png'), shapePng(1));
    writeFileSync(join(bad, 'text', 'notes.png'), 'not an image, whatever its name says');
    for (const [dir, reason] of [
      [join(bad, 'zip', 'images.zip'), /climbs out of the upload/],
      [join(bad, 'text'), /'notes.png' is not a PNG or JPEG image/],
    ] as const) {
      const name = `bad-${dir.endsWith('.zip') ? 'zip' : 'text'}`;
      const r = await cli([
        'dataset',
        'upload',
        dir,
        '--name',
        name,
        '--kind',
        'images',
        '--size',
        '32',
        '--channels',
        '1',
      ]);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(reason);
      const uploads = (await api().datasetCatalog()).uploads.find((u) => u.name === name)!;
      expect(uploads.versions[0]!.status).toBe('FAILED');
      expect(uploads.versions[0]!.reason).toMatch(reason);
      expect(await objects.keys(uploadPrefix('local', uploads.id, 1))).toEqual([]);
    }
  }, 120_000);

  it("answers a browser's preflight for an upload PUT with the bucket's CORS rule", async () => {
    const res = await fetch(`${platform.url}/s3/ganzoo-artifacts/uploads/x`, {
      method: 'OPTIONS',
      headers: { origin: 'http://example.test', 'access-control-request-method': 'PUT' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag');
  });
});
