/**
 * Scores a single-image generator (SinGAN) against its one image, from the exported pyramid alone (its
 * scale layers are found by name and run at any size, shared/layers/pyramid.ts):
 *   samples at the training size: patch SWD to the image (beside the image blurred, for scale) and diversity;
 *   samples at other sizes and aspect ratios (each scale's size times a factor per side): patch SWD;
 *   super-resolution: the image brought down one scale and back up by the finest G (the paper's mode), PSNR
 *     against the image beside a plain resize's;
 *   paint-to-image: a rough painting of the image (its coarse colours posterised to three levels a channel)
 *     injected at a coarse scale; patch SWD of the rendering beside the painting's own.
 */
import * as tf from '@tensorflow/tfjs';
import type { SinganHyperparameters } from '../../shared/catalog.ts';
import type { DatasetInfo } from '../../shared/datasets.ts';
import type { SingleImageEval } from '../../shared/evaluation.ts';
import { runFiles } from '../../shared/keys.ts';
import {
  runPyramid,
  type ScaleLayers,
  type Size,
  scaleCount,
  scaleLayersOf,
  superResolve,
} from '../../shared/layers/pyramid.ts';
import { resizeImages } from '../../shared/layers/resize.ts';
import { defaultPaintScale, scaledSizes } from '../../shared/pyramid-sizes.ts';
import { Rng, Stream } from '../data/rng.ts';
import { singleImage } from '../data/single.ts';
import { pyramidSizes } from '../nn/singan.ts';
import { imageGrid } from '../render/grid.ts';
import { encodePng } from '../render/png.ts';
import type { ArtifactSink } from '../sinks/types.ts';
import { EvalInputError } from './evaluate.ts';
import { reconstructionScores } from './image-quality.ts';
import { diversity, PATCH_SWD_DEFAULTS, type PatchSet, patchSwd } from './patch-swd.ts';

type Common = Omit<
  SingleImageEval,
  | 'kind'
  | 'samples'
  | 'size'
  | 'scales'
  | 'patchStatistics'
  | 'patchSwd'
  | 'blurredPatchSwd'
  | 'diversity'
  | 'otherSizes'
  | 'superResolution'
  | 'paintToImage'
  | 'pictures'
  | 'definitions'
>;

/** Other sizes sampled: [height factor, width factor] of every scale. */
const OTHER_SIZES: [number, number][] = [
  [1, 1.75],
  [1.5, 0.75],
];
export const DEFAULT_SINGLE_SAMPLES = 16;

const setOf = (t: tf.Tensor): PatchSet => ({
  values: t.dataSync() as Float32Array,
  shape: t.shape as PatchSet['shape'],
});

/** Unscaled noise for every scale at `sizes`, n samples each, from (seed, purpose). */
function noiseAt(sizes: Size[], n: number, seed: number, purpose: number): tf.Tensor4D[] {
  return sizes.map(([h, w], k) =>
    tf.tensor4d(new Rng(seed, Stream.eval, purpose, k).normals(n * h * w * 3), [n, h, w, 3]),
  );
}

function grid(images: tf.Tensor4D, columns: number): Uint8Array {
  const [n, h, w, c] = images.shape;
  return encodePng(imageGrid(images.dataSync() as Float32Array, n, h, w, c, columns));
}

export async function evaluateSingleImage(
  generator: tf.LayersModel,
  hyperparameters: SinganHyperparameters,
  info: DatasetInfo,
  common: Common,
  sink: ArtifactSink,
  options: { samples?: number; write?: boolean } = {},
): Promise<SingleImageEval> {
  const [height, width] = info.shape as [number, number, number];
  const sizes = pyramidSizes([height, width], hyperparameters);
  const finest = sizes.at(-1)!;
  const out = generator.outputs[0]!.shape;
  if (scaleCount(generator) !== sizes.length || out[1] !== finest[0] || out[2] !== finest[1])
    throw new EvalInputError(
      `the generator has ${scaleCount(generator)} scales and gives [${out.slice(1)}]; the spec's pyramid has ${sizes.length} scales up to ${finest.join('x')}`,
    );
  const scales: ScaleLayers[] = sizes.map((_, k) => scaleLayersOf(generator, k));
  const n = options.samples ?? DEFAULT_SINGLE_SAMPLES;
  const o = { ...PATCH_SWD_DEFAULTS, seed: common.seed };
  const keep: tf.Tensor[] = [];
  const track = <T extends tf.Tensor>(t: T) => {
    keep.push(t);
    return t;
  };
  try {
    const full = track(tf.tensor4d(singleImage(info), [1, height, width, 3]));
    const real = track(resizeImages(full, finest));
    const realSet = setOf(real);
    const swd = (t: tf.Tensor) => patchSwd(setOf(t), realSet, o);

    const noise = noiseAt(sizes, n, common.seed, 0);
    const samples = track(runPyramid(scales, sizes, noise));
    tf.dispose(noise);
    const blurred = track(
      resizeImages(track(resizeImages(real, [Math.round(finest[0] / 2), Math.round(finest[1] / 2)])), finest),
    );

    const otherSizes = OTHER_SIZES.map(([fy, fx], i) => {
      const at = scaledSizes(sizes, [fy, fx]);
      const z = noiseAt(at, 4, common.seed, 1 + i);
      const images = track(runPyramid(scales, at, z));
      tf.dispose(z);
      return { size: at.at(-1)!, images };
    });

    // Super-resolution at the ratio the finest G learnt: from the next coarser scale's size back up.
    const coarser = sizes.at(-2)!;
    const low = track(resizeImages(real, coarser));
    const srRaw = track(superResolve(scales.at(-1)!, low, coarser[1] / finest[1], 1));
    const sr = track(resizeImages(srRaw, finest));
    const plain = track(resizeImages(low, finest));
    const psnrOf = (t: tf.Tensor) =>
      reconstructionScores(t.dataSync() as Float32Array, realSet.values, [finest[0], finest[1], 3]).psnr;

    // Paint-to-image: the image's colours at a coarse scale, posterised to -2/3, 0, 2/3, injected there.
    const paintScale = defaultPaintScale(sizes.length);
    const painting = track(
      tf.tidy(() =>
        tf.mul(tf.round(tf.mul(resizeImages(real, sizes[paintScale]!), 1.5)), 2 / 3),
      ) as tf.Tensor4D,
    );
    const paintNoise = noiseAt(sizes, 1, common.seed, 9);
    const rendered = track(runPyramid(scales, sizes, paintNoise, { scale: paintScale, image: painting }));
    tf.dispose(paintNoise);
    const paintShown = track(tf.image.resizeNearestNeighbor(painting, finest));

    const pictures = {
      samples: runFiles.evalSingleImage('samples'),
      resized: runFiles.evalSingleImage('resized'),
      superResolution: runFiles.evalSingleImage('super-resolution'),
      paint: runFiles.evalSingleImage('paint'),
    };
    if (options.write !== false) {
      const put = (key: string, png: Uint8Array) => sink.put(key, png, 'image/png');
      await put(pictures.samples, grid(track(tf.concat([real, samples])) as tf.Tensor4D, 4));
      await put(pictures.resized, grid(otherSizes[0]!.images, 2));
      const lowShown = track(tf.image.resizeNearestNeighbor(low, finest));
      await put(
        pictures.superResolution,
        grid(track(tf.concat([lowShown, plain, sr, real])) as tf.Tensor4D, 4),
      );
      await put(pictures.paint, grid(track(tf.concat([paintShown, rendered, real])) as tf.Tensor4D, 3));
    }
    return {
      ...common,
      kind: 'single-image',
      samples: n,
      size: finest,
      scales: sizes.length,
      patchStatistics: { patch: o.patch, projections: o.projections, patches: o.patches },
      patchSwd: swd(samples),
      blurredPatchSwd: swd(blurred),
      diversity: diversity(setOf(samples), realSet),
      otherSizes: otherSizes.map((s) => ({ size: s.size, patchSwd: swd(s.images) })),
      superResolution: { times: 1, psnr: psnrOf(sr), resizePsnr: psnrOf(plain) },
      paintToImage: { scale: paintScale, patchSwd: swd(rendered), paintPatchSwd: swd(paintShown) },
      pictures,
      definitions: {
        patchSwd: `sliced Wasserstein distance between ${o.patch}x${o.patch} patches of the samples and of the image: ${o.projections} random directions, ${o.patches} patches drawn from each side`,
        diversity:
          "per-pixel standard deviation over the samples, averaged, over the standard deviation of the image's pixels (the SinGAN paper's measure)",
        superResolution:
          'the image brought down to the next coarser scale and back up by the finest generator with no noise; PSNR against the image',
        paintToImage:
          'the image at a coarse scale with each channel rounded to three levels, injected at that scale',
      },
    };
  } finally {
    tf.dispose(keep);
  }
}
