import * as tf from '@tensorflow/tfjs';

/**
 * The state tfjs's Adam keeps in fields it does not export: read by the unrolled GAN's look-ahead and
 * written by the wasm backend's fused update, so checked at run time.
 */
export interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** beta1^t and beta2^t for the optimizer's next step t. */
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  /** One moment per updated variable, in the order of the variable list; empty before the first update. */
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

/** The optimizer's internals, or an error naming `who` needs them when it is not tfjs's Adam. */
export function adamInternals(optimizer: tf.Optimizer, who: string): AdamInternals {
  const o = optimizer as unknown as Partial<AdamInternals>;
  if (
    optimizer.getClassName() !== 'Adam' ||
    typeof o.learningRate !== 'number' ||
    !o.accBeta1 ||
    !o.accBeta2 ||
    !Array.isArray(o.accumulatedFirstMoment) ||
    !Array.isArray(o.accumulatedSecondMoment)
  )
    throw new Error(`${who}: the optimizer must be tfjs's Adam, got ${optimizer.getClassName()}`);
  return o as AdamInternals;
}

/**
 * The i-th variable's two moments, made as tfjs makes them (zeros, not trainable, named `<name>/m` and
 * `<name>/v`) when this is its first update: what a replacement for tfjs's update must keep in place.
 */
export function momentsOf(
  opt: AdamInternals,
  i: number,
  name: string,
  value: tf.Variable,
): { m: tf.Variable; v: tf.Variable } {
  opt.accumulatedFirstMoment[i] ??= {
    originalName: `${name}/m`,
    variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
  };
  opt.accumulatedSecondMoment[i] ??= {
    originalName: `${name}/v`,
    variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
  };
  return { m: opt.accumulatedFirstMoment[i]!.variable, v: opt.accumulatedSecondMoment[i]!.variable };
}
