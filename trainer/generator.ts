/**
 * The exported generator: a tfjs layers model for the browser (generator/model.json + weights.bin), its
 * custom layers folded into stock ones (nn/export.ts), and its descriptor beside it (generator/descriptor.json, shared/generator.ts), which says what to feed it.
 */
import type * as tf from '@tensorflow/tfjs';
import { datasetInfo } from '../shared/datasets.ts';
import {
  describeGenerator,
  describeTranslator,
  descriptorFromSpec,
  type GeneratorDescriptor,
  parseGeneratorDescriptor,
} from '../shared/generator.ts';
import { runFiles } from '../shared/keys.ts';
import type { ExperimentSpec } from '../shared/spec.ts';
import type { Gan } from './gan.ts';
import { exportableModel, needsExportCopy } from './nn/export.ts';
import { sinkSaver } from './sinks/model-io.ts';
import { type ArtifactSink, locationOf } from './sinks/types.ts';

/** What a family's generator takes and gives, from the Gan it built. */
export function describeGan(gan: Gan, spec: ExperimentSpec): GeneratorDescriptor {
  if (gan.translation) {
    const g = gan.generator;
    const perSample = (t: tf.SymbolicTensor) => t.shape.slice(1) as number[];
    const { classes, classNames, palette } = datasetInfo(spec.dataset);
    const labelMap = {
      classes,
      ...(classNames ? { classNames: [...classNames] } : {}),
      ...(palette ? { palette: palette.map((c) => [...c] as [number, number, number]) } : {}),
    };
    const reads = gan.translation.inputs;
    return describeTranslator({
      family: spec.family,
      inputs: g.inputs.map((t, i) => ({
        name: g.inputNames[i]!,
        shape: perSample(t),
        ...(reads[i] === 'map' ? labelMap : {}),
      })),
      outputs: g.outputs.map((t, i) => ({
        name: g.outputNames[i]!,
        shape: perSample(t),
        ...(gan.translation?.masks?.includes(g.outputNames[i]!) ? { mask: true } : {}),
      })),
    });
  }
  const [latentName, secondName] = gan.generator.inputNames;
  const sampleShape = gan.generator.outputs[0]!.shape.slice(1);
  const second = (what: string) => {
    if (secondName === undefined) throw new Error(`the ${spec.family} generator has no ${what} input`);
    return secondName;
  };
  return describeGenerator({
    family: spec.family,
    dataset: datasetInfo(spec.dataset),
    latentName: latentName!,
    latentDim: gan.latentDim,
    noise: gan.latentNoise ?? 'normal',
    ...(gan.codes ? { codes: { name: second('codes'), ...gan.codes } } : {}),
    ...(gan.conditional ? { label: { name: second('label'), classes: gan.conditional.classes } } : {}),
    ...(gan.pose ? { pose: { name: second('pose'), ...gan.pose } } : {}),
    ...(gan.captioned ? { caption: { name: second('caption'), words: gan.captioned.words } } : {}),
    ...(gan.attentionMaps
      ? {
          attentionMaps: gan.attentionMaps.map((name) => ({
            name,
            shape: gan.generator.getLayer(name).outputShape.slice(1) as number[],
          })),
        }
      : {}),
    ...(gan.truncation ? { truncation: true } : {}),
    ...(gan.pyramid
      ? { pyramid: { sizes: gan.pyramid.sizes.map(([h, w]) => [h, w] as [number, number]) } }
      : {}),
    ...(gan.styles
      ? {
          styles: {
            mapping: `${STYLE_PARTS.mapping}model.json`,
            synthesis: `${STYLE_PARTS.synthesis}model.json`,
            wDim: gan.styles.mapping.outputs[0]!.shape[1] as number,
            layerSides: gan.styles.layerSides,
            wAverage: Array.from(gan.styles.wAverage().dataSync()),
          },
        }
      : {}),
    ...(sampleShape.some((d, i) => d !== datasetInfo(spec.dataset).shape[i])
      ? { sampleShape: sampleShape as number[] }
      : {}),
  });
}

/** Where a style-based generator's parts go, relative to generator/. */
const STYLE_PARTS = {
  mapping: runFiles.generatorPart('mapping').slice(runFiles.generatorDir.length),
  synthesis: runFiles.generatorPart('synthesis').slice(runFiles.generatorDir.length),
};

/** A model as stock layers (nn/export.ts), saved under `dir`. */
async function saveExportable(
  model: tf.LayersModel,
  artifacts: ArtifactSink,
  dir: string,
  extraOutputs?: readonly string[],
): Promise<void> {
  if (!needsExportCopy(model, extraOutputs)) {
    await model.save(sinkSaver(artifacts, dir));
    return;
  }
  const exported = exportableModel(model, extraOutputs);
  try {
    await exported.save(sinkSaver(artifacts, dir));
  } finally {
    exported.dispose();
  }
}

/** Writes the descriptor, then the model: a generator/model.json of this trainer always has its descriptor. */
export async function exportGenerator(
  gan: Gan,
  spec: ExperimentSpec,
  artifacts: ArtifactSink,
): Promise<void> {
  const descriptor = describeGan(gan, spec);
  await artifacts.put(
    runFiles.generatorDescriptor,
    `${JSON.stringify(descriptor, null, 2)}\n`,
    'application/json',
  );
  // Stock layers with equalized layers, spectral norm, modulation and attention's gamma folded in,
  // attention maps after the sample (nn/export.ts), so the browser's tfjs loads it with no class of ours
  // beyond shared/layers/. A style-based generator's parts first: model.json comes last.
  if (gan.styles) {
    await saveExportable(gan.styles.mapping, artifacts, runFiles.generatorPart('mapping'));
    await saveExportable(gan.styles.synthesis, artifacts, runFiles.generatorPart('synthesis'));
  }
  await saveExportable(gan.generator, artifacts, runFiles.generatorDir, gan.attentionMaps);
}

/** A run's generator descriptor, and where it came from (for messages). */
export interface ReadDescriptor {
  descriptor: GeneratorDescriptor;
  /** The descriptor's location, or "derived from {spec.json}" for a generator exported before descriptors. */
  from: string;
}

/**
 * The descriptor of a run's exported generator: its descriptor.json, or, for a generator exported before
 * descriptors existed, one derived from the run's spec and the model's inputs (shared/generator.ts
 * descriptorFromSpec). A descriptor.json that does not parse is an error naming it and the field.
 */
export async function readGeneratorDescriptor(
  sink: ArtifactSink,
  spec: ExperimentSpec,
  generator: tf.LayersModel,
): Promise<ReadDescriptor> {
  const at = locationOf(sink, runFiles.generatorDescriptor);
  const bytes = await sink.get(runFiles.generatorDescriptor);
  if (bytes === undefined) {
    const inputs = generator.inputs.map((input, i) => ({
      name: generator.inputNames[i] ?? input.name,
      shape: input.shape.slice(1),
    }));
    return {
      descriptor: descriptorFromSpec(spec, inputs),
      from: `derived from ${locationOf(sink, runFiles.spec)}`,
    };
  }
  return { descriptor: parseGeneratorDescriptor(new TextDecoder().decode(bytes), at), from: at };
}
