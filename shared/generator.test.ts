import { describe, expect, it } from 'vitest';
import { datasetInfo } from './datasets.ts';
import {
  describeGenerator,
  descriptorFromSpec,
  GeneratorDescriptorSchema,
  layersModelInputs,
} from './generator.ts';
import { inputSummary } from './generator-summary.ts';
import { latentNoiseOf } from './latent.ts';
import { parseSpec } from './spec.ts';

const vector = (name: string, width: number) => ({ name, shape: [width] });

describe('generator descriptor', () => {
  it('describes z [, label | codes] -> sample, and parses back as it was written', () => {
    const d = describeGenerator({
      family: 'cgan',
      dataset: datasetInfo('mnist'),
      latentName: 'z',
      latentDim: 100,
      noise: 'normal',
      label: { name: 'label', classes: 10 },
    });
    expect(d.inputs).toEqual([
      { kind: 'latent', name: 'z', shape: [100], distribution: 'normal' },
      { kind: 'class', name: 'label', shape: [10], classes: 10, encoding: 'one-hot' },
    ]);
    expect(d.outputs).toEqual([{ name: 'sample', kind: 'image', shape: [28, 28, 1], range: [-1, 1] }]);
    expect(d.abilities).toEqual({ truncation: false, mixing: false, extraOutputs: [] });
    expect(GeneratorDescriptorSchema.parse(JSON.parse(JSON.stringify(d)))).toEqual(d);
  });

  it('refuses a descriptor without one latent input, or naming an extra output it does not have', () => {
    const d = describeGenerator({
      family: 'vanilla',
      dataset: datasetInfo('ring8'),
      latentName: 'z',
      latentDim: 4,
      noise: 'normal',
    });
    expect(d.outputs[0]).toMatchObject({ kind: 'points', shape: [2], range: null });
    const noLatent = { ...d, inputs: [{ kind: 'noise', name: 'n', shape: [4], distribution: 'normal' }] };
    expect(GeneratorDescriptorSchema.safeParse(noLatent).error?.issues[0]).toMatchObject({
      path: ['inputs'],
    });
    const extra = { ...d, abilities: { ...d.abilities, extraOutputs: ['attention'] } };
    expect(GeneratorDescriptorSchema.safeParse(extra).error?.issues[0]).toMatchObject({
      path: ['abilities', 'extraOutputs', 0],
      message: "'attention' is not an output after the sample",
    });
    const unknownKind = { ...d, inputs: [...d.inputs, { kind: 'mood', name: 'm', shape: [1] }] };
    expect(GeneratorDescriptorSchema.safeParse(unknownKind).success).toBe(false);
  });

  it('is derived from the spec for a generator exported before descriptors, as the readers guessed then', () => {
    const infogan = parseSpec({ family: 'infogan', dataset: 'mnist' });
    const fromInfogan = descriptorFromSpec(infogan, [vector('z', 62), vector('codes', 12)]);
    expect(fromInfogan.inputs).toEqual([
      { kind: 'latent', name: 'z', shape: [62], distribution: 'uniform' },
      { kind: 'code', name: 'codes', shape: [12], categorical: 10, continuous: 2, continuousRange: [-1, 1] },
    ]);
    // A second input without codes in the spec is a one-hot label over the dataset's classes.
    const cgan = parseSpec({ family: 'cgan', dataset: 'mnist' });
    expect(descriptorFromSpec(cgan, [vector('z', 100), vector('label', 10)]).inputs[1]).toEqual({
      kind: 'class',
      name: 'label',
      shape: [10],
      classes: 10,
      encoding: 'one-hot',
    });
    // z's size is the spec's; checking the model against it is the reader's part.
    const vanilla = { family: 'vanilla', dataset: 'ring8' as const, hyperparameters: { latentDim: 5 } };
    const fromVanilla = descriptorFromSpec(vanilla, [vector('input1', 4)]);
    expect(fromVanilla.inputs).toEqual([
      { kind: 'latent', name: 'input1', shape: [5], distribution: 'normal' },
    ]);
    expect(
      descriptorFromSpec({ ...vanilla, hyperparameters: {} }, [vector('z', 4)]).inputs[0]!.shape,
    ).toEqual([4]);
    expect(() => descriptorFromSpec(vanilla, [])).toThrow(/no inputs/);
  });

  it('gives the latent noise, which latentNoiseOf reads off it', () => {
    const spec = parseSpec({ family: 'infogan', dataset: 'mnist', hyperparameters: { noise: 'normal' } });
    const d = descriptorFromSpec(spec, [vector('z', 62), vector('codes', 12)]);
    expect(latentNoiseOf(d)).toBe('normal');
    const uniform = { ...d, inputs: [{ ...d.inputs[0]!, distribution: 'uniform' as const }, d.inputs[1]!] };
    expect(latentNoiseOf(uniform)).toBe('uniform');
  });

  it("reads a layers model's inputs from model.json without tfjs, in input order", () => {
    // The topology as tfjs writes it (the family contract tests check it against every family's export).
    const inputLayer = (name: string, width: number) => ({
      class_name: 'InputLayer',
      name,
      config: { batch_input_shape: [null, width], dtype: 'float32', sparse: false, name },
      inbound_nodes: [],
    });
    const model = {
      modelTopology: {
        class_name: 'Model',
        config: {
          name: 'generator',
          layers: [
            inputLayer('label', 10),
            inputLayer('z', 100),
            { class_name: 'Dense', name: 'dense_Dense1', config: { units: 8 } },
          ],
          input_layers: [
            ['z', 0, 0],
            ['label', 0, 0],
          ],
          output_layers: [['dense_Dense1', 0, 0]],
        },
      },
      weightsManifest: [],
    };
    expect(layersModelInputs(model)).toEqual([
      { name: 'z', shape: [100] },
      { name: 'label', shape: [10] },
    ]);
    expect(() => layersModelInputs({})).toThrow(/no input_layers/);
    const noShape = structuredClone(model);
    delete (noShape.modelTopology.config.layers[1]!.config as { batch_input_shape?: unknown })
      .batch_input_shape;
    expect(() => layersModelInputs(noShape)).toThrow(/input layer 'z' has no batch_input_shape/);
  });
});

describe('a pose input', () => {
  it("is described with its ranges, derived from a posed dataset's ranges, and summed up in words", () => {
    const d = describeGenerator({
      family: 'hologan',
      dataset: datasetInfo('posed-objects'),
      latentName: 'z',
      latentDim: 8,
      noise: 'normal',
      pose: { name: 'pose', azimuth: [0, 360], elevation: [0, 60] },
    });
    expect(d.inputs[1]).toEqual({
      kind: 'pose',
      name: 'pose',
      shape: [2],
      unit: 'degrees',
      azimuth: [0, 360],
      elevation: [0, 60],
    });
    const derived = descriptorFromSpec(
      { family: 'hologan', dataset: 'posed-objects', hyperparameters: { latentDim: 8 } },
      [
        { name: 'z', shape: [8] },
        { name: 'pose', shape: [2] },
      ],
    );
    expect(derived.inputs).toEqual(d.inputs);
    // It draws images (the playground drew 1,000 points of it before): only a toy set's generator draws points.
    expect(d.outputs[0]).toMatchObject({ kind: 'image', shape: [32, 32, 3], range: [-1, 1] });
    expect(derived.outputs).toEqual(d.outputs);
    expect(inputSummary(d.inputs[1]!)).toBe('pose[2] (pose, azimuth 0-360, elevation 0-60 degrees)');
    expect(() =>
      GeneratorDescriptorSchema.parse({ ...d, inputs: [d.inputs[0], { ...d.inputs[1], shape: [3] }] }),
    ).toThrow();
  });
});
