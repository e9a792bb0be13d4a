import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { imageGrid } from './grid.ts';
import { encodePng } from './png.ts';

describe('PNG encoder', () => {
  it('writes a valid header and the pixels back out', () => {
    const pixels = Uint8Array.from([0, 64, 128, 255, 10, 20]);
    const png = encodePng({ width: 3, height: 2, channels: 1, pixels });
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer);
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([3, 2]);
    const idatLength = view.getUint32(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect(Array.from(raw)).toEqual([0, 0, 64, 128, 0, 255, 10, 20]);
  });
  it('rejects a pixel buffer of the wrong size', () => {
    expect(() => encodePng({ width: 2, height: 2, channels: 3, pixels: new Uint8Array(5) })).toThrow(
      /5 bytes for 2x2x3/,
    );
  });
  it('tiles images in [-1, 1] into a grid', () => {
    const img = imageGrid(Float32Array.from([-1, 1, 1, -1]), 2, 1, 2, 1);
    expect([img.width, img.height]).toEqual([2 * 2 + 3 * 2, 1 + 2 * 2]);
    expect(img.pixels[2 * img.width + 2]).toBe(0);
    expect(img.pixels[2 * img.width + 3]).toBe(255);
  });
});
