/**
 * Scores a translating generator (pix2pix, CycleGAN, SPADE, SRGAN) on its set's held-out copy (never trained
 * on), the checks of GANS.md:
 *   super-resolution (a paired set with a smaller input): super-resolution.ts's scores;
 *   paired: L1, PSNR and SSIM of the outputs against the targets beside the input copied through as the
 *     output, and cFID of the outputs against the targets in the MNIST classifier's features;
 *   unpaired: for each direction, the share of translations the set's domain classifier reads as the target
 *     domain, and the digit kept as the same classifier reads it (it reads digits in either domain; its
 *     accuracy on real B is given beside), and the digit kept over the round trip;
 *   label maps: the mIoU of the set's segmenter on the generated scenes against the input maps, beside its
 *     own mIoU on the real held-out scenes.
 */
import * as tf from '@tensorflow/tfjs';
import type { DatasetInfo } from '../../shared/datasets.ts';
import type { TranslationEval } from '../../shared/evaluation.ts';
import type { GeneratorDescriptor } from '../../shared/generator.ts';
import { heldOutBatch, heldOutCount } from '../data/derived/index.ts';
import { type Batch, batchTensors } from '../data/index.ts';
import { analyze, classifierDir, loadClassifier, readTrainingRecord } from './classifier.ts';
import { type DomainClassified, domainClassifierDir, readDigits, readDomains } from './domain-classifier.ts';
import { classifierImages, EvalInputError } from './evaluate.ts';
import { gaussianStats } from './frechet.ts';
import { reconstructionScores } from './image-quality.ts';
import { cfid } from './metrics.ts';
import { classesOf, type Segmented, segment, segmentationScores, segmenterDir } from './segmenter.ts';
import { SUPER_RESOLUTION_DEFINITIONS, superResolutionScores } from './super-resolution.ts';

type Common = Omit<
  TranslationEval,
  'kind' | 'samples' | 'paired' | 'superResolution' | 'unpaired' | 'classifier' | 'definitions'
>;

export interface TranslationOptions {
  /** Held-out items scored (all of them by default). */
  samples?: number;
  batchSize?: number;
  classifier?: tf.LayersModel;
}

/** The generator's outputs for `inputs` (one tensor per model input), in batches: one tensor per output. */
export function translate(generator: tf.LayersModel, inputs: tf.Tensor[], batch: number): tf.Tensor[] {
  const n = inputs[0]!.shape[0]!;
  const parts: tf.Tensor[][] = [];
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const out = tf.tidy(() => {
      const xs = inputs.map((t) => tf.slice(t, [start], [b]));
      const y = generator.predict(xs.length === 1 ? xs[0]! : xs);
      return Array.isArray(y) ? y : [y];
    });
    parts.push(out);
  }
  const outputs = parts[0]!.map((_, k) => tf.concat(parts.map((p) => p[k]!)));
  tf.dispose(parts.flat());
  return outputs;
}

/** Images as the MNIST classifier reads them: their grey (mean over channels), the centre 28 x 28. */
function digitsOf(images: tf.Tensor): Float32Array {
  const [, h, w] = images.shape as number[];
  const grey = tf.tidy(() => tf.mean(images, -1, true));
  const values = grey.dataSync() as Float32Array;
  grey.dispose();
  return classifierImages(values, [h!, w!, 1]);
}

const share = (xs: ArrayLike<number>, pred: (v: number, i: number) => boolean) => {
  let k = 0;
  for (let i = 0; i < xs.length; i++) if (pred(xs[i]!, i)) k++;
  return k / xs.length;
};

export function judgeRecord(dir: string, weights: string) {
  const record = readTrainingRecord(dir);
  return { weights, testAccuracy: record?.testAccuracy ?? null, testImages: record?.testImages ?? null };
}

/** Checks the descriptor asks for images of the set's shape, one input per domain or the paired input. */
export function checkInputs(
  descriptor: GeneratorDescriptor,
  info: DatasetInfo,
  want: number,
  from: string,
): void {
  const images = descriptor.inputs.filter((i) => i.kind === 'image');
  if (images.length !== want || descriptor.inputs.length !== want)
    throw new EvalInputError(
      `${from}: a ${info.kind} set's generator takes ${want} image input(s); it takes ${descriptor.inputs.map((i) => i.kind).join(', ')}`,
    );
  const shape = (info.inputShape ?? info.shape).join('x');
  for (const i of images)
    if (i.shape.join('x') !== shape)
      throw new EvalInputError(
        `${from}: input '${i.name}' is ${i.shape.join('x')}, '${info.id}' holds ${shape}`,
      );
}

/** A super-resolution set (its input smaller than its target): no classifier reads photographs. */
function scoreSuperResolution(
  generator: tf.LayersModel,
  descriptor: { descriptor: GeneratorDescriptor; from: string },
  info: DatasetInfo,
  common: Common,
  n: number,
  batchSize: number,
): TranslationEval {
  checkInputs(descriptor.descriptor, info, 1, descriptor.from);
  const held = heldOutBatch(info, n);
  const [output] = translate(generator, [held.input!], batchSize);
  const values = (t: tf.Tensor) => t.dataSync() as Float32Array;
  const superResolution = superResolutionScores(
    values(output!),
    values(held.input!),
    values(held.x),
    info.shape as [number, number, number],
    info.inputShape!,
  );
  tf.dispose([output!, ...batchTensors(held)]);
  return {
    ...common,
    kind: 'translation',
    samples: n,
    superResolution,
    classifier: { weights: 'none (no classifier reads photographs)', testAccuracy: null, testImages: null },
    definitions: {
      heldOut: `the first ${n} items of ${info.id}'s held-out copy (crops from the photographs' bottom quarters, never trained on)`,
      ...SUPER_RESOLUTION_DEFINITIONS,
    },
  };
}

export async function evaluateTranslation(
  generator: tf.LayersModel,
  descriptor: { descriptor: GeneratorDescriptor; from: string },
  info: DatasetInfo,
  common: Common,
  opts: TranslationOptions = {},
): Promise<TranslationEval> {
  const available = heldOutCount(info);
  const n = opts.samples ?? available;
  if (n > available)
    throw new EvalInputError(`'${info.id}' holds ${available} held-out items; asked to score ${n}`);
  const batchSize = opts.batchSize ?? 200;
  if (info.kind === 'paired' && info.inputShape)
    return scoreSuperResolution(generator, descriptor, info, common, n, batchSize);
  // A user's images: no classifier of the project's reads them.
  const uploaded = info.sources[0]?.type === 'upload';
  if (uploaded && info.kind === 'unpaired')
    throw new EvalInputError(
      `'${info.id}' is an uploaded unpaired set: no domain classifier reads its domains, so it is not scored (the gallery shows its translations)`,
    );
  const held: Batch = heldOutBatch(info, n);
  // Paired digit sets only: a label-map set is judged by its segmenter, an unpaired one by its own classifier.
  const classifier =
    info.kind !== 'paired' || uploaded
      ? undefined
      : (opts.classifier ?? (await loadClassifier(classifierDir('mnist'))));
  const mnist = judgeRecord(classifierDir('mnist'), 'trainer/eval/weights/');
  try {
    if (info.kind === 'paired') {
      checkInputs(descriptor.descriptor, info, 1, descriptor.from);
      const [output] = translate(generator, [held.input!], batchSize);
      const values = (t: tf.Tensor) => t.dataSync() as Float32Array;
      const shape = info.shape as [number, number, number];
      const targets = values(held.x);
      const model = reconstructionScores(values(output!), targets, shape);
      const copyThrough = reconstructionScores(values(held.input!), targets, shape);
      // Digits: outputs and targets also compared in the MNIST classifier's features.
      const features = (t: tf.Tensor) => analyze(classifier!, digitsOf(t)).features;
      const real = classifier && gaussianStats(features(held.x));
      const digits = real && {
        cfid: { ...cfid(features(output!), real), realSet: `the ${n} held-out targets of ${info.id}` },
        copyThroughCfid: cfid(features(held.input!), real).value,
      };
      output!.dispose();
      return {
        ...common,
        kind: 'translation',
        samples: n,
        paired: { model, copyThrough, ...digits },
        classifier: uploaded
          ? { weights: "none (no classifier reads a user's images)", testAccuracy: null, testImages: null }
          : mnist,
        definitions: {
          heldOut: uploaded
            ? `the ${n} held-out pairs of ${info.id} (every tenth pair by name, never trained on)`
            : `the first ${n} items of ${info.id}'s held-out copy, made from MNIST test digits`,
          l1: 'mean |output - target| over pixels, images in [-1, 1], averaged over images (lower is better)',
          psnr: '10 log10(1 / MSE) on images in [0, 1], averaged over images, capped at 100 dB (higher is better)',
          ssim: 'SSIM with an 11 x 11 Gaussian window (sigma 1.5), K1 0.01, K2 0.03, images in [0, 1] (higher is better)',
          copyThrough: 'the same scores with the input itself as the output',
          ...(digits && {
            cfid: "Frechet distance of the MNIST classifier's features of outputs and of targets (centre 28 x 28 of the grey)",
          }),
        },
      };
    }
    if (info.kind === 'labelmap')
      return await labelMapScores(generator, descriptor, info, common, held, n, batchSize);
    if (info.kind !== 'unpaired')
      throw new EvalInputError(`'${info.id}' is not a paired, unpaired or label-map set`);
    checkInputs(descriptor.descriptor, info, 2, descriptor.from);
    const domainDir = domainClassifierDir(info.id as DomainClassified);
    let domain: tf.LayersModel;
    try {
      domain = await loadClassifier(domainDir);
    } catch {
      throw new EvalInputError(
        `no domain classifier for '${info.id}' in ${domainDir}: run 'npm run train:domain-classifier -- --dataset ${info.id}'`,
      );
    }
    const a = held.x;
    const b = held.domainB!;
    const [toB, toA] = translate(generator, [a, b], batchSize);
    // Round trips: [G_AB(toA), G_BA(toB)] = [B -> A -> B, A -> B -> A].
    const [backToB, backToA] = translate(generator, [toA!, toB!], batchSize);
    const labelsA = held.labels.dataSync();
    const labelsB = held.labelsB!.dataSync();
    // The digit as the set's own classifier reads it, in whichever domain the image is.
    const kept = (t: tf.Tensor, labels: ArrayLike<number>) =>
      share(readDigits(domain, t as tf.Tensor4D), (v, i) => v === labels[i]);
    const readAsB = readDomains(domain, toB as tf.Tensor4D);
    const readAsA = readDomains(domain, toA as tf.Tensor4D);
    const result: TranslationEval = {
      ...common,
      kind: 'translation',
      samples: n,
      unpaired: {
        toB: {
          targetDomain: share(readAsB, (v) => v === 1),
          classKept: kept(toB!, labelsA),
          roundTripClassKept: kept(backToA!, labelsA),
        },
        toA: {
          targetDomain: share(readAsA, (v) => v === 0),
          classKept: kept(toA!, labelsB),
          roundTripClassKept: kept(backToB!, labelsB),
        },
        digitsOnRealB: kept(b, labelsB),
        domainClassifier: judgeRecord(domainDir, `trainer/eval/weights/${info.id}-domain/`),
      },
      classifier: judgeRecord(domainDir, `trainer/eval/weights/${info.id}-domain/`),
      definitions: {
        heldOut: `the first ${n} items of ${info.id}'s held-out copy (A and B digits from MNIST's test split)`,
        targetDomain: "share of translations the set's domain classifier reads as the target domain",
        classKept:
          "share of translations whose digit the set's domain classifier (which reads the digit in either domain) reads as the source image's label; digitsOnRealB is its accuracy on real B",
        roundTripClassKept: 'the same for the image translated there and back (A -> B -> A, B -> A -> B)',
      },
    };
    tf.dispose([toA!, toB!, backToA!, backToB!]);
    domain.dispose();
    return result;
  } finally {
    tf.dispose(batchTensors(held));
    if (!opts.classifier) classifier?.dispose();
  }
}

/**
 * A label-map set (SPADE; pix2pix as its baseline): the generator paints each held-out map, the set's
 * segmenter reads the map back from the painting, scored against the map it was painted from, beside the
 * segmenter's reading of the real held-out scenes.
 */
async function labelMapScores(
  generator: tf.LayersModel,
  descriptor: { descriptor: GeneratorDescriptor; from: string },
  info: DatasetInfo,
  common: Common,
  held: Batch,
  n: number,
  batchSize: number,
): Promise<TranslationEval> {
  const inputs = descriptor.descriptor.inputs;
  const map = inputs[0];
  if (inputs.length !== 1 || map?.kind !== 'label-map' || map.classes !== info.classes)
    throw new EvalInputError(
      `${descriptor.from}: a label-map set's generator takes one label map of ${info.classes} classes; it takes ${inputs.map((i) => i.kind).join(', ')}`,
    );
  const dir = segmenterDir(info.id as Segmented);
  let segmenter: tf.LayersModel;
  try {
    segmenter = await loadClassifier(dir);
  } catch {
    throw new EvalInputError(
      `no segmenter for '${info.id}' in ${dir}: run 'npm run train:segmenter -- --dataset ${info.id}'`,
    );
  }
  try {
    const [painted] = translate(generator, [held.map!], batchSize);
    const truth = classesOf(held.map!);
    const names = info.classNames ?? [];
    const generated = segmentationScores(segment(segmenter, painted as tf.Tensor4D), truth, names);
    painted!.dispose();
    const real = segmentationScores(segment(segmenter, held.x as tf.Tensor4D), truth, names);
    return {
      ...common,
      kind: 'translation',
      samples: n,
      labelMap: {
        generated,
        real,
        segmenter: judgeRecord(dir, `trainer/eval/weights/${info.id}-segmenter/`),
      },
      definitions: {
        heldOut: `the first ${n} scenes of ${info.id}'s held-out copy (drawn apart from the training scenes)`,
        mIoU: "the segmenter's per-pixel classes of the generated scenes against the maps they were painted from: per class |read and true| / |read or true|, averaged over the classes present (higher is better)",
        realMIoU:
          'the same for the real held-out scenes: what a generator indistinguishable from the data would score',
        pixelAccuracy: 'share of pixels whose class the segmenter reads as the map says',
      },
    };
  } finally {
    segmenter.dispose();
  }
}
