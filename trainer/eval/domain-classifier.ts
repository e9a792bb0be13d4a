/**
 * The domain classifier of an unpaired set of digits: which of its two domains an image looks like (A: 0,
 * B: 1) and which digit it shows, in either domain. It judges CycleGAN's translations (the share of A -> B
 * outputs read as B and of B -> A read as A, and the digit kept each way) and never trains a generator.
 * Trained by train-domain-classifier.ts on the set's training images of both domains with their labels,
 * scored on its held-out copy, committed with its record under weights/<dataset>-domain/.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { WEIGHTS_DIR } from './classifier.ts';

export const DOMAIN_CLASSIFIED = ['digits2mnistm'] as const;
export type DomainClassified = (typeof DOMAIN_CLASSIFIED)[number];

export function domainClassifierDir(dataset: DomainClassified): string {
  return join(WEIGHTS_DIR, `${dataset}-domain`);
}

/** Digits a domain classifier reads. */
export const DIGITS = 10;

/**
 * Three strided 3x3 convolutions and a hidden layer of 128, then one logit for domain B and DIGITS for the digit:
 * [N, H, W, C] in [-1, 1] -> [N, 1 + DIGITS].
 */
export function buildDomainClassifier(shape: readonly number[], seed = 1): tf.Sequential {
  const init = (i: number) => tf.initializers.heNormal({ seed: seed * 100 + i });
  const model = tf.sequential({ name: 'domain_classifier' });
  [32, 64, 64].forEach((filters, i) => {
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [...shape] } : {}),
        filters,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(i),
      }),
    );
  });
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({
      units: 128,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: seed * 100 + 8 }),
    }),
  );
  model.add(
    tf.layers.dense({
      units: 1 + DIGITS,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + 9 }),
    }),
  );
  return model;
}

/** Each of n images' outputs, read by `pick` from its row of 1 + DIGITS logits, batch by batch. */
function readRows(
  model: tf.LayersModel,
  images: tf.Tensor4D,
  pick: (row: Float32Array) => number,
  batchSize: number,
) {
  const n = images.shape[0];
  const out = new Uint8Array(n);
  const width = 1 + DIGITS;
  for (let start = 0; start < n; start += batchSize) {
    const logits = tf.tidy(() => {
      const b = Math.min(batchSize, n - start);
      return model.predict(tf.slice(images, [start], [b])) as tf.Tensor;
    });
    const values = logits.dataSync() as Float32Array;
    for (let i = 0; i < values.length / width; i++)
      out[start + i] = pick(values.subarray(i * width, (i + 1) * width));
    logits.dispose();
  }
  return out;
}

/** The domain (0: A, 1: B) the classifier reads each of n images as. */
export function readDomains(model: tf.LayersModel, images: tf.Tensor4D, batchSize = 500): Uint8Array {
  return readRows(model, images, (row) => (row[0]! > 0 ? 1 : 0), batchSize);
}

/** The digit (0-9) the classifier reads in each of n images, whichever domain it is in. */
export function readDigits(model: tf.LayersModel, images: tf.Tensor4D, batchSize = 500): Uint8Array {
  return readRows(
    model,
    images,
    (row) => {
      let best = 0;
      for (let d = 1; d < DIGITS; d++) if (row[1 + d]! > row[1 + best]!) best = d;
      return best;
    },
    batchSize,
  );
}
