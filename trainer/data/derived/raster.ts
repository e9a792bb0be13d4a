/**
 * The small raster toolkit the derived datasets draw with: images as row-major Float32Arrays in [0, 1],
 * antialiased shapes as coverage masks (a shape is a predicate over a point, sampled 4 x 4 times per pixel),
 * and the filters the generators need (Sobel, dilation, bilinear resizing, box downsampling, value noise).
 * No image library: everything a set is made of is computed here.
 */
import type { Rng } from '../rng.ts';

export type Rgb = readonly [number, number, number];

/** An image: h x w x c values in [0, 1], row-major. */
export interface Picture {
  h: number;
  w: number;
  c: number;
  data: Float32Array;
}

export function picture(h: number, w: number, c: number, fill: number | Rgb = 0): Picture {
  const data = new Float32Array(h * w * c);
  if (typeof fill === 'number') data.fill(fill);
  else for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) data[i * c + k] = fill[k]!;
  return { h, w, c, data };
}

/** Named colours the sets share (captioned digits, articles), 0-1 RGB. */
export const COLOURS: Record<string, Rgb> = {
  red: [0.9, 0.15, 0.15],
  green: [0.2, 0.8, 0.25],
  blue: [0.2, 0.35, 0.95],
  yellow: [0.95, 0.9, 0.2],
  magenta: [0.9, 0.25, 0.85],
  cyan: [0.2, 0.85, 0.9],
  orange: [0.98, 0.55, 0.1],
  white: [0.95, 0.95, 0.95],
};

export function colour(name: string): Rgb {
  const rgb = COLOURS[name];
  if (!rgb) throw new Error(`no colour named '${name}'`);
  return rgb;
}

/** A rectangle [x0, y0, x1, y1) in pixel units. */
export type Box = readonly [number, number, number, number];

/**
 * A shape as a predicate over a point in pixel units (pixel (x, y) covers [x, x+1) x [y, y+1)), with the box
 * it lies in when known (coverage then looks only there).
 */
export type Shape = ((x: number, y: number) => boolean) & { box?: Box };

export function bounded(inside: (x: number, y: number) => boolean, box: Box): Shape {
  return Object.assign(inside, { box });
}

const SUBSAMPLES = 4;

/**
 * The fraction of each pixel the shape covers, h x w: 4 x 4 samples where the pixel's four corner samples
 * disagree, else their common answer (shapes here are never thinner than a pixel).
 */
export function coverage(h: number, w: number, shape: Shape): Float32Array {
  const out = new Float32Array(h * w);
  const step = 1 / SUBSAMPLES;
  const lo = 0.5 * step;
  const hi = (SUBSAMPLES - 0.5) * step;
  const [bx0, by0, bx1, by1] = shape.box ?? [0, 0, w, h];
  for (let y = Math.max(0, Math.floor(by0)); y < Math.min(h, Math.ceil(by1)); y++) {
    for (let x = Math.max(0, Math.floor(bx0)); x < Math.min(w, Math.ceil(bx1)); x++) {
      const corners =
        Number(shape(x + lo, y + lo)) +
        Number(shape(x + hi, y + lo)) +
        Number(shape(x + lo, y + hi)) +
        Number(shape(x + hi, y + hi));
      if (corners === 0 || corners === 4) {
        out[y * w + x] = corners / 4;
        continue;
      }
      let n = 0;
      for (let sy = 0; sy < SUBSAMPLES; sy++)
        for (let sx = 0; sx < SUBSAMPLES; sx++) if (shape(x + (sx + 0.5) * step, y + (sy + 0.5) * step)) n++;
      out[y * w + x] = n / (SUBSAMPLES * SUBSAMPLES);
    }
  }
  return out;
}

export const disc = (cx: number, cy: number, r: number): Shape =>
  bounded((x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r, [cx - r, cy - r, cx + r, cy + r]);

export const ellipse = (cx: number, cy: number, rx: number, ry: number): Shape =>
  bounded((x, y) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1, [cx - rx, cy - ry, cx + rx, cy + ry]);

export const rect = (x0: number, y0: number, x1: number, y1: number): Shape =>
  bounded((x, y) => x >= x0 && x < x1 && y >= y0 && y < y1, [x0, y0, x1, y1]);

/** A polygon by its corners (even-odd rule). */
export function polygon(points: readonly (readonly [number, number])[]): Shape {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return bounded(
    (x, y) => {
      let inside = false;
      for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
        const [xi, yi] = points[i]!;
        const [xj, yj] = points[j]!;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    },
    [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
  );
}

/** Shapes together; bounded when every part is. */
export function union(...shapes: Shape[]): Shape {
  const inside = (x: number, y: number) => shapes.some((s) => s(x, y));
  const boxes = shapes.map((s) => s.box);
  if (boxes.some((b) => !b)) return inside;
  const bs = boxes as Box[];
  return bounded(inside, [
    Math.min(...bs.map((b) => b[0])),
    Math.min(...bs.map((b) => b[1])),
    Math.max(...bs.map((b) => b[2])),
    Math.max(...bs.map((b) => b[3])),
  ]);
}

/**
 * Paints over the picture where `mask` (h x w, 0-1) covers it, blending by coverage. `paint` is a colour or
 * a function of the pixel (a texture).
 */
export function paint(pic: Picture, mask: Float32Array, fill: Rgb | ((x: number, y: number) => Rgb)): void {
  const { h, w, c, data } = pic;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = mask[y * w + x]!;
      if (a === 0) continue;
      const rgb = typeof fill === 'function' ? fill(x, y) : fill;
      for (let k = 0; k < c; k++) {
        const i = (y * w + x) * c + k;
        data[i] = data[i]! * (1 - a) + rgb[k]! * a;
      }
    }
  }
}

/** Sobel gradient magnitude of a one-channel picture (edges clamp). */
export function sobel(pic: Picture): Picture {
  const { h, w, data } = pic;
  const at = (x: number, y: number) =>
    data[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
  const out = picture(h, w, 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const gx =
        at(x + 1, y - 1) +
        2 * at(x + 1, y) +
        at(x + 1, y + 1) -
        at(x - 1, y - 1) -
        2 * at(x - 1, y) -
        at(x - 1, y + 1);
      const gy =
        at(x - 1, y + 1) +
        2 * at(x, y + 1) +
        at(x + 1, y + 1) -
        at(x - 1, y - 1) -
        2 * at(x, y - 1) -
        at(x + 1, y - 1);
      out.data[y * w + x] = Math.hypot(gx, gy);
    }
  }
  return out;
}

/** Greyscale dilation: each value becomes the maximum over a disc of radius r around it. */
export function dilate(pic: Picture, r: number): Picture {
  const { h, w, c, data } = pic;
  const reach = Math.floor(r);
  const offsets: [number, number][] = [];
  for (let dy = -reach; dy <= reach; dy++)
    for (let dx = -reach; dx <= reach; dx++) if (dx * dx + dy * dy <= r * r) offsets.push([dx, dy]);
  const out = picture(h, w, c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        let m = 0;
        for (const [dx, dy] of offsets) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < w && yy < h) m = Math.max(m, data[(yy * w + xx) * c + k]!);
        }
        out.data[(y * w + x) * c + k] = m;
      }
    }
  }
  return out;
}

/** The region [x0, x0+cw) x [y0, y0+ch) of a picture resized to h x w, bilinear (pixel centres aligned). */
export function resample(
  pic: Picture,
  region: { x0: number; y0: number; w: number; h: number },
  h: number,
  w: number,
): Picture {
  const out = picture(h, w, pic.c);
  const sx = region.w / w;
  const sy = region.h / h;
  const at = (x: number, y: number, k: number) =>
    pic.data[
      (Math.min(pic.h - 1, Math.max(0, y)) * pic.w + Math.min(pic.w - 1, Math.max(0, x))) * pic.c + k
    ]!;
  for (let y = 0; y < h; y++) {
    const fy = region.y0 + (y + 0.5) * sy - 0.5;
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = region.x0 + (x + 0.5) * sx - 0.5;
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      for (let k = 0; k < pic.c; k++) {
        const top = at(x0, y0, k) * (1 - tx) + at(x0 + 1, y0, k) * tx;
        const bottom = at(x0, y0 + 1, k) * (1 - tx) + at(x0 + 1, y0 + 1, k) * tx;
        out.data[(y * w + x) * pic.c + k] = top * (1 - ty) + bottom * ty;
      }
    }
  }
  return out;
}

/** The mean of each f x f block (f divides both sides). */
export function downsample(pic: Picture, f: number): Picture {
  const h = pic.h / f;
  const w = pic.w / f;
  if (!Number.isInteger(h) || !Number.isInteger(w))
    throw new Error(`downsample: ${f} does not divide ${pic.h}x${pic.w}`);
  const out = picture(h, w, pic.c);
  for (let y = 0; y < pic.h; y++)
    for (let x = 0; x < pic.w; x++)
      for (let k = 0; k < pic.c; k++)
        out.data[(Math.floor(y / f) * w + Math.floor(x / f)) * pic.c + k]! +=
          pic.data[(y * pic.w + x) * pic.c + k]! / (f * f);
  return out;
}

/** Smooth noise in [0, 1]: random values on a grid of `cells` x `cells`, interpolated with a smoothstep. */
export function valueNoise(rng: Rng, h: number, w: number, cells: number): Float32Array {
  const g = cells + 1;
  const grid = new Float32Array(g * g);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.uniform();
  const out = new Float32Array(h * w);
  const smooth = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < h; y++) {
    const fy = (y / h) * cells;
    const y0 = Math.floor(fy);
    const ty = smooth(fy - y0);
    for (let x = 0; x < w; x++) {
      const fx = (x / w) * cells;
      const x0 = Math.floor(fx);
      const tx = smooth(fx - x0);
      const a = grid[y0 * g + x0]! * (1 - tx) + grid[y0 * g + x0 + 1]! * tx;
      const b = grid[(y0 + 1) * g + x0]! * (1 - tx) + grid[(y0 + 1) * g + x0 + 1]! * tx;
      out[y * w + x] = a * (1 - ty) + b * ty;
    }
  }
  return out;
}

/** A picture as bytes (0-255), as the cache stores it. */
export function toBytes(pic: Picture, into: Uint8Array, offset: number): void {
  for (let i = 0; i < pic.data.length; i++) into[offset + i] = Math.round(clamp01(pic.data[i]!) * 255);
}

export function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

export function scale(rgb: Rgb, f: number): Rgb {
  return [clamp01(rgb[0] * f), clamp01(rgb[1] * f), clamp01(rgb[2] * f)];
}

export function mixRgb(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}
