/**
 * The contract every family's tests check through the real loop, on tiny networks: a few steps train and
 * write the run layout without leaking tensors (the generator's descriptor included), a checkpoint restores every network exactly, and a run
 * stopped midway and resumed ends where an uninterrupted one does.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetId } from '../../shared/datasets.ts';
import { descriptorFromSpec, layersModelInputs } from '../../shared/generator.ts';
import { runFiles } from '../../shared/keys.ts';
import type { ExperimentSpec } from '../../shared/spec.ts';
import { latestCheckpoint, loadCheckpoint } from '../checkpoint.ts';
import { prepareDataset } from '../data/prepare.ts';
import { disposeGan } from '../gan.ts';
import { readGeneratorDescriptor } from '../generator.ts';
import { buildGan } from '../loop.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkLoader } from '../sinks/model-io.ts';
import { runStages } from '../stages.ts';
import { fixedGeneratorInputs, metricsOf, scratchDir, tinySpec, trainIn } from '../test-util.ts';

/** Three samples from test-util's fixed inputs. */
function sampleThree(g: tf.LayersModel, seed: number): number[] {
  const inputs = fixedGeneratorInputs(g, seed, 3);
  const outputs = g.predict(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor | tf.Tensor[];
  // The sample is the first output; attention maps may follow it.
  const values = Array.from((Array.isArray(outputs) ? outputs[0]! : outputs).dataSync());
  tf.dispose([...inputs, outputs]);
  return values;
}

/**
 * The exported generator's descriptor fits its model (names, shapes) and is what the fallback for a
 * generator exported before descriptors derives from the spec, so old and new exports are read alike.
 */
async function checkDescriptor(dir: string, spec: ExperimentSpec): Promise<void> {
  const sink = new LocalArtifactSink(dir);
  const g = await tf.loadLayersModel(sinkLoader(sink, runFiles.generatorDir));
  const { descriptor, from } = await readGeneratorDescriptor(sink, spec, g);
  expect(from).toMatch(/generator\/descriptor\.json$/);
  expect(descriptor.family).toBe(spec.family);
  const modelInputs = g.inputs.map((t, i) => ({ name: g.inputNames[i]!, shape: t.shape.slice(1) }));
  expect(descriptor.inputs.map(({ name, shape }) => ({ name, shape }))).toEqual(modelInputs);
  expect(descriptor.outputs.map((o) => o.shape)).toEqual(g.outputs.map((o) => o.shape.slice(1)));
  expect(descriptor.outputs.slice(1).map((o) => o.name)).toEqual(g.outputNames.slice(1));
  expect(descriptor.abilities.extraOutputs).toEqual(g.outputNames.slice(1));
  // The fallback for a generator exported before descriptors (one output, no abilities) agrees on the rest;
  // translating generators and SinGAN's pyramid (its sample smaller than the set's image) came after
  // descriptors, so they have no fallback to agree with. A style-based generator's parts are checked by its
  // family's tests.
  if (
    descriptor.inputs.some((i) => i.kind === 'image' || i.kind === 'label-map') ||
    spec.family === 'singan'
  ) {
    g.dispose();
    return;
  }
  const derived = descriptorFromSpec(spec, modelInputs);
  const { styles: _styles, ...described } = descriptor;
  expect({ ...described, outputs: descriptor.outputs.slice(0, 1), abilities: derived.abilities }).toEqual(
    derived,
  );
  // The API reads an older generator's inputs from model.json without tfjs: it must read what tfjs wrote.
  const modelJson = JSON.parse(new TextDecoder().decode(await sink.get(runFiles.generatorModel)));
  expect(layersModelInputs(modelJson)).toEqual(modelInputs);
  g.dispose();
}

async function exportedSamples(dir: string, seed: number): Promise<number[]> {
  const g = await tf.loadLayersModel(sinkLoader(new LocalArtifactSink(dir), runFiles.generatorDir));
  const values = sampleThree(g, seed);
  g.dispose();
  return values;
}

/** The sample steps a run of `spec` writes: every sampleEvery, the last, and each stage's end. */
function sampleSteps(spec: ExperimentSpec, every: number[]): string[] {
  const gan = buildGan(spec);
  const ends = runStages(gan, spec.steps).map((s) => s.end);
  disposeGan(gan);
  return [...new Set([...every, ...ends])].sort((a, b) => a - b).map(runFiles.sample);
}

function weightsOf(nets: Record<string, tf.LayersModel>): Record<string, number[][]> {
  return Object.fromEntries(
    Object.entries(nets).map(([k, n]) => [k, n.getWeights().map((w) => Array.from(w.dataSync()))]),
  );
}

/**
 * Registers the contract tests of `family` on `dataset` with tiny `hyperparameters` (test-util.ts's by
 * default); `metrics` are the names every metrics line holds besides loss/D and loss/G, or, for a family
 * whose stages train different phases, every name the line of a step holds.
 */
export function familyContract(
  family: string,
  dataset: string,
  hyperparameters: Record<string, unknown> | undefined,
  metrics: string[] | ((step: number) => string[]) = [],
): void {
  const namesAt = (step: number) =>
    typeof metrics === 'function' ? metrics(step) : ['loss/D', 'loss/G', ...metrics];
  const spec = (extra: Record<string, unknown> = {}) =>
    tinySpec(family, dataset, { ...(hyperparameters ? { hyperparameters } : {}), ...extra });

  describe(`${family} on ${dataset}: the family contract`, () => {
    // What a run fetches before training (Fashion-MNIST's files, the photographs): a fresh machine has none.
    beforeAll(() => prepareDataset(dataset as DatasetId, { log: () => {} }), 300_000);

    it('trains a few steps, writes the run layout, leaks no tensors', async () => {
      const dir = scratchDir(`${family}-contract`);
      const s = spec();
      const before = tf.memory().numTensors;
      expect(await trainIn(dir, s)).toEqual({ status: 'SUCCEEDED', steps: 4 });
      expect(tf.memory().numTensors).toBe(before);
      const sink = new LocalArtifactSink(dir);
      expect(await sink.list(runFiles.samplesDir)).toEqual(sampleSteps(s, [0, 2, 4]));
      const lines = await metricsOf(dir);
      expect(lines.map((m) => m.step)).toEqual([1, 2, 3, 4]);
      for (const line of lines) {
        expect(Object.keys(line.values).sort()).toEqual(namesAt(line.step).sort());
        expect(Object.values(line.values).every(Number.isFinite)).toBe(true);
      }
      expect(await latestCheckpoint(sink)).toBe(4);
      expect((await exportedSamples(dir, s.seed)).every(Number.isFinite)).toBe(true);
      await checkDescriptor(dir, s);
      const status = JSON.parse(new TextDecoder().decode(await sink.get(runFiles.status))) as {
        status: string;
      };
      expect(status.status).toBe('SUCCEEDED');
    });

    it('a checkpoint restores every network exactly', async () => {
      const dir = scratchDir(`${family}-roundtrip`);
      const s = spec();
      await trainIn(dir, s);
      const fresh = buildGan(s);
      const untrained = weightsOf(fresh.nets);
      await loadCheckpoint(new LocalArtifactSink(dir), fresh, 4);
      const restored = sampleThree(fresh.generator, s.seed);
      const weights = weightsOf(fresh.nets);
      disposeGan(fresh);
      // The export folds custom layers into stock ones (nn/export.ts): equal up to float rounding.
      const exported = await exportedSamples(dir, s.seed);
      expect(exported).toHaveLength(restored.length);
      // Relative to the output's size: a linear output (Progressive GAN, StyleGAN) is not bounded by tanh.
      const scale = Math.max(1, ...restored.map(Math.abs));
      expect(Math.max(...restored.map((v, i) => Math.abs(v - exported[i]!)))).toBeLessThan(1e-5 * scale);
      // Training moved every network, so equality above is not an untrained model matching itself.
      for (const name of Object.keys(weights)) expect(weights[name]).not.toEqual(untrained[name]);
    });

    it('a stopped run resumes and ends where an uninterrupted one does', async () => {
      const s = spec({ steps: 6, checkpointEvery: 4 });
      const straight = scratchDir(`${family}-straight`);
      await trainIn(straight, s);
      const resumed = scratchDir(`${family}-resumed`);
      const stop = { requested: false };
      const first = await trainIn(resumed, s, {
        stop,
        onProgress: (p) => {
          if (p.kind === 'step' && p.step === 3) stop.requested = true;
        },
      });
      expect(first).toEqual({ status: 'INTERRUPTED', step: 3 });
      const sink = new LocalArtifactSink(resumed);
      expect(await latestCheckpoint(sink)).toBe(3);
      expect((await trainIn(resumed, s)).status).toBe('SUCCEEDED');
      expect(await exportedSamples(resumed, s.seed)).toEqual(await exportedSamples(straight, s.seed));
      expect(await sink.list(runFiles.samplesDir)).toEqual(sampleSteps(s, [0, 2, 4, 6]));
      // Steps 4-6 ran after the resume: the same values mean every network, optimizer and per-layer state
      // (e.g. spectral norm's u vectors) came back.
      const lines = async (dir: string) => (await metricsOf(dir)).map((m) => [m.step, m.values]);
      expect(await lines(resumed)).toEqual(await lines(straight));
    });
  });
}
