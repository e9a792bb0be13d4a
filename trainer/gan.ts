/**
 * The contract between the GAN families (families/) and the loop, the stepper, checkpoints and samples: a
 * family is networks, the optimizers that update them, and phases. A phase computes one loss (plus
 * diagnostics) and updates the networks it names; the loop runs every phase each step (a repeated phase once
 * per draw). A family never holds a loop, data loading, storage or logging.
 */
import * as tf from '@tensorflow/tfjs';
import type { DatasetInfo } from '../shared/datasets.ts';
import type { LatentNoise } from '../shared/latent.ts';
import type { Batch } from './data/index.ts';
import type { Init } from './nn/init.ts';

/**
 * What a step gets: the batch's tensors (the real images as `real`; a paired set's `input`, an unpaired set's
 * `domainB` and `labelsB`, and whatever else its kind holds, under the batch's names), and the draws.
 */
export interface StepInputs extends Omit<Batch, 'x' | 'labels'> {
  /** Real batch: [B, H, W, C] images in [-1, 1], or [B, 2] points. */
  real: tf.Tensor;
  /** [B] int32 labels of the real batch. */
  labels: tf.Tensor1D;
  /** [B, latentDim] latents for this step, drawn as Gan.latentNoise says. */
  z: tf.Tensor2D;
  /** Conditional families only: [B, classes] float32 one-hot classes G is asked to draw this step. */
  fakeLabels?: tf.Tensor2D;
  /** Families with latent codes only (InfoGAN): [B, categorical + continuous] codes G is given this step. */
  codes?: tf.Tensor2D;
  /** Families with a pose input only (HoloGAN): [B, 2] azimuth and elevation, degrees, G is given this step. */
  pose?: tf.Tensor2D;
  /** Captioned datasets only: [B, words] int32 word ids of the real batch's captions (0 pads). */
  caption?: tf.Tensor2D;
  step: number;
  /**
   * Which draw of data and latents this is: the step itself, or, with repeated phases (Phase.repeat), the
   * draws of all earlier steps + r for the r-th update, so every update sees its own batch. Per-draw noise
   * derives from it.
   */
  draw: number;
  /** The run's seed: a family drawing its own per-step noise derives it from (seed, purpose, step). */
  seed: number;
  /** G's output on this draw when the stepper made it once for every phase (Gan.generate); see fakeOf. */
  fake?: tf.Tensor;
  /** The index of the stage this step belongs to (0 for a family without stages). */
  stage: number;
  /** The stage's fade-in, from 0 at its first step to 1 once its fade is over; 1 without a fade. */
  alpha: number;
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
  /**
   * Updates per step, each on its own draw (WGAN's n_critic), or a function of the step (WGAN's warm-up);
   * 1 when unset. Metrics are averaged over them.
   */
  repeat?: number | ((step: number) => number);
  /** Runs after each of this phase's updates, inside a tidy (WGAN's weight clipping). */
  afterUpdate?: () => void;
}

/**
 * A part of training over a range of steps with its own phases (so its own trainable networks and
 * optimizers), its own generator for the gallery and its own resolution: a Progressive GAN's resolutions,
 * SinGAN's scales, StackGAN's two stages, SRGAN's MSE pretraining before its adversarial training.
 */
export interface Stage {
  /** Shown in the gallery, the metrics and checkpoints, e.g. "16x16". */
  name: string;
  /** The step this stage ends before; the last stage leaves it unset and runs to the run's end. */
  until?: number;
  phases: Phase[];
  /** The network the gallery samples during this stage (same inputs as Gan.generator). */
  generator: tf.LayersModel;
  /** As Gan.generate, for this stage's phases. */
  generate?: (inputs: StepInputs) => tf.Tensor;
  /** [height, width] the real batch is brought to (step.ts downsample); the dataset's when unset. */
  resolution?: [number, number];
  /**
   * A fade-in over the stage's first `steps` steps: alpha goes from 0 to 1 and `set` is called with it
   * before each step and each sample (a network that blends old and new layers reads it from there).
   */
  fade?: { steps: number; set(alpha: number): void };
}

export interface Gan {
  /** Every network, all checkpointed. */
  nets: Record<string, tf.LayersModel>;
  optimizers: Record<string, tf.Optimizer>;
  /** The phases of a family without stages; a family with stages gives each stage its own and leaves this empty. */
  phases: Phase[];
  /** Stages in step order; unset for a family that trains one way throughout. */
  stages?: Stage[];
  /**
   * The network sampled for the gallery and exported for the browser: z [N, latentDim] -> sample, or for a
   * conditional family [z [N, latentDim], label [N, classes] float32 one-hot] -> sample.
   */
  generator: tf.LayersModel;
  latentDim: number;
  /** How z is drawn, in training, the gallery and evaluation; standard normal when not set. */
  latentNoise?: LatentNoise;
  /**
   * Layers of `generator` whose outputs are attention maps [N, HW, HW] (SAGAN, BigGAN): the exported
   * generator gives them after the sample, named in its descriptor.
   */
  attentionMaps?: string[];
  /** z may be drawn truncated at sampling (BigGAN's truncation trick): an ability in the descriptor. */
  truncation?: boolean;
  /**
   * Set when G translates images or label maps (pix2pix, CycleGAN, SPADE, the Conditional Analogy GAN) instead of taking z: which batch image each of G's
   * inputs reads, in order, and the batch image its first output is compared with where the set is paired.
   * The gallery then shows held-out strips (each input, its output, then the target); latentDim is 0.
   */
  translation?: ImageTranslation;
  /** A pyramid of scales (SinGAN): each scale's [height, width] as trained, coarse to fine, for the descriptor. */
  pyramid?: { sizes: [number, number][] };
  /** Tensors beside the networks that the checkpoint keeps with them (CycleGAN's history pools). */
  state?: Record<string, tf.Variable>;
  /**
   * A style-based G (StyleGAN): its mapping (z -> w) and synthesis (ws [N, layers, wDim] -> sample)
   * networks, exported apart beside the generator, with the running mean of w, so a reader can truncate w
   * and mix the styles of two z.
   */
  styles?: StyleNetworks;
  /**
   * Networks the phases read but never train, loaded from the project's committed weights (SRGAN's feature
   * network): in no checkpoint, disposed with the rest.
   */
  fixed?: Record<string, tf.LayersModel>;
  /** Set when G takes a class label as its second input; the loop then fills StepInputs.fakeLabels. */
  conditional?: { classes: number };
  /**
   * Set when G takes latent codes as its second input (InfoGAN): a one-hot categorical code followed by
   * continuous codes uniform in [-1, 1]; the loop then fills StepInputs.codes.
   */
  codes?: LatentCodes;
  /**
   * Set when G takes a camera pose [azimuth, elevation] in degrees as its second input (HoloGAN), drawn
   * uniform over these ranges; the loop then fills StepInputs.pose.
   */
  pose?: PoseRange;
  /**
   * Set when G takes a caption as its second input, [N, words] word ids into the dataset's vocabulary
   * (StackGAN): the gallery then asks for fixed captions, one a row.
   */
  captioned?: { words: number };
  /**
   * G's training-mode output on a draw, set by families whose phases take it as it is (through fakeOf). The
   * stepper then runs G once for a step's first draw instead of once per phase: the phases before G's own run
   * inside G's gradient scope on that output, which they see as a constant (PyTorch's DCGAN reuses its fake
   * batch the same way). Losses and weights are unchanged; G's batch-norm statistics move once a step.
   */
  generate?: (inputs: StepInputs) => tf.Tensor;
}

/** The draw's fake batch: the one the stepper made for every phase, else a fresh one. */
export function fakeOf(inputs: StepInputs, generate: (inputs: StepInputs) => tf.Tensor): tf.Tensor {
  return inputs.fake ?? generate(inputs);
}

/**
 * The batch images a translating generator reads and is compared with (their names in Batch); 'map' is a
 * label-map set's one-hot map.
 */
export type BatchImage = 'x' | 'input' | 'domainB' | 'map' | 'article' | 'newArticle';

export interface ImageTranslation {
  /** For each input of G, in order: the batch image it reads. */
  inputs: BatchImage[];
  /** Paired sets: the batch image G's first output should reproduce. */
  target?: BatchImage;
  /** G's outputs that are masks in [0, 1] (the Conditional Analogy GAN's), not images in [-1, 1]. */
  masks?: string[];
}

export interface StyleNetworks {
  mapping: tf.LayersModel;
  synthesis: tf.LayersModel;
  /** The running mean of w, [wDim]. */
  wAverage(): tf.Tensor1D;
  /** The side each style layer (a row of ws) works at, coarse to fine. */
  layerSides: number[];
}

export interface PoseRange {
  azimuth: [number, number];
  elevation: [number, number];
}

export interface LatentCodes {
  categorical: number;
  continuous: number;
}

export interface BuildContext<H> {
  hyperparameters: H;
  /** The run's steps, for families whose stages divide them. */
  steps: number;
  dataset: DatasetInfo;
  init: Init;
}

export interface GanFamily<H = Record<string, unknown>> {
  id: string;
  build(ctx: BuildContext<H>): Gan;
}

/** Frees everything a built Gan holds: its networks, fixed networks, optimizers and state. */
export function disposeGan(gan: Gan): void {
  for (const net of [...Object.values(gan.nets), ...Object.values(gan.fixed ?? {})]) net.dispose();
  for (const opt of Object.values(gan.optimizers)) opt.dispose();
  tf.dispose(Object.values(gan.state ?? {}));
}
