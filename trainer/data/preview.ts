/**
 * A dataset's preview: the picture GET /datasets links to and docs/DATASETS.md shows, drawn from the same
 * batches a run trains on (seed PREVIEW_SEED, step 0), so it shows what training sees. An item of more than
 * one image (an input and its target, a label map and its image, a figure and its articles) is drawn as that
 * many tiles side by side, in the order of VIEWS.
 */
import * as tf from '@tensorflow/tfjs';
import { holdsImages } from '../../shared/datasets.ts';
import { imageGrid, scatterPlot } from '../render/grid.ts';
import { encodePng } from '../render/png.ts';
import { type Batch, batchTensors, type TrainingData } from './index.ts';
import { MIXTURES } from './toy2d.ts';

export const PREVIEW_SEED = 1;

/** Points drawn for a 2D set's scatter. */
const PREVIEW_POINTS = 2500;

/** Items in a preview grid: 8 x 8 of small images, 3 x 3 of 128-pixel crops (the picture stays under 400 px). */
export function previewCount(shape: readonly number[]): number {
  const columns = Math.max(2, Math.min(8, Math.floor(400 / shape[1]!)));
  return columns * columns;
}

/** The images of an item a preview shows, in order (a label map painted with the catalog's palette). */
const VIEWS = ['input', 'map', 'x', 'domainB', 'article', 'newArticle', 'mask'] as const;

function views(batch: Batch, palette: readonly (readonly number[])[] | undefined): tf.Tensor4D[] {
  return tf.tidy(() => {
    const all = VIEWS.flatMap((name) => {
      const t = batch[name] as tf.Tensor4D | undefined;
      if (!t) return [];
      if (name === 'map') {
        if (!palette) throw new Error('a label map to draw, and no palette in the catalog');
        const colours = tf.tensor2d(palette.map((rgb) => rgb.map((v) => (v / 255) * 2 - 1)));
        const [b, h, w, k] = t.shape;
        return [t.reshape([-1, k]).matMul(colours).reshape([b, h, w, 3]) as tf.Tensor4D];
      }
      // The mask is 0-1; drawn as the images are, in [-1, 1].
      return [name === 'mask' ? (t.mul(2).sub(1) as tf.Tensor4D) : t];
    });
    // A smaller view (a super-resolution set's input) is drawn at the item's size, its pixels as blocks.
    const [h, w] = [Math.max(...all.map((v) => v.shape[1])), Math.max(...all.map((v) => v.shape[2]))];
    return all.map((v) =>
      v.shape[1] === h && v.shape[2] === w ? v : tf.image.resizeNearestNeighbor(v, [h, w]),
    );
  });
}

export function renderPreview(data: TrainingData): Uint8Array {
  const { info } = data;
  if (info.kind === 'points2d') {
    const mixture = MIXTURES[info.id];
    if (!mixture) throw new Error(`no preview is defined for dataset '${info.id}' (${info.kind})`);
    const { x, labels } = data.batch(0, PREVIEW_POINTS);
    const points = x.dataSync() as Float32Array;
    tf.dispose([x, labels]);
    return encodePng(scatterPlot(points, mixture));
  }
  const columns = Math.sqrt(previewCount(info.shape));
  if (holdsImages(info)) {
    const n = columns * columns;
    const { x, labels } = data.batch(0, n);
    const values = x.dataSync() as Float32Array;
    const [, h, w, c] = x.shape as [number, number, number, number];
    tf.dispose([x, labels]);
    return encodePng(imageGrid(values, n, h, w, c));
  }
  // Items of several images: each item's views side by side, as many items a row as fit the columns.
  const probe = data.batch(0, 1);
  const perItem = views(probe, info.palette).length;
  tf.dispose(batchTensors(probe));
  const perRow = Math.max(1, Math.floor(columns / perItem));
  const items = perRow * columns;
  const batch = data.batch(0, items);
  const tiles = tf.tidy(() => {
    const vs = views(batch, info.palette);
    const colour = vs.some((v) => v.shape[3] === 3);
    const same = vs.map((v) => (colour && v.shape[3] === 1 ? v.tile([1, 1, 1, 3]) : v));
    // [items, views, H, W, C] flattened item-major, so an item's views sit next to each other.
    return tf.stack(same, 1).reshape([items * perItem, ...same[0]!.shape.slice(1)]) as tf.Tensor4D;
  });
  tf.dispose(batchTensors(batch));
  const [, h, w, c] = tiles.shape;
  const values = tiles.dataSync() as Float32Array;
  tiles.dispose();
  return encodePng(imageGrid(values, items * perItem, h, w, c, perRow * perItem));
}
