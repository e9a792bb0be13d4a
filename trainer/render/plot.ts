/**
 * A line plot as a raster picture (no text: the numbers go beside it in eval.json and on the run page):
 * series over shared x positions, each scaled to its own [min, max] in the plot's height, with a frame and a
 * tick per x position.
 */
import type { RasterImage } from './png.ts';

export interface Series {
  values: number[];
  rgb: [number, number, number];
}

export function linePlot(series: Series[], width = 360, height = 200): RasterImage {
  const n = series[0]?.values.length ?? 0;
  if (n < 2 || series.some((s) => s.values.length !== n))
    throw new Error('linePlot: every series needs the same number (>= 2) of values');
  const pixels = new Uint8Array(width * height * 3).fill(255);
  const margin = 12;
  const paint = (x: number, y: number, rgb: readonly number[]) => {
    const px = Math.round(x);
    const py = Math.round(y);
    if (px < 0 || py < 0 || px >= width || py >= height) return;
    pixels.set(rgb, (py * width + px) * 3);
  };
  const grey = [150, 150, 150];
  for (let x = margin; x <= width - margin; x++) {
    paint(x, margin, grey);
    paint(x, height - margin, grey);
  }
  for (let y = margin; y <= height - margin; y++) {
    paint(margin, y, grey);
    paint(width - margin, y, grey);
  }
  const xOf = (i: number) => margin + ((width - 2 * margin) * i) / (n - 1);
  for (let i = 0; i < n; i++) for (let d = 0; d < 5; d++) paint(xOf(i), height - margin + d, grey);
  for (const s of series) {
    const lo = Math.min(...s.values);
    const hi = Math.max(...s.values);
    const yOf = (v: number) =>
      height - margin - 4 - (height - 2 * margin - 8) * (hi > lo ? (v - lo) / (hi - lo) : 0.5);
    for (let i = 0; i + 1 < n; i++) {
      const [x0, y0, x1, y1] = [xOf(i), yOf(s.values[i]!), xOf(i + 1), yOf(s.values[i + 1]!)];
      const steps = Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)));
      for (let k = 0; k <= steps; k++) {
        const x = x0 + ((x1 - x0) * k) / steps;
        const y = y0 + ((y1 - y0) * k) / steps;
        paint(x, y, s.rgb);
        paint(x, y + 1, s.rgb);
      }
    }
    for (let i = 0; i < n; i++)
      for (let dx = -2; dx <= 2; dx++)
        for (let dy = -2; dy <= 2; dy++) paint(xOf(i) + dx, yOf(s.values[i]!) + dy, s.rgb);
  }
  return { width, height, channels: 3, pixels };
}
