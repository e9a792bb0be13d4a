/**
 * Conditional GAN (Mirza and Osindero 2014): the class label is joined to the inputs of both networks, so
 * G learns p(x | y) and D judges (image, label) pairs. The paper's MLPs are replaced by the DCGAN networks
 * (the usual modern choice, and much stronger on MNIST at the same budget):
 *   G: concat(z, y) -> dense 7x7xgChannels -> concat(y tiled 7x7) -> deconv -> deconv tanh.
 *   D: concat(x, y tiled HxW) -> strided convs -> concat(y) -> logit.
 * Joining y at the inputs alone proved too weak for these conv nets (class accuracy at chance after 400
 * steps), so it is joined again after G's projection and before D's logit.
 * The label is a float32 one-hot [N, classes] rather than an int id through an embedding: dense on one-hot
 * is the same function, keeps the exported generator to plain layers, and needs no segment-sum gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { CganHyperparameters } from '../../shared/catalog.ts';
import type { GanFamily } from '../gan.ts';
import { dcganGenerator, dcganImageShape, dcganTrunk } from '../nn/dcgan.ts';
import { assertShape, concatenate, dense, input, tileOver } from '../nn/layers.ts';
import { adam } from '../nn/optimizers.ts';
import { bcePhases } from '../phases/adversarial.ts';

export const cgan: GanFamily<CganHyperparameters> = {
  id: 'cgan',
  build({ hyperparameters: hp, dataset, init }) {
    const [height, width, channels] = dcganImageShape(dataset, 'cgan');
    const classes = dataset.classes;
    if (classes < 2) throw new Error(`cgan needs a labelled dataset, '${dataset.id}' has ${classes} classes`);

    const z = input([hp.latentDim], 'z');
    const y = input([classes], 'label');
    const g = dcganGenerator(z, y, hp.gChannels, [height, width, channels], init);
    const G = tf.model({
      inputs: [z, y],
      outputs: assertShape(g, [null, height, width, channels], 'cgan G'),
      name: 'generator',
    });

    const x = input([height, width, channels], 'x');
    const yD = input([classes], 'd_label');
    const trunk = dcganTrunk(concatenate([x, tileOver(yD, height, width)]), hp.dChannels, init);
    const d = dense(concatenate([trunk, yD]), { units: 1, init, normalInit: true });
    const D = tf.model({ inputs: [x, yD], outputs: d, name: 'discriminator' });

    return {
      nets: { G, D },
      optimizers: { G: adam(hp), D: adam(hp) },
      ...bcePhases({ generator: G, discriminator: D, loss: hp.loss, classes }),
      generator: G,
      latentDim: hp.latentDim,
      conditional: { classes },
    };
  },
};
