/**
 * The input image of a translating generator (pix2pix, CycleGAN) as the playground edits it: h x w x c
 * values in [-1, 1] (the range the generator was trained on), drawn on with a round pen or filled from an
 * uploaded picture's pixels.
 */

export interface InputImage {
  h: number;
  w: number;
  c: number;
  values: Float32Array;
}

/** A blank input: -1 everywhere (black, the background of the digit sets). */
export function blankImage([h, w, c]: number[]): InputImage {
  return { h: h!, w: w!, c: c!, values: new Float32Array(h! * w! * c!).fill(-1) };
}

/** Paints a disc of `radius` pixels at (x, y) (image coordinates, fractional) with `value` in every channel. */
export function paintDisc(image: InputImage, x: number, y: number, radius: number, value: number): void {
  const { h, w, c, values } = image;
  for (let py = Math.floor(y - radius); py <= Math.ceil(y + radius); py++)
    for (let px = Math.floor(x - radius); px <= Math.ceil(x + radius); px++) {
      if (py < 0 || px < 0 || py >= h || px >= w) continue;
      // Pixel centres within the radius.
      if ((px + 0.5 - x) ** 2 + (py + 0.5 - y) ** 2 > radius * radius) continue;
      values.fill(value, (py * w + px) * c, (py * w + px + 1) * c);
    }
}

/** Paints the segment from (x0, y0) to (x1, y1) as discs half a radius apart, so a fast stroke has no gaps. */
export function paintLine(
  image: InputImage,
  [x0, y0]: [number, number],
  [x1, y1]: [number, number],
  radius: number,
  value: number,
): void {
  const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / Math.max(radius / 2, 0.25)));
  for (let i = 0; i <= steps; i++)
    paintDisc(image, x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps, radius, value);
}

/**
 * RGBA pixels (a canvas's ImageData, already scaled to the input's size) as the input: one channel takes the
 * pixel's luminance, three take its colours; 0-255 becomes [-1, 1].
 */
export function imageFromRgba(rgba: ArrayLike<number>, [h, w, c]: number[]): InputImage {
  const out = blankImage([h!, w!, c!]);
  for (let p = 0; p < h! * w!; p++) {
    const [r, g, b] = [rgba[p * 4]!, rgba[p * 4 + 1]!, rgba[p * 4 + 2]!];
    if (c === 1) out.values[p] = ((0.299 * r + 0.587 * g + 0.114 * b) / 255) * 2 - 1;
    else for (let k = 0; k < c!; k++) out.values[p * c! + k] = ([r, g, b][k]! / 255) * 2 - 1;
  }
  return out;
}

/**
 * An image larger than a generator's fixed input, cut into tiles of that input's size (row by row; the image's
 * sides are multiples of the tile's): the batch a super-resolution generator enlarges tile by tile.
 */
export function toTiles(
  image: InputImage,
  [th, tw]: readonly number[],
): { values: Float32Array; count: number } {
  const { h, w, c, values } = image;
  if (h % th! !== 0 || w % tw! !== 0)
    throw new Error(`a ${h}x${w} image does not cut into ${th}x${tw} tiles`);
  const [rows, cols] = [h / th!, w / tw!];
  const out = new Float32Array(values.length);
  let o = 0;
  for (let r = 0; r < rows; r++)
    for (let q = 0; q < cols; q++)
      for (let y = 0; y < th!; y++) {
        const from = ((r * th! + y) * w + q * tw!) * c;
        out.set(values.subarray(from, from + tw! * c), o);
        o += tw! * c;
      }
  return { values: out, count: rows * cols };
}

/** The tiles' outputs [rows * cols, oh, ow, c] joined back into one [rows * oh, cols * ow, c] image. */
export function fromTiles(
  tiles: Float32Array,
  rows: number,
  cols: number,
  [oh, ow, c]: readonly number[],
): InputImage {
  const [h, w] = [rows * oh!, cols * ow!];
  const out = blankImage([h, w, c!]);
  let i = 0;
  for (let r = 0; r < rows; r++)
    for (let q = 0; q < cols; q++)
      for (let y = 0; y < oh!; y++) {
        out.values.set(tiles.subarray(i, i + ow! * c!), ((r * oh! + y) * w + q * ow!) * c!);
        i += ow! * c!;
      }
  return out;
}
