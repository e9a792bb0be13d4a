/**
 * DCGAN (Radford et al. 2015): the transposed-conv generator and strided-conv discriminator of nn/dcgan.ts,
 * the BCE game, Adam for both.
 */
import type { DcganHyperparameters } from '../../shared/catalog.ts';
import type { GanFamily } from '../gan.ts';
import { dcganDiscriminatorModel, dcganGeneratorModel } from '../nn/dcgan.ts';
import { adam } from '../nn/optimizers.ts';
import { bcePhases } from '../phases/adversarial.ts';

export const dcgan: GanFamily<DcganHyperparameters> = {
  id: 'dcgan',
  build({ hyperparameters: hp, dataset, init }) {
    const G = dcganGeneratorModel(hp.latentDim, hp.gChannels, dataset, init, 'dcgan');
    const D = dcganDiscriminatorModel(hp.dChannels, dataset, init, { name: 'discriminator' });
    return {
      nets: { G, D },
      optimizers: { G: adam(hp), D: adam(hp) },
      ...bcePhases({ generator: G, discriminator: D, loss: hp.loss }),
      generator: G,
      latentDim: hp.latentDim,
    };
  },
};
