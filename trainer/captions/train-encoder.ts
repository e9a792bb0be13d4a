/**
 * Trains the caption encoder (encoder.ts) on the captioned digits' captions and commits it to
 * trainer/captions/weights/encoder.json: the encoder under one softmax head per attribute (digit, colour,
 * size, position), so its vector holds what the caption says; the heads are dropped. Items 0..N-1000 train,
 * the last 1,000 are held out and each attribute's held-out accuracy is recorded. Seeded throughout.
 *
 *   npm run train:caption-encoder -- [--epochs 12] [--seed 1] [--embed 16] [--units 32]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { CAPTION_WORDS } from '../../shared/captions.ts';
import { datasetInfo } from '../../shared/datasets.ts';
import { initBackend } from '../backend/index.ts';
import { loadDerived } from '../data/derived/index.ts';
import { Rng, Stream } from '../data/rng.ts';
import { buildCaptionEncoder, ENCODER_DATASET, ENCODER_FILE, type EncoderFile } from './encoder.ts';

const HELD_OUT = 1000;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const { values } = parseArgs({
    args,
    options: {
      epochs: { type: 'string', default: '12' },
      seed: { type: 'string', default: '1' },
      embed: { type: 'string', default: '16' },
      units: { type: 'string', default: '32' },
      backend: { type: 'string', default: 'wasm' },
    },
  });
  const [epochs, seed] = [Number(values.epochs), Number(values.seed)];
  await initBackend(values.backend);
  const info = datasetInfo(ENCODER_DATASET);
  const vocabulary = info.vocabulary!;
  const attributes = info.attributes!;
  const set = loadDerived(info);
  const captions = set.values.caption!;
  const attrs = set.values.attributes!;
  const n = set.count;
  const trainCount = n - HELD_OUT;
  const size = {
    vocabularySize: vocabulary.length,
    embedDim: Number(values.embed),
    units: Number(values.units),
  };
  const encoder = buildCaptionEncoder(size, seed);
  const heads = attributes.map(
    (a, k) =>
      tf.layers
        .dense({
          name: `head_${a.name}`,
          units: a.values.length,
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 10 + k }),
        })
        .apply(encoder.outputs[0]!) as tf.SymbolicTensor,
  );
  const reader = tf.model({ inputs: encoder.inputs, outputs: heads });
  const optimizer = tf.train.adam(3e-3);
  const batch = 64;
  const rows = (ids: ArrayLike<number>) => {
    const x = new Float32Array(ids.length * CAPTION_WORDS);
    const y = attributes.map(() => new Int32Array(ids.length));
    Array.from(ids).forEach((item, i) => {
      x.set(captions.data.subarray(item * CAPTION_WORDS, (item + 1) * CAPTION_WORDS), i * CAPTION_WORDS);
      attributes.forEach((_, k) => {
        y[k]![i] = attrs.data[item * attributes.length + k]!;
      });
    });
    return { x, y };
  };
  const started = performance.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = new Rng(seed, Stream.shuffle, epoch).permutation(trainCount);
    let loss = 0;
    for (let s = 0; s + batch <= trainCount; s += batch) {
      const { x, y } = rows(order.subarray(s, s + batch));
      const cost = tf.tidy(() => {
        const xs = tf.tensor2d(x, [batch, CAPTION_WORDS]);
        return optimizer.minimize(() => {
          const logits = reader.apply(xs, { training: true }) as tf.Tensor[];
          return tf.addN(
            logits.map((l, k) =>
              tf.losses.softmaxCrossEntropy(
                tf.oneHot(tf.tensor1d(y[k]!, 'int32'), attributes[k]!.values.length),
                l,
              ),
            ),
          ) as tf.Scalar;
        }, true)!;
      });
      loss += cost.dataSync()[0]!;
      cost.dispose();
    }
    console.log(
      `epoch ${epoch + 1}/${epochs}: mean loss ${(loss / Math.floor(trainCount / batch)).toFixed(4)}`,
    );
  }
  const held = rows(Int32Array.from({ length: HELD_OUT }, (_, i) => trainCount + i));
  const predicted = tf.tidy(() =>
    (reader.predict(tf.tensor2d(held.x, [HELD_OUT, CAPTION_WORDS])) as tf.Tensor[]).map((l) => l.argMax(-1)),
  );
  const heldOutAccuracy = Object.fromEntries(
    attributes.map((a, k) => {
      const p = predicted[k]!.dataSync();
      let right = 0;
      for (let i = 0; i < HELD_OUT; i++) if (p[i] === held.y[k]![i]) right++;
      return [a.name, right / HELD_OUT];
    }),
  );
  tf.dispose(predicted);
  console.log('held-out accuracy', heldOutAccuracy);
  const file: EncoderFile = {
    ...size,
    vocabulary: [...vocabulary],
    weights: encoder.weights.map((w) => ({
      name: w.originalName,
      shape: w.shape as number[],
      values: Array.from(w.read().dataSync(), (v) => Number(v.toPrecision(7))),
    })),
    record: {
      heldOutAccuracy,
      heldOut: HELD_OUT,
      epochs,
      seed,
      seconds: Math.round((performance.now() - started) / 1000),
      command: ['npm run train:caption-encoder', ...(args.length ? ['--', ...args] : [])].join(' '),
      createdAt: new Date().toISOString(),
    },
  };
  writeFileSync(ENCODER_FILE, `${JSON.stringify(file)}\n`);
  console.log(`saved ${ENCODER_FILE}`);
  if (Object.values(heldOutAccuracy).some((a) => a < 0.99)) {
    console.error('an attribute is read from the caption below 99%: the encoder does not hold the caption');
    process.exitCode = 1;
  }
}

await main();
