/**
 * BigGAN (Brock et al. 2019) at small scale: SAGAN's networks with a shared class embedding and z split
 * across G's blocks (each block's batch norm conditioned on [embedding, its z chunk]), spectral norm in G
 * and D, self-attention, a projection D, the hinge loss with two D steps per G step, and orthogonal
 * regularisation of G's kernels (the shared embedding left out, as in the paper) added to G's loss. z drawn
 * truncated at sampling is an ability of the exported generator (the evaluation sweeps the threshold).
 */

import * as tf from '@tensorflow/tfjs';
import type { BigganHyperparameters } from '../../shared/catalog.ts';
import type { GanFamily } from '../gan.ts';
import { kernelsOf, orthogonalPenalty } from '../losses/orthogonal.ts';
import { attentionGammas } from '../nn/attention.ts';
import { ttur } from '../nn/optimizers.ts';
import { ATTENTION, resnetPair, SHARED_EMBEDDING } from '../nn/resnet-gan.ts';
import { conditionalHingePhases } from '../phases/hinge.ts';

export const biggan: GanFamily<BigganHyperparameters> = {
  id: 'biggan',
  build({ hyperparameters: hp, dataset, init }) {
    const { G, D } = resnetPair(hp, dataset, init, { kind: 'shared', embedDim: hp.embedDim }, 'biggan');
    return {
      nets: { G, D },
      optimizers: ttur(hp),
      ...conditionalHingePhases({
        generator: G,
        discriminator: D,
        classes: dataset.classes,
        dSteps: hp.dSteps,
        metrics: () => ({ ...attentionGammas(G, 'G'), ...attentionGammas(D, 'D') }),
        gRegulariser: {
          name: 'ortho/G',
          loss: () => tf.mul(hp.orthoWeight, orthogonalPenalty(kernelsOf(G, [SHARED_EMBEDDING]))),
        },
      }),
      generator: G,
      latentDim: hp.latentDim,
      conditional: { classes: dataset.classes },
      attentionMaps: [`${ATTENTION.G}_map`],
      truncation: true,
    };
  },
};
