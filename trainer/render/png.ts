/**
 * A minimal PNG encoder and decoder (8-bit greyscale, RGB or RGBA, no interlace) over node:zlib: no image
 * library needed.
 */
import { deflateSync, inflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export interface RasterImage {
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB). */
  channels: 1 | 3;
  /** Row-major, `channels` bytes per pixel. */
  pixels: Uint8Array;
}

export function encodePng(img: RasterImage): Uint8Array {
  const { width, height, channels, pixels } = img;
  if (pixels.length !== width * height * channels) {
    throw new Error(`encodePng: ${pixels.length} bytes for ${width}x${height}x${channels}`);
  }
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++)
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8;
  header[9] = channels === 1 ? 0 : 2;
  const signature = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const parts = [
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const COLOUR_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decodes an 8-bit, non-interlaced PNG (greyscale, RGB, or either with alpha) to greyscale or RGB pixels;
 * alpha is dropped. Other PNGs (palette, 16-bit, interlaced) are refused naming what they are.
 */
export function decodePng(bytes: Uint8Array, name = 'PNG'): RasterImage {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 8 || signature.some((b, i) => bytes[i] !== b))
    throw new Error(`${name}: not a PNG file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let colour = -1;
  const idat: Uint8Array[] = [];
  for (let o = 8; o + 12 <= bytes.length; ) {
    const length = view.getUint32(o);
    const type = String.fromCharCode(...bytes.subarray(o + 4, o + 8));
    if (o + 12 + length > bytes.length) throw new Error(`${name}: truncated ${type} chunk`);
    const data = bytes.subarray(o + 8, o + 8 + length);
    if (crc32(bytes.subarray(o + 4, o + 8 + length)) !== view.getUint32(o + 8 + length))
      throw new Error(`${name}: ${type} chunk fails its CRC`);
    if (type === 'IHDR') {
      const h = new DataView(data.buffer, data.byteOffset, data.byteLength);
      width = h.getUint32(0);
      height = h.getUint32(4);
      colour = data[9]!;
      if (data[8] !== 8) throw new Error(`${name}: ${data[8]}-bit samples; only 8-bit PNGs are read`);
      if (!(colour in COLOUR_CHANNELS))
        throw new Error(`${name}: colour type ${colour} (palette) is not read`);
      if (data[12] !== 0) throw new Error(`${name}: interlaced PNGs are not read`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    o += 12 + length;
  }
  if (colour < 0 || idat.length === 0) throw new Error(`${name}: no image header or data`);
  const inChannels = COLOUR_CHANNELS[colour]!;
  const stride = width * inChannels;
  // Inflated no further than the header's size: a crafted PNG cannot make it allocate more.
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: Math.max(1, (stride + 1) * height) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new Error(`${name}: more image data than its ${width}x${height} header says`);
    throw new Error(`${name}: corrupt image data (${(err as Error).message})`);
  }
  if (raw.length !== (stride + 1) * height)
    throw new Error(`${name}: ${raw.length} bytes of image data, expected ${(stride + 1) * height}`);
  const rows = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = rows.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? rows.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= inChannels ? out[x - inChannels]! : 0;
      const b = up[x]!;
      const c = x >= inChannels ? up[x - inChannels]! : 0;
      const v = line[x]!;
      if (filter === 0) out[x] = v;
      else if (filter === 1) out[x] = v + a;
      else if (filter === 2) out[x] = v + b;
      else if (filter === 3) out[x] = v + ((a + b) >> 1);
      else if (filter === 4) out[x] = v + paeth(a, b, c);
      else throw new Error(`${name}: unknown filter ${filter} on row ${y}`);
    }
  }
  const channels = inChannels >= 3 ? 3 : 1;
  if (channels === inChannels) return { width, height, channels, pixels: rows };
  const pixels = new Uint8Array(width * height * channels);
  for (let i = 0; i < width * height; i++)
    for (let k = 0; k < channels; k++) pixels[i * channels + k] = rows[i * inChannels + k]!;
  return { width, height, channels, pixels };
}
