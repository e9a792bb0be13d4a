/**
 * A run's exported generator in the browser, fed as its descriptor says (shared/generator.ts, from
 * GET /experiments/{id}/generator). tfjs is imported here only, so it loads with the playground and never
 * with the rest of the dashboard. WebGL is preferred; without it (some headless or old browsers) the cpu
 * backend is used.
 */
import type * as TF from '@tensorflow/tfjs';
import type { GeneratorDescriptor, GeneratorInput } from '../../../shared/generator.ts';
import { sizeOf } from '../../../shared/generator-summary.ts';
import type { ExportedGenerator } from '../api/types.ts';

/** An output after the sample: an attention map [HW, HW] per sample (SAGAN, BigGAN). */
export interface ExtraOutput {
  name: string;
  shape: number[];
}

export interface LoadedGenerator {
  backend: string;
  /** What the generator takes and gives, checked against the model. */
  descriptor: GeneratorDescriptor;
  /** The outputs after the sample, by the model's output names. */
  extraOutputs: ExtraOutput[];
  /** Runs the generator on a batch: one Float32Array per input by name, each batch * sizeOf(input) long. */
  generate(batch: number, values: Record<string, Float32Array>): Promise<Float32Array>;
  /** As generate, every output: the sample first, then each extra output. */
  generateAll(batch: number, values: Record<string, Float32Array>): Promise<Float32Array[]>;
  dispose(): void;
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.join(', ')}]`;

let tfPromise: Promise<typeof TF> | undefined;

async function tfjs(): Promise<{ tf: typeof TF; backend: string }> {
  tfPromise ??= import('@tensorflow/tfjs');
  const tf = await tfPromise;
  if (tf.getBackend() !== 'webgl' && tf.getBackend() !== 'cpu') {
    let ok = false;
    try {
      ok = await tf.setBackend('webgl');
    } catch {
      ok = false;
    }
    if (!ok) await tf.setBackend('cpu');
  }
  await tf.ready();
  return { tf, backend: tf.getBackend() };
}

/**
 * The descriptor's inputs in the model's input order, each checked against the model's input of that name
 * (the input layers' own names, which the trainer chose; the symbolic tensors' names get a suffix when a
 * page loads more than one model), and its sample's shape against the model's output.
 */
function checkedAgainst(model: TF.LayersModel, descriptor: GeneratorDescriptor): GeneratorInput[] {
  const named = new Map(descriptor.inputs.map((i) => [i.name, i]));
  const inputs = model.inputNames.map((name, i) => {
    const input = named.get(name);
    const shape = model.inputs[i]!.shape.slice(1);
    if (!input) throw new Error(`the generator takes an input '${name}' its descriptor does not describe`);
    if (shapeText(shape) !== shapeText(input.shape))
      throw new Error(
        `the generator's input '${name}' has shape ${shapeText(shape)}, its descriptor says ${shapeText(input.shape)}`,
      );
    return input;
  });
  const missing = descriptor.inputs.filter((i) => !model.inputNames.includes(i.name));
  if (missing.length > 0)
    throw new Error(
      `the descriptor names inputs the generator does not take: ${missing.map((i) => i.name).join(', ')}`,
    );
  const out = model.outputs[0]!.shape.slice(1);
  const sample = descriptor.outputs[0]!;
  if (shapeText(out) !== shapeText(sample.shape))
    throw new Error(
      `the generator's output has shape ${shapeText(out)}, its descriptor says ${shapeText(sample.shape)}`,
    );
  return inputs;
}

export async function loadGenerator(exported: ExportedGenerator): Promise<LoadedGenerator> {
  const { tf, backend } = await tfjs();
  const model = await tf.loadLayersModel(exported.modelUrl, {
    weightUrlConverter: async (path) => {
      // model.json names weights relative to itself ("./weights.bin"); the API keys them by file name.
      const name = path.replace(/^(\.\/)+/, '');
      const url = exported.weightUrls[name];
      if (!url) throw new Error(`the generator names a weights file '${name}' the API gave no URL for`);
      return url;
    },
  });
  let inputs: GeneratorInput[];
  try {
    inputs = checkedAgainst(model, exported.descriptor);
  } catch (err) {
    model.dispose();
    throw err;
  }
  const extraOutputs = exported.descriptor.outputs.slice(1).map(({ name, shape }) => ({ name, shape }));
  const generateAll = async (batch: number, values: Record<string, Float32Array>) => {
    const xs = inputs.map((inp) => {
      const v = values[inp.name];
      if (!v || v.length !== batch * sizeOf(inp)) {
        throw new Error(`input '${inp.name}' needs ${batch * sizeOf(inp)} values, got ${v?.length ?? 0}`);
      }
      return tf.tensor(v, [batch, ...inp.shape]);
    });
    const out = model.predict(xs.length === 1 ? xs[0]! : xs) as TF.Tensor | TF.Tensor[];
    const ys = Array.isArray(out) ? out : [out];
    const data = (await Promise.all(ys.map((y) => y.data()))) as Float32Array[];
    tf.dispose([...xs, ...ys]);
    return data;
  };
  return {
    backend,
    descriptor: exported.descriptor,
    extraOutputs,
    generateAll,
    generate: async (batch, values) => (await generateAll(batch, values))[0]!,
    dispose: () => model.dispose(),
  };
}
