/**
 * Vanilla GAN (Goodfellow et al. 2014): MLP generator and discriminator (nn/mlp.ts), the minimax game or
 * its non-saturating variant.
 */
import type { VanillaHyperparameters } from '../../shared/catalog.ts';
import type { GanFamily } from '../gan.ts';
import { mlpDiscriminator, mlpGenerator } from '../nn/mlp.ts';
import { adam } from '../nn/optimizers.ts';
import { bcePhases } from '../phases/adversarial.ts';

export const vanilla: GanFamily<VanillaHyperparameters> = {
  id: 'vanilla',
  build({ hyperparameters: hp, dataset, init }) {
    const G = mlpGenerator(hp, dataset, init);
    const D = mlpDiscriminator(hp, dataset, init);
    return {
      nets: { G, D },
      optimizers: { G: adam(hp), D: adam(hp) },
      ...bcePhases({ generator: G, discriminator: D, loss: hp.loss }),
      generator: G,
      latentDim: hp.latentDim,
    };
  },
};
