/**
 * The caption encoder: word ids [N, CAPTION_WORDS] -> an embedding [N, units], a token embedding read by an
 * LSTM whose last output is the caption's vector. train-encoder.ts trains it on the captioned digits (to tell
 * each attribute from the caption) and commits its weights to weights/encoder.json; a family then uses it
 * frozen (no trainable weights), so the caption embedding is a fixed function and never a GAN's to change.
 * Both layers are stock tfjs, so a generator that reads captions through it still loads anywhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { CAPTION_WORDS } from '../../shared/captions.ts';
import { datasetInfo } from '../../shared/datasets.ts';

export const ENCODER_FILE = join(dirname(fileURLToPath(import.meta.url)), 'weights', 'encoder.json');
/** The captioned set the encoder reads (its vocabulary). */
export const ENCODER_DATASET = 'captioned-digits';

export interface EncoderSize {
  vocabularySize: number;
  embedDim: number;
  units: number;
}

/** What train-encoder.ts writes: the size, the vocabulary it was trained with, the weights and the record. */
export interface EncoderFile extends EncoderSize {
  vocabulary: string[];
  weights: { name: string; shape: number[]; values: number[] }[];
  record: {
    heldOutAccuracy: Record<string, number>;
    heldOut: number;
    epochs: number;
    seed: number;
    seconds: number;
    command: string;
    createdAt: string;
  };
}

/** A fresh caption encoder, its weights drawn from `seed`; with `seed` null, zeros (weights to be loaded). */
export function buildCaptionEncoder(
  { vocabularySize, embedDim, units }: EncoderSize,
  seed: number | null = 1,
): tf.LayersModel {
  // The orthogonal initialiser takes a QR decomposition: not worth it for weights about to be replaced.
  const init = <T>(made: (seed: number) => T) => (seed === null ? tf.initializers.zeros() : made(seed));
  const ids = tf.input({ shape: [CAPTION_WORDS], name: 'caption' });
  const embedded = tf.layers
    .embedding({
      name: 'caption_embedding',
      inputDim: vocabularySize,
      outputDim: embedDim,
      embeddingsInitializer: init((s) =>
        tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: s }),
      ),
    })
    .apply(ids) as tf.SymbolicTensor;
  const vector = tf.layers
    .lstm({
      name: 'caption_lstm',
      units,
      kernelInitializer: init((s) => tf.initializers.glorotUniform({ seed: s + 1 })),
      recurrentInitializer: init((s) => tf.initializers.orthogonal({ seed: s + 2 })),
    })
    .apply(embedded) as tf.SymbolicTensor;
  return tf.model({ inputs: ids, outputs: vector, name: 'caption_encoder' });
}

/** The committed encoder file, checked against the dataset's vocabulary. */
export function readEncoderFile(path = ENCODER_FILE): EncoderFile {
  if (!existsSync(path))
    throw new Error(`no caption encoder at ${path}: run 'npm run train:caption-encoder' first`);
  const file = JSON.parse(readFileSync(path, 'utf8')) as EncoderFile;
  const vocabulary = datasetInfo(ENCODER_DATASET).vocabulary ?? [];
  if (JSON.stringify(file.vocabulary) !== JSON.stringify(vocabulary))
    throw new Error(
      `the caption encoder at ${path} was trained on another vocabulary than ${ENCODER_DATASET}'s: run 'npm run train:caption-encoder' again`,
    );
  return file;
}

/** The committed encoder with its weights, frozen: none of its weights is trainable. */
export function frozenCaptionEncoder(path = ENCODER_FILE): tf.LayersModel {
  const file = readEncoderFile(path);
  const encoder = buildCaptionEncoder(file, null);
  const weights = encoder.weights;
  if (weights.length !== file.weights.length)
    throw new Error(`${path} holds ${file.weights.length} weights, the encoder has ${weights.length}`);
  const values = file.weights.map((w) => tf.tensor(w.values, w.shape));
  encoder.setWeights(values);
  tf.dispose(values);
  for (const layer of encoder.layers) layer.trainable = false;
  return encoder;
}
