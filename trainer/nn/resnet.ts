/**
 * The residual blocks of SAGAN's and BigGAN's networks (Miyato's ResNet GAN blocks), every conv spectrally
 * normalised when asked:
 *   up (G):   x -> modulate -> ReLU -> upsample x2 -> conv3 -> modulate -> ReLU -> conv3,  + conv1(upsample x)
 *   down (D): x -> [ReLU] -> conv3 -> ReLU -> conv3 -> avgpool,  + conv1 -> avgpool (avgpool -> conv1 first)
 * The up block's normalisation is nn/modulate.ts, conditioned on `condition` through `source` (a one-hot
 * label and per-class tables for SAGAN; BigGAN's [shared embedding, z chunk] through dense layers). The
 * first down block skips the leading ReLU (its input is the image) and pools before its shortcut conv.
 * Then the projection discriminator's head (Miyato and Koyama 2018): score = psi(phi) + <embed(y), phi>.
 */
import * as tf from '@tensorflow/tfjs';
import type { Init } from './init.ts';
import { activate, add, avgPool, classEmbedding, conv, dense, upsample } from './layers.ts';
import { type ModulationSource, modulate } from './modulate.ts';

type Sym = tf.SymbolicTensor;

export interface BlockOptions {
  filters: number;
  init: Init;
  spectralNorm: boolean;
  /** Prefix of the block's layer names. */
  name: string;
}

const conv3 = (x: Sym, o: BlockOptions, suffix: string, noBias = false) =>
  conv(x, {
    name: `${o.name}_${suffix}`,
    filters: o.filters,
    kernel: 3,
    strides: 1,
    init: o.init,
    spectralNorm: o.spectralNorm,
    noBias,
  });
const conv1 = (x: Sym, o: BlockOptions) =>
  conv(x, {
    name: `${o.name}_skip`,
    filters: o.filters,
    kernel: 1,
    strides: 1,
    init: o.init,
    spectralNorm: o.spectralNorm,
  });

/** G's block: [N, H, W, C] -> [N, 2H, 2W, filters], normalised and modulated by `condition`. */
export function residualUp(x: Sym, condition: Sym, o: BlockOptions & { source: ModulationSource }): Sym {
  const norm = (t: Sym, suffix: string) =>
    modulate(t, condition, {
      norm: 'batch',
      source: o.source,
      init: o.init.normal(0.02),
      name: `${o.name}_${suffix}`,
    });
  let h = activate(norm(x, 'bn1'), 'relu');
  // No bias: the batch norm after it would take it out again.
  h = conv3(upsample(h), o, 'conv1', true);
  h = conv3(activate(norm(h, 'bn2'), 'relu'), o, 'conv2');
  return add([h, conv1(upsample(x), o)]);
}

/** D's block: [N, H, W, C] -> [N, H/2, W/2, filters]. `first`: the block that takes the image. */
export function residualDown(x: Sym, o: BlockOptions & { first?: boolean }): Sym {
  let h = o.first ? x : activate(x, 'relu');
  h = conv3(h, o, 'conv1');
  h = avgPool(conv3(activate(h, 'relu'), o, 'conv2'));
  const skip = o.first ? conv1(avgPool(x), o) : avgPool(conv1(x, o));
  return add([h, skip]);
}

/**
 * The projection discriminator's score from features phi [N, F] and a one-hot label [N, classes]:
 * dense(phi) + <embed(y), phi>, the embedding spectrally normalised like the rest of D when asked.
 */
export function projectionScore(phi: Sym, label: Sym, o: { init: Init; spectralNorm: boolean }): Sym {
  const units = phi.shape[1] as number;
  const linear = dense(phi, { name: 'score', units: 1, init: o.init, spectralNorm: o.spectralNorm });
  const embedded = classEmbedding(label, units, {
    name: 'embed',
    init: o.init,
    spectralNorm: o.spectralNorm,
  });
  const projection = tf.layers.dot({ axes: 1, name: 'projection' }).apply([embedded, phi]) as Sym;
  return add([linear, projection]);
}

/**
 * ReLU, then the mean over positions: [N, H, W, C] -> [N, C]. (The ResNet D sums; the mean differs by the
 * constant H x W, which the spectrally normalised layers after it would otherwise have to absorb.)
 */
export function globalPool(x: Sym): Sym {
  return tf.layers.globalAveragePooling2d({}).apply(activate(x, 'relu')) as Sym;
}
