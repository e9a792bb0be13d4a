/**
 * StyleGAN's synthesis network (Karras et al. 2019) and its parts. G is the mapping network (nn/mapping.ts)
 * then this: a learned constant 4x4 (7x7 for 28-pixel images) map, and per resolution up to the image's
 * side two 3x3 equalized convolutions (none before the first style of the base), each followed by per-layer
 * noise, leaky ReLU 0.2 and AdaIN from that layer's w (the modulate layer: instance norm, then a scale and
 * shift from w); a 1x1 toRGB at the end. It takes one w per style layer, ws [N, layers, wDim], so style
 * mixing is feeding different rows.
 *
 * Noise: training draws each layer's noise map from (run seed, draw, layer), set on a NoiseDraw before G
 * runs, so a resumed run draws what an uninterrupted one would; inference (gallery, export) uses a fixed
 * map per layer drawn at initialisation and checkpointed, as StyleGAN2's "const" noise mode does.
 */
import * as tf from '@tensorflow/tfjs';
import { mix, Stream } from '../data/rng.ts';
import { equalizedConv } from './equalized.ts';
import type { Init } from './init.ts';
import { assertShape, input, reshape, sliceOf } from './layers.ts';
import { modulate } from './modulate.ts';
import { channelsAt, growthSides } from './progressive.ts';

type Sym = tf.SymbolicTensor;
type Kwargs = Record<string, unknown>;
type Initializer = ReturnType<typeof tf.initializers.randomNormal>;

/** The draw the training noise comes from; set by the family before each training forward pass. */
export class NoiseDraw {
  seed = 0;
  /** Unset (-1): no training draw yet, the fixed maps are used. */
  draw = -1;

  set(seed: number, draw: number): void {
    this.seed = seed;
    this.draw = draw;
  }
}

/**
 * Stock layers giving `value` (any shape) for every sample of `anchor` [N, D] (export): ones [N, 1] from a
 * Dense with a zero kernel and bias 1, then a bias-free Dense whose kernel row is the value.
 */
function constantFor(anchor: Sym, value: tf.Tensor, name: string): Sym {
  const units = value.size;
  const one = tf.layers.dense({ units: 1, name: `${name}_one` });
  const ones = one.apply(anchor) as Sym;
  const spread = tf.layers.dense({ units, useBias: false, name: `${name}_value` });
  const flat = spread.apply(ones) as Sym;
  // setWeights copies into the layers' variables: the tensors given are ours to dispose.
  const weights = tf.tidy(() => [
    tf.zeros([anchor.shape[1] as number, 1]),
    tf.ones([1]),
    tf.reshape(value, [1, units]),
  ]);
  one.setWeights(weights.slice(0, 2));
  spread.setWeights(weights.slice(2));
  tf.dispose(weights);
  return reshape(flat, value.shape);
}

/** w [N, D] -> the learned constant [N, side, side, channels] (w gives only the batch size). */
export class ConstantInput extends tf.layers.Layer {
  static className = 'ConstantInput';
  readonly side: number;
  readonly channels: number;
  private value: tf.LayerVariable | null = null;

  constructor(args: { side: number; channels: number; name?: string }) {
    super(args.name ? { name: args.name } : {});
    this.side = args.side;
    this.channels = args.channels;
  }

  override build(): void {
    // The paper's constant starts at ones.
    this.value = this.addWeight(
      'const',
      [this.side, this.side, this.channels],
      'float32',
      tf.initializers.ones(),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0]!, this.side, this.side, this.channels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const w = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => tf.tile(tf.expandDims(this.value!.read(), 0), [w.shape[0]!, 1, 1, 1]));
  }

  fold(w: Sym): Sym {
    const value = this.value!.read();
    return constantFor(w, value, this.name);
  }
}

/**
 * x + strength * noise: one noise map [N, H, W, 1] per layer, scaled per channel by a learned strength
 * (from zero). The map is drawn from the NoiseDraw in training and the fixed one otherwise.
 */
export class NoiseInjection extends tf.layers.Layer {
  static className = 'NoiseInjection';
  readonly index: number;
  private readonly source: NoiseDraw;
  private readonly init: Initializer;
  private fixed: tf.LayerVariable | null = null;
  private strength: tf.LayerVariable | null = null;

  constructor(args: { index: number; source: NoiseDraw; init: Initializer; name?: string }) {
    super(args.name ? { name: args.name } : {});
    this.index = args.index;
    this.source = args.source;
    this.init = args.init;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [, h, w, c] = inputShape as number[];
    this.fixed = this.addWeight('fixed_noise', [h!, w!, 1], 'float32', this.init, undefined, false);
    this.strength = this.addWeight('strength', [c!], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  /** The noise map of this call: [N, H, W, 1] drawn for the draw, or the fixed [H, W, 1]. */
  private noise(x: tf.Tensor, training: boolean): tf.Tensor {
    const { seed, draw } = this.source;
    if (!training || draw < 0) return this.fixed!.read();
    const [n, h, w] = x.shape as number[];
    return tf.randomNormal([n!, h!, w!, 1], 0, 1, 'float32', mix(seed, Stream.familyNoise, draw, this.index));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => tf.add(x, tf.mul(this.noise(x, kwargs.training === true), this.strength!.read())));
  }

  /** At export: the fixed map times the strength, a constant [H, W, C] added to x. */
  fold(x: Sym): Sym {
    const value = tf.tidy(() => tf.mul(this.fixed!.read(), this.strength!.read()));
    const anchor = tf.layers.globalAveragePooling2d({ name: `${this.name}_anchor` }).apply(x) as Sym;
    const constant = constantFor(anchor, value, this.name);
    value.dispose();
    return tf.layers.add({ name: `${this.name}_add` }).apply([x, constant]) as Sym;
  }
}

export interface SynthesisOptions {
  wDim: number;
  /** Feature maps up to 8x8, fewer in proportion above (nn/progressive.ts channelsAt). */
  channels: number;
  /** The image's side and channels. */
  side: number;
  imageChannels: number;
  init: Init;
  noise: NoiseDraw;
}

export interface Synthesis {
  /** ws [N, layers, wDim] -> image [N, side, side, imageChannels]. */
  model: tf.LayersModel;
  /** The side each style layer works at, coarse to fine (two per resolution). */
  layerSides: number[];
}

const lrelu = (x: Sym) => tf.layers.leakyReLU({ alpha: 0.2 }).apply(x) as Sym;

export function synthesisNetwork(o: SynthesisOptions): Synthesis {
  const sides = growthSides(o.side);
  const layerSides = sides.flatMap((s) => [s, s]);
  const ws = input([layerSides.length, o.wDim], 'ws');
  // The style affines' learning rate equalized as the paper's: w scaled by 1 / sqrt(wDim) at the input and
  // kernels drawn from N(0, 1), so Adam's steps are as small relative to these weights as to every other
  // layer's (a kernel drawn at its applied scale would move about sqrt(wDim) times faster).
  const flat = tf.layers
    .rescaling({ scale: 1 / Math.sqrt(o.wDim) })
    .apply(tf.layers.flatten().apply(ws)) as Sym;
  const wAt = (i: number) => sliceOf(flat, i * o.wDim, o.wDim);
  const { init } = o;
  // Noise, leaky ReLU, then AdaIN from w_i (scale 1 + gamma(w), shift beta(w)).
  const styled = (x: Sym, i: number) => {
    const noisy = new NoiseInjection({ index: i, source: o.noise, init: init.normal(1) }).apply(x) as Sym;
    return modulate(lrelu(noisy), wAt(i), {
      norm: 'instance',
      source: { from: 'style' },
      init: init.normal(1),
      name: `adain_${i}`,
    });
  };
  const conv = (x: Sym, filters: number, k = 3) => equalizedConv(filters, k, { init }).apply(x) as Sym;
  const width = sides.map((s) => channelsAt(o.channels, s));
  let h = new ConstantInput({ side: sides[0]!, channels: width[0]! }).apply(wAt(0)) as Sym;
  h = styled(h, 0);
  h = styled(conv(h, width[0]!), 1);
  for (let k = 1; k < sides.length; k++) {
    h = tf.layers.upSampling2d({ size: [2, 2] }).apply(h) as Sym;
    h = styled(conv(h, width[k]!), 2 * k);
    h = styled(conv(h, width[k]!), 2 * k + 1);
  }
  const image = equalizedConv(o.imageChannels, 1, { init, gain: 1 }).apply(h) as Sym;
  assertShape(image, [null, o.side, o.side, o.imageChannels], 'synthesis');
  return { model: tf.model({ inputs: ws, outputs: image, name: 'synthesis' }), layerSides };
}

/** ws [N, layers, wDim]: rows before `crossover` from wA [N, wDim], the rest from wB. */
export function mixStyles(wA: tf.Tensor, wB: tf.Tensor, layers: number, crossover: number): tf.Tensor {
  return tf.stack(
    Array.from({ length: layers }, (_, i) => (i < crossover ? wA : wB)),
    1,
  );
}
