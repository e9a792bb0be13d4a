import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { initBackend } from './index.ts';
import { setUpFusedKernels } from './native-fused.ts';

export interface Input {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype?: 'float32' | 'int32';
}

/** Deterministic uniform values in [-1, 1). */
export function randomValues(size: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

export function randomInput(shape: number[], seed: number): Input {
  return {
    values: randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  };
}

/** Runs fn on the named backend with fresh tensors of the inputs; returns the output values. */
export async function runOn(
  backend: string,
  inputs: Input[],
  fn: (...ts: tf.Tensor[]) => tf.Tensor,
): Promise<Float32Array> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  try {
    const out = tf.tidy(() => fn(...inputs.map((i) => tf.tensor(i.values, i.shape, i.dtype ?? 'float32'))));
    const values = Float32Array.from(out.dataSync());
    out.dispose();
    return values;
  } finally {
    await tf.setBackend(previous);
  }
}

/** Largest absolute difference, relative to the reference's largest magnitude (at least 1). */
export function relError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let err = 0;
  let mag = 1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    err = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(err, d);
    mag = Math.max(mag, Math.abs(expected[i]!));
  }
  return err / mag;
}

/** Asserts-friendly: the number of tensors and backend buffers a call leaves behind after a warm-up call. */
export function leakedBy(fn: () => tf.Tensor | tf.Tensor[]): { tensors: number; dataIds: number } {
  const run = () => {
    const out = fn();
    for (const t of Array.isArray(out) ? out : [out]) t.dispose();
  };
  run();
  const tensors = tf.memory().numTensors;
  const dataIds = tf.engine().backend.numDataIds();
  run();
  return { tensors: tf.memory().numTensors - tensors, dataIds: tf.engine().backend.numDataIds() - dataIds };
}

/** What a multi-threaded wasm backend must keep: a DCGAN layer's conv and gradients as on cpu, no leaks. */
export function threadedConvTests(): void {
  it('conv2d and its gradients match cpu at a DCGAN layer', async () => {
    const inputs = [
      randomInput([8, 14, 14, 32], 1),
      randomInput([5, 5, 32, 64], 2),
      randomInput([8, 7, 7, 64], 3),
    ];
    const f = (x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor) => {
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), dy)),
      )([x, w]);
      return tf.concat([gx!.flatten(), gw!.flatten()]);
    };
    expect(relError(await runOn('wasm', inputs, f), await runOn('cpu', inputs, f))).toBeLessThan(1e-4);
  });

  it('is leak-free and stable over repeated steps', () => {
    const x = tf.randomNormal([16, 14, 14, 32]) as tf.Tensor4D;
    const w = tf.randomNormal([5, 5, 32, 64]) as tf.Tensor4D;
    const step = () =>
      tf.tidy(() =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')),
        )([x, w]),
      );
    for (let i = 0; i < 20; i++) tf.dispose(step());
    expect(leakedBy(step)).toEqual({ tensors: 0, dataIds: 0 });
    tf.dispose([x, w]);
  });
}

/**
 * Loads the node backend with its fused kernels on (as a trainer starts), or gives why it cannot, in one
 * line, for a test to skip with: the native backend is optional (`npm run setup:native`).
 */
export async function loadNodeOrWhyNot(): Promise<string | undefined> {
  try {
    await initBackend('node');
    setUpFusedKernels({});
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0]!;
  }
}

/** `model` saved to memory and loaded back as a fresh LayersModel (what a browser or Node would load). */
export async function saveAndLoad(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: {} as never };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}
