/**
 * TensorFlow's own kernels where tfjs composes a training step's gradients from small ops (docs/RESULTS.md,
 * the profile: each eager op costs 50-250 us of dispatch here): batch norm in training (native-batch-norm.ts),
 * Adam over all variables at once (native-adam.ts), and the activations' gradients here. On the tensorflow
 * backend ReLU's gradient is dy x step(x), step being six ops in tfjs-node, and LeakyReLU's a comparison, a
 * product and a select; TF runs
 * each as one kernel (ReluGrad, LeakyReluGrad). Their own gradients are the same kernel again on the incoming
 * second-order gradient, so penalties that differentiate twice (WGAN-GP, R1) stay on the fused path.
 *
 * At start each TF kernel is run once on a tiny input: one the linked libtensorflow lacks stays on tfjs's
 * composition, and the backend detail says which were used. GANZOO_FUSED=0 turns them all off. Other
 * backends keep the gradient registered before (tfjs's, or wasm's own, trainer/backend/wasm-gradients.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { registerPackedAdam } from './native-adam.ts';
import {
  type Attr,
  batchNormAttrs,
  type NativeBackend,
  nativeForward,
  registerBatchNormKernels,
} from './native-batch-norm.ts';

/** Batch norm's forward and backward kernels, named by the forward one. */
const BATCH_NORM = 'FusedBatchNormV3';
/** Adam over every variable packed together (native-adam.ts): built from core ops every TensorFlow has. */
const PACKED_ADAM = 'packed Adam';

interface Fused {
  /** TensorFlow's kernel. */
  op: string;
  /** tfjs's kernel whose gradient it takes over. */
  gradientOf: string;
  /** The kernel we register for the tensorflow backend, so its own gradient is taped. */
  kernelName: string;
  attrs(backend: NativeBackend, alpha: number): Attr[];
}

const floatType = (b: NativeBackend): Attr => ({
  name: 'T',
  type: b.binding.TF_ATTR_TYPE,
  value: b.binding.TF_FLOAT,
});

const FUSED: Fused[] = [
  { op: 'ReluGrad', gradientOf: 'Relu', kernelName: 'GanzooReluGrad', attrs: (b) => [floatType(b)] },
  {
    op: 'LeakyReluGrad',
    gradientOf: 'LeakyRelu',
    kernelName: 'GanzooLeakyReluGrad',
    attrs: (b, alpha) => [floatType(b), { name: 'alpha', type: b.binding.TF_ATTR_FLOAT, value: alpha }],
  },
];

/** TF kernels in use on the tensorflow backend, by op name; empty until setUpFusedKernels. */
const active = new Set<string>();
let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  for (const f of FUSED) {
    tf.registerKernel({
      kernelName: f.kernelName,
      backendName: 'tensorflow',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const b = backend as unknown as NativeBackend;
        const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
        return b.executeSingleOutput(f.op, f.attrs(b, Number(attrs?.alpha ?? 0)), [dy, x]);
      },
    });
    const fused = (dy: tf.Tensor, x: tf.Tensor, alpha: number) =>
      tf.engine().runKernel(f.kernelName, { dy, x }, { alpha }) as tf.Tensor;
    // Linear in dy, piecewise constant in x: the second-order gradient is the same kernel on ddy.
    tf.registerGradient({
      kernelName: f.kernelName,
      inputsToSave: ['x'],
      gradFunc: (ddy, saved, attrs) => {
        const [x] = saved as [tf.Tensor];
        return { dy: () => fused(ddy as tf.Tensor, x, Number(attrs?.alpha ?? 0)), x: () => tf.zerosLike(x) };
      },
    });
    // Every other backend, and a kernel not in use, keep the gradient registered before (tfjs's or wasm's).
    const before = tf.getGradient(f.gradientOf);
    if (before == null) throw new Error(`tfjs registers no gradient for '${f.gradientOf}'`);
    tf.registerGradient({
      kernelName: f.gradientOf,
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const d = dy as tf.Tensor;
        if (tf.getBackend() !== 'tensorflow' || !active.has(f.op) || d.dtype !== 'float32')
          return before.gradFunc(dy, saved, attrs);
        const [x] = saved as [tf.Tensor];
        return { x: () => fused(d, x, Number(attrs?.alpha ?? 0)) };
      },
    });
  }
}

/** Batch norm's two kernels, probed together: one without the other is no use. */
function probeBatchNorm(backend: NativeBackend): void {
  tf.tidy(() => {
    const x = tf.tensor4d([1, 2, 3, 5], [4, 1, 1, 1]);
    const scale = tf.ones([1]);
    const offset = tf.zeros([1]);
    const [y, , , r1, r2, r3] = nativeForward(backend, x, scale, offset, 1e-5);
    backend
      .executeMultipleOutputs(
        'FusedBatchNormGradV3',
        batchNormAttrs(backend, 1e-5),
        [y!, x, scale, r1!, r2!, r3!],
        5,
      )[0]!
      .dataSync();
  });
}

/**
 * Probes and turns on the fused kernels for the tensorflow backend (active now); returns what the backend
 * detail says of them.
 */
export function setUpFusedKernels(env: NodeJS.ProcessEnv = process.env): string {
  register();
  registerBatchNormKernels();
  registerPackedAdam(() => tf.getBackend() === 'tensorflow' && active.has(PACKED_ADAM));
  active.clear();
  if (env.GANZOO_FUSED?.trim() === '0') return 'fused kernels off (GANZOO_FUSED=0)';
  const backend = tf.backend() as unknown as NativeBackend;
  const probes: [string, () => void][] = [
    ...FUSED.map((f): [string, () => void] => [
      f.op,
      () =>
        tf.tidy(() => {
          const x = tf.tensor1d([-1, 2]);
          backend.executeSingleOutput(f.op, f.attrs(backend, 0.2), [tf.onesLike(x), x]).dataSync();
        }),
    ]),
    [BATCH_NORM, () => probeBatchNorm(backend)],
    [PACKED_ADAM, () => {}],
  ];
  const missing: string[] = [];
  for (const [op, probe] of probes) {
    try {
      probe();
      active.add(op);
    } catch (err) {
      missing.push(`${op} (${(err as Error).message.split('\n')[0]})`);
    }
  }
  const used = active.size > 0 ? `fused kernels: ${[...active].join(', ')}` : 'fused kernels: none';
  return missing.length > 0 ? `${used}; not in this libtensorflow: ${missing.join('; ')}` : used;
}

/** The TF kernels the tensorflow backend uses now (for tests). */
export const fusedKernelsInUse = (): string[] => [...active];

/** Whether batch norm in training runs on TensorFlow's fused kernels now. */
export const fusedBatchNormInUse = (): boolean => tf.getBackend() === 'tensorflow' && active.has(BATCH_NORM);
