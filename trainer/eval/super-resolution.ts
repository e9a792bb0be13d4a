/**
 * Scores a super-resolution generator (SRGAN) on its set's held-out copy, the checks of GANS.md: PSNR and
 * SSIM of its outputs against the high-resolution targets beside those of the input enlarged by bicubic
 * resampling, and the outputs' high-frequency energy against the targets'. High-frequency energy is the mean
 * square of what a x`factor` bicubic reduction and enlargement removes from an image (y - up(down(y))): the
 * detail the low-resolution input cannot carry, which a blurred (MSE-trained) output lacks.
 */
import type { ReconstructionScores } from '../../shared/evaluation.ts';
import { resizeBicubicBatch } from '../../shared/layers/bicubic.ts';
import { reconstructionScores } from './image-quality.ts';

type Shape = readonly [number, number, number];

/** Mean over images and values of (y - up(down(y)))^2, images [n, h, w, c] in [-1, 1]. */
export function highFrequencyEnergy(values: Float32Array, shape: Shape, factor: number): number {
  const [h, w, c] = shape;
  const small: Shape = [h / factor, w / factor, c];
  if (!Number.isInteger(small[0]) || !Number.isInteger(small[1]))
    throw new Error(`high-frequency energy: ${h}x${w} does not divide by ${factor}`);
  const down = resizeBicubicBatch(values, shape, [small[0], small[1]]);
  const back = resizeBicubicBatch(down, small, [h, w]);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - back[i]!) ** 2;
  return sum / values.length;
}

export interface SuperResolutionScores {
  factor: number;
  model: ReconstructionScores;
  bicubic: ReconstructionScores;
  highFrequency: { model: number; bicubic: number; target: number; modelRatio: number; bicubicRatio: number };
}

/** Outputs and targets [n, ...shape], inputs [n, ...inputShape], all in [-1, 1]. */
export function superResolutionScores(
  outputs: Float32Array,
  inputs: Float32Array,
  targets: Float32Array,
  shape: Shape,
  inputShape: Shape,
): SuperResolutionScores {
  const factor = shape[0] / inputShape[0];
  const bicubic = resizeBicubicBatch(inputs, inputShape, [shape[0], shape[1]]);
  const energy = (v: Float32Array) => highFrequencyEnergy(v, shape, factor);
  const target = energy(targets);
  const [model, upscaled] = [energy(outputs), energy(bicubic)];
  return {
    factor,
    model: reconstructionScores(outputs, targets, shape),
    bicubic: reconstructionScores(bicubic, targets, shape),
    highFrequency: {
      model,
      bicubic: upscaled,
      target,
      modelRatio: model / target,
      bicubicRatio: upscaled / target,
    },
  };
}

export const SUPER_RESOLUTION_DEFINITIONS = {
  psnr: '10 log10(1 / MSE) on images in [0, 1], averaged over images, capped at 100 dB (higher is better)',
  ssim: 'SSIM with an 11 x 11 Gaussian window (sigma 1.5), K1 0.01, K2 0.03, images in [0, 1] (higher is better)',
  bicubic:
    "the same scores with the input enlarged by the project's bicubic resampling (shared/layers/bicubic.ts) as the output",
  highFrequency:
    "mean over values of (y - up(down(y)))^2, down and up the bicubic x factor reduction and enlargement, images in [-1, 1]; the ratio is to the held-out targets' (1 matches their detail; GANS.md asks for within 0.85-1.15)",
};
