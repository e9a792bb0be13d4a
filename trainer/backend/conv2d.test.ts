import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { conv2dIgemm, igemmInUse } from './conv2d.ts';
import { initBackend } from './index.ts';
import { leakedBy, randomInput, relError, runOn } from './test-util.ts';
import { kernelSource } from './wat.ts';

beforeAll(async () => {
  const info = await initBackend('wasm');
  expect(info.detail).toContain('convolutions: FMA indirect GEMM');
});

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case {
  label: string;
  x: number[];
  filter: number[];
  strides: number | [number, number];
  pad: Pad;
  dilations?: number;
  bias?: boolean;
}

/** Shapes the FMA route takes: partial last blocks, padding on every side, dilation, uneven strides, bias. */
const TAKEN: Case[] = [
  {
    label: 'stride 2, same, 5x5 (a DCGAN layer); 196 rows',
    x: [4, 14, 14, 8],
    filter: [5, 5, 8, 16],
    strides: 2,
    pad: 'same',
  },
  { label: 'stride 1, valid, 3x3', x: [4, 10, 10, 12], filter: [3, 3, 12, 16], strides: 1, pad: 'valid' },
  {
    label: 'dilation 2 with explicit padding (a weight gradient)',
    x: [8, 14, 14, 16],
    filter: [3, 3, 16, 8],
    strides: 1,
    pad: [
      [0, 0],
      [2, 1],
      [2, 1],
      [0, 0],
    ],
    dilations: 2,
  },
  {
    label: 'strides [2, 1], same, 3x2; 280 rows',
    x: [8, 9, 7, 12],
    filter: [3, 2, 12, 16],
    strides: [2, 1],
    pad: 'same',
  },
  { label: 'fused bias', x: [4, 14, 14, 8], filter: [5, 5, 8, 24], strides: 2, pad: 'same', bias: true },
  {
    label: 'output channels padded to whole passes (12 of 16), with bias',
    x: [8, 14, 14, 8],
    filter: [5, 5, 8, 12],
    strides: 1,
    pad: 'same',
    bias: true,
  },
];

/** Shapes left to wasm's own kernel. */
const DECLINED: Case[] = [
  {
    label: 'input channels not a multiple of 4',
    x: [8, 14, 14, 3],
    filter: [5, 5, 3, 16],
    strides: 1,
    pad: 'same',
  },
  {
    label: 'output channels padded by more than a quarter (4 of 8)',
    x: [8, 14, 14, 8],
    filter: [5, 5, 8, 4],
    strides: 1,
    pad: 'same',
  },
  { label: 'too small to pay for the setup', x: [1, 6, 6, 4], filter: [3, 3, 4, 8], strides: 1, pad: 'same' },
  {
    label: 'patches too long to stay in cache',
    x: [1, 20, 20, 64],
    filter: [9, 9, 64, 8],
    strides: 1,
    pad: 'valid',
  },
];

function conv(c: Case) {
  return (x: tf.Tensor, filter: tf.Tensor, bias?: tf.Tensor) =>
    tf.fused.conv2d({
      x: x as tf.Tensor4D,
      filter: filter as tf.Tensor4D,
      strides: c.strides,
      pad: c.pad,
      dilations: c.dilations ?? 1,
      bias,
    });
}

function inputs(c: Case) {
  const list = [randomInput(c.x, 1), randomInput(c.filter, 2)];
  if (c.bias) list.push(randomInput([c.filter[3]!], 3));
  return list;
}

/** What the route gives for the case, called directly; undefined when it declines. */
function direct(c: Case): Float32Array | undefined {
  return tf.tidy(() => {
    const [x, filter, bias] = inputs(c).map((i) => tf.tensor(i.values, i.shape));
    const out = conv2dIgemm({
      inputs: { x: x!, filter: filter!, ...(bias ? { bias } : {}) },
      attrs: {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        dilations: c.dilations ?? 1,
        activation: 'linear',
      },
      backend: tf.backend(),
    });
    if (out == null) return undefined;
    const t = tf.engine().makeTensorFromTensorInfo(out);
    return Float32Array.from(t.dataSync());
  });
}

describe('convolutions through the FMA indirect GEMM on wasm', () => {
  it.each(TAKEN.map((c) => [c.label, c] as const))('%s: taken, and matches cpu', async (_, c) => {
    const cpu = await runOn('cpu', inputs(c), conv(c));
    const mine = direct(c);
    expect(mine).toBeDefined();
    expect(relError(mine!, cpu)).toBeLessThan(1e-5);
    // And through tfjs's own op on the backend, as training calls it.
    expect(relError(await runOn('wasm', inputs(c), conv(c)), cpu)).toBeLessThan(1e-5);
  });

  it.each(DECLINED.map((c) => [c.label, c] as const))(
    '%s: declined, wasm still matches cpu',
    async (_, c) => {
      expect(direct(c)).toBeUndefined();
      const cpu = await runOn('cpu', inputs(c), conv(c));
      expect(relError(await runOn('wasm', inputs(c), conv(c)), cpu)).toBeLessThan(1e-5);
    },
  );

  it('declines a fused activation, which it does not apply', () => {
    const c = TAKEN[0]!;
    const [x, filter] = inputs(c).map((i) => tf.tensor(i.values, i.shape));
    const out = conv2dIgemm({
      inputs: { x: x!, filter: filter! },
      attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'relu' },
      backend: tf.backend(),
    });
    expect(out).toBeUndefined();
    tf.dispose([x!, filter!]);
  });

  it('gradients of a conv layer match cpu (the weight gradient runs as a dilated conv through the route)', async () => {
    const c = TAKEN[0]!;
    const f = (x: tf.Tensor, w: tf.Tensor) => {
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))),
      )([x, w]);
      return tf.concat([gx!.flatten(), gw!.flatten()]);
    };
    const cpu = await runOn('cpu', inputs(c), f);
    expect(relError(await runOn('wasm', inputs(c), f), cpu)).toBeLessThan(1e-5);
  });

  it.each([
    ['an image layer (one channel; patches of 1,568)', [8, 28, 28, 1], [5, 5, 1, 16], 2, 'same'],
    ['valid padding that leaves a row and a column of x unread', [8, 16, 16, 4], [3, 3, 4, 32], 2, 'valid'],
  ] as const)('weight gradient of %s: x and dy read in place, matches cpu', async (_, xs, fs, s, pad) => {
    const f = (x: tf.Tensor, w: tf.Tensor) =>
      tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, v as tf.Tensor4D, s, pad))))(w);
    const engine = igemmInUse()!;
    const spy = vi.spyOn(engine, 'conv');
    const gradient = await runOn('wasm', [randomInput([...xs], 4), randomInput([...fs], 5)], f);
    expect(spy.mock.calls.some((call) => call[5]?.filter === 'ihwo')).toBe(true);
    spy.mockRestore();
    const cpu = await runOn('cpu', [randomInput([...xs], 4), randomInput([...fs], 5)], f);
    expect(relError(gradient, cpu)).toBeLessThan(1e-5);
  });

  it('leaves no tensor or buffer behind', () => {
    const c = TAKEN[4]!;
    const [x, filter, bias] = inputs(c).map((i) => tf.tensor(i.values, i.shape));
    expect(leakedBy(() => conv(c)(x!, filter!, bias))).toEqual({ tensors: 0, dataIds: 0 });
    tf.dispose([x!, filter!, bias!]);
  });

  it('imports shared memory when the backend runs threads', () => {
    expect(kernelSource('igemm', { sharedMemory: true })).toMatch(/\(memory 1 65536 shared\)/);
    expect(kernelSource('igemm')).toMatch(/\(import "env" "memory" \(memory 1 65536\)\)/);
    expect(kernelSource('igemm')).not.toMatch(/\(memory[^)]*shared/);
  });
});
