/**
 * Fréchet distance between Gaussians fitted to two feature sets, in float64 JS: tfjs on wasm has no
 * float64 and no eigendecomposition, and at D = 128 plain loops take well under a second.
 *
 *   d^2 = |mu1 - mu2|^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^(1/2))
 *
 * Tr((S1 S2)^(1/2)) is computed as Tr((A S2 A)^(1/2)) with A = S1^(1/2): A S2 A is symmetric PSD and has
 * the same eigenvalues as S1 S2, so two symmetric eigendecompositions suffice (no general matrix sqrt).
 */

/** Row-major N x D feature matrix. */
export interface FeatureMatrix {
  data: Float32Array | Float64Array;
  n: number;
  d: number;
}

export interface GaussianStats {
  mean: Float64Array;
  /** D x D row-major, unbiased (divides by n - 1). */
  cov: Float64Array;
  n: number;
  d: number;
}

export function gaussianStats(x: FeatureMatrix): GaussianStats {
  const { data, n, d } = x;
  if (data.length !== n * d)
    throw new Error(`feature matrix has ${data.length} values, expected ${n} x ${d}`);
  if (n < 2) throw new Error(`need at least 2 samples to fit a covariance, got ${n}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j]! += data[o + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= n;
  // Accumulate the upper triangle of the centred scatter matrix, then mirror it.
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) row[j] = data[o + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const ra = row[a]!;
      if (ra === 0) continue; // ReLU features are often exactly zero
      const base = a * d;
      for (let b = a; b < d; b++) cov[base + b]! += ra * row[b]!;
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b]! / (n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return { mean, cov, n, d };
}

export interface SymmetricEigen {
  values: Float64Array;
  /** Eigenvectors as the columns of a row-major n x n matrix. */
  vectors: Float64Array;
}

/**
 * Eigendecomposition of a symmetric matrix by cyclic Jacobi rotations. Slow in theory (O(n^3) per sweep)
 * but simple, unconditionally stable and accurate for the small matrices used here.
 */
export function symmetricEigen(m: Float64Array, n: number, maxSweeps = 100): SymmetricEigen {
  if (m.length !== n * n) throw new Error(`matrix has ${m.length} values, expected ${n} x ${n}`);
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i]! * a[i]!;
  const tol = 1e-30 * total;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! * a[p * n + q]!;
    if (off <= tol) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        // Rotation angle that zeroes a[p][q]; t is the smaller root, so the rotation stays near identity.
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i]!;
  return { values, vectors: v };
}

/** Square root of a symmetric PSD matrix; eigenvalues below zero (rounding) are clamped to zero. */
export function sqrtPsd(m: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(m, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const r = Math.sqrt(Math.max(values[k]!, 0));
    if (r === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k]! * r;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += vik * vectors[j * n + k]!;
    }
  }
  return out;
}

function matmul(x: Float64Array, y: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const xik = x[i * n + k]!;
      if (xik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += xik * y[k * n + j]!;
    }
  }
  return out;
}

/** Tr((S1 S2)^(1/2)) for symmetric PSD S1, S2. */
export function traceSqrtProduct(s1: Float64Array, s2: Float64Array, n: number): number {
  const r = sqrtPsd(s1, n);
  const m = matmul(matmul(r, s2, n), r, n);
  // Symmetrise: rounding leaves R S2 R very slightly asymmetric, and Jacobi assumes symmetry.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (m[i * n + j]! + m[j * n + i]!);
      m[i * n + j] = v;
      m[j * n + i] = v;
    }
  }
  const { values } = symmetricEigen(m, n);
  let tr = 0;
  for (const x of values) tr += Math.sqrt(Math.max(x, 0));
  return tr;
}

export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  if (a.d !== b.d) throw new Error(`feature sizes differ: ${a.d} vs ${b.d}`);
  const d = a.d;
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i]! - b.mean[i]!) ** 2;
  let traces = 0;
  for (let i = 0; i < d; i++) traces += a.cov[i * d + i]! + b.cov[i * d + i]!;
  const value = meanTerm + traces - 2 * traceSqrtProduct(a.cov, b.cov, d);
  // Exactly equal inputs can land a hair below zero by rounding; a distance is never negative.
  return Math.max(value, 0);
}
