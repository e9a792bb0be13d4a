/**
 * Dropout whose masks are seeded: the k-th training call draws its mask from (seed, k), and k is a
 * non-trainable weight, so it is checkpointed and a resumed run draws the masks an uninterrupted one would
 * (tf.layers.dropout draws unseeded masks, or with a seed the same mask on every call). pix2pix's U-Net uses
 * it as its only source of noise. Outside training it is the identity, which is what fold() gives the export,
 * so an exported generator holds no instance of it.
 */
import * as tf from '@tensorflow/tfjs';
import { mix, Stream } from '../data/rng.ts';

type Sym = tf.SymbolicTensor;

export class SeededDropout extends tf.layers.Layer {
  static className = 'SeededDropout';
  readonly rate: number;
  readonly seed: number;
  private calls: tf.LayerVariable | null = null;

  constructor(args: { rate: number; seed: number; name?: string }) {
    super(args.name ? { name: args.name } : {});
    if (!(args.rate >= 0 && args.rate < 1))
      throw new Error(`seeded dropout: rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.seed = args.seed;
  }

  override build(): void {
    this.calls = this.addWeight('calls', [1], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs.training !== true || this.rate === 0) return x;
    const k = this.calls!.read().dataSync()[0]!;
    this.calls!.write(tf.tensor1d([k + 1]));
    return tf.dropout(x, this.rate, undefined, mix(this.seed, Stream.dropout, k));
  }

  /** Training calls made so far (the mask counter). */
  callsMade(): number {
    return this.calls ? this.calls.read().dataSync()[0]! : 0;
  }

  /** Inference output: x itself. */
  fold(x: Sym): Sym {
    return x;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);
