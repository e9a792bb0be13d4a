/**
 * Batch norm in training, on TensorFlow's fused kernels: FusedBatchNormV3 forward (statistics and
 * normalisation in one kernel) and FusedBatchNormGradV3 back, where tfjs-layers composes moments, the
 * normalisation and their gradients from about thirty small ops a call. Its second-order gradient (a
 * penalty through a critic with batch norm, e.g. SinGAN's) is written out in differentiable ops. Used by nn/layers.ts's batch norm on the tensorflow backend when
 * the kernels are there (native-fused.ts probes them); elsewhere tfjs-layers' composition runs.
 */
import * as tf from '@tensorflow/tfjs';

export interface Attr {
  name: string;
  type: number;
  value: unknown;
}
export interface NativeBackend {
  binding: {
    TF_ATTR_TYPE: number;
    TF_ATTR_FLOAT: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_STRING: number;
    TF_FLOAT: number;
  };
  executeSingleOutput(name: string, attrs: Attr[], inputs: tf.TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: Attr[], inputs: tf.TensorInfo[], n: number): tf.Tensor[];
}

const FORWARD = 'GanzooBatchNormTraining';
const BACKWARD = 'GanzooBatchNormTrainingGrad';

export function batchNormAttrs(b: NativeBackend, epsilon: number): Attr[] {
  const { binding: t } = b;
  return [
    { name: 'T', type: t.TF_ATTR_TYPE, value: t.TF_FLOAT },
    { name: 'U', type: t.TF_ATTR_TYPE, value: t.TF_FLOAT },
    { name: 'epsilon', type: t.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: t.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: t.TF_ATTR_BOOL, value: true },
  ];
}

/** FusedBatchNormV3 in training: [y, batch mean, batch variance (Bessel-corrected), three reserve spaces]. */
export function nativeForward(
  b: NativeBackend,
  x: tf.TensorInfo,
  scale: tf.TensorInfo,
  offset: tf.TensorInfo,
  epsilon: number,
): tf.Tensor[] {
  const empty = tf.tensor1d([]);
  const [y, mean, unbiased, r1, r2, r3] = b.executeMultipleOutputs(
    'FusedBatchNormV3',
    [
      ...batchNormAttrs(b, epsilon),
      { name: 'exponential_avg_factor', type: b.binding.TF_ATTR_FLOAT, value: 1 },
    ],
    [x, scale, offset, empty, empty],
    6,
  );
  empty.dispose();
  return [y!, mean!, unbiased!, r1!, r2!, r3!];
}

/**
 * The vector-Jacobian product of batch norm's backward pass (dx, dscale, doffset from dy, x, scale) with
 * upstream (u, p, q), per channel over the m = N x H x W values, written out from
 *   x^ = (x - mean) s, s = (var + eps)^-1/2, b = sum dy, g = sum dy x^, dx = scale s / m (m dy - b - x^ g):
 *   d/d dy    = scale s (u - mean u - x^ mean(u x^)) + p x^ + q
 *   d/d scale = s (sum u dy - sum u b / m - sum(u x^) g / m)
 *   d/d x     = -Ls s^2 x^ / m + s (G - mean G - x^ mean(G x^)),  Ls = scale d/d scale / s,
 *               G = -(scale s / m)(u g + sum(u x^) dy) + p dy
 * in differentiable ops, so a third order works too. (tf.grads cannot run inside a gradient function: it
 * clears the tape the outer gradient is reading.)
 */
function backwardVjp(
  [dy, x, scale]: tf.Tensor[],
  [u, p, q]: tf.Tensor[],
  epsilon: number,
): { dy: tf.Tensor; x: tf.Tensor; scale: tf.Tensor } {
  const axes = [0, 1, 2];
  const m = x!.size / (x!.shape.at(-1) as number);
  const { mean, variance } = tf.moments(x!, axes);
  const s = tf.rsqrt(tf.add(variance, epsilon));
  const xHat = tf.mul(tf.sub(x!, mean), s);
  const b = tf.sum(dy!, axes);
  const g = tf.sum(tf.mul(dy!, xHat), axes);
  const sumU = tf.sum(u!, axes);
  const sumUXHat = tf.sum(tf.mul(u!, xHat), axes);
  const sumUDy = tf.sum(tf.mul(u!, dy!), axes);
  const gainS = tf.mul(scale!, s);
  const dDy = tf.addN([
    tf.mul(gainS, tf.sub(tf.sub(u!, tf.div(sumU, m)), tf.mul(xHat, tf.div(sumUXHat, m)))),
    tf.mul(p!, xHat),
    tf.broadcastTo(q!, x!.shape),
  ]);
  const perScale = tf.sub(tf.sub(sumUDy, tf.div(tf.mul(sumU, b), m)), tf.div(tf.mul(sumUXHat, g), m));
  const dScale = tf.mul(s, perScale);
  const ls = tf.mul(scale!, perScale);
  const G = tf.add(
    tf.mul(tf.neg(tf.div(gainS, m)), tf.add(tf.mul(u!, g), tf.mul(sumUXHat, dy!))),
    tf.mul(p!, dy!),
  );
  const centredG = tf.sub(tf.sub(G, tf.mean(G, axes)), tf.mul(xHat, tf.mean(tf.mul(G, xHat), axes)));
  const dX = tf.add(tf.mul(tf.neg(tf.div(tf.mul(ls, tf.square(s)), m)), xHat), tf.mul(s, centredG));
  return { dy: dDy, x: dX, scale: dScale };
}

let registered = false;

export function registerBatchNormKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: FORWARD,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend, attrs: a }) => {
      const { x, scale, offset } = inputs as Record<string, tf.TensorInfo>;
      const [y, mean, unbiased, r1, r2, r3] = nativeForward(
        backend as unknown as NativeBackend,
        x!,
        scale!,
        offset!,
        Number(a!.epsilon),
      );
      // TF's batch variance is Bessel-corrected; tfjs-layers' moving variance follows the biased one.
      const m = x!.shape.slice(0, -1).reduce((p, d) => p * d, 1);
      const biased = tf.mul(unbiased!, m > 1 ? (m - 1) / m : 1);
      unbiased!.dispose();
      return [y!, mean!, biased, r1!, r2!, r3!];
    },
  });
  tf.registerKernel({
    kernelName: BACKWARD,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend, attrs: a }) => {
      const { dy, x, scale, r1, r2, r3 } = inputs as Record<string, tf.TensorInfo>;
      const b = backend as unknown as NativeBackend;
      const out = b.executeMultipleOutputs(
        'FusedBatchNormGradV3',
        batchNormAttrs(b, Number(a!.epsilon)),
        [dy!, x!, scale!, r1!, r2!, r3!],
        5,
      );
      tf.dispose(out.slice(3));
      return out.slice(0, 3);
    },
  });
  tf.registerGradient({
    kernelName: FORWARD,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, false, false, true, true, true],
    gradFunc: (dys, saved, a) => {
      const [x, scale, r1, r2, r3] = saved as tf.Tensor[];
      const dy = (dys as tf.Tensor[])[0]!;
      const [dx, dScale, dOffset] = tf
        .engine()
        .runKernel(
          BACKWARD,
          { dy, x: x!, scale: scale!, r1: r1!, r2: r2!, r3: r3! },
          { epsilon: Number(a.epsilon) },
        ) as tf.Tensor[];
      // The batch mean and variance feed only the moving averages, never a loss.
      return { x: () => dx!, scale: () => dScale!, offset: () => dOffset! };
    },
  });
  tf.registerGradient({
    kernelName: BACKWARD,
    inputsToSave: ['dy', 'x', 'scale', 'r1', 'r2', 'r3'],
    gradFunc: (ups, saved, a) => {
      const [dy, x, scale, r1, r2, r3] = saved as tf.Tensor[];
      const vjp = backwardVjp([dy!, x!, scale!], ups as tf.Tensor[], Number(a.epsilon));
      const zero = (t: tf.Tensor) => () => tf.zerosLike(t);
      return {
        dy: () => vjp.dy,
        x: () => vjp.x,
        scale: () => vjp.scale,
        r1: zero(r1!),
        r2: zero(r2!),
        r3: zero(r3!),
      };
    },
  });
}

/**
 * [N, H, W, C] (or [N, C]) normalised per channel by its batch statistics, scaled and shifted:
 * [y, batch mean, batch variance (biased)], on TensorFlow's fused kernels.
 */
export function fusedBatchNormTraining(
  x: tf.Tensor,
  scale: tf.Tensor,
  offset: tf.Tensor,
  epsilon: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const c = x.shape.at(-1) as number;
  const x4 = x.rank === 4 ? x : tf.reshape(x, [-1, 1, 1, c]);
  const [y, mean, variance] = tf
    .engine()
    .runKernel(FORWARD, { x: x4, scale, offset }, { epsilon }) as tf.Tensor[];
  return [x.rank === 4 ? y! : tf.reshape(y!, x.shape), mean!, variance!];
}
