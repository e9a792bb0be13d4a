import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { HistoryPool } from './history-pool.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** A batch of 1 x 1 x 1 "images" whose values name them. */
const fakes = (...ids: number[]) => tf.tensor4d(ids, [ids.length, 1, 1, 1]);
const ids = (t: tf.Tensor) => Array.from(t.dataSync());

describe('history pool', () => {
  it('shows the fakes themselves while it has room, keeping them', () => {
    const pool = new HistoryPool(4, [1, 1, 1], 0);
    expect(ids(pool.query(fakes(1, 2, 3), 1, 0))).toEqual([1, 2, 3]);
    expect(ids(pool.kept)).toEqual([3]);
    // One more fills it; the second new fake finds it full and is shown or swapped.
    const shown = ids(pool.query(fakes(4, 5), 1, 1));
    expect(shown[0]).toBe(4);
    expect(ids(pool.kept)).toEqual([4]);
    expect([5, 1, 2, 3, 4]).toContain(shown[1]);
    pool.dispose();
  });

  it('once full, shows a mix of new fakes and older kept ones, and the kept ones are replaced by new', () => {
    const pool = new HistoryPool(8, [1, 1, 1], 0);
    tf.dispose(pool.query(fakes(1, 2, 3, 4, 5, 6, 7, 8), 3, 0));
    const shown = ids(pool.query(fakes(101, 102, 103, 104, 105, 106, 107, 108), 3, 1));
    const old = shown.filter((v) => v <= 8);
    const fresh = shown.filter((v) => v > 100);
    // Each new fake is swapped with probability 1/2: with 8 draws both kinds all but surely appear.
    expect(old.length).toBeGreaterThan(0);
    expect(fresh.length).toBeGreaterThan(0);
    const kept = ids(pool.images);
    // Every shown old image left the pool for the fake that took its place; shown new ones were not kept.
    for (const v of old) expect(kept).not.toContain(v);
    expect(kept.filter((v) => v > 100)).toHaveLength(old.length);
    for (const v of fresh) expect(kept).not.toContain(v);
    pool.dispose();
  });

  it('its choices are a function of (seed, draw): a pool restored from its variables continues alike', () => {
    const a = new HistoryPool(4, [1, 1, 1], 1);
    const b = new HistoryPool(4, [1, 1, 1], 1);
    tf.dispose(a.query(fakes(1, 2, 3, 4), 5, 0));
    b.images.assign(a.images);
    b.kept.assign(a.kept);
    for (let draw = 1; draw < 4; draw++) {
      const batch = fakes(10 * draw, 10 * draw + 1, 10 * draw + 2);
      expect(ids(b.query(batch, 5, draw))).toEqual(ids(a.query(batch, 5, draw)));
    }
    expect(ids(b.images)).toEqual(ids(a.images));
    // Another domain's pool (which = 0) draws differently.
    const c = new HistoryPool(4, [1, 1, 1], 0);
    c.images.assign(a.images);
    c.kept.assign(tf.tensor1d([4]));
    const differs = [5, 6, 7, 8, 9].some((draw) => {
      const batch = fakes(50, 51, 52, 53);
      return ids(c.query(batch, 5, draw)).join() !== ids(a.query(batch, 5, draw)).join();
    });
    expect(differs).toBe(true);
    for (const p of [a, b, c]) p.dispose();
  });

  it('with capacity 0 D sees only the newest fakes', () => {
    const pool = new HistoryPool(0, [1, 1, 1], 0);
    const batch = fakes(1, 2);
    expect(pool.query(batch, 1, 0)).toBe(batch);
    pool.dispose();
    expect(() => new HistoryPool(-1, [1, 1, 1], 0)).toThrow(/capacity must be an integer >= 0/);
  });
});
