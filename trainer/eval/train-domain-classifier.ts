/**
 * Trains the domain classifier of an unpaired set (domain-classifier.ts) on its training images, A as 0 and
 * B as 1, scores it on the held-out copy (never seen in training) and saves it with its record to
 * weights/<dataset>-domain/. Seeded; it judges generators and never trains one.
 *
 *   npm run train:domain-classifier -- [--dataset digits2mnistm] [--epochs 2] [--seed 1] [--backend wasm]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { datasetInfo } from '../../shared/datasets.ts';
import { initBackend } from '../backend/index.ts';
import { HELD_OUT_COUNT, heldOutBatch } from '../data/derived/index.ts';
import { batchTensors, openDataset } from '../data/index.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkSaver } from '../sinks/model-io.ts';
import {
  buildDomainClassifier,
  DOMAIN_CLASSIFIED,
  type DomainClassified,
  domainClassifierDir,
  readDomains,
} from './domain-classifier.ts';

/** GANS.md: a classifier that judges must reach 95% on held-out data. */
const REQUIRED_ACCURACY = 0.95;
const BATCH = 32;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: 'digits2mnistm' },
      epochs: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      backend: { type: 'string' },
    },
  });
  const dataset = values.dataset as DomainClassified;
  if (!DOMAIN_CLASSIFIED.includes(dataset))
    throw new Error(`--dataset ${values.dataset}: one of ${DOMAIN_CLASSIFIED.join(', ')}`);
  const epochs = Number(values.epochs);
  const seed = Number(values.seed);
  const backend = await initBackend(values.backend);
  const info = datasetInfo(dataset);
  const data = openDataset(dataset, seed);
  const model = buildDomainClassifier(info.shape, seed);
  const optimizer = tf.train.adam(1e-3);
  const steps = Math.ceil(info.count / BATCH);
  const started = performance.now();
  const perEpoch: { epoch: number; loss: number }[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    let lossSum = 0;
    for (let s = 0; s < steps; s++) {
      const batch = data.batch(epoch * steps + s, BATCH);
      const loss = tf.tidy(() => {
        // Each batch holds BATCH images of A (label 0) and BATCH of B (label 1).
        const x = tf.concat([batch.x, batch.domainB!]);
        const y = tf.concat([tf.zeros([BATCH, 1]), tf.ones([BATCH, 1])]);
        return optimizer.minimize(
          () => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
          true,
        )!;
      });
      lossSum += loss.dataSync()[0]!;
      loss.dispose();
      tf.dispose(batchTensors(batch));
    }
    perEpoch.push({ epoch: epoch + 1, loss: lossSum / steps });
    console.log(`epoch ${epoch + 1}: loss ${(lossSum / steps).toFixed(4)}`);
  }
  const held = heldOutBatch(info, HELD_OUT_COUNT);
  const readA = readDomains(model, held.x as tf.Tensor4D);
  const readB = readDomains(model, held.domainB!);
  tf.dispose(batchTensors(held));
  const correct = readA.filter((d) => d === 0).length + readB.filter((d) => d === 1).length;
  const testAccuracy = correct / (2 * HELD_OUT_COUNT);
  console.log(`held-out accuracy ${(100 * testAccuracy).toFixed(2)}% of ${2 * HELD_OUT_COUNT} images`);
  if (testAccuracy < REQUIRED_ACCURACY)
    throw new Error(`held-out accuracy ${testAccuracy} is under the ${REQUIRED_ACCURACY} a judge needs`);
  const out = domainClassifierDir(dataset);
  mkdirSync(out, { recursive: true });
  await model.save(sinkSaver(new LocalArtifactSink(out), ''));
  const record = {
    dataset,
    testAccuracy,
    testImages: 2 * HELD_OUT_COUNT,
    testSet: `the held-out copy of ${dataset} (MNIST test digits), both domains`,
    epochs,
    seed,
    batchSize: 2 * BATCH,
    seconds: Math.round((performance.now() - started) / 1000),
    backend: `${backend.name} (${backend.detail})`,
    command: `npm run train:domain-classifier -- --dataset ${dataset}`,
    params: model.countParams(),
    perEpoch,
    createdAt: new Date().toISOString(),
  };
  writeFileSync(join(out, 'training.json'), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`saved to ${out}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
