/**
 * The sizes a SinGAN pyramid runs at, without tfjs (the dashboard's bundle imports it before tfjs loads):
 * a sample at another size and aspect ratio runs every scale at its trained size times one factor per side.
 */

/** [height, width]. */
export type Size = [number, number];

/**
 * Every scale's size times [fy, fx] (rounded, at least `min` a side): the pyramid of a sample at another
 * size and aspect ratio.
 */
export function scaledSizes(sizes: readonly Size[], [fy, fx]: [number, number], min = 3): Size[] {
  return sizes.map(([h, w]) => [Math.max(min, Math.round(h * fy)), Math.max(min, Math.round(w * fx))]);
}

/** The pyramid whose finest scale is [height, width] (each side's factor from the trained finest scale's). */
export function sizesFor(trained: readonly Size[], [height, width]: Size): Size[] {
  const [fh, fw] = trained.at(-1)!;
  const sizes = scaledSizes(trained, [height / fh, width / fw]);
  // Rounding may miss the asked size by a pixel; the finest scale is exactly what was asked.
  sizes[sizes.length - 1] = [height, width];
  return sizes;
}

/** The scale a painting enters at by default: a third of the way up, as the evaluation paints. */
export function defaultPaintScale(scales: number): number {
  return Math.max(1, Math.round((scales - 1) / 3));
}
