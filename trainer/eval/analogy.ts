/**
 * Scores an article-swapping generator (the Conditional Analogy GAN) on its set's held-out copy, the check
 * of GANS.md: each held-out person is given the next item's article (heldOutBatch), and
 *   - the set's article reader (article-reader.ts, trained on real figures only) reads the output's top:
 *     the share whose colour, pattern and both are the new article's (works at >= 80% for both);
 *   - the mean |output - person| over the pixels outside the worn article's region (the stored mask's
 *     coverage is 0 there) stays under OUTSIDE_BOUND.
 * Beside it, under the same reader: the person copied through, and the worn region filled with the new
 * article's mean colour.
 */
import * as tf from '@tensorflow/tfjs';
import type { DatasetInfo } from '../../shared/datasets.ts';
import type { AnalogyScores, TranslationEval } from '../../shared/evaluation.ts';
import type { GeneratorDescriptor } from '../../shared/generator.ts';
import { HELD_OUT_COUNT, heldOutBatch } from '../data/derived/index.ts';
import { batchTensors } from '../data/index.ts';
import {
  ARTICLE_READ,
  type ArticleRead,
  articleAccuracy,
  articleReaderDir,
  readArticles,
} from './article-reader.ts';
import { loadClassifier } from './classifier.ts';
import { EvalInputError } from './evaluate.ts';
import { checkInputs, judgeRecord, translate } from './translation.ts';

/** The share of attributes read right that counts as the swap working (GANS.md). */
export const ATTRIBUTES_REQUIRED = 0.8;
/**
 * The most the image may change outside the worn article's region, as the mean absolute change of pixels
 * in [-1, 1]: 0.05 is 2.5% of the range (an 8-bit image's 3 levels in 255).
 */
export const OUTSIDE_BOUND = 0.05;

type Common = Omit<TranslationEval, 'kind' | 'samples' | 'analogy' | 'classifier' | 'definitions'>;

export interface AnalogyOptions {
  samples?: number;
  batchSize?: number;
  reader?: tf.LayersModel;
}

/** Mean |a - b| (over channels) of the pixels where the region's coverage is 0. */
export function outsideL1(a: tf.Tensor4D, b: tf.Tensor4D, region: tf.Tensor4D): number {
  return tf.tidy(() => {
    const outside = tf.cast(tf.equal(region, 0), 'float32');
    const change = tf.mean(tf.abs(tf.sub(a, b)), -1, true);
    return tf.div(tf.sum(tf.mul(change, outside)), tf.maximum(tf.sum(outside), 1)).dataSync()[0]!;
  });
}

/**
 * The paste baseline: the person with the worn region (coverage m) filled by the new article's mean colour,
 * the mean over the flat article's pixels that are not its plain ground (`ground`, the top's corner pixel).
 */
export function pasteColour(person: tf.Tensor4D, region: tf.Tensor4D, flat: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const ground = tf.slice(flat, [0, 0, 0, 0], [-1, 1, 1, -1]);
    const isTop = tf.cast(tf.greater(tf.max(tf.abs(tf.sub(flat, ground)), -1, true), 0.02), 'float32');
    const colour = tf.div(
      tf.sum(tf.mul(flat, isTop), [1, 2], true),
      tf.maximum(tf.sum(isTop, [1, 2], true), 1),
    );
    return tf.add(tf.mul(region, colour), tf.mul(tf.sub(1, region), person)) as tf.Tensor4D;
  });
}

export async function evaluateAnalogy(
  generator: tf.LayersModel,
  descriptor: { descriptor: GeneratorDescriptor; from: string },
  info: DatasetInfo,
  common: Common,
  opts: AnalogyOptions = {},
): Promise<TranslationEval> {
  const n = opts.samples ?? HELD_OUT_COUNT;
  if (n > HELD_OUT_COUNT)
    throw new EvalInputError(`'${info.id}' holds ${HELD_OUT_COUNT} held-out items; asked to score ${n}`);
  if (!ARTICLE_READ.includes(info.id as ArticleRead))
    throw new EvalInputError(`no article reader is defined for '${info.id}'`);
  checkInputs(descriptor.descriptor, info, 3, descriptor.from);
  const dir = articleReaderDir(info.id as ArticleRead);
  let reader = opts.reader;
  if (!reader) {
    try {
      reader = await loadClassifier(dir);
    } catch {
      throw new EvalInputError(
        `no article reader for '${info.id}' in ${dir}: run 'npm run train:article-reader -- --dataset ${info.id}'`,
      );
    }
  }
  const held = heldOutBatch(info, n);
  try {
    const person = held.x as tf.Tensor4D;
    const region = held.mask!;
    const [output, ...rest] = translate(
      generator,
      [person, held.article!, held.newArticle!],
      opts.batchSize ?? 200,
    );
    tf.dispose(rest);
    const pasted = pasteColour(person, region, held.newArticle!);
    const wanted = held.newAttributes!.dataSync();
    const scores = (image: tf.Tensor4D): AnalogyScores => ({
      ...articleAccuracy(readArticles(reader!, image), wanted),
      outsideL1: outsideL1(image, person, region),
    });
    const model = scores(output as tf.Tensor4D);
    const copyThrough = scores(person);
    const paste = scores(pasted);
    const readerOnReal = articleAccuracy(readArticles(reader, person), held.attributes!.dataSync());
    tf.dispose([output!, pasted]);
    return {
      ...common,
      kind: 'translation',
      samples: n,
      analogy: {
        model,
        copyThrough,
        pasteColour: paste,
        readerOnReal,
        outsideBound: OUTSIDE_BOUND,
        works: model.both >= ATTRIBUTES_REQUIRED && model.outsideL1 <= OUTSIDE_BOUND,
        articleReader: judgeRecord(dir, `trainer/eval/weights/${info.id}-attributes/`),
      },
      classifier: judgeRecord(dir, `trainer/eval/weights/${info.id}-attributes/`),
      definitions: {
        heldOut: `the first ${n} items of ${info.id}'s held-out copy, person i given item i + 1's article`,
        colour: "share of outputs whose top the article reader reads in the new article's colour",
        pattern: "the same for the new article's pattern",
        both: `the same for both at once; works at >= ${ATTRIBUTES_REQUIRED}`,
        outsideL1: `mean |output - person| over the pixels outside the worn article's region (coverage 0), images in [-1, 1]; bound ${OUTSIDE_BOUND}`,
        copyThrough: 'the same scores with the person itself as the output',
        pasteColour: "the same with the worn region filled by the new article's mean colour",
        readerOnReal: 'the reader on the held-out people, against their own articles',
      },
    };
  } finally {
    tf.dispose(batchTensors(held));
    if (!opts.reader) reader.dispose();
  }
}
