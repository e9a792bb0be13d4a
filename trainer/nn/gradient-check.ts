/**
 * Test support: a layer's gradients against central finite differences. For each variable, the analytic
 * derivative along a random direction d (sum(grad * d)) is compared with (f(w + h d) - f(w - h d)) / 2h.
 * A direction rather than every coordinate keeps the check to two evaluations per variable. Also the random
 * tensors and weights the layer tests feed it.
 */
import * as tf from '@tensorflow/tfjs';
import { randomValues } from '../backend/test-util.ts';

export interface DirectionalCheck {
  name: string;
  analytic: number;
  numeric: number;
}

/**
 * `f` is evaluated with each of `variables` perturbed in turn; every variable is restored afterwards.
 * `h` is the step along a direction of uniform [-1, 1) entries.
 */
export function checkGradients(
  f: () => tf.Scalar,
  variables: tf.Variable[],
  { h = 1e-2, seed = 1 }: { h?: number; seed?: number } = {},
): DirectionalCheck[] {
  const { grads } = tf.variableGrads(f, variables);
  const originals = variables.map((v) => v.clone());
  const directions = variables.map((v, i) => tf.tensor(randomValues(v.size, seed + i), v.shape));
  const at = (only: number, t: number) => {
    for (const [i, v] of variables.entries())
      v.assign(i === only ? tf.add(originals[i]!, tf.mul(t, directions[i]!)) : originals[i]!);
    return tf.tidy(() => f().dataSync()[0]!);
  };
  const checks = variables.map((v, i) => {
    const g = grads[v.name];
    const analytic = g ? tf.sum(tf.mul(g, directions[i]!)).dataSync()[0]! : 0;
    return { name: v.name, analytic, numeric: (at(i, h) - at(i, -h)) / (2 * h) };
  });
  for (const [i, v] of variables.entries()) v.assign(originals[i]!);
  tf.dispose([...originals, ...directions, ...Object.values(grads)]);
  return checks;
}

/** Relative error of a check, against the larger of the two magnitudes (and a floor for near-zero ones). */
export function relativeError({ analytic, numeric }: DirectionalCheck, floor = 1e-3): number {
  return Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), floor);
}

/** A tensor of deterministic uniform [-scale, scale) values. */
export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.tensor(randomValues(tf.util.sizeFromShape(shape), seed), shape), scale));
}

/** Sets every trainable weight of `model` to random values, so no weight sits at a trivial (zero) init. */
export function randomiseWeights(model: tf.LayersModel, seed: number, scale: number): void {
  model.trainableWeights.forEach((w, i) => {
    w.write(randomTensor(w.read().shape, seed + i, scale));
  });
}

/** Class ids as a float32 one-hot [N, k]. */
export function oneHot(ids: number[], k: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(ids, 'int32'), k).toFloat() as tf.Tensor2D);
}
