import v8 from 'node:v8';

/**
 * Compiles a module written in the wasm text format, with SIMD (and relaxed SIMD and threads when asked); a
 * string says why it cannot run here. Relaxed SIMD is standard from V8 11.4 (Node 22) and behind a flag in
 * Node 20, which is turned on for the compilation when needed.
 */
export async function compileWat(
  name: string,
  text: string,
  features: { relaxedSimd?: boolean; threads?: boolean } = {},
): Promise<WebAssembly.Module | string> {
  // Loaded here, not at import: only the wasm backend needs it.
  const { default: wabtInit } = await import('wabt');
  const wabt = await wabtInit();
  const parsed = wabt.parseWat(name, text, {
    simd: true,
    relaxed_simd: features.relaxedSimd ?? false,
    threads: features.threads ?? false,
    bulk_memory: true,
  });
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
  try {
    return new WebAssembly.Module(bytes);
  } catch (err) {
    if (!features.relaxedSimd) return `${name}: ${(err as Error).message}`;
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    try {
      return new WebAssembly.Module(bytes);
    } catch (retried) {
      return `relaxed SIMD unavailable (${(retried as Error).message})`;
    }
  }
}
