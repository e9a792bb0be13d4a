/**
 * Unrolled GAN (Metz et al. 2017): the Vanilla GAN's networks, D phase and optimizers, but G's loss is
 * taken against a look-ahead copy of D moved K steps of D's own optimizer further on the current batch, and
 * G's gradient flows back through those K steps (how D would react to G's change is what discourages G from
 * hopping between modes). The look-ahead weights are tensors derived from D's variables and never written
 * to them, so D is exactly as it was after the G phase: the restore is built in.
 *
 * Each look-ahead step is an Adam step as D's optimizer would take it, started from D's current moments
 * and step count (as the paper unrolls D's own optimizer): K look-ahead steps are K real D updates on this
 * batch. Fresh moments would make the first step sign-like, passing almost no second-order signal to G.
 */
import * as tf from '@tensorflow/tfjs';
import type { UnrolledHyperparameters } from '../../shared/catalog.ts';
import { fakeOf, type GanFamily, type Phase } from '../gan.ts';
import { discriminatorBce, generatorBce, meanProbability } from '../losses/bce.ts';
import { adamInternals } from '../nn/adam-internals.ts';
import { applyWithWeights, assertFunctionalChain } from '../nn/functional.ts';
import { mlpDiscriminator, mlpGenerator } from '../nn/mlp.ts';
import { adam } from '../nn/optimizers.ts';
import { bcePhases } from '../phases/adversarial.ts';

/** Who needs D's optimizer to be Adam, for its error message. */
const LOOK_AHEAD = "unrolled GAN: D's look-ahead";

/**
 * Keeps sqrt differentiable where the second moment is exactly zero (a weight D has never moved): its
 * gradient there is otherwise infinite and turns into NaN when multiplied by the zero gradient.
 */
const SQRT_FLOOR = 1e-30;

/**
 * D's weights after `steps` steps of D's Adam optimizer (from its current moments and step count) on the D
 * loss of (real, fake), as tensors that stay differentiable with respect to `fake` (and so to G).
 */
export function unrolledWeights(
  D: tf.LayersModel,
  optimizer: tf.Optimizer,
  real: tf.Tensor,
  fake: tf.Tensor,
  steps: number,
): tf.Tensor[] {
  const adam = adamInternals(optimizer, LOOK_AHEAD);
  const variables = D.trainableWeights.map((w) => w.read());
  const moment = (state: ({ variable: tf.Variable } | undefined)[], i: number) => {
    const m = state[i]?.variable;
    if (!m) return tf.zerosLike(variables[i]!);
    if (!tf.util.arraysEqual(m.shape, variables[i]!.shape))
      throw new Error(`unrolled GAN: D's optimizer state does not match D's weight ${i}`);
    return m;
  };
  if (adam.accumulatedFirstMoment.length > 0 && adam.accumulatedFirstMoment.length !== variables.length)
    throw new Error(
      `unrolled GAN: D's optimizer holds ${adam.accumulatedFirstMoment.length} moments for ${variables.length} weights`,
    );
  const dLoss = tf.grads((...w: tf.Tensor[]) =>
    discriminatorBce(applyWithWeights(D, real, w), applyWithWeights(D, fake, w)),
  );
  let weights: tf.Tensor[] = variables;
  let m = variables.map((_, i) => moment(adam.accumulatedFirstMoment, i));
  let v = variables.map((_, i) => moment(adam.accumulatedSecondMoment, i));
  let power1: tf.Tensor = adam.accBeta1;
  let power2: tf.Tensor = adam.accBeta2;
  for (let k = 0; k < steps; k++) {
    const grads = dLoss(weights);
    m = m.map((mi, i) => tf.add(tf.mul(mi, adam.beta1), tf.mul(grads[i]!, 1 - adam.beta1)));
    v = v.map((vi, i) => tf.add(tf.mul(vi, adam.beta2), tf.mul(tf.square(grads[i]!), 1 - adam.beta2)));
    const [c1, c2] = [tf.sub(1, power1), tf.sub(1, power2)];
    weights = weights.map((w, i) => {
      const mHat = tf.div(m[i]!, c1);
      const vHat = tf.div(v[i]!, c2);
      const denominator = tf.add(tf.sqrt(tf.add(vHat, SQRT_FLOOR)), adam.epsilon);
      return tf.add(tf.mul(tf.div(mHat, denominator), -adam.learningRate), w);
    });
    power1 = tf.mul(power1, adam.beta1);
    power2 = tf.mul(power2, adam.beta2);
  }
  return weights;
}

export const unrolled: GanFamily<UnrolledHyperparameters> = {
  id: 'unrolled',
  build({ hyperparameters: hp, dataset, init }) {
    const G = mlpGenerator(hp, dataset, init);
    const D = mlpDiscriminator(hp, dataset, init);
    assertFunctionalChain(D);
    const dOptimizer = adam(hp);
    adamInternals(dOptimizer, LOOK_AHEAD);
    const gLoss = generatorBce(hp.loss);
    const { phases, generate } = bcePhases({ generator: G, discriminator: D, loss: hp.loss });
    const gPhase: Phase = {
      name: 'G',
      updates: ['G'],
      optimizer: 'G',
      loss: (inputs) => {
        const { real } = inputs;
        const fake = fakeOf(inputs, generate);
        const weights = unrolledWeights(D, dOptimizer, real, fake, hp.unrollSteps);
        const logits = applyWithWeights(D, fake, weights);
        return { loss: gLoss(logits), metrics: { 'D_K(G(z))': meanProbability(logits) } };
      },
    };
    return {
      nets: { G, D },
      optimizers: { G: adam(hp), D: dOptimizer },
      phases: [phases[0]!, gPhase],
      generate,
      generator: G,
      latentDim: hp.latentDim,
    };
  },
};
