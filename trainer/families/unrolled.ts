/**
 * Unrolled GAN (Metz et al. 2017): the Vanilla GAN's networks, D phase and optimizers, but G's loss is
 * taken against a look-ahead copy of D moved K gradient steps further on the current batch, and G's
 * gradient flows back through those K steps (how D would react to G's change is what discourages G from
 * hopping between modes). The look-ahead weights are tensors derived from D's variables and never written
 * to them, so D is exactly as it was after the G phase: the restore is built in.
 *
 * Each look-ahead step moves every weight tensor by unrollLearningRate times its gradient divided by the
 * gradient's root mean square over that tensor: a step the size of one of D's Adam steps (so K look-ahead
 * steps are about K real D updates, as in the paper, where D's own optimizer is unrolled), yet smooth in
 * the gradient. Adam's per-element first step from fresh moments is sign-like and would pass almost no
 * second-order signal to G; plain gradient steps grow with D's gradients and overshoot as D sharpens.
 */
import * as tf from '@tensorflow/tfjs';
import type { UnrolledHyperparameters } from '../../shared/catalog.ts';
import {
  discriminatorBce,
  generatorMinimax,
  generatorNonSaturating,
  meanProbability,
} from '../losses/bce.ts';
import { applyWithWeights, assertFunctionalChain } from '../nn/functional.ts';
import { bcePhases } from './adversarial.ts';
import type { GanFamily, Phase } from './types.ts';
import { vanilla } from './vanilla.ts';

/**
 * D's weights after `steps` RMS-normalised gradient steps of size `learningRate` on the D loss of
 * (real, fake), as tensors that stay differentiable with respect to `fake` (and so to G).
 */
export function unrolledWeights(
  D: tf.LayersModel,
  real: tf.Tensor,
  fake: tf.Tensor,
  steps: number,
  learningRate: number,
): tf.Tensor[] {
  const dLoss = tf.grads((...w: tf.Tensor[]) =>
    discriminatorBce(applyWithWeights(D, real, w), applyWithWeights(D, fake, w)),
  );
  let weights: tf.Tensor[] = D.trainableWeights.map((w) => w.read());
  for (let k = 0; k < steps; k++) {
    const grads = dLoss(weights);
    weights = weights.map((w, i) => {
      const g = grads[i]!;
      const rms = tf.sqrt(tf.add(tf.mean(tf.square(g)), RMS_EPSILON));
      return tf.sub(w, tf.mul(tf.div(g, rms), learningRate));
    });
  }
  return weights;
}

/** Keeps the step finite for a zero gradient (a bias D does not use yet). */
const RMS_EPSILON = 1e-12;

export const unrolled: GanFamily<UnrolledHyperparameters> = {
  id: 'unrolled',
  build(ctx) {
    const hp = ctx.hyperparameters;
    const gan = vanilla.build(ctx);
    const { G, D } = gan.nets as { G: tf.LayersModel; D: tf.LayersModel };
    assertFunctionalChain(D);
    const gLoss = hp.loss === 'minimax' ? generatorMinimax : generatorNonSaturating;
    const [dPhase] = bcePhases({ generator: G, discriminator: D, loss: hp.loss });
    const gPhase: Phase = {
      name: 'G',
      updates: ['G'],
      optimizer: 'G',
      loss: ({ real, z }) => {
        const fake = G.apply(z, { training: true }) as tf.Tensor;
        const weights = unrolledWeights(D, real, fake, hp.unrollSteps, hp.unrollLearningRate);
        const logits = applyWithWeights(D, fake, weights);
        return { loss: gLoss(logits), metrics: { 'D_K(G(z))': meanProbability(logits) } };
      },
    };
    return { ...gan, phases: [dPhase!, gPhase] };
  },
};
