/**
 * The article reader of an articles set: which colour and pattern the top a figure wears has. It judges
 * the Conditional Analogy GAN's outputs (does the figure now wear the new article?) and never trains a
 * generator. Trained by train-article-reader.ts on the set's training figures, scored on its held-out
 * copy, committed with its record under weights/<dataset>-attributes/.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ARTICLE_PATTERNS, DERIVED_COLOURS } from '../../shared/datasets.ts';
import { WEIGHTS_DIR } from './classifier.ts';

export const ARTICLE_READ = ['figures-articles'] as const;
export type ArticleRead = (typeof ARTICLE_READ)[number];

export function articleReaderDir(dataset: ArticleRead): string {
  return join(WEIGHTS_DIR, `${dataset}-attributes`);
}

export const COLOURS = DERIVED_COLOURS.length;
export const PATTERNS = ARTICLE_PATTERNS.length;

/**
 * Four 3x3 convolutions (two strided, two at stride 1 to keep a stripe's period in view) and one dense
 * layer of COLOURS + PATTERNS logits: the colour's, then the pattern's. [N, H, W, C] in [-1, 1].
 */
export function buildArticleReader(shape: readonly number[], seed = 1): tf.Sequential {
  const init = (i: number) => tf.initializers.heNormal({ seed: seed * 100 + i });
  const model = tf.sequential({ name: 'article_reader' });
  [
    [16, 2],
    [16, 1],
    [32, 2],
    [32, 2],
  ].forEach(([filters, strides], i) => {
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [...shape] } : {}),
        filters: filters!,
        kernelSize: 3,
        strides: strides!,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(i),
      }),
    );
  });
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(
    tf.layers.dense({
      units: COLOURS + PATTERNS,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + 9 }),
    }),
  );
  return model;
}

/** The reader's loss on logits [N, COLOURS + PATTERNS] against [N, 2] int32 (colour, pattern) indices. */
export function articleLoss(logits: tf.Tensor2D, attributes: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [colour, pattern] = tf.split(logits, [COLOURS, PATTERNS], 1);
    const [c, p] = tf.unstack(attributes, 1);
    return tf.add<tf.Scalar>(
      tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(c!, 'int32'), COLOURS), colour!),
      tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(p!, 'int32'), PATTERNS), pattern!),
    );
  });
}

export interface ArticleAttributes {
  colour: Int32Array;
  pattern: Int32Array;
}

/** The colour and pattern the reader reads in each of n images. */
export function readArticles(model: tf.LayersModel, images: tf.Tensor4D, batchSize = 250): ArticleAttributes {
  const n = images.shape[0];
  const colour = new Int32Array(n);
  const pattern = new Int32Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const [c, p] = tf.tidy(() => {
      const b = Math.min(batchSize, n - start);
      const logits = model.predict(tf.slice(images, [start], [b])) as tf.Tensor2D;
      const [cl, pl] = tf.split(logits, [COLOURS, PATTERNS], 1);
      return [tf.argMax(cl!, 1), tf.argMax(pl!, 1)];
    });
    colour.set(c!.dataSync(), start);
    pattern.set(p!.dataSync(), start);
    tf.dispose([c!, p!]);
  }
  return { colour, pattern };
}

/** Shares of items whose colour, pattern, and both are read as `truth` ([N, 2] colour, pattern) says. */
export function articleAccuracy(
  read: ArticleAttributes,
  truth: ArrayLike<number>,
): { colour: number; pattern: number; both: number } {
  const n = read.colour.length;
  let colour = 0;
  let pattern = 0;
  let both = 0;
  for (let i = 0; i < n; i++) {
    const c = read.colour[i] === truth[2 * i];
    const p = read.pattern[i] === truth[2 * i + 1];
    if (c) colour++;
    if (p) pattern++;
    if (c && p) both++;
  }
  return { colour: colour / n, pattern: pattern / n, both: both / n };
}
