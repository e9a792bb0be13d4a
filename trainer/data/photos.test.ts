import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetInfo } from '../../shared/datasets.ts';
import { decodePng, encodePng } from '../render/png.ts';
import { openDataset } from './index.ts';
import { sha256 } from './mnist.ts';
import { ensurePhotos } from './photos.ts';
import { readZipEntries } from './zip.ts';

const info = datasetInfo('photos');
let root: string;
let dir: string;
const saved = process.env.XDG_CACHE_HOME;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ganzoo-photos-test-'));
  process.env.XDG_CACHE_HOME = root;
  dir = await ensurePhotos({ env: {}, log: () => {} });
}, 120_000);

afterAll(async () => {
  if (saved === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = saved;
  await rm(root, { recursive: true, force: true });
});

/** The filter type of every row of a PNG (the first byte of each row of its inflated data). */
function filtersOf(png: Uint8Array, width: number, height: number, channels: number): Set<number> {
  const view = new DataView(png.buffer, png.byteOffset);
  const idat: Uint8Array[] = [];
  for (let o = 8; o < png.length; ) {
    const length = view.getUint32(o);
    if (String.fromCharCode(...png.subarray(o + 4, o + 8)) === 'IDAT')
      idat.push(png.subarray(o + 8, o + 8 + length));
    o += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  return new Set(Array.from({ length: height }, (_, y) => raw[y * (width * channels + 1)]!));
}

describe('photos', () => {
  it("are fetched from scikit-image's wheel and each checked against its pin", async () => {
    expect(dir).toBe(join(root, 'ganzoo', 'datasets', 'photos'));
    for (const f of info.files) expect(sha256(await readFile(join(dir, f.name)))).toBe(f.sha256);
    // A second call finds them verified and fetches nothing (no pip run: it returns at once).
    const t0 = performance.now();
    expect(await ensurePhotos({ env: {} })).toBe(dir);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('decode as photographs through every PNG row filter', async () => {
    const filters = new Set<number>();
    for (const f of info.files) {
      const png = new Uint8Array(await readFile(join(dir, f.name)));
      const img = decodePng(png, f.name);
      expect(img.channels).toBe(3);
      for (const t of filtersOf(png, img.width, img.height, 3)) filters.add(t);
      // A wrongly undone filter smears noise along its rows; a photograph's neighbours are close.
      let diff = 0;
      for (let i = 3; i < img.pixels.length; i++) diff += Math.abs(img.pixels[i]! - img.pixels[i - 3]!);
      expect(diff / img.pixels.length, f.name).toBeLessThan(16);
      // And the decoder reads back what the project's encoder writes, bit for bit.
      if (f.name === 'chelsea.png') expect(decodePng(encodePng(img)).pixels).toEqual(img.pixels);
    }
    expect([1, 2, 3, 4].every((t) => filters.has(t))).toBe(true);
    const astronaut = decodePng(new Uint8Array(await readFile(join(dir, 'astronaut.png'))));
    expect([astronaut.width, astronaut.height]).toEqual([512, 512]);
  });

  it('yield crops that are a pure function of seed and step', () => {
    const a = openDataset('photos', 4).batch(9, 6);
    const b = openDataset('photos', 4).batch(9, 6);
    const c = openDataset('photos', 5).batch(9, 6);
    expect(a.x.shape).toEqual([6, ...info.shape]);
    expect(Array.from(a.x.dataSync())).toEqual(Array.from(b.x.dataSync()));
    expect(Array.from(a.x.dataSync())).not.toEqual(Array.from(c.x.dataSync()));
    expect(Math.max(...a.labels.dataSync())).toBeLessThan(info.files.length);
    tf.dispose([a.x, a.labels, b.x, b.labels, c.x, c.labels]);
  });

  it('refuse a folder named by GANZOO_PHOTOS_DIR that lacks them, and a zip without an entry', async () => {
    await expect(ensurePhotos({ env: { GANZOO_PHOTOS_DIR: root } })).rejects.toThrow(
      `photos: GANZOO_PHOTOS_DIR=${root} lacks astronaut.png`,
    );
    expect(() => readZipEntries(new Uint8Array(100), ['a'], 'x.whl')).toThrow('x.whl: not a zip archive');
  });
});
