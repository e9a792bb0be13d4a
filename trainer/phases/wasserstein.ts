/**
 * The critic game of WGAN and WGAN-GP: the critic f (no sigmoid) maximises E[f(x)] - E[f(G(z))], the
 * Wasserstein estimate logged every step as `wasserstein`, nCritic times per G update, each time on its own
 * batch; G minimises -E[f(G(z))]. f is kept Lipschitz by clipping every critic weight to [-c, c] after each
 * update, or by the gradient penalty lambda * E[(|grad f(x_hat)| - 1)^2]. With a warm-up, the paper code's
 * schedule: that many critic updates for the first 25 G updates and every 500th. With a drift weight, the
 * Progressive GAN's epsilon * E[f(x)^2] is added to the critic's loss.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, Stream } from '../data/rng.ts';
import { fakeOf, type Gan, type Phase, type StepInputs } from '../gan.ts';
import { gradientPenalty } from '../losses/gradient-penalty.ts';
import { criticWasserstein, generatorWasserstein, wassersteinEstimate } from '../losses/wasserstein.ts';

export interface WassersteinOptions {
  G: tf.LayersModel;
  D: tf.LayersModel;
  nCritic: number;
  /** Critic updates at warm-up steps (criticWarmupAt); 0 for none. */
  warmup?: number;
  /** Weight clipping bound c (WGAN). */
  clip?: number;
  /** Gradient penalty weight lambda (WGAN-GP). */
  gpWeight?: number;
  /** Drift weight epsilon: epsilon * E[f(x)^2] keeps real scores near 0 (the Progressive GAN's 0.001). */
  drift?: number;
  /** Keys of Gan.nets and Gan.optimizers the phases update and use; 'G' and 'D' when unset. */
  keys?: { G: string; D: string };
  /** The real batch as the critic sees it (a Progressive GAN blends it while a resolution fades in). */
  real?: (inputs: StepInputs) => tf.Tensor;
}

function score(net: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  return net.apply(x, { training: true }) as tf.Tensor;
}

/** Per-sample interpolation weights of the gradient penalty, from (seed, draw) like every other draw. */
function mixWeights(inputs: StepInputs): tf.Tensor1D {
  const n = inputs.real.shape[0]!;
  const rng = new Rng(inputs.seed, Stream.familyNoise, inputs.draw);
  return tf.tensor1d(Float32Array.from({ length: n }, () => rng.uniform()));
}

/** The paper code's warm-up steps: the first 25 G updates and every 500th. */
export function isWarmupStep(step: number): boolean {
  return step < 25 || step % 500 === 0;
}

/** The critic and G phases, and G's output that they share (Gan.generate). */
export function wassersteinPhases({
  G,
  D,
  nCritic,
  warmup = 0,
  clip,
  gpWeight,
  drift,
  keys = { G: 'G', D: 'D' },
  real: realOf = (inputs) => inputs.real,
}: WassersteinOptions): Required<Pick<Gan, 'phases' | 'generate'>> {
  const criticWeights = D.trainableWeights;
  const generate = (inputs: StepInputs) => score(G, inputs.z);
  const phases: Phase[] = [
    {
      name: 'D',
      updates: [keys.D],
      optimizer: keys.D,
      repeat: warmup > 0 ? (step) => (isWarmupStep(step) ? warmup : nCritic) : nCritic,
      loss: (inputs) => {
        const fake = fakeOf(inputs, generate);
        const real = realOf(inputs);
        const realScores = score(D, real);
        const fakeScores = score(D, fake);
        const metrics: Record<string, tf.Scalar> = {
          wasserstein: wassersteinEstimate(realScores, fakeScores),
        };
        let loss = criticWasserstein(realScores, fakeScores);
        if (gpWeight !== undefined) {
          const gp = gradientPenalty((x) => score(D, x), real, fake, mixWeights(inputs));
          loss = tf.add(loss, tf.mul(gpWeight, gp.penalty));
          metrics['loss/D/gp'] = gp.penalty;
          metrics['grad-norm'] = gp.gradNorm;
        }
        if (drift !== undefined) {
          const d = tf.mean<tf.Scalar>(tf.square(realScores));
          loss = tf.add(loss, tf.mul(drift, d));
          metrics['loss/D/drift'] = d;
        }
        return { loss, metrics };
      },
      ...(clip !== undefined
        ? {
            afterUpdate: () => {
              for (const w of criticWeights) w.write(tf.clipByValue(w.read(), -clip, clip));
            },
          }
        : {}),
    },
    {
      name: 'G',
      updates: [keys.G],
      optimizer: keys.G,
      loss: (inputs) => ({ loss: generatorWasserstein(score(D, fakeOf(inputs, generate))) }),
    },
  ];
  return { phases, generate };
}
