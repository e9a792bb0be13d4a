/**
 * What a GAN family is to the loop: networks, the optimizers that update them, and phases. A phase computes
 * one loss (plus diagnostics) and updates the networks it names; the loop runs every phase each step. A
 * family never holds a loop, data loading, storage or logging.
 */
import type * as tf from '@tensorflow/tfjs';
import type { DatasetInfo } from '../../shared/datasets.ts';
import type { Init } from '../nn/init.ts';

export interface StepInputs {
  /** Real batch: [B, H, W, C] images in [-1, 1], or [B, 2] points. */
  real: tf.Tensor;
  /** [B] int32 labels of the real batch. */
  labels: tf.Tensor1D;
  /** [B, latentDim] standard normal latents for this step. */
  z: tf.Tensor2D;
  /** Conditional families only: [B, classes] float32 one-hot classes G is asked to draw this step. */
  fakeLabels?: tf.Tensor2D;
  step: number;
}

export interface PhaseResult {
  loss: tf.Scalar;
  /** Diagnostics logged beside the loss, e.g. "D(x)". */
  metrics?: Record<string, tf.Scalar>;
}

export interface Phase {
  /** Short name, used in metric names: loss/{name}. */
  name: string;
  /** Keys of Gan.nets whose trainable weights this phase updates. */
  updates: string[];
  /** Key of Gan.optimizers. */
  optimizer: string;
  loss(inputs: StepInputs): PhaseResult;
}

export interface Gan {
  /** Every network, all checkpointed. */
  nets: Record<string, tf.LayersModel>;
  optimizers: Record<string, tf.Optimizer>;
  phases: Phase[];
  /**
   * The network sampled for the gallery and exported for the browser: z [N, latentDim] -> sample, or for a
   * conditional family [z [N, latentDim], label [N, classes] float32 one-hot] -> sample.
   */
  generator: tf.LayersModel;
  latentDim: number;
  /** Set when G takes a class label as its second input; the loop then fills StepInputs.fakeLabels. */
  conditional?: { classes: number };
}

export interface BuildContext<H> {
  hyperparameters: H;
  dataset: DatasetInfo;
  init: Init;
}

export interface GanFamily<H = Record<string, unknown>> {
  id: string;
  build(ctx: BuildContext<H>): Gan;
}
