/**
 * Reads zip archives (a Python wheel, a user's upload): the central directory at the end names each
 * entry's offset, method and compressed size; entries are stored or deflated (inflated with node:zlib).
 * An entry's uncompressed size is never taken from the archive's headers: inflation stops at the caller's
 * byte budget, counted by zlib as it writes (maxOutputLength), so a zip bomb costs no more than the budget.
 */
import { inflateRawSync } from 'node:zlib';

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/** An entry's content outgrew the budget it was read with. */
export class ZipBudgetExceeded extends Error {
  override readonly name = 'ZipBudgetExceeded';
  constructor(
    readonly entry: string,
    readonly budget: number,
  ) {
    super(`${entry}: more than ${budget} bytes once inflated`);
  }
}

export interface ZipEntry {
  /** As stored in the archive: not checked here (it may hold '../' or start with '/'). */
  name: string;
  directory: boolean;
  /** The entry's bytes, at most `maxBytes` of them (ZipBudgetExceeded past that). */
  read(maxBytes: number): Uint8Array;
}

/** The archive's entries in directory order; throws naming `what` when it is not a readable zip. */
export function zipEntries(zip: Uint8Array, what = 'zip'): ZipEntry[] {
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
  const count = view.getUint16(end + 10, true);
  let o = view.getUint32(end + 16, true);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (o + 46 > zip.length || view.getUint32(o, true) !== DIRECTORY_ENTRY)
      throw new Error(`${what}: corrupt central directory`);
    const method = view.getUint16(o + 10, true);
    const compressed = view.getUint32(o + 20, true);
    const nameLength = view.getUint16(o + 28, true);
    const extraLength = view.getUint16(o + 30, true);
    const commentLength = view.getUint16(o + 32, true);
    const local = view.getUint32(o + 42, true);
    const name = new TextDecoder().decode(zip.subarray(o + 46, o + 46 + nameLength));
    o += 46 + nameLength + extraLength + commentLength;
    entries.push({
      name,
      directory: name.endsWith('/'),
      read(maxBytes) {
        if (local + 30 > zip.length || view.getUint32(local, true) !== LOCAL_HEADER)
          throw new Error(`${what}: ${name}: bad local header`);
        const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
        const data = zip.subarray(start, start + compressed);
        if (method === 0) {
          if (data.length > maxBytes) throw new ZipBudgetExceeded(name, maxBytes);
          return data;
        }
        if (method !== 8) throw new Error(`${what}: ${name}: compression method ${method} is not read`);
        try {
          return inflateRawSync(data, { maxOutputLength: Math.max(1, maxBytes) });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
            throw new ZipBudgetExceeded(name, maxBytes);
          throw new Error(`${what}: ${name}: ${(err as Error).message}`);
        }
      },
    });
  }
  return entries;
}

/** The named entries' contents; throws naming any that is missing or unreadable. */
export function readZipEntries(
  zip: Uint8Array,
  names: readonly string[],
  what = 'zip',
): Map<string, Uint8Array> {
  const wanted = new Set(names);
  const out = new Map<string, Uint8Array>();
  for (const entry of zipEntries(zip, what)) {
    if (!wanted.has(entry.name) || out.has(entry.name)) continue;
    // A wheel's files are the project's own, known to be far under this.
    out.set(entry.name, entry.read(1024 * 1024 * 1024));
  }
  const missing = names.filter((n) => !out.has(n));
  if (missing.length > 0) throw new Error(`${what}: no ${missing.join(', ')}`);
  return out;
}
