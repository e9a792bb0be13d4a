/**
 * A dataset's preview: the picture GET /datasets links to and docs/DATASETS.md shows, drawn from the same
 * batches a run trains on (seed PREVIEW_SEED, step 0), so it shows what training sees.
 */
import * as tf from '@tensorflow/tfjs';
import { holdsImages } from '../../shared/datasets.ts';
import { imageGrid, scatterPlot } from '../render/grid.ts';
import { encodePng } from '../render/png.ts';
import type { TrainingData } from './index.ts';
import { MIXTURES } from './toy2d.ts';

export const PREVIEW_SEED = 1;

/** Points drawn for a 2D set's scatter. */
const PREVIEW_POINTS = 2500;

/** Items in a preview grid: 8 x 8 of small images, 3 x 3 of 128-pixel crops (the picture stays under 400 px). */
export function previewCount(shape: readonly number[]): number {
  const columns = Math.max(2, Math.min(8, Math.floor(400 / shape[1]!)));
  return columns * columns;
}

export function renderPreview(data: TrainingData): Uint8Array {
  const { info } = data;
  if (!holdsImages(info)) {
    const mixture = MIXTURES[info.id];
    if (!mixture) throw new Error(`no preview is defined for dataset '${info.id}' (${info.kind})`);
    const { x, labels } = data.batch(0, PREVIEW_POINTS);
    const points = x.dataSync() as Float32Array;
    tf.dispose([x, labels]);
    return encodePng(scatterPlot(points, mixture));
  }
  const n = previewCount(info.shape);
  const { x, labels } = data.batch(0, n);
  const values = x.dataSync() as Float32Array;
  const [, h, w, c] = x.shape as [number, number, number, number];
  tf.dispose([x, labels]);
  return encodePng(imageGrid(values, n, h, w, c));
}
