/**
 * Seeded randomness for everything the trainer draws (data order, toy samples, latents). Every stream is
 * derived from (seed, purpose, step), so a resumed run draws exactly what an uninterrupted one would: the
 * checkpoint needs only the seed and the step to restore the generator's state.
 */

/** 32-bit hash mixing (splitmix-like) used to derive independent stream seeds. */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export const Stream = {
  data: 1,
  shuffle: 2,
  latent: 3,
  fixedLatent: 4,
  eval: 5,
  init: 6,
  fakeLabel: 7,
  /** InfoGAN's latent codes. */
  code: 8,
  /** Noise a family draws inside its own phases (Prescribed GAN's output noise and HMC). */
  familyNoise: 9,
  /** The items of a derived dataset (trainer/data/derived/), one stream per item. */
  derived: 10,
  /** A seeded dropout layer's masks (nn/seeded-dropout.ts), one per training call. */
  dropout: 11,
  /** Which fakes a history pool keeps and gives back (nn/history-pool.ts), one draw per step. */
  historyPool: 12,
  /** The camera poses a pose-taking generator (HoloGAN) is given. */
  pose: 13,
  /** SinGAN's fixed reconstruction noise (nn/singan.ts), drawn once a run. */
  reconstruction: 14,
} as const;

/** sfc32: small, fast, good enough statistically, state is four 32-bit words. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(seed: number, ...stream: number[]) {
    const s = mix(seed, ...stream);
    this.a = s;
    this.b = mix(s, 1);
    this.c = mix(s, 2);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  normals(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }

  /** A permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}
