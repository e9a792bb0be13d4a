/**
 * HoloGAN (Nguyen-Phuoc et al. 2019): G holds its object as a 3D feature volume and draws it from a camera
 * pose it is given, so the pose controls the view and z the object.
 *   G [z, pose]: learned constant 4x4x4xC, AdaIN(z), LReLU -> (3D deconv x2, AdaIN(z), LReLU) each halving
 *     C and doubling the side up to half the image's -> rigid rotation by the pose (trilinear) -> projection
 *     unit (depth into channels, 1x1 conv, LReLU) -> 2D deconv x2, AdaIN(z), LReLU -> 3x3 conv, tanh.
 *   D: DCGAN's conv trunk with a logit and an identity head that reconstructs z from the image.
 * The pose is drawn uniform over the dataset's pose ranges; D never sees it. The NS-GAN (or minimax) loss;
 * both players also minimise lambda_i times the identity regulariser, the mean squared error of D's estimate
 * of z (losses/info.ts's Gaussian term per dimension), which keeps z's effect visible whatever the pose. The paper's style discriminator is left out.
 */
import * as tf from '@tensorflow/tfjs';
import type { HologanHyperparameters } from '../../shared/catalog.ts';
import { fakeOf, type GanFamily, type StepInputs } from '../gan.ts';
import { discriminatorBce, generatorBce, meanProbability } from '../losses/bce.ts';
import { continuousInfoLoss } from '../losses/info.ts';
import { dcganTrunk } from '../nn/dcgan.ts';
import { activate, assertShape, conv, deconv, dense, input } from '../nn/layers.ts';
import { modulate } from '../nn/modulate.ts';
import { adam } from '../nn/optimizers.ts';
import { deconv3d, LearnedConstant, projectionUnit, rotate3d } from '../nn/volume.ts';

type Sym = tf.SymbolicTensor;

/** Side of the learned constant volume. */
export const CONSTANT_SIDE = 4;

export const hologan: GanFamily<HologanHyperparameters> = {
  id: 'hologan',
  build({ hyperparameters: hp, dataset, init }) {
    const [height, width, channels] = dataset.shape as [number, number, number];
    const volumeSide = height / 2;
    const deconvs3d = Math.log2(volumeSide / CONSTANT_SIDE);
    if (height !== width || !Number.isInteger(deconvs3d) || deconvs3d < 0)
      throw new Error(`hologan draws square images of side 8 x 2^k, got ${dataset.shape.join('x')}`);
    if (!dataset.pose) throw new Error(`hologan needs a dataset with camera poses; '${dataset.id}' has none`);
    if (hp.volumeChannels >> deconvs3d < 1)
      throw new Error(`hologan: volumeChannels ${hp.volumeChannels} cannot halve ${deconvs3d} times`);

    const z = input([hp.latentDim], 'z');
    const pose = input([2], 'pose');
    const adain = (x: Sym) =>
      activate(
        modulate(x, z, { norm: 'instance', source: { from: 'style' }, init: init.normal() }),
        'leakyRelu',
      );
    let v = new LearnedConstant({
      shape: [CONSTANT_SIDE, CONSTANT_SIDE, CONSTANT_SIDE, hp.volumeChannels],
      init: init.normal(1),
      name: 'constant',
    }).apply(z) as Sym;
    v = adain(v);
    for (let k = 1; k <= deconvs3d; k++)
      v = adain(deconv3d(v, { filters: hp.volumeChannels >> k, kernel: 3, strides: 2, init: init.normal() }));
    const view = rotate3d(v, pose, 'rotate');
    let x = projectionUnit(view, { filters: hp.projectionChannels, init: init.normal(), name: 'projection' });
    x = adain(deconv(x, { filters: hp.projectionChannels >> 1, kernel: 4, strides: 2, init, noBias: true }));
    const image = conv(x, { filters: channels, kernel: 3, strides: 1, activation: 'tanh', init });
    const G = tf.model({
      inputs: [z, pose],
      outputs: assertShape(image, [null, height, width, channels], 'hologan G'),
      name: 'generator',
    });

    const real = input([height, width, channels], 'x');
    const trunk = dcganTrunk(real, hp.dChannels, init);
    const logit = dense(trunk, { units: 1, init, normalInit: true, name: 'score' });
    const zHat = dense(trunk, { units: hp.latentDim, init, name: 'identity' });
    const D = tf.model({ inputs: real, outputs: [logit, zHat], name: 'discriminator' });

    const poseOf = (inputs: StepInputs) => {
      if (!inputs.pose) throw new Error('a hologan step needs a pose');
      return inputs.pose;
    };
    const generate = (inputs: StepInputs) =>
      G.apply([inputs.z, poseOf(inputs)], { training: true }) as tf.Tensor;
    const judge = (images: tf.Tensor) => D.apply(images, { training: true }) as [tf.Tensor, tf.Tensor];
    // The Gaussian term is half the squared error summed over z: 2 / latentDim makes it a per-dimension mean,
    // so lambda_i means the same whatever latentDim is.
    const identity = (estimate: tf.Tensor, zGiven: tf.Tensor) =>
      tf.mul(continuousInfoLoss(estimate, zGiven), (2 * hp.identityWeight) / hp.latentDim) as tf.Scalar;
    const gLoss = generatorBce(hp.loss);

    return {
      nets: { G, D },
      optimizers: { G: adam(hp), D: adam(hp) },
      phases: [
        {
          name: 'D',
          updates: ['D'],
          optimizer: 'D',
          loss: (inputs) => {
            const [realLogits] = judge(inputs.real);
            const [fakeLogits, estimate] = judge(fakeOf(inputs, generate));
            const id = identity(estimate, inputs.z);
            return {
              loss: tf.add(discriminatorBce(realLogits, fakeLogits), id),
              metrics: { 'D(x)': meanProbability(realLogits), 'D(G(z))': meanProbability(fakeLogits) },
            };
          },
        },
        {
          name: 'G',
          updates: ['G'],
          optimizer: 'G',
          loss: (inputs) => {
            const [fakeLogits, estimate] = judge(fakeOf(inputs, generate));
            const id = identity(estimate, inputs.z);
            return { loss: tf.add(gLoss(fakeLogits), id), metrics: { identity: id } };
          },
        },
      ],
      generate,
      generator: G,
      latentDim: hp.latentDim,
      pose: { azimuth: dataset.pose.azimuth, elevation: dataset.pose.elevation },
    };
  },
};
