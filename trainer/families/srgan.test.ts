/**
 * SRGAN: the family contract through the real loop on photos-x4 (its pretraining stage, then the adversarial
 * one), and the parts GANS.md asks of it: a residual G with PReLU and x4 sub-pixel upsampling, a VGG-style
 * D, the content loss in the photo feature network plus the adversarial term, MSE-only pretraining first.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resizeBicubicBatch } from '../../shared/layers/bicubic.ts';
import { initBackend } from '../backend/index.ts';
import { openDataset } from '../data/index.ts';
import { prepareDataset } from '../data/prepare.ts';
import { disposeGan } from '../gan.ts';
import { buildGan } from '../loop.ts';
import { generatorNonSaturating } from '../losses/bce.ts';
import { DepthToSpace } from '../nn/depth-to-space.ts';
import { stagesOf } from '../stages.ts';
import { disposeStepInputs, stepInputs } from '../step.ts';
import { TINY_HYPERPARAMETERS, tinySpec } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';

beforeAll(async () => {
  await initBackend('wasm');
  await prepareDataset('photos-x4', { log: () => {} });
}, 120_000);

const PRETRAIN = ['loss/G', 'MSE'];
const ADVERSARIAL = ['loss/D', 'loss/G', 'D(x)', 'D(G(x))', 'content', 'adversarial', 'MSE'];
// Four steps: steps 0-1 pretrain (metrics lines 1-2), steps 2-3 are adversarial.
familyContract('srgan', 'photos-x4', undefined, (step) => (step <= 2 ? PRETRAIN : ADVERSARIAL));

describe('the parts GANS.md asks of srgan are there', () => {
  it('a residual G with PReLU and two x2 sub-pixel steps (8 -> 32 px), a VGG-style D, MSE pretraining then the adversarial stage', () => {
    const gan = buildGan(tinySpec('srgan', 'photos-x4', { steps: 10 }));
    const G = gan.nets.G!;
    expect(gan.latentDim).toBe(0);
    expect(gan.translation).toEqual({ inputs: ['input'], target: 'x' });
    expect(G.inputs[0]!.shape).toEqual([null, 8, 8, 3]);
    expect(G.outputs[0]!.shape).toEqual([null, 32, 32, 3]);
    const shuffles = G.layers.filter((l) => l instanceof DepthToSpace) as DepthToSpace[];
    expect(shuffles.map((l) => l.blockSize)).toEqual([2, 2]);
    // PReLU after the head, inside each residual block, and after each sub-pixel step.
    expect(G.layers.filter((l) => l.getClassName() === 'PReLU')).toHaveLength(1 + 1 + 2);
    // Each residual block's output adds its input, the trunk adds the head's output, and the output adds
    // the input enlarged by bicubic: 1 + 1 + 1 skips.
    expect(G.layers.filter((l) => l.getClassName() === 'Add')).toHaveLength(3);
    const D = gan.nets.D!;
    const convs = D.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs.map((l) => (l.getConfig().kernelSize as number[])[0])).toEqual(convs.map(() => 3));
    expect(convs.map((l) => (l.getConfig().strides as number[])[0])).toEqual([1, 2, 1, 2, 1, 2]);
    expect(D.layers.filter((l) => l.getClassName() === 'LeakyReLU').length).toBe(convs.length + 1);
    expect(D.outputs[0]!.shape).toEqual([null, 1]);
    const stages = stagesOf(gan);
    expect(stages.map((s) => [s.name, s.end])).toEqual([
      ['MSE pretraining', 5],
      ['adversarial', Number.POSITIVE_INFINITY],
    ]);
    expect(stages[0]!.phases.map((p) => [p.name, p.updates])).toEqual([['G', ['G']]]);
    expect(stages[1]!.phases.map((p) => [p.name, p.updates])).toEqual([
      ['D', ['D']],
      ['G', ['G']],
    ]);
    expect(stages[0]!.generator).toBe(G);
    expect(stages[1]!.generator).toBe(G);
    // The feature network is read, never trained: no phase updates it and it is in no checkpoint.
    expect(Object.keys(gan.fixed!)).toEqual(['features']);
    expect(gan.fixed!.features!.trainableWeights).toHaveLength(0);
    disposeGan(gan);
  });

  it('with bicubicSkip G is bicubic plus a learned residual (the enlargement fixed); without it, the tanh of its own enlargement', () => {
    const gan = buildGan(tinySpec('srgan', 'photos-x4', { steps: 10 }));
    const G = gan.nets.G!;
    // The bicubic path is fixed: G's trainable weights are the conv stack's alone.
    const fixed = G.nonTrainableWeights.map((w) => w.originalName);
    expect(fixed.filter((n) => n.startsWith('bicubic'))).toHaveLength(2);
    expect(G.trainableWeights.filter((w) => w.originalName.startsWith('bicubic'))).toHaveLength(0);
    // The residual's last conv starts at zero: untrained, G's output is the input enlarged by the project's
    // bicubic.
    const x = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 3);
    const out = G.predict(x) as tf.Tensor;
    const want = resizeBicubicBatch(x.dataSync() as Float32Array, [8, 8, 3], [32, 32]);
    const got = out.dataSync();
    expect(Math.max(...want.map((v, i) => Math.abs(v - got[i]!)))).toBeLessThan(1e-5);
    disposeGan(gan);

    const hyperparameters = { ...TINY_HYPERPARAMETERS.srgan, bicubicSkip: false };
    const paper = buildGan(tinySpec('srgan', 'photos-x4', { steps: 10, hyperparameters }));
    const P = paper.nets.G!;
    expect(P.layers.filter((l) => l.getClassName() === 'Add')).toHaveLength(2);
    expect(P.weights.filter((w) => w.originalName.startsWith('bicubic'))).toHaveLength(0);
    expect(P.layers.at(-1)!.getConfig().activation).toBe('tanh');
    tf.dispose([x, out]);
    disposeGan(paper);
  });

  it("G's adversarial loss is contentWeight x the feature-space MSE + adversarialWeight x the non-saturating term", () => {
    const spec = tinySpec('srgan', 'photos-x4', {
      hyperparameters: { filters: 4, blocks: 1, dFilters: 4, contentWeight: 3, adversarialWeight: 0.5 },
    });
    const gan = buildGan(spec);
    const [draw] = stepInputs(gan, openDataset(spec.dataset, spec.seed), spec.seed, 0, 4);
    const fake = gan.generate!(draw!);
    const withFake = { ...draw!, fake };
    const g = stagesOf(gan)[1]!.phases[1]!;
    const { loss, metrics } = g.loss(withFake);
    const features = gan.fixed!.features!;
    const [want, content] = tf.tidy(() => {
      const a = features.predict(fake) as tf.Tensor;
      const b = features.predict(draw!.real) as tf.Tensor;
      const c = tf.mean(tf.square(tf.sub(a, b)));
      const adv = generatorNonSaturating(gan.nets.D!.apply(fake, { training: true }) as tf.Tensor);
      return [tf.add(tf.mul(3, c), tf.mul(0.5, adv)), c];
    });
    expect(metrics!.content!.dataSync()[0]).toBeCloseTo(content!.dataSync()[0]!, 5);
    expect(content!.dataSync()[0]).toBeGreaterThan(0);
    expect(loss.dataSync()[0]).toBeCloseTo(want!.dataSync()[0]!, 4);
    // The content loss is not the pixel MSE: the feature space weighs differences its own way.
    expect(content!.dataSync()[0]).not.toBeCloseTo(metrics!.MSE!.dataSync()[0]!, 3);
    tf.dispose([loss, want!, content!, fake, ...Object.values(metrics!)]);
    disposeStepInputs([draw!]);
    disposeGan(gan);
  });

  it('adversarialWeight 0 is the MSE-only baseline: the same G, one G phase on the pixel MSE, no D and no stages', () => {
    const gan = buildGan(
      tinySpec('srgan', 'photos-x4', { hyperparameters: { filters: 4, blocks: 1, adversarialWeight: 0 } }),
    );
    expect(Object.keys(gan.nets)).toEqual(['G']);
    expect(gan.stages).toBeUndefined();
    expect(gan.phases.map((p) => p.name)).toEqual(['G']);
    expect(gan.nets.G!.layers.filter((l) => l instanceof DepthToSpace)).toHaveLength(2);
    disposeGan(gan);
  });

  it('refuses a set whose inputs are not smaller than its targets, naming both', () => {
    expect(() => tinySpec('srgan', 'edges2digits')).toThrow(/srgan.*enlarges inputs 4 times.*edges2digits/);
  });
});
