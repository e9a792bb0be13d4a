/**
 * StyleGAN: the family contract, and its parts: the mapping network, the learned constant, AdaIN from w
 * and noise at every layer, style mixing in training (the crossover drawn from the run's seed), R1 in D's
 * loss, truncation around the running mean of w, and the export of the mapping and synthesis networks apart
 * as stock layers that compose back into the generator.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluationPictures, type ImageEval } from '../../shared/evaluation.ts';
import { runFiles } from '../../shared/keys.ts';
import { initBackend } from '../backend/index.ts';
import { Rng } from '../data/rng.ts';
import { loadClassifier } from '../eval/classifier.ts';
import { evaluateRun } from '../eval/evaluate.ts';
import { mixingCrossover, styleMixingImages } from '../eval/style-mixing.ts';
import type { StepInputs } from '../gan.ts';
import { readGeneratorDescriptor } from '../generator.ts';
import { fixedLatents } from '../latents.ts';
import { buildGan } from '../loop.ts';
import { Modulate } from '../nn/modulate.ts';
import { mixStyles, NoiseInjection } from '../nn/stylegan.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkLoader } from '../sinks/model-io.ts';
import { scratchDir, tinySpec, trainIn } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';
import { crossoverOf } from './stylegan.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const TINY = { latentDim: 8, wDim: 8, mappingLayers: 2, channels: 4, mbstdGroup: 2 };

familyContract('stylegan', 'mnist32', TINY, ['D(x)', 'D(G(z))', 'R1']);
familyContract('stylegan', 'fashion-mnist', TINY, ['D(x)', 'D(G(z))', 'R1']);

/** Every layer of a model, the layers of models inside it included. */
function layersOf(m: tf.LayersModel): tf.layers.Layer[] {
  return m.layers.flatMap((l) => (l instanceof tf.LayersModel ? [l, ...layersOf(l)] : [l]));
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

describe('stylegan: its parts', () => {
  it('maps z to w, styles every layer from a learned constant with noise and AdaIN, two layers a resolution', () => {
    for (const [dataset, sides] of [
      ['mnist32', [4, 8, 16, 32]],
      ['fashion-mnist', [7, 14, 28]],
    ] as const) {
      const gan = buildGan(tinySpec('stylegan', dataset, { hyperparameters: TINY }));
      const styles = gan.styles!;
      expect(styles.layerSides).toEqual(sides.flatMap((s) => [s, s]));
      const mapping = new Set(styles.mapping.layers.map((l) => l.getClassName()));
      for (const k of ['PixelNorm', 'EqualizedDense', 'LeakyReLU']) expect(mapping.has(k), k).toBe(true);
      expect(styles.mapping.layers.filter((l) => l.getClassName() === 'EqualizedDense')).toHaveLength(2);
      const synthesis = styles.synthesis.layers;
      const count = (name: string) => synthesis.filter((l) => l.getClassName() === name).length;
      expect(count('ConstantInput')).toBe(1);
      expect(count('NoiseInjection')).toBe(sides.length * 2);
      const adain = synthesis.filter((l): l is Modulate => l instanceof Modulate);
      expect(adain).toHaveLength(sides.length * 2);
      for (const m of adain) expect([m.norm, m.source.from]).toEqual(['instance', 'style']);
      expect(styles.synthesis.inputs[0]!.shape).toEqual([null, sides.length * 2, 8]);
      // G is mapping -> running mean of w -> one w for every layer -> synthesis; D the critic with mbstd.
      expect(layersOf(gan.generator).map((l) => l.getClassName())).toEqual(
        expect.arrayContaining(['WAverage', 'RepeatVector']),
      );
      const d = new Set(gan.nets.D!.layers.map((l) => l.getClassName()));
      for (const k of ['MinibatchStddev', 'Halve', 'EqualizedConv2D']) expect(d.has(k), k).toBe(true);
      for (const n of Object.values(gan.nets)) n.dispose();
      for (const o of Object.values(gan.optimizers)) o.dispose();
    }
  });

  it('mixes styles in training: a crossover layer drawn from the seed, rows before it from z, after from a second z', () => {
    const draws = Array.from({ length: 2000 }, (_, i) => crossoverOf(new Rng(7, 9, i), 8, 0.9));
    const unmixed = draws.filter((c) => c === 8).length / draws.length;
    expect(unmixed).toBeGreaterThan(0.07);
    expect(unmixed).toBeLessThan(0.13);
    expect(new Set(draws.filter((c) => c < 8))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7]));
    expect(crossoverOf(new Rng(7, 9, 3), 8, 0)).toBe(8);
    const a = tf.fill([2, 3], 1);
    const b = tf.fill([2, 3], 2);
    const ws = mixStyles(a, b, 4, 1).arraySync() as number[][][];
    expect(ws[0]!.map((row) => row[0])).toEqual([1, 2, 2, 2]);
  });

  it('draws per-layer noise from the run seed and the draw in training, the fixed map otherwise', () => {
    // No mixing, so only the noise can differ between draws; a strength of 1 on every channel shows it.
    const hp = { ...TINY, mixingProbability: 0 };
    const gan = buildGan(tinySpec('stylegan', 'mnist32', { hyperparameters: hp }));
    const noises = gan.styles!.synthesis.layers.filter((l) => l instanceof NoiseInjection);
    expect(noises).toHaveLength(8);
    for (const l of noises) {
      // Trainable weights first: [strength [C], fixed map [H, W, 1]].
      const [strength, fixed] = l.getWeights();
      expect(fixed!.shape.at(-1)).toBe(1);
      l.setWeights([tf.onesLike(strength!), fixed!]);
    }
    const z = fixedLatents(1, 4, 8);
    const inputs = (draw: number, seed = 3) =>
      ({ z, draw, seed, step: draw, stage: 0, alpha: 1 }) as unknown as StepInputs;
    const run = (i: StepInputs) => tf.tidy(() => gan.generate!(i));
    const [first, again, next, otherSeed] = [
      run(inputs(5)),
      run(inputs(5)),
      run(inputs(6)),
      run(inputs(5, 4)),
    ];
    expect(maxDiff(first!, again!)).toBe(0);
    expect(maxDiff(first!, next!)).toBeGreaterThan(1e-3);
    expect(maxDiff(first!, otherSeed!)).toBeGreaterThan(1e-3);
    const inference = [gan.generator.predict(z) as tf.Tensor, gan.generator.predict(z) as tf.Tensor];
    expect(maxDiff(inference[0]!, inference[1]!)).toBe(0);
    // With no noise at all, two draws of one z agree: the difference above was the noise.
    for (const l of noises) l.setWeights([tf.zerosLike(l.getWeights()[0]!), l.getWeights()[1]!]);
    const [quiet, quietNext] = [run(inputs(5)), run(inputs(6))];
    expect(maxDiff(quiet!, quietNext!)).toBeLessThan(1e-6);
    tf.dispose([first!, again!, next!, otherSeed!, ...inference, quiet!, quietNext!, z]);
  });

  it('adds R1 to D loss: zero gamma leaves the logistic loss alone', () => {
    const gan = buildGan(tinySpec('stylegan', 'mnist32', { hyperparameters: { ...TINY, r1Gamma: 0 } }));
    const withR1 = buildGan(tinySpec('stylegan', 'mnist32', { hyperparameters: { ...TINY, r1Gamma: 10 } }));
    const real = tf.randomUniform([4, 32, 32, 1], -1, 1, 'float32', 5);
    const inputs = { real, z: fixedLatents(2, 4, 8), draw: 0, seed: 1, step: 0, stage: 0, alpha: 1 } as never;
    const d = (g: typeof gan) => g.phases.find((p) => p.name === 'D')!.loss(inputs);
    const [zero, ten] = [d(gan), d(withR1)];
    expect(zero.metrics!.R1!.dataSync()[0]).toBe(0);
    const r1 = ten.metrics!.R1!.dataSync()[0]!;
    expect(r1).toBeGreaterThan(0);
    expect(ten.loss.dataSync()[0]!).toBeCloseTo(zero.loss.dataSync()[0]! + r1, 4);
  });

  it('exports mapping and synthesis apart as stock layers, with the mean w: they compose into the generator, truncation pulls w to its mean', async () => {
    const dir = scratchDir('stylegan-export');
    const spec = tinySpec('stylegan', 'mnist32', { hyperparameters: TINY });
    expect((await trainIn(dir, spec)).status).toBe('SUCCEEDED');
    const sink = new LocalArtifactSink(dir);
    const load = (d: string) => tf.loadLayersModel(sinkLoader(sink, d));
    const [whole, mapping, synthesis] = await Promise.all([
      load(runFiles.generatorDir),
      load(runFiles.generatorPart('mapping')),
      load(runFiles.generatorPart('synthesis')),
    ]);
    const ours = [
      'EqualizedDense',
      'EqualizedConv2D',
      'Modulate',
      'NoiseInjection',
      'ConstantInput',
      'WAverage',
    ];
    for (const m of [whole, mapping, synthesis])
      for (const l of m!.layers) expect(ours).not.toContain(l.getClassName());
    const { descriptor } = await readGeneratorDescriptor(sink, spec, whole!);
    expect(descriptor.abilities).toMatchObject({ truncation: true, mixing: true });
    const styles = descriptor.styles!;
    expect(styles.layerSides).toEqual([4, 4, 8, 8, 16, 16, 32, 32]);
    expect(styles.wAverage).toHaveLength(8);
    expect(styles.wAverage.some((v) => v !== 0)).toBe(true);

    const z = fixedLatents(4, 3, 8);
    const w = mapping!.predict(z) as tf.Tensor2D;
    const repeat = (v: tf.Tensor) => mixStyles(v, v, 8, 8);
    expect(maxDiff(synthesis!.predict(repeat(w)) as tf.Tensor, whole!.predict(z) as tf.Tensor)).toBeLessThan(
      1e-5,
    );
    // psi = 0: every z gives the mean w's image.
    const mean = tf.tile(tf.tensor2d([styles.wAverage]), [3, 1]);
    const atMean = synthesis!.predict(repeat(mean)) as tf.Tensor;
    expect(maxDiff(tf.slice(atMean, 0, 1), tf.slice(atMean, 2, 1))).toBeLessThan(1e-6);
    // Mixing: coarse rows from A, fine from B differ from both.
    const wB = mapping!.predict(fixedLatents(5, 3, 8)) as tf.Tensor2D;
    const mixed = synthesis!.predict(mixStyles(w, wB, 8, 4)) as tf.Tensor;
    expect(maxDiff(mixed, synthesis!.predict(repeat(w)) as tf.Tensor)).toBeGreaterThan(1e-4);
    expect(maxDiff(mixed, synthesis!.predict(repeat(wB)) as tf.Tensor)).toBeGreaterThan(1e-4);
  });

  it('evaluation draws the style-mixing grid: coarse styles from the left column, fine from the top row', async () => {
    const dir = scratchDir('stylegan-mixing');
    const spec = tinySpec('stylegan', 'mnist32', { hyperparameters: TINY });
    expect((await trainIn(dir, spec)).status).toBe('SUCCEEDED');
    const sink = new LocalArtifactSink(dir);
    const r = (await evaluateRun(dir, { samples: 200, classifier: await loadClassifier() })) as ImageEval;
    // 4, 4, 8, 8 | 16, 16, 32, 32: the first layer at half the side or more.
    expect(r.styleMixing).toEqual({
      picture: runFiles.evalStyleMixing,
      crossover: 4,
      layerSides: [4, 4, 8, 8, 16, 16, 32, 32],
      sources: 6,
    });
    expect((await sink.get(runFiles.evalStyleMixing))!.length).toBeGreaterThan(100);
    expect(evaluationPictures(r).map((p) => p.title)).toContain(
      'Style mixing: styles at 4, 8 px from the left column, at 16, 32 px from the top row',
    );

    const load = (d: string) => tf.loadLayersModel(sinkLoader(sink, d));
    const [mapping, synthesis] = await Promise.all([
      load(runFiles.generatorPart('mapping')),
      load(runFiles.generatorPart('synthesis')),
    ]);
    const { descriptor } = await readGeneratorDescriptor(sink, spec, mapping!);
    const styles = descriptor.styles!;
    const cell = (g: { values: Float32Array }, row: number, col: number) =>
      Array.from(g.values.subarray((row * 4 + col) * 1024, (row * 4 + col + 1) * 1024));
    const close = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    // Every style from A: each cell is its row's A; every style from B: its column's B.
    const allA = styleMixingImages(mapping!, synthesis!, styles, 1, 3, 8);
    const allB = styleMixingImages(mapping!, synthesis!, styles, 1, 3, 0);
    const mixed = styleMixingImages(mapping!, synthesis!, styles, 1, 3);
    expect(mixed.crossover).toBe(mixingCrossover(styles.layerSides));
    for (const i of [1, 2, 3])
      for (const j of [1, 2, 3]) {
        expect(close(cell(allA, i, j), cell(allA, i, 0))).toBeLessThan(1e-5);
        expect(close(cell(allB, i, j), cell(allB, 0, j))).toBeLessThan(1e-5);
        expect(close(cell(mixed, i, j), cell(mixed, i, 0))).toBeGreaterThan(1e-4);
        expect(close(cell(mixed, i, j), cell(mixed, 0, j))).toBeGreaterThan(1e-4);
      }
  });
});
