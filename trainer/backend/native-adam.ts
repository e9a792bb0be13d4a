/**
 * Adam on the tensorflow backend as one update over every variable packed together: the gradients and both
 * moments flattened and concatenated, tfjs's thirteen element-wise ops run once on the packed vectors, and
 * the results split back (about 7n + 19 kernel calls for n variables, against tfjs's 13n). The binding cannot
 * reach TensorFlow's own Adam kernels (they update reference or resource variables, which tfjs-node does not
 * hold). The state stays where tfjs keeps it, one moment per variable, so checkpoints, the unrolled GAN's
 * look-ahead and other backends see no difference; each value is computed by the same ops in the same order.
 */
import * as tf from '@tensorflow/tfjs';
import { type AdamInternals, adamInternals, momentsOf } from '../nn/adam-internals.ts';

type Gradients = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];
type Apply = (this: tf.AdamOptimizer, gradients: Gradients) => void;

let registered = false;

/** Patches tfjs's Adam once; `use()` says, at each update, whether the packed update runs. */
export function registerPackedAdam(use: () => boolean): void {
  if (registered) return;
  registered = true;
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: Apply };
  // tfjs's update, or wasm's fused one (backend/adam.ts) where it was patched first.
  const previous = proto.applyGradients;
  proto.applyGradients = function (this: tf.AdamOptimizer, gradients: Gradients) {
    if (!use()) return previous.call(this, gradients);
    packed(this, adamInternals(this, 'the packed Adam update'), gradients);
  };
}

function packed(optimizer: tf.AdamOptimizer, opt: AdamInternals, gradients: Gradients): void {
  const named = Array.isArray(gradients)
    ? gradients.map((g) => [g.name, g.tensor] as const)
    : Object.entries(gradients).map(([name, g]) => [name, g] as const);
  tf.tidy(() => {
    const oneMinusAccBeta1 = tf.sub(1, opt.accBeta1);
    const oneMinusAccBeta2 = tf.sub(1, opt.accBeta2);
    const parts: { value: tf.Variable; m: tf.Variable; v: tf.Variable; g: tf.Tensor }[] = [];
    named.forEach(([name, g], i) => {
      const value = tf.engine().registeredVariables[name]!;
      const moments = momentsOf(opt, i, name, value);
      if (g == null) return;
      if (g.dtype !== 'float32' || value.dtype !== 'float32') throw new Error(`Adam: ${name} is not float32`);
      parts.push({ value, ...moments, g });
    });
    if (parts.length > 0) {
      const pack = (ts: tf.Tensor[]) =>
        ts.length === 1 ? tf.reshape(ts[0]!, [-1]) : tf.concat(ts.map((t) => tf.reshape(t, [-1])));
      const sizes = parts.map((p) => p.value.size);
      const g = pack(parts.map((p) => p.g));
      const newM = tf.add(tf.mul(pack(parts.map((p) => p.m)), opt.beta1), tf.mul(g, 1 - opt.beta1));
      const newV = tf.add(
        tf.mul(pack(parts.map((p) => p.v)), opt.beta2),
        tf.mul(tf.square(g), 1 - opt.beta2),
      );
      const step = tf.mul(
        tf.div(tf.div(newM, oneMinusAccBeta1), tf.add(tf.sqrt(tf.div(newV, oneMinusAccBeta2)), opt.epsilon)),
        -opt.learningRate,
      );
      const unpack = (t: tf.Tensor) => (parts.length === 1 ? [t] : tf.split(t, sizes));
      const [ms, vs, steps] = [unpack(newM), unpack(newV), unpack(step)];
      parts.forEach((p, k) => {
        p.m.assign(tf.reshape(ms[k]!, p.m.shape));
        p.v.assign(tf.reshape(vs[k]!, p.v.shape));
        p.value.assign(tf.add(tf.reshape(steps[k]!, p.value.shape), p.value));
      });
    }
    opt.accBeta1.assign(tf.mul(opt.accBeta1, opt.beta1));
    opt.accBeta2.assign(tf.mul(opt.accBeta2, opt.beta2));
  });
  // tfjs's own step counter (protected), as its update ends.
  (optimizer as unknown as { incrementIterations(): void }).incrementIterations();
}
