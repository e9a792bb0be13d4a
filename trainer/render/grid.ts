/** Sample grids: a batch of images in [-1, 1] tiled into one picture, and 2D samples as a scatter plot. */
import type { Mixture } from '../data/toy2d.ts';
import type { RasterImage } from './png.ts';

const GAP = 2;

/** Tiles N images (NHWC, values in [-1, 1], 1 or 3 channels) into a near-square grid on a light background. */
export function imageGrid(
  values: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  columns?: number,
): RasterImage {
  if (c !== 1 && c !== 3) throw new Error(`imageGrid: ${c} channels; only 1 or 3 can be drawn`);
  const cols = columns ?? Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const width = cols * w + (cols + 1) * GAP;
  const height = rows * h + (rows + 1) * GAP;
  const pixels = new Uint8Array(width * height * c).fill(200);
  for (let i = 0; i < n; i++) {
    const ox = GAP + (i % cols) * (w + GAP);
    const oy = GAP + Math.floor(i / cols) * (h + GAP);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < c; k++) {
          const v = values[((i * h + y) * w + x) * c + k]!;
          const byte = Math.round(((Math.max(-1, Math.min(1, v)) + 1) / 2) * 255);
          pixels[((oy + y) * width + ox + x) * c + k] = byte;
        }
      }
    }
  }
  return { width, height, channels: c, pixels };
}

/** 2D samples (flat x, y pairs) as dark dots over the mixture's modes (red crosses). */
export function scatterPlot(points: Float32Array, mixture: Mixture, size = 320): RasterImage {
  const extent = Math.max(...mixture.modes.flat().map(Math.abs)) * 1.4 + 0.2;
  const pixels = new Uint8Array(size * size * 3).fill(255);
  const toPixel = (v: number) => Math.round(((v + extent) / (2 * extent)) * (size - 1));
  const paint = (px: number, py: number, rgb: [number, number, number]) => {
    if (px < 0 || py < 0 || px >= size || py >= size) return;
    pixels.set(rgb, (py * size + px) * 3);
  };
  for (let i = 0; i < points.length / 2; i++) {
    const px = toPixel(points[2 * i]!);
    const py = size - 1 - toPixel(points[2 * i + 1]!);
    paint(px, py, [30, 60, 140]);
    paint(px + 1, py, [30, 60, 140]);
  }
  for (const [mx, my] of mixture.modes) {
    const px = toPixel(mx);
    const py = size - 1 - toPixel(my);
    for (let d = -4; d <= 4; d++) {
      paint(px + d, py, [220, 30, 30]);
      paint(px, py + d, [220, 30, 30]);
    }
  }
  return { width: size, height: size, channels: 3, pixels };
}
