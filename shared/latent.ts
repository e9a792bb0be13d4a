/**
 * How a run draws its latent z: standard normal unless its family's `noise` hyperparameter says uniform in
 * [-1, 1]. The trainer, the evaluation and the dashboard's playground all draw z from this, so a generator
 * is always fed what it was trained on. No dependencies: the dashboard bundles it.
 */
import type { GeneratorDescriptor } from './generator.ts';

export const LATENT_NOISES = ['normal', 'uniform'] as const;
export type LatentNoise = (typeof LATENT_NOISES)[number];

/**
 * How a generator's z is drawn: as its descriptor's latent input says. From a spec (or a run's spec as
 * stored), for a generator exported before descriptors and for readers that have only the spec: its
 * `noise` hyperparameter where it has one, else normal.
 */
export function latentNoiseOf(
  source: Pick<GeneratorDescriptor, 'inputs'> | { hyperparameters: Record<string, unknown> },
): LatentNoise {
  if ('inputs' in source) {
    const latent = source.inputs.find((i) => i.kind === 'latent');
    if (!latent) throw new Error('the generator descriptor has no latent input');
    return latent.distribution;
  }
  return source.hyperparameters.noise === 'uniform' ? 'uniform' : 'normal';
}
