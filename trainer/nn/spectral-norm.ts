/**
 * Spectral normalisation (Miyato et al. 2018) as a layer wrapper: the wrapped layer runs with its kernel
 * divided by the kernel's largest singular value sigma, so the layer is 1-Lipschitz. sigma comes from power
 * iteration with a persistent vector u: one iteration per training call refines u, which is a
 * non-trainable weight of the wrapper and therefore saved in every checkpoint (a resumed run continues the
 * same iteration). Inference uses u without refining it.
 *
 * The kernel is read as a matrix [fan-in, units] (Dense [in, units], Conv2D [kh, kw, in, filters]); the
 * gradient reaches the kernel through sigma with u and v held fixed, as in the paper.
 */
import * as tf from '@tensorflow/tfjs';

type Kwargs = Record<string, unknown>;
type Initializer = ReturnType<typeof tf.initializers.randomNormal>;
/** The wrapped layers' kernel: tfjs Dense and Conv layers read it through `kernel.read()` in `call`. */
type WithKernel = { kernel: { read(): tf.Tensor } | null };

const WRAPPABLE = ['Dense', 'Conv2D', 'Conv1D'];
const EPS = 1e-12;

function normalise(x: tf.Tensor): tf.Tensor {
  return tf.div(x, tf.add(tf.norm(x), EPS));
}

/**
 * One power-iteration step on the matrix w [m, n] from u [n]: v = w u / |w u|, u' = w^T v / |w^T v|, and
 * sigma = v^T w u'. The returned sigma's gradient is v u'^T (u' and v held fixed).
 */
export function powerIteration(w: tf.Tensor2D, u: tf.Tensor1D): { sigma: tf.Scalar; u: tf.Tensor1D } {
  const v = normalise(tf.matMul(w, tf.reshape(u, [-1, 1])));
  const uNext = normalise(tf.matMul(w, v, true, false));
  const sigmaOf = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [wm, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([v, uNext]);
    return {
      value: tf.reshape(tf.matMul(tf.matMul(v, wm, true, false), uNext), []),
      gradFunc: (dy: tf.Tensor, [vs, us]: tf.Tensor[]) => tf.mul(dy, tf.matMul(vs!, us!, false, true)),
    };
  });
  return { sigma: sigmaOf(w) as tf.Scalar, u: tf.reshape(uNext, [-1]) };
}

export interface SpectralNormArgs {
  /** Seeded initialiser of u (any non-degenerate random vector). */
  uInitializer: Initializer;
  name?: string;
}

export class SpectralNorm extends tf.layers.Layer {
  static className = 'SpectralNorm';
  private u: tf.LayerVariable | null = null;
  private readonly uInitializer: Initializer;

  constructor(
    readonly inner: tf.layers.Layer,
    args: SpectralNormArgs,
  ) {
    super(args.name ? { name: args.name } : {});
    const kind = inner.getClassName();
    if (!WRAPPABLE.includes(kind))
      throw new Error(`spectral norm wraps ${WRAPPABLE.join(', ')} layers, not ${kind} (${inner.name})`);
    this.uInitializer = args.uInitializer;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    if (!this.inner.built) {
      this.inner.build(inputShape);
      this.inner.built = true;
    }
    const units = this.kernel().shape.at(-1)!;
    this.u = this.addWeight('u', [units], 'float32', this.uInitializer, undefined, false);
    this.built = true;
  }

  override get trainableWeights(): tf.LayerVariable[] {
    return this.inner.trainableWeights;
  }

  override get nonTrainableWeights(): tf.LayerVariable[] {
    return [...this.inner.nonTrainableWeights, ...(this.u ? [this.u] : [])];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return this.inner.computeOutputShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const kernel = this.kernel();
    const { sigma, u } = powerIteration(this.matrix(kernel), this.u!.read() as tf.Tensor1D);
    if (kwargs.training === true) this.u!.write(u);
    const normalised = tf.div(kernel, sigma);
    // The wrapped layer's own call, with the normalised kernel in place of its variable.
    const target = this.inner as unknown as WithKernel;
    const own = target.kernel;
    target.kernel = { read: () => normalised };
    try {
      return this.inner.call(inputs, kwargs);
    } finally {
      target.kernel = own;
    }
  }

  /**
   * The spectral norm of the kernel the layer applies, estimated independently: `iterations` power
   * iterations on (kernel / sigma) started from u. ~1 once u tracks the top singular vector; above 1 while
   * it does not yet (each estimate is a lower bound of the true norm). Does not change u.
   */
  normalisedSigma(iterations = 3): tf.Scalar {
    return tf.tidy(() => {
      const w = this.matrix(this.kernel());
      const { sigma, u } = powerIteration(w, this.u!.read() as tf.Tensor1D);
      const normalised = tf.div(w, sigma) as tf.Tensor2D;
      let estimate = powerIteration(normalised, u);
      for (let i = 1; i < iterations; i++) estimate = powerIteration(normalised, estimate.u);
      return estimate.sigma;
    });
  }

  /**
   * For export: the wrapped layer as a stock layer of its own class, its kernel divided by sigma as
   * inference computes it (u kept), applied to `x`.
   */
  fold(x: tf.SymbolicTensor): tf.SymbolicTensor {
    const cls = this.inner
      .constructor as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer> & {
      fromConfig: typeof tf.layers.Layer.fromConfig;
    };
    const layer = cls.fromConfig(cls, this.inner.getConfig());
    const out = layer.apply(x) as tf.SymbolicTensor;
    const weights = tf.tidy(() => {
      const [kernel, ...rest] = this.inner.getWeights();
      const { sigma } = powerIteration(this.matrix(kernel!), this.u!.read() as tf.Tensor1D);
      return [tf.div(kernel!, sigma), ...rest.map((w) => w.clone())];
    });
    layer.setWeights(weights);
    tf.dispose(weights);
    return out;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      layer: { className: this.inner.getClassName(), config: this.inner.getConfig() },
    };
  }

  private kernel(): tf.Tensor {
    const k = (this.inner as unknown as WithKernel).kernel;
    if (!k) throw new Error(`spectral norm: ${this.inner.name} has no kernel (built without one?)`);
    return k.read();
  }

  private matrix(kernel: tf.Tensor): tf.Tensor2D {
    return tf.reshape(kernel, [-1, kernel.shape.at(-1)!]);
  }
}

/** The spectrally normalised layers of a model, in layer order. */
export function spectralNormLayers(model: tf.LayersModel): SpectralNorm[] {
  return model.layers.filter((l): l is SpectralNorm => l instanceof SpectralNorm);
}

/** sigma/{prefix}/{layer}: each normalised layer's normalisedSigma, the metrics a family logs. */
export function sigmaMetrics(model: tf.LayersModel, prefix: string): Record<string, tf.Scalar> {
  return Object.fromEntries(
    spectralNormLayers(model).map((l) => [`sigma/${prefix}/${l.name}`, l.normalisedSigma()]),
  );
}
