/**
 * CycleGAN's ResNet generator (Zhu et al. 2017, after Johnson et al. 2016): c7s1-f, d2f, d4f, `blocks`
 * residual blocks of width 4f, u2f, uf, c7s1-C with tanh. c7s1 is reflection pad 3 then a 7x7 convolution;
 * d a 3x3 stride-2 convolution; u a 3x3 stride-2 transposed convolution; a residual block is
 * (reflect 1, 3x3 conv, IN, ReLU, reflect 1, 3x3 conv, IN) added to its input. Instance norm (no learned
 * affine) and ReLU after every layer but the last. Sides must be divisible by 4.
 */
import * as tf from '@tensorflow/tfjs';
import type { Init } from './init.ts';
import { activate, assertShape, conv, deconv } from './layers.ts';
import { instanceNorm } from './modulate.ts';
import { reflectPad } from './reflect-pad.ts';

type Sym = tf.SymbolicTensor;

export interface ResnetGeneratorOptions {
  /** Channels of the output image. */
  outputChannels: number;
  /** f: width of the first layer. */
  filters: number;
  /** Residual blocks at a quarter of the side (the paper: 6 at 128 px, 9 at 256 px). */
  blocks: number;
  init: Init;
}

/** Normalised and rectified: the tail of every layer but the last. */
function inRelu(x: Sym): Sym {
  return activate(instanceNorm(x), 'relu');
}

function residualBlock(x: Sym, filters: number, init: Init): Sym {
  const c = { kernel: 3, strides: 1, filters, init, padding: 'valid', noBias: true } as const;
  let y = inRelu(conv(reflectPad(x, 1), c));
  y = instanceNorm(conv(reflectPad(y, 1), c));
  return tf.layers.add().apply([x, y]) as Sym;
}

/** The generator applied to an image x [N, H, W, C]: its output [N, H, W, outputChannels]. */
export function resnetGenerator(x: Sym, o: ResnetGeneratorOptions): Sym {
  const [, h, w] = x.shape as number[];
  if (h! % 4 !== 0 || w! % 4 !== 0)
    throw new Error(`the ResNet generator needs sides divisible by 4, got ${h}x${w}`);
  const f = o.filters;
  const { init } = o;
  let y = inRelu(
    conv(reflectPad(x, 3), { kernel: 7, strides: 1, filters: f, init, padding: 'valid', noBias: true }),
  );
  y = inRelu(conv(y, { kernel: 3, strides: 2, filters: 2 * f, init, noBias: true }));
  y = inRelu(conv(y, { kernel: 3, strides: 2, filters: 4 * f, init, noBias: true }));
  for (let b = 0; b < o.blocks; b++) y = residualBlock(y, 4 * f, init);
  y = inRelu(deconv(y, { kernel: 3, strides: 2, filters: 2 * f, init, noBias: true }));
  y = inRelu(deconv(y, { kernel: 3, strides: 2, filters: f, init, noBias: true }));
  y = conv(reflectPad(y, 3), {
    kernel: 7,
    strides: 1,
    filters: o.outputChannels,
    init,
    padding: 'valid',
    activation: 'tanh',
  });
  return assertShape(y, [null, h!, w!, o.outputChannels], 'ResNet generator output');
}
