/**
 * Trains the article reader of an articles set (article-reader.ts) on its training figures (the colour
 * and pattern of the top each wears), scores it on the held-out copy (items never trained on) and saves it
 * with its record to weights/<dataset>-attributes/. Seeded; it judges generators and never trains one.
 *
 *   npm run train:article-reader -- [--dataset figures-articles] [--epochs 4] [--seed 1] [--backend wasm]
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
  ARTICLE_READ,
  type ArticleRead,
  articleAccuracy,
  articleLoss,
  articleReaderDir,
  buildArticleReader,
  readArticles,
} from './article-reader.ts';

/** GANS.md: a classifier that judges must reach 95% on held-out data (here: colour and pattern both right). */
const REQUIRED_ACCURACY = 0.95;
const BATCH = 32;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: 'figures-articles' },
      epochs: { type: 'string', default: '4' },
      seed: { type: 'string', default: '1' },
      backend: { type: 'string' },
    },
  });
  const dataset = values.dataset as ArticleRead;
  if (!ARTICLE_READ.includes(dataset))
    throw new Error(`--dataset ${values.dataset}: one of ${ARTICLE_READ.join(', ')}`);
  const epochs = Number(values.epochs);
  const seed = Number(values.seed);
  const backend = await initBackend(values.backend);
  const info = datasetInfo(dataset);
  const data = openDataset(dataset, seed);
  const model = buildArticleReader(info.shape, seed);
  const optimizer = tf.train.adam(2e-3);
  const steps = Math.ceil(info.count / BATCH);
  const started = performance.now();
  const perEpoch: { epoch: number; loss: number }[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    let lossSum = 0;
    for (let s = 0; s < steps; s++) {
      const batch = data.batch(epoch * steps + s, BATCH);
      const loss = tf.tidy(
        () =>
          optimizer.minimize(
            () => articleLoss(model.apply(batch.x, { training: true }) as tf.Tensor2D, batch.attributes!),
            true,
          )!,
      );
      lossSum += loss.dataSync()[0]!;
      loss.dispose();
      tf.dispose(batchTensors(batch));
    }
    perEpoch.push({ epoch: epoch + 1, loss: lossSum / steps });
    console.log(`epoch ${epoch + 1}: loss ${(lossSum / steps).toFixed(4)}`);
  }
  const held = heldOutBatch(info, HELD_OUT_COUNT);
  const accuracy = articleAccuracy(readArticles(model, held.x as tf.Tensor4D), held.attributes!.dataSync());
  tf.dispose(batchTensors(held));
  console.log(
    `held-out accuracy: colour ${(100 * accuracy.colour).toFixed(2)}%, pattern ${(100 * accuracy.pattern).toFixed(2)}%, both ${(100 * accuracy.both).toFixed(2)}% of ${HELD_OUT_COUNT} figures`,
  );
  if (accuracy.both < REQUIRED_ACCURACY)
    throw new Error(`held-out accuracy ${accuracy.both} is under the ${REQUIRED_ACCURACY} a judge needs`);
  const out = articleReaderDir(dataset);
  mkdirSync(out, { recursive: true });
  await model.save(sinkSaver(new LocalArtifactSink(out), ''));
  const record = {
    dataset,
    testAccuracy: accuracy.both,
    testAccuracyColour: accuracy.colour,
    testAccuracyPattern: accuracy.pattern,
    testImages: HELD_OUT_COUNT,
    testSet: `the held-out copy of ${dataset} (items from streams no training item uses)`,
    epochs,
    seed,
    batchSize: BATCH,
    seconds: Math.round((performance.now() - started) / 1000),
    backend: `${backend.name} (${backend.detail})`,
    command: `npm run train:article-reader -- --dataset ${dataset}`,
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
