/**
 * A derived set as generated and as cached: named arrays per item (images as bytes, numbers as float32), in one
 * file per (id, seed, count, generator version) under the user cache ($XDG_CACHE_HOME/ganzoo/datasets/{id},
 * or GANZOO_DERIVED_DIR/{id}). The file carries the sha256 of its body: a torn or altered file is generated
 * again, never read.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userCacheDir } from '../fetch-tools.ts';
import { sha256 } from '../mnist.ts';

export interface ImagePlane {
  /** [H, W, C] of one item. */
  shape: [number, number, number];
  /** N x H x W x C bytes (0-255, or class indices for a label map). */
  data: Uint8Array;
}

export interface ValueColumn {
  /** Numbers per item. */
  width: number;
  /** N x width. */
  data: Float32Array;
}

export interface DerivedSet {
  count: number;
  images: Record<string, ImagePlane>;
  values: Record<string, ValueColumn>;
}

export function imagePlane(count: number, shape: [number, number, number]): ImagePlane {
  return { shape, data: new Uint8Array(count * shape[0] * shape[1] * shape[2]) };
}

/** Items an image plane holds. */
export function planeItems(plane: ImagePlane): number {
  return plane.data.length / (plane.shape[0] * plane.shape[1] * plane.shape[2]);
}

export function valueColumn(count: number, width: number): ValueColumn {
  return { width, data: new Float32Array(count * width) };
}

const MAGIC = 'GZDS1\n';

interface Header {
  id: string;
  seed: number;
  count: number;
  version: number;
  arrays: { name: string; type: 'images' | 'values'; shape: number[]; bytes: number }[];
  sha256: string;
}

export function derivedDir(id: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.GANZOO_DERIVED_DIR ? join(env.GANZOO_DERIVED_DIR, id) : userCacheDir('datasets', id);
}

export function cacheFile(
  id: string,
  seed: number,
  count: number,
  version: number,
  dir = derivedDir(id),
): string {
  return join(dir, `${id}-seed${seed}-n${count}-v${version}.bin`);
}

export function encodeSet(key: { id: string; seed: number; version: number }, set: DerivedSet): Uint8Array {
  const arrays: Header['arrays'] = [];
  const parts: Uint8Array[] = [];
  for (const [name, plane] of Object.entries(set.images)) {
    arrays.push({ name, type: 'images', shape: plane.shape, bytes: plane.data.byteLength });
    parts.push(plane.data);
  }
  for (const [name, col] of Object.entries(set.values)) {
    arrays.push({ name, type: 'values', shape: [col.width], bytes: col.data.byteLength });
    parts.push(new Uint8Array(col.data.buffer, col.data.byteOffset, col.data.byteLength));
  }
  const body = Buffer.concat(parts);
  const header: Header = { ...key, count: set.count, arrays, sha256: sha256(body) };
  const head = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`);
  return Buffer.concat([head, body]);
}

/** The set in a cache file, or a reason it cannot be used. */
export function decodeSet(
  bytes: Uint8Array,
  key: { id: string; seed: number; count: number; version: number },
): DerivedSet | string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.subarray(0, MAGIC.length).toString() !== MAGIC) return 'not a derived-set file';
  const end = buf.indexOf(10, MAGIC.length);
  if (end < 0) return 'no header';
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(MAGIC.length, end).toString()) as Header;
  } catch {
    return 'a header that is not JSON';
  }
  for (const k of ['id', 'seed', 'count', 'version'] as const)
    if (header[k] !== key[k]) return `${k} ${header[k]}, expected ${key[k]}`;
  const body = buf.subarray(end + 1);
  if (sha256(body) !== header.sha256) return 'a body whose sha256 does not match its header';
  const set: DerivedSet = { count: header.count, images: {}, values: {} };
  let at = 0;
  for (const a of header.arrays) {
    // Copied out, so float32 columns are aligned whatever the header's length.
    const slice = new Uint8Array(body.subarray(at, at + a.bytes));
    at += a.bytes;
    if (a.type === 'images') set.images[a.name] = { shape: a.shape as [number, number, number], data: slice };
    else set.values[a.name] = { width: a.shape[0]!, data: new Float32Array(slice.buffer) };
  }
  if (at !== body.length) return 'a body longer than its arrays';
  return set;
}

export interface CachedSetOptions {
  id: string;
  seed: number;
  count: number;
  version: number;
  generate: () => DerivedSet;
  dir?: string;
  log?: (line: string) => void;
}

/** The cached set, or a freshly generated one written to the cache (atomically: a temp file, then a rename). */
export function cachedSet(o: CachedSetOptions): DerivedSet {
  const file = cacheFile(o.id, o.seed, o.count, o.version, o.dir);
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (existsSync(file)) {
    const got = decodeSet(readFileSync(file), o);
    if (typeof got !== 'string') return got;
    log(`${o.id}: cached ${file} has ${got}; generating it again`);
  }
  const started = performance.now();
  const set = o.generate();
  const seconds = (performance.now() - started) / 1000;
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, encodeSet(o, set));
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
  log(`${o.id}: generated ${o.count} items from seed ${o.seed} in ${seconds.toFixed(1)} s into ${file}`);
  return set;
}
