/**
 * The class-conditional hinge game of SAGAN and BigGAN: D (updated `dSteps` times per step, each on its own
 * draw) scores (image, label) pairs with the hinge loss; G minimises -D(G(z, y), y) plus an optional
 * regulariser of its own weights (BigGAN's orthogonal regularisation). G's output on a draw is made once
 * for both phases (Gan.generate).
 */
import * as tf from '@tensorflow/tfjs';
import { fakeOf, type Gan, type StepInputs } from '../gan.ts';
import { discriminatorHinge, generatorHinge } from '../losses/hinge.ts';

export interface HingeOptions {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  classes: number;
  /** D updates per G update. */
  dSteps: number;
  /** Added to G's loss, logged as its own metric under its name. */
  gRegulariser?: { name: string; loss: () => tf.Scalar };
  /** Diagnostics logged with D's phase (e.g. attention gammas). */
  metrics?: () => Record<string, tf.Scalar>;
}

export function conditionalHingePhases(o: HingeOptions): Required<Pick<Gan, 'phases' | 'generate'>> {
  const forward = (net: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) =>
    net.apply([x, y], { training: true }) as tf.Tensor;
  const fakeY = ({ fakeLabels }: StepInputs) => {
    if (!fakeLabels) throw new Error('a conditional hinge step needs fakeLabels');
    return fakeLabels;
  };
  const generate = (inputs: StepInputs) => forward(o.generator, inputs.z, fakeY(inputs));
  return {
    generate,
    phases: [
      {
        name: 'D',
        updates: ['D'],
        optimizer: 'D',
        repeat: o.dSteps,
        loss: (inputs) => {
          const realY = tf.oneHot(inputs.labels, o.classes).toFloat();
          const real = forward(o.discriminator, inputs.real, realY);
          const fake = forward(o.discriminator, fakeOf(inputs, generate), fakeY(inputs));
          return { loss: discriminatorHinge(real, fake), ...(o.metrics ? { metrics: o.metrics() } : {}) };
        },
      },
      {
        name: 'G',
        updates: ['G'],
        optimizer: 'G',
        loss: (inputs) => {
          const adversarial = generatorHinge(
            forward(o.discriminator, fakeOf(inputs, generate), fakeY(inputs)),
          );
          if (!o.gRegulariser) return { loss: adversarial };
          const r = o.gRegulariser.loss();
          return { loss: tf.add(adversarial, r), metrics: { [o.gRegulariser.name]: r } };
        },
      },
    ],
  };
}
