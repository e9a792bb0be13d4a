/**
 * How a run draws its latent z: standard normal unless its family's `noise` hyperparameter says uniform in
 * [-1, 1]. The trainer, the evaluation and the dashboard's playground all draw z from this, so a generator
 * is always fed what it was trained on. No dependencies: the dashboard bundles it.
 */
export const LATENT_NOISES = ['normal', 'uniform'] as const;
export type LatentNoise = (typeof LATENT_NOISES)[number];

/** The noise of a spec (or of a run's spec as stored): its `noise` hyperparameter where it has one. */
export function latentNoiseOf(spec: { hyperparameters: Record<string, unknown> }): LatentNoise {
  return spec.hyperparameters.noise === 'uniform' ? 'uniform' : 'normal';
}
