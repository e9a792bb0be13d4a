import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng.ts';
import {
  type FeatureMatrix,
  frechetDistance,
  type GaussianStats,
  gaussianStats,
  symmetricEigen,
  traceSqrtProduct,
} from './frechet.ts';

function randomFeatures(n: number, d: number, seed: number): FeatureMatrix {
  const rng = new Rng(seed);
  const data = new Float64Array(n * d);
  // Correlated columns, so the covariance is not diagonal.
  for (let i = 0; i < n; i++) {
    const shared = rng.normal();
    for (let j = 0; j < d; j++) data[i * d + j] = rng.normal() * (1 + j / d) + 0.5 * shared;
  }
  return { data, n, d };
}

function stats(mean: number[], cov: number[][]): GaussianStats {
  const d = mean.length;
  return { mean: Float64Array.from(mean), cov: Float64Array.from(cov.flat()), n: 1000, d };
}

function diag(values: number[]): number[][] {
  return values.map((v, i) => values.map((_, j) => (i === j ? v : 0)));
}

describe('gaussianStats', () => {
  it('matches a hand-computed mean and unbiased covariance', () => {
    const s = gaussianStats({ data: Float64Array.from([1, 2, 3, 6, 5, 10]), n: 3, d: 2 });
    expect(Array.from(s.mean)).toEqual([3, 6]);
    // x: 1,3,5 -> var 4; y: 2,6,10 -> var 16; cov 8.
    expect(Array.from(s.cov)).toEqual([4, 8, 8, 16]);
  });
});

describe('symmetricEigen', () => {
  it('reconstructs a random symmetric matrix with orthonormal eigenvectors', () => {
    const n = 12;
    const rng = new Rng(3);
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const v = rng.normal();
        m[i * n + j] = v;
        m[j * n + i] = v;
      }
    }
    const { values, vectors } = symmetricEigen(m, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rec = 0;
        let dot = 0;
        for (let k = 0; k < n; k++) {
          rec += vectors[i * n + k]! * values[k]! * vectors[j * n + k]!;
          dot += vectors[k * n + i]! * vectors[k * n + j]!;
        }
        expect(rec).toBeCloseTo(m[i * n + j]!, 10);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });
});

describe('frechetDistance', () => {
  it('is ~0 for identical feature sets', () => {
    const s = gaussianStats(randomFeatures(500, 16, 1));
    expect(frechetDistance(s, s)).toBeLessThan(1e-9);
  });

  it('is the squared mean shift when one set is a translate of the other', () => {
    const x = randomFeatures(400, 8, 2);
    const shift = [1, -2, 0, 0.5, 3, 0, 0, -1];
    const y = { ...x, data: x.data.map((v, i) => v + shift[i % 8]!) };
    const expected = shift.reduce((s, v) => s + v * v, 0);
    expect(frechetDistance(gaussianStats(x), gaussianStats(y))).toBeCloseTo(expected, 8);
  });

  it('has the closed form sum (sqrt a - sqrt b)^2 + |mu1 - mu2|^2 for diagonal covariances', () => {
    const a = [1, 4, 9, 0.25];
    const b = [4, 1, 16, 0];
    const s1 = stats([0, 1, 2, 3], diag(a));
    const s2 = stats([1, 1, 2, 1], diag(b));
    const expected = 1 + 4 + a.reduce((s, v, i) => s + (Math.sqrt(v) - Math.sqrt(b[i]!)) ** 2, 0);
    expect(frechetDistance(s1, s2)).toBeCloseTo(expected, 10);
  });

  it('matches the 2x2 closed form Tr sqrt(M) = sqrt(Tr M + 2 sqrt(det M)) for non-commuting covariances', () => {
    const c1 = [
      [2, 1],
      [1, 3],
    ];
    const c2 = [
      [1, -0.5],
      [-0.5, 0.5],
    ];
    // M = S1 S2 (not symmetric, but its eigenvalues are those of S1^(1/2) S2 S1^(1/2)).
    const m = [
      [c1[0]![0]! * c2[0]![0]! + c1[0]![1]! * c2[1]![0]!, c1[0]![0]! * c2[0]![1]! + c1[0]![1]! * c2[1]![1]!],
      [c1[1]![0]! * c2[0]![0]! + c1[1]![1]! * c2[1]![0]!, c1[1]![0]! * c2[0]![1]! + c1[1]![1]! * c2[1]![1]!],
    ];
    const trM = m[0]![0]! + m[1]![1]!;
    const detM = m[0]![0]! * m[1]![1]! - m[0]![1]! * m[1]![0]!;
    const trSqrt = Math.sqrt(trM + 2 * Math.sqrt(detM));
    expect(traceSqrtProduct(Float64Array.from(c1.flat()), Float64Array.from(c2.flat()), 2)).toBeCloseTo(
      trSqrt,
      12,
    );
    const expected = 2 + 3 + 1 + 0.5 - 2 * trSqrt;
    expect(frechetDistance(stats([0, 0], c1), stats([0, 0], c2))).toBeCloseTo(expected, 12);
  });

  it('is symmetric and invariant under a common rotation of both sets', () => {
    const s1 = stats(
      [0.3, -0.2, 1],
      [
        [2, 0.3, 0.1],
        [0.3, 1, -0.2],
        [0.1, -0.2, 0.5],
      ],
    );
    const s2 = stats(
      [0, 0.4, 0.9],
      [
        [1, -0.4, 0],
        [-0.4, 1.5, 0.3],
        [0, 0.3, 0.7],
      ],
    );
    const d12 = frechetDistance(s1, s2);
    expect(frechetDistance(s2, s1)).toBeCloseTo(d12, 10);
    const c = Math.cos(0.7);
    const s = Math.sin(0.7);
    const r = [
      [c, -s, 0],
      [s, c, 0],
      [0, 0, 1],
    ];
    const rotate = (g: GaussianStats): GaussianStats => {
      const mean = r.map((row) => row.reduce((acc, v, k) => acc + v * g.mean[k]!, 0));
      const cov = r.map((_, i) =>
        r.map((_, j) => {
          let v = 0;
          for (let k = 0; k < 3; k++)
            for (let l = 0; l < 3; l++) v += r[i]![k]! * g.cov[k * 3 + l]! * r[j]![l]!;
          return v;
        }),
      );
      return stats(mean, cov);
    };
    expect(frechetDistance(rotate(s1), rotate(s2))).toBeCloseTo(d12, 10);
  });

  it('handles rank-deficient covariances (dead ReLU features)', () => {
    const x = randomFeatures(300, 6, 4);
    for (let i = 0; i < x.n; i++) x.data[i * 6 + 2] = 0;
    const s = gaussianStats(x);
    const value = frechetDistance(s, s);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeLessThan(1e-9);
  });
});
