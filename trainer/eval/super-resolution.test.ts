import { describe, expect, it } from 'vitest';
import { resizeBicubicBatch } from '../../shared/layers/bicubic.ts';
import { randomValues } from '../backend/test-util.ts';
import { PSNR_CAP } from './image-quality.ts';
import { highFrequencyEnergy, superResolutionScores } from './super-resolution.ts';

const shape = [16, 16, 3] as const;
const small = [4, 4, 3] as const;
/** Two images of noise in [-1, 1): detail at every frequency. */
const targets = Float32Array.from(randomValues(2 * 16 * 16 * 3, 5));
const inputs = resizeBicubicBatch(targets, shape, [4, 4]);

describe('super-resolution scores', () => {
  it('give an image its detail beyond the reduction: none for a smooth ramp, most of the energy for noise', () => {
    const ramp = Float32Array.from({ length: 16 * 16 * 3 }, (_, i) => Math.floor(i / 48) / 16 - 0.5);
    // Away from the edges, a ramp survives the reduction and enlargement; only the border rows differ.
    expect(highFrequencyEnergy(ramp, shape, 4)).toBeLessThan(1e-3);
    const noise = highFrequencyEnergy(targets, shape, 4);
    const meanSquare = targets.reduce((a, v) => a + v * v, 0) / targets.length;
    expect(noise).toBeGreaterThan(0.5 * meanSquare);
    expect(() => highFrequencyEnergy(targets, [15, 15, 3], 4)).toThrow(/15x15 does not divide by 4/);
  });

  it('score the targets themselves as perfect, and bicubic as short of their detail', () => {
    const exact = superResolutionScores(targets, inputs, targets, shape, small);
    expect(exact.factor).toBe(4);
    expect(exact.model.psnr).toBe(PSNR_CAP);
    expect(exact.highFrequency.modelRatio).toBe(1);
    expect(exact.bicubic.psnr).toBeLessThan(20);
    expect(exact.highFrequency.bicubicRatio).toBeLessThan(0.2);
    // The bicubic enlargement as the output scores what bicubic scores.
    const bicubic = resizeBicubicBatch(inputs, small, [16, 16]);
    const same = superResolutionScores(bicubic, inputs, targets, shape, small);
    expect(same.model).toEqual(same.bicubic);
    expect(same.highFrequency.modelRatio).toBeCloseTo(same.highFrequency.bicubicRatio, 12);
  });
});
