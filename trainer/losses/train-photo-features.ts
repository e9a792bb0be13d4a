/**
 * Trains the photo autoencoder (photo-features.ts) on the photos-x4 training crops to reconstruct them, scores
 * its reconstructions of the held-out crops (the photographs' bottom quarters, never trained on), and saves
 * it with its record to weights/photo-features/. Seeded. SRGAN's content loss reads its encoder.
 *
 *   npm run train:photo-features -- [--steps 800] [--seed 1] [--backend wasm]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { datasetInfo } from '../../shared/datasets.ts';
import { initBackend } from '../backend/index.ts';
import { heldOutBatch } from '../data/derived/index.ts';
import { batchTensors, openDataset } from '../data/index.ts';
import { prepareDataset } from '../data/prepare.ts';
import { reconstructionScores } from '../eval/image-quality.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkSaver } from '../sinks/model-io.ts';
import { mse } from './content.ts';
import { buildPhotoAutoencoder, PHOTO_FEATURES_DIR } from './photo-features.ts';

const BATCH = 32;
const HELD_OUT = 500;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '800' },
      seed: { type: 'string', default: '1' },
      backend: { type: 'string' },
    },
  });
  const steps = Number(values.steps);
  const seed = Number(values.seed);
  const backend = await initBackend(values.backend);
  await prepareDataset('photos-x4');
  const info = datasetInfo('photos-x4');
  const data = openDataset('photos-x4', seed);
  const model = buildPhotoAutoencoder(seed);
  const optimizer = tf.train.adam(1e-3);
  const started = performance.now();
  const losses: { step: number; loss: number }[] = [];
  let sum = 0;
  for (let step = 0; step < steps; step++) {
    const batch = data.batch(step, BATCH);
    const loss = tf.tidy(
      () =>
        optimizer.minimize(() => mse(model.apply(batch.x, { training: true }) as tf.Tensor, batch.x), true)!,
    );
    sum += loss.dataSync()[0]!;
    loss.dispose();
    tf.dispose(batchTensors(batch));
    if ((step + 1) % 100 === 0) {
      losses.push({ step: step + 1, loss: sum / 100 });
      console.log(`step ${step + 1}: reconstruction MSE ${(sum / 100).toFixed(5)}`);
      sum = 0;
    }
  }
  const held = heldOutBatch(info, HELD_OUT);
  const out = model.predict(held.x) as tf.Tensor;
  const shape = info.shape as [number, number, number];
  const scores = reconstructionScores(
    out.dataSync() as Float32Array,
    held.x.dataSync() as Float32Array,
    shape,
  );
  tf.dispose([out, ...batchTensors(held)]);
  console.log(`held-out reconstruction: PSNR ${scores.psnr.toFixed(2)} dB, SSIM ${scores.ssim.toFixed(4)}`);
  mkdirSync(PHOTO_FEATURES_DIR, { recursive: true });
  await model.save(sinkSaver(new LocalArtifactSink(PHOTO_FEATURES_DIR), ''));
  const record = {
    dataset: 'photos-x4',
    task: 'reconstruct 32 x 32 crops through an 8 x 8 x 16 code (a third of the values)',
    heldOut: {
      images: HELD_OUT,
      set: "the first held-out crops of photos-x4 (the photographs' bottom quarters)",
      ...scores,
    },
    steps,
    seed,
    batchSize: BATCH,
    seconds: Math.round((performance.now() - started) / 1000),
    backend: `${backend.name} (${backend.detail})`,
    command: 'npm run train:photo-features',
    params: model.countParams(),
    losses,
    createdAt: new Date().toISOString(),
  };
  writeFileSync(join(PHOTO_FEATURES_DIR, 'training.json'), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`saved to ${PHOTO_FEATURES_DIR}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
