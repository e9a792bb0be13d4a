/**
 * tfjs-layers' BatchNormalization, whose training call runs on TensorFlow's fused kernels where the backend
 * has them (backend/native-batch-norm.ts): the same weights, moving averages and config, so checkpoints,
 * export (it serialises as the stock class) and every other backend see the stock layer.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormTraining } from '../backend/native-batch-norm.ts';
import { fusedBatchNormInUse } from '../backend/native-fused.ts';

type Args = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
interface StockBatchNorm extends tf.layers.Layer {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: tf.LayerVariable;
  beta?: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}
// tfjs exports the factory, not the class.
// Named, so making it takes no number from tfjs's layer-name counter.
const Stock = Object.getPrototypeOf(tf.layers.batchNormalization({ name: 'stock_batch_norm' }))
  .constructor as new (
  args: Args,
) => StockBatchNorm;

export class FusedBatchNorm extends Stock {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const lastAxis = this.axis === -1 || this.axis === x.rank - 1;
    if (
      kwargs.training !== true ||
      !fusedBatchNormInUse() ||
      !lastAxis ||
      (x.rank !== 4 && x.rank !== 2) ||
      !this.gamma ||
      !this.beta ||
      x.dtype !== 'float32'
    )
      return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = fusedBatchNormTraining(
        x,
        this.gamma!.read(),
        this.beta!.read(),
        this.epsilon,
      );
      // tfjs-layers' moving averages, as it writes them.
      for (const [moving, batch] of [
        [this.movingMean, mean],
        [this.movingVariance, variance],
      ] as const)
        tf.tidy(() => {
          const old = moving.read();
          moving.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - this.momentum)));
        });
      return y;
    });
  }
}
