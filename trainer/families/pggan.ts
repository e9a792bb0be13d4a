/**
 * Progressive GAN (Karras et al. 2018): nn/progressive.ts's G and critic grown one resolution a stage, the
 * run's steps split evenly over the resolutions; a grown stage fades its new layers in over its first
 * fadeFraction of steps, the real images blended the same way. Each stage trains its own models of the
 * shared layers in the critic game of phases/wasserstein.ts with the gradient penalty and drift, with
 * fresh Adam state per resolution as the paper's code resets it.
 */
import type { PgganHyperparameters } from '../../shared/catalog.ts';
import { holdsImages } from '../../shared/datasets.ts';
import type { GanFamily, Stage } from '../gan.ts';
import { adam } from '../nn/optimizers.ts';
import { fadeReal, growthSides, progressiveNetworks } from '../nn/progressive.ts';
import { wassersteinPhases } from '../phases/wasserstein.ts';

export const pggan: GanFamily<PgganHyperparameters> = {
  id: 'pggan',
  build({ hyperparameters: hp, dataset, init, steps }) {
    const [height, width, imageChannels] = dataset.shape as [number, number, number];
    if (!holdsImages(dataset) || height !== width)
      throw new Error(`pggan grows square images, got ${dataset.shape.join('x')}`);
    const sides = growthSides(height);
    if (steps < sides.length)
      throw new Error(`pggan grows through ${sides.length} resolutions and needs at least as many steps`);
    const { stages: grown, generator } = progressiveNetworks({
      latentDim: hp.latentDim,
      channels: hp.channels,
      side: height,
      imageChannels,
      mbstdGroup: hp.mbstdGroup,
      init,
    });
    const perStage = Math.floor(steps / sides.length);
    const nets: Record<string, (typeof grown)[number]['G']> = { G: generator };
    const optimizers: Record<string, ReturnType<typeof adam>> = {};
    const stages: Stage[] = grown.map(({ side, G, D, fades }, k) => {
      const keys = { G: `G${side}`, D: `D${side}` };
      nets[keys.G] = G;
      nets[keys.D] = D;
      optimizers[keys.G] = adam(hp);
      optimizers[keys.D] = adam(hp);
      const last = k === sides.length - 1;
      return {
        name: `${side}x${side}`,
        ...(last ? {} : { until: (k + 1) * perStage }),
        resolution: [side, side],
        generator: G,
        ...(fades.length > 0
          ? {
              fade: {
                steps: Math.max(1, Math.floor(perStage * hp.fadeFraction)),
                set: (alpha: number) => {
                  for (const f of fades) f.setAlpha(alpha);
                },
              },
            }
          : {}),
        ...wassersteinPhases({
          G,
          D,
          nCritic: hp.nCritic,
          gpWeight: hp.gpWeight,
          drift: hp.drift,
          keys,
          ...(fades.length > 0 ? { real: (inputs) => fadeReal(inputs.real, inputs.alpha) } : {}),
        }),
      };
    });
    // z may be drawn truncated at sampling (the playground's slider), as BigGAN's.
    return { nets, optimizers, phases: [], stages, generator, latentDim: hp.latentDim, truncation: true };
  },
};
