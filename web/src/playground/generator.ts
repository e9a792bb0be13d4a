/**
 * A run's exported generator in the browser. tfjs is imported here only, so it loads with the playground
 * and never with the rest of the dashboard. WebGL is preferred; without it (some headless or old browsers)
 * the cpu backend is used.
 */
import type * as TF from '@tensorflow/tfjs';
import type { GeneratorUrls } from '../api/types.ts';

export interface GeneratorInput {
  name: string;
  size: number;
}

export interface LoadedGenerator {
  backend: string;
  inputs: GeneratorInput[];
  /** [h, w, c] of one image, or [2] for a point. */
  outputShape: number[];
  /** Runs the generator on a batch: one Float32Array per input, each batch * input.size long. */
  generate(batch: number, values: Record<string, Float32Array>): Promise<Float32Array>;
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
  const inputs = model.inputNames.map((name, i) => ({ name, size: Number(model.inputs[i]!.shape[1]) }));
  const outputShape = (model.outputs[0]!.shape as (number | null)[]).slice(1).map(Number);
  return {
    backend,
    inputs,
    outputShape,
    async generate(batch, values) {
      const xs = inputs.map((inp) => {
        const v = values[inp.name];
        if (!v || v.length !== batch * inp.size) {
          throw new Error(`input '${inp.name}' needs ${batch * inp.size} values, got ${v?.length ?? 0}`);
        }
        return tf.tensor2d(v, [batch, inp.size]);
      });
      const y = model.predict(xs.length === 1 ? xs[0]! : xs) as TF.Tensor;
      const data = (await y.data()) as Float32Array;
      tf.dispose([...xs, y]);
      return data;
    },
    dispose: () => model.dispose(),
  };
}
