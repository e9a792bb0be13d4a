/**
 * An uploaded pair set as training data: validated as the upload job validates it, then loaded as a run
 * loads it; batches carry the pair (or the two domains) and every tenth item is held out, never trained on.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { datasetInfo } from '../../shared/datasets.ts';
import type { DatasetVersion, UploadKind } from '../../shared/uploads.ts';
import { encodePng } from '../render/png.ts';
import { heldOutBatch, heldOutCount } from './derived/index.ts';
import { batchTensors, openDataset } from './index.ts';
import { validateUpload } from './upload/validate.ts';
import { loadUploadedDataset } from './uploaded.ts';

/** An 8x8 grey image of one value, so every image says which item it is. */
const png = (v: number) =>
  encodePng({ width: 8, height: 8, channels: 1, pixels: new Uint8Array(64).fill(v) });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A folders' upload validated and loaded under `id`; A/ holds values 0, 1, ..., B/ 100, 101, .... */
async function load(id: string, kind: UploadKind, counts: [number, number]) {
  const files = (['A', 'B'] as const).flatMap((side, k) =>
    Array.from({ length: counts[k]! }, (_, i) => {
      const bytes = png(100 * k + i);
      return { path: `${side}/${String(i).padStart(3, '0')}.png`, read: async () => bytes };
    }),
  );
  const declared: DatasetVersion = {
    version: 1,
    status: 'VALIDATING',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    kind,
    layout: 'pairs',
    size: 8,
    channels: 1,
    resize: false,
    files: [],
  };
  const out = await validateUpload(id, declared, files);
  const manifest = new TextEncoder().encode(JSON.stringify(out.manifest));
  const stored: Record<string, Uint8Array> = {
    'manifest.json': manifest,
    'images.bin': out.images,
    'labels.bin': new Uint8Array(out.labels.buffer),
  };
  await loadUploadedDataset(
    {
      id,
      version: 1,
      owner: 'local',
      kind,
      manifestSha256: sha(manifest),
      shape: [8, 8, 1],
      count: out.report.count,
      classNames: out.report.classNames,
    },
    async (key) => stored[key.split('/').at(-1)!],
  );
  return datasetInfo(`upload:${id}@1`);
}

/** Each image's value (0-255) from a batch's [-1, 1] tensor. */
const values = (t: tf.Tensor) => {
  const d = t.dataSync();
  const per = d.length / t.shape[0]!;
  return Array.from({ length: t.shape[0]! }, (_, i) => Math.round(((d[i * per]! + 1) / 2) * 255));
};

describe('an uploaded pair set', () => {
  it('paired: batches give input A and target B of the same pair; every tenth pair is held out', async () => {
    const info = await load('upairedtest01', 'paired', [25, 25]);
    expect(heldOutCount(info)).toBe(2);
    const held = heldOutBatch(info, 2);
    expect(values(held.input!)).toEqual([9, 19]);
    expect(values(held.x)).toEqual([109, 119]);
    const data = openDataset(info.id as `upload:${string}`, 1);
    const seen = new Set<number>();
    for (let step = 0; step < 10; step++) {
      const b = data.batch(step, 8);
      const [a, target] = [values(b.input!), values(b.x)];
      a.forEach((v, i) => {
        expect(target[i]).toBe(v + 100);
        seen.add(v);
      });
      tf.dispose(batchTensors(b));
    }
    tf.dispose(batchTensors(held));
    expect(seen.has(9) || seen.has(19)).toBe(false);
    expect(seen.size).toBe(23);
  });

  it('unpaired: domains of different sizes, each drawn in its own order; held out per folder', async () => {
    const info = await load('uunpairedtst1', 'unpaired', [12, 7]);
    expect(heldOutCount(info)).toBe(1);
    const held = heldOutBatch(info, 1);
    expect([values(held.x), values(held.domainB!)]).toEqual([[9], [106]]);
    // Within an epoch a batch repeats no item of either domain; B's six training images bound the batch.
    const b = openDataset(info.id as `upload:${string}`, 1).batch(0, 6);
    expect(new Set(values(b.x)).size).toBe(6);
    expect(values(b.domainB!).sort()).toEqual([100, 101, 102, 103, 104, 105]);
    tf.dispose([...batchTensors(b), ...batchTensors(held)]);
  });

  it('refuses a pair set with one image in a folder: one must be held out', async () => {
    await expect(load('uonepairtest1', 'paired', [1, 1])).rejects.toThrow(
      /needs at least two images in each of A\/ and B\/ \(one is held out\); it has 1 and 1/,
    );
  });
});
