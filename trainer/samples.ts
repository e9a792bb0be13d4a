/** Renders the generator's output for the fixed latents as the PNG a gallery shows. */
import * as tf from '@tensorflow/tfjs';
import type { DatasetInfo } from '../shared/datasets.ts';
import { MIXTURES } from './data/toy2d.ts';
import { imageGrid, scatterPlot } from './render/grid.ts';
import { encodePng } from './render/png.ts';

/** How many fixed latents a sample picture uses: an 8x8 grid of images, or a 2,500-point scatter. */
export function sampleCount(dataset: DatasetInfo): number {
  return dataset.kind === 'images' ? 64 : 2500;
}

export function renderSamples(generator: tf.LayersModel, z: tf.Tensor2D, dataset: DatasetInfo): Uint8Array {
  const out = tf.tidy(() => generator.predict(z, { batchSize: 256 }) as tf.Tensor);
  const values = out.dataSync() as Float32Array;
  const shape = out.shape;
  out.dispose();
  if (dataset.kind === 'points2d') return encodePng(scatterPlot(values, MIXTURES[dataset.id]!));
  const [n, h, w, c] = shape as [number, number, number, number];
  return encodePng(imageGrid(values, n, h, w, c));
}
