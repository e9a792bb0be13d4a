/**
 * StackGAN: the family contract on the captioned digits, and each of its parts: the frozen LSTM caption
 * encoder, conditioning augmentation with its KL term in G's loss, stage I at 16 px then stage II refining to
 * 32 px (stage I fixed meanwhile), matching-aware discriminators, and the caption as a generator input named
 * in the descriptor.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokens } from '../../shared/captions.ts';
import { datasetInfo } from '../../shared/datasets.ts';
import { initBackend } from '../backend/index.ts';
import { openDataset } from '../data/index.ts';
import { describeGan } from '../generator.ts';
import { buildGan } from '../loop.ts';
import { fixedSampleInputs } from '../samples.ts';
import { stagesOf } from '../stages.ts';
import { disposeStepInputs, stepInputs } from '../step.ts';
import { tinySpec } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const TINY = { latentDim: 8, conditionDim: 4, gChannels: 8, dChannels: 4 };

familyContract('stackgan', 'captioned-digits', TINY, ['D(x)', 'D(G(z))', 'D(x, wrong)', 'kl']);

const spec = (steps = 10) => tinySpec('stackgan', 'captioned-digits', { steps, hyperparameters: TINY });
const layerKinds = (m: tf.LayersModel): string[] =>
  m.layers.flatMap((l) => (l instanceof tf.LayersModel ? layerKinds(l) : [l.getClassName()]));

describe('stackgan: its parts', () => {
  it('stage I at 16 px, then stage II at 32 px taking stage I (fixed) as input; each D judges image and caption', () => {
    const gan = buildGan(spec(10));
    const stages = stagesOf(gan);
    expect(stages.map((s) => [s.name, s.start, s.end, s.resolution])).toEqual([
      ['stage I 16x16', 0, 5, [16, 16]],
      ['stage II 32x32', 5, Number.POSITIVE_INFINITY, [32, 32]],
    ]);
    expect(stages.map((s) => s.generator.outputs[0]!.shape)).toEqual([
      [null, 16, 16, 3],
      [null, 32, 32, 3],
    ]);
    // Stage II's phases update stage II's networks only: stage I is in no phase, so it stays fixed.
    expect(stages.map((s) => s.phases.map((p) => p.updates))).toEqual([
      [['D1'], ['G1', 'CA1']],
      [['D2'], ['G2', 'CA2']],
    ]);
    expect(gan.nets.G2!.inputs.map((i) => i.shape)).toEqual([
      [null, 16, 16, 3],
      [null, 4],
    ]);
    for (const k of ['D1', 'D2']) expect(gan.nets[k]!.inputs).toHaveLength(2);
    // The sampler reads the caption through the frozen embedding + LSTM encoder.
    const kinds = layerKinds(gan.generator);
    for (const k of ['Embedding', 'LSTM', 'Conv2DTranspose']) expect(kinds).toContain(k);
    for (const name of ['caption_embedding', 'caption_lstm'])
      expect(gan.generator.getLayer(name).trainableWeights).toHaveLength(0);
    for (const n of Object.values(gan.nets)) n.dispose();
    for (const o of Object.values(gan.optimizers)) o.dispose();
  });

  it('conditioning augmentation gives mu and logvar, and its KL term is in G loss at klWeight', () => {
    const losses = (klWeight: number) => {
      const s = tinySpec('stackgan', 'captioned-digits', {
        steps: 10,
        hyperparameters: { ...TINY, klWeight },
      });
      const gan = buildGan(s);
      const data = openDataset(s.dataset, s.seed);
      const [draw] = stepInputs(gan, data, s.seed, 0, 4);
      const g = stagesOf(gan)[0]!.phases.find((p) => p.name === 'G')!;
      const out = tf.tidy(() => {
        const r = g.loss(draw!);
        return [r.loss.dataSync()[0]!, r.metrics!.kl!.dataSync()[0]!];
      });
      const [mu, logvar] = gan.nets.CA1!.outputs.map((o) => o.shape);
      disposeStepInputs([draw!]);
      for (const n of Object.values(gan.nets)) n.dispose();
      for (const o of Object.values(gan.optimizers)) o.dispose();
      return { loss: out[0]!, kl: out[1]!, mu, logvar };
    };
    const none = losses(0);
    const ten = losses(10);
    expect(none.mu).toEqual([null, 4]);
    expect(none.logvar).toEqual([null, 4]);
    expect(none.kl).toBeGreaterThan(0);
    // Same seed, same networks: the weighted KL term is the whole difference.
    expect(ten.loss - none.loss).toBeCloseTo(10 * none.kl, 3);
  });

  it("D's loss is matching-aware: it scores the real batch under the batch's captions rolled by one", () => {
    const s = spec(10);
    const gan = buildGan(s);
    const [draw] = stepInputs(gan, openDataset(s.dataset, s.seed), s.seed, 0, 4);
    const d = stagesOf(gan)[0]!.phases.find((p) => p.name === 'D')!;
    const metrics = tf.tidy(() => {
      const r = d.loss(draw!);
      return Object.fromEntries(Object.entries(r.metrics!).map(([k, v]) => [k, v.dataSync()[0]!]));
    });
    expect(Object.keys(metrics).sort()).toEqual(['D(G(z))', 'D(x)', 'D(x, wrong)']);
    // Same images, other captions: a D reading the caption scores them otherwise.
    expect(metrics['D(x, wrong)']).not.toBe(metrics['D(x)']);
    expect(() => d.loss({ ...draw!, caption: undefined })).toThrow(/captions of a captioned dataset/);
    disposeStepInputs([draw!]);
    for (const n of Object.values(gan.nets)) n.dispose();
    for (const o of Object.values(gan.optimizers)) o.dispose();
  });

  it('names the caption in the descriptor; the gallery asks for one caption a row; the caption steers G', () => {
    const s = spec(10);
    const gan = buildGan(s);
    const descriptor = describeGan(gan, s);
    expect(descriptor.inputs.map((i) => [i.kind, i.name, i.shape])).toEqual([
      ['latent', 'z', [8]],
      ['caption', 'caption', [8]],
    ]);
    expect(descriptor.inputs[1]).toMatchObject({ encoding: 'word-ids:captioned-digits' });
    const info = datasetInfo('captioned-digits');
    const { inputs, columns } = fixedSampleInputs(1, info, gan);
    expect(columns).toBe(8);
    const ids = inputs[1]!.arraySync() as number[][];
    expect(ids).toHaveLength(80);
    expect(new Set(ids.map((r) => r.join(','))).size).toBe(10);
    // Same z, two captions: different images.
    const z = tf.randomNormal([1, 8], 0, 1, 'float32', 3);
    const asked = ['a large red 3 at the top left', 'a small blue 7 at the centre'].map((c) =>
      tf.tensor2d([tokens(c, info.vocabulary!)]),
    );
    const [a, b] = asked.map((c) => gan.generator.predict([z, c]) as tf.Tensor);
    expect(tf.sub(a!, b!).abs().max().dataSync()[0]).toBeGreaterThan(1e-6);
    tf.dispose([z, ...asked, a!, b!, ...inputs]);
    for (const n of Object.values(gan.nets)) n.dispose();
    for (const o of Object.values(gan.optimizers)) o.dispose();
  });

  it('refuses a split that leaves a stage without steps, and a dataset without captions', () => {
    expect(() =>
      buildGan(tinySpec('stackgan', 'captioned-digits', { steps: 1, hyperparameters: TINY })),
    ).toThrow(/both stages need at least one step/);
  });
});
