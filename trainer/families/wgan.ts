/**
 * WGAN (Arjovsky et al. 2017) and WGAN-GP (Gulrajani et al. 2017): DCGAN's networks (nn/dcgan.ts) with D as
 * a critic (one unbounded score) in the critic game of phases/wasserstein.ts. WGAN keeps the critic
 * Lipschitz by weight clipping, with RMSProp; WGAN-GP by the gradient penalty, with Adam and no batch norm
 * in the critic. WGAN's criticWarmup gives the paper code's schedule, so the critic is near its optimum
 * when G learns from it.
 */
import type { WganGpHyperparameters, WganHyperparameters } from '../../shared/catalog.ts';
import type { GanFamily } from '../gan.ts';
import { dcganDiscriminatorModel, dcganGeneratorModel } from '../nn/dcgan.ts';
import { adam, rmsprop } from '../nn/optimizers.ts';
import { wassersteinPhases } from '../phases/wasserstein.ts';

export const wgan: GanFamily<WganHyperparameters> = {
  id: 'wgan',
  build({ hyperparameters: hp, dataset, init }) {
    const G = dcganGeneratorModel(hp.latentDim, hp.gChannels, dataset, init, 'wgan');
    const D = dcganDiscriminatorModel(hp.dChannels, dataset, init, { name: 'critic' });
    return {
      nets: { G, D },
      optimizers: { G: rmsprop(hp.learningRate), D: rmsprop(hp.learningRate) },
      ...wassersteinPhases({ G, D, nCritic: hp.nCritic, warmup: hp.criticWarmup, clip: hp.clip }),
      generator: G,
      latentDim: hp.latentDim,
    };
  },
};

export const wganGp: GanFamily<WganGpHyperparameters> = {
  id: 'wgan-gp',
  build({ hyperparameters: hp, dataset, init }) {
    const G = dcganGeneratorModel(hp.latentDim, hp.gChannels, dataset, init, 'wgan-gp');
    const D = dcganDiscriminatorModel(hp.dChannels, dataset, init, { name: 'critic', batchNorm: false });
    return {
      nets: { G, D },
      optimizers: { G: adam(hp), D: adam(hp) },
      ...wassersteinPhases({ G, D, nCritic: hp.nCritic, gpWeight: hp.gpWeight }),
      generator: G,
      latentDim: hp.latentDim,
    };
  },
};
