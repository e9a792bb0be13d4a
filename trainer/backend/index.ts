import * as tf from '@tensorflow/tfjs';
import { registerComparisonGradients } from './comparison-grads.ts';
import { useIgemm } from './conv2d.ts';
import { loadHeapKernels, useHeapKernels } from './heap-kernels.ts';
import { createIgemm } from './igemm.ts';
import { setUpFusedKernels } from './native-fused.ts';
import { chooseThreads, type ThreadChoice } from './native-threads.ts';
import { registerWasmKernels } from './wasm-kernels.ts';
import { prepareWasmThreads, unrefWasmThreads } from './wasm-threads.ts';

export type BackendChoice = 'auto' | 'node-gpu' | 'node' | 'wasm' | 'cpu';
export interface BackendInfo {
  name: Exclude<BackendChoice, 'auto'>;
  tfjsBackend: string;
  detail: string;
}
type Concrete = BackendInfo['name'];

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'];
const AUTO_ORDER: readonly Concrete[] = ['node-gpu', 'node', 'wasm', 'cpu'];

const loaders: Record<Concrete, () => Promise<BackendInfo>> = {
  'node-gpu': () => loadNative('node-gpu', '@tensorflow/tfjs-node-gpu'),
  node: () => loadNative('node', '@tensorflow/tfjs-node'),
  wasm: loadWasm,
  cpu: loadCpu,
};
const loaded = new Map<Concrete, BackendInfo>();

/**
 * Selects and initialises the tfjs backend: `choice`, else GANZOO_BACKEND, else 'auto' (the first of
 * node-gpu, node, wasm, cpu that loads). An explicit choice that cannot load throws, naming the cause.
 */
export async function initBackend(choice?: string): Promise<BackendInfo> {
  const raw = (choice ?? process.env.GANZOO_BACKEND ?? 'auto').trim();
  const wanted = (raw === '' ? 'auto' : raw) as BackendChoice;
  if (!BACKEND_CHOICES.includes(wanted)) {
    throw new Error(`GANZOO_BACKEND=${raw}: unknown backend; valid values are ${BACKEND_CHOICES.join(', ')}`);
  }
  if (wanted !== 'auto') return load(wanted);
  const failures: string[] = [];
  for (const name of AUTO_ORDER) {
    try {
      return await load(name);
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  throw new Error(`GANZOO_BACKEND=auto: no backend could be loaded:\n${failures.join('\n')}`);
}

async function load(name: Concrete): Promise<BackendInfo> {
  const cached = loaded.get(name);
  if (cached && tf.getBackend() === cached.tfjsBackend) return cached;
  const info = await loaders[name]();
  registerComparisonGradients();
  loaded.set(name, info);
  return info;
}

/** The intra-op threads libtensorflow was given, once: it reads them when its context is created. */
let nativeThreads: ThreadChoice | undefined;

async function loadNative(name: 'node' | 'node-gpu', pkg: string): Promise<BackendInfo> {
  // libtensorflow logs INFO lines (oneDNN notes, CPU feature hints) at load; warnings and errors still show.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
  if (!nativeThreads) {
    nativeThreads = chooseThreads(process.env);
    process.env.TF_NUM_INTRAOP_THREADS = String(nativeThreads.threads);
  }
  try {
    await import(pkg as string);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const missing = e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(pkg);
    const what = missing ? `${pkg} is not installed` : `${pkg} failed to load`;
    throw new Error(`GANZOO_BACKEND=${name}: ${what} (${e.message.split('\n')[0]})`, { cause: err });
  }
  // The package registers 'tensorflow' on the tfjs-core it imports; a second copy of tfjs-core would not see it.
  if (tf.findBackend('tensorflow') == null || !(await tf.setBackend('tensorflow'))) {
    throw new Error(
      `GANZOO_BACKEND=${name}: ${pkg} loaded but its 'tensorflow' backend is not visible to this @tensorflow/tfjs ` +
        `${tf.version.tfjs} (a different tfjs version installed beside it?)`,
    );
  }
  const native = tf.backend() as unknown as { isUsingGpuDevice?: boolean; binding?: { TF_Version?: string } };
  const device = native.isUsingGpuDevice ? 'GPU' : 'CPU';
  const version = native.binding?.TF_Version ? ` ${native.binding.TF_Version}` : '';
  const { threads, reason } = nativeThreads;
  const intraOp = `${threads} intra-op thread${threads === 1 ? '' : 's'}: ${reason}`;
  const fused = setUpFusedKernels();
  return {
    name,
    tfjsBackend: 'tensorflow',
    detail: `${pkg} (libtensorflow${version}, ${device}; ${intraOp}; ${fused})`,
  };
}

async function loadWasm(): Promise<BackendInfo> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    throw new Error(
      `GANZOO_BACKEND=wasm: @tensorflow/tfjs-backend-wasm failed to load (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
  const kernels = registerWasmKernels();
  const wanted = wasmThreadsWanted();
  // The threads go to the project's convolutions where they can run, else to XNNPACK.
  const fma = process.env.GANZOO_WASM_FMA === '0' ? 'off: GANZOO_WASM_FMA=0' : await createIgemm(wanted);
  const xnnpackThreads = typeof fma === 'string' ? wanted : 1;
  // Threads can only be set up before the backend's first initialisation.
  const undo =
    xnnpackThreads > 1 && tf.engine().registry.wasm == null
      ? prepareWasmThreads(xnnpackThreads, wasm.setThreadsCount)
      : null;
  let ok = false;
  let cause = 'setBackend returned false';
  try {
    ok = await tf.setBackend('wasm');
  } catch (err) {
    cause = (err as Error).message;
  } finally {
    undo?.();
  }
  if (!ok) throw new Error(`GANZOO_BACKEND=wasm: the wasm backend did not initialise (${cause})`);
  if (undo) unrefWasmThreads(tf.backend());
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = wasm.getThreadsCount();
  useIgemm(typeof fma === 'string' ? undefined : fma);
  const heap = await loadHeapKernels(tf.backend());
  useHeapKernels(typeof heap === 'string' ? undefined : heap);
  const threadNote =
    xnnpackThreads > 1 && threads !== xnnpackThreads ? ` (GANZOO_WASM_THREADS=${wanted} not applied)` : '';
  const convolutions =
    typeof fma === 'string'
      ? `XNNPACK (${fma})`
      : `FMA indirect GEMM on ${fma.threads} thread${fma.threads === 1 ? '' : 's'}`;
  return {
    name: 'wasm',
    tfjsBackend: 'wasm',
    detail:
      `SIMD ${simd ? 'on' : 'off'}, ${threads} thread${threads === 1 ? '' : 's'}${threadNote}; ` +
      `project kernels: ${kernels.join(', ')}; convolutions: ${convolutions}; ` +
      `heap kernels (sums, Adam, phase weave): ${typeof heap === 'string' ? heap : 'on'}`,
  };
}

/**
 * GANZOO_WASM_THREADS: threads for wasm training (unset or 1 = one). They run the project's convolutions
 * (helper workers), or XNNPACK where those cannot run or GANZOO_WASM_FMA=0 turns them off (experimental). At most 8: the worker pool tfjs starts
 * at initialisation; more would need workers started later, without the file shim.
 */
function wasmThreadsWanted(): number {
  const raw = process.env.GANZOO_WASM_THREADS?.trim();
  if (!raw) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 8) {
    throw new Error(`GANZOO_WASM_THREADS=${raw}: expected a whole number of threads from 1 to 8`);
  }
  return n;
}

async function loadCpu(): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu')))
    throw new Error('GANZOO_BACKEND=cpu: the cpu backend did not initialise');
  return { name: 'cpu', tfjsBackend: 'cpu', detail: 'pure JavaScript; slow, for tiny tests' };
}
