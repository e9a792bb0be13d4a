/**
 * Trains the captioned digits' attribute reader (attribute-reader.ts) on real captioned images and saves it
 * with its record to trainer/eval/weights/captioned-digits/: the set's 5,000 items (seed 0) and --extra more
 * its generator draws from seed 2 (MNIST digits in new colours, sizes and places; 5,000 alone left the
 * digit at 76%). Held out: 1,000 items the generator draws from seed 1, never seen in training; accuracy is reported per attribute, at full size and
 * through the 16 px version. Every other training batch is shown through that 16 px version. Seeded.
 *
 *   npm run train:attribute-reader -- [--epochs 6] [--extra 10000] [--seed 1] [--batch 64] [--lr 0.002]
 *                                      [--backend wasm]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { datasetInfo } from '../../shared/datasets.ts';
import { initBackend } from '../backend/index.ts';
import { captionedDigits } from '../data/derived/captioned-digits.ts';
import { loadDerived } from '../data/derived/index.ts';
import { Rng, Stream } from '../data/rng.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkSaver } from '../sinks/model-io.ts';
import {
  attributeAccuracy,
  buildAttributeReader,
  READER_DATASET,
  READER_DIR,
  type ReaderRecord,
  readAttributes,
  readerAttributes,
  realItems,
} from './attribute-reader.ts';

/** Each attribute must be read this well from real images for the reader to judge generators. */
const REQUIRED = 0.95;
const HELD_OUT = 1000;
const HELD_OUT_SEED = 1;
const EXTRA_SEED = 2;

/** Images shown through a half-size version (2 x 2 means) in 2 x 2 blocks, as a half-size stage's are read. */
function halved(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  return tf.tidy(() => tf.image.resizeNearestNeighbor(tf.avgPool(x, 2, 2, 'valid'), [h, w]));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const { values } = parseArgs({
    args,
    options: {
      epochs: { type: 'string', default: '6' },
      extra: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      batch: { type: 'string', default: '64' },
      lr: { type: 'string', default: '0.002' },
      backend: { type: 'string', default: 'wasm' },
    },
  });
  const [epochs, seed, batch, lr] = [values.epochs, values.seed, values.batch, values.lr].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  await initBackend(values.backend);
  const base = loadDerived(datasetInfo(READER_DATASET));
  const extra = Number(values.extra);
  const sets = extra > 0 ? [base, captionedDigits.generate(EXTRA_SEED, extra)] : [base];
  const count = sets.reduce((n, s) => n + s.count, 0);
  /** Item i of the training images: the set's first, then the extra ones. */
  const item = (i: number) =>
    i < base.count ? realItems(base, i, 1) : realItems(sets[1]!, i - base.count, 1);
  const held = captionedDigits.generate(HELD_OUT_SEED, HELD_OUT);
  const names = readerAttributes();
  const reader = buildAttributeReader(seed);
  const optimizer = tf.train.adam(lr);
  const started = performance.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    // The last epoch at a tenth of the rate.
    (optimizer as unknown as { learningRate: number }).learningRate = epoch === epochs - 1 ? lr / 10 : lr;
    const order = new Rng(seed, Stream.shuffle, epoch).permutation(count);
    let loss = 0;
    let steps = 0;
    for (let s = 0; s + batch <= count; s += batch, steps++) {
      const cost = tf.tidy(() => {
        const items = Array.from(order.subarray(s, s + batch));
        const parts = items.map(item);
        const x = tf.concat(parts.map((p) => p.images)) as tf.Tensor4D;
        const shown = steps % 2 === 1 ? halved(x) : x;
        const targets = names.map((a, k) =>
          tf.oneHot(
            tf.tensor1d(
              parts.map((p) => p.attributes[k]![0]!),
              'int32',
            ),
            a.values.length,
          ),
        );
        return optimizer.minimize(() => {
          const probs = reader.apply(shown, { training: true }) as tf.Tensor[];
          return tf.addN(
            probs.map((p, k) =>
              tf.neg(tf.mean(tf.sum(tf.mul(targets[k]!, tf.log(tf.clipByValue(p, 1e-7, 1))), -1))),
            ),
          ) as tf.Scalar;
        }, true)!;
      });
      if (steps % 20 === 0) loss += cost.dataSync()[0]!;
      cost.dispose();
    }
    console.log(`epoch ${epoch + 1}/${epochs}: loss ${(loss / Math.ceil(steps / 20)).toFixed(4)}`);
  }
  const { images, attributes } = realItems(held, 0, HELD_OUT);
  const half = halved(images);
  const heldOutAccuracy = {
    full: attributeAccuracy(readAttributes(reader, images), attributes),
    half: attributeAccuracy(readAttributes(reader, half), attributes),
  };
  tf.dispose([images, half]);
  console.log('held-out accuracy', heldOutAccuracy);
  const record: ReaderRecord = {
    heldOutAccuracy,
    heldOut: `${HELD_OUT} items of ${READER_DATASET} drawn from seed ${HELD_OUT_SEED} (training uses seed 0)`,
    trainImages: count,
    epochs,
    seed,
    seconds: Math.round((performance.now() - started) / 1000),
    params: reader.countParams(),
    command: ['npm run train:attribute-reader', ...(args.length ? ['--', ...args] : [])].join(' '),
    createdAt: new Date().toISOString(),
  };
  mkdirSync(READER_DIR, { recursive: true });
  await reader.save(sinkSaver(new LocalArtifactSink(READER_DIR), ''));
  writeFileSync(`${READER_DIR}/training.json`, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`saved to ${READER_DIR}`);
  const low = [...Object.entries(heldOutAccuracy.full), ...Object.entries(heldOutAccuracy.half)].filter(
    ([, a]) => a < REQUIRED,
  );
  if (low.length > 0) {
    console.error(
      `held-out accuracy below ${REQUIRED * 100}%: ${low.map(([n, a]) => `${n} ${a}`).join(', ')}`,
    );
    process.exitCode = 1;
  }
}

await main();
