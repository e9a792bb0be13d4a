import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

/**
 * The project's wasm kernels are written in the wasm text format, one `.wat` file each in ./kernels/ (beside
 * the bundle in the trainer's image). Each is compiled with wabt once per source text and set of features
 * into a cache keyed by their hash (GANZOO_WASM_CACHE, else ~/.cache/ganzoo/wasm), so a start reads the
 * binary instead of compiling; `npm run build:wasm` fills the cache ahead.
 */
export const KERNELS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'kernels');

export type KernelName = 'igemm' | 'heap-kernels';

export interface KernelFeatures {
  /** Relaxed SIMD (fused multiply-add). */
  relaxedSimd?: boolean;
  /** Import the memory as shared, for helper threads (threads and atomics). */
  sharedMemory?: boolean;
}

/** Every compiled variant: what `npm run build:wasm` compiles ahead. */
export const KERNEL_VARIANTS: readonly [KernelName, KernelFeatures][] = [
  ['igemm', { relaxedSimd: true, sharedMemory: false }],
  ['igemm', { relaxedSimd: true, sharedMemory: true }],
  ['heap-kernels', {}],
];

const MEMORY_IMPORT = /\(import "env" "memory" \(memory ([0-9 ]+)\)\)/;

/** The kernel's text as compiled: the source, its memory import made shared when asked. */
export function kernelSource(name: KernelName, features: KernelFeatures = {}): string {
  const path = join(KERNELS_DIR, `${name}.wat`);
  const text = readFileSync(path, 'utf8');
  if (!features.sharedMemory) return text;
  if (!MEMORY_IMPORT.test(text)) throw new Error(`${path} imports no memory that could be shared`);
  return text.replace(MEMORY_IMPORT, '(import "env" "memory" (memory $1 shared))');
}

function cacheDir(): string {
  return process.env.GANZOO_WASM_CACHE?.trim() || join(homedir(), '.cache', 'ganzoo', 'wasm');
}

/** Where the binary of this text and these features is cached. */
export function cachedBinaryPath(name: KernelName, text: string, features: KernelFeatures): string {
  const key = createHash('sha256')
    .update(JSON.stringify({ relaxedSimd: !!features.relaxedSimd, sharedMemory: !!features.sharedMemory }))
    .update(text)
    .digest('hex')
    .slice(0, 16);
  return join(cacheDir(), `${name}-${key}.wasm`);
}

async function assemble(name: string, text: string, features: KernelFeatures): Promise<Uint8Array> {
  // Loaded here, not at import, and only when the cache misses.
  const { default: wabtInit } = await import('wabt');
  const wabt = await wabtInit();
  const parsed = wabt.parseWat(`${name}.wat`, text, {
    simd: true,
    relaxed_simd: features.relaxedSimd ?? false,
    threads: features.sharedMemory ?? false,
    bulk_memory: true,
  });
  try {
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

/** The kernel's binary: from the cache, or compiled and then cached (a cache that cannot be written is skipped). */
export async function kernelBinary(
  name: KernelName,
  features: KernelFeatures = {},
): Promise<{ bytes: Uint8Array<ArrayBuffer>; path: string; cached: boolean }> {
  const text = kernelSource(name, features);
  const path = cachedBinaryPath(name, text, features);
  try {
    return { bytes: new Uint8Array(readFileSync(path)), path, cached: true };
  } catch {
    // Not compiled yet.
  }
  const bytes = new Uint8Array(await assemble(name, text, features));
  try {
    mkdirSync(dirname(path), { recursive: true });
    // Write then rename, so a concurrent start never reads half a binary.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch {
    // A read-only home: compiled in memory for this process only.
  }
  return { bytes, path, cached: false };
}

/**
 * The kernel as a module, with SIMD (and relaxed SIMD and shared memory when asked); a string says why it
 * cannot run here. Relaxed SIMD is standard from V8 11.4 (Node 22) and behind a flag in Node 20, which is
 * turned on for the compilation when needed.
 */
export async function compileKernel(
  name: KernelName,
  features: KernelFeatures = {},
): Promise<WebAssembly.Module | string> {
  const { bytes } = await kernelBinary(name, features);
  try {
    return new WebAssembly.Module(bytes);
  } catch (err) {
    if (!features.relaxedSimd) return `${name}.wat: ${(err as Error).message}`;
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    try {
      return new WebAssembly.Module(bytes);
    } catch (retried) {
      return `relaxed SIMD unavailable (${(retried as Error).message})`;
    }
  }
}
