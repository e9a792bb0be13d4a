/**
 * Trains the article reader of an articles set (article-reader.ts) on its training figures (the colour
 * and pattern of the top each wears), scores it on the held-out copy (items never trained on) and saves it
 * with its record to weights/<dataset>-attributes/ (judge-training.ts).
 *
 *   npm run train:article-reader -- [--dataset figures-articles] [--epochs 4] [--seed 1] [--backend wasm]
 */
import type * as tf from '@tensorflow/tfjs';
import { HELD_OUT_COUNT } from '../data/derived/index.ts';
import {
  ARTICLE_READ,
  type ArticleRead,
  articleAccuracy,
  articleLoss,
  articleReaderDir,
  buildArticleReader,
  readArticles,
} from './article-reader.ts';
import { type JudgeDefinition, judgeCli } from './judge-training.ts';

export const ARTICLE_READER_TRAINING: JudgeDefinition<ArticleRead> = {
  script: 'train:article-reader',
  datasets: ARTICLE_READ,
  dataset: 'figures-articles',
  epochs: 4,
  batch: 32,
  learningRate: 2e-3,
  // Colour and pattern both right.
  required: 0.95,
  build: (info, seed) => buildArticleReader(info.shape, seed),
  loss: (model, batch) =>
    articleLoss(model.apply(batch.x, { training: true }) as tf.Tensor2D, batch.attributes!),
  score(model, held) {
    const a = articleAccuracy(readArticles(model, held.x as tf.Tensor4D), held.attributes!.dataSync());
    return {
      accuracy: a.both,
      record: { testAccuracyColour: a.colour, testAccuracyPattern: a.pattern },
      line: `colour ${(100 * a.colour).toFixed(2)}%, pattern ${(100 * a.pattern).toFixed(2)}%, both ${(100 * a.both).toFixed(2)}% of ${HELD_OUT_COUNT} figures`,
    };
  },
  dir: articleReaderDir,
  testImages: HELD_OUT_COUNT,
  testSet: (dataset) => `the held-out copy of ${dataset} (items from streams no training item uses)`,
};

judgeCli(ARTICLE_READER_TRAINING, import.meta.url);
