import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { chooseThreads, quotaCores, trainersFromEnv } from './native-threads.ts';

/**
 * A child process that loads the node backend, runs a matrix product and prints the backend's detail and
 * its OS thread count: libtensorflow makes its intra-op pool when its context is created, so the count moves
 * one for one with the threads it was given.
 */
const PROBE = `
import { readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './trainer/backend/index.ts';
const info = await initBackend('node');
const a = tf.randomNormal([256, 256]);
tf.matMul(a, a).dataSync();
console.log(JSON.stringify({ detail: info.detail, threads: readdirSync('/proc/self/task').length }));
`;

function probe(env: Record<string, string>): { detail: string; threads: number } | string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], {
    env: { ...process.env, TF_NUM_INTRAOP_THREADS: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = r.stdout.trim().split('\n').at(-1);
  return r.status === 0 && line
    ? JSON.parse(line)
    : (`${r.stderr}`.split('\n').find((l) => l.includes('Error')) ?? '');
}

describe('native intra-op threads', () => {
  it("reads cgroup v2's cpu.max as whole cores, rounded up; no quota is undefined", () => {
    expect(quotaCores('max 100000\n')).toBeUndefined();
    expect(quotaCores('200000 100000\n')).toBe(2);
    expect(quotaCores('150000 100000')).toBe(2);
    expect(quotaCores('50000 100000')).toBe(1);
    expect(quotaCores(undefined)).toBeUndefined();
    expect(quotaCores('garbage')).toBeUndefined();
  });

  it('shares the usable cores among the trainers side by side, at least one thread each', () => {
    expect(chooseThreads({}, 2, undefined)).toEqual({ threads: 2, reason: '2 usable cores / 1 trainer' });
    expect(chooseThreads({ GANZOO_TRAINERS: '2' }, 2, undefined)).toEqual({
      threads: 1,
      reason: '2 usable cores / 2 trainers',
    });
    expect(chooseThreads({ GANZOO_TRAINERS: '3' }, 2, undefined).threads).toBe(1);
    expect(chooseThreads({ GANZOO_TRAINERS: '2' }, 16, undefined).threads).toBe(8);
  });

  it("a container's CPU quota below the host's cores is what counts", () => {
    expect(chooseThreads({}, 64, '400000 100000')).toEqual({
      threads: 4,
      reason: '4 usable cores (CPU quota) / 1 trainer',
    });
    expect(chooseThreads({}, 2, '400000 100000').threads).toBe(2);
  });

  it('keeps a TF_NUM_INTRAOP_THREADS the user set, and refuses nonsense naming the variable', () => {
    expect(chooseThreads({ TF_NUM_INTRAOP_THREADS: '3', GANZOO_TRAINERS: '2' }, 2, undefined)).toEqual({
      threads: 3,
      reason: 'TF_NUM_INTRAOP_THREADS',
    });
    expect(() => chooseThreads({ TF_NUM_INTRAOP_THREADS: 'many' }, 2, undefined)).toThrow(
      /TF_NUM_INTRAOP_THREADS=many/,
    );
    expect(() => trainersFromEnv({ GANZOO_TRAINERS: '0' })).toThrow(/GANZOO_TRAINERS=0/);
    expect(trainersFromEnv({ GANZOO_TRAINERS: ' ' })).toBe(1);
  });
});

describe('the node backend takes the threads chosen', () => {
  it('records them in its detail, and libtensorflow runs that many intra-op threads', (ctx) => {
    // The usable cores, as the chooser sees them (affinity and any CPU quota): one trainer takes them all.
    const cores = chooseThreads({}).threads;
    const alone = probe({ GANZOO_TRAINERS: '1' });
    if (typeof alone === 'string') return ctx.skip(`node: ${alone}`);
    const shared = probe({ GANZOO_TRAINERS: String(cores) });
    if (typeof shared === 'string') throw new Error(shared);
    expect(alone.detail).toContain(`${cores} intra-op thread${cores === 1 ? '' : 's'}: `);
    expect(shared.detail).toContain(`1 intra-op thread: ${cores} usable core`);
    expect(alone.threads - shared.threads).toBe(cores - 1);
  }, 120_000);
});
