/**
 * A run's exported generator in the browser, fed as its descriptor says (shared/generator.ts, from
 * GET /experiments/{id}/generator). tfjs is imported here only, so it loads with the playground and never
 * with the rest of the dashboard. WebGL is preferred; without it (some headless or old browsers) the cpu
 * backend is used.
 */
import type * as TF from '@tensorflow/tfjs';
import type { GeneratorDescriptor, GeneratorInput, StyleParts } from '../../../shared/generator.ts';
import { sizeOf } from '../../../shared/generator-summary.ts';
import type { Size } from '../../../shared/pyramid-sizes.ts';
import type { ExportedGenerator } from '../api/types.ts';

/** An output after the sample: an attention map [HW, HW] per sample (SAGAN, BigGAN). */
export interface ExtraOutput {
  name: string;
  shape: number[];
}

export interface LoadedGenerator {
  backend: string;
  /** What the generator takes and gives, checked against the model: the sample first, then any extra
   * outputs (attention maps of SAGAN and BigGAN) by name. */
  descriptor: GeneratorDescriptor;
  /** Runs the generator on a batch: one Float32Array per input by name, each batch * sizeOf(input) long. */
  generate(batch: number, values: Record<string, Float32Array>): Promise<Float32Array>;
  /** As generate, every output: the sample first, then each extra output. */
  generateAll(batch: number, values: Record<string, Float32Array>): Promise<Float32Array[]>;
  /** A style-based generator's own controls, through its mapping and synthesis networks. */
  styles?: StyledGenerator;
  /** A pyramid of scales (SinGAN), run scale by scale at any size. */
  pyramid?: PyramidGenerator;
  dispose(): void;
}

export interface StyledGenerator extends StyleParts {
  /**
   * Samples from latents zA and zB (batch * latent size each): w of each truncated towards the mean w by
   * psi (1: as drawn, 0: the mean), the style layers before `crossover` from A and the rest from B.
   */
  generate(zA: Float32Array, zB: Float32Array, crossover: number, psi: number): Promise<Float32Array>;
}

/** An image [h, w, c] in [-1, 1], as the playground's canvases hold one. */
export interface PlainImage {
  h: number;
  w: number;
  c: number;
  values: Float32Array;
}

export interface PyramidGenerator {
  /** Each scale's [height, width] as trained, coarse to fine. */
  sizes: Size[];
  channels: number;
  /**
   * One sample at `sizes` (one a scale, any sizes), scale k fed noise[k] (h_k * w_k * channels standard
   * normal values); with `inject`, scales below its scale are skipped and its image, resized, enters there.
   */
  sample(
    sizes: Size[],
    noise: Float32Array[],
    inject?: { scale: number; image: PlainImage },
  ): Promise<PlainImage>;
  /** The finest scale run once more on the image enlarged by the ratio between scales, with no noise. */
  superResolve(image: PlainImage): Promise<PlainImage>;
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.join(', ')}]`;

let tfPromise: Promise<typeof TF> | undefined;

async function tfjs(): Promise<{ tf: typeof TF; backend: string }> {
  tfPromise ??= import('@tensorflow/tfjs');
  const tf = await tfPromise;
  // The parameter-free layers an exported generator may hold besides stock ones, registered on import.
  await import('../../../shared/layers/index.ts');
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

type ModelUrls = Pick<ExportedGenerator, 'modelUrl' | 'weightUrls'>;

async function loadModel(tf: typeof TF, { modelUrl, weightUrls }: ModelUrls): Promise<TF.LayersModel> {
  return tf.loadLayersModel(modelUrl, {
    weightUrlConverter: async (path) => {
      // model.json names weights relative to itself ("./weights.bin"); the API keys them by file name.
      const name = path.replace(/^(\.\/)+/, '');
      const url = weightUrls[name];
      if (!url) throw new Error(`the generator names a weights file '${name}' the API gave no URL for`);
      return url;
    },
  });
}

/** The mapping and synthesis networks of a style-based generator, run as its descriptor's styles say. */
async function styledGenerator(
  tf: typeof TF,
  styles: StyleParts,
  parts: NonNullable<ExportedGenerator['parts']>,
): Promise<{ styled: StyledGenerator; models: TF.LayersModel[] }> {
  const [mapping, synthesis] = await Promise.all([
    loadModel(tf, parts.mapping),
    loadModel(tf, parts.synthesis),
  ]);
  const latent = Number(mapping.inputs[0]!.shape[1]);
  const layers = styles.layerSides.length;
  const styled: StyledGenerator = {
    ...styles,
    async generate(zA, zB, crossover, psi) {
      const batch = zA.length / latent;
      const y = tf.tidy(() => {
        const mean = tf.tensor1d(styles.wAverage);
        const w = (z: Float32Array) => {
          const raw = mapping.predict(tf.tensor2d(z, [batch, latent])) as TF.Tensor2D;
          return tf.add(mean, tf.mul(psi, tf.sub(raw, mean))) as TF.Tensor2D;
        };
        const [a, b] = [w(zA), w(zB)];
        const ws = tf.stack(
          Array.from({ length: layers }, (_, k) => (k < crossover ? a : b)),
          1,
        );
        return synthesis.predict(ws) as TF.Tensor;
      });
      const data = (await y.data()) as Float32Array;
      y.dispose();
      return data;
    },
  };
  return { styled, models: [mapping, synthesis] };
}

/** The pyramid's scales found in the model by name (shared/layers/pyramid.ts), checked against the descriptor. */
async function pyramidGenerator(
  tf: typeof TF,
  model: TF.LayersModel,
  sizes: Size[],
  channels: number,
): Promise<PyramidGenerator> {
  const { runPyramid, scaleCount, scaleLayersOf, superResolve } = await import(
    '../../../shared/layers/pyramid.ts'
  );
  if (scaleCount(model) !== sizes.length)
    throw new Error(
      `the generator has ${scaleCount(model)} scales, its descriptor's pyramid ${sizes.length}`,
    );
  const scales = sizes.map((_, k) => scaleLayersOf(model, k));
  const toTensor = (i: PlainImage) => tf.tensor4d(i.values, [1, i.h, i.w, i.c]);
  const fromTensor = async (t: TF.Tensor4D): Promise<PlainImage> => {
    const [, h, w, c] = t.shape;
    const values = (await t.data()) as Float32Array;
    t.dispose();
    return { h, w, c, values };
  };
  const [fine, coarse] = [sizes.at(-1)!, sizes.at(-2)!];
  return {
    sizes,
    channels,
    sample: (at, noise, inject) => {
      if (at.length !== sizes.length || noise.length !== sizes.length)
        throw new Error(
          `the pyramid has ${sizes.length} scales; got ${at.length} sizes, ${noise.length} noise maps`,
        );
      const maps = noise.map((n, k) => tf.tensor4d(n, [1, at[k]![0], at[k]![1], channels]));
      const image = inject && toTensor(inject.image);
      try {
        return fromTensor(runPyramid(scales, at, maps, image ? { scale: inject.scale, image } : undefined));
      } finally {
        tf.dispose([...maps, ...(image ? [image] : [])]);
      }
    },
    superResolve: (image) => {
      const x = toTensor(image);
      try {
        return fromTensor(superResolve(scales.at(-1)!, x, coarse[1] / fine[1], 1));
      } finally {
        x.dispose();
      }
    },
  };
}

export async function loadGenerator(exported: ExportedGenerator): Promise<LoadedGenerator> {
  const { tf, backend } = await tfjs();
  const model = await loadModel(tf, exported);
  let inputs: GeneratorInput[];
  try {
    inputs = checkedAgainst(model, exported.descriptor);
  } catch (err) {
    model.dispose();
    throw err;
  }
  const { styles } = exported.descriptor;
  let styled: Awaited<ReturnType<typeof styledGenerator>> | undefined;
  if (styles) {
    if (!exported.parts) {
      model.dispose();
      throw new Error(
        "the descriptor describes style parts the API gave no URLs for (answer without 'parts')",
      );
    }
    styled = await styledGenerator(tf, styles, exported.parts);
  }
  const sizes = exported.descriptor.pyramid?.sizes;
  let pyramid: PyramidGenerator | undefined;
  if (sizes) {
    try {
      pyramid = await pyramidGenerator(tf, model, sizes, exported.descriptor.outputs[0]!.shape[2] ?? 3);
    } catch (err) {
      model.dispose();
      throw err;
    }
  }
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
    generateAll,
    generate: async (batch, values) => (await generateAll(batch, values))[0]!,
    ...(styled ? { styles: styled.styled } : {}),
    ...(pyramid ? { pyramid } : {}),
    dispose: () => {
      model.dispose();
      for (const m of styled?.models ?? []) m.dispose();
    },
  };
}
