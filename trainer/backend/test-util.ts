import * as tf from '@tensorflow/tfjs';

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
