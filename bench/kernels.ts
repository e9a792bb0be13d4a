/**
 * Times the conv kernels of a DCGAN training step on MNIST (batch 64) at exactly its shapes, one kernel call
 * at a time: median of several runs after warm-up, fresh input tensors each run (as in training, where the
 * weights change every step).
 *   npm run bench:kernels            (GANZOO_BACKEND picks the backend; default wasm)
 *   npm run bench:kernels -- --native   wasm's own kernels where it has them (XNNPACK's convolutions), instead of the project's
 *   GANZOO_WASM_THREADS=2 npm run bench:kernels   (the project's convolutions on two threads)
 * Also times the other kernels of the step that the project replaces or wraps on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../trainer/backend/index.ts';
import { replacedWasmKernels } from '../trainer/backend/wasm-kernels.ts';

const BATCH = 64;
const REPEATS = Number(process.env.REPEATS ?? 7);
const WARMUP = 2;

interface Layer {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
}
/** Calls of each kernel per layer in one D step + G step (real and fake batches run separately). */
const CALLS_PER_STEP: Record<string, Record<string, number>> = {
  L1: { Conv2D: 4, Conv2DBackpropInput: 3, Conv2DBackpropFilter: 3 },
  L2: { Conv2D: 4, Conv2DBackpropInput: 5, Conv2DBackpropFilter: 3 },
};

const layers = (c1: number, c2: number): Layer[] => [
  { name: 'L1', x: [BATCH, 28, 28, 1], filter: [5, 5, 1, c1] },
  { name: 'L2', x: [BATCH, 14, 14, c1], filter: [5, 5, c1, c2] },
];
const MODELS = { wide: layers(64, 128), narrow: layers(32, 64) };

const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC' } as const;

function kernelCalls(l: Layer) {
  const y = tf.backend_util.computeConv2DInfo(l.x, l.filter, 2, 1, 'same').outShape;
  const r = (shape: number[]) => tf.randomNormal(shape);
  return {
    Conv2D: () => ({ inputs: { x: r(l.x), filter: r(l.filter) }, attrs: { ...attrs, dilations: 1 } }),
    Conv2DBackpropInput: () => ({
      inputs: { dy: r(y), filter: r(l.filter) },
      attrs: { ...attrs, inputShape: l.x },
    }),
    Conv2DBackpropFilter: () => ({
      inputs: { x: r(l.x), dy: r(y) },
      attrs: { ...attrs, filterShape: l.filter },
    }),
  };
}

/** Kernels outside the convs that the project replaced or wrapped, at the wide model's shapes. */
function otherCalls() {
  const r = (shape: number[]) => tf.randomNormal(shape);
  return {
    // Batch norm's gradient tiles per-channel statistics over the activations.
    'Tile (batch norm grad)': [
      'Tile',
      () => ({ inputs: { x: r([1, 1, 1, 64]) }, attrs: { reps: [BATCH, 14, 14, 1] } }),
    ],
    // The generator's dense layer (z 100 -> 7x7x128): its weight gradient multiplies with transposeA.
    'BatchMatMul (dense weight grad)': [
      'BatchMatMul',
      () => ({
        inputs: { a: r([BATCH, 100]), b: r([BATCH, 6272]) },
        attrs: { transposeA: true, transposeB: false },
      }),
    ],
    'BatchMatMul (dense input grad)': [
      'BatchMatMul',
      () => ({
        inputs: { a: r([BATCH, 6272]), b: r([100, 6272]) },
        attrs: { transposeA: false, transposeB: true },
      }),
    ],
  } as const;
}

/** Median and fastest run, in ms; the fastest is the steadier figure when other work shares the cores. */
function timeKernel(
  kernel: string,
  make: () => { inputs: tf.NamedTensorMap; attrs: object },
): [number, number] {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + REPEATS; i++) {
    const { inputs, attrs } = make();
    const t0 = performance.now();
    const out = tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
    const ms = performance.now() - t0;
    tf.dispose([out, ...Object.values(inputs)]);
    if (i >= WARMUP) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return [times[times.length >> 1]!, times[0]!];
}

async function main() {
  const native = process.argv.includes('--native');
  const info = await initBackend(process.env.GANZOO_BACKEND ?? 'wasm');
  if (native) useNativeKernels();
  console.log(
    `backend ${info.name}: ${info.detail}${native ? ' (native wasm kernels where wasm has them)' : ''}`,
  );
  console.log(`batch ${BATCH}, median of ${REPEATS} after ${WARMUP} warm-up runs, ms per call\n`);
  const header = [
    'model',
    'layer',
    'kernel',
    'input',
    'filter',
    'median ms',
    'min ms',
    'calls/step',
    'ms/step',
  ];
  const rows: string[][] = [];
  for (const [model, ls] of Object.entries(MODELS)) {
    let total = 0;
    for (const l of ls) {
      for (const [kernel, make] of Object.entries(kernelCalls(l))) {
        const [ms, min] = timeKernel(kernel, make);
        const calls = CALLS_PER_STEP[l.name]![kernel]!;
        total += ms * calls;
        rows.push([
          model,
          l.name,
          kernel,
          l.x.join('x'),
          l.filter.join('x'),
          ms.toFixed(1),
          min.toFixed(1),
          String(calls),
          (ms * calls).toFixed(0),
        ]);
      }
    }
    rows.push([model, '', 'conv kernels per step (estimate)', '', '', '', '', '', total.toFixed(0)]);
  }
  for (const [label, [kernel, make]] of Object.entries(otherCalls())) {
    const [ms, min] = timeKernel(kernel, make);
    rows.push(['wide', '', label, '', '', ms.toFixed(1), min.toFixed(1), '', '']);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
}

/** Puts back wasm's own kernels wherever it has one (Conv2DBackpropFilter has none: it stays the project's). */
function useNativeKernels() {
  for (const config of replacedWasmKernels.values()) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
    // Replaced before the backend initialised, so their setup (binding the wasm function) never ran.
    config.setupFunc?.(tf.backend());
  }
}

await main();
