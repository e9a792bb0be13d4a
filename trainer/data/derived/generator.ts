/**
 * What a derived set's generator is: a pure function of (seed, count) whose item i depends only on (seed, i),
 * so a smaller set is a prefix of a larger one and a test can check a few items cheaply.
 */
import { Rng, Stream } from '../rng.ts';
import type { DerivedSet } from './store.ts';

/**
 * Which split a set draws from: 'train' for the training set, 'test' for the held-out set an image-to-image
 * run is sampled and scored on (MNIST's test digits; for photos-x4, the photographs' bottom quarter), so no
 * held-out item shows a digit or pixel trained on.
 */
export type DigitSplit = 'train' | 'test';

export interface DerivedGenerator {
  /** Raised whenever the output changes, so a cache written by an older generator is not read. */
  version: number;
  /**
   * `split` is 'train' unless said: the paired and unpaired sets read it (MNIST's split of the digits, or
   * photos-x4's part of the photographs), and a set drawn from the seed alone (scenes, figures-articles) draws
   * its 'test' items from HELD_OUT_FIRST on.
   */
  generate(seed: number, count: number, split?: DigitSplit): DerivedSet;
}

/**
 * Calls `item` for each item with its own random stream: item i's is stream (seed, i + first), so a set drawn
 * from nothing but the seed keeps its held-out copy apart by starting it at HELD_OUT_FIRST.
 */
export function forEachItem(
  seed: number,
  count: number,
  item: (i: number, rng: Rng) => void,
  first = 0,
): void {
  for (let i = 0; i < count; i++) item(i, new Rng(seed, Stream.derived, first + i));
}

/** Where the held-out items of a set drawn from the seed alone (no MNIST split to keep them apart) start. */
export const HELD_OUT_FIRST = 1_000_000;
