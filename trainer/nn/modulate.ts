/**
 * "Normalise, then modulate": the one layer behind conditional batch norm (SAGAN, BigGAN), AdaIN (StyleGAN,
 * HoloGAN) and SPADE. It normalises x without a learned affine, then applies a scale and shift computed from a
 * condition:
 *
 *   out = normalise(x) * (1 + gamma(c)) + beta(c)
 *
 * Applied to [x, c]. x is [N, H, W, C] (or [N, C] with batch norm, or a feature volume [N, D, H, W, C] with
 * instance norm, HoloGAN's 3D AdaIN). What c is and how gamma and beta come from
 * it is the `source`:
 *   - 'class': c is a one-hot [N, classes]; gamma and beta are per-class tables [classes, C] (a class
 *     embedding, started at zero so the layer starts as plain normalisation). Conditional batch norm.
 *   - 'style': c is any vector [N, D]; gamma and beta are dense layers of it (kernel from `init`, bias 0).
 *     AdaIN from a style w, or BigGAN's conditional batch norm from [shared class embedding, z chunk].
 *   - 'map': c is a label map [N, h, w, M], resized (nearest) to x's H x W; a kernel x kernel conv to `hidden`
 *     channels with ReLU, then one conv each to gamma and beta [N, H, W, C]. SPADE.
 *   - 'none': no condition; the layer is applied to x alone and only normalises (CycleGAN's instance norm,
 *     which PyTorch's CycleGAN runs without a learned affine).
 * `norm` is 'batch' (statistics over N, H, W; moving averages kept for inference, as tf.layers'
 * batchNormalization does) or 'instance' (statistics over the spatial axes per sample and channel; AdaIN).
 *
 * For export, fold() rewrites a layer with a 'class' or 'style' source as stock tfjs layers (two Dense
 * layers, whose weights absorb batch norm's moving statistics, Reshape, Multiply, Add), instance norm kept
 * as the parameter-free InstanceNorm the browser registers too, and a batch-normalising one with a 'map'
 * source (SPADE) as stock convolutions, BatchNormalization, Multiply and Add. Instance norm from a label map
 * stays this class, registered under 'Modulate' for loading.
 */
import * as tf from '@tensorflow/tfjs';
import { InstanceNorm } from '../../shared/layers/normalise.ts';

type Sym = tf.SymbolicTensor;
type Kwargs = Record<string, unknown>;
type Initializer = ReturnType<typeof tf.initializers.randomNormal>;

export type Normalisation = 'batch' | 'instance';

export type ModulationSource =
  | { from: 'class' }
  | { from: 'style' }
  | { from: 'map'; hidden: number; kernel?: number }
  | { from: 'none' };

export interface ModulateArgs {
  norm: Normalisation;
  source: ModulationSource;
  /** Initialiser of the dense and conv kernels ('style', 'map'); seeded (nn/init.ts). Unused for 'class'. */
  init?: Initializer;
  name?: string;
  /** Batch norm's moving-average momentum (0.9, as nn/layers.ts batchNorm). */
  momentum?: number;
  epsilon?: number;
}

const zeros = () => tf.initializers.zeros();
const ones = () => tf.initializers.ones();

export class Modulate extends tf.layers.Layer {
  static className = 'Modulate';
  readonly norm: Normalisation;
  readonly source: ModulationSource;
  readonly momentum: number;
  readonly epsilon: number;
  private readonly init: Initializer | undefined;
  private movingMean: tf.LayerVariable | null = null;
  private movingVariance: tf.LayerVariable | null = null;
  /** By source: 'class' [gammaTable, betaTable]; 'style' [gK, gB, bK, bB]; 'map' [hK, hB, gK, gB, bK, bB]. */
  private params: tf.LayerVariable[] = [];

  constructor(args: ModulateArgs) {
    super(args.name ? { name: args.name } : {});
    this.norm = args.norm;
    this.source = args.source;
    this.init = args.init;
    this.momentum = args.momentum ?? 0.9;
    this.epsilon = args.epsilon ?? 1e-5;
    if ((args.source.from === 'style' || args.source.from === 'map') && !args.init)
      throw new Error(`modulate: a '${args.source.from}' source needs an initialiser for its kernels`);
    if (args.source.from === 'map' && !(args.source.hidden >= 1))
      throw new Error(`modulate: a 'map' source needs hidden >= 1, got ${args.source.hidden}`);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [xShape, cShape] = shapesOf(inputShape, this.name, this.source);
    const channels = xShape.at(-1)!;
    if (this.norm === 'instance' && xShape.length !== 4 && xShape.length !== 5)
      throw new Error(
        `modulate ${this.name}: instance norm needs [N, H, W, C] or [N, D, H, W, C], got [${xShape}]`,
      );
    if (this.norm === 'batch' && xShape.length !== 4 && xShape.length !== 2)
      throw new Error(`modulate ${this.name}: batch norm needs [N, H, W, C] or [N, C], got [${xShape}]`);
    const s = this.source;
    const cRank = s.from === 'map' ? 4 : 2;
    if (s.from !== 'none' && cShape.length !== cRank)
      throw new Error(`modulate ${this.name}: a '${s.from}' condition has rank ${cRank}, got [${cShape}]`);
    if (s.from === 'map' && xShape.length !== 4)
      throw new Error(`modulate ${this.name}: a 'map' source needs x as [N, H, W, C], got [${xShape}]`);
    const depth = cShape.at(-1)!;
    if (this.norm === 'batch') {
      this.movingMean = this.addWeight('moving_mean', [channels], 'float32', zeros(), undefined, false);
      this.movingVariance = this.addWeight(
        'moving_variance',
        [channels],
        'float32',
        ones(),
        undefined,
        false,
      );
    }
    const w = (name: string, shape: number[], init: Initializer) =>
      this.addWeight(name, shape, 'float32', init, undefined, true);
    if (s.from === 'none') {
      this.params = [];
    } else if (s.from === 'class') {
      this.params = [
        w('gamma_table', [depth, channels], zeros()),
        w('beta_table', [depth, channels], zeros()),
      ];
    } else if (s.from === 'style') {
      this.params = [
        w('gamma_kernel', [depth, channels], this.init!),
        w('gamma_bias', [channels], zeros()),
        w('beta_kernel', [depth, channels], this.init!),
        w('beta_bias', [channels], zeros()),
      ];
    } else {
      const k = s.kernel ?? 3;
      this.params = [
        w('hidden_kernel', [k, k, depth, s.hidden], this.init!),
        w('hidden_bias', [s.hidden], zeros()),
        w('gamma_kernel', [k, k, s.hidden, channels], this.init!),
        w('gamma_bias', [channels], zeros()),
        w('beta_kernel', [k, k, s.hidden, channels], this.init!),
        w('beta_bias', [channels], zeros()),
      ];
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return shapesOf(inputShape, this.name, this.source)[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    if (this.source.from === 'none') {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return this.normalise(x, kwargs.training === true);
    }
    const [x, c] = inputs as [tf.Tensor, tf.Tensor];
    const normalised = this.normalise(x, kwargs.training === true);
    const { gamma, beta } = this.modulation(c, x);
    return tf.add(tf.mul(normalised, tf.add(1, gamma)), beta);
  }

  /** x normalised: batch statistics in training (moving averages updated), moving averages otherwise. */
  private normalise(x: tf.Tensor, training: boolean): tf.Tensor {
    // Instance norm: every spatial axis (H, W, and D for a volume); batch norm: every axis but channels.
    const axes = x.shape
      .slice(0, -1)
      .map((_, i) => i)
      .slice(this.norm === 'instance' ? 1 : 0);
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (this.norm === 'instance' || training) {
      ({ mean, variance } = tf.moments(x, axes, this.norm === 'instance'));
      if (this.norm === 'batch') {
        const m = this.momentum;
        const follow = (v: tf.LayerVariable, batch: tf.Tensor) =>
          v.write(tf.tidy(() => tf.add(tf.mul(v.read(), m), tf.mul(batch, 1 - m))));
        follow(this.movingMean!, mean);
        follow(this.movingVariance!, variance);
      }
    } else {
      mean = this.movingMean!.read();
      variance = this.movingVariance!.read();
    }
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon)));
  }

  /** gamma and beta, shaped to broadcast against x. */
  private modulation(c: tf.Tensor, x: tf.Tensor): { gamma: tf.Tensor; beta: tf.Tensor } {
    const p = this.params.map((v) => v.read());
    if (this.source.from === 'map') {
      const [, h, w] = x.shape as number[];
      const map = tf.image.resizeNearestNeighbor(c as tf.Tensor4D, [h!, w!]);
      const conv = (t: tf.Tensor, k: tf.Tensor, b: tf.Tensor) =>
        tf.add(tf.conv2d(t as tf.Tensor4D, k as tf.Tensor4D, 1, 'same'), b);
      const hidden = tf.relu(conv(map, p[0]!, p[1]!));
      return { gamma: conv(hidden, p[2]!, p[3]!), beta: conv(hidden, p[4]!, p[5]!) };
    }
    const [gamma, beta] =
      this.source.from === 'class'
        ? [
            tf.matMul(c as tf.Tensor2D, p[0]! as tf.Tensor2D),
            tf.matMul(c as tf.Tensor2D, p[1]! as tf.Tensor2D),
          ]
        : [
            tf.add(tf.matMul(c as tf.Tensor2D, p[0]! as tf.Tensor2D), p[1]!),
            tf.add(tf.matMul(c as tf.Tensor2D, p[2]! as tf.Tensor2D), p[3]!),
          ];
    // [-1, 1, ..., 1, C]: one scale and shift per sample and channel, broadcast over the spatial axes.
    const perSample = [-1, ...x.shape.slice(1, -1).map(() => 1), x.shape.at(-1)!];
    return { gamma: tf.reshape(gamma!, perSample), beta: tf.reshape(beta!, perSample) };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      norm: this.norm,
      source: { ...this.source },
      momentum: this.momentum,
      epsilon: this.epsilon,
    };
  }

  /** Rebuilds a layer from getConfig() when a model that keeps this class is loaded (weights set after). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const source = config.source as unknown as ModulationSource;
    // Loaded weights replace these initial values.
    const init = source.from === 'class' || source.from === 'none' ? undefined : tf.initializers.zeros();
    return new cls({ ...config, source, ...(init ? { init } : {}) } as never);
  }

  /**
   * Layers computing this layer's inference output from symbolic [x, c], with weights folded in, or
   * undefined where none can (instance norm from a label map: a resized conditioning path on per-sample
   * statistics). Instance norm with no condition is stock layer normalisation over H and W; batch norm from
   * a label map is foldMap's. Otherwise the scale and shift are affine in c, so each is one stock Dense layer:
   *   batch norm, moving statistics (mu, var), s = sqrt(var + eps):
   *     out = x * scale(c) + shift(c), scale(c) = (1 + gamma(c)) / s, shift(c) = beta(c) - mu * scale(c);
   *   instance norm (per-sample statistics, so no fold into weights):
   *     out = InstanceNorm(x) * (1 + gamma(c)) + beta(c), InstanceNorm the parameter-free layer
   *     shared/layers/normalise.ts registers for the browser too.
   */
  fold(x: Sym, c?: Sym): Sym | undefined {
    // Instance norm without a condition is stock layer normalisation over the spatial axes (no affine).
    if (this.norm === 'instance' && this.source.from === 'none')
      return tf.layers
        .layerNormalization({
          axis: Array.from({ length: x.shape.length - 2 }, (_, i) => i + 1),
          center: false,
          scale: false,
          epsilon: this.epsilon,
          name: this.name,
        })
        .apply(x) as Sym;
    if (this.source.from === 'none') return undefined;
    if (this.source.from === 'map') return this.norm === 'batch' ? this.foldMap(x, c!) : undefined;
    const instance = this.norm === 'instance';
    const [scaleKernel, scaleBias, shiftKernel, shiftBias] = tf.tidy(() => {
      const p = this.params.map((v) => v.read());
      const channels = p[0]!.shape[1]!;
      const [gk, gb, bk, bb] =
        this.source.from === 'class'
          ? [p[0]!, tf.zeros([channels]), p[1]!, tf.zeros([channels])]
          : [p[0]!, p[1]!, p[2]!, p[3]!];
      if (instance) return [tf.clone(gk), tf.add(1, gb), tf.clone(bk), tf.clone(bb)];
      const s = tf.sqrt(tf.add(this.movingVariance!.read(), this.epsilon));
      const mu = this.movingMean!.read();
      const sk = tf.div(gk, s);
      const sb = tf.div(tf.add(1, gb), s);
      return [sk, sb, tf.sub(bk, tf.mul(sk, mu)), tf.sub(bb, tf.mul(sb, mu))];
    });
    const channels = x.shape.at(-1)!;
    const affine = (suffix: string, kernel: tf.Tensor, bias: tf.Tensor) => {
      const layer = tf.layers.dense({ units: channels, name: `${this.name}_${suffix}` });
      const out = layer.apply(c!) as Sym;
      layer.setWeights([kernel, bias]);
      tf.dispose([kernel, bias]);
      // [N, C] broadcast over the spatial axes of an image or a volume (HoloGAN's 3D AdaIN).
      const spatial = x.shape.length - 2;
      return spatial > 0
        ? (tf.layers
            .reshape({ targetShape: [...Array<number>(spatial).fill(1), channels] })
            .apply(out) as Sym)
        : out;
    };
    const scale = affine('scale', scaleKernel!, scaleBias!);
    const shift = affine('shift', shiftKernel!, shiftBias!);
    const normalised = instance
      ? (new InstanceNorm({ epsilon: this.epsilon, name: `${this.name}_norm` }).apply(x) as Sym)
      : x;
    const scaled = tf.layers.multiply({ name: `${this.name}_mul` }).apply([normalised, scale]) as Sym;
    return tf.layers.add({ name: `${this.name}_add` }).apply([scaled, shift]) as Sym;
  }

  /**
   * SPADE at inference as stock layers: the label map brought to x's side by a stride-k 1 x 1 convolution
   * with an identity kernel (the pixel nearest-neighbour resizing picks, (k i, k j), when the map's side is
   * k times x's), the hidden and gamma/beta convolutions as Conv2D (the 1 of 1 + gamma folded into gamma's
   * bias), x normalised by a BatchNormalization without affine holding the moving statistics, then Multiply
   * and Add. Undefined where the map's side is not a whole multiple of x's.
   */
  private foldMap(x: Sym, c: Sym): Sym | undefined {
    const [, h, w, channels] = x.shape as number[];
    const [, mh, mw, depth] = c.shape as number[];
    const k = mh! / h!;
    if (!Number.isInteger(k) || mw! / w! !== k) return undefined;
    const s = this.source as { from: 'map'; hidden: number; kernel?: number };
    const kernel = s.kernel ?? 3;
    const stock = <L extends tf.layers.Layer>(layer: L, input: Sym, weights: tf.Tensor[]) => {
      const out = layer.apply(input) as Sym;
      layer.setWeights(weights);
      return out;
    };
    const p = this.params.map((v) => v.read());
    let map = c;
    if (k > 1) {
      const identity = tf.tidy(() => tf.reshape(tf.eye(depth!), [1, 1, depth!, depth!]));
      map = stock(
        tf.layers.conv2d({
          filters: depth!,
          kernelSize: 1,
          strides: k,
          useBias: false,
          name: `${this.name}_resize`,
        }),
        c,
        [identity],
      );
      identity.dispose();
    }
    const convolution = (suffix: string, filters: number, input: Sym, weights: tf.Tensor[], relu = false) =>
      stock(
        tf.layers.conv2d({
          filters,
          kernelSize: kernel,
          padding: 'same',
          ...(relu ? { activation: 'relu' as const } : {}),
          name: `${this.name}_${suffix}`,
        }),
        input,
        weights,
      );
    const hidden = convolution('hidden', s.hidden, map, [p[0]!, p[1]!], true);
    const onePlus = tf.tidy(() => tf.add(1, p[3]!));
    const scale = convolution('gamma', channels!, hidden, [p[2]!, onePlus]);
    onePlus.dispose();
    const shift = convolution('beta', channels!, hidden, [p[4]!, p[5]!]);
    const normalised = stock(
      tf.layers.batchNormalization({
        center: false,
        scale: false,
        epsilon: this.epsilon,
        name: `${this.name}_norm`,
      }),
      x,
      [this.movingMean!.read(), this.movingVariance!.read()],
    );
    const scaled = tf.layers.multiply({ name: `${this.name}_mul` }).apply([normalised, scale]) as Sym;
    return tf.layers.add({ name: `${this.name}_add` }).apply([scaled, shift]) as Sym;
  }
}
tf.serialization.registerClass(Modulate);

function shapesOf(
  inputShape: tf.Shape | tf.Shape[],
  name: string,
  source: ModulationSource,
): [number[], number[]] {
  if (source.from === 'none') {
    const only = Array.isArray(inputShape[0]) ? (inputShape as tf.Shape[])[0]! : (inputShape as tf.Shape);
    return [only as number[], []];
  }
  const shapes = inputShape as tf.Shape[];
  if (!Array.isArray(shapes[0]) || shapes.length !== 2)
    throw new Error(`modulate ${name}: takes [x, condition], got ${JSON.stringify(inputShape)}`);
  return [shapes[0] as number[], shapes[1] as number[]];
}

/** Applies a Modulate layer to symbolic [x, c] and returns its output. */
export function modulate(x: Sym, c: Sym, args: ModulateArgs): Sym {
  return new Modulate(args).apply([x, c]) as Sym;
}

/**
 * Instance norm without a learned affine (CycleGAN's): each sample's channels normalised over H x W. The
 * 'none' source of the one modulate layer; the export folds it into stock layer normalisation over H and W.
 */
export function instanceNorm(x: Sym, name?: string): Sym {
  return new Modulate({ norm: 'instance', source: { from: 'none' }, ...(name ? { name } : {}) }).apply(
    x,
  ) as Sym;
}
