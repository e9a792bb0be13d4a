/**
 * StyleGAN's style-mixing grid, from a style-based generator's exported parts (descriptor.styles): the top
 * row shows the images of sources B, the left column those of sources A, and the cell at row i, column j is
 * drawn with the styles of the layers before the crossover from A_i (coarse: pose, thickness, layout) and the
 * rest from B_j (fine: stroke detail). The crossover is the first layer at half the image's side or more.
 */
import * as tf from '@tensorflow/tfjs';
import type { StyleParts } from '../../shared/generator.ts';
import { Rng, Stream } from '../data/rng.ts';
import { latentValues } from '../latents.ts';
import { imageGrid } from '../render/grid.ts';
import { encodePng } from '../render/png.ts';

/** The first style layer at half the image's side or more. */
export function mixingCrossover(layerSides: readonly number[]): number {
  const side = layerSides.at(-1)!;
  return Math.max(
    1,
    layerSides.findIndex((s) => s * 2 >= side),
  );
}

export interface StyleMixingImages {
  /** (sources + 1)^2 images [n, h, w, c] in grid order: a blank corner, B across the top, A down the left. */
  values: Float32Array;
  shape: [number, number, number, number];
  crossover: number;
}

/** The grid's images; `crossover` (0 .. layers) the first style layer taken from B. */
export function styleMixingImages(
  mapping: tf.LayersModel,
  synthesis: tf.LayersModel,
  styles: StyleParts,
  seed: number,
  sources = 6,
  crossover = mixingCrossover(styles.layerSides),
): StyleMixingImages {
  const layers = styles.layerSides.length;
  const latentDim = mapping.inputs[0]!.shape[1] as number;
  const rng = new Rng(seed, Stream.eval, 9);
  const grid = tf.tidy(() => {
    const z = (n: number) => tf.tensor2d(latentValues(rng, n * latentDim), [n, latentDim]);
    const wA = mapping.predict(z(sources)) as tf.Tensor2D;
    const wB = mapping.predict(z(sources)) as tf.Tensor2D;
    // ws [N, layers, wDim], row k from rowsOf(k).
    const draw = (rowsOf: (k: number) => tf.Tensor2D) =>
      synthesis.predict(
        tf.stack(
          Array.from({ length: layers }, (_, k) => rowsOf(k)),
          1,
        ),
      ) as tf.Tensor4D;
    const a = draw(() => wA);
    const b = draw(() => wB);
    // Every (i, j): A_i repeated over j, B_j tiled over i.
    const aRows = tf.reshape(tf.tile(tf.expandDims(wA, 1), [1, sources, 1]), [sources * sources, -1]);
    const bRows = tf.tile(wB, [sources, 1]);
    const mixed = draw((k) => (k < crossover ? aRows : bRows) as tf.Tensor2D);
    const [, h, w, c] = a.shape;
    const blank = tf.fill([1, h, w, c], -1);
    const rows = [tf.concat([blank, b])];
    for (let i = 0; i < sources; i++)
      rows.push(tf.concat([tf.slice(a, i, 1), tf.slice(mixed, i * sources, sources)]));
    return tf.concat(rows);
  });
  const values = grid.dataSync() as Float32Array;
  const shape = grid.shape as [number, number, number, number];
  grid.dispose();
  return { values, shape, crossover };
}

/** The grid as a PNG, with the crossover it was drawn at. */
export function styleMixingGrid(
  mapping: tf.LayersModel,
  synthesis: tf.LayersModel,
  styles: StyleParts,
  seed: number,
  sources = 6,
): { png: Uint8Array; crossover: number } {
  const { values, shape, crossover } = styleMixingImages(mapping, synthesis, styles, seed, sources);
  const [n, h, w, c] = shape;
  return { png: encodePng(imageGrid(values, n, h, w, c, sources + 1)), crossover };
}
