/**
 * Which items a batch takes: each epoch a fresh permutation of the items from (seed, epoch, stream), and
 * batch `step` the next batchSize of it, so a batch is a pure function of (seed, step). A second order (other
 * `stream`) draws items independently of the first, as an unpaired set's second domain needs.
 */
import { Rng, Stream } from './rng.ts';

export function epochOrder(
  id: string,
  count: number,
  seed: number,
  ...stream: number[]
): (step: number, batchSize: number) => Uint32Array {
  let epochCached = -1;
  let order: Uint32Array = new Uint32Array(0);
  return (step, batchSize) => {
    if (batchSize > count) throw new Error(`batchSize ${batchSize} exceeds the ${count} items of ${id}`);
    const perEpoch = Math.floor(count / batchSize);
    const epoch = Math.floor(step / perEpoch);
    if (epoch !== epochCached) {
      order = new Rng(seed, Stream.shuffle, epoch, ...stream).permutation(count);
      epochCached = epoch;
    }
    const start = (step % perEpoch) * batchSize;
    return order.subarray(start, start + batchSize);
  };
}
