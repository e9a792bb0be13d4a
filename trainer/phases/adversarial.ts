/**
 * The standard two-phase adversarial step shared by the G/D families that differ only in their networks:
 * a D phase on real and generated samples, then a G phase through D. The loss functions come from losses/.
 * With `classes` set, G takes [z, one-hot label] and D takes [x, one-hot label] (the conditional GAN).
 */
import * as tf from '@tensorflow/tfjs';
import { fakeOf, type Gan, type StepInputs } from '../gan.ts';
import { discriminatorBce, type GeneratorBce, generatorBce, meanProbability } from '../losses/bce.ts';

export interface AdversarialOptions {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  loss: GeneratorBce;
  /** Conditional: the number of classes of the one-hot label both networks take as their second input. */
  classes?: number;
}

function forward(net: tf.LayersModel, x: tf.Tensor, label?: tf.Tensor): tf.Tensor {
  return net.apply(label ? [x, label] : x, { training: true }) as tf.Tensor;
}

/** The two phases, and G's output that they share (Gan.generate). */
export function bcePhases({
  generator: G,
  discriminator: D,
  loss,
  classes,
}: AdversarialOptions): Required<Pick<Gan, 'phases' | 'generate'>> {
  const gLoss = generatorBce(loss);
  // Both undefined for unconditional families; D judges a fake under the label G was asked to draw.
  const fakeYOf = ({ fakeLabels }: StepInputs) => {
    if (classes === undefined) return undefined;
    if (!fakeLabels) throw new Error('a conditional GAN step needs fakeLabels');
    return fakeLabels;
  };
  const realYOf = ({ labels }: StepInputs) =>
    classes === undefined ? undefined : tf.oneHot(labels, classes).toFloat();
  const generate = (inputs: StepInputs) => forward(G, inputs.z, fakeYOf(inputs));
  const phases: Gan['phases'] = [
    {
      name: 'D',
      updates: ['D'],
      optimizer: 'D',
      loss: (inputs) => {
        const realLogits = forward(D, inputs.real, realYOf(inputs));
        const fakeLogits = forward(D, fakeOf(inputs, generate), fakeYOf(inputs));
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
      loss: (inputs) => ({ loss: gLoss(forward(D, fakeOf(inputs, generate), fakeYOf(inputs))) }),
    },
  ];
  return { phases, generate };
}
