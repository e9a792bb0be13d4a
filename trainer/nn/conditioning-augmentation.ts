/**
 * Conditioning augmentation (StackGAN, Zhang et al. 2017): a text embedding e gives a Gaussian N(mu(e),
 * diag(exp(logvar(e)))) and G is conditioned on a sample of it, c = mu + exp(logvar / 2) * eps, so nearby
 * captions give overlapping conditions and the condition manifold is smooth; the KL term
 * (losses/kl.ts) keeps the Gaussian near N(0, I). mu and logvar are two Dense layers on e, kept apart so a
 * sampler can take mu alone (the exported generator conditions on mu: a caption gives one condition).
 */
import * as tf from '@tensorflow/tfjs';
import type { Init } from './init.ts';
import { input } from './layers.ts';

export interface ConditioningAugmentation {
  /** e [N, embedDim] -> [mu, logvar], each [N, cDim]: the network a family trains. */
  model: tf.LayersModel;
  /** The mu layer, to apply to another embedding (a sampler conditioning on mu). */
  mu: tf.layers.Layer;
}

export function conditioningAugmentation(
  embedDim: number,
  cDim: number,
  init: Init,
  name: string,
): ConditioningAugmentation {
  const e = input([embedDim], `${name}_embedding`);
  const mu = tf.layers.dense({ name: `${name}_mu`, units: cDim, kernelInitializer: init.glorot() });
  const logvar = tf.layers.dense({ name: `${name}_logvar`, units: cDim, kernelInitializer: init.glorot() });
  const model = tf.model({
    inputs: e,
    outputs: [mu.apply(e) as tf.SymbolicTensor, logvar.apply(e) as tf.SymbolicTensor],
    name,
  });
  return { model, mu };
}

/** The reparameterised sample c = mu + exp(logvar / 2) * eps: differentiable in mu and logvar. */
export function reparameterise(mu: tf.Tensor, logvar: tf.Tensor, eps: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)));
}
