/**
 * Sub-pixel upsampling (Shi et al. 2016): depth-to-space moves blocks of r x r channels into r x r pixels,
 * [B, H, W, r*r*C] -> [B, H*r, W*r, C], so a convolution at low resolution chooses every output pixel.
 * tfjs has the DepthToSpace kernel on every backend but no gradient for it; the gradient registered here is
 * its inverse (space-to-depth, written as reshape and transpose, which differentiate everywhere). The layer
 * has no stock counterpart, so the export folds it into stock Reshape, Permute and Reshape layers.
 */
import * as tf from '@tensorflow/tfjs';

type Sym = tf.SymbolicTensor;

/** [B, H*r, W*r, C] -> [B, H, W, r*r*C], depth-to-space's inverse, in the channel order tf.depthToSpace uses. */
export function spaceToDepth(x: tf.Tensor4D, r: number): tf.Tensor4D {
  const [b, hr, wr, c] = x.shape;
  const [h, w] = [hr / r, wr / r];
  return tf.tidy(() =>
    tf.reshape(tf.transpose(tf.reshape(x, [b, h, r, w, r, c]), [0, 1, 3, 2, 4, 5]), [b, h, w, r * r * c]),
  );
}

// The kernel takes NHWC input and the block size as attributes; its gradient is dy brought back to depth.
tf.registerGradient({
  kernelName: 'DepthToSpace',
  gradFunc: (dy, _saved, attrs) => {
    const { blockSize, dataFormat } = attrs as unknown as { blockSize: number; dataFormat: string };
    if (dataFormat !== 'NHWC') throw new Error(`depth-to-space gradient: only NHWC, got ${dataFormat}`);
    return { x: () => spaceToDepth(dy as tf.Tensor4D, blockSize) };
  },
});

export class DepthToSpace extends tf.layers.Layer {
  static className = 'DepthToSpace';
  readonly blockSize: number;

  constructor(args: { blockSize: number; name?: string }) {
    super(args.name ? { name: args.name } : {});
    if (!Number.isInteger(args.blockSize) || args.blockSize < 2)
      throw new Error(`depth-to-space: blockSize must be an integer >= 2, got ${args.blockSize}`);
    this.blockSize = args.blockSize;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w, c] = inputShape as tf.Shape;
    const r = this.blockSize;
    if (c == null || c % (r * r) !== 0)
      throw new Error(`depth-to-space ${this.name}: channels ${c} must be a multiple of ${r * r}`);
    const grow = (d: number | null | undefined) => (d == null ? null : d * r);
    return [n ?? null, grow(h), grow(w), c / (r * r)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.depthToSpace(x as tf.Tensor4D, this.blockSize);
  }

  /** The same rearrangement in stock layers, for export: channels split into (r, r, C), moved, joined. */
  fold(x: Sym): Sym {
    const r = this.blockSize;
    const [, h, w, c] = x.shape as number[];
    const split = tf.layers.reshape({ targetShape: [h!, w!, r, r, c! / (r * r)] }).apply(x) as Sym;
    // Without the batch axis: (h, w, ry, rx, C) -> (h, ry, w, rx, C), then rows and columns joined.
    const moved = tf.layers.permute({ dims: [1, 3, 2, 4, 5] }).apply(split) as Sym;
    return tf.layers.reshape({ targetShape: [h! * r, w! * r, c! / (r * r)] }).apply(moved) as Sym;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), blockSize: this.blockSize };
  }
}
tf.serialization.registerClass(DepthToSpace);
