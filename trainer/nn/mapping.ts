/**
 * StyleGAN's mapping network (Karras et al. 2019) and the running mean of w its truncation trick pulls
 * towards. z is pixel-normalised, then `layers` equalized dense layers (learning rate x0.01, as the paper
 * slows the mapping) with leaky ReLU 0.2 give w. WAverage keeps the mean of w as an exponential moving
 * average over training batches, as a non-trainable weight, so every checkpoint holds it and a resumed run
 * goes on from it; truncation is then w_avg + psi * (w - w_avg).
 */
import * as tf from '@tensorflow/tfjs';
import { equalizedDense } from './equalized.ts';
import type { Init } from './init.ts';
import { input } from './layers.ts';
import { PixelNorm } from './pixel-norm.ts';

export interface MappingOptions {
  latentDim: number;
  wDim: number;
  layers: number;
  init: Init;
  /** Learning-rate multiplier of the mapping's layers (the paper's 0.01). */
  lrMultiplier?: number;
}

/** z [N, latentDim] -> w [N, wDim]. */
export function mappingNetwork(o: MappingOptions): tf.LayersModel {
  const z = input([o.latentDim], 'z');
  let h = new PixelNorm({}).apply(z) as tf.SymbolicTensor;
  for (let i = 0; i < o.layers; i++) {
    const dense = equalizedDense(o.wDim, { init: o.init, lrMultiplier: o.lrMultiplier ?? 0.01 });
    h = tf.layers.leakyReLU({ alpha: 0.2 }).apply(dense.apply(h)) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: z, outputs: h, name: 'mapping' });
}

/** w_avg + psi * (w - w_avg): psi 1 leaves w, psi 0 gives the mean w. */
export function truncate(w: tf.Tensor, wAvg: tf.Tensor, psi: number): tf.Tensor {
  return tf.add(wAvg, tf.mul(psi, tf.sub(w, wAvg)));
}

/** Passes w through; in training, moves its running mean towards the batch's mean w by (1 - beta). */
export class WAverage extends tf.layers.Layer {
  static className = 'WAverage';
  readonly beta: number;
  private avg: tf.LayerVariable | null = null;

  constructor(args: { beta?: number; name?: string } = {}) {
    super(args.name ? { name: args.name } : {});
    this.beta = args.beta ?? 0.995;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const dim = (inputShape as tf.Shape).at(-1)!;
    this.avg = this.addWeight('w_avg', [dim], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  /** The running mean of w, [wDim]. */
  mean(): tf.Tensor1D {
    return this.avg!.read() as tf.Tensor1D;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const w = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs.training === true)
      tf.tidy(() => {
        const batchMean = tf.mean(w, 0);
        this.avg!.write(tf.add(tf.mul(this.beta, this.avg!.read()), tf.mul(1 - this.beta, batchMean)));
      });
    return tf.clone(w);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), beta: this.beta };
  }

  /** At export: w passes through (the mean goes into the generator's descriptor instead). */
  fold(w: tf.SymbolicTensor): tf.SymbolicTensor {
    return w;
  }
}

tf.serialization.registerClass(WAverage);
