/**
 * Reflection padding of an image's height and width (CycleGAN's ResNet generator pads with it before its 7x7
 * and residual convolutions, so borders are not pulled towards zero). tfjs has no stock layer for it; the
 * export folds it into crops and joins (fold()), and the class is registered under 'ReflectPad' for models
 * that keep it.
 * It is built from slice, reverse and concat rather than tf.mirrorPad: tfjs's MirrorPad gradient (4.x) only
 * slices the centre of dy and drops what flowed into the mirrored border, so a border pixel's gradient is
 * wrong (reflect-pad.test.ts checks against finite differences).
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
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return reflectAlong(reflectAlong(x, 1, this.pad), 2, this.pad);
  }

  /**
   * The same padding in stock layers, for export: each mirrored row (then column) cropped out of x and
   * joined around it, so an exported generator loads without this class.
   */
  fold(x: Sym): Sym {
    const p = this.pad;
    const [, h, w] = x.shape as number[];
    const along = (t: Sym, axis: 1 | 2, n: number) => {
      const line = (i: number) =>
        tf.layers
          .cropping2D({
            cropping:
              axis === 1
                ? [
                    [i, n - 1 - i],
                    [0, 0],
                  ]
                : [
                    [0, 0],
                    [i, n - 1 - i],
                  ],
          })
          .apply(t) as Sym;
      const before = Array.from({ length: p }, (_, k) => line(p - k));
      const after = Array.from({ length: p }, (_, k) => line(n - 2 - k));
      return tf.layers.concatenate({ axis }).apply([...before, t, ...after]) as Sym;
    };
    return along(along(x, 1, h!), 2, w!);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), pad: this.pad };
  }
}
tf.serialization.registerClass(ReflectPad);

/** x with `p` rows (axis 1) or columns (axis 2) mirrored onto each side, the edge itself not repeated. */
function reflectAlong(x: tf.Tensor, axis: 1 | 2, p: number): tf.Tensor {
  const n = x.shape[axis]!;
  const part = (from: number) => {
    const begin = [0, 0, 0, 0];
    const size = [-1, -1, -1, -1];
    begin[axis] = from;
    size[axis] = p;
    return tf.reverse(tf.slice(x, begin, size), axis);
  };
  return tf.concat([part(1), x, part(n - 1 - p)], axis);
}

export function reflectPad(x: Sym, pad: number): Sym {
  return new ReflectPad({ pad }).apply(x) as Sym;
}
