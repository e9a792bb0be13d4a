/**
 * SPADE (Park et al. 2019): spatially-adaptive normalisation, the one modulate layer (nn/modulate.ts) with
 * its scale and shift computed from the label map ('map' source: the map resized to the features' side, a
 * 3x3 conv to `hidden` channels with ReLU, one 3x3 conv each to gamma and beta), after parameter-free batch
 * norm. Its residual block:
 *   main:     x -> SPADE -> LeakyReLU 0.2 -> conv3 -> SPADE -> LeakyReLU 0.2 -> conv3
 *   shortcut: x, or SPADE -> conv1 (no bias) when the width changes
 * and its generator: the label map averaged down to the smallest side, a 3x3 conv, then one SPADE block per
 * side, each followed by a x2 nearest upsampling but the last, then LeakyReLU, a 3x3 conv to the image's
 * channels and tanh. No z: the map alone says what is drawn (SPADE without its style encoder).
 */
import * as tf from '@tensorflow/tfjs';
import type { Init } from './init.ts';
import { activate, add, assertShape, conv, input, upsample } from './layers.ts';
import { modulate } from './modulate.ts';

type Sym = tf.SymbolicTensor;

export interface SpadeBlockOptions {
  /** Width of the block's output. */
  filters: number;
  /** Channels of each SPADE's hidden conv (the paper: 128). */
  hidden: number;
  init: Init;
  /** Prefix of the block's layer names. */
  name: string;
}

/** A SPADE residual block: x [N, H, W, C] and the label map [N, mh, mw, classes] -> [N, H, W, filters]. */
export function spadeResBlock(x: Sym, map: Sym, o: SpadeBlockOptions): Sym {
  const spade = (t: Sym, suffix: string) =>
    modulate(t, map, {
      norm: 'batch',
      source: { from: 'map', hidden: o.hidden },
      init: o.init.normal(0.02),
      name: `${o.name}_${suffix}`,
    });
  const channels = x.shape.at(-1)!;
  const middle = Math.min(channels, o.filters);
  const conv3 = (t: Sym, filters: number, suffix: string, noBias = false) =>
    conv(t, { name: `${o.name}_${suffix}`, filters, kernel: 3, strides: 1, init: o.init, noBias });
  // No bias: the SPADE's batch norm after it would take it out again.
  let h = conv3(activate(spade(x, 'spade1'), 'leakyRelu'), middle, 'conv1', true);
  h = conv3(activate(spade(h, 'spade2'), 'leakyRelu'), o.filters, 'conv2');
  const shortcut =
    channels === o.filters
      ? x
      : conv(spade(x, 'spade_skip'), {
          name: `${o.name}_skip`,
          filters: o.filters,
          kernel: 1,
          strides: 1,
          init: o.init,
          noBias: true,
        });
  return add([shortcut, h]);
}

export interface SpadeGeneratorOptions {
  /** [H, W, classes] of the one-hot label map. */
  mapShape: [number, number, number];
  /** Channels of the image drawn. */
  outputChannels: number;
  /** Widths of the blocks, coarsest first; one block per side, the side doubling between blocks. */
  widths: number[];
  hidden: number;
  init: Init;
}

/** The SPADE generator: label map [N, H, W, classes] (input 'map') -> image [N, H, W, outputChannels]. */
export function spadeGenerator(o: SpadeGeneratorOptions): tf.LayersModel {
  const [h, w] = o.mapShape;
  const factor = 2 ** (o.widths.length - 1);
  if (o.widths.length < 1 || h % factor !== 0 || w % factor !== 0)
    throw new Error(
      `a SPADE generator of ${o.widths.length} blocks needs sides divisible by ${factor}, got ${h}x${w}`,
    );
  const map = input([...o.mapShape], 'map');
  let x =
    factor === 1
      ? map
      : (tf.layers
          .averagePooling2d({ poolSize: factor, strides: factor, name: 'map_down' })
          .apply(map) as Sym);
  x = conv(x, { name: 'head', filters: o.widths[0]!, kernel: 3, strides: 1, init: o.init });
  o.widths.forEach((filters, b) => {
    x = spadeResBlock(x, map, { filters, hidden: o.hidden, init: o.init, name: `block${b}` });
    if (b < o.widths.length - 1) x = upsample(x);
  });
  x = conv(activate(x, 'leakyRelu'), {
    name: 'to_image',
    filters: o.outputChannels,
    kernel: 3,
    strides: 1,
    init: o.init,
    activation: 'tanh',
  });
  return tf.model({
    inputs: map,
    outputs: assertShape(x, [null, h, w, o.outputChannels], 'SPADE generator output'),
    name: 'generator',
  });
}
