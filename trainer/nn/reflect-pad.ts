/**
 * Reflection padding of an image's height and width (CycleGAN's ResNet generator pads with it before its 7x7
 * and residual convolutions, so borders are not pulled towards zero). tfjs has no stock layer for it: this
 * class stays in an exported model, registered under 'ReflectPad'. Its gradient is tfjs's own MirrorPad
 * gradient.
 */
import * as tf from '@tensorflow/tfjs';

type Sym = tf.SymbolicTensor;

export class ReflectPad extends tf.layers.Layer {
  static className = 'ReflectPad';
  readonly pad: number;

  constructor(args: { pad: number; name?: string }) {
    super(args.name ? { name: args.name } : {});
    if (!Number.isInteger(args.pad) || args.pad < 1)
      throw new Error(`reflect pad: pad must be an integer >= 1, got ${args.pad}`);
    this.pad = args.pad;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w, c] = inputShape as tf.Shape;
    // Reflection reads pad pixels inside the border, so a side must be longer than pad.
    if (h !== null && h !== undefined && h <= this.pad)
      throw new Error(`reflect pad ${this.name}: height ${h} must exceed pad ${this.pad}`);
    if (w !== null && w !== undefined && w <= this.pad)
      throw new Error(`reflect pad ${this.name}: width ${w} must exceed pad ${this.pad}`);
    const grow = (d: number | null | undefined) => (d === null || d === undefined ? null : d + 2 * this.pad);
    return [n ?? null, grow(h), grow(w), c ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    const p = this.pad;
    return tf.mirrorPad(
      x,
      [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ],
      'reflect',
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), pad: this.pad };
  }
}
tf.serialization.registerClass(ReflectPad);

export function reflectPad(x: Sym, pad: number): Sym {
  return new ReflectPad({ pad }).apply(x) as Sym;
}
