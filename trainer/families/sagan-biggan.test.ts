import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { openDataset } from '../data/index.ts';
import type { Gan } from '../gan.ts';
import { buildGan } from '../loop.ts';
import { discriminatorHinge, generatorHinge } from '../losses/hinge.ts';
import { kernelsOf, orthogonalPenalty } from '../losses/orthogonal.ts';
import { Scale } from '../nn/attention.ts';
import { Modulate } from '../nn/modulate.ts';
import { ATTENTION, SHARED_EMBEDDING } from '../nn/resnet-gan.ts';
import { SpectralNorm } from '../nn/spectral-norm.ts';
import { disposeStepInputs, stepInputs } from '../step.ts';
import { TINY_HYPERPARAMETERS, tinySpec } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const GAMMAS = ['gamma/G/g_attention', 'gamma/D/d_attention'];
familyContract('sagan', 'mnist32', undefined, GAMMAS);
familyContract('biggan', 'mnist32', undefined, [...GAMMAS, 'ortho/G']);

function build(family: 'sagan' | 'biggan', dataset = 'mnist32', extra: Record<string, unknown> = {}): Gan {
  return buildGan(
    tinySpec(family, dataset, { hyperparameters: { ...TINY_HYPERPARAMETERS[family], ...extra } }),
  );
}

function dispose(gan: Gan): void {
  for (const net of Object.values(gan.nets)) net.dispose();
  for (const opt of Object.values(gan.optimizers)) opt.dispose();
}

const kinds = (net: tf.LayersModel) => net.layers.map((l) => l.getClassName());

/** The parts both families' rows list, asserted on the networks each builds. */
function sharedParts(family: 'sagan' | 'biggan') {
  it('self-attention in G and D, gamma starting at 0, where the maps have the asked side', () => {
    const gan = build(family);
    for (const [net, name] of [
      [gan.nets.G!, ATTENTION.G],
      [gan.nets.D!, ATTENTION.D],
    ] as const) {
      const scale = net.getLayer(`${name}_gamma`);
      expect(scale).toBeInstanceOf(Scale);
      expect(scale.getWeights()[0]!.dataSync()[0]).toBe(0);
      // attentionSide 8 on 32 px: an 8 x 8 map, 64 positions.
      expect(net.getLayer(`${name}_map`).outputShape).toEqual([null, 64, 64]);
    }
    expect(gan.attentionMaps).toEqual([`${ATTENTION.G}_map`]);
    dispose(gan);
  });

  it('spectral norm on every conv and dense layer of G and D', () => {
    const gan = build(family);
    for (const net of [gan.nets.G!, gan.nets.D!]) {
      const k = kinds(net);
      expect(k.filter((c) => c === 'Conv2D' || c === 'Dense')).toEqual(
        family === 'biggan' && net === gan.nets.G ? ['Dense'] : [], // BigGAN's shared embedding, unnormalised
      );
      expect(k.filter((c) => c === 'SpectralNorm').length).toBeGreaterThan(10);
    }
    dispose(gan);
  });

  it('conditional batch norm in every G block, a projection D, TTUR, and the hinge losses', () => {
    const gan = build(family);
    const modulates = gan.nets.G!.layers.filter((l): l is Modulate => l instanceof Modulate);
    expect(modulates).toHaveLength(6); // 3 blocks x 2 on 32 px
    for (const m of modulates) {
      expect(m.norm).toBe('batch');
      expect(m.source.from).toBe(family === 'sagan' ? 'class' : 'style');
    }
    expect(gan.nets.D!.getLayer('projection').getClassName()).toBe('Dot');
    expect(gan.nets.D!.getLayer('sn_embed')).toBeInstanceOf(SpectralNorm);
    const lr = (o: tf.Optimizer) => (o as unknown as { learningRate: number }).learningRate;
    expect([lr(gan.optimizers.G!), lr(gan.optimizers.D!)]).toEqual([1e-4, 4e-4]);

    // The phases' losses are the hinge losses of D's scores on the same draw (u vectors settled first, so
    // D's training calls give the same scores).
    const spec = tinySpec(family, 'mnist32', { hyperparameters: TINY_HYPERPARAMETERS[family] });
    const draws = stepInputs(gan, openDataset('mnist32', spec.seed), spec.seed, 0, spec.batchSize);
    const inputs = draws[0]!;
    const score = (x: tf.Tensor, y: tf.Tensor) => gan.nets.D!.apply([x, y], { training: true }) as tf.Tensor;
    const fake = gan.generate!(inputs);
    const realY = tf.oneHot(inputs.labels, 10).toFloat();
    for (let i = 0; i < 30; i++) tf.dispose([score(inputs.real, realY), score(fake, inputs.fakeLabels!)]);
    const withFake = { ...inputs, fake };
    const dLoss = gan.phases[0]!.loss(withFake).loss.dataSync()[0]!;
    const expectedD = discriminatorHinge(score(inputs.real, realY), score(fake, inputs.fakeLabels!));
    expect(dLoss).toBeCloseTo(expectedD.dataSync()[0]!, 4);
    const g = gan.phases[1]!.loss(withFake);
    const ortho = g.metrics?.['ortho/G']?.dataSync()[0] ?? 0;
    const expectedG = generatorHinge(score(fake, inputs.fakeLabels!)).dataSync()[0]! + ortho;
    expect(g.loss.dataSync()[0]).toBeCloseTo(expectedG, 4);
    disposeStepInputs(draws);
    dispose(gan);
  });

  it('builds on 28 px images (Fashion-MNIST): two blocks, attention at 14', () => {
    const gan = build(family, 'fashion-mnist', { attentionSide: 16 });
    expect(gan.nets.G!.outputs[0]!.shape).toEqual([null, 28, 28, 1]);
    expect(gan.nets.G!.getLayer(`${ATTENTION.G}_map`).outputShape).toEqual([null, 196, 196]);
    expect(gan.nets.D!.getLayer(`${ATTENTION.D}_map`).outputShape).toEqual([null, 196, 196]);
    dispose(gan);
  });
}

describe('SAGAN: the parts of its row', () => {
  sharedParts('sagan');

  it('one D step per G step, no truncation ability', () => {
    const gan = build('sagan');
    expect(gan.phases.map((p) => [p.name, p.repeat])).toEqual([
      ['D', 1],
      ['G', undefined],
    ]);
    expect(gan.truncation).toBeUndefined();
    dispose(gan);
  });
});

describe('BigGAN: the parts of its row', () => {
  sharedParts('biggan');

  it('a shared class embedding and z split into one chunk per block plus the first layer', () => {
    const gan = build('biggan', 'mnist32', { latentDim: 10 });
    const G = gan.nets.G!;
    const embedding = G.getLayer(SHARED_EMBEDDING);
    expect(embedding.getClassName()).toBe('Dense');
    // The one embedding feeds every block's condition (a concatenation with that block's z chunk).
    expect(embedding.outboundNodes).toHaveLength(3);
    const chunks = G.layers
      .filter((l) => l.getClassName() === 'Cropping2D')
      .map((l) => (l.outputShape as number[])[1]);
    expect(chunks).toEqual([4, 2, 2, 2]); // 10 = 4 (first layer, takes the remainder) + 3 blocks x 2
    dispose(gan);
  });

  it("orthogonal regularisation of G's kernels (not the shared embedding) in G's loss; two D steps; truncation", () => {
    const gan = build('biggan', 'mnist32', { orthoWeight: 0.5 });
    const kernels = kernelsOf(gan.nets.G!, [SHARED_EMBEDDING]);
    expect(kernels.length).toBe(kernelsOf(gan.nets.G!).length - 1);
    const spec = tinySpec('biggan', 'mnist32', { hyperparameters: TINY_HYPERPARAMETERS.biggan });
    const draws = stepInputs(gan, openDataset('mnist32', spec.seed), spec.seed, 0, spec.batchSize);
    const ortho = gan.phases[1]!.loss(draws[0]!).metrics!['ortho/G']!.dataSync()[0]!;
    expect(ortho).toBeCloseTo(0.5 * orthogonalPenalty(kernels).dataSync()[0]!, 4);
    expect(ortho).toBeGreaterThan(0);
    expect(gan.phases[0]!.repeat).toBe(2);
    expect(draws).toHaveLength(2);
    expect(gan.truncation).toBe(true);
    disposeStepInputs(draws);
    dispose(gan);
  });
});
