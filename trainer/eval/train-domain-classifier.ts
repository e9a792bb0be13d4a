/**
 * Trains the domain classifier of an unpaired set (domain-classifier.ts) on its training images, A as 0 and
 * B as 1, each with its digit, scores both readings on the held-out copy (never seen in training; the bar
 * holds for the lower) and saves it with its record to weights/<dataset>-domain/ (judge-training.ts).
 *
 *   npm run train:domain-classifier -- [--dataset digits2mnistm] [--epochs 2] [--seed 1] [--backend wasm]
 */
import * as tf from '@tensorflow/tfjs';
import { HELD_OUT_COUNT } from '../data/derived/index.ts';
import {
  buildDomainClassifier,
  DIGITS,
  DOMAIN_CLASSIFIED,
  type DomainClassified,
  domainClassifierDir,
  readDigits,
  readDomains,
} from './domain-classifier.ts';
import { type JudgeDefinition, judgeCli } from './judge-training.ts';

export const DOMAIN_CLASSIFIER_TRAINING: JudgeDefinition<DomainClassified> = {
  script: 'train:domain-classifier',
  datasets: DOMAIN_CLASSIFIED,
  dataset: 'digits2mnistm',
  epochs: 4,
  // The set's 5,000 pairs drawn further (loadDerived): its digits are harder to read than MNIST's.
  trainItems: 20_000,
  learningRateScale: (epoch, epochs) => (epoch === epochs - 1 ? 0.1 : 1),
  // A batch holds this many images of A (label 0) and as many of B (label 1).
  batch: 32,
  learningRate: 1e-3,
  required: 0.95,
  build: (info, seed) => buildDomainClassifier(info.shape, seed),
  loss(model, batch) {
    const n = batch.x.shape[0]!;
    const out = model.apply(tf.concat([batch.x, batch.domainB!]), { training: true }) as tf.Tensor2D;
    const domain = tf.concat([tf.zeros([n, 1]), tf.ones([n, 1])]);
    const digits = tf.oneHot(tf.concat([batch.labels, batch.labelsB!]), DIGITS);
    return tf.add(
      tf.losses.sigmoidCrossEntropy(domain, tf.slice(out, [0, 0], [-1, 1])),
      tf.losses.softmaxCrossEntropy(digits, tf.slice(out, [0, 1], [-1, DIGITS])),
    ) as tf.Scalar;
  },
  score(model, held) {
    const [a, b] = [held.x as tf.Tensor4D, held.domainB!];
    const share = (read: Uint8Array, truth: (i: number) => number) =>
      read.filter((v, i) => v === truth(i)).length / read.length;
    const [labelsA, labelsB] = [held.labels.dataSync(), held.labelsB!.dataSync()];
    const domainAccuracy =
      (share(readDomains(model, a), () => 0) + share(readDomains(model, b), () => 1)) / 2;
    const digitAccuracy =
      (share(readDigits(model, a), (i) => labelsA[i]!) + share(readDigits(model, b), (i) => labelsB[i]!)) / 2;
    const images = 2 * a.shape[0];
    return {
      accuracy: Math.min(domainAccuracy, digitAccuracy),
      record: { domainAccuracy, digitAccuracy },
      line: `domain ${(100 * domainAccuracy).toFixed(2)}%, digit ${(100 * digitAccuracy).toFixed(2)}% of ${images} images`,
    };
  },
  dir: domainClassifierDir,
  testImages: 2 * HELD_OUT_COUNT,
  testSet: (dataset) => `the held-out copy of ${dataset} (MNIST test digits), both domains`,
};

judgeCli(DOMAIN_CLASSIFIER_TRAINING, import.meta.url);
