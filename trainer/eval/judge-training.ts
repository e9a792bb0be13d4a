/**
 * Trains a judge (a network that scores generators and never trains one) on a derived set's training items,
 * scores it on the set's held-out copy and saves it with its record (training.json) beside the weights. A
 * judge under its bar is refused and saves nothing, so the weights already in place stay as they were.
 * Each judge's script exports its definition and hands it to judgeCli.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { type DatasetId, type DatasetInfo, datasetInfo } from '../../shared/datasets.ts';
import { initBackend } from '../backend/index.ts';
import { HELD_OUT_COUNT, heldOutBatch, openDerived } from '../data/derived/index.ts';
import { type Batch, batchTensors, openDataset } from '../data/index.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkSaver } from '../sinks/model-io.ts';

/** A judge's held-out score. */
export interface HeldOutScore {
  /** What is held to the judge's bar. */
  accuracy: number;
  /** What training.json records of the score besides `testAccuracy`. */
  record: Record<string, unknown>;
  /** The score as one line for the console. */
  line: string;
}

export interface JudgeDefinition<D extends DatasetId> {
  /** The npm script that runs it, e.g. 'train:segmenter'. */
  script: string;
  datasets: readonly D[];
  dataset: D;
  epochs: number;
  batch: number;
  learningRate: number;
  /** The rate of an epoch (0-based) as a multiple of learningRate; 1 throughout unless said. */
  learningRateScale?(epoch: number, epochs: number): number;
  /**
   * Training items, when a derived set's catalog count is too few: its generator drawn further at the
   * catalog's seed (loadDerived), the catalog's items first.
   */
  trainItems?: number;
  /** The held-out accuracy a judge needs (GANS.md asks 95% of a classifier). */
  required: number;
  build(info: DatasetInfo, seed: number): tf.LayersModel;
  /** The training loss of one batch (called inside the optimizer's minimize). */
  loss(model: tf.LayersModel, batch: Batch): tf.Scalar;
  score(model: tf.LayersModel, held: Batch, info: DatasetInfo): HeldOutScore;
  /** Where the weights and training.json go. */
  dir(dataset: D): string;
  /** The held-out images scored and what they are. */
  testImages: number;
  testSet(dataset: D): string;
}

export interface JudgeRun<D extends DatasetId> {
  dataset: D;
  epochs: number;
  seed: number;
  backend?: string;
  /** Overrides the definition's folder (tests). */
  out?: string;
  /** Fewer steps an epoch than the set's count over the batch (tests). */
  stepsPerEpoch?: number;
  /** Overrides the definition's bar (tests). */
  required?: number;
  /** Overrides the definition's training items (tests). */
  trainItems?: number;
  log?: (line: string) => void;
}

/** What training.json holds besides the score's own record. */
export interface JudgeRecord {
  dataset: string;
  /** The held-out score held to the bar. */
  testAccuracy: number;
  testImages: number;
  testSet: string;
  trainItems: number;
  epochs: number;
  seed: number;
  batchSize: number;
  seconds: number;
  backend: string;
  command: string;
  params: number;
  perEpoch: { epoch: number; loss: number; learningRate: number }[];
  createdAt: string;
}

/** Trains, scores and (at or over the bar) saves a judge; returns its record and folder. */
export async function trainJudge<D extends DatasetId>(
  def: JudgeDefinition<D>,
  run: JudgeRun<D>,
): Promise<{ record: JudgeRecord & Record<string, unknown>; out: string }> {
  const { dataset, epochs, seed, log = console.log } = run;
  if (!def.datasets.includes(dataset))
    throw new Error(`--dataset ${dataset}: one of ${def.datasets.join(', ')}`);
  if (!(Number.isInteger(epochs) && epochs > 0)) throw new Error(`--epochs ${epochs}: a positive integer`);
  const backend = await initBackend(run.backend);
  const info = datasetInfo(dataset);
  const trainItems = run.trainItems ?? def.trainItems ?? info.count;
  const data = trainItems === info.count ? openDataset(dataset, seed) : openDerived(info, seed, trainItems);
  if (!data) throw new Error(`${dataset} is not a derived set: it cannot give ${trainItems} training items`);
  const model = def.build(info, seed);
  const optimizer = tf.train.adam(def.learningRate);
  const steps = run.stepsPerEpoch ?? Math.ceil(trainItems / def.batch);
  const started = performance.now();
  const perEpoch: JudgeRecord['perEpoch'] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const learningRate = def.learningRate * (def.learningRateScale?.(epoch, epochs) ?? 1);
    // Adam reads its rate at every update.
    (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    let lossSum = 0;
    for (let s = 0; s < steps; s++) {
      const batch = data.batch(epoch * steps + s, def.batch);
      const loss = tf.tidy(() => optimizer.minimize(() => def.loss(model, batch), true)!);
      lossSum += loss.dataSync()[0]!;
      tf.dispose([loss, ...batchTensors(batch)]);
      if ((s + 1) % 50 === 0)
        log(`epoch ${epoch + 1} step ${s + 1}/${steps}: loss ${(lossSum / (s + 1)).toFixed(4)}`);
    }
    perEpoch.push({ epoch: epoch + 1, loss: lossSum / steps, learningRate });
    log(`epoch ${epoch + 1}: loss ${(lossSum / steps).toFixed(4)}`);
  }
  optimizer.dispose();
  const held = heldOutBatch(info, HELD_OUT_COUNT);
  const score = def.score(model, held, info);
  tf.dispose(batchTensors(held));
  log(`held-out: ${score.line}`);
  const required = run.required ?? def.required;
  if (!(score.accuracy >= required)) {
    model.dispose();
    throw new Error(
      `held-out accuracy ${score.accuracy} is under the ${required} a judge needs; nothing was saved`,
    );
  }
  const out = run.out ?? def.dir(dataset);
  mkdirSync(out, { recursive: true });
  await model.save(sinkSaver(new LocalArtifactSink(out), ''));
  const record = {
    dataset,
    testAccuracy: score.accuracy,
    ...score.record,
    testImages: def.testImages,
    testSet: def.testSet(dataset),
    trainItems,
    epochs,
    seed,
    batchSize: def.batch,
    seconds: Math.round((performance.now() - started) / 1000),
    backend: `${backend.name} (${backend.detail})`,
    command: `npm run ${def.script} -- --dataset ${dataset} --epochs ${epochs} --seed ${seed}`,
    params: model.countParams(),
    perEpoch,
    createdAt: new Date().toISOString(),
  };
  model.dispose();
  writeFileSync(join(out, 'training.json'), `${JSON.stringify(record, null, 2)}\n`);
  log(`saved to ${out}`);
  return { record, out };
}

/**
 * A judge's command line (--dataset, --epochs, --seed, --backend) when `moduleUrl`, the defining script's
 * import.meta.url, is the process's entry; importing the script (tests) runs nothing. Errors end the process
 * with status 1.
 */
export function judgeCli<D extends DatasetId>(def: JudgeDefinition<D>, moduleUrl: string): void {
  if (!(process.argv[1] && moduleUrl === pathToFileURL(resolve(process.argv[1])).href)) return;
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: def.dataset as string },
      epochs: { type: 'string', default: String(def.epochs) },
      seed: { type: 'string', default: '1' },
      backend: { type: 'string' },
    },
  });
  trainJudge(def, {
    dataset: values.dataset as D,
    epochs: Number(values.epochs),
    seed: Number(values.seed),
    backend: values.backend,
  }).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
