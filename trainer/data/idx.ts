/**
 * The IDX format of the MNIST files (big-endian header: two zero bytes, a type code, the number of
 * dimensions, then one uint32 per dimension, then the data). Accepts gzip-compressed files as downloaded.
 */
import { gunzipSync } from 'node:zlib';

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

export function parseIdx(bytes: Uint8Array, name = 'IDX file'): IdxArray {
  let buf = bytes;
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0)
    throw new Error(`${name}: not an IDX file (bad magic number)`);
  if (buf[2] !== UBYTE)
    throw new Error(`${name}: element type 0x${buf[2]!.toString(16)} is not supported (only unsigned bytes)`);
  const rank = buf[3]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerBytes = 4 + 4 * rank;
  if (buf.length < headerBytes) throw new Error(`${name}: truncated header`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  if (buf.length !== headerBytes + count) {
    throw new Error(
      `${name}: expected ${count} data bytes for shape [${shape.join(', ')}], found ${buf.length - headerBytes}`,
    );
  }
  return { shape, data: buf.subarray(headerBytes) };
}
