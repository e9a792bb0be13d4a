/**
 * eval.json: what the evaluation of a run's exported generator records (GANS.md, "Quality metrics"). The
 * trainer writes it at the end of a run (and `npm run eval` for any run folder); the API serves it with
 * presigned URLs of its pictures; the dashboard shows it on the run page.
 */
import type { DatasetId } from './datasets.ts';
import { runFiles } from './keys.ts';

/**
 * Datasets with a defined evaluation: cFID and classes on MNIST (28 px, and 32 px cropped back to the 28 px
 * it was padded from) and Fashion-MNIST (each by its own classifier), modes and HQ% on the 2D mixtures,
 * translations of the paired and unpaired digit sets on their held-out copies, the paintings of the scenes'
 * label maps (read back by the scenes' segmenter), article swaps on the figures-articles set's held-out copy,
 * the azimuth sweep of a pose-taking generator on the posed renders (by the pose regressor).
 */
export const EVALUATED_DATASETS: readonly DatasetId[] = [
  'mnist',
  'mnist32',
  'fashion-mnist',
  'ring8',
  'grid25',
  'edges2digits',
  'thick-digits',
  'digits2mnistm',
  'scenes',
  'figures-articles',
  'posed-objects',
  'photos-x4',
  'photo-astronaut',
  'photo-chelsea',
  'photo-coffee',
];

export function hasEvaluation(dataset: string, uploadKind?: string): boolean {
  // An uploaded pair set is scored on its held-out pairs; no classifier of the project's reads other uploads.
  if (dataset.startsWith('upload:')) return uploadKind === 'paired';
  return (EVALUATED_DATASETS as readonly string[]).includes(dataset);
}

export interface BackendRecord {
  name?: string;
  tfjsBackend: string;
  detail?: string;
}

export interface CfidResult {
  value: number;
  generatedSamples: number;
  realSamples: number;
  featureDim: number;
}

export interface ModesResult {
  /** Modes that are the nearest mode of at least 1% of the samples as high-quality samples (25 of 2,500). */
  modesCovered: number;
  modesTotal: number;
  /** 100 x high-quality samples / samples. */
  hqPercent: number;
  hqSamples: number;
  samples: number;
  /** High-quality samples per mode, in the mixture's mode order. */
  hqPerMode: number[];
}

export interface BestMapping {
  /** Share of samples whose class is the one their code value is mapped to. */
  accuracy: number;
  /** mapping[code value] = class, or -1 when there are more code values than classes and it got none. */
  mapping: number[];
  /** confusion[code value][class] = samples. */
  confusion: number[][];
  samples: number;
}

export interface ClassCounts {
  samples: number;
  counts: number[];
  covered: number;
}

interface EvalCommon {
  version: number;
  createdAt: string;
  run: {
    /** The run's folder, or its S3 location. */
    dir: string;
    family: string;
    dataset: DatasetId | `upload:${string}`;
    steps: number;
    specSeed: number;
    latentDim: number;
  };
  seed: number;
  samples: number;
  backend: BackendRecord;
  seconds: number;
}

/** One point of a truncation sweep: z drawn from a normal truncated at `threshold` (null: untruncated). */
export interface TruncationPoint {
  threshold: number | null;
  classAccuracy: number;
  cfid: number;
}

export interface ImageEval extends EvalCommon {
  kind: 'images';
  /** Latent interpolation and class-mean z arithmetic pictures (written with eval.json). */
  latentGrids?: { interpolation: string; arithmetic: string; arithmeticClassCounts: number[] };
  cfid: CfidResult & { realSet: string };
  classes: { first1000: ClassCounts; all: ClassCounts };
  /** Conditional generators only: share of samples the classifier puts in the class that was asked for. */
  classAccuracy?: { value: number; samples: number; classes: number };
  /** Generators with latent codes only (InfoGAN): the categorical code's best mapping to classes. */
  codes?: { categorical: number; continuous: number; bestMapping: BestMapping; traversals: string[] };
  /**
   * Conditional generators with the truncation ability (BigGAN): class accuracy and cFID against the
   * truncation threshold, each point on `samples` samples, and their plot.
   */
  truncation?: { samples: number; points: TruncationPoint[]; plot: string };
  /**
   * Style-based generators only: the style-mixing grid. Row i, column j is drawn with the styles of the
   * layers before `crossover` from the left column's z_i (coarse) and the rest from the top row's z_j (fine).
   */
  styleMixing?: { picture: string; crossover: number; layerSides: number[]; sources: number };
  classifier: {
    weights: string;
    testAccuracy: number | null;
    testImages: number | null;
    featureLayer: string;
    featureDim: number;
  };
  definitions: {
    cfid: string;
    classesCovered: string;
    classMinShare: number;
    classAccuracy?: string;
    bestMapping?: string;
    truncation?: string;
  };
}

export interface PointsEval extends EvalCommon {
  kind: 'points2d';
  modes: ModesResult;
  definitions: {
    hq: string;
    covered: string;
    hqSigmas: number;
    sigma: number;
    modes: [number, number][];
  };
}

/** A translation against its target, averaged over the held-out images (trainer/eval/image-quality.ts). */
export interface ReconstructionScores {
  l1: number;
  psnr: number;
  ssim: number;
}

/** Classes read back from images against the true ones, over every pixel (trainer/eval/segmenter.ts). */
export interface SegmentationScores {
  /** Mean over the classes present of |read and true| / |read or true|. */
  mIoU: number;
  pixelAccuracy: number;
  /** IoU by class name, for the classes present. */
  perClass: Record<string, number>;
}

/** How a judging classifier was trained and how well it reads held-out data. */
export interface JudgeRecord {
  weights: string;
  testAccuracy: number | null;
  testImages: number | null;
}

/** A translating generator (pix2pix, CycleGAN, the Conditional Analogy GAN) scored on its set's held-out copy. */
export interface TranslationEval extends EvalCommon {
  kind: 'translation';
  /** Paired sets: outputs against targets, beside the input copied through as the output. */
  paired?: {
    model: ReconstructionScores;
    copyThrough: ReconstructionScores;
    /** Digit sets: outputs against the held-out targets, in the MNIST classifier's features (none for uploads). */
    cfid?: CfidResult & { realSet: string };
    copyThroughCfid?: number;
  };
  /**
   * Super-resolution sets (a paired set whose input is smaller): outputs against the held-out targets beside
   * the input enlarged by bicubic resampling, and the outputs' high-frequency energy against the targets'.
   */
  superResolution?: {
    factor: number;
    model: ReconstructionScores;
    bicubic: ReconstructionScores;
    /** Mean energy of what a x`factor` reduction removes (see definitions.highFrequency), and its ratios. */
    highFrequency: {
      model: number;
      bicubic: number;
      target: number;
      modelRatio: number;
      bicubicRatio: number;
    };
  };
  /** Unpaired sets: each direction, read by the set's domain classifier (domain and digit). */
  unpaired?: {
    /** A -> B: share read as domain B; digit kept (A's label) as the domain classifier reads the output. */
    toB: { targetDomain: number; classKept: number; roundTripClassKept: number };
    /** B -> A: share read as domain A; digit kept (B's label) as it reads the output. */
    toA: { targetDomain: number; classKept: number; roundTripClassKept: number };
    /** The domain classifier's digit accuracy on real held-out B images: how far its reading of B is to trust. */
    digitsOnRealB: number;
    domainClassifier: JudgeRecord;
  };
  /** Articles sets (the Conditional Analogy GAN): each held-out person given the next item's article. */
  analogy?: {
    model: AnalogyScores;
    /** The person copied through unchanged: the reader then reads the new article only where it matches. */
    copyThrough: AnalogyScores;
    /** The worn article's region filled with the new article's mean colour (no pattern), the person kept. */
    pasteColour: AnalogyScores;
    /** The reader on the held-out people themselves, against their own articles. */
    readerOnReal: { colour: number; pattern: number; both: number };
    /** The stated bound on outsideL1 for the model's swaps to count as keeping the rest of the image. */
    outsideBound: number;
    /** model.both >= 0.8 and model.outsideL1 <= outsideBound. */
    works: boolean;
    articleReader: JudgeRecord;
  };
  /**
   * Label-map sets: the segmenter's reading of the generated scenes against the maps they were painted from,
   * beside its reading of the real held-out scenes (the best a generator can be scored).
   */
  labelMap?: {
    generated: SegmentationScores;
    real: SegmentationScores;
    segmenter: JudgeRecord;
  };
  /** The MNIST classifier for digit sets; absent on a label-map set. */
  classifier?: JudgeRecord;
  definitions: Record<string, string>;
}

/** An articles swap's scores: the new article's attributes read from the output, and what changed outside. */
export interface AnalogyScores {
  colour: number;
  pattern: number;
  both: number;
  /** Mean |output - person| over the pixels outside the worn article's region, images in [-1, 1]. */
  outsideL1: number;
}

/**
 * A pose-taking generator (HoloGAN) on posed renders: `rows` z, each drawn at `azimuths` azimuths evenly
 * round the circle at one elevation, the azimuth of every image read by the pose regressor.
 */
export interface PoseEval extends EvalCommon {
  kind: 'posed';
  sweep: {
    azimuths: number;
    rows: number;
    elevation: number;
    /** Fisher-Lee circular correlation of read against commanded azimuth, over pairs of images of one z. */
    circularCorrelation: number;
    /** The same per z (row), summarised. */
    perRow: { median: number; min: number; max: number };
    /** Rows of the sweep as a picture (a row a z, the azimuth along it). */
    picture: string;
  };
  regressor: {
    weights: string;
    heldOutCorrelation: number | null;
    heldOutMedianErrorDegrees: number | null;
  };
  definitions: { circularCorrelation: string };
}

/** A single-image generator (SinGAN) against its one image (trainer/eval/single-image.ts). */
export interface SingleImageEval extends EvalCommon {
  kind: 'single-image';
  /** [height, width] of the finest scale: the image as the pyramid was trained on it. */
  size: [number, number];
  scales: number;
  /** How patches were compared (trainer/eval/patch-swd.ts). */
  patchStatistics: { patch: number; projections: number; patches: number };
  /** Patch SWD between the samples at the training size and the image (lower: the image's patch statistics). */
  patchSwd: number;
  /** The same for the image blurred (halved and brought back): how far a blur alone sits. */
  blurredPatchSwd: number;
  /** Per-pixel sd over the samples over the image's pixel sd (0: every sample the same). */
  diversity: number;
  /** Samples at other sizes and aspect ratios (every scale's size times the factors). */
  otherSizes: { size: [number, number]; patchSwd: number }[];
  /** The image brought down one scale then back up by the finest generator (super-resolution mode), `times` times. */
  superResolution: { times: number; psnr: number; resizePsnr: number };
  /** A rough painting of the image (colours posterised, detail removed) injected at `scale`. */
  paintToImage: { scale: number; patchSwd: number; paintPatchSwd: number };
  pictures: { samples: string; resized: string; superResolution: string; paint: string };
  definitions: Record<string, string>;
}

export type EvalResult = ImageEval | PointsEval | TranslationEval | PoseEval | SingleImageEval;

export interface EvalPicture {
  /** Run-relative key (shared/keys.ts runFiles). */
  key: string;
  title: string;
}

/** The pictures an evaluation wrote beside eval.json, with what each shows. */
export function evaluationPictures(result: EvalResult): EvalPicture[] {
  if (result.kind === 'posed')
    return [{ key: result.sweep.picture, title: 'Azimuth sweep: a row a z, the commanded azimuth along it' }];
  const pictures: EvalPicture[] = [];
  if (result.kind === 'single-image') {
    const p = result.pictures;
    pictures.push(
      { key: p.samples, title: 'Samples at the training size (the image first)' },
      { key: p.resized, title: 'Samples at other sizes and aspect ratios' },
      {
        key: p.superResolution,
        title: 'Super-resolution: the halved image, plain resize, the finest G, the image',
      },
      { key: p.paint, title: 'Paint-to-image: the painting, its rendering, the image' },
    );
  }
  if (result.kind !== 'images')
    return pictures.filter((p) => p.key.startsWith(runFiles.evalDir) && !p.key.includes('..'));
  if (result.latentGrids) {
    pictures.push(
      { key: result.latentGrids.interpolation, title: 'Latent interpolation' },
      { key: result.latentGrids.arithmetic, title: 'Latent arithmetic (class-mean z)' },
    );
  }
  if (result.truncation) {
    pictures.push({
      key: result.truncation.plot,
      title:
        'Truncation sweep: class accuracy (blue, higher is better) and cFID (red, lower is better) against the threshold',
    });
  }
  if (result.styleMixing) {
    const { crossover, layerSides } = result.styleMixing;
    const coarse = [...new Set(layerSides.slice(0, crossover))].join(', ');
    const fine = [...new Set(layerSides.slice(crossover))].join(', ');
    pictures.push({
      key: result.styleMixing.picture,
      title: `Style mixing: styles at ${coarse} px from the left column, at ${fine} px from the top row`,
    });
  }
  result.codes?.traversals.forEach((key, j) => {
    pictures.push({ key, title: `Continuous code ${j} traversal` });
  });
  // Only keys inside the run's eval folder: eval.json is data, not a way to presign arbitrary objects.
  return pictures.filter((p) => p.key.startsWith(runFiles.evalDir) && !p.key.includes('..'));
}

/** A metric of eval.json as a number, and which way is better. */
export interface MetricValue {
  value: number;
  better: 'lower' | 'higher';
}

/**
 * The headline numbers of an evaluation, by name, in the order they matter most: what a group summarises
 * as mean ± sd and ranks its members by (the first one present).
 */
export function evalMetrics(result: EvalResult): Record<string, MetricValue> {
  if (result.kind === 'points2d') {
    return {
      modesCovered: { value: result.modes.modesCovered, better: 'higher' },
      hqPercent: { value: result.modes.hqPercent, better: 'higher' },
    };
  }
  if (result.kind === 'single-image') {
    return {
      patchSwd: { value: result.patchSwd, better: 'lower' },
      diversity: { value: result.diversity, better: 'higher' },
      ...Object.fromEntries(
        result.otherSizes.map((o) => [
          `patchSwd${o.size[0]}x${o.size[1]}`,
          { value: o.patchSwd, better: 'lower' },
        ]),
      ),
      superResolutionPsnr: { value: result.superResolution.psnr, better: 'higher' },
      paintPatchSwd: { value: result.paintToImage.patchSwd, better: 'lower' },
    };
  }
  if (result.kind === 'translation') {
    const metrics: Record<string, MetricValue> = {};
    if (result.paired) {
      metrics.l1 = { value: result.paired.model.l1, better: 'lower' };
      metrics.psnr = { value: result.paired.model.psnr, better: 'higher' };
      metrics.ssim = { value: result.paired.model.ssim, better: 'higher' };
      if (result.paired.cfid) metrics.cfid = { value: result.paired.cfid.value, better: 'lower' };
    }
    if (result.labelMap) {
      metrics.mIoU = { value: 100 * result.labelMap.generated.mIoU, better: 'higher' };
      metrics.realMIoU = { value: 100 * result.labelMap.real.mIoU, better: 'higher' };
    }
    if (result.superResolution) {
      const sr = result.superResolution;
      metrics.psnr = { value: sr.model.psnr, better: 'higher' };
      metrics.ssim = { value: sr.model.ssim, better: 'higher' };
      metrics.psnrOverBicubic = { value: sr.model.psnr - sr.bicubic.psnr, better: 'higher' };
      metrics.highFrequencyGap = { value: 100 * Math.abs(sr.highFrequency.modelRatio - 1), better: 'lower' };
    }
    if (result.unpaired) {
      const { toA, toB } = result.unpaired;
      metrics.targetDomainBA = { value: 100 * toA.targetDomain, better: 'higher' };
      metrics.classKeptBA = { value: 100 * toA.classKept, better: 'higher' };
      metrics.targetDomainAB = { value: 100 * toB.targetDomain, better: 'higher' };
      metrics.classKeptAB = { value: 100 * toB.classKept, better: 'higher' };
    }
    if (result.analogy) {
      metrics.attributesRead = { value: 100 * result.analogy.model.both, better: 'higher' };
      metrics.outsideL1 = { value: result.analogy.model.outsideL1, better: 'lower' };
    }
    return metrics;
  }
  if (result.kind === 'posed')
    return { azimuthCorrelation: { value: result.sweep.circularCorrelation, better: 'higher' } };
  const metrics: Record<string, MetricValue> = { cfid: { value: result.cfid.value, better: 'lower' } };
  if (result.codes)
    metrics.codeAccuracy = { value: 100 * result.codes.bestMapping.accuracy, better: 'higher' };
  if (result.classAccuracy)
    metrics.classAccuracy = { value: 100 * result.classAccuracy.value, better: 'higher' };
  metrics.classesCovered = { value: result.classes.all.covered, better: 'higher' };
  return metrics;
}
