/**
 * SAGAN (Zhang et al. 2018): class-conditional ResNet G and D with a self-attention block in each (its gamma
 * starting at 0), spectral norm on every layer of both, conditional batch norm in G from per-layer class
 * tables, a projection D, the hinge loss and TTUR (G 1e-4, D 4e-4, Adam 0 / 0.9). The attention maps of G
 * are an extra output of the exported generator; each block's gamma is logged as gamma/{G,D}.
 */
import type { SaganHyperparameters } from '../../shared/catalog.ts';
import type { GanFamily } from '../gan.ts';
import { attentionGammas } from '../nn/attention.ts';
import { ttur } from '../nn/optimizers.ts';
import { ATTENTION, resnetPair } from '../nn/resnet-gan.ts';
import { conditionalHingePhases } from '../phases/hinge.ts';

export const sagan: GanFamily<SaganHyperparameters> = {
  id: 'sagan',
  build({ hyperparameters: hp, dataset, init }) {
    const { G, D } = resnetPair(hp, dataset, init, { kind: 'class' }, 'sagan');
    return {
      nets: { G, D },
      optimizers: ttur(hp),
      ...conditionalHingePhases({
        generator: G,
        discriminator: D,
        classes: dataset.classes,
        dSteps: hp.dSteps,
        metrics: () => ({ ...attentionGammas(G, 'G'), ...attentionGammas(D, 'D') }),
      }),
      generator: G,
      latentDim: hp.latentDim,
      conditional: { classes: dataset.classes },
      attentionMaps: [`${ATTENTION.G}_map`],
    };
  },
};
