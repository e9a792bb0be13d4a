import { renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);
const WASM_OUT = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd';

/**
 * Experimental: lets the wasm backend run XNNPACK on `threads` threads in Node. tfjs turns threads off in
 * Node because its threaded build gives the pthread workers their scripts as Blob URLs, which Node's
 * worker_threads cannot load. While the backend initialises (it starts its whole worker pool then), the worker
 * script is served from a file instead, with a shim that loads the main script from the package's own file.
 * Call right before the wasm backend's first initialisation; call the returned function right after it.
 */
export function prepareWasmThreads(threads: number, setThreadsCount: (n: number) => void): () => void {
  const mainPath = require.resolve(`${WASM_OUT}.js`);
  const { wasmWorkerContents } = require(`${WASM_OUT}.worker.js`) as { wasmWorkerContents: string };
  const workerPath = join(tmpdir(), `ganzoo-wasm-worker-${tf.version.tfjs}.cjs`);
  // Newlines inside the script's string literals must stay escaped once it is a file (as tfjs does for Blobs).
  // Written to a private name, then renamed: other processes may be loading the same file.
  const partial = `${workerPath}.${process.pid}`;
  writeFileSync(partial, wasmWorkerContents.replace(/\n/g, '\\n') + workerShim(mainPath));
  renameSync(partial, workerPath);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  const realCreate = URL.createObjectURL;
  URL.createObjectURL = (blob: Blob) =>
    blob.type === 'application/javascript' ? workerPath : realCreate(blob);
  // The wasm side caps its pool at half the logical cores (it assumes two hyperthreads per core), read once
  // from os.cpus() as the module starts: report twice the wanted count for that moment.
  const realCpus = os.cpus;
  os.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]!);
  };
  return () => {
    URL.createObjectURL = realCreate;
    os.cpus = realCpus;
  };
}

/** Appended to the worker script: the main script arrives as a Blob, which Node cannot import; use its file. */
function workerShim(mainPath: string): string {
  return `;(()=>{const handle=self.onmessage;self.onmessage=(e)=>{if(e.data&&e.data.cmd==="load"&&typeof e.data.urlOrBlob!=="string"){e.data.urlOrBlob=${JSON.stringify(mainPath)}}return handle(e)}})();\n`;
}

/**
 * The pool's pthread workers stay referenced while their threads run (for ever, waiting for work), which
 * would keep Node from exiting when the program is done. The main thread blocks during every wasm call,
 * so they need no reference of their own.
 */
export function unrefWasmThreads(backend: unknown): void {
  const pthread = (backend as { wasm?: { PThread?: { runningWorkers?: { unref?: () => void }[] } } }).wasm
    ?.PThread;
  for (const worker of pthread?.runningWorkers ?? []) worker.unref?.();
}
