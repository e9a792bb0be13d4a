import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { randomValues } from '../backend/test-util.ts';
import { selfAttention } from './attention.ts';
import { exportableModel } from './export.ts';
import { Init } from './init.ts';
import { classEmbedding, concatenate, conv, dense, input, reshape } from './layers.ts';
import { residualUp } from './resnet.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const CUSTOM = ['SpectralNorm', 'Modulate', 'Scale'];

/** A small conditional G with every custom layer: spectral norm, class- and style-modulated BN, attention. */
function generator(): tf.LayersModel {
  const init = new Init(5);
  const z = input([6], 'z');
  const y = input([3], 'label');
  let h = reshape(dense(z, { units: 2 * 2 * 8, init, spectralNorm: true }), [2, 2, 8]);
  h = residualUp(h, y, { filters: 8, init, spectralNorm: true, source: { from: 'class' }, name: 'b1' });
  const { out, map } = selfAttention(h, { init, spectralNorm: true, name: 'attn' });
  const style = concatenate([classEmbedding(y, 4, { init, name: 'shared' }), z]);
  h = residualUp(out, style, { filters: 8, init, spectralNorm: true, source: { from: 'style' }, name: 'b2' });
  const image = conv(h, { filters: 1, kernel: 3, strides: 1, init, activation: 'tanh', spectralNorm: true });
  void map;
  return tf.model({ inputs: [z, y], outputs: image, name: 'generator' });
}

describe('exportable generator', () => {
  it('folds spectral norm, modulate and gamma into stock layers with the same output, plus the attention map', async () => {
    const g = generator();
    // Training calls move the moving statistics and the u vectors away from their initial values; then
    // every weight is set to random values so no folded weight is at a trivial zero or one.
    g.trainableWeights.forEach((w, i) => {
      w.write(tf.mul(tf.tensor(randomValues(w.read().size, 10 + i), w.read().shape), 0.4));
    });
    const z = tf.tensor2d(randomValues(5 * 6, 1), [5, 6]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1, 0], 'int32'), 3).toFloat();
    for (let i = 0; i < 4; i++) tf.dispose(g.apply([z, y], { training: true }) as tf.Tensor);

    const exported = exportableModel(g, ['attn_map']);
    const classes = exported.layers.map((l) => l.getClassName());
    for (const c of CUSTOM) expect(classes).not.toContain(c);
    expect(exported.inputNames).toEqual(['z', 'label']);
    expect(exported.outputs.map((o) => o.shape)).toEqual([
      [null, 8, 8, 1],
      [null, 16, 16],
    ]);
    const [sample, map] = exported.predict([z, y]) as tf.Tensor[];
    const expected = g.predict([z, y]) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(sample!, expected))).dataSync()[0]).toBeLessThan(1e-5);
    expect(
      tf
        .sum(map!, -1)
        .dataSync()
        .every((r) => Math.abs(r - 1) < 1e-5),
    ).toBe(true);

    // Saved and loaded as JSON, its topology names no custom class, and it computes the same.
    let artifacts: tf.io.ModelArtifacts | undefined;
    await exported.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const topology = JSON.stringify(artifacts!.modelTopology);
    for (const c of CUSTOM) expect(topology).not.toContain(`"class_name":"${c}"`);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const [again] = loaded.predict([z, y]) as tf.Tensor[];
    expect(tf.max(tf.abs(tf.sub(again!, expected))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('names a missing extra output', () => {
    expect(() => exportableModel(generator(), ['nowhere'])).toThrow(/has no layer 'nowhere'/);
  });
});
