/**
 * An uploaded image file to pixels: PNG by the project's own decoder, JPEG by jpeg-js (pure JavaScript, so
 * it decodes the same on every backend); told apart by their first bytes, never by the file's name. The
 * image's size is read from its header and checked before any pixel is decoded. Then its channels are made
 * the dataset's and it is resized to the dataset's side.
 */
import jpeg from 'jpeg-js';
import { decodePng, type RasterImage } from '../../render/png.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export type ImageFormat = 'png' | 'jpeg';

export function imageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** A refusal of one file, in words a person can act on. */
export class ImageRefused extends Error {
  override readonly name = 'ImageRefused';
}

/** PNG's width and height from its header (IHDR is the first chunk). */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 24) throw new ImageRefused('a truncated PNG');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Decodes `bytes` as PNG or JPEG, refusing anything else and any image wider or taller than `maxSide`. */
export function decodeImage(bytes: Uint8Array, path: string, maxSide: number): RasterImage {
  const format = imageFormat(bytes);
  if (!format) throw new ImageRefused(`'${path}' is not a PNG or JPEG image`);
  if (format === 'png') {
    const { width, height } = pngSize(bytes);
    if (width > maxSide || height > maxSide)
      throw new ImageRefused(`'${path}' is ${width}x${height}; images may be at most ${maxSide} on a side`);
    try {
      return decodePng(bytes, `'${path}'`);
    } catch (err) {
      throw new ImageRefused((err as Error).message);
    }
  }
  try {
    const out = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: (maxSide * maxSide) / 1e6,
      maxMemoryUsageInMB: 256,
    });
    if (out.width > maxSide || out.height > maxSide)
      throw new ImageRefused(
        `'${path}' is ${out.width}x${out.height}; images may be at most ${maxSide} on a side`,
      );
    return { width: out.width, height: out.height, channels: 3, pixels: out.data };
  } catch (err) {
    if (err instanceof ImageRefused) throw err;
    const message = (err as Error).message;
    if (/maxResolutionInMP/.test(message))
      throw new ImageRefused(`'${path}' has more pixels than ${maxSide}x${maxSide}`);
    throw new ImageRefused(`'${path}': not a readable JPEG (${message})`);
  }
}

/** The image with `channels` channels: colour to grey by luma (BT.601), grey to colour by copying. */
export function withChannels(img: RasterImage, channels: 1 | 3): RasterImage {
  if (img.channels === channels) return img;
  const n = img.width * img.height;
  const pixels = new Uint8Array(n * channels);
  if (channels === 1) {
    for (let i = 0; i < n; i++) {
      const p = img.pixels;
      pixels[i] = Math.round(0.299 * p[3 * i]! + 0.587 * p[3 * i + 1]! + 0.114 * p[3 * i + 2]!);
    }
  } else {
    for (let i = 0; i < n; i++) pixels.fill(img.pixels[i]!, 3 * i, 3 * i + 3);
  }
  return { ...img, channels, pixels };
}

/**
 * Resized to side x side: each output pixel averages the source pixels its area covers (a box filter), so
 * shrinking does not alias; enlarging samples the nearest pixel.
 */
export function resizeSquare(img: RasterImage, side: number): RasterImage {
  if (img.width === side && img.height === side) return img;
  const c = img.channels;
  const out = new Uint8Array(side * side * c);
  const sx = img.width / side;
  const sy = img.height / side;
  for (let y = 0; y < side; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < side; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let yy = y0; yy < y1; yy++)
          for (let xx = x0; xx < x1; xx++) sum += img.pixels[(yy * img.width + xx) * c + k]!;
        out[(y * side + x) * c + k] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
  }
  return { width: side, height: side, channels: c, pixels: out };
}
