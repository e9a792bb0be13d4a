import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { openDataset } from '../data/index.ts';
import type { Gan } from '../gan.ts';
import { buildGan } from '../loop.ts';
import { generatorNonSaturating } from '../losses/bce.ts';
import { Modulate } from '../nn/modulate.ts';
import { ReflectPad } from '../nn/reflect-pad.ts';
import { SeededDropout } from '../nn/seeded-dropout.ts';
import { disposeStepInputs, stepInputs } from '../step.ts';
import { tinySpec } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

familyContract('pix2pix', 'edges2digits', undefined, ['D(x)', 'D(G(x))', 'L1']);
familyContract('cyclegan', 'digits2mnistm', undefined, [
  'loss/D_A',
  'loss/D_B',
  'G/adversarial',
  'G/cycle',
  'G/identity',
]);

describe('the parts GANS.md asks of each family are there', () => {
  it('pix2pix: a U-Net G with skips and dropout, a PatchGAN D on (input, output) pairs, an L1 weight; its baseline drops D', () => {
    const gan = buildGan(tinySpec('pix2pix', 'edges2digits'));
    expect(gan.latentDim).toBe(0);
    expect(gan.translation).toEqual({ inputs: ['input'], target: 'x' });
    const G = gan.nets.G!;
    expect(G.layers.filter((l) => l.getClassName() === 'Concatenate').length).toBeGreaterThan(0);
    expect(G.layers.filter((l) => l instanceof SeededDropout)).toHaveLength(3);
    expect(gan.nets.D!.inputNames).toEqual(['input', 'image']);
    expect((gan.nets.D!.outputs[0]!.shape as number[]).slice(1)).toEqual([16, 16, 1]);
    dispose(gan);
    const baseline = buildGan(
      tinySpec('pix2pix', 'edges2digits', { hyperparameters: { adversarialWeight: 0 } }),
    );
    expect(Object.keys(baseline.nets)).toEqual(['G']);
    expect(baseline.phases.map((p) => p.name)).toEqual(['G']);
    dispose(baseline);
  });

  it("pix2pix: G's loss is adversarialWeight x the non-saturating term + lambda x L1 to the target", () => {
    const spec = tinySpec('pix2pix', 'edges2digits', { hyperparameters: { l1Weight: 7 } });
    const gan = buildGan(spec);
    const [draw] = stepInputs(gan, openDataset(spec.dataset, spec.seed), spec.seed, 0, 4);
    const withFake = { ...draw!, fake: gan.generate!(draw!) };
    const { loss, metrics } = gan.phases[1]!.loss(withFake);
    const adversarial = generatorNonSaturating(
      gan.nets.D!.apply([draw!.input!, withFake.fake], { training: true }) as tf.Tensor,
    );
    const l1Value = metrics!.L1!.dataSync()[0]!;
    expect(l1Value).toBeCloseTo(tf.mean(tf.abs(tf.sub(withFake.fake, draw!.real))).dataSync()[0]!, 5);
    expect(loss.dataSync()[0]).toBeCloseTo(adversarial.dataSync()[0]! + 7 * l1Value, 3);
    tf.dispose([loss, adversarial, withFake.fake, ...Object.values(metrics!)]);
    disposeStepInputs([draw!]);
    dispose(gan);
  });

  it('cyclegan: two ResNet Gs with reflection padding and instance norm, two PatchGANs, two history pools in the state', () => {
    const gan = buildGan(tinySpec('cyclegan', 'digits2mnistm'));
    const G = gan.nets.G!;
    expect(G.inputNames).toEqual(['a', 'b']);
    expect(G.outputNames).toEqual(['to_b', 'to_a']);
    expect(G.layers.filter((l) => l instanceof ReflectPad).length).toBe(2 * (2 + 2 * 1));
    expect(G.layers.filter((l) => l instanceof Modulate).length).toBe(2 * (3 + 2 * 1 + 2));
    expect(Object.keys(gan.nets).sort()).toEqual(['DA', 'DB', 'G']);
    expect(gan.phases.find((p) => p.name === 'D')!.updates).toEqual(['DA', 'DB']);
    expect(Object.keys(gan.state!).sort()).toEqual([
      'pool_a_images',
      'pool_a_kept',
      'pool_b_images',
      'pool_b_kept',
    ]);
    expect(gan.state!.pool_a_images!.shape).toEqual([6, 32, 32, 3]);
    dispose(gan);
  });

  it('cyclegan: the colour-map baseline is one 1x1 convolution each way, trained with the same phases', () => {
    const gan = buildGan(
      tinySpec('cyclegan', 'digits2mnistm', { hyperparameters: { generator: 'colour-map' } }),
    );
    const convs = gan.nets.G!.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs.map((l) => (l.getConfig().kernelSize as number[])[0])).toEqual([1, 1]);
    expect(gan.phases.map((p) => p.name)).toEqual(['D', 'G']);
    dispose(gan);
  });
});

function dispose(gan: Gan): void {
  for (const net of Object.values(gan.nets)) net.dispose();
  for (const opt of Object.values(gan.optimizers)) opt.dispose();
  tf.dispose(Object.values(gan.state ?? {}));
}
