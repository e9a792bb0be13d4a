import * as tf from '@tensorflow/tfjs';
import { matMulIgemm } from './matmul-igemm.ts';
import { asTensor } from './tensor-info.ts';

const wrappers = new WeakSet<tf.KernelFunc>();

type Attrs = {
  transposeA?: boolean;
  transposeB?: boolean;
  activation?: string;
  leakyreluAlpha?: number;
};

/** Swaps the last two axes. */
function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return tf.transpose(t, perm);
}

function activate(x: tf.Tensor, attrs: Attrs, prelu: tf.Tensor | undefined): tf.Tensor {
  switch (attrs.activation ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'elu':
      return tf.elu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'leakyrelu':
      return tf.leakyRelu(x, attrs.leakyreluAlpha ?? 0.2);
    case 'prelu':
      return tf.prelu(x, prelu!);
    default:
      throw new Error(`_FusedMatMul: unknown activation ${attrs.activation}`);
  }
}

/**
 * Wraps wasm's BatchMatMul or _FusedMatMul: the project's FMA kernel takes the products it covers
 * (matmul-igemm.ts); for the rest, around two problems of wasm's own:
 * - transposeA/transposeB send it from XNNPACK to a plain loop, 10-20x slower (45 ms instead of ~3 for a
 *   dense layer's weight gradient at batch 64), so transposed operands are transposed explicitly first;
 * - _FusedMatMul adds the bias wrongly when the batch dimension is above 1, so then the bias and activation
 *   are applied as separate ops.
 */
export function wrapMatMul(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, attrs, backend }) => {
    const fast = matMulIgemm({ inputs, attrs, backend });
    if (fast != null) return fast;
    const a = attrs as Attrs;
    const { bias, preluActivationWeights, ...rest } = inputs;
    const batch = (inputs.a!.shape.slice(0, -2) as number[]).reduce((p, d) => p * d, 1);
    const splitBias = bias != null && batch > 1;
    if (!a.transposeA && !a.transposeB && !splitBias) return original.kernelFunc({ inputs, attrs, backend });
    const plain = bias == null && preluActivationWeights == null && (a.activation ?? 'linear') === 'linear';
    if (a.transposeA && !a.transposeB && plain && inputs.b!.shape.at(-1) === 1) {
      return transposedTimesVector(inputs.a!, inputs.b!, backend);
    }
    const temps: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T) => {
      temps.push(t);
      return t;
    };
    try {
      const newInputs: tf.NamedTensorInfoMap = {
        ...(splitBias ? rest : inputs),
        a: a.transposeA ? keep(swapLast(inputs.a as tf.Tensor)) : inputs.a!,
        b: a.transposeB ? keep(swapLast(inputs.b as tf.Tensor)) : inputs.b!,
      };
      const newAttrs = { ...attrs, transposeA: false, transposeB: false };
      if (!splitBias) return original.kernelFunc({ inputs: newInputs, attrs: newAttrs, backend });
      const product = original.kernelFunc({
        inputs: newInputs,
        attrs: { ...newAttrs, activation: 'linear' },
        backend,
      }) as tf.TensorInfo;
      const productT = keep(tf.engine().makeTensorFromTensorInfo(product, backend as tf.KernelBackend));
      const withBias = tf.add(productT, bias as tf.Tensor);
      const out = activate(withBias, a, preluActivationWeights as tf.Tensor | undefined);
      if (out !== withBias) withBias.dispose();
      return out;
    } finally {
      tf.dispose(temps);
    }
  };
  wrappers.add(kernelFunc);
  return { ...original, kernelFunc };
}

/**
 * A^T b for a column b (a dense layer's weight gradient into one unit) as the column sums of A scaled by b
 * per row: neither a transpose of A [k, m] (1.5 ms at [64, 6272]) nor XNNPACK, which packs A as the
 * product's weights on every call (2.5 ms).
 */
function transposedTimesVector(a: tf.TensorInfo, b: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  return tf.tidy(() => {
    const kb = backend as tf.KernelBackend;
    const sums = tf.sum(tf.mul(asTensor(a, kb), asTensor(b, kb)), -2);
    return tf.expandDims(sums, -1);
  });
}

export function isMatMulWrapper(config: tf.KernelConfig | undefined): boolean {
  return config != null && wrappers.has(config.kernelFunc);
}
