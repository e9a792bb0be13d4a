/**
 * A run's exported generator in the browser. tfjs is imported here only, so it loads with the playground
 * and never with the rest of the dashboard. WebGL is preferred; without it (some headless or old browsers)
 * the cpu backend is used.
 */
import type * as TF from '@tensorflow/tfjs';
import type { GeneratorUrls } from '../api/types.ts';

export interface GeneratorInput {
  name: string;
  /** Values per sample: the product of shape. */
  size: number;
  /** Per-sample shape: [size] for a vector (z, label, codes), [h, w, c] for an image to translate. */
  shape: number[];
}

/** An output after the sample: an attention map [HW, HW] per sample (SAGAN, BigGAN). */
export interface ExtraOutput {
  name: string;
  shape: number[];
}

export interface LoadedGenerator {
  backend: string;
  inputs: GeneratorInput[];
  /** [h, w, c] of one image, or [2] for a point. */
  outputShape: number[];
  /** The outputs after the sample, by the model's output names. */
  extraOutputs: ExtraOutput[];
  /** Runs the generator on a batch: one Float32Array per input, each batch * input.size long. */
  generate(batch: number, values: Record<string, Float32Array>): Promise<Float32Array>;
  /** As generate, every output: the sample first, then each extra output. */
  generateAll(batch: number, values: Record<string, Float32Array>): Promise<Float32Array[]>;
  dispose(): void;
}

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

export async function loadGenerator(urls: GeneratorUrls): Promise<LoadedGenerator> {
  const { tf, backend } = await tfjs();
  const model = await tf.loadLayersModel(urls.modelUrl, {
    weightUrlConverter: async (path) => {
      // model.json names weights relative to itself ("./weights.bin"); the API keys them by file name.
      const name = path.replace(/^(\.\/)+/, '');
      const url = urls.weightUrls[name];
      if (!url) throw new Error(`the generator names a weights file '${name}' the API gave no URL for`);
      return url;
    },
  });
  // The input layers' own names ("z", "label", "codes"), which the trainer chose; the symbolic tensors'
  // names get a suffix when a page loads more than one model.
  const shapeOf = (t: TF.SymbolicTensor) => (t.shape as (number | null)[]).slice(1).map(Number);
  const inputs = model.inputNames.map((name, i) => {
    const shape = shapeOf(model.inputs[i]!);
    return { name, shape, size: shape.reduce((a, b) => a * b, 1) };
  });
  const outputShape = shapeOf(model.outputs[0]!);
  const extraOutputs = model.outputs
    .slice(1)
    .map((t, i) => ({ name: model.outputNames[i + 1]!, shape: shapeOf(t) }));
  const generateAll = async (batch: number, values: Record<string, Float32Array>) => {
    const xs = inputs.map((inp) => {
      const v = values[inp.name];
      if (!v || v.length !== batch * inp.size) {
        throw new Error(`input '${inp.name}' needs ${batch * inp.size} values, got ${v?.length ?? 0}`);
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
    inputs,
    outputShape,
    extraOutputs,
    generateAll,
    generate: async (batch, values) => (await generateAll(batch, values))[0]!,
    dispose: () => model.dispose(),
  };
}
