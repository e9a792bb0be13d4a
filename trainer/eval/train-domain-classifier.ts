/**
 * Trains the domain classifier of an unpaired set (domain-classifier.ts) on its training images, A as 0 and
 * B as 1, scores it on the held-out copy (never seen in training) and saves it with its record to
 * weights/<dataset>-domain/ (judge-training.ts).
 *
 *   npm run train:domain-classifier -- [--dataset digits2mnistm] [--epochs 2] [--seed 1] [--backend wasm]
 */
import * as tf from '@tensorflow/tfjs';
import { HELD_OUT_COUNT } from '../data/derived/index.ts';
import {
  buildDomainClassifier,
  DOMAIN_CLASSIFIED,
  type DomainClassified,
  domainClassifierDir,
  readDomains,
} from './domain-classifier.ts';
import { type JudgeDefinition, judgeCli } from './judge-training.ts';

export const DOMAIN_CLASSIFIER_TRAINING: JudgeDefinition<DomainClassified> = {
  script: 'train:domain-classifier',
  datasets: DOMAIN_CLASSIFIED,
  dataset: 'digits2mnistm',
  epochs: 2,
  // A batch holds this many images of A (label 0) and as many of B (label 1).
  batch: 32,
  learningRate: 1e-3,
  required: 0.95,
  build: (info, seed) => buildDomainClassifier(info.shape, seed),
  loss(model, batch) {
    const n = batch.x.shape[0]!;
    const x = tf.concat([batch.x, batch.domainB!]);
    const y = tf.concat([tf.zeros([n, 1]), tf.ones([n, 1])]);
    return tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
  },
  score(model, held) {
    const readA = readDomains(model, held.x as tf.Tensor4D);
    const readB = readDomains(model, held.domainB!);
    const correct = readA.filter((d) => d === 0).length + readB.filter((d) => d === 1).length;
    const accuracy = correct / (readA.length + readB.length);
    return {
      accuracy,
      record: {},
      line: `accuracy ${(100 * accuracy).toFixed(2)}% of ${readA.length + readB.length} images`,
    };
  },
  dir: domainClassifierDir,
  testImages: 2 * HELD_OUT_COUNT,
  testSet: (dataset) => `the held-out copy of ${dataset} (MNIST test digits), both domains`,
};

judgeCli(DOMAIN_CLASSIFIER_TRAINING, import.meta.url);
