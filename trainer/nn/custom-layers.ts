/**
 * Every layer class of ours an exported generator may hold, registered with tfjs's serialization when
 * imported, so a saved generator loads wherever this module was imported (evaluation, tests). The names
 * are what a model.json's className says.
 */
import { EqualizedConv2D, EqualizedDense } from './equalized.ts';
import { PixelNorm } from './pixel-norm.ts';
import { LearnedConstant, Rotate3D } from './volume.ts';

export const GENERATOR_LAYER_CLASSES = [
  EqualizedDense,
  EqualizedConv2D,
  PixelNorm,
  LearnedConstant,
  Rotate3D,
].map((c) => c.className);
