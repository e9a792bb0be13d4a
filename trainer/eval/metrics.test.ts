import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng.ts';
import { GRID25, RING8, sampleMixture } from '../data/toy2d.ts';
import { gaussianStats } from './frechet.ts';
import {
  cfid,
  classAccuracy,
  classesCovered,
  classHistogram,
  modeMinSamples,
  modesAndHq,
} from './metrics.ts';

function onModes(modes: [number, number][], perMode: number): Float32Array {
  return Float32Array.from(modes.flatMap(([x, y]) => Array.from({ length: perMode }, () => [x, y]).flat()));
}

describe('modesAndHq', () => {
  it('counts 7 of 8 ring modes and 100% HQ for points exactly on 7 modes', () => {
    const r = modesAndHq(onModes(RING8.modes.slice(0, 7), 10), RING8);
    expect(r).toMatchObject({ modesCovered: 7, modesTotal: 8, hqPercent: 100, hqSamples: 70, samples: 70 });
    expect(r.hqPerMode).toEqual([10, 10, 10, 10, 10, 10, 10, 0]);
  });

  it('gives 0% HQ and no modes for points far from every mode', () => {
    const r = modesAndHq(Float32Array.from([0, 0, 5, 5, -3, 0.2, 0.5, 0.5]), RING8);
    expect(r).toMatchObject({ modesCovered: 0, modesTotal: 8, hqPercent: 0, hqSamples: 0, samples: 4 });
  });

  it('puts the HQ boundary at 3 sigma of the nearest mode', () => {
    const s = RING8.sigma;
    const inside = modesAndHq(Float32Array.from([1 + 2.99 * s, 0]), RING8);
    const outside = modesAndHq(Float32Array.from([1 + 3.01 * s, 0]), RING8);
    expect(inside.hqPercent).toBe(100);
    expect(outside.hqPercent).toBe(0);
    expect(outside.modesCovered).toBe(0);
  });

  it('credits a mode only through HQ samples: a low-quality sample near a mode does not cover it', () => {
    const points = Float32Array.from([...onModes(RING8.modes.slice(0, 2), 1), 0, 0.9]);
    const r = modesAndHq(points, RING8);
    expect(r.modesCovered).toBe(2);
    expect(r.hqPercent).toBeCloseTo((100 * 2) / 3, 10);
  });

  it('covers a mode only with at least 1% of the samples (25 of 2,500) as its HQ samples', () => {
    // Unrolled GAN's seed 4 as a new user saw it: most HQ samples on one mode, a handful on five others.
    const heavy = onModes(RING8.modes.slice(0, 1), 2400);
    const few = onModes(RING8.modes.slice(1, 2), 24);
    const enough = onModes(RING8.modes.slice(2, 3), 25);
    const rest = new Float32Array(2 * (2500 - 2400 - 24 - 25)).fill(0); // the centre: low quality
    const r = modesAndHq(Float32Array.from([...heavy, ...few, ...enough, ...rest]), RING8);
    expect(r.samples).toBe(2500);
    expect(r.hqPerMode.slice(0, 3)).toEqual([2400, 24, 25]);
    expect(r.modesCovered).toBe(2);
    expect(modeMinSamples(2500)).toBe(25);
    expect(modeMinSamples(70)).toBe(1);
  });

  it('finds every mode and ~99.7% HQ on samples of the true ring and grid', () => {
    for (const m of [RING8, GRID25]) {
      const { points } = sampleMixture(m, 2500, new Rng(7));
      const r = modesAndHq(points, m);
      expect(r.modesCovered).toBe(m.modes.length);
      expect(r.hqPercent).toBeGreaterThan(98.5);
    }
  });

  it('treats NaN points as low quality', () => {
    expect(modesAndHq(Float32Array.from([Number.NaN, 1]), RING8).hqPercent).toBe(0);
  });
});

describe('class metrics', () => {
  it('histograms class ids and rejects ids out of range', () => {
    expect(classHistogram([0, 1, 1, 9, 9, 9], 10)).toEqual([1, 2, 0, 0, 0, 0, 0, 0, 0, 3]);
    expect(() => classHistogram([10], 10)).toThrow(/outside/);
  });

  it('counts a class as covered from 1% of the samples', () => {
    const hist = [500, 300, 190, 9, 1, 0, 0, 0, 0, 0];
    expect(classesCovered(hist)).toBe(3);
    expect(classesCovered(hist, 0)).toBe(5);
    expect(classesCovered(new Array(10).fill(0))).toBe(0);
  });

  it('measures agreement with the requested classes', () => {
    expect(classAccuracy([1, 2, 3, 4], [1, 2, 0, 4])).toBe(0.75);
    expect(() => classAccuracy([1], [1, 2])).toThrow();
  });
});

describe('cfid', () => {
  it('reports the value with both sample counts, from features or fitted stats', () => {
    const rng = new Rng(1);
    const a = { data: rng.normals(300 * 4), n: 300, d: 4 };
    const b = { data: rng.normals(200 * 4).map((v) => v + 1), n: 200, d: 4 };
    const r = cfid(a, gaussianStats(b));
    expect(r.generatedSamples).toBe(300);
    expect(r.realSamples).toBe(200);
    expect(r.featureDim).toBe(4);
    // Mean shift of 1 in each of 4 dimensions, same unit covariance: ~4.
    expect(r.value).toBeGreaterThan(3);
    expect(r.value).toBeLessThan(5);
    expect(cfid(a, a).value).toBeLessThan(1e-9);
  });
});
