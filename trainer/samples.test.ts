import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetInfo } from '../shared/datasets.ts';
import { initBackend } from './backend/index.ts';
import { labelIds } from './latents.ts';
import { buildGan } from './loop.ts';
import { CONDITIONAL_COLUMNS, fixedSampleInputs, renderSamples } from './samples.ts';
import { tinySpec } from './test-util.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const GAP = 2;
const side = (cells: number) => cells * 28 + (cells + 1) * GAP;

describe('sample grids', () => {
  it('a conditional generator draws one row per class, the same z in every row', () => {
    const spec = tinySpec('cgan', 'mnist');
    const dataset = datasetInfo('mnist');
    const gan = buildGan(spec);
    const before = tf.memory().numTensors;
    const fixed = fixedSampleInputs(spec.seed, dataset, gan);
    expect(fixed.columns).toBe(CONDITIONAL_COLUMNS);
    const [z, labels] = fixed.inputs as [tf.Tensor2D, tf.Tensor2D];
    expect(z.shape).toEqual([10 * CONDITIONAL_COLUMNS, gan.latentDim]);
    expect(labels.shape).toEqual([10 * CONDITIONAL_COLUMNS, 10]);
    const zRows = z.arraySync();
    const classes = tf.tidy(() => labels.argMax(1).arraySync() as number[]);
    for (let i = 0; i < zRows.length; i++) {
      expect(classes[i]).toBe(Math.floor(i / CONDITIONAL_COLUMNS));
      expect(zRows[i]).toEqual(zRows[i % CONDITIONAL_COLUMNS]);
    }
    expect(pngSize(renderSamples(gan.generator, fixed, dataset))).toEqual({
      width: side(CONDITIONAL_COLUMNS),
      height: side(10),
    });
    tf.dispose(fixed.inputs);
    expect(tf.memory().numTensors).toBe(before);
    for (const net of Object.values(gan.nets)) net.dispose();
    for (const opt of Object.values(gan.optimizers)) opt.dispose();
  });

  it('an unconditional generator keeps the 8x8 grid', () => {
    const spec = tinySpec('dcgan', 'mnist');
    const dataset = datasetInfo('mnist');
    const gan = buildGan(spec);
    const fixed = fixedSampleInputs(spec.seed, dataset, gan);
    expect(fixed.inputs).toHaveLength(1);
    expect(pngSize(renderSamples(gan.generator, fixed, dataset))).toEqual({
      width: side(8),
      height: side(8),
    });
    tf.dispose(fixed.inputs);
    for (const net of Object.values(gan.nets)) net.dispose();
    for (const opt of Object.values(gan.optimizers)) opt.dispose();
  });

  it('per-step fake labels depend only on (seed, step) and cover the classes', () => {
    const a = labelIds(7, 3, 500, 10);
    expect(Array.from(labelIds(7, 3, 500, 10))).toEqual(Array.from(a));
    expect(Array.from(labelIds(7, 4, 500, 10))).not.toEqual(Array.from(a));
    expect(new Set(a).size).toBe(10);
    expect(a.every((c) => c >= 0 && c < 10)).toBe(true);
  });
});
