/** The committed caption encoder: frozen, and its vector tells captions apart by every attribute. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { tokens } from '../../shared/captions.ts';
import { datasetInfo } from '../../shared/datasets.ts';
import { ENCODER_FILE, frozenCaptionEncoder, readEncoderFile } from './encoder.ts';

const vocabulary = datasetInfo('captioned-digits').vocabulary!;

describe('the caption encoder', () => {
  it('is frozen, and was trained to tell every attribute from the caption', () => {
    const encoder = frozenCaptionEncoder();
    expect(encoder.trainableWeights).toHaveLength(0);
    expect(encoder.weights.length).toBeGreaterThan(0);
    const record = readEncoderFile().record;
    for (const name of ['digit', 'colour', 'size', 'position'])
      expect(record.heldOutAccuracy[name]).toBeGreaterThanOrEqual(0.99);
    encoder.dispose();
  });

  it('gives captions differing in one attribute distinct vectors', () => {
    const encoder = frozenCaptionEncoder();
    const captions = [
      'a large red 3 at the top left',
      'a large red 4 at the top left',
      'a large blue 3 at the top left',
      'a small red 3 at the top left',
      'a large red 3 at the centre',
    ];
    const e = tf.tidy(
      () => encoder.predict(tf.tensor2d(captions.map((c) => tokens(c, vocabulary)))) as tf.Tensor,
    );
    const rows = e.arraySync() as number[][];
    for (let i = 1; i < rows.length; i++) {
      const distance = Math.hypot(...rows[i]!.map((v, k) => v - rows[0]![k]!));
      expect(distance, captions[i]).toBeGreaterThan(0.1);
    }
    e.dispose();
    encoder.dispose();
  });

  it('refuses weights trained on another vocabulary, naming the script to run', () => {
    const file = JSON.parse(readFileSync(ENCODER_FILE, 'utf8'));
    const path = join(mkdtempSync(join(tmpdir(), 'encoder-')), 'encoder.json');
    writeFileSync(path, JSON.stringify({ ...file, vocabulary: [...file.vocabulary, 'purple'] }));
    expect(() => frozenCaptionEncoder(path)).toThrow(/another vocabulary.*train:caption-encoder/);
  });
});
