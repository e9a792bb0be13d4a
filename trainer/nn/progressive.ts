/**
 * The Progressive GAN's networks (Karras et al. 2018), grown from a 4x4 (or, for 28-pixel images, 7x7)
 * base to the dataset's side by doubling. Every block's layers are built once and shared by the models of
 * every stage, so a stage's models train the weights the next stage grows from:
 *
 *   G at resolution k: z -> pixel norm -> dense to a base map -> conv, then per doubling: upsample, conv,
 *   conv; every conv equalized, leaky ReLU 0.2, pixel norm; then a 1x1 toRGB (linear). While stage k fades
 *   in, its output is (1 - alpha) * upsample(toRGB_{k-1}) + alpha * toRGB_k.
 *   D at resolution k: fromRGB (1x1) -> per halving: conv, conv, halve -> minibatch stddev -> conv -> dense
 *   -> dense score; fading in, the input also goes through halve and fromRGB_{k-1} and the two paths blend
 *   before the block below.
 */
import * as tf from '@tensorflow/tfjs';
import { Halve, halve } from './downsample.ts';
import { equalizedConv, equalizedDense } from './equalized.ts';
import { FadeIn } from './fade.ts';
import type { Init } from './init.ts';
import { assertShape, input, reshape } from './layers.ts';
import { MinibatchStddev } from './minibatch-stddev.ts';
import { PixelNorm } from './pixel-norm.ts';

type Sym = tf.SymbolicTensor;
type Apply = (x: Sym) => Sym;

/** The sides a network grows through: the dataset's side halved while even and at least 4 after. */
export function growthSides(side: number): number[] {
  const sides = [side];
  while (sides[0]! % 2 === 0 && sides[0]! / 2 >= 4) sides.unshift(sides[0]! / 2);
  return sides;
}

export interface ProgressiveOptions {
  latentDim: number;
  /** Feature maps of the blocks up to 8x8; halved at every doubling after (the paper halves above 64x64). */
  channels: number;
  /** The image's side and channels. */
  side: number;
  imageChannels: number;
  /** Samples per minibatch-stddev group. */
  mbstdGroup: number;
  init: Init;
}

/** Feature maps at a side: `channels` up to 8x8, then fewer in proportion to the side, at least 4. */
export function channelsAt(channels: number, side: number): number {
  return Math.max(4, Math.floor(channels * Math.min(1, 8 / side)));
}

/** The models of one resolution: G and D, and while it fades in, the layers that blend. */
export interface ProgressiveStage {
  side: number;
  G: tf.LayersModel;
  D: tf.LayersModel;
  /** The stage's fade-in layers (none for the base resolution). */
  fades: FadeIn[];
}

const lrelu = (x: Sym) => tf.layers.leakyReLU({ alpha: 0.2 }).apply(x) as Sym;
const chain =
  (...fs: Apply[]): Apply =>
  (x) =>
    fs.reduce((h, f) => f(h), x);
const layer =
  (l: tf.layers.Layer): Apply =>
  (x) =>
    l.apply(x) as Sym;

/** Every resolution's G and D; the last stage's G without a fade is the generator to export. */
export function progressiveNetworks(o: ProgressiveOptions): {
  stages: ProgressiveStage[];
  generator: tf.LayersModel;
} {
  const sides = growthSides(o.side);
  const base = sides[0]!;
  const { init } = o;
  const width = sides.map((side) => channelsAt(o.channels, side));
  const c = width[0]!;
  const conv = (k: number, filters: number) => layer(equalizedConv(filters, k, { init }));
  const pn = () => layer(new PixelNorm({}));
  // Shared blocks, one per resolution.
  const gBlocks: Apply[] = sides.map((_, i) =>
    i === 0
      ? chain(
          pn(),
          // The paper's gain for the first dense layer: sqrt(2) / 4.
          layer(equalizedDense(base * base * c, { init, gain: Math.SQRT2 / 4 })),
          (x) => reshape(x, [base, base, c]),
          lrelu,
          pn(),
          conv(3, c),
          lrelu,
          pn(),
        )
      : chain(
          layer(tf.layers.upSampling2d({ size: [2, 2] })),
          conv(3, width[i]!),
          lrelu,
          pn(),
          conv(3, width[i]!),
          lrelu,
          pn(),
        ),
  );
  const toRgb = sides.map(() => layer(equalizedConv(o.imageChannels, 1, { init, gain: 1 })));
  const generatorAt = (k: number, fade: FadeIn | undefined): tf.LayersModel => {
    const z = input([o.latentDim], 'z');
    let h = gBlocks[0]!(z);
    let previous = h;
    for (let i = 1; i <= k; i++) {
      previous = h;
      h = gBlocks[i]!(h);
    }
    let out = toRgb[k]!(h);
    if (fade) {
      const before = tf.layers.upSampling2d({ size: [2, 2] }).apply(toRgb[k - 1]!(previous)) as Sym;
      out = fade.apply([before, out]) as Sym;
    }
    assertShape(out, [null, sides[k]!, sides[k]!, o.imageChannels], `progressive G at ${sides[k]}`);
    return tf.model({ inputs: z, outputs: out, name: `generator_${sides[k]}` });
  };

  const criticAt = progressiveCritics(o);

  const stages = sides.map((side, k) => {
    const fades = k === 0 ? [] : [new FadeIn({}), new FadeIn({})];
    return { side, G: generatorAt(k, fades[0]), D: criticAt(k, fades[1]), fades };
  });
  return { stages, generator: generatorAt(sides.length - 1, undefined) };
}

/**
 * The critic at every resolution k (fading in when given a FadeIn), its blocks shared by all of them: the
 * Progressive GAN's, and StyleGAN's at its one resolution.
 */
export function progressiveCritics(
  o: Omit<ProgressiveOptions, 'latentDim'>,
): (k: number, fade: FadeIn | undefined) => tf.LayersModel {
  const sides = growthSides(o.side);
  const { init } = o;
  const width = sides.map((side) => channelsAt(o.channels, side));
  const c = width[0]!;
  const conv = (k: number, filters: number) => layer(equalizedConv(filters, k, { init }));
  const fromRgb = width.map((w) => chain(layer(equalizedConv(w, 1, { init })), lrelu));
  const dBlocks: Apply[] = sides.map((_, i) =>
    i === 0
      ? chain(
          layer(new MinibatchStddev({ groupSize: o.mbstdGroup })),
          conv(3, c),
          lrelu,
          layer(tf.layers.flatten()),
          layer(equalizedDense(c, { init })),
          lrelu,
          layer(equalizedDense(1, { init, gain: 1 })),
        )
      : chain(conv(3, width[i]!), lrelu, conv(3, width[i - 1]!), lrelu, layer(new Halve({}))),
  );

  return (k: number, fade: FadeIn | undefined): tf.LayersModel => {
    const x = input([sides[k]!, sides[k]!, o.imageChannels], 'x');
    let h = fromRgb[k]!(x);
    if (k > 0) {
      h = dBlocks[k]!(h);
      if (fade) {
        const before = fromRgb[k - 1]!(new Halve({}).apply(x) as Sym);
        h = fade.apply([before, h]) as Sym;
      }
      for (let i = k - 1; i >= 1; i--) h = dBlocks[i]!(h);
    }
    const score = dBlocks[0]!(h);
    return tf.model({
      inputs: x,
      outputs: assertShape(score, [null, 1], 'progressive D'),
      name: `critic_${sides[k]}`,
    });
  };
}

/** Real images as a critic sees them while a resolution fades in: blended with their blurrier half. */
export function fadeReal(real: tf.Tensor, alpha: number): tf.Tensor {
  if (alpha >= 1) return real;
  const blurred = tf.image.resizeNearestNeighbor(
    halve(real as tf.Tensor4D),
    real.shape.slice(1, 3) as [number, number],
  );
  return tf.add(tf.mul(alpha, real), tf.mul(1 - alpha, blurred));
}
