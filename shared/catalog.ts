/**
 * The model catalog: the GAN families that really train, each with its place in the survey, its paper and
 * its hyperparameter schema (defaults included). The trainer implements exactly these ids
 * (trainer/families/index.ts checks it), the API serves them, the dashboard builds its forms from them.
 */
import { z } from 'zod';
import {
  DATASETS,
  type DatasetId,
  type DatasetInfo,
  type DatasetKind,
  describeKind,
  SINGLE_LONG_SIDE,
} from './datasets.ts';
import { LATENT_NOISES } from './latent.ts';

/** The survey's five axes. */
export const SURVEY_AXES = [
  'image-quality',
  'training-method',
  'control',
  'image-to-image',
  'application',
] as const;
export type SurveyAxis = (typeof SURVEY_AXES)[number];

/**
 * A rule between hyperparameters that no one field's schema can state. parseSpec refuses a spec that breaks
 * it, naming `field`, so a spec the API accepts never fails on the trainer.
 */
export interface CrossFieldRule<H = Record<string, unknown>> {
  /** The field an error names (the one to change). */
  field: string;
  /** Every field the rule reads; an error gives their values. */
  fields: readonly string[];
  /** The rule as a person reads it, e.g. "sigmaMin < sigmaInit < sigmaMax". */
  rule: string;
  holds(hyperparameters: H): boolean;
}

/** A family as declared below; FamilyInfo adds what is derived from it. */
interface FamilyDeclaration<S extends z.ZodType = z.ZodType> {
  id: string;
  title: string;
  paper: { title: string; authors: string; year: number; url: string };
  axis: SurveyAxis;
  summary: string;
  /** The dataset kinds it trains on (shared/datasets.ts); its datasets are every built-in of these kinds. */
  kinds: readonly DatasetKind[];
  /** Paired sets only: how many times smaller than its target its input is (SRGAN's 4); 1 when unset. */
  upscale?: number;
  /** Strict schema of `hyperparameters`; every field has a default. */
  hyperparameters: S;
  /** Rules between the hyperparameters, checked once each field is valid. */
  rules?: readonly CrossFieldRule<z.output<S>>[];
}

export interface FamilyInfo<S extends z.ZodType = z.ZodType> extends FamilyDeclaration<S> {
  /** Every built-in dataset of the kinds it trains on (derived from `kinds`, in their order). */
  datasets: readonly DatasetId[];
}

/** How many times smaller than its target a paired set's input is (1 for same-size pairs and other kinds). */
export function upscaleOf(dataset: Pick<DatasetInfo, 'shape' | 'inputShape'>): number {
  return dataset.inputShape ? dataset.shape[0]! / dataset.inputShape[0] : 1;
}

/** Each declared family with the built-in datasets of its kinds. */
function withDatasets<const F extends readonly FamilyDeclaration[]>(families: F) {
  return families.map((f) => ({
    ...f,
    // In the order of the family's kinds, so its first dataset (the form's default) is its usual one.
    datasets: f.kinds.flatMap((kind) =>
      DATASETS.filter((d) => d.kind === kind && upscaleOf(d) === (f.upscale ?? 1)).map(
        (d) => d.id as DatasetId,
      ),
    ),
  })) as { [K in keyof F]: F[K] & { datasets: readonly DatasetId[] } };
}

const lossChoice = z
  .enum(['non-saturating', 'minimax'])
  .default('non-saturating')
  .describe('Generator loss: non-saturating (-log D(G(z))) or the original minimax (log(1 - D(G(z)))).');
/** A learning rate: above 0, at most 1. */
const rate = (d: number, what = 'Adam learning rate for G and D.') =>
  z.number().gt(0).max(1).default(d).describe(what);
/** Adam's decay rates. */
const beta1Of = (d: number, what = "Adam's beta1.") => z.number().min(0).max(0.999).default(d).describe(what);
const beta2Of = (d: number, what = "Adam's beta2.") =>
  z.number().min(0).max(0.9999).default(d).describe(what);
const learningRate = rate(2e-4);
/** The two time-scale update rule (SAGAN, BigGAN, SPADE): D learns four times as fast as G, Adam's beta1 0. */
const ttur = {
  gLearningRate: rate(1e-4, "G's Adam learning rate (TTUR: slower than D)."),
  dLearningRate: rate(4e-4, "D's Adam learning rate."),
  beta1: beta1Of(0, "Adam's beta1 for G and D."),
};
const beta1 = beta1Of(0.5);
const latentDim = (d: number) => z.int().min(1).max(1024).default(d).describe('Size of the latent vector z.');

const vanilla = z.strictObject({
  latentDim: latentDim(64),
  hiddenUnits: z.int().min(4).max(4096).default(512).describe('Units in each hidden layer of G and D.'),
  hiddenLayers: z.int().min(1).max(8).default(2).describe('Hidden layers in each of G and D.'),
  loss: lossChoice,
  learningRate,
  beta1,
});

const dcgan = z.strictObject({
  latentDim: latentDim(100),
  gChannels: z
    .int()
    .min(4)
    .max(1024)
    .default(128)
    .describe("G's widest feature maps; G goes gChannels -> gChannels/2 -> image."),
  dChannels: z
    .int()
    .min(4)
    .max(1024)
    .default(64)
    .describe("D's first conv width; D goes dChannels -> 2*dChannels -> logit."),
  loss: lossChoice,
  learningRate,
  beta1,
});

const cgan = z.strictObject({
  latentDim: latentDim(100),
  gChannels: z
    .int()
    .min(4)
    .max(1024)
    .default(128)
    .describe(
      "G's widest feature maps; G takes [z, one-hot label] and goes gChannels -> gChannels/2 -> image.",
    ),
  dChannels: z
    .int()
    .min(4)
    .max(1024)
    .default(64)
    .describe("D's first conv width; D sees the image with the one-hot label as extra channels."),
  loss: lossChoice,
  learningRate,
  beta1,
});

const unrolled = vanilla.extend({
  unrollSteps: z
    .int()
    .min(0)
    .max(100)
    .default(5)
    .describe(
      "K: steps of D's own Adam optimizer (from its current moments) D is looked ahead before G's loss is taken, differentiated through (0 is the Vanilla GAN).",
    ),
});

const presgan = vanilla.extend({
  entropyWeight: z
    .number()
    .min(0)
    .max(100)
    .default(0.01)
    .describe(
      "lambda: weight of the entropy of G's noisy outputs, subtracted from G's loss (0 turns it off).",
    ),
  sigmaInit: z.number().gt(0).default(0.1).describe('Initial output noise scale sigma (every value).'),
  sigmaMin: z.number().gt(0).default(0.001).describe('Lower bound of sigma.'),
  sigmaMax: z.number().gt(0).default(0.3).describe('Upper bound of sigma.'),
  hmcLeapfrogSteps: z.int().min(1).max(100).default(5).describe('Leapfrog steps per HMC transition.'),
  hmcStepSize: z.number().gt(0).max(10).default(0.02).describe('HMC leapfrog step size.'),
  hmcIterations: z
    .int()
    .min(1)
    .max(100)
    .default(2)
    .describe('HMC transitions per step, started from the z that made each sample; the last state is used.'),
});

const presganRules: readonly CrossFieldRule<z.output<typeof presgan>>[] = [
  {
    field: 'sigmaInit',
    fields: ['sigmaMin', 'sigmaInit', 'sigmaMax'],
    rule: 'sigmaMin < sigmaInit < sigmaMax',
    // sigma is a sigmoid between the bounds, so its initial value must lie strictly inside them.
    holds: (hp) => hp.sigmaMin < hp.sigmaInit && hp.sigmaInit < hp.sigmaMax,
  },
];

// WGAN, WGAN-GP and SNGAN keep DCGAN's networks (widths and latent) and change the critic and its training.
const dcganNetworks = dcgan.pick({ latentDim: true, gChannels: true, dChannels: true });
const nCritic = (d: number) =>
  z
    .int()
    .min(1)
    .max(100)
    .default(d)
    .describe('n_critic: critic updates per G update, each on its own batch.');

const wgan = dcganNetworks.extend({
  learningRate: rate(5e-5, 'RMSProp learning rate for G and the critic.'),
  clip: z
    .number()
    .gt(0)
    .max(10)
    .default(0.01)
    .describe('c: every critic weight is clipped to [-c, c] after each critic update.'),
  nCritic: nCritic(5),
  criticWarmup: z
    .int()
    .min(0)
    .max(1000)
    .default(0)
    .describe(
      "Critic updates in place of nCritic for the first 25 G updates and every 500th, as the WGAN paper's code does (it uses 100); 0: none.",
    ),
});

const wganGp = dcganNetworks.extend({
  learningRate: rate(1e-4, 'Adam learning rate for G and the critic.'),
  beta1: beta1Of(0),
  beta2: beta2Of(0.9),
  gpWeight: z.number().min(0).max(1000).default(10).describe('lambda: weight of the gradient penalty.'),
  nCritic: nCritic(5),
});

const sngan = dcganNetworks.extend({
  learningRate,
  beta1,
  beta2: beta2Of(0.999),
  nCritic: nCritic(1),
});

// SAGAN and BigGAN share the class-conditional ResNet networks (trainer/nn/resnet-gan.ts).
const resnetWidth = (who: 'G' | 'D', what: string) =>
  z.int().min(8).max(1024).default(64).describe(`${who}'s channels in every residual block; ${what}`);
const resnetNetworks = z.strictObject({
  gChannels: resnetWidth('G', 'G takes [z, one-hot label].'),
  dChannels: resnetWidth('D', 'D takes [image, one-hot label] and ends in a projection head.'),
  attentionSide: z
    .int()
    .min(4)
    .max(256)
    .default(16)
    .describe(
      'Side of the feature maps the self-attention blocks of G and D see; the side the networks pass through nearest it (14 on 28 px images).',
    ),
  ...ttur,
});

const sagan = resnetNetworks.extend({
  latentDim: latentDim(128),
  beta2: beta2Of(0.9, "Adam's beta2 for G and D."),
  dSteps: z.int().min(1).max(10).default(1).describe('D updates per G update, each on its own batch.'),
});

const biggan = resnetNetworks.extend({
  latentDim: latentDim(120).describe("Size of z, split across G's first layer and its residual blocks."),
  embedDim: z
    .int()
    .min(1)
    .max(1024)
    .default(128)
    .describe("Size of the shared class embedding joined to each block's z chunk."),
  beta2: beta2Of(0.999, "Adam's beta2 for G and D."),
  dSteps: z.int().min(1).max(10).default(2).describe('D updates per G update, each on its own batch.'),
  orthoWeight: z
    .number()
    .min(0)
    .max(1)
    .default(1e-4)
    .describe("beta: weight of the orthogonal regularisation of G's kernels in G's loss (0 turns it off)."),
});

// pix2pix and CycleGAN: image-to-image, no z. Widths are the papers' halved or quartered for 32 px images.
const patchDownsOf = (d: number) =>
  z
    .int()
    .min(0)
    .max(5)
    .default(d)
    .describe(
      "PatchGAN's stride-2 layers: a score's patch is 16 px with 1, 34 px with 2, 70 px with 3 (the paper's 70x70 on 256 px).",
    );
const patchDowns = patchDownsOf(1);

// SRGAN: residual G with sub-pixel upsampling, VGG-style D; widths and depth cut for 8 -> 32 px on a CPU.
const srgan = z.strictObject({
  filters: z
    .int()
    .min(4)
    .max(256)
    .default(32)
    .describe("G's width, in its residual blocks and upsampling (the paper: 64)."),
  blocks: z.int().min(1).max(32).default(4).describe("G's residual blocks (the paper: 16)."),
  bicubicSkip: z
    .boolean()
    .default(true)
    .describe(
      "G's output is added to its input enlarged by bicubic, so G learns only what bicubic misses and starts at bicubic's quality (a global residual, as VDSR and later SR GANs); false: the paper's G, which learns the whole enlargement (tanh output).",
    ),
  dFilters: z
    .int()
    .min(4)
    .max(256)
    .default(32)
    .describe("D's first width, doubled every second conv (the paper: 64)."),
  pretrainFraction: z
    .number()
    .min(0)
    .max(0.95)
    .default(0.5)
    .describe('Share of the steps G first trains on the pixel MSE alone, before the adversarial stage.'),
  contentWeight: z
    .number()
    .min(0)
    .max(1000)
    .default(1)
    .describe(
      "Weight of the content loss (MSE in the project's photo feature network) in G's adversarial-stage loss.",
    ),
  adversarialWeight: z
    .number()
    .min(0)
    .max(10)
    .default(1e-3)
    .describe(
      "Weight of the adversarial term in G's loss (the paper: 1e-3); 0 trains the same G on the pixel MSE throughout (the MSE-only baseline, SRResNet), with no D.",
    ),
  learningRate: rate(1e-4, 'Adam learning rate for G and D (the paper: 1e-4).'),
  beta1: beta1Of(0.9, "Adam's beta1 (the paper: 0.9)."),
});

const pix2pix = z.strictObject({
  gFilters: z
    .int()
    .min(4)
    .max(512)
    .default(32)
    .describe("U-Net's first encoder width, doubled per level up to 8x (the paper: 64)."),
  dFilters: z.int().min(4).max(512).default(32).describe("PatchGAN's first width (the paper: 64)."),
  patchDowns,
  l1Weight: z
    .number()
    .min(0)
    .max(1000)
    .default(100)
    .describe("lambda: weight of the L1 distance to the target in G's loss."),
  adversarialWeight: z
    .number()
    .min(0)
    .max(100)
    .default(1)
    .describe(
      "Weight of the adversarial term in G's loss; 0 trains the same U-Net on L1 alone (the non-adversarial baseline), with no D.",
    ),
  dropoutLayers: z
    .int()
    .min(0)
    .max(8)
    .default(3)
    .describe("Innermost decoder layers with dropout, the U-Net's only noise (the paper: 3)."),
  dropout: z.number().min(0).max(0.9).default(0.5).describe('Dropout rate there.'),
  learningRate,
  beta1,
});

const cyclegan = z.strictObject({
  generator: z
    .enum(['resnet', 'colour-map'])
    .default('resnet')
    .describe(
      'Each G: the ResNet generator, or a per-pixel colour map (one 1x1 convolution and tanh), the baseline trained with the same losses.',
    ),
  gFilters: z.int().min(4).max(256).default(16).describe("ResNet G's first width (the paper: 64)."),
  residualBlocks: z
    .int()
    .min(1)
    .max(12)
    .default(4)
    .describe('Residual blocks at a quarter of the side (the paper: 6 at 128 px, 9 at 256 px).'),
  dFilters: z.int().min(4).max(256).default(16).describe("Each PatchGAN's first width (the paper: 64)."),
  patchDowns,
  cycleWeight: z
    .number()
    .min(0)
    .max(1000)
    .default(10)
    .describe('lambda: weight of each cycle-consistency L1 term (A -> B -> A and B -> A -> B).'),
  identityWeight: z
    .number()
    .min(0)
    .max(10)
    .default(0.5)
    .describe('Weight of each identity L1 term (G_AB(b) ~ b, G_BA(a) ~ a), relative to lambda.'),
  poolSize: z
    .int()
    .min(0)
    .max(1000)
    .default(50)
    .describe('Fakes each history pool keeps for D (0: D sees only the newest fakes).'),
  learningRate,
  beta1,
});

const spade = z.strictObject({
  gFilters: z
    .int()
    .min(4)
    .max(256)
    .default(16)
    .describe(
      "Width of G's finest SPADE residual block; each coarser block doubles it, up to 4x (the paper: 64, up to 16x).",
    ),
  blocks: z
    .int()
    .min(1)
    .max(6)
    .default(4)
    .describe(
      "SPADE residual blocks, one per side, the side doubling between them: G starts from the label map averaged down to the image's side / 2^(blocks - 1).",
    ),
  spadeHidden: z
    .int()
    .min(1)
    .max(256)
    .default(32)
    .describe("Channels of each SPADE's hidden convolution of the label map (the paper: 128)."),
  dFilters: z.int().min(4).max(256).default(16).describe("Each PatchGAN's first width (the paper: 64)."),
  patchDowns: patchDownsOf(2),
  dScales: z
    .int()
    .min(1)
    .max(4)
    .default(2)
    .describe(
      'PatchGANs in the multi-scale D, each on the (map, image) pair halved once more than the last.',
    ),
  featureMatchingWeight: z
    .number()
    .min(0)
    .max(1000)
    .default(10)
    .describe(
      "lambda: weight of the feature-matching L1 term (D's features of real and fake images) in G's loss.",
    ),
  ...ttur,
  beta2: beta2Of(0.9, "Adam's beta2 for G and D."),
});

const infogan = z.strictObject({
  latentDim: latentDim(62),
  noise: z
    .enum(LATENT_NOISES)
    // Runs stored before this field existed drew z from a normal: parseStoredSpec reads their specs so.
    .default('uniform')
    .describe(
      "Distribution of z: 'uniform' in [-1, 1] as the official InfoGAN code draws it (with it the categorical code comes to pick the digit; docs/RESULTS.md), or standard 'normal'.",
    ),
  categoricalCodes: z
    .int()
    .min(2)
    .max(100)
    .default(10)
    .describe('Values of the categorical code (one-hot), which should come to pick the digit.'),
  continuousCodes: z
    .int()
    .min(0)
    .max(16)
    .default(2)
    .describe(
      'Continuous codes, uniform in [-1, 1], which should come to control style (e.g. slant, width).',
    ),
  gChannels: z
    .int()
    .min(4)
    .max(1024)
    .default(128)
    .describe("G's widest feature maps; G takes [z, codes] and goes gChannels -> gChannels/2 -> image."),
  dChannels: z
    .int()
    .min(4)
    .max(1024)
    .default(64)
    .describe("D's first conv width; the D head and the Q head share D's two conv layers."),
  qUnits: z.int().min(4).max(4096).default(128).describe("Hidden units of Q's head."),
  hiddenUnits: z
    .int()
    .min(0)
    .max(4096)
    .default(1024)
    .describe(
      "Fully-connected hidden layer (BN) before G's projection and after D's convs, as in the paper; 0 leaves it out.",
    ),
  rejoinCodes: z
    .boolean()
    .default(false)
    .describe("Join the codes again, tiled, to G's first feature map (the paper joins them to z only)."),
  infoWeight: z
    .number()
    .min(0)
    .max(100)
    .default(1)
    .describe("lambda: weight of the mutual-information loss in both players' losses."),
  continuousInfoWeight: z
    .number()
    .min(0)
    .max(100)
    .default(0.1)
    .describe(
      "Weight of the continuous codes' part of the information loss, relative to the categorical part.",
    ),
  loss: lossChoice,
  learningRate: learningRate.describe("Adam learning rate for D (and Q, which shares D's network)."),
  gLearningRate: rate(1e-3, 'Adam learning rate for G.'),
  beta1,
});

const pggan = z.strictObject({
  latentDim: latentDim(128),
  channels: z
    .int()
    .min(4)
    .max(512)
    .default(64)
    .describe('Feature maps of every block of G and the critic (the paper: 512, fewer at high resolutions).'),
  fadeFraction: rate(
    0.5,
    "Share of each grown resolution's steps spent fading its new layers in (alpha 0 -> 1); the run's steps are split evenly over the resolutions.",
  ),
  mbstdGroup: z
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe('Samples per minibatch standard deviation group (the batch must split into such groups).'),
  learningRate: rate(1e-3, 'Adam learning rate for G and the critic.'),
  beta1: beta1Of(0),
  beta2: beta2Of(0.99),
  gpWeight: z.number().min(0).max(1000).default(10).describe('lambda: weight of the gradient penalty.'),
  drift: z
    .number()
    .min(0)
    .max(1)
    .default(0.001)
    .describe("epsilon: weight of E[D(x)^2], which keeps the critic's real scores from drifting."),
  // The paper's 1 collapsed G to one image by 32x32 in a 2,000-step run here (4 of 10 digits); 5 kept it varied.
  nCritic: nCritic(5),
});

const stylegan = z.strictObject({
  latentDim: latentDim(128),
  wDim: z
    .int()
    .min(1)
    .max(1024)
    .default(128)
    .describe("Size of w, the mapping network's output (the paper: 512)."),
  mappingLayers: z
    .int()
    .min(1)
    .max(16)
    .default(8)
    .describe('Dense layers of the mapping network z -> w (learning rate x0.01).'),
  channels: z
    .int()
    .min(4)
    .max(512)
    .default(64)
    .describe(
      'Feature maps of the synthesis blocks and the discriminator up to 8x8, fewer in proportion above.',
    ),
  mixingProbability: z
    .number()
    .min(0)
    .max(1)
    .default(0.9)
    .describe(
      'Share of training batches whose styles come from two z, switched at a random layer (style mixing).',
    ),
  r1Gamma: z
    .number()
    .min(0)
    .max(1000)
    .default(0.1)
    .describe("gamma: weight of the R1 penalty on D's gradient at real images (the paper: 10 at 1024 px)."),
  wAvgBeta: z
    .number()
    .min(0)
    .max(1)
    .default(0.995)
    .describe('Decay of the running mean of w that truncation pulls towards.'),
  mbstdGroup: z
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe('Samples per minibatch standard deviation group in D (the batch must split into such groups).'),
  learningRate: rate(1e-3),
  beta1: beta1Of(0),
  beta2: beta2Of(0.99),
});

const hologan = z.strictObject({
  latentDim: latentDim(128),
  volumeChannels: z
    .int()
    .min(4)
    .max(512)
    .default(64)
    .describe(
      "Channels of the learned 4x4x4 constant; each 3D transposed convolution halves them on the way to a volume of half the image's side.",
    ),
  projectionChannels: z
    .int()
    .min(4)
    .max(1024)
    .default(128)
    .describe(
      "2D feature maps the projection unit makes of the rotated volume, halved by G's 2D transposed convolution.",
    ),
  dChannels: z.int().min(4).max(1024).default(64).describe("D's first conv width (DCGAN's trunk)."),
  identityWeight: z
    .number()
    .min(0)
    .max(100)
    .default(1)
    .describe(
      "lambda_i: weight of the identity regulariser, D's head reconstructing z from a generated image, in both players' losses (0 turns it off).",
    ),
  loss: lossChoice,
  learningRate: rate(1e-4),
  beta1,
});

const stackgan = z.strictObject({
  latentDim: latentDim(64),
  conditionDim: z
    .int()
    .min(1)
    .max(256)
    .default(16)
    .describe("Size of the condition c sampled from the caption's Gaussian (conditioning augmentation)."),
  gChannels: z
    .int()
    .min(4)
    .max(1024)
    .default(64)
    .describe("Widest feature maps of each stage's G (an even number)."),
  dChannels: z
    .int()
    .min(4)
    .max(1024)
    .default(32)
    .describe("First conv width of each stage's D, doubled at every further downsampling."),
  klWeight: z
    .number()
    .min(0)
    .max(100)
    .default(1)
    .describe("lambda: weight of the conditioning augmentation's KL term in G's loss."),
  stageOneShare: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.5)
    .describe("Share of the run's steps trained in stage I (low resolution); stage II trains the rest."),
  learningRate,
  beta1,
});

const stackganRules: readonly CrossFieldRule<z.output<typeof stackgan>>[] = [
  {
    field: 'gChannels',
    fields: ['gChannels'],
    rule: 'gChannels is even',
    holds: (h) => h.gChannels % 2 === 0,
  },
];

// SinGAN: one image, a pyramid of small fully convolutional GANs. Defaults are the paper's but the finest
// scale (its 250 px) and the iteration budget, which a run's steps set (split evenly over the scales).
const singan = z.strictObject({
  maxSize: z
    .int()
    .min(8)
    .max(SINGLE_LONG_SIDE)
    .default(128)
    .describe("Long side of the finest scale: the image is resized to it (never up), the paper's 250."),
  minSize: z.int().min(4).max(128).default(25).describe('Long side of the coarsest scale (the paper: 25).'),
  scaleFactor: z
    .number()
    .min(0.5)
    .max(0.95)
    .default(0.75)
    .describe(
      'Ratio between neighbouring scales, adjusted so minSize to maxSize takes whole steps (the paper: 0.75).',
    ),
  channels: z
    .int()
    .min(4)
    .max(256)
    .default(32)
    .describe('Feature maps of every convolution of each G_n and D_n.'),
  layers: z
    .int()
    .min(3)
    .max(10)
    .default(5)
    .describe('3x3 convolutions in each G_n and D_n (5: an 11 px receptive field per scale).'),
  nCritic: nCritic(3),
  gSteps: z.int().min(1).max(20).default(3).describe("G_n's updates per step, each on its own noise."),
  gpWeight: z.number().min(0).max(1000).default(0.1).describe('lambda: weight of the gradient penalty.'),
  reconstructionWeight: z
    .number()
    .min(0)
    .max(1000)
    .default(10)
    .describe(
      'alpha: weight of the mean squared error between the image and its reconstruction from the fixed noise.',
    ),
  noiseAmp: z
    .number()
    .gt(0)
    .max(10)
    .default(0.1)
    .describe(
      "Each scale's noise is this times the RMSE of the coarser scales' reconstruction at its size (the coarsest: 1).",
    ),
  adversarialWeight: z
    .number()
    .min(0)
    .max(100)
    .default(1)
    .describe(
      "Weight of the critic's term in G's loss; 0 trains the same pyramid on reconstruction alone (the baseline), with no critics.",
    ),
  learningRate: rate(5e-4, 'Adam learning rate for every G_n and D_n.'),
  beta1,
});

const singanRules: readonly CrossFieldRule<z.output<typeof singan>>[] = [
  {
    field: 'minSize',
    fields: ['minSize', 'maxSize'],
    rule: 'minSize < maxSize',
    holds: (hp) => hp.minSize < hp.maxSize,
  },
];

// The Conditional Analogy GAN: a U-Net G on (person, worn article, new article) painting through a mask.
const cagan = z.strictObject({
  gFilters: z
    .int()
    .min(4)
    .max(512)
    .default(16)
    .describe("U-Net's first encoder width, doubled per level up to 8x."),
  dFilters: z.int().min(4).max(512).default(16).describe("PatchGAN's first width."),
  patchDowns: patchDowns.default(2),
  adversarialWeight: z
    .number()
    .min(0)
    .max(100)
    .default(1)
    .describe(
      "Weight of the adversarial term in G's loss; 0 trains the same G on the cycle and mask terms alone (the non-adversarial baseline), with no D.",
    ),
  cycleWeight: z
    .number()
    .min(0)
    .max(1000)
    .default(1)
    .describe('Weight of the cycle L1: swapping the worn article back into the output recovers the person.'),
  maskWeight: z
    .number()
    .min(0)
    .max(100)
    .default(0.1)
    .describe("Weight of the mask's L1 (keeps the changed region small)."),
  maskTvWeight: z
    .number()
    .min(0)
    .max(100)
    .default(0.1)
    .describe("Weight of the mask's total variation (keeps the changed region in one piece)."),
  dropoutLayers: z
    .int()
    .min(0)
    .max(8)
    .default(0)
    .describe("Innermost decoder layers with dropout (G's only noise; none by default)."),
  dropout: z.number().min(0).max(0.9).default(0.5).describe('Dropout rate there.'),
  learningRate,
  beta1,
});

export const FAMILIES = withDatasets([
  {
    id: 'vanilla',
    title: 'Vanilla GAN',
    paper: {
      title: 'Generative Adversarial Nets',
      authors: 'Goodfellow et al.',
      year: 2014,
      url: 'https://arxiv.org/abs/1406.2661',
    },
    axis: 'image-quality',
    summary: 'MLP generator and discriminator trained with the minimax or non-saturating BCE loss.',
    kinds: ['labelled', 'points2d', 'images'],
    hyperparameters: vanilla,
  },
  {
    id: 'dcgan',
    title: 'DCGAN',
    paper: {
      title: 'Unsupervised Representation Learning with Deep Convolutional Generative Adversarial Networks',
      authors: 'Radford, Metz and Chintala',
      year: 2015,
      url: 'https://arxiv.org/abs/1511.06434',
    },
    axis: 'image-quality',
    summary:
      'Transposed-conv generator with batch norm and ReLU, strided-conv discriminator with LeakyReLU, Adam 2e-4 / 0.5.',
    kinds: ['labelled', 'images'],
    hyperparameters: dcgan,
  },
  {
    id: 'cgan',
    title: 'Conditional GAN',
    paper: {
      title: 'Conditional Generative Adversarial Nets',
      authors: 'Mirza and Osindero',
      year: 2014,
      url: 'https://arxiv.org/abs/1411.1784',
    },
    axis: 'control',
    summary:
      "The class label, one-hot, is joined to G's and D's inputs (and again inside both), so G draws the digit it is asked for.",
    kinds: ['labelled'],
    hyperparameters: cgan,
  },
  {
    id: 'sagan',
    title: 'SAGAN',
    paper: {
      title: 'Self-Attention Generative Adversarial Networks',
      authors: 'Zhang, Goodfellow, Metaxas and Odena',
      year: 2018,
      url: 'https://arxiv.org/abs/1805.08318',
    },
    axis: 'image-quality',
    summary:
      'Class-conditional ResNet G and D with a self-attention block in each, spectral norm on both, conditional batch norm in G, a projection D, the hinge loss and TTUR (G 1e-4, D 4e-4).',
    kinds: ['labelled'],
    hyperparameters: sagan,
  },
  {
    id: 'biggan',
    title: 'BigGAN',
    paper: {
      title: 'Large Scale GAN Training for High Fidelity Natural Image Synthesis',
      authors: 'Brock, Donahue and Simonyan',
      year: 2019,
      url: 'https://arxiv.org/abs/1809.11096',
    },
    axis: 'image-quality',
    summary:
      "SAGAN's networks with a shared class embedding and z split across G's blocks (conditional batch norm from both), orthogonal regularisation of G, two D steps per G step; z truncated at sampling trades variety for fidelity.",
    kinds: ['labelled'],
    hyperparameters: biggan,
  },
  {
    id: 'pix2pix',
    title: 'pix2pix',
    paper: {
      title: 'Image-to-Image Translation with Conditional Adversarial Networks',
      authors: 'Isola, Zhu, Zhou and Efros',
      year: 2017,
      url: 'https://arxiv.org/abs/1611.07004',
    },
    axis: 'image-to-image',
    summary:
      'A U-Net G (skips, dropout as its noise) maps an input image (or a one-hot label map) to its target; a PatchGAN D judges (input, image) pairs patch by patch; G is pulled to the target by an L1 term weighted by lambda.',
    kinds: ['paired', 'labelmap'],
    hyperparameters: pix2pix,
  },
  {
    id: 'srgan',
    title: 'SRGAN',
    paper: {
      title: 'Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial Network',
      authors: 'Ledig, Theis, Huszar, Caballero, Cunningham, Acosta, Aitken, Tejani, Totz, Wang and Shi',
      year: 2017,
      url: 'https://arxiv.org/abs/1609.04802',
    },
    axis: 'image-to-image',
    summary:
      'A residual G with PReLU enlarges a low-resolution image x4 by two sub-pixel (depth-to-space) steps; it first trains on the pixel MSE alone, then against a VGG-style D with a content loss in the features of a network the project trains on the photos.',
    kinds: ['paired'],
    upscale: 4,
    hyperparameters: srgan,
  },
  {
    id: 'cyclegan',
    title: 'CycleGAN',
    paper: {
      title: 'Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks',
      authors: 'Zhu, Park, Isola and Efros',
      year: 2017,
      url: 'https://arxiv.org/abs/1703.10593',
    },
    axis: 'image-to-image',
    summary:
      'Two ResNet Gs (A -> B, B -> A) and two PatchGAN Ds trained with the least-squares loss on unpaired domains, held together by cycle-consistency and identity L1 terms; D sees fakes from a history pool.',
    kinds: ['unpaired'],
    hyperparameters: cyclegan,
  },
  {
    id: 'spade',
    title: 'SPADE',
    paper: {
      title: 'Semantic Image Synthesis with Spatially-Adaptive Normalization',
      authors: 'Park, Liu, Wang and Zhu',
      year: 2019,
      url: 'https://arxiv.org/abs/1903.07291',
    },
    axis: 'image-to-image',
    summary:
      "G paints an image from a label map alone: every residual block normalises its features and modulates them with a scale and shift computed from the map (spatially-adaptive normalisation); a multi-scale PatchGAN judges (map, image) pairs; hinge loss plus feature matching on D's features; TTUR (G 1e-4, D 4e-4).",
    kinds: ['labelmap'],
    hyperparameters: spade,
  },
  {
    id: 'unrolled',
    title: 'Unrolled GAN',
    paper: {
      title: 'Unrolled Generative Adversarial Networks',
      authors: 'Metz, Poole, Pfau and Sohl-Dickstein',
      year: 2017,
      url: 'https://arxiv.org/abs/1611.02163',
    },
    axis: 'training-method',
    summary:
      "The Vanilla GAN's networks, with G's loss taken against D looked ahead K steps of its own Adam optimizer and G's gradient carried back through them; D itself is left as it was.",
    kinds: ['points2d'],
    hyperparameters: unrolled,
  },
  {
    id: 'presgan',
    title: 'Prescribed GAN',
    paper: {
      title: 'Prescribed Generative Adversarial Networks',
      authors: 'Dieng, Ruiz, Blei and Titsias',
      year: 2019,
      url: 'https://arxiv.org/abs/1910.04302',
    },
    axis: 'training-method',
    summary:
      "The Vanilla GAN's networks with a learned noise scale on G's output and an entropy bonus for G, its gradient estimated with HMC samples of z given x.",
    kinds: ['points2d', 'labelled', 'images'],
    hyperparameters: presgan,
    rules: presganRules,
  },
  {
    id: 'wgan',
    title: 'WGAN',
    paper: {
      title: 'Wasserstein GAN',
      authors: 'Arjovsky, Chintala and Bottou',
      year: 2017,
      url: 'https://arxiv.org/abs/1701.07875',
    },
    axis: 'training-method',
    summary:
      "DCGAN's networks with a critic in place of D (no sigmoid) estimating the Wasserstein distance, kept Lipschitz by weight clipping; RMSProp, n_critic critic updates per G update.",
    kinds: ['labelled', 'images'],
    hyperparameters: wgan,
  },
  {
    id: 'wgan-gp',
    title: 'WGAN-GP',
    paper: {
      title: 'Improved Training of Wasserstein GANs',
      authors: 'Gulrajani, Ahmed, Arjovsky, Dumoulin and Courville',
      year: 2017,
      url: 'https://arxiv.org/abs/1704.00028',
    },
    axis: 'training-method',
    summary:
      "WGAN with a gradient penalty (the critic's gradient norm pushed to 1 between real and fake samples) instead of clipping; no batch norm in the critic, Adam 1e-4 / 0 / 0.9.",
    kinds: ['labelled', 'images'],
    hyperparameters: wganGp,
  },
  {
    id: 'sngan',
    title: 'SNGAN',
    paper: {
      title: 'Spectral Normalization for Generative Adversarial Networks',
      authors: 'Miyato, Kataoka, Koyama and Yoshida',
      year: 2018,
      url: 'https://arxiv.org/abs/1802.05957',
    },
    axis: 'training-method',
    summary:
      "DCGAN's generator and a discriminator whose every layer is spectrally normalised (persistent power iteration), trained with the hinge loss.",
    kinds: ['labelled', 'images'],
    hyperparameters: sngan,
  },
  {
    id: 'infogan',
    title: 'InfoGAN',
    paper: {
      title:
        'InfoGAN: Interpretable Representation Learning by Information Maximizing Generative Adversarial Nets',
      authors: 'Chen, Duan, Houthooft, Schulman, Sutskever and Abbeel',
      year: 2016,
      url: 'https://arxiv.org/abs/1606.03657',
    },
    axis: 'control',
    summary:
      "G takes a categorical and continuous codes beside z; a Q head on D's trunk recovers them, maximising a mutual-information bound, so the codes learn digit and style unsupervised.",
    kinds: ['labelled', 'images'],
    hyperparameters: infogan,
  },
  {
    id: 'pggan',
    title: 'Progressive GAN',
    paper: {
      title: 'Progressive Growing of GANs for Improved Quality, Stability, and Variation',
      authors: 'Karras, Aila, Laine and Lehtinen',
      year: 2018,
      url: 'https://arxiv.org/abs/1710.10196',
    },
    axis: 'image-quality',
    summary:
      'G and the critic grow from 4x4 to the image size, each new resolution faded in; pixel norm, minibatch standard deviation, equalized learning rate, WGAN-GP with drift.',
    kinds: ['labelled', 'images'],
    hyperparameters: pggan,
  },
  {
    id: 'stylegan',
    title: 'StyleGAN',
    paper: {
      title: 'A Style-Based Generator Architecture for Generative Adversarial Networks',
      authors: 'Karras, Laine and Aila',
      year: 2019,
      url: 'https://arxiv.org/abs/1812.04948',
    },
    axis: 'image-quality',
    summary:
      'A mapping network turns z into w; the synthesis network starts from a learned constant and restyles every layer from w by AdaIN, with per-layer noise; styles of two z mixed in training; w truncated towards its mean at sampling. Non-saturating loss with R1.',
    kinds: ['labelled', 'images'],
    hyperparameters: stylegan,
  },
  {
    id: 'hologan',
    title: 'HoloGAN',
    paper: {
      title: 'HoloGAN: Unsupervised Learning of 3D Representations From Natural Images',
      authors: 'Nguyen-Phuoc, Li, Theis, Richardt and Yang',
      year: 2019,
      url: 'https://arxiv.org/abs/1904.01326',
    },
    axis: 'training-method',
    summary:
      'A learned 4D constant grown by 3D transposed convolutions with AdaIN from z, rotated rigidly by a sampled camera pose (trilinear resampling), projected to 2D and refined by 2D convolutions: the pose is an input, so sweeping the azimuth turns the object.',
    kinds: ['posed'],
    hyperparameters: hologan,
  },
  {
    id: 'stackgan',
    title: 'StackGAN',
    paper: {
      title: 'StackGAN: Text to Photo-realistic Image Synthesis with Stacked Generative Adversarial Networks',
      authors: 'Zhang et al.',
      year: 2017,
      url: 'https://arxiv.org/abs/1612.03242',
    },
    axis: 'control',
    summary:
      'Draws an image from a caption in two stages: stage I at half size from z and the caption, stage II refining it to full size; a frozen LSTM caption encoder, conditioning augmentation with a KL term, matching-aware discriminators (a real image with a wrong caption is fake).',
    kinds: ['captioned'],
    hyperparameters: stackgan,
    rules: stackganRules,
  },
  {
    id: 'singan',
    title: 'SinGAN',
    paper: {
      title: 'SinGAN: Learning a Generative Model from a Single Natural Image',
      authors: 'Shaham, Dekel and Michaeli',
      year: 2019,
      url: 'https://arxiv.org/abs/1905.01164',
    },
    axis: 'application',
    summary:
      'One image: a pyramid of fully convolutional patch GANs trained coarse to fine (WGAN-GP plus reconstruction from fixed noise), each scale adding detail to the coarser ones; samples at any size, super-resolution and paint-to-image.',
    kinds: ['single'],
    hyperparameters: singan,
    rules: singanRules,
  },
  {
    id: 'cagan',
    title: 'Conditional Analogy GAN',
    paper: {
      title: 'The Conditional Analogy GAN: Swapping Fashion Articles on People Images',
      authors: 'Jetchev and Bergmann',
      year: 2017,
      url: 'https://arxiv.org/abs/1709.04695',
    },
    axis: 'control',
    summary:
      "A U-Net G takes a person, the article they wear and a new article and paints an image and a mask; the person is kept where the mask is 0. A PatchGAN D judges (image, article) pairs, a real person with another article counting as fake; a cycle L1 (swapping the worn article back recovers the person) and the mask's L1 and total variation hold G to the article.",
    kinds: ['articles'],
    hyperparameters: cagan,
  },
] as const satisfies readonly FamilyDeclaration[]);

export type FamilyId = (typeof FAMILIES)[number]['id'];
export const FAMILY_IDS = FAMILIES.map((f) => f.id) as [FamilyId, ...FamilyId[]];

export type Hyperparameters<F extends FamilyId> = z.output<
  Extract<(typeof FAMILIES)[number], { id: F }>['hyperparameters']
>;
export type VanillaHyperparameters = Hyperparameters<'vanilla'>;
export type DcganHyperparameters = Hyperparameters<'dcgan'>;
export type CganHyperparameters = Hyperparameters<'cgan'>;
export type WganHyperparameters = Hyperparameters<'wgan'>;
export type WganGpHyperparameters = Hyperparameters<'wgan-gp'>;
export type SnganHyperparameters = Hyperparameters<'sngan'>;
export type UnrolledHyperparameters = Hyperparameters<'unrolled'>;
export type PresganHyperparameters = Hyperparameters<'presgan'>;
export type InfoganHyperparameters = Hyperparameters<'infogan'>;
export type PgganHyperparameters = Hyperparameters<'pggan'>;
export type StyleganHyperparameters = Hyperparameters<'stylegan'>;
export type HologanHyperparameters = Hyperparameters<'hologan'>;
export type StackganHyperparameters = Hyperparameters<'stackgan'>;
export type SinganHyperparameters = Hyperparameters<'singan'>;
export type SaganHyperparameters = Hyperparameters<'sagan'>;
export type BigganHyperparameters = Hyperparameters<'biggan'>;
export type Pix2pixHyperparameters = Hyperparameters<'pix2pix'>;
export type CycleganHyperparameters = Hyperparameters<'cyclegan'>;
export type SpadeHyperparameters = Hyperparameters<'spade'>;
export type CaganHyperparameters = Hyperparameters<'cagan'>;
export type SrganHyperparameters = Hyperparameters<'srgan'>;

export function familyInfo(id: string): FamilyInfo | undefined {
  return FAMILIES.find((f) => f.id === id);
}

/** Why a family cannot train on a dataset (naming both), or undefined when it can. */
export function datasetMismatch(family: FamilyInfo, dataset: DatasetInfo): string | undefined {
  const [want, has] = [family.upscale ?? 1, upscaleOf(dataset)];
  if (family.kinds.includes(dataset.kind) && want !== has)
    return `family '${family.id}' ${want === 1 ? 'translates pairs of one size' : `enlarges inputs ${want} times`}; dataset '${dataset.id}' pairs ${dataset.inputShape?.join('x') ?? dataset.shape.join('x')} inputs with ${dataset.shape.join('x')} targets`;
  if (family.kinds.includes(dataset.kind)) return undefined;
  return `family '${family.id}' trains on ${family.kinds.map(describeKind).join(' or ')}; dataset '${dataset.id}' holds ${describeKind(dataset.kind)}`;
}

/** The rules `hyperparameters` (already valid field by field) break, as field and message. */
export function brokenRules(
  family: FamilyInfo,
  hyperparameters: Record<string, unknown>,
): { field: string; message: string }[] {
  return (family.rules ?? [])
    .filter((r) => !r.holds(hyperparameters))
    .map((r) => ({
      field: r.field,
      message: `${r.rule} must hold, got ${r.fields.map((f) => `${f} = ${String(hyperparameters[f])}`).join(', ')}`,
    }));
}
