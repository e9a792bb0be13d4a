/**
 * How a generator's latent z is drawn: standard normal, or uniform in [-1, 1], as its descriptor's latent
 * input says (shared/generator.ts). Evaluation and the dashboard's playground read it from there, so a
 * generator is always fed what it was trained on. No dependencies: the dashboard bundles it.
 */
import type { GeneratorDescriptor } from './generator.ts';

export const LATENT_NOISES = ['normal', 'uniform'] as const;
export type LatentNoise = (typeof LATENT_NOISES)[number];

/** How a generator's z is drawn: as its descriptor's latent input says. */
export function latentNoiseOf(descriptor: Pick<GeneratorDescriptor, 'inputs'>): LatentNoise {
  const latent = descriptor.inputs.find((i) => i.kind === 'latent');
  if (!latent) throw new Error('the generator descriptor has no latent input');
  return latent.distribution;
}
