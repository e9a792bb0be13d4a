/**
 * The model catalog: the GAN families that really train, each with its place in the survey, its paper and
 * its hyperparameter schema (defaults included). The trainer implements exactly these ids
 * (trainer/families/index.ts checks it), the API serves them, the dashboard builds its forms from them.
 */
import { z } from 'zod';
import type { DatasetId } from './datasets.ts';

/** The survey's five axes. */
export type SurveyAxis = 'image-quality' | 'training-method' | 'control' | 'image-to-image' | 'application';

export interface FamilyInfo<S extends z.ZodType = z.ZodType> {
  id: string;
  title: string;
  paper: { title: string; authors: string; year: number; url: string };
  axis: SurveyAxis;
  summary: string;
  datasets: readonly DatasetId[];
  /** Strict schema of `hyperparameters`; every field has a default. */
  hyperparameters: S;
}

const lossChoice = z
  .enum(['non-saturating', 'minimax'])
  .default('non-saturating')
  .describe('Generator loss: non-saturating (-log D(G(z))) or the original minimax (log(1 - D(G(z)))).');
const learningRate = z.number().gt(0).max(1).default(2e-4).describe('Adam learning rate for G and D.');
const beta1 = z.number().min(0).max(0.999).default(0.5).describe("Adam's beta1.");
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

export const FAMILIES = [
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
    datasets: ['mnist', 'ring8', 'grid25'],
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
    datasets: ['mnist'],
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
    datasets: ['mnist'],
    hyperparameters: cgan,
  },
] as const satisfies readonly FamilyInfo[];

export type FamilyId = (typeof FAMILIES)[number]['id'];
export const FAMILY_IDS = FAMILIES.map((f) => f.id) as [FamilyId, ...FamilyId[]];

export type Hyperparameters<F extends FamilyId> = z.output<
  Extract<(typeof FAMILIES)[number], { id: F }>['hyperparameters']
>;
export type VanillaHyperparameters = Hyperparameters<'vanilla'>;
export type DcganHyperparameters = Hyperparameters<'dcgan'>;
export type CganHyperparameters = Hyperparameters<'cgan'>;

export function familyInfo(id: string): FamilyInfo | undefined {
  return FAMILIES.find((f) => f.id === id);
}
