/**
 * Prescribed GAN (Dieng et al. 2019): the Vanilla GAN's networks give the mean mu(z) of a Gaussian
 * p(x | z) = N(mu(z), sigma^2) with a learned noise scale sigma per output value (pixel or coordinate).
 * D judges noisy samples x = mu(z) + sigma * eps and equally noised real data; G (with sigma) minimises the
 * adversarial loss minus entropyWeight x the entropy of p(x), whose gradient needs samples of z ~ p(z | x),
 * drawn by HMC started at the z that made x (itself an exact posterior sample). The exported generator is
 * mu, the noise-free mean.
 *
 * sigma = sigmaMin + (sigmaMax - sigmaMin) * sigmoid(raw): bounded without clipping, so its gradient never
 * vanishes at a bound. raw is the kernel of a dense layer on a constant input, so it is checkpointed and
 * updated like any other weight.
 */
import * as tf from '@tensorflow/tfjs';
import type { PresganHyperparameters } from '../../shared/catalog.ts';
import { Rng, Stream } from '../data/rng.ts';
import type { GanFamily, StepInputs } from '../gan.ts';
import { discriminatorBce, generatorBce, meanProbability } from '../losses/bce.ts';
import { entropySurrogate } from '../losses/entropy.ts';
import { hmc } from '../nn/hmc.ts';
import { input } from '../nn/layers.ts';
import { mlpDiscriminator, mlpGenerator } from '../nn/mlp.ts';
import { adam } from '../nn/optimizers.ts';

/** Purposes of the per-step noise this family draws (with Stream.familyNoise). */
const Noise = { realD: 1, fakeD: 2, fakeG: 3, hmc: 4 } as const;

/** A copy of `t` with no link to the gradient tape (tfjs has no stop-gradient op). */
function constant(t: tf.Tensor): tf.Tensor {
  return tf.tensor(t.dataSync() as Float32Array, t.shape);
}

function rngFor(inputs: StepInputs, purpose: number): Rng {
  return new Rng(inputs.seed, Stream.familyNoise, inputs.step, purpose);
}

function normalLike(t: tf.Tensor, rng: Rng): tf.Tensor {
  return tf.tensor(rng.normals(t.size), t.shape);
}

export const presgan: GanFamily<PresganHyperparameters> = {
  id: 'presgan',
  build({ hyperparameters: hp, dataset, init }) {
    const G = mlpGenerator(hp, dataset, init);
    const D = mlpDiscriminator(hp, dataset, init);
    const sampleShape = [...dataset.shape];
    const units = sampleShape.reduce((a, b) => a * b, 1);

    // sigmaMin < sigmaInit < sigmaMax holds: the catalog declares it, so parseSpec refuses a spec without it.
    const share = (hp.sigmaInit - hp.sigmaMin) / (hp.sigmaMax - hp.sigmaMin);
    const one = input([1], 'one');
    const raw = tf.layers
      .dense({
        units,
        useBias: false,
        kernelInitializer: tf.initializers.constant({ value: Math.log(share / (1 - share)) }),
      })
      .apply(one) as tf.SymbolicTensor;
    const S = tf.model({ inputs: one, outputs: raw, name: 'noise_scale' });
    /** [1, ...sampleShape] noise scale, broadcasting over a batch. */
    const sigma = () =>
      tf.reshape(
        tf.add(
          hp.sigmaMin,
          tf.mul(hp.sigmaMax - hp.sigmaMin, tf.sigmoid(S.apply(tf.ones([1, 1])) as tf.Tensor)),
        ),
        [1, ...sampleShape],
      );
    const mean = (z: tf.Tensor) => G.apply(z, { training: true }) as tf.Tensor;
    const gLoss = generatorBce(hp.loss);

    /** Posterior samples of z given x (constants), started at z. */
    const posterior = (inputs: StepInputs, x: tf.Tensor, s: tf.Tensor) => {
      const n = x.shape[0]!;
      const logPosterior = (z: tf.Tensor2D) =>
        tf.neg(
          tf.add(
            tf.mul(tf.sum(tf.square(z), 1), 0.5),
            tf.mul(tf.sum(tf.reshape(tf.square(tf.div(tf.sub(x, mean(z)), s)), [n, -1]), 1), 0.5),
          ),
        ) as tf.Tensor1D;
      return hmc(logPosterior, inputs.z, {
        leapfrogSteps: hp.hmcLeapfrogSteps,
        stepSize: hp.hmcStepSize,
        iterations: hp.hmcIterations,
        rng: rngFor(inputs, Noise.hmc),
      });
    };

    return {
      nets: { G, D, S },
      // G's optimizer updates G and S.
      optimizers: { G: adam(hp), D: adam(hp) },
      generator: G,
      latentDim: hp.latentDim,
      phases: [
        {
          name: 'D',
          updates: ['D'],
          optimizer: 'D',
          loss: (inputs) => {
            const s = sigma();
            const real = tf.add(inputs.real, tf.mul(s, normalLike(inputs.real, rngFor(inputs, Noise.realD))));
            const mu = mean(inputs.z);
            const fake = tf.add(mu, tf.mul(s, normalLike(mu, rngFor(inputs, Noise.fakeD))));
            const realLogits = D.apply(real, { training: true }) as tf.Tensor;
            const fakeLogits = D.apply(fake, { training: true }) as tf.Tensor;
            return {
              loss: discriminatorBce(realLogits, fakeLogits),
              metrics: { 'D(x)': meanProbability(realLogits), 'D(G(z))': meanProbability(fakeLogits) },
            };
          },
        },
        {
          name: 'G',
          updates: ['G', 'S'],
          optimizer: 'G',
          loss: (inputs) => {
            const s = sigma();
            const mu = mean(inputs.z);
            const fake = tf.add(mu, tf.mul(s, normalLike(mu, rngFor(inputs, Noise.fakeG))));
            const adversarial = gLoss(D.apply(fake, { training: true }) as tf.Tensor);
            const x = constant(fake);
            const sC = constant(s);
            const { samples, acceptance } = posterior(inputs, x, sC);
            const score = constant(tf.div(tf.sub(x, mean(samples)), tf.square(sC)));
            const entropy = entropySurrogate(fake, score);
            return {
              loss: tf.sub(adversarial, tf.mul(entropy, hp.entropyWeight)),
              metrics: {
                'loss/G/adversarial': adversarial,
                'hmc/acceptance': tf.scalar(acceptance),
                'sigma/mean': tf.mean(s),
              },
            };
          },
        },
      ],
    };
  },
};
