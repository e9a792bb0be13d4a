/**
 * TensorFlow's intra-op threads for a native trainer, chosen from the cores this process may use and the
 * trainers sharing them: two trainers side by side on two cores take one thread each (each then gets about
 * 10% more work done per CPU-second than with two threads that contend, docs/RESULTS.md), one trainer alone
 * takes them all. Libtensorflow reads TF_NUM_INTRAOP_THREADS once, when tfjs-node creates its context, so
 * this runs before that import; a value the user set is kept.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface ThreadChoice {
  threads: number;
  /** Why that many, for the run's backend detail. */
  reason: string;
}

/**
 * Cores a CPU quota allows: cgroup v2's cpu.max ("max 100000", or "200000 100000" for two cores), rounded
 * up; undefined when there is no quota or no cgroup file (a Batch container's vCPUs are a quota, not an
 * affinity mask, so availableParallelism alone would see the host's cores).
 */
export function quotaCores(cpuMax: string | undefined): number | undefined {
  const [quota, period] = (cpuMax ?? '').trim().split(/\s+/);
  const q = Number(quota);
  const p = Number(period);
  if (!quota || quota === 'max' || !(q > 0) || !(p > 0)) return undefined;
  return Math.max(1, Math.ceil(q / p));
}

function readCpuMax(): string | undefined {
  try {
    return readFileSync('/sys/fs/cgroup/cpu.max', 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * GANZOO_TRAINERS: trainers sharing this machine's cores (the local runner sets it to its concurrency, the
 * quality benchmark to the experiments it runs side by side). Unset: 1.
 */
export function trainersFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.GANZOO_TRAINERS?.trim();
  if (!raw) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(
      `GANZOO_TRAINERS=${raw}: expected the number of trainers sharing the cores, a whole number >= 1`,
    );
  return n;
}

export function chooseThreads(
  env: NodeJS.ProcessEnv,
  cores = availableParallelism(),
  cpuMax = readCpuMax(),
): ThreadChoice {
  const set = env.TF_NUM_INTRAOP_THREADS?.trim();
  if (set) {
    const n = Number(set);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`TF_NUM_INTRAOP_THREADS=${set}: expected a whole number of threads >= 1`);
    return { threads: n, reason: 'TF_NUM_INTRAOP_THREADS' };
  }
  const quota = quotaCores(cpuMax);
  const usable = Math.min(cores, quota ?? cores);
  const trainers = trainersFromEnv(env);
  const threads = Math.max(1, Math.floor(usable / trainers));
  const limit = quota !== undefined && quota < cores ? ' (CPU quota)' : '';
  return {
    threads,
    reason: `${usable} usable core${usable === 1 ? '' : 's'}${limit} / ${trainers} trainer${trainers === 1 ? '' : 's'}`,
  };
}
