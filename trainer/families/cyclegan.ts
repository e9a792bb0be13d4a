/**
 * CycleGAN (Zhu et al. 2017) on an unpaired set (domain A the batch's x, domain B its domainB). One network
 * holds both generators: [a, b] -> [G_AB(a), G_BA(b)], so a call on [fakeA, fakeB] gives both
 * reconstructions and a call on [b, a] both identity mappings, and the export is one model that translates
 * either way. Each G is the ResNet generator (nn/resnet-generator.ts), or for the baseline a per-pixel
 * colour map (a 1x1 convolution, tanh). D_A and D_B are PatchGANs with instance norm, trained with the
 * least-squares loss on fakes drawn through a history pool each (kept in the checkpoint); G's loss adds
 * lambda x cycle and lambda x identityWeight x identity L1 terms, both ways. One Adam for both Gs and one
 * for both Ds, as the paper's code has.
 */
import * as tf from '@tensorflow/tfjs';
import type { CycleganHyperparameters } from '../../shared/catalog.ts';
import { fakeOf, type GanFamily, type StepInputs } from '../gan.ts';
import { cycleLoss, identityLoss } from '../losses/cycle.ts';
import { discriminatorLeastSquares, generatorLeastSquares } from '../losses/least-squares.ts';
import { HistoryPool } from '../nn/history-pool.ts';
import { conv, input, named } from '../nn/layers.ts';
import { adam } from '../nn/optimizers.ts';
import { patchGanModel } from '../nn/patchgan.ts';
import { resnetGenerator } from '../nn/resnet-generator.ts';

function domainBOf({ domainB }: StepInputs): tf.Tensor {
  if (!domainB) throw new Error('a CycleGAN step needs an unpaired batch (its domain B images)');
  return domainB;
}

export const cyclegan: GanFamily<CycleganHyperparameters> = {
  id: 'cyclegan',
  build({ hyperparameters: hp, dataset, init }) {
    const shape = dataset.shape as [number, number, number];
    const channels = shape[2];
    const translate = (x: tf.SymbolicTensor) =>
      hp.generator === 'resnet'
        ? resnetGenerator(x, {
            outputChannels: channels,
            filters: hp.gFilters,
            blocks: hp.residualBlocks,
            init,
          })
        : conv(x, { kernel: 1, strides: 1, filters: channels, activation: 'tanh', init });
    const a = input([...shape], 'a');
    const b = input([...shape], 'b');
    const G = tf.model({
      inputs: [a, b],
      outputs: [named(translate(a), 'to_b'), named(translate(b), 'to_a')],
      name: 'generator',
    });
    const patchGan = (name: string) =>
      patchGanModel({
        imageShape: shape,
        filters: hp.dFilters,
        downs: hp.patchDowns,
        norm: 'instance',
        init,
        name,
      });
    const DA = patchGan('discriminator_a');
    const DB = patchGan('discriminator_b');
    const poolA = new HistoryPool(hp.poolSize, shape, 0);
    const poolB = new HistoryPool(hp.poolSize, shape, 1);

    const both = (x: tf.Tensor, y: tf.Tensor) => G.apply([x, y], { training: true }) as tf.Tensor[];
    // G's two translations stacked on a new first axis: [fakeB, fakeA], the one tensor Gan.generate gives.
    const generate = (inputs: StepInputs) => tf.stack(both(inputs.real, domainBOf(inputs)));
    const fakes = (inputs: StepInputs) => {
      const [fakeB, fakeA] = tf.unstack(fakeOf(inputs, generate));
      return { fakeA: fakeA!, fakeB: fakeB! };
    };
    const judge = (D: tf.LayersModel, x: tf.Tensor) => D.apply(x, { training: true }) as tf.Tensor;
    const lambda = hp.cycleWeight;

    return {
      nets: { G, DA, DB },
      optimizers: { G: adam(hp), D: adam(hp) },
      phases: [
        {
          name: 'D',
          updates: ['DA', 'DB'],
          optimizer: 'D',
          loss: (inputs) => {
            const { fakeA, fakeB } = fakes(inputs);
            const lossA = discriminatorLeastSquares(
              judge(DA, inputs.real),
              judge(DA, poolA.query(fakeA, inputs.seed, inputs.draw)),
            );
            const lossB = discriminatorLeastSquares(
              judge(DB, domainBOf(inputs)),
              judge(DB, poolB.query(fakeB, inputs.seed, inputs.draw)),
            );
            return { loss: tf.add(lossA, lossB), metrics: { 'loss/D_A': lossA, 'loss/D_B': lossB } };
          },
        },
        {
          name: 'G',
          updates: ['G'],
          optimizer: 'G',
          loss: (inputs) => {
            const realA = inputs.real;
            const realB = domainBOf(inputs);
            const { fakeA, fakeB } = fakes(inputs);
            const adversarial = tf.add<tf.Scalar>(
              generatorLeastSquares(judge(DB, fakeB)),
              generatorLeastSquares(judge(DA, fakeA)),
            );
            const [recB, recA] = both(fakeA, fakeB);
            const cycle = tf.add<tf.Scalar>(cycleLoss(realA, recA!, lambda), cycleLoss(realB, recB!, lambda));
            const terms = [adversarial, cycle];
            const metrics: Record<string, tf.Scalar> = { 'G/adversarial': adversarial, 'G/cycle': cycle };
            if (hp.identityWeight > 0) {
              const [idtB, idtA] = both(realB, realA);
              const weight = lambda * hp.identityWeight;
              const identity = tf.add<tf.Scalar>(
                identityLoss(realB, idtB!, weight),
                identityLoss(realA, idtA!, weight),
              );
              terms.push(identity);
              metrics['G/identity'] = identity;
            }
            return { loss: tf.addN(terms) as tf.Scalar, metrics };
          },
        },
      ],
      generate,
      generator: G,
      latentDim: 0,
      translation: { inputs: ['x', 'domainB'] },
      state: {
        pool_a_images: poolA.images,
        pool_a_kept: poolA.kept,
        pool_b_images: poolB.images,
        pool_b_kept: poolB.kept,
      },
    };
  },
};
