/**
 * The twenty families of the survey on its five axes: what each is for and its paper. This is the static,
 * descriptive list; which of them train on this deployment comes from GET /models, never from here.
 */
import type { SurveyAxis } from '../../../shared/catalog.ts';

export interface SurveyFamily {
  /** Catalog ids this entry covers (WGAN and WGAN-GP share one entry). */
  ids: readonly string[];
  title: string;
  axis: SurveyAxis;
  paper: { authors: string; year: number; url: string };
  /** What it is for, in one sentence. */
  purpose: string;
}

export const AXES: readonly { id: SurveyAxis; title: string }[] = [
  { id: 'image-quality', title: 'Image quality' },
  { id: 'training-method', title: 'Training methods' },
  { id: 'control', title: 'Control of what is generated' },
  { id: 'image-to-image', title: 'Image-to-image translation' },
  { id: 'application', title: 'Other applications' },
];

const arxiv = (id: string) => `https://arxiv.org/abs/${id}`;

export const SURVEY: readonly SurveyFamily[] = [
  {
    ids: ['vanilla'],
    title: 'Vanilla GAN',
    axis: 'image-quality',
    paper: { authors: 'Goodfellow et al.', year: 2014, url: arxiv('1406.2661') },
    purpose:
      'The original adversarial game between an MLP generator and discriminator; the baseline for all.',
  },
  {
    ids: ['dcgan'],
    title: 'DCGAN',
    axis: 'image-quality',
    paper: { authors: 'Radford, Metz and Chintala', year: 2015, url: arxiv('1511.06434') },
    purpose: 'Convolutional G and D with batch norm: stable image GANs and a smooth latent space.',
  },
  {
    ids: ['sagan'],
    title: 'SAGAN',
    axis: 'image-quality',
    paper: { authors: 'Zhang et al.', year: 2018, url: arxiv('1805.08318') },
    purpose:
      'Self-attention lets distant parts of an image agree; spectral norm and hinge loss keep it stable.',
  },
  {
    ids: ['pggan'],
    title: 'Progressive GAN',
    axis: 'image-quality',
    paper: { authors: 'Karras et al.', year: 2018, url: arxiv('1710.10196') },
    purpose: 'Grows G and D from 4 px upwards with fade-in, to reach high resolutions stably.',
  },
  {
    ids: ['stylegan'],
    title: 'StyleGAN',
    axis: 'image-quality',
    paper: { authors: 'Karras, Laine and Aila', year: 2019, url: arxiv('1812.04948') },
    purpose:
      'A mapping network and per-layer styles (AdaIN) separate coarse from fine features; style mixing.',
  },
  {
    ids: ['biggan'],
    title: 'BigGAN',
    axis: 'image-quality',
    paper: { authors: 'Brock, Donahue and Simonyan', year: 2019, url: arxiv('1809.11096') },
    purpose: 'Class-conditional GAN at scale; the truncation trick trades variety for fidelity.',
  },
  {
    ids: ['unrolled'],
    title: 'Unrolled GAN',
    axis: 'training-method',
    paper: { authors: 'Metz et al.', year: 2017, url: arxiv('1611.02163') },
    purpose: 'G optimises against a discriminator unrolled a few steps ahead, which fights mode collapse.',
  },
  {
    ids: ['wgan', 'wgan-gp'],
    title: 'WGAN and WGAN-GP',
    axis: 'training-method',
    paper: { authors: 'Arjovsky et al.; Gulrajani et al.', year: 2017, url: arxiv('1704.00028') },
    purpose: 'A critic estimating the Wasserstein distance (weight clipping, then a gradient penalty).',
  },
  {
    ids: ['sngan'],
    title: 'SNGAN',
    axis: 'training-method',
    paper: { authors: 'Miyato et al.', year: 2018, url: arxiv('1802.05957') },
    purpose: "Spectral normalisation bounds D's Lipschitz constant cheaply, layer by layer.",
  },
  {
    ids: ['hologan'],
    title: 'HoloGAN',
    axis: 'training-method',
    paper: { authors: 'Nguyen-Phuoc et al.', year: 2019, url: arxiv('1904.01326') },
    purpose: 'Learns 3D structure from 2D images: a rotated feature volume gives control over pose.',
  },
  {
    ids: ['presgan'],
    title: 'Prescribed GAN',
    axis: 'training-method',
    paper: { authors: 'Dieng et al.', year: 2019, url: arxiv('1910.04302') },
    purpose: "Noise on G's output and an entropy term keep the generator from dropping modes.",
  },
  {
    ids: ['cgan'],
    title: 'Conditional GAN',
    axis: 'control',
    paper: { authors: 'Mirza and Osindero', year: 2014, url: arxiv('1411.1784') },
    purpose: 'The class label is given to G and D, so you choose the class that is drawn.',
  },
  {
    ids: ['infogan'],
    title: 'InfoGAN',
    axis: 'control',
    paper: { authors: 'Chen et al.', year: 2016, url: arxiv('1606.03657') },
    purpose: 'Latent codes made recoverable from the image learn meaningful factors without labels.',
  },
  {
    ids: ['pix2pix'],
    title: 'pix2pix',
    axis: 'image-to-image',
    paper: { authors: 'Isola et al.', year: 2017, url: arxiv('1611.07004') },
    purpose: 'Paired image translation: a U-Net G and a PatchGAN D plus an L1 loss.',
  },
  {
    ids: ['cyclegan'],
    title: 'CycleGAN',
    axis: 'image-to-image',
    paper: { authors: 'Zhu et al.', year: 2017, url: arxiv('1703.10593') },
    purpose: 'Unpaired translation between two domains, held together by a cycle-consistency loss.',
  },
  {
    ids: ['spade'],
    title: 'SPADE',
    axis: 'image-to-image',
    paper: { authors: 'Park et al.', year: 2019, url: arxiv('1903.07291') },
    purpose: 'Paints images from semantic label maps, the map modulating every normalisation layer.',
  },
  {
    ids: ['stackgan'],
    title: 'StackGAN',
    axis: 'application',
    paper: { authors: 'Zhang et al.', year: 2017, url: arxiv('1612.03242') },
    purpose: 'Text to image in two stages: a rough low-resolution sketch, then a refined image.',
  },
  {
    ids: ['srgan'],
    title: 'SRGAN',
    axis: 'application',
    paper: { authors: 'Ledig et al.', year: 2017, url: arxiv('1609.04802') },
    purpose: 'Super-resolution x4 with a perceptual loss: sharper detail than pixel-loss models.',
  },
  {
    ids: ['cagan'],
    title: 'Conditional Analogy GAN',
    axis: 'application',
    paper: { authors: 'Jetchev and Bergmann', year: 2017, url: arxiv('1709.04695') },
    purpose: 'Virtual try-on: swaps the article a person wears for another, keeping the rest.',
  },
  {
    ids: ['singan'],
    title: 'SinGAN',
    axis: 'application',
    paper: { authors: 'Shaham, Dekel and Michaeli', year: 2019, url: arxiv('1905.01164') },
    purpose: 'Learns from one image a pyramid of patch GANs that makes new images of any size from it.',
  },
];

/** The survey entry a catalog id belongs to. */
export function surveyEntry(familyId: string): SurveyFamily | undefined {
  return SURVEY.find((f) => f.ids.includes(familyId));
}
