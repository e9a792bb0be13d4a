/**
 * The standard two-phase adversarial step shared by the G/D families that differ only in their networks:
 * a D phase on real and generated samples, then a G phase through D. The loss functions come from losses/.
 */
import * as tf from '@tensorflow/tfjs';
import {
  discriminatorBce,
  generatorMinimax,
  generatorNonSaturating,
  meanProbability,
} from '../losses/bce.ts';
import type { Phase } from './types.ts';

export interface AdversarialOptions {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  loss: 'non-saturating' | 'minimax';
}

function forward(net: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  return net.apply(x, { training: true }) as tf.Tensor;
}

export function bcePhases({ generator: G, discriminator: D, loss }: AdversarialOptions): Phase[] {
  const gLoss = loss === 'minimax' ? generatorMinimax : generatorNonSaturating;
  return [
    {
      name: 'D',
      updates: ['D'],
      optimizer: 'D',
      loss: ({ real, z }) => {
        const realLogits = forward(D, real);
        const fakeLogits = forward(D, forward(G, z));
        return {
          loss: discriminatorBce(realLogits, fakeLogits),
          metrics: { 'D(x)': meanProbability(realLogits), 'D(G(z))': meanProbability(fakeLogits) },
        };
      },
    },
    {
      name: 'G',
      updates: ['G'],
      optimizer: 'G',
      loss: ({ z }) => ({ loss: gLoss(forward(D, forward(G, z))) }),
    },
  ];
}

export function adam(learningRate: number, beta1: number): tf.Optimizer {
  return tf.train.adam(learningRate, beta1, 0.999, 1e-8);
}
