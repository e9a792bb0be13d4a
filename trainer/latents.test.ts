import { describe, expect, it } from 'vitest';
import { Rng, Stream } from './data/rng.ts';
import { latentValues, truncatedNormals } from './latents.ts';

describe('truncated normal', () => {
  it('keeps every value within the threshold, with the truncated normal variance', () => {
    const t = 0.5;
    const v = truncatedNormals(new Rng(1, Stream.eval), 20_000, t);
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(t);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    // Var of N(0, 1) truncated to [-t, t]: 1 - 2 t phi(t) / (2 Phi(t) - 1) = 0.0796 at t = 0.5.
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeCloseTo(0.0796, 2);
  });

  it('is the plain normal draw where nothing is beyond the threshold', () => {
    expect(truncatedNormals(new Rng(2, Stream.eval), 100, 100)).toEqual(
      latentValues(new Rng(2, Stream.eval), 100),
    );
  });

  it('refuses a threshold that is not above 0', () => {
    expect(() => truncatedNormals(new Rng(1, Stream.eval), 3, 0)).toThrow(/threshold must be above 0, got 0/);
  });
});
