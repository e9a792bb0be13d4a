import { describe, expect, it } from 'vitest';
import { indexAtOrBefore, nextFrame, stepIndex, syncedIndices, unionSteps } from './slider-sync.ts';

describe('one slider over several runs', () => {
  const a = [0, 100, 200, 300];
  const b = [0, 250, 500];

  it('moves over the union of the runs sample steps', () => {
    expect(unionSteps([a, b])).toEqual([0, 100, 200, 250, 300, 500]);
  });

  it('shows each run its latest sample at or before the slider step', () => {
    expect(syncedIndices([a, b], 250)).toEqual([2, 1]);
    expect(syncedIndices([a, b], 500)).toEqual([3, 2]);
    expect(syncedIndices([a, b], 99)).toEqual([0, 0]);
  });

  it('falls back to the first sample before a run has any that early, and -1 with none', () => {
    expect(indexAtOrBefore([50, 60], 10)).toBe(0);
    expect(indexAtOrBefore([], 10)).toBe(-1);
    expect(syncedIndices([[], a], 150)).toEqual([-1, 1]);
  });

  it('agrees with a linear scan for many random lists', () => {
    for (let trial = 0; trial < 200; trial++) {
      const steps = unionSteps([Array.from({ length: trial % 17 }, () => Math.floor(Math.random() * 1000))]);
      const target = Math.floor(Math.random() * 1100) - 50;
      let expected = steps.length ? 0 : -1;
      steps.forEach((s, i) => {
        if (s <= target) expected = i;
      });
      expect(indexAtOrBefore(steps, target)).toBe(expected);
    }
  });
});

describe('stepping', () => {
  it('clamps keyboard steps to the gallery', () => {
    expect(stepIndex(0, -1, 5)).toBe(0);
    expect(stepIndex(3, 10, 5)).toBe(4);
    expect(stepIndex(2, 1, 5)).toBe(3);
    expect(stepIndex(0, 1, 0)).toBe(-1);
  });

  it('plays in a loop', () => {
    expect(nextFrame(3, 5)).toBe(4);
    expect(nextFrame(4, 5)).toBe(0);
  });
});
