/**
 * Every layer class of ours a saved generator may hold, registered with tfjs's serialization when imported,
 * so a saved generator loads wherever this module was imported (evaluation, tests): the portable layers
 * (shared/layers/, which the playground registers too), and the equalized layers
 * of Progressive GAN generators exported before export folded them into stock Dense and Conv2D layers. The
 * names are what a model.json's className says.
 */
import { PORTABLE_LAYER_CLASSES } from '../../shared/layers/index.ts';
import { EqualizedConv2D, EqualizedDense } from './equalized.ts';

export const GENERATOR_LAYER_CLASSES = [
  ...PORTABLE_LAYER_CLASSES,
  ...[EqualizedDense, EqualizedConv2D].map((c) => c.className),
];
