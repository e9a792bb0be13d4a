/**
 * Reads named files out of a zip archive (a Python wheel): the central directory at the end names each
 * entry's offset, method and sizes; entries are stored or deflated (inflated with node:zlib).
 */
import { inflateRawSync } from 'node:zlib';

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/** The named entries' contents; throws naming any that is missing or unreadable. */
export function readZipEntries(
  zip: Uint8Array,
  names: readonly string[],
  what = 'zip',
): Map<string, Uint8Array> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = -1;
  // The end record is 22 bytes plus a comment of up to 65,535.
  for (let o = zip.length - 22; o >= Math.max(0, zip.length - 22 - 0xffff); o--) {
    if (view.getUint32(o, true) === END_OF_DIRECTORY) {
      end = o;
      break;
    }
  }
  if (end < 0) throw new Error(`${what}: not a zip archive (no end of central directory)`);
  const entries = view.getUint16(end + 10, true);
  let o = view.getUint32(end + 16, true);
  const wanted = new Set(names);
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < entries && out.size < wanted.size; i++) {
    if (view.getUint32(o, true) !== DIRECTORY_ENTRY) throw new Error(`${what}: corrupt central directory`);
    const method = view.getUint16(o + 10, true);
    const compressed = view.getUint32(o + 20, true);
    const size = view.getUint32(o + 24, true);
    const nameLength = view.getUint16(o + 28, true);
    const extraLength = view.getUint16(o + 30, true);
    const commentLength = view.getUint16(o + 32, true);
    const local = view.getUint32(o + 42, true);
    const name = new TextDecoder().decode(zip.subarray(o + 46, o + 46 + nameLength));
    o += 46 + nameLength + extraLength + commentLength;
    if (!wanted.has(name)) continue;
    if (view.getUint32(local, true) !== LOCAL_HEADER) throw new Error(`${what}: ${name}: bad local header`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = zip.subarray(start, start + compressed);
    let content: Uint8Array;
    if (method === 0) content = data;
    else if (method === 8) content = inflateRawSync(data);
    else throw new Error(`${what}: ${name}: compression method ${method} is not read`);
    if (content.length !== size)
      throw new Error(`${what}: ${name}: ${content.length} bytes, expected ${size}`);
    out.set(name, content);
  }
  const missing = names.filter((n) => !out.has(n));
  if (missing.length > 0) throw new Error(`${what}: no ${missing.join(', ')}`);
  return out;
}
