import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { heapKernels, useHeapKernels } from './heap-kernels.ts';
import { initBackend } from './index.ts';
import { leakedBy, randomValues } from './test-util.ts';

let fused: ReturnType<typeof heapKernels>;
beforeAll(async () => {
  await initBackend('wasm');
  fused = heapKernels();
  expect(fused).toBeDefined();
});
afterEach(() => useHeapKernels(fused));

// A conv filter, a bias whose size is not a multiple of four (the kernel's one-value tail), and a scalar.
const SHAPES = [[5, 5, 3, 8], [7], [1]];

/** Steps of Adam (as the families build it) on fixed quadratic losses; the variables and optimizer state after. */
let runs = 0;
function train(steps: number, route: 'fused' | 'tfjs') {
  runs++;
  useHeapKernels(route === 'fused' ? fused : undefined);
  const vars = SHAPES.map((s, i) =>
    tf.variable(tf.tensor(randomValues(tf.util.sizeFromShape(s), i + 1), s), true, `adam-${runs}-${i}`),
  );
  const targets = SHAPES.map((s, i) => tf.tensor(randomValues(tf.util.sizeFromShape(s), i + 11), s));
  const opt = tf.train.adam(2e-4, 0.5, 0.999, 1e-8);
  const loss = () =>
    tf.addN(vars.map((v, i) => tf.sum(tf.mul(tf.square(tf.sub(v, targets[i]!)), i + 1)))) as tf.Scalar;
  for (let s = 0; s < steps; s++) opt.minimize(loss, true)!.dispose();
  const values = vars.map((v) => Array.from(v.dataSync()));
  return { vars, targets, opt, loss, values };
}

function release(r: ReturnType<typeof train>): void {
  tf.dispose([...r.vars, ...r.targets]);
  r.opt.dispose();
}

describe("Adam's fused update on wasm", () => {
  it("gives tfjs's values bit for bit, variables and optimizer state, over several steps", async () => {
    const a = train(5, 'fused');
    const b = train(5, 'tfjs');
    expect(a.values).toEqual(b.values);
    // The variables moved: the comparison is not of two untouched copies.
    expect(a.values[0]).not.toEqual(Array.from(randomValues(5 * 5 * 3 * 8, 1)));
    const state = async (o: tf.Optimizer) =>
      (await o.getWeights()).map((w) => [w.name.replace(/adam-\d+-/, ''), Array.from(w.tensor.dataSync())]);
    expect(await state(a.opt)).toEqual(await state(b.opt));
    for (const r of [a, b]) release(r);
  });

  it("runs in place of tfjs's thirteen kernels a variable", async () => {
    const r = train(1, 'fused');
    const kernels = (await tf.profile(() => r.opt.minimize(r.loss, true)!.dispose())).kernelNames;
    expect(kernels).not.toContain('Sqrt');
    useHeapKernels(undefined);
    const tfjsKernels = (await tf.profile(() => r.opt.minimize(r.loss, true)!.dispose())).kernelNames;
    expect(tfjsKernels).toContain('Sqrt');
    release(r);
  });

  it('leaks nothing', () => {
    const r = train(1, 'fused');
    expect(leakedBy(() => r.opt.minimize(r.loss, true)!)).toEqual({ tensors: 0, dataIds: 0 });
    release(r);
  });
});
