import * as tf from '@tensorflow/tfjs';

const COMPARISONS = ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual'];

/**
 * Zero gradients for the comparison kernels. leakyRelu's and maximum's gradients use them, so a
 * second-order gradient (gradient penalty, R1) needs them; tfjs only ships GreaterEqual's.
 * Returns the kernel names it registered.
 */
export function registerComparisonGradients(): string[] {
  const added: string[] = [];
  for (const kernelName of COMPARISONS) {
    if (tf.getGradient(kernelName) != null) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as [tf.Tensor, tf.Tensor];
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
      },
    });
    added.push(kernelName);
  }
  return added;
}
