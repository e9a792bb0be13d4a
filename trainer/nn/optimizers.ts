/**
 * The optimizers families train with, built one way each: PyTorch's settings where tfjs's defaults differ
 * (epsilon 1e-8; tfjs's Adam would take the backend's 1e-7), since the papers' settings are PyTorch's.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  /** 0.999 when not given. */
  beta2?: number;
}

export function adam({ learningRate, beta1, beta2 = 0.999 }: AdamSettings): tf.Optimizer {
  return tf.train.adam(learningRate, beta1, beta2, 1e-8);
}

/** RMSProp with PyTorch's defaults (alpha 0.99, no momentum, epsilon 1e-8), which the WGAN paper's code used. */
export function rmsprop(learningRate: number): tf.Optimizer {
  return tf.train.rmsprop(learningRate, 0.99, 0, 1e-8);
}

/**
 * The two time-scale update rule (Heusel et al. 2017) as SAGAN and BigGAN use it: Adam for G and for D with
 * their own learning rates (D's faster) and shared betas.
 */
export function ttur(o: { gLearningRate: number; dLearningRate: number; beta1: number; beta2: number }): {
  G: tf.Optimizer;
  D: tf.Optimizer;
} {
  const betas = { beta1: o.beta1, beta2: o.beta2 };
  return {
    G: adam({ learningRate: o.gLearningRate, ...betas }),
    D: adam({ learningRate: o.dLearningRate, ...betas }),
  };
}
