/** The 2D Gaussian mixtures of GANS.md: ring8 and grid25. */
import type { Rng } from './rng.ts';

export interface Mixture {
  modes: [number, number][];
  sigma: number;
}

export const RING8: Mixture = {
  modes: Array.from(
    { length: 8 },
    (_, i) => [Math.cos((2 * Math.PI * i) / 8), Math.sin((2 * Math.PI * i) / 8)] as [number, number],
  ),
  sigma: 0.01,
};

export const GRID25: Mixture = {
  modes: [-4, -2, 0, 2, 4].flatMap((x) => [-4, -2, 0, 2, 4].map((y) => [x, y] as [number, number])),
  sigma: 0.05,
};

export const MIXTURES: Record<string, Mixture> = { ring8: RING8, grid25: GRID25 };

/** n points as a flat [x0, y0, x1, y1, ...] array, and the mode each came from. */
export function sampleMixture(m: Mixture, n: number, rng: Rng): { points: Float32Array; modes: Uint8Array } {
  const points = new Float32Array(2 * n);
  const modes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng.int(m.modes.length);
    const [mx, my] = m.modes[k]!;
    points[2 * i] = mx + m.sigma * rng.normal();
    points[2 * i + 1] = my + m.sigma * rng.normal();
    modes[i] = k;
  }
  return { points, modes };
}
