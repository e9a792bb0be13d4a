/**
 * The standard two-phase adversarial step shared by the G/D families that differ only in their networks:
 * a D phase on real and generated samples, then a G phase through D. The loss functions come from losses/.
 * With `classes` set, G takes [z, one-hot label] and D takes [x, one-hot label] (the conditional GAN). A family
 * whose G is more than one model call (StyleGAN's mixed styles) gives its own `generate`; one that regularises
 * D (StyleGAN's R1) gives a `penalty`, added to D's loss and logged under its name.
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
  /** G's training-mode output on a draw; `generator` applied to z (and the label) when unset. */
  generate?: (inputs: StepInputs) => tf.Tensor;
  /** A term added to D's loss, e.g. "R1". */
  penalty?: { name: string; of(inputs: StepInputs): tf.Scalar };
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
  generate: ownGenerate,
  penalty,
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
  const generate = ownGenerate ?? ((inputs: StepInputs) => forward(G, inputs.z, fakeYOf(inputs)));
  const phases: Gan['phases'] = [
    {
      name: 'D',
      updates: ['D'],
      optimizer: 'D',
      loss: (inputs) => {
        const realLogits = forward(D, inputs.real, realYOf(inputs));
        const fakeLogits = forward(D, fakeOf(inputs, generate), fakeYOf(inputs));
        const metrics: Record<string, tf.Scalar> = {
          'D(x)': meanProbability(realLogits),
          'D(G(z))': meanProbability(fakeLogits),
        };
        const bce = discriminatorBce(realLogits, fakeLogits);
        if (!penalty) return { loss: bce, metrics };
        const term = penalty.of(inputs);
        return { loss: tf.add(bce, term) as tf.Scalar, metrics: { ...metrics, [penalty.name]: term } };
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
