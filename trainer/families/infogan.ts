/**
 * InfoGAN (Chen et al. 2016): G takes noise z and latent codes c (one categorical code, one-hot, and
 * continuous codes uniform in [-1, 1]); Q, a head on D's convolutional trunk, estimates c from G(z, c).
 * Both players minimise Q's negative log-likelihood of c (losses/info.ts), which maximises a lower bound
 * on the mutual information I(c; G(z, c)), so the codes come to control factors of the data unsupervised.
 *   G: concat(z, c) -> dense hiddenUnits BN ReLU -> dense 7x7xgChannels BN ReLU [-> concat(c tiled 7x7)]
 *      -> deconv gChannels/2 BN ReLU -> deconv tanh.
 *   D: conv dChannels -> conv 2*dChannels BN -> dense hiddenUnits BN LeakyReLU -> trunk; D head: dense
 *      logit; Q head: dense qUnits BN LeakyReLU -> dense [categorical logits | continuous means].
 * The defaults are the paper's MNIST networks (FC 1,024 in both). Without the hidden layers, Q decoded the
 * codes perfectly while they stood for stroke style more than for the digit (docs/RESULTS.md).
 * D is one network with two outputs [logit, q], so the trunk and both heads share a checkpoint and
 * optimizer; the D phase trains them on the GAN loss plus the information loss on fakes.
 */
import * as tf from '@tensorflow/tfjs';
import type { InfoganHyperparameters } from '../../shared/catalog.ts';
import { fakeOf, type GanFamily, type LatentCodes, type StepInputs } from '../gan.ts';
import { discriminatorBce, generatorBce, meanProbability } from '../losses/bce.ts';
import { categoricalInfoLoss, continuousInfoLoss } from '../losses/info.ts';
import { dcganGenerator, dcganImageShape, dcganTrunk } from '../nn/dcgan.ts';
import { assertShape, dense, input } from '../nn/layers.ts';
import { adam } from '../nn/optimizers.ts';

/** The information loss of Q's output [N, K + C] against the codes [N, K + C] G was given. */
function infoLosses(q: tf.Tensor, codes: tf.Tensor, { categorical: k, continuous: c }: LatentCodes) {
  const n = q.shape[0]!;
  const categorical = categoricalInfoLoss(tf.slice(q, [0, 0], [n, k]), tf.slice(codes, [0, 0], [n, k]));
  const continuous =
    c > 0 ? continuousInfoLoss(tf.slice(q, [0, k], [n, c]), tf.slice(codes, [0, k], [n, c])) : tf.scalar(0);
  return { categorical, continuous };
}

export const infogan: GanFamily<InfoganHyperparameters> = {
  id: 'infogan',
  build({ hyperparameters: hp, dataset, init }) {
    const [height, width, channels] = dcganImageShape(dataset, 'infogan');
    const codes: LatentCodes = { categorical: hp.categoricalCodes, continuous: hp.continuousCodes };
    const codeWidth = codes.categorical + codes.continuous;

    const z = input([hp.latentDim], 'z');
    const c = input([codeWidth], 'codes');
    const g = dcganGenerator(z, c, hp.gChannels, [height, width, channels], init, {
      hiddenUnits: hp.hiddenUnits,
      rejoinSide: hp.rejoinCodes,
    });
    const G = tf.model({
      inputs: [z, c],
      outputs: assertShape(g, [null, height, width, channels], 'infogan G'),
      name: 'generator',
    });

    const x = input([height, width, channels], 'x');
    const trunk = dcganTrunk(x, hp.dChannels, init, { hiddenUnits: hp.hiddenUnits });
    const logit = dense(trunk, { units: 1, init, normalInit: true });
    const qHidden = dense(trunk, { units: hp.qUnits, batchNorm: true, activation: 'leakyRelu', init });
    const q = assertShape(dense(qHidden, { units: codeWidth, init }), [null, codeWidth], 'infogan Q');
    const D = tf.model({ inputs: x, outputs: [logit, q], name: 'discriminator' });

    const gLoss = generatorBce(hp.loss);
    const judge = (images: tf.Tensor) => D.apply(images, { training: true }) as [tf.Tensor, tf.Tensor];
    const codesOf = (inputs: StepInputs) => {
      if (!inputs.codes) throw new Error('an infogan step needs codes');
      return inputs.codes;
    };
    const generate = (inputs: StepInputs) =>
      G.apply([inputs.z, codesOf(inputs)], { training: true }) as tf.Tensor;
    /** lambda-weighted information loss, and its parts as diagnostics. */
    const information = (qOut: tf.Tensor, given: tf.Tensor) => {
      const { categorical, continuous } = infoLosses(qOut, given, codes);
      const total = tf.mul(
        tf.add(categorical, tf.mul(continuous, hp.continuousInfoWeight)),
        hp.infoWeight,
      ) as tf.Scalar;
      // The categorical part of the bound in nats: H(c) - cross-entropy, at most log K.
      const bound = tf.sub(Math.log(codes.categorical), categorical) as tf.Scalar;
      return {
        total,
        metrics: { 'info/categorical': categorical, 'info/continuous': continuous, 'MI bound': bound },
      };
    };

    return {
      nets: { G, D },
      optimizers: { G: adam({ ...hp, learningRate: hp.gLearningRate }), D: adam(hp) },
      phases: [
        {
          name: 'D',
          updates: ['D'],
          optimizer: 'D',
          loss: (inputs) => {
            const [realLogits] = judge(inputs.real);
            const [fakeLogits, qOut] = judge(fakeOf(inputs, generate));
            const info = information(qOut, codesOf(inputs));
            return {
              loss: tf.add(discriminatorBce(realLogits, fakeLogits), info.total),
              metrics: { 'D(x)': meanProbability(realLogits), 'D(G(z))': meanProbability(fakeLogits) },
            };
          },
        },
        {
          name: 'G',
          updates: ['G'],
          optimizer: 'G',
          loss: (inputs) => {
            const [fakeLogits, qOut] = judge(fakeOf(inputs, generate));
            const info = information(qOut, codesOf(inputs));
            return { loss: tf.add(gLoss(fakeLogits), info.total), metrics: info.metrics };
          },
        },
      ],
      generate,
      generator: G,
      latentDim: hp.latentDim,
      latentNoise: hp.noise,
      codes,
    };
  },
};
