/**
 * pix2pix's U-Net generator (Isola et al. 2017): an encoder of 4x4 stride-2 convolutions (LeakyReLU 0.2,
 * batch norm but on the first and the innermost) down to 1 x 1 on square power-of-two images, a mirror
 * decoder of 4x4 stride-2 transposed convolutions (ReLU, batch norm), each decoder map joined to the encoder
 * map of the same size (the skips), dropout 0.5 on the innermost decoder layers (the model's only noise; no
 * z), and tanh. Widths double from `filters` per level up to 8 x filters.
 * For 32 x 32: 32 -> 16 -> 8 -> 4 -> 2 -> 1 -> 2 -> 4 -> 8 -> 16 -> 32.
 */
import * as tf from '@tensorflow/tfjs';
import type { Init } from './init.ts';
import { activate, assertShape, batchNorm, concatenate, conv, deconv, input, named } from './layers.ts';
import { SeededDropout } from './seeded-dropout.ts';

type Sym = tf.SymbolicTensor;

export interface UnetOptions {
  /** [H, W, C] of the input image (square, a power of two). */
  inputShape: [number, number, number];
  /** Channels of the output image. */
  outputChannels: number;
  /** Width of the first encoder level. */
  filters: number;
  /** Innermost decoder layers with dropout (pix2pix: 3). */
  dropoutLayers: number;
  /** Dropout rate there (pix2pix: 0.5). */
  dropoutRate: number;
  init: Init;
  /** Model name. */
  name?: string;
}

/** Levels down to 1 x 1: log2 of the side, which must be a power of two >= 4. */
export function unetDepth([h, w]: readonly number[]): number {
  const depth = Math.log2(h!);
  if (h !== w || !Number.isInteger(depth) || depth < 2)
    throw new Error(`the U-Net needs square images with a power-of-two side >= 4, got ${h}x${w}`);
  return depth;
}

/** UnetOptions less what only the model needs: the trunk reads a given tensor and ends before the output. */
export type UnetTrunkOptions = Omit<UnetOptions, 'inputShape' | 'outputChannels' | 'name'>;

/**
 * The U-Net up to its last join: x [N, H, W, C] -> [N, H/2, W/2, 2 x filters] (the outermost decoder map
 * joined to the first encoder map), to which a head of 4x4 stride-2 transposed convolutions gives the
 * output(s) at full size.
 */
export function unetTrunk(x: Sym, o: UnetTrunkOptions): Sym {
  const depth = unetDepth(x.shape.slice(1) as number[]);
  const width = (level: number) => o.filters * 2 ** Math.min(level, 3);
  const k4 = { kernel: 4, strides: 2, init: o.init } as const;
  const skips: Sym[] = [];
  let e = conv(x, { ...k4, filters: width(0) });
  skips.push(e);
  for (let level = 1; level < depth; level++) {
    const innermost = level === depth - 1;
    e = conv(activate(e, 'leakyRelu'), { ...k4, filters: width(level), noBias: !innermost });
    if (!innermost) e = batchNorm(e, o.init);
    skips.push(e);
  }
  assertShape(e, [null, 1, 1, width(depth - 1)], 'U-Net innermost');
  let d = e;
  for (let level = depth - 2; level >= 0; level--) {
    let u = deconv(activate(d, 'relu'), { ...k4, filters: width(level), batchNorm: true });
    // Decoder layer k from the innermost (0, 1, ...) has dropout when k < dropoutLayers.
    if (depth - 2 - level < o.dropoutLayers && o.dropoutRate > 0)
      u = new SeededDropout({ rate: o.dropoutRate, seed: o.init.layerSeed() }).apply(u) as Sym;
    d = concatenate([u, skips[level]!]);
  }
  return d;
}

/** The U-Net's outermost layer on its trunk: ReLU, a 4x4 stride-2 transposed convolution, the activation. */
export function unetHead(trunk: Sym, filters: number, activation: 'tanh' | 'linear', init: Init): Sym {
  return deconv(activate(trunk, 'relu'), { kernel: 4, strides: 2, init, filters, activation });
}

/** The U-Net as a model, input image [N, H, W, C] -> image [N, H, W, outputChannels], its input named 'input'. */
export function unetModel(o: UnetOptions): tf.LayersModel {
  const [h, w] = o.inputShape;
  unetDepth(o.inputShape);
  const x = input([...o.inputShape], 'input');
  const out = unetHead(unetTrunk(x, o), o.outputChannels, 'tanh', o.init);
  return tf.model({
    inputs: x,
    outputs: named(assertShape(out, [null, h, w, o.outputChannels], 'U-Net output'), 'output'),
    name: o.name ?? 'generator',
  });
}
