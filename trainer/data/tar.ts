/**
 * Reads the regular files of a tar archive (ustar and GNU tar: 512-byte headers, octal sizes, data padded to
 * 512 bytes). Other entries (folders, links, pax headers) are skipped.
 */
const BLOCK = 512;

function field(header: Uint8Array, offset: number, length: number): string {
  const bytes = header.subarray(offset, offset + length);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

export function readTar(archive: Uint8Array, what = 'tar'): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (let o = 0; o + BLOCK <= archive.length; ) {
    const header = archive.subarray(o, o + BLOCK);
    if (header.every((b) => b === 0)) break; // the end: two zero blocks
    const sum = header.reduce((a, b, i) => a + (i >= 148 && i < 156 ? 32 : b), 0);
    if (sum !== Number.parseInt(field(header, 148, 8).trim(), 8))
      throw new Error(`${what}: bad header checksum at byte ${o}`);
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    const prefix = field(header, 257, 6).startsWith('ustar') ? field(header, 345, 155) : '';
    const name = prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100);
    const start = o + BLOCK;
    if (start + size > archive.length) throw new Error(`${what}: ${name} is truncated`);
    if (type === '0' || type === '\0') files.set(name, archive.subarray(start, start + size));
    o = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}
