import { describe, expect, it } from 'vitest';
import { normalVector, slerp, uniformVector } from './latent.ts';

describe('latents', () => {
  it('are reproducible from the seed and differ between seeds', () => {
    expect(normalVector(7, 64)).toEqual(normalVector(7, 64));
    expect(normalVector(7, 64)).not.toEqual(normalVector(8, 64));
  });

  it('are standard normal', () => {
    const v = normalVector(1, 20_000);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('are uniform in [-1, 1] where the run drew z so', () => {
    const v = uniformVector(1, 20_000);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...v)).toBeLessThan(1);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1 / 3)).toBeLessThan(0.02);
    expect(uniformVector(7, 8)).toEqual(uniformVector(7, 8));
  });

  it('respect a truncation threshold', () => {
    const v = normalVector(3, 5000, 0.5);
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(() => normalVector(3, 4, 0)).toThrow(/truncation/);
  });

  it('interpolate from one end to the other', () => {
    const a = normalVector(1, 32);
    const b = normalVector(2, 32);
    const close = (x: Float32Array, y: Float32Array) => x.every((v, i) => Math.abs(v - y[i]!) < 1e-5);
    expect(close(slerp(a, b, 0), a)).toBe(true);
    expect(close(slerp(a, b, 1), b)).toBe(true);
    expect(close(slerp(a, b, 0.5), a)).toBe(false);
    expect(() => slerp(a, normalVector(1, 3), 0.5)).toThrow(/sizes 32 and 3/);
  });
});
