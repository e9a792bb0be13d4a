/**
 * A history pool of generated images (Shrivastava et al. 2017, as CycleGAN uses it): D is shown, for each
 * new fake, either that fake or, half the time once the pool is full, an older fake it keeps, which the new
 * one replaces. D so sees what G made over recent steps, which damps oscillation.
 * The pool is two variables (the images and how many are kept), which the checkpoint saves with the
 * networks (Gan.state); its choices are drawn from (seed, draw), so a resumed run keeps and shows what an
 * uninterrupted one would.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, Stream } from '../data/rng.ts';

export class HistoryPool {
  /** [capacity, H, W, C]; rows past `kept` are unused. */
  readonly images: tf.Variable;
  /** [1]: how many rows are filled. */
  readonly kept: tf.Variable;

  constructor(
    readonly capacity: number,
    shape: readonly number[],
    /** Tells two pools' random choices apart (one per domain). */
    readonly which: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new Error(`history pool: capacity must be an integer >= 0, got ${capacity}`);
    this.images = tf.tidy(() => tf.variable(tf.zeros([Math.max(capacity, 1), ...shape]), false));
    this.kept = tf.tidy(() => tf.variable(tf.zeros([1]), false));
  }

  /**
   * The batch D sees in place of `fakes` [B, H, W, C] on this draw, updating the pool: while it has room a
   * fake is kept and shown; once full, with probability 1/2 a random kept image is shown and the fake takes
   * its place, else the fake is shown. With capacity 0, the fakes themselves.
   */
  query(fakes: tf.Tensor, seed: number, draw: number): tf.Tensor {
    if (this.capacity === 0) return fakes;
    const rows = Math.max(this.capacity, 1);
    const rng = new Rng(seed, Stream.historyPool, this.which, draw);
    let kept = this.kept.dataSync()[0]!;
    // Row j of the pool and row i of the output, as indices into concat([pool, fakes]); a row replaced
    // earlier in this batch is shown as the fake that replaced it, as a sequential update would.
    const slot = Int32Array.from({ length: rows }, (_, j) => j);
    const shown = new Int32Array(fakes.shape[0]!);
    for (let i = 0; i < shown.length; i++) {
      const fake = rows + i;
      if (kept < this.capacity) {
        slot[kept++] = fake;
        shown[i] = fake;
      } else if (rng.uniform() < 0.5) {
        const j = rng.int(this.capacity);
        shown[i] = slot[j]!;
        slot[j] = fake;
      } else shown[i] = fake;
    }
    const all = tf.concat([this.images, fakes]);
    this.images.assign(tf.gather(all, tf.tensor1d(slot, 'int32')));
    this.kept.assign(tf.tensor1d([kept]));
    return tf.gather(all, tf.tensor1d(shown, 'int32'));
  }

  dispose(): void {
    tf.dispose([this.images, this.kept]);
  }
}
