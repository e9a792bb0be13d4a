/**
 * Evaluates an exported generator against the metrics of GANS.md and writes {run}/eval.json:
 * images (mnist): cFID against the 10,000 MNIST test images plus class histograms, and for a conditional
 * generator ([z, one-hot label] -> image) the class accuracy of samples asked for uniformly spread classes;
 * points (ring8, grid25): modes covered and HQ%; posed renders (posed-objects) with a pose-taking generator
 * ([z, pose] -> image): the azimuth sweep read by the pose regressor (azimuth-sweep.ts).
 */
import { existsSync, statSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { SinganHyperparameters } from '../../shared/catalog.ts';
import { datasetInfo, holdsImages } from '../../shared/datasets.ts';
import {
  type AnalogyScores,
  type BackendRecord,
  type CfidResult,
  type ClassCounts,
  EVALUATED_DATASETS,
  type EvalResult,
  hasEvaluation,
} from '../../shared/evaluation.ts';
import { runFiles } from '../../shared/keys.ts';
import { type LatentNoise, latentNoiseOf } from '../../shared/latent.ts';
import type { ExperimentSpec } from '../../shared/spec.ts';
import { Rng, Stream } from '../data/rng.ts';
import { MIXTURES, type Mixture } from '../data/toy2d.ts';
import type { LatentCodes, PoseRange } from '../gan.ts';
import { type ReadDescriptor, readGeneratorDescriptor } from '../generator.ts';
import { codeTensor, latentValues, oneHotLabels, truncatedNormals } from '../latents.ts';
import { linePlot } from '../render/plot.ts';
import { encodePng } from '../render/png.ts';
import { readRunSpec } from '../run-spec.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkLoader } from '../sinks/model-io.ts';
import { type ArtifactSink, locationOf } from '../sinks/types.ts';
import {
  analyze,
  CLASSIFIED_IMAGES,
  type ClassifiedDataset,
  classifierDir,
  FEATURE_LAYER,
  IMAGE_SHAPE,
  loadClassifier,
  NUM_CLASSES,
  readTrainingRecord,
} from './classifier.ts';

/** The classifier that judges a dataset's generators (the image datasets with an evaluation). */
function classifiedAs(dataset: string): ClassifiedDataset {
  return dataset === 'fashion-mnist' ? 'fashion-mnist' : 'mnist';
}

import { evaluateAnalogy } from './analogy.ts';
import { azimuthSweep } from './azimuth-sweep.ts';
import { bestMappingAccuracy, codeTraversalGrid, evalCodeValue, evalContinuousCodes } from './codes.ts';
import { type GaussianStats, gaussianStats } from './frechet.ts';
import { arithmeticGrid, interpolationGrid } from './latent-grids.ts';
import {
  cfid,
  classAccuracy,
  classesCovered,
  classHistogram,
  HQ_SIGMAS,
  MODE_MIN_SHARE,
  modeMinSamples,
  modesAndHq,
} from './metrics.ts';
import { loadPoseRegressor, POSE_REGRESSOR_DIR, readPoseRegressorRecord } from './pose-regressor.ts';
import { evaluateSingleImage } from './single-image.ts';
import { styleMixingGrid } from './style-mixing.ts';
import { evaluateTranslation } from './translation.ts';

export const DEFAULT_IMAGE_SAMPLES = 10_000;
export const DEFAULT_POINT_SAMPLES = 2_500;
/** GANS.md reads class spread off a 1,000-sample draw as well as the full one. */
export const HISTOGRAM_SMALL = 1_000;
/** Share of samples a class needs to count as covered (see metrics.classesCovered). */
export const CLASS_MIN_SHARE = 0.01;
export const EVAL_VERSION = 1;

/**
 * Problems with what was asked for (missing folder or generator; unsupported dataset). A missing or invalid
 * spec is a RunSpecError (run-spec.ts).
 */
export class EvalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalInputError';
  }
}

export interface EvalOptions {
  /** Generated samples; 10,000 for images, 2,500 for points by default. */
  samples?: number;
  /** Seeds the latents (stream Stream.eval); the run's spec seed by default. */
  seed?: number;
  /** Generator forward batch. */
  batchSize?: number;
  /** Reuse an already loaded classifier (tests, or evaluating many runs in one process). */
  classifier?: tf.LayersModel;
  /** What initBackend reported, recorded in eval.json; else just tf.getBackend(). */
  backend?: BackendRecord;
  /** Write {dir}/eval.json (default true). */
  write?: boolean;
  /** The run's spec when the caller has already read it (the trainer at the end of a run); else read. */
  spec?: ExperimentSpec;
}

/** A run folder as an artifact sink; a missing folder is an EvalInputError naming it. */
export function runFolder(dir: string): LocalArtifactSink {
  if (!dir) throw new EvalInputError('no run folder given');
  if (!existsSync(dir)) throw new EvalInputError(`run folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new EvalInputError(`${dir} is not a folder`);
  return new LocalArtifactSink(dir);
}

const sinkOf = (run: string | ArtifactSink) => (typeof run === 'string' ? runFolder(run) : run);

async function loadGenerator(sink: ArtifactSink): Promise<tf.LayersModel> {
  const at = locationOf(sink, runFiles.generatorModel);
  if (!(await sink.get(runFiles.generatorModel))) {
    throw new EvalInputError(`no exported generator: ${at} is missing`);
  }
  try {
    return await tf.loadLayersModel(sinkLoader(sink, runFiles.generatorDir));
  } catch (err) {
    throw new EvalInputError(`${at} could not be loaded: ${(err as Error).message}`);
  }
}

/**
 * What evaluation feeds the generator, read off its descriptor: z [N, latentDim], and for a conditional one
 * a one-hot label [N, classes], or for one with latent codes (InfoGAN) the codes [N, categorical + continuous].
 */
interface GeneratorInputs {
  latentDim: number;
  noise: LatentNoise;
  classes?: number;
  codes?: LatentCodes;
  /** A pose-taking generator's pose ranges (degrees). */
  pose?: PoseRange;
}

/** The descriptor's inputs, checked against the model's; every mismatch is an EvalInputError naming both. */
function inputsOf(
  { descriptor, from }: ReadDescriptor,
  generator: tf.LayersModel,
  dir: string,
): GeneratorInputs {
  const listed = descriptor.inputs;
  if (generator.inputs.length !== listed.length) {
    throw new EvalInputError(
      `the generator in ${dir} takes ${generator.inputs.length} inputs; ${from} lists ${listed.length} (${listed.map((i) => `${i.name}: ${i.kind}`).join(', ')})`,
    );
  }
  const [latent, second] = listed;
  if (latent?.kind !== 'latent' || (second && !['class', 'code', 'pose'].includes(second.kind))) {
    throw new EvalInputError(
      `${from}: the generator takes ${listed.map((i) => i.kind).join(', ')}; evaluation feeds z, or z and a one-hot label, latent codes or a pose`,
    );
  }
  const modelShape = (i: number) => generator.inputs[i]!.shape;
  const fits = (i: number) => {
    const s = modelShape(i);
    return s.length === listed[i]!.shape.length + 1 && listed[i]!.shape.every((d, k) => s[k + 1] === d);
  };
  if (!fits(0)) {
    const z = modelShape(0);
    throw new EvalInputError(
      z.length !== 2 || typeof z[1] !== 'number'
        ? `the generator in ${dir} takes input shape [${z}], expected [N, latentDim]`
        : `${from}: latentDim is ${latent.shape[0]} but the generator in ${dir} takes z of size ${z[1]}`,
    );
  }
  let classes: number | undefined;
  let codes: LatentCodes | undefined;
  let pose: PoseRange | undefined;
  if (second?.kind === 'pose') {
    if (!fits(1))
      throw new EvalInputError(
        `${from}: a pose [2], but the generator in ${dir} takes [${modelShape(1)}] beside z`,
      );
    pose = { azimuth: second.azimuth, elevation: second.elevation };
  } else if (second?.kind === 'code') {
    codes = { categorical: second.categorical, continuous: second.continuous };
    if (!fits(1))
      throw new EvalInputError(
        `${from}: ${codes.categorical} + ${codes.continuous} latent codes, but the generator in ${dir} takes [${modelShape(1)}] beside z`,
      );
  } else if (second?.kind === 'class') {
    if (!fits(1) || second.classes !== NUM_CLASSES) {
      throw new EvalInputError(
        `the generator in ${dir} takes a second input of shape [${modelShape(1)}], expected a one-hot label [N, ${NUM_CLASSES}]`,
      );
    }
    classes = second.classes;
  }
  return {
    latentDim: latent.shape[0]!,
    noise: latentNoiseOf(descriptor),
    ...(classes !== undefined ? { classes } : {}),
    ...(codes ? { codes } : {}),
    ...(pose ? { pose } : {}),
  };
}

async function describedBy(
  sink: ArtifactSink,
  spec: ExperimentSpec,
  generator: tf.LayersModel,
): Promise<ReadDescriptor> {
  try {
    return await readGeneratorDescriptor(sink, spec, generator);
  } catch (err) {
    throw new EvalInputError((err as Error).message);
  }
}

/** The class a conditional generator is asked for in eval sample i: uniform over the classes. */
function requestedClass(i: number, classes: number): number {
  return i % classes;
}

/**
 * n generator outputs from z drawn with Rng(seed, Stream.eval) as the run drew it, or from a normal
 * truncated at `truncation` (and, for a conditional generator, sample i asked for requestedClass(i)), as one
 * flat array of n x perSample values; any output layout with that many values per sample is accepted. Of a
 * generator with extra outputs (attention maps), the first: the sample.
 */
function generate(
  generator: tf.LayersModel,
  { latentDim, noise, classes, codes }: GeneratorInputs,
  n: number,
  perSample: number,
  seed: number,
  batch: number,
  dir: string,
  truncation?: number,
): Float32Array {
  const rng = new Rng(seed, Stream.eval);
  const out = new Float32Array(n * perSample);
  const continuous = codes ? evalContinuousCodes(n, codes, seed) : undefined;
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const z =
      truncation === undefined
        ? latentValues(rng, b * latentDim, noise)
        : truncatedNormals(rng, b * latentDim, truncation);
    const y = tf.tidy(() => {
      const zT = tf.tensor2d(z, [b, latentDim]);
      const first = (out: tf.Tensor | tf.Tensor[]) => (Array.isArray(out) ? out[0]! : out);
      if (codes && continuous) {
        const values = Int32Array.from({ length: b }, (_, i) => evalCodeValue(start + i, codes));
        const c = continuous.subarray(start * codes.continuous, (start + b) * codes.continuous);
        return first(generator.predict([zT, codeTensor(values, c, codes)]));
      }
      if (classes === undefined) return first(generator.predict(zT));
      const ids = Int32Array.from({ length: b }, (_, i) => requestedClass(start + i, classes));
      return first(generator.predict([zT, oneHotLabels(ids, classes)]));
    });
    if (y.size !== b * perSample) {
      const shape = y.shape;
      y.dispose();
      throw new EvalInputError(
        `the generator in ${dir} outputs shape [${shape}] for ${b} samples; expected ${perSample} values per sample`,
      );
    }
    out.set(y.dataSync() as Float32Array, start * perSample);
    y.dispose();
  }
  return out;
}

/**
 * Generated images as the classifier reads them (28 x 28 x 1): 32 px MNIST is 28 px MNIST padded by 2 on
 * every side (trainer/data/mnist.ts padImages), so its centre is cropped back out.
 */
export function classifierImages(images: Float32Array, [h, w, c]: number[]): Float32Array {
  const [th, tw] = IMAGE_SHAPE;
  if (h === th && w === tw && c === 1) return images;
  if (c !== 1 || h! < th || w! < tw)
    throw new EvalInputError(`cannot read ${h}x${w}x${c} images as the classifier's ${th}x${tw}x1`);
  const top = Math.floor((h! - th) / 2);
  const left = Math.floor((w! - tw) / 2);
  const n = images.length / (h! * w!);
  const out = new Float32Array(n * th * tw);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < th; y++) {
      const src = (i * h! + top + y) * w! + left;
      out.set(images.subarray(src, src + tw), (i * th + y) * tw);
    }
  return out;
}

/** Truncation thresholds a sweep visits, from most truncated to untruncated (null). */
export const TRUNCATION_THRESHOLDS = [0.25, 0.5, 0.75, 1, 1.5, 2, null] as const;
/** Samples per point of a truncation sweep (fewer than the headline numbers: seven points). */
export const TRUNCATION_SAMPLES = 2_000;

// The real side of cFID is the same for every run: fit it once per classifier.
const realStatsCache = new WeakMap<tf.LayersModel, GaussianStats>();

export function realTestStats(
  classifier: tf.LayersModel,
  dataset: ClassifiedDataset = 'mnist',
): GaussianStats {
  let s = realStatsCache.get(classifier);
  if (!s) {
    s = gaussianStats(analyze(classifier, CLASSIFIED_IMAGES[dataset]('test').images).features);
    realStatsCache.set(classifier, s);
  }
  return s;
}

/**
 * cFID of `samples` real train images (a seeded draw; MNIST unless `dataset` names another) against the
 * test images: what a perfect generator would score at that sample count, the floor to read other values
 * against.
 */
export async function realFloorCfid(
  opts: { samples?: number; seed?: number; classifier?: tf.LayersModel; dataset?: ClassifiedDataset } = {},
): Promise<CfidResult> {
  const dataset = opts.dataset ?? 'mnist';
  const classifier = opts.classifier ?? (await loadClassifier(classifierDir(dataset)));
  const train = CLASSIFIED_IMAGES[dataset]('train');
  const n = Math.min(opts.samples ?? DEFAULT_IMAGE_SAMPLES, train.count);
  const pick = new Rng(opts.seed ?? 1, Stream.eval).permutation(train.count).subarray(0, n);
  const pixels = 28 * 28;
  const images = new Float32Array(n * pixels);
  pick.forEach((src, i) => {
    images.set(train.images.subarray(src * pixels, (src + 1) * pixels), i * pixels);
  });
  return cfid(analyze(classifier, images).features, realTestStats(classifier, dataset));
}

function checkCount(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1))
    throw new EvalInputError(`${name} must be a positive integer, got ${v}`);
}

/** Scores the run in a folder (a path) or any artifact sink (S3 at the end of a cloud run). */
export async function evaluateRun(run: string | ArtifactSink, opts: EvalOptions = {}): Promise<EvalResult> {
  const t0 = performance.now();
  checkCount('samples', opts.samples);
  checkCount('batchSize', opts.batchSize);
  if (opts.seed !== undefined && (!Number.isInteger(opts.seed) || opts.seed < 0)) {
    throw new EvalInputError(`seed must be a non-negative integer, got ${opts.seed}`);
  }
  const sink = sinkOf(run);
  const dir = sink.location;
  const spec = opts.spec ?? (await readRunSpec(sink));
  const info = datasetInfo(spec.dataset);
  const mixture: Mixture | undefined = MIXTURES[spec.dataset];
  if (!hasEvaluation(spec.dataset, info.kind)) {
    throw new EvalInputError(
      `no evaluation is defined for dataset '${spec.dataset}' (supported: ${EVALUATED_DATASETS.join(', ')})`,
    );
  }
  const generator = await loadGenerator(sink);
  /** What every eval.json begins with; `seconds` is filled in at the end. */
  const commonOf = (latentDim: number) => ({
    version: EVAL_VERSION,
    createdAt: new Date().toISOString(),
    run: {
      dir,
      family: spec.family,
      dataset: spec.dataset,
      steps: spec.steps,
      specSeed: spec.seed,
      latentDim,
    },
    seed: opts.seed ?? spec.seed,
    backend: opts.backend ?? { tfjsBackend: tf.getBackend() },
    seconds: 0,
  });
  /** Generators scored by a module of their own (one image; translations): timed, written, disposed. */
  const scoredApart = async (score: () => Promise<EvalResult>) => {
    try {
      const result = await score();
      result.seconds = Math.round((performance.now() - t0) / 100) / 10;
      if (opts.write !== false)
        await sink.put(runFiles.eval, `${JSON.stringify(result, null, 2)}\n`, 'application/json');
      return result;
    } finally {
      generator.dispose();
    }
  };
  const samples = opts.samples !== undefined ? { samples: opts.samples } : {};
  if (info.kind === 'single')
    return scoredApart(() =>
      evaluateSingleImage(
        generator,
        spec.hyperparameters as SinganHyperparameters,
        info,
        commonOf(generator.inputs[0]!.shape[1] as number),
        sink,
        { ...samples, write: opts.write !== false },
      ),
    );
  if (
    info.kind === 'paired' ||
    info.kind === 'unpaired' ||
    info.kind === 'labelmap' ||
    info.kind === 'articles'
  ) {
    const score = info.kind === 'articles' ? evaluateAnalogy : evaluateTranslation;
    return scoredApart(async () =>
      score(generator, await describedBy(sink, spec, generator), info, commonOf(0), {
        ...samples,
        ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
        ...(opts.classifier ? { classifier: opts.classifier } : {}),
      }),
    );
  }
  let gInputs: GeneratorInputs;
  let descriptor: ReadDescriptor;
  try {
    descriptor = await describedBy(sink, spec, generator);
    gInputs = inputsOf(descriptor, generator, dir);
  } catch (err) {
    generator.dispose();
    throw err;
  }
  const { latentDim, noise } = gInputs;
  if (gInputs.classes !== undefined && !holdsImages(info)) {
    generator.dispose();
    throw new EvalInputError(`conditional generators are evaluated on images only, not '${spec.dataset}'`);
  }
  const seed = opts.seed ?? spec.seed;
  const batch = opts.batchSize ?? 500;
  const common = commonOf(latentDim);

  let result: EvalResult;
  let classifier: tf.LayersModel | undefined;
  if (info.kind === 'posed') {
    const pose = gInputs.pose;
    if (!pose) {
      generator.dispose();
      throw new EvalInputError(
        `${spec.dataset} is evaluated by an azimuth sweep: the generator takes no pose`,
      );
    }
    const regressor = await loadPoseRegressor();
    const sweep = azimuthSweep(generator, regressor, { latentDim, noise, pose, seed });
    regressor.dispose();
    const record = readPoseRegressorRecord();
    if (opts.write !== false) await sink.put(runFiles.evalAzimuthSweep, sweep.png);
    const { png: _, ...numbers } = sweep;
    result = {
      ...common,
      kind: 'posed',
      samples: sweep.rows * sweep.azimuths,
      seconds: 0,
      sweep: { ...numbers, picture: runFiles.evalAzimuthSweep },
      regressor: {
        weights: `trainer/eval/weights/${POSE_REGRESSOR_DIR.split('/').at(-1)}/`,
        heldOutCorrelation: record?.heldOut.azimuthCircularCorrelation ?? null,
        heldOutMedianErrorDegrees: record?.heldOut.medianAzimuthErrorDegrees ?? null,
      },
      definitions: {
        circularCorrelation: `Fisher-Lee circular correlation of the azimuth the pose regressor reads against the commanded one, over pairs of images of the same z; ${sweep.rows} z (Rng(seed, eval)) x ${sweep.azimuths} azimuths evenly round the circle at elevation ${sweep.elevation}; 1: the object turns with the command, -1: against it`,
      },
    };
  } else if (info.kind === 'points2d') {
    const m = mixture!;
    const samples = opts.samples ?? DEFAULT_POINT_SAMPLES;
    const points = generate(generator, gInputs, samples, 2, seed, batch, dir);
    result = {
      ...common,
      kind: 'points2d',
      samples,
      seconds: 0,
      modes: modesAndHq(points, m, HQ_SIGMAS),
      definitions: {
        hq: `a sample is high quality if within ${HQ_SIGMAS} sigma of its nearest mode`,
        covered: `a mode is covered if it is the nearest mode of at least ${modeMinSamples(samples)} high-quality samples of ${samples} (${100 * MODE_MIN_SHARE}%)`,
        hqSigmas: HQ_SIGMAS,
        sigma: m.sigma,
        modes: m.modes,
      },
    };
  } else {
    const samples = opts.samples ?? DEFAULT_IMAGE_SAMPLES;
    const classified = classifiedAs(spec.dataset);
    classifier = opts.classifier ?? (await loadClassifier(classifierDir(classified)));
    const shape = [...info.shape];
    const perSample = shape.reduce((a, b) => a * b, 1);
    const imagesOf = (n: number, truncation?: number) =>
      classifierImages(generate(generator, gInputs, n, perSample, seed, batch, dir, truncation), shape);
    const images = imagesOf(samples);
    const { features, classes } = analyze(classifier, images);
    const real = realTestStats(classifier, classified);
    const counts = (ids: Uint8Array): ClassCounts => {
      const hist = classHistogram(ids, NUM_CLASSES);
      return { samples: ids.length, counts: hist, covered: classesCovered(hist, CLASS_MIN_SHARE) };
    };
    const record = readTrainingRecord(classifierDir(classified));
    const conditional = gInputs.classes;
    const accuracy =
      conditional === undefined
        ? undefined
        : {
            value: classAccuracy(
              classes,
              Int32Array.from({ length: samples }, (_, i) => requestedClass(i, conditional)),
            ),
            samples,
            classes: conditional,
          };
    const codes = gInputs.codes;
    const codeEval = codes && {
      ...codes,
      bestMapping: bestMappingAccuracy(
        Int32Array.from({ length: samples }, (_, i) => evalCodeValue(i, codes)),
        classes,
        codes.categorical,
        NUM_CLASSES,
      ),
      traversals: [] as string[],
    };
    const conditionalClasses = gInputs.classes;
    const truncation =
      descriptor.descriptor.abilities.truncation && conditionalClasses !== undefined
        ? (() => {
            const n = Math.min(samples, TRUNCATION_SAMPLES);
            const asked = Int32Array.from({ length: n }, (_, i) => requestedClass(i, conditionalClasses));
            const points = TRUNCATION_THRESHOLDS.map((threshold) => {
              const a = analyze(classifier!, imagesOf(n, threshold ?? undefined));
              return {
                threshold,
                classAccuracy: classAccuracy(a.classes, asked),
                cfid: cfid(a.features, real).value,
              };
            });
            return { samples: n, points, plot: runFiles.evalTruncation };
          })()
        : undefined;
    result = {
      ...common,
      kind: 'images',
      samples,
      seconds: 0,
      cfid: { ...cfid(features, real), realSet: `${classified} test (10,000 images)` },
      classes: { first1000: counts(classes.subarray(0, HISTOGRAM_SMALL)), all: counts(classes) },
      ...(accuracy ? { classAccuracy: accuracy } : {}),
      ...(codeEval ? { codes: codeEval } : {}),
      ...(truncation ? { truncation } : {}),
      classifier: {
        weights: `trainer/eval/weights/${classified === 'mnist' ? '' : `${classified}/`}`,
        testAccuracy: record?.testAccuracy ?? null,
        testImages: record?.testImages ?? null,
        featureLayer: FEATURE_LAYER,
        featureDim: features.d,
      },
      definitions: {
        cfid: 'Frechet distance between Gaussians fitted to the classifier features of generated and real test images; depends on the sample counts',
        classesCovered: `classes receiving at least ${100 * CLASS_MIN_SHARE}% of the classified samples`,
        classMinShare: CLASS_MIN_SHARE,
        ...(accuracy
          ? {
              classAccuracy:
                'share of samples the classifier assigns to the class the generator was asked for; sample i asks for class i mod classes',
            }
          : {}),
        ...(truncation
          ? {
              truncation: `z drawn from a standard normal with every value beyond +-threshold drawn again (threshold null: untruncated); class accuracy and cFID on ${truncation.samples} samples per threshold, asked for classes as above`,
            }
          : {}),
        ...(codeEval
          ? {
              bestMapping:
                'sample i gets categorical code i mod K (continuous codes uniform in [-1, 1]); each code value is mapped one-to-one to a class by the assignment agreeing most with the classifier, and the accuracy is the share of samples the classifier puts in the class their code maps to',
            }
          : {}),
      },
    };
  }
  if (opts.write !== false && result.kind === 'images' && result.truncation) {
    const { points } = result.truncation;
    const plot = linePlot([
      { values: points.map((p) => 100 * p.classAccuracy), rgb: [40, 80, 200] },
      { values: points.map((p) => p.cfid), rgb: [210, 40, 40] },
    ]);
    await sink.put(runFiles.evalTruncation, encodePng(plot));
  }
  // The latent grids vary z alone; a conditional generator's class control is shown by its sample grid,
  // a generator with codes by its code traversals.
  if (opts.write !== false && result.kind === 'images' && result.codes) {
    for (let j = 0; j < result.codes.continuous; j++) {
      await sink.put(
        runFiles.evalCodeTraversal(j),
        codeTraversalGrid(generator, result.codes, latentDim, j, seed, noise),
      );
      result.codes.traversals.push(runFiles.evalCodeTraversal(j));
    }
  } else if (
    opts.write !== false &&
    result.kind === 'images' &&
    classifier &&
    gInputs.classes === undefined
  ) {
    const arithmetic = arithmeticGrid(generator, classifier, latentDim, seed, noise);
    await sink.put(runFiles.evalInterpolation, interpolationGrid(generator, latentDim, seed, noise));
    await sink.put(runFiles.evalArithmetic, arithmetic.png);
    result.latentGrids = {
      interpolation: runFiles.evalInterpolation,
      arithmetic: runFiles.evalArithmetic,
      arithmeticClassCounts: arithmetic.classCounts,
    };
  }
  const styles = descriptor.descriptor.styles;
  if (opts.write !== false && result.kind === 'images' && styles) {
    const part = (file: string) => {
      const dir = runFiles.generatorDir + file.slice(0, file.lastIndexOf('/') + 1);
      return tf.loadLayersModel(sinkLoader(sink, dir));
    };
    const [mapping, synthesis] = await Promise.all([part(styles.mapping), part(styles.synthesis)]);
    const grid = styleMixingGrid(mapping, synthesis, styles, seed);
    mapping.dispose();
    synthesis.dispose();
    await sink.put(runFiles.evalStyleMixing, grid.png);
    result.styleMixing = {
      picture: runFiles.evalStyleMixing,
      crossover: grid.crossover,
      layerSides: styles.layerSides,
      sources: 6,
    };
  }
  generator.dispose();
  result.seconds = Math.round((performance.now() - t0) / 100) / 10;
  if (opts.write !== false) {
    await sink.put(runFiles.eval, `${JSON.stringify(result, null, 2)}\n`);
  }
  return result;
}

/** A few lines for a person. */
export function summarize(r: EvalResult): string {
  const head = `${r.run.family} on ${r.run.dataset}: ${r.samples} samples, seed ${r.seed}, backend ${r.backend.tfjsBackend}, ${r.seconds} s`;
  if (r.kind === 'posed')
    return [
      head,
      `  azimuth circular correlation ${r.sweep.circularCorrelation.toFixed(3)} (${r.sweep.rows} z x ${r.sweep.azimuths} azimuths; per z median ${r.sweep.perRow.median.toFixed(3)}, min ${r.sweep.perRow.min.toFixed(3)})`,
    ].join('\n');
  if (r.kind === 'points2d') {
    const m = r.modes;
    return [
      head,
      `  modes ${m.modesCovered}/${m.modesTotal}, HQ ${m.hqPercent.toFixed(1)}% (${m.hqSamples}/${m.samples} within ${HQ_SIGMAS} sigma)`,
    ].join('\n');
  }
  if (r.kind === 'single-image') {
    const f = (v: number) => v.toFixed(4);
    return [
      head,
      `  ${r.scales} scales to ${r.size[1]}x${r.size[0]}: patch SWD ${f(r.patchSwd)} (the image blurred: ${f(r.blurredPatchSwd)}), diversity ${f(r.diversity)}`,
      ...r.otherSizes.map((o) => `  at ${o.size[1]}x${o.size[0]}: patch SWD ${f(o.patchSwd)}`),
      `  super-resolution PSNR ${r.superResolution.psnr.toFixed(2)} dB (plain resize ${r.superResolution.resizePsnr.toFixed(2)} dB)`,
      `  paint-to-image at scale ${r.paintToImage.scale}: patch SWD ${f(r.paintToImage.patchSwd)} (the painting: ${f(r.paintToImage.paintPatchSwd)})`,
    ].join('\n');
  }
  if (r.kind === 'translation') {
    const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
    const scores = (s: { l1: number; psnr: number; ssim: number }) =>
      `L1 ${s.l1.toFixed(4)}, PSNR ${s.psnr.toFixed(2)} dB, SSIM ${s.ssim.toFixed(4)}`;
    const lines = [head];
    if (r.paired)
      lines.push(
        `  held out: ${scores(r.paired.model)}${r.paired.cfid ? `; cFID ${r.paired.cfid.value.toFixed(3)}` : ''}`,
        `  input copied through: ${scores(r.paired.copyThrough)}${r.paired.copyThroughCfid === undefined ? '' : `; cFID ${r.paired.copyThroughCfid.toFixed(3)}`}`,
      );
    if (r.labelMap) {
      const { generated, real } = r.labelMap;
      lines.push(
        `  segmenter on the generated scenes: mIoU ${pct(generated.mIoU)}, pixels ${pct(generated.pixelAccuracy)}`,
        `  segmenter on the real held-out scenes: mIoU ${pct(real.mIoU)}, pixels ${pct(real.pixelAccuracy)}`,
      );
    }
    if (r.superResolution) {
      const { model, bicubic, highFrequency: hf, factor } = r.superResolution;
      lines.push(
        `  held out x${factor}: ${scores(model)}; high-frequency energy ${hf.modelRatio.toFixed(3)} of the targets'`,
        `  bicubic: ${scores(bicubic)}; high-frequency energy ${hf.bicubicRatio.toFixed(3)} of the targets'`,
      );
    }
    if (r.unpaired) {
      const { toA, toB, digitsOnRealB } = r.unpaired;
      lines.push(
        `  A -> B: read as B ${pct(toB.targetDomain)}, class kept ${pct(toB.classKept)} (the domain classifier on real B: ${pct(digitsOnRealB)}), round trip ${pct(toB.roundTripClassKept)}`,
        `  B -> A: read as A ${pct(toA.targetDomain)}, class kept ${pct(toA.classKept)}, round trip ${pct(toA.roundTripClassKept)}`,
      );
    }
    if (r.analogy) {
      const line = (what: string, a: AnalogyScores) =>
        `  ${what}: colour ${pct(a.colour)}, pattern ${pct(a.pattern)}, both ${pct(a.both)}; outside L1 ${a.outsideL1.toFixed(4)}`;
      const { model, copyThrough, pasteColour, readerOnReal, outsideBound, works } = r.analogy;
      lines.push(
        line('swapped', model),
        line('person copied through', copyThrough),
        line('new colour pasted', pasteColour),
        `  reader on real people: both ${pct(readerOnReal.both)}; works (both >= 80%, outside L1 <= ${outsideBound}): ${works}`,
      );
    }
    return lines.join('\n');
  }
  const hist = (c: ClassCounts) =>
    `${c.counts.map((v, i) => `${i}:${v}`).join(' ')}  -> ${c.covered}/10 classes covered`;
  return [
    head,
    `  cFID ${r.cfid.value.toFixed(3)} (${r.cfid.generatedSamples} generated vs ${r.cfid.realSamples} real test images, ${r.cfid.featureDim}-d features)`,
    `  classes, first ${r.classes.first1000.samples}: ${hist(r.classes.first1000)}`,
    `  classes, all ${r.classes.all.samples}: ${hist(r.classes.all)}`,
    ...(r.classAccuracy
      ? [
          `  class accuracy ${(100 * r.classAccuracy.value).toFixed(1)}% (${r.classAccuracy.samples} samples asked for classes uniformly)`,
        ]
      : []),
    ...(r.codes
      ? [
          `  categorical code best-mapping accuracy ${(100 * r.codes.bestMapping.accuracy).toFixed(1)}% (code -> class ${r.codes.bestMapping.mapping.join(' ')})`,
        ]
      : []),
  ].join('\n');
}
