import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { buildSegmenter, classesOf, segment, segmentationScores } from './segmenter.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('segmenter', () => {
  it("reads a class for every pixel of an image of the set's shape", () => {
    const model = buildSegmenter([16, 16, 3], 5);
    expect(model.outputs[0]!.shape).toEqual([null, 16, 16, 5]);
    const images = tf.zeros([3, 16, 16, 3]) as tf.Tensor4D;
    const read = segment(model, images, 2);
    expect(read).toHaveLength(3 * 16 * 16);
    expect(Math.max(...read)).toBeLessThan(5);
    tf.dispose(images);
    model.dispose();
  });

  it('classesOf takes the one-hot class of every pixel', () => {
    const map = tf.oneHot(tf.tensor3d([0, 2, 1, 2], [1, 2, 2], 'int32'), 3).toFloat() as tf.Tensor4D;
    expect(Array.from(classesOf(map))).toEqual([0, 2, 1, 2]);
    map.dispose();
  });

  it("mIoU averages each present class's intersection over union; pixel accuracy the share read right", () => {
    const truth = Uint8Array.from([0, 0, 0, 1, 1, 2]);
    const read = Uint8Array.from([0, 0, 1, 1, 1, 1]);
    const s = segmentationScores(read, truth, ['sky', 'water', 'ground', 'tree']);
    // sky: 2 / 3; water: 2 / 4; ground: 0 / 1; tree absent from both, left out.
    expect(s.perClass).toEqual({ sky: 2 / 3, water: 0.5, ground: 0 });
    expect(s.mIoU).toBeCloseTo((2 / 3 + 0.5 + 0) / 3, 10);
    expect(s.pixelAccuracy).toBeCloseTo(4 / 6, 10);
    expect(segmentationScores(truth, truth, ['a', 'b', 'c']).mIoU).toBe(1);
    expect(() => segmentationScores(read, truth.slice(1), ['a', 'b', 'c'])).toThrow(
      /6 read pixels against 5/,
    );
  });
});
