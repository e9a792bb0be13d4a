/**
 * What the SinGAN playground feeds its pyramid: each scale's noise from a seed, and a rough painting's
 * colours (the few a generated sample is mostly made of).
 */
import type { Size } from '../../../shared/pyramid-sizes.ts';
import { normalVector } from '../lib/latent.ts';

/** Standard-normal noise for every scale at `sizes` (h * w * channels values each), all from one seed. */
export function noiseMaps(sizes: readonly Size[], channels: number, seed: number): Float32Array[] {
  const counts = sizes.map(([h, w]) => h * w * channels);
  const all = normalVector(
    seed,
    counts.reduce((a, b) => a + b, 0),
  );
  let at = 0;
  return counts.map((n) => {
    at += n;
    return all.slice(at - n, at);
  });
}

/**
 * The `n` colours an image ([-1, 1], c channels) is mostly made of: each pixel's channels rounded to five
 * levels, the most frequent first (ties in the order met), as [-1, 1] values a channel.
 */
export function paletteOf(values: Float32Array, c: number, n: number): number[][] {
  const level = (v: number) => Math.round(((Math.max(-1, Math.min(1, v)) + 1) / 2) * 4);
  const counts = new Map<string, number>();
  for (let p = 0; p + c <= values.length; p += c) {
    const key = Array.from(values.subarray(p, p + c), level).join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key]) => key.split(',').map((l) => (Number(l) / 4) * 2 - 1));
}

/** A colour in [-1, 1] a channel as CSS rgb(). */
export function cssColour(colour: readonly number[]): string {
  const byte = (v: number) => Math.round(((v + 1) / 2) * 255);
  const [r = 0, g = r, b = r] = colour.map(byte);
  return `rgb(${r}, ${g}, ${b})`;
}
