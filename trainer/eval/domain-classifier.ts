/**
 * The domain classifier of an unpaired set: which of its two domains an image looks like (A: 0, B: 1). It
 * judges CycleGAN's translations (the share of A -> B outputs read as B, and of B -> A read as A) and never
 * trains a generator. Trained by train-domain-classifier.ts on the set's training images of both domains,
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

/** Three strided 3x3 convolutions and one logit for domain B: [N, H, W, C] in [-1, 1] -> [N, 1]. */
export function buildDomainClassifier(shape: readonly number[], seed = 1): tf.Sequential {
  const init = (i: number) => tf.initializers.heNormal({ seed: seed * 100 + i });
  const model = tf.sequential({ name: 'domain_classifier' });
  [8, 16, 16].forEach((filters, i) => {
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
    tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + 9 }) }),
  );
  return model;
}

/** The domain (0: A, 1: B) the classifier reads each of n images as. */
export function readDomains(model: tf.LayersModel, images: tf.Tensor4D, batchSize = 500): Uint8Array {
  const n = images.shape[0];
  const out = new Uint8Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const logits = tf.tidy(() => {
      const b = Math.min(batchSize, n - start);
      return model.predict(tf.slice(images, [start], [b])) as tf.Tensor;
    });
    const values = logits.dataSync();
    for (let i = 0; i < values.length; i++) out[start + i] = values[i]! > 0 ? 1 : 0;
    logits.dispose();
  }
  return out;
}
