/**
 * Equalized learning rate (Karras et al. 2018): weights are drawn from N(0, 1) and scaled at every call by
 * He's constant gain / sqrt(fan-in), so Adam's per-weight step sizes act alike on every layer whatever its
 * fan-in. Dense and stride-1 'same' convolution, each with a bias (zeros). At export each folds into the
 * stock layer holding the weights as applied (nn/export.ts), so the browser needs no class of ours.
 */
import * as tf from '@tensorflow/tfjs';
import type { Init } from './init.ts';

type Initializer = ReturnType<typeof tf.initializers.randomNormal>;

interface EqualizedArgs {
  /** sqrt(2) for layers before a (leaky) ReLU, 1 for the output layer. */
  gain: number;
  /** N(0, 1) from the run's seeded Init. */
  kernelInitializer: Initializer;
  /** Multiplies the runtime scale and divides the initial weights (StyleGAN's mapping network's 0.01). */
  lrMultiplier?: number;
  name?: string;
}

abstract class EqualizedLayer extends tf.layers.Layer {
  protected kernel: tf.LayerVariable | null = null;
  protected bias: tf.LayerVariable | null = null;
  readonly gain: number;
  readonly lrMultiplier: number;
  private readonly kernelInitializer: Initializer;

  constructor(args: EqualizedArgs) {
    super(args.name ? { name: args.name } : {});
    this.gain = args.gain;
    this.lrMultiplier = args.lrMultiplier ?? 1;
    // Read back from a saved model, the weights are loaded after build: any initialiser will do then.
    this.kernelInitializer = args.kernelInitializer ?? tf.initializers.zeros();
  }

  protected addKernel(shape: number[], units: number): void {
    this.kernel = this.addWeight('kernel', shape, 'float32', this.kernelInitializer);
    if (this.lrMultiplier !== 1)
      tf.tidy(() => {
        this.kernel!.write(tf.div(this.kernel!.read(), this.lrMultiplier));
      });
    this.bias = this.addWeight('bias', [units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  /** The kernel as applied: weights x gain / sqrt(fan-in) x lrMultiplier. */
  scaledKernel(): tf.Tensor {
    const k = this.kernel!.read();
    const fanIn = k.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return tf.mul(k, (this.gain / Math.sqrt(fanIn)) * this.lrMultiplier);
  }

  /** A stock layer of the same kind holding the scaled kernel and bias, applied to x (export). */
  protected foldInto(layer: tf.layers.Layer, x: tf.SymbolicTensor): tf.SymbolicTensor {
    const out = layer.apply(x) as tf.SymbolicTensor;
    // Cloned: the bias as applied may be the variable's own tensor, which must outlive the copy.
    const weights = tf.tidy(() => [this.scaledKernel(), tf.clone(this.scaledBias())]);
    layer.setWeights(weights);
    tf.dispose(weights);
    return out;
  }

  protected scaledBias(): tf.Tensor {
    const b = this.bias!.read();
    return this.lrMultiplier === 1 ? b : tf.mul(b, this.lrMultiplier);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), gain: this.gain, lrMultiplier: this.lrMultiplier };
  }
}

export class EqualizedDense extends EqualizedLayer {
  static className = 'EqualizedDense';
  readonly units: number;

  constructor(args: EqualizedArgs & { units: number }) {
    super(args);
    this.units = args.units;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    this.addKernel([shape.at(-1)!, this.units], this.units);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [...(inputShape as tf.Shape).slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.add(tf.matMul(x as tf.Tensor2D, this.scaledKernel() as tf.Tensor2D), this.scaledBias());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }

  fold(x: tf.SymbolicTensor): tf.SymbolicTensor {
    return this.foldInto(tf.layers.dense({ units: this.units, name: this.name }), x);
  }
}

export class EqualizedConv2D extends EqualizedLayer {
  static className = 'EqualizedConv2D';
  readonly filters: number;
  readonly kernelSize: number;

  constructor(args: EqualizedArgs & { filters: number; kernelSize: number }) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    this.addKernel([this.kernelSize, this.kernelSize, shape.at(-1)!, this.filters], this.filters);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [...(inputShape as tf.Shape).slice(0, -1), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      return tf.add(tf.conv2d(x, this.scaledKernel() as tf.Tensor4D, 1, 'same'), this.scaledBias());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize };
  }

  fold(x: tf.SymbolicTensor): tf.SymbolicTensor {
    const conv = tf.layers.conv2d({
      filters: this.filters,
      kernelSize: this.kernelSize,
      padding: 'same',
      name: this.name,
    });
    return this.foldInto(conv, x);
  }
}

tf.serialization.registerClass(EqualizedDense);
tf.serialization.registerClass(EqualizedConv2D);

export interface EqualizedOptions {
  init: Init;
  gain?: number;
  lrMultiplier?: number;
  name?: string;
}

function args(o: EqualizedOptions): EqualizedArgs {
  return {
    gain: o.gain ?? Math.SQRT2,
    kernelInitializer: o.init.normal(1),
    ...(o.lrMultiplier !== undefined ? { lrMultiplier: o.lrMultiplier } : {}),
    ...(o.name ? { name: o.name } : {}),
  };
}

export function equalizedDense(units: number, o: EqualizedOptions): EqualizedDense {
  return new EqualizedDense({ ...args(o), units });
}

export function equalizedConv(filters: number, kernelSize: number, o: EqualizedOptions): EqualizedConv2D {
  return new EqualizedConv2D({ ...args(o), filters, kernelSize });
}
