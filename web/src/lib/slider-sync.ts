/**
 * One step slider over several runs' sample galleries. Runs write samples at different cadences, so the
 * shared slider moves over the union of their steps, and each run shows its latest sample at or before the
 * slider's step (its first sample when it has none that early).
 */

/** Sorted, de-duplicated steps of every run. */
export function unionSteps(stepLists: readonly (readonly number[])[]): number[] {
  const all = new Set<number>();
  for (const steps of stepLists) for (const s of steps) all.add(s);
  return [...all].sort((a, b) => a - b);
}

/** Index of the last step <= target in sorted `steps`; 0 when every step is later; -1 when empty. */
export function indexAtOrBefore(steps: readonly number[], target: number): number {
  if (steps.length === 0) return -1;
  let lo = 0;
  let hi = steps.length - 1;
  if (target < steps[0]!) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps[mid]! <= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** What each run shows at the slider's step: the index into its own sorted steps (-1 for no samples). */
export function syncedIndices(stepLists: readonly (readonly number[])[], target: number): number[] {
  return stepLists.map((steps) => indexAtOrBefore(steps, target));
}

/** Moves an index by `delta` within [0, length - 1]; keyboard stepping, play and page jumps use it. */
export function stepIndex(index: number, delta: number, length: number): number {
  if (length <= 0) return -1;
  return Math.min(length - 1, Math.max(0, index + delta));
}

/** The next frame of play: the next index, or back to the start after the last one. */
export function nextFrame(index: number, length: number): number {
  if (length <= 0) return -1;
  return index + 1 >= length ? 0 : index + 1;
}
