/**
 * Trains the segmenter of a label-map set (segmenter.ts) on its training images and their maps (per-pixel
 * softmax cross-entropy), scores it on the held-out copy (scenes never trained on) and saves it with its
 * record to weights/<dataset>-segmenter/. Seeded; it judges generators and never trains one.
 *
 *   npm run train:segmenter -- [--dataset scenes] [--epochs 2] [--seed 1] [--backend wasm]
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
  buildSegmenter,
  classesOf,
  SEGMENTED,
  type Segmented,
  segment,
  segmentationScores,
  segmenterDir,
} from './segmenter.ts';

/** A judge's bar: pixels read right on held-out scenes (GANS.md asks 95% of a classifier). */
const REQUIRED_PIXEL_ACCURACY = 0.95;
const BATCH = 16;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: 'scenes' },
      epochs: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      backend: { type: 'string' },
    },
  });
  const dataset = values.dataset as Segmented;
  if (!SEGMENTED.includes(dataset))
    throw new Error(`--dataset ${values.dataset}: one of ${SEGMENTED.join(', ')}`);
  const epochs = Number(values.epochs);
  const seed = Number(values.seed);
  const backend = await initBackend(values.backend);
  const info = datasetInfo(dataset);
  const data = openDataset(dataset, seed);
  const model = buildSegmenter(info.shape, info.classes, seed);
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
            () =>
              tf.losses.softmaxCrossEntropy(
                batch.map!,
                model.apply(batch.x, { training: true }) as tf.Tensor,
              ) as tf.Scalar,
            true,
          )!,
      );
      lossSum += loss.dataSync()[0]!;
      loss.dispose();
      tf.dispose(batchTensors(batch));
      if ((s + 1) % 50 === 0)
        console.log(`epoch ${epoch + 1} step ${s + 1}/${steps}: loss ${(lossSum / (s + 1)).toFixed(4)}`);
    }
    perEpoch.push({ epoch: epoch + 1, loss: lossSum / steps });
    console.log(`epoch ${epoch + 1}: loss ${(lossSum / steps).toFixed(4)}`);
  }
  const held = heldOutBatch(info, HELD_OUT_COUNT);
  const scores = segmentationScores(
    segment(model, held.x as tf.Tensor4D),
    classesOf(held.map!),
    info.classNames!,
  );
  tf.dispose(batchTensors(held));
  console.log(
    `held-out: mIoU ${(100 * scores.mIoU).toFixed(2)}%, pixel accuracy ${(100 * scores.pixelAccuracy).toFixed(2)}% over ${HELD_OUT_COUNT} scenes`,
  );
  console.log(scores.perClass);
  if (scores.pixelAccuracy < REQUIRED_PIXEL_ACCURACY)
    throw new Error(
      `held-out pixel accuracy ${scores.pixelAccuracy} is under the ${REQUIRED_PIXEL_ACCURACY} a judge needs`,
    );
  const out = segmenterDir(dataset);
  mkdirSync(out, { recursive: true });
  await model.save(sinkSaver(new LocalArtifactSink(out), ''));
  const record = {
    dataset,
    testAccuracy: scores.pixelAccuracy,
    testMIoU: scores.mIoU,
    testPerClassIoU: scores.perClass,
    testImages: HELD_OUT_COUNT,
    testSet: `the held-out copy of ${dataset} (scenes drawn apart from the training ones)`,
    epochs,
    seed,
    batchSize: BATCH,
    seconds: Math.round((performance.now() - started) / 1000),
    backend: `${backend.name} (${backend.detail})`,
    command: `npm run train:segmenter -- --dataset ${dataset}`,
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
