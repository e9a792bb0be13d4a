import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { exportableModel } from './export.ts';
import { checkGradients, randomiseWeights, randomTensor, relativeError } from './gradient-check.ts';
import { Init } from './init.ts';
import { Modulate } from './modulate.ts';
import { spadeGenerator, spadeResBlock } from './spade.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** A one-hot map [n, side, side, classes] of random classes. */
function labelMap(n: number, side: number, classes: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => {
    const ids = tf.floor(tf.mul(tf.add(randomTensor([n, side, side], seed), 1), classes / 2));
    return tf.oneHot(tf.cast(tf.clipByValue(ids, 0, classes - 1), 'int32'), classes).toFloat() as tf.Tensor4D;
  });
}

function blockModel(channels: number, filters: number): tf.LayersModel {
  const x = tf.input({ shape: [4, 4, channels] });
  const map = tf.input({ shape: [8, 8, 2] });
  const out = spadeResBlock(x, map, { filters, hidden: 3, init: new Init(3), name: 'b' });
  return tf.model({ inputs: [x, map], outputs: out });
}

const spadeLayers = (m: tf.LayersModel) =>
  m.layers.filter((l): l is Modulate => l instanceof Modulate && l.source.from === 'map');

describe('SPADE', () => {
  it('a residual block keeps the side, SPADE before each conv, and a SPADE shortcut only where the width changes', () => {
    const same = blockModel(4, 4);
    expect(same.outputs[0]!.shape).toEqual([null, 4, 4, 4]);
    expect(spadeLayers(same).map((l) => l.name)).toEqual(['b_spade1', 'b_spade2']);
    const wider = blockModel(4, 6);
    expect(wider.outputs[0]!.shape).toEqual([null, 4, 4, 6]);
    expect(
      spadeLayers(wider)
        .map((l) => l.name)
        .sort(),
    ).toEqual(['b_spade1', 'b_spade2', 'b_spade_skip']);
    // Every SPADE reads the label map: its second input is the map, not the features.
    for (const l of spadeLayers(wider))
      expect(l.inboundNodes[0]!.inboundLayers[1]!.name).toBe(wider.inputNames[1]);
    same.dispose();
    wider.dispose();
  });

  it("a block's gradients in every weight and in x match finite differences", () => {
    const m = blockModel(3, 2);
    randomiseWeights(m, 20, 0.5);
    const x = tf.variable(randomTensor([2, 4, 4, 3], 1));
    const map = labelMap(2, 8, 2, 2);
    const f = () =>
      tf.tidy(() => tf.sum(tf.square(m.apply([x, map], { training: true }) as tf.Tensor)) as tf.Scalar);
    const variables = [...m.trainableWeights.map((w) => w.read() as tf.Variable), x];
    // LeakyReLU's kink: a small step keeps every unit on its side.
    const checks = checkGradients(f, variables, { h: 1e-3 });
    expect(checks).toHaveLength(variables.length);
    // float32 differences of a sum over the block's output carry an absolute error of ~1e-2: a component far
    // smaller than the largest is held to that, the rest to 2% of their size.
    const floor = 0.01 * Math.max(...checks.map((c) => Math.abs(c.analytic)));
    for (const check of checks) expect(relativeError(check, floor), check.name).toBeLessThan(2e-2);
    m.dispose();
  });

  it("the generator draws an image of the map's side from the map alone, SPADE in every block, and changes with the map", () => {
    const g = spadeGenerator({
      mapShape: [16, 16, 3],
      outputChannels: 3,
      widths: [8, 6, 4],
      hidden: 4,
      init: new Init(4),
    });
    expect(g.inputNames).toEqual(['map']);
    expect(g.outputs[0]!.shape).toEqual([null, 16, 16, 3]);
    for (let b = 0; b < 3; b++)
      expect(spadeLayers(g).some((l) => l.name.startsWith(`block${b}_`))).toBe(true);
    randomiseWeights(g, 10, 0.5);
    const [a, b] = [labelMap(2, 16, 3, 5), labelMap(2, 16, 3, 6)];
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(g.predict(a) as tf.Tensor, g.predict(b) as tf.Tensor))));
    expect(diff.dataSync()[0]).toBeGreaterThan(1e-2);
    tf.dispose([a, b, diff]);
    g.dispose();
  });

  it('the generator exports as stock layers (SPADE folded) with the same output', () => {
    const g = spadeGenerator({
      mapShape: [8, 8, 2],
      outputChannels: 3,
      widths: [4, 4],
      hidden: 3,
      init: new Init(6),
    });
    randomiseWeights(g, 30, 0.4);
    const map = labelMap(3, 8, 2, 7);
    // Moving statistics away from their initial (0, 1).
    for (let i = 0; i < 3; i++) tf.dispose(g.apply(map, { training: true }) as tf.Tensor);
    const exported = exportableModel(g);
    expect(exported.layers.some((l) => l instanceof Modulate)).toBe(false);
    const diff = tf.tidy(() =>
      tf.max(tf.abs(tf.sub(g.predict(map) as tf.Tensor, exported.predict(map) as tf.Tensor))),
    );
    expect(diff.dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([map, diff]);
    g.dispose();
    exported.dispose();
  });

  it('refuses a map whose side the blocks cannot halve down to', () => {
    expect(() =>
      spadeGenerator({
        mapShape: [12, 12, 2],
        outputChannels: 3,
        widths: [4, 4, 4, 4],
        hidden: 2,
        init: new Init(1),
      }),
    ).toThrow(/needs sides divisible by 8, got 12x12/);
  });
});
