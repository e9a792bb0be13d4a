import { describe, expect, it } from 'vitest';
import { randomValues } from '../backend/test-util.ts';
import { PSNR_CAP, reconstructionScores, ssimChannel } from './image-quality.ts';

const SHAPE = [16, 16, 1] as const;
const PER = 16 * 16;

describe('reconstruction scores', () => {
  it('an exact copy scores L1 0, PSNR at its cap and SSIM 1', () => {
    const x = randomValues(2 * PER, 1);
    expect(reconstructionScores(x, x, SHAPE)).toEqual({ l1: 0, psnr: PSNR_CAP, ssim: 1 });
  });

  it('PSNR of a constant offset d in [-1, 1] units is 10 log10(1 / (d / 2)^2)', () => {
    const x = new Float32Array(PER).fill(-0.5);
    const y = new Float32Array(PER).fill(-0.3);
    const s = reconstructionScores(x, y, SHAPE);
    expect(s.l1).toBeCloseTo(0.2, 6);
    expect(s.psnr).toBeCloseTo(10 * Math.log10(1 / 0.1 ** 2), 4);
  });

  it('SSIM of two flat images is the luminance term (2ab + C1) / (a^2 + b^2 + C1)', () => {
    const a = new Float32Array(PER).fill(0.2);
    const b = new Float32Array(PER).fill(0.6);
    const c1 = 0.01 ** 2;
    expect(ssimChannel(a, b, SHAPE, 0)).toBeCloseTo((2 * 0.2 * 0.6 + c1) / (0.04 + 0.36 + c1), 6);
  });

  it('SSIM falls as noise grows, and a sign flip (structure reversed) goes below 0', () => {
    const x = randomValues(PER, 2);
    const noise = randomValues(PER, 3);
    const noisy = (scale: number) => x.map((v, i) => Math.max(-1, Math.min(1, v + scale * noise[i]!)));
    const little = reconstructionScores(noisy(0.1), x, SHAPE).ssim;
    const more = reconstructionScores(noisy(0.5), x, SHAPE).ssim;
    expect(little).toBeLessThan(1);
    expect(more).toBeLessThan(little);
    expect(
      reconstructionScores(
        x.map((v) => -v),
        x,
        SHAPE,
      ).ssim,
    ).toBeLessThan(0);
  });

  it('refuses outputs and targets of different sizes', () => {
    expect(() => reconstructionScores(new Float32Array(PER), new Float32Array(2 * PER), SHAPE)).toThrow(
      /differ or are not/,
    );
  });
});
