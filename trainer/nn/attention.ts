/**
 * Self-attention (Zhang et al. 2018, SAGAN) over a feature map x [N, H, W, C], from stock layers plus one
 * learned scalar:
 *   f, g = 1x1 convs of x to C/8 (query, key), h = 1x1 conv to C/2 (value), each flattened to [HW, .];
 *   attention = softmax over j of f_i . g_j  -> [N, HW, HW] (row i: where position i looks);
 *   o = 1x1 conv of (attention h) back to C;   out = x + gamma o, gamma starting at 0,
 * so the block starts as the identity and the network learns how much non-local evidence to use. The 1x1
 * convs are spectrally normalised when asked (SAGAN normalises G and D). The attention map is a named layer
 * output (the softmax layer, named `{name}_map`), which the exported generator offers as an extra output.
 */
import * as tf from '@tensorflow/tfjs';
import type { Init } from './init.ts';
import { add, conv, reshape } from './layers.ts';

type Sym = tf.SymbolicTensor;
type Kwargs = Record<string, unknown>;

/**
 * y = gamma x with one learned scalar gamma (initially 0). For export, fold() gives the same function as a
 * stock 1 x 1 depthwise convolution whose every weight is gamma.
 */
export class Scale extends tf.layers.Layer {
  static className = 'Scale';
  private gamma: tf.LayerVariable | null = null;

  override build(): void {
    this.gamma = this.addWeight('gamma', [1], 'float32', tf.initializers.zeros(), undefined, true);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.mul(x, this.gamma!.read());
  }

  fold(x: Sym): Sym {
    const channels = x.shape.at(-1)!;
    const layer = tf.layers.depthwiseConv2d({ kernelSize: 1, useBias: false, name: `${this.name}_folded` });
    const out = layer.apply(x) as Sym;
    const kernel = tf.tidy(() => tf.mul(tf.ones([1, 1, channels, 1]), this.gamma!.read()));
    layer.setWeights([kernel]);
    kernel.dispose();
    return out;
  }
}
tf.serialization.registerClass(Scale);

export interface AttentionOptions {
  init: Init;
  spectralNorm: boolean;
  /** Prefix of the block's layer names; the attention map is the layer `{name}_map`. */
  name: string;
}

/** x [N, H, W, C] -> x + gamma o (same shape), and the attention map [N, HW, HW]. */
export function selfAttention(
  x: Sym,
  { init, spectralNorm, name }: AttentionOptions,
): { out: Sym; map: Sym } {
  const [, h, w, c] = x.shape as number[];
  if (c! < 8) throw new Error(`self-attention ${name}: needs at least 8 channels, got ${c}`);
  const positions = h! * w!;
  const project = (suffix: string, filters: number, from: Sym) =>
    conv(from, { name: `${name}_${suffix}`, filters, kernel: 1, strides: 1, init, spectralNorm });
  const flat = (t: Sym) => reshape(t, [positions, t.shape[3] as number]);
  const f = flat(project('query', c! / 8, x));
  const g = flat(project('key', c! / 8, x));
  const v = flat(project('value', c! / 2, x));
  const logits = tf.layers.dot({ axes: [2, 2], name: `${name}_logits` }).apply([f, g]) as Sym;
  const map = tf.layers.softmax({ axis: -1, name: `${name}_map` }).apply(logits) as Sym;
  const attended = tf.layers.dot({ axes: [2, 1], name: `${name}_attend` }).apply([map, v]) as Sym;
  const o = project('out', c!, reshape(attended, [h!, w!, c! / 2]));
  const scaled = new Scale({ name: `${name}_gamma` }).apply(o) as Sym;
  return { out: add([x, scaled]), map };
}

/** gamma/{prefix}/{block}: each attention block's gamma in a model, the metric a family logs. */
export function attentionGammas(model: tf.LayersModel, prefix: string): Record<string, tf.Scalar> {
  return Object.fromEntries(
    model.layers
      .filter((l): l is Scale => l instanceof Scale)
      .map((l) => [
        `gamma/${prefix}/${l.name.replace(/_gamma$/, '')}`,
        tf.reshape(l.trainableWeights[0]!.read(), []) as tf.Scalar,
      ]),
  );
}
