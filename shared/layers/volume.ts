/**
 * The layers of ours a HoloGAN generator keeps after export, because no stock tfjs layer does what they do:
 * a learned constant volume and the rigid rotation of a volume [N, D, H, W, C] by a camera pose with
 * trilinear resampling. Importing this module registers both with tfjs's serialization; the trainer imports
 * it through nn/volume.ts, the playground before it loads a generator (shared/layers/index.ts).
 *
 * Coordinates: a voxel (d, h, w) sits at x = w - (W-1)/2, y = (H-1)/2 - h, z = d - (D-1)/2 in voxel units
 * (y up, as an image's rows run down). A pose is [azimuth, elevation] in degrees, the renderer's convention
 * (trainer/data/derived/posed-objects.ts): the world turns by -azimuth about y, then tilts by the elevation
 * about x, and is seen along -z.
 */
import * as tf from '@tensorflow/tfjs';

type Kwargs = Record<string, unknown>;
type Initializer = ReturnType<typeof tf.initializers.randomNormal>;

/** A learned constant of `shape` (e.g. a 4D [D, H, W, C] volume), repeated for every sample of its input. */
export class LearnedConstant extends tf.layers.Layer {
  static className = 'LearnedConstant';
  readonly shape: number[];
  private readonly init: Initializer;
  private constant: tf.LayerVariable | null = null;

  constructor(args: { shape: number[]; init?: Initializer; name?: string }) {
    super(args.name ? { name: args.name } : {});
    if (args.shape.length === 0 || !args.shape.every((s) => Number.isInteger(s) && s >= 1))
      throw new Error(`learned constant: shape must be positive integers, got [${args.shape}]`);
    this.shape = [...args.shape];
    this.init = args.init ?? tf.initializers.randomNormal({ mean: 0, stddev: 1 });
  }

  override build(): void {
    this.constant = this.addWeight('constant', this.shape, 'float32', this.init, undefined, true);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0]!, ...this.shape];
  }

  /** Input: any [N, ...] tensor, read only for N. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    // A broadcast add rather than tile: tfjs has no rank-5 gradient for tile.
    return tf.add(tf.zeros([x.shape[0]!, ...this.shape.map(() => 1)]), this.constant!.read());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), shape: this.shape };
  }
}
tf.serialization.registerClass(LearnedConstant);

/** Azimuth and elevation, degrees, as a [N, 2] pose: the generator input that turns the volume. */
export const POSE_COMPONENTS = ['azimuth', 'elevation'] as const;

/**
 * `volume` [N, D, H, W, C] seen from `pose` [N, 2] (degrees): each output voxel at view position q takes the
 * input at R^-1 q by trilinear interpolation of its 8 neighbours (gathered rows of the flattened volume),
 * zero outside the volume. R tilts by the elevation after turning by -azimuth, as the renderer's camera does.
 * The gradient reaches the volume through gather's (a segment sum).
 */
export function rotateVolume(volume: tf.Tensor, pose: tf.Tensor): tf.Tensor {
  if (volume.rank !== 5) throw new Error(`rotate: volume must be [N, D, H, W, C], got [${volume.shape}]`);
  if (pose.rank !== 2 || pose.shape[1] !== 2 || pose.shape[0] !== volume.shape[0])
    throw new Error(`rotate: pose must be [N, 2] for ${volume.shape[0]} volumes, got [${pose.shape}]`);
  const [n, d, h, w, c] = volume.shape as [number, number, number, number, number];
  const p = d * h * w;
  return tf.tidy(() => {
    // View coordinates of every output voxel, [1, P] each.
    const grid = { x: new Float32Array(p), y: new Float32Array(p), z: new Float32Array(p) };
    for (let i = 0; i < p; i++) {
      grid.x[i] = (i % w) - (w - 1) / 2;
      grid.y[i] = (h - 1) / 2 - (Math.floor(i / w) % h);
      grid.z[i] = Math.floor(i / (w * h)) - (d - 1) / 2;
    }
    const [qx, qy, qz] = [grid.x, grid.y, grid.z].map((g) => tf.tensor2d(g, [1, p]));
    const radians = tf.mul(pose, Math.PI / 180);
    const [az, el] = tf.split(radians, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const [cosA, sinA, cosE, sinE] = [tf.cos(az), tf.sin(az), tf.cos(el), tf.sin(el)];
    // Undo the tilt, then the turn: [N, P] source coordinates.
    const y = tf.add(tf.mul(qy!, cosE), tf.mul(qz!, sinE));
    const zTurned = tf.sub(tf.mul(qz!, cosE), tf.mul(qy!, sinE));
    const x = tf.add(tf.mul(qx!, cosA), tf.mul(zTurned, sinA));
    const z = tf.sub(tf.mul(zTurned, cosA), tf.mul(qx!, sinA));
    // Fractional voxel indices along (d, h, w), their floors and the fractions past them.
    const fractional = [tf.add(z, (d - 1) / 2), tf.sub((h - 1) / 2, y), tf.add(x, (w - 1) / 2)];
    const floors = fractional.map((f) => tf.floor(f));
    const fractions = fractional.map((f, k) => tf.sub(f, floors[k]!));
    const sizes = [d, h, w];
    const base = tf.mul(tf.range(0, n, 1, 'float32').reshape([n, 1]), p);
    const rows = tf.reshape(volume, [n * p, c]);
    let out: tf.Tensor | undefined;
    for (let corner = 0; corner < 8; corner++) {
      const offsets = [(corner >> 2) & 1, (corner >> 1) & 1, corner & 1];
      let weight: tf.Tensor = tf.onesLike(x);
      let flat: tf.Tensor = base;
      for (let k = 0; k < 3; k++) {
        const index = tf.add(floors[k]!, offsets[k]!);
        const inside = tf.logicalAnd(tf.greaterEqual(index, 0), tf.lessEqual(index, sizes[k]! - 1));
        const along = offsets[k] ? fractions[k]! : tf.sub(1, fractions[k]!);
        weight = tf.mul(weight, tf.mul(along, tf.cast(inside, 'float32')));
        const stride = k === 0 ? h * w : k === 1 ? w : 1;
        flat = tf.add(flat, tf.mul(tf.clipByValue(index, 0, sizes[k]! - 1), stride));
      }
      const gathered = tf.gather(rows, tf.cast(tf.reshape(flat, [n * p]), 'int32'));
      const term = tf.mul(gathered, tf.reshape(weight, [n * p, 1]));
      out = out ? tf.add(out, term) : term;
    }
    return tf.reshape(out!, [n, d, h, w, c]);
  });
}

/** rotateVolume as a layer on [volume, pose]; no weights. */
export class Rotate3D extends tf.layers.Layer {
  static className = 'Rotate3D';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [volume, pose] = inputShape as tf.Shape[];
    if (volume?.length !== 5 || pose?.length !== 2 || pose[1] !== 2)
      throw new Error(
        `rotate3d: takes [volume [N, D, H, W, C], pose [N, 2]], got ${JSON.stringify(inputShape)}`,
      );
    return volume;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const [volume, pose] = inputs as [tf.Tensor, tf.Tensor];
    return rotateVolume(volume, pose);
  }
}
tf.serialization.registerClass(Rotate3D);
