/**
 * SRGAN's networks (Ledig et al. 2017), widths scaled for 32 px targets:
 *   G: [h, w, C] low-res image -> 9 x 9 conv + PReLU -> `blocks` residual blocks (conv-BN-PReLU-conv-BN, plus
 *      the block's input) -> conv-BN plus the first conv's output -> log2(factor) sub-pixel x2 steps (conv to
 *      4x channels, depth-to-space, PReLU) -> 9 x 9 conv to C, tanh: [h*factor, w*factor, C] in [-1, 1].
 *      With bicubicSkip the last conv is linear, starts at zero, and its output is added to the input enlarged
 *      by bicubic (fixed stock layers): G starts at bicubic's quality and learns what bicubic misses, where the
 *      paper's G spends its first many steps learning the enlargement itself.
 *   D: VGG-style: 3 x 3 convs with LeakyReLU 0.2, widths doubling every second conv, every second conv
 *      strided (BN after all but the first), then dense 2*width*4 + LeakyReLU and a dense logit.
 */
import * as tf from '@tensorflow/tfjs';
import { resizeLayers } from '../../shared/layers/resize.ts';
import { DepthToSpace } from './depth-to-space.ts';
import type { Init } from './init.ts';
import { add, assertShape, conv, dense, flatten, input } from './layers.ts';

type Sym = tf.SymbolicTensor;

/** PReLU with one learned slope per channel (shared over height and width), starting at 0.25 as the paper's. */
export function prelu(x: Sym): Sym {
  return tf.layers
    .prelu({ sharedAxes: [1, 2], alphaInitializer: tf.initializers.constant({ value: 0.25 }) })
    .apply(x) as Sym;
}

/** conv-BN-PReLU-conv-BN, added to the block's input (SRGAN's residual block). */
export function preluResidualBlock(x: Sym, filters: number, init: Init): Sym {
  const c = { kernel: 3, strides: 1, filters, init, batchNorm: true } as const;
  const y = conv(prelu(conv(x, c)), c);
  return add([x, y]);
}

/** One x2 sub-pixel step: conv to 4 x filters channels, depth-to-space by 2, PReLU. */
export function subPixelUp(x: Sym, filters: number, init: Init): Sym {
  const [, h, w] = x.shape as number[];
  const y = conv(x, { kernel: 3, strides: 1, filters: 4 * filters, init });
  const up = new DepthToSpace({ blockSize: 2 }).apply(y) as Sym;
  return prelu(assertShape(up, [null, 2 * h!, 2 * w!, filters], 'sub-pixel upsampling'));
}

export interface SrGeneratorOptions {
  /** [h, w, C] of the low-resolution input. */
  inputShape: [number, number, number];
  /** Upsampling factor, a power of 2 (x4: two sub-pixel steps). */
  factor: number;
  filters: number;
  blocks: number;
  /** Add the output to the input enlarged by bicubic (a global residual) instead of a tanh. */
  bicubicSkip: boolean;
  init: Init;
  /** The input's name, as the batch names the image it reads. */
  inputName: string;
}

export function srGenerator(o: SrGeneratorOptions): tf.LayersModel {
  const steps = Math.log2(o.factor);
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`sr generator: factor must be a power of 2 >= 2, got ${o.factor}`);
  const [h, w, c] = o.inputShape;
  const x = input(o.inputShape, o.inputName);
  const head = prelu(conv(x, { kernel: 9, strides: 1, filters: o.filters, init: o.init }));
  let y = head;
  for (let b = 0; b < o.blocks; b++) y = preluResidualBlock(y, o.filters, o.init);
  y = add([head, conv(y, { kernel: 3, strides: 1, filters: o.filters, init: o.init, batchNorm: true })]);
  for (let s = 0; s < steps; s++) y = subPixelUp(y, o.filters, o.init);
  const last = { kernel: 9, strides: 1, filters: c, init: o.init } as const;
  const out = o.bicubicSkip
    ? add([
        resizeLayers([h, w], [h * o.factor, w * o.factor], 'bicubic', 'bicubic')(x),
        conv(y, { ...last, zeroInit: true }),
      ])
    : conv(y, { ...last, activation: 'tanh' });
  assertShape(out, [null, h * o.factor, w * o.factor, c], 'sr generator');
  return tf.model({ inputs: x, outputs: out, name: 'generator' });
}

export interface VggDiscriminatorOptions {
  imageShape: [number, number, number];
  /** First width, doubled every second conv. */
  filters: number;
  /** Strided convs (each halves the side); the paper's 4 on 96 px, 3 on 32 px. */
  downs: number;
  init: Init;
}

export function vggDiscriminator(o: VggDiscriminatorOptions): tf.LayersModel {
  const x = input(o.imageShape, 'image');
  let y = conv(x, { kernel: 3, strides: 1, filters: o.filters, init: o.init, activation: 'leakyRelu' });
  let width = o.filters;
  for (let d = 0; d < o.downs; d++) {
    y = conv(y, {
      kernel: 3,
      strides: 2,
      filters: width,
      init: o.init,
      batchNorm: true,
      activation: 'leakyRelu',
    });
    width *= 2;
    if (d < o.downs - 1)
      y = conv(y, {
        kernel: 3,
        strides: 1,
        filters: width,
        init: o.init,
        batchNorm: true,
        activation: 'leakyRelu',
      });
  }
  const side = o.imageShape[0] / 2 ** o.downs;
  assertShape(y, [null, side, side, null], 'vgg discriminator');
  y = dense(flatten(y), { units: 8 * o.filters, init: o.init, activation: 'leakyRelu' });
  const logit = dense(y, { units: 1, init: o.init });
  return tf.model({ inputs: x, outputs: logit, name: 'discriminator' });
}
