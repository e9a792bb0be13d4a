import { describe, expect, it } from 'vitest';
import { bicubicMatrix, cubic, resizeBicubic } from './bicubic.ts';

describe('bicubic resampling', () => {
  it("Keys' kernel (a = -0.5) at its known points", () => {
    expect([0, 0.5, 1, 1.5, 2, 2.5].map(cubic)).toEqual([1, 0.5625, 0, -0.0625, 0, 0]);
    expect(cubic(0.25)).toBe(0.8671875);
    expect(cubic(0.75)).toBe(0.2265625);
    expect(cubic(1.75)).toBe(-0.0234375);
  });

  it('enlarges an impulse x2 to the kernel sampled at quarter pixels (the known imresize values)', () => {
    const up = resizeBicubic([0, 0, 1, 0, 0], [1, 5, 1], [1, 10]);
    // Output o reads input o/2 - 0.25: outputs 4 and 5 are 0.25 from the impulse, 3 and 6 are 0.75, 7 is 1.25.
    expect(Array.from(up.subarray(2, 9)).map((v) => Math.round(v * 1e7) / 1e7)).toEqual([
      -0.0703125, 0.2265625, 0.8671875, 0.8671875, 0.2265625, -0.0703125, -0.0234375,
    ]);
  });

  it('shrinks x4 with the kernel stretched 4 times (antialiased), each row of weights summing to 1', () => {
    const m = bicubicMatrix(32, 8);
    // Output 3 is centred on input 13.5; input 13 is 0.5 away, i.e. 0.125 of the stretched kernel.
    const row = Array.from(m.subarray(3 * 32, 4 * 32));
    const raw = Array.from({ length: 32 }, (_, i) => cubic((13.5 - i) / 4));
    const sum = raw.reduce((a, b) => a + b, 0);
    for (const [i, v] of row.entries()) expect(v).toBeCloseTo(raw[i]! / sum, 12);
    expect(raw[13]).toBe(0.9638671875);
    expect(row.filter((v) => v !== 0)).toHaveLength(16);
    for (let o = 0; o < 8; o++)
      expect(m.subarray(o * 32, o * 32 + 32).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('keeps a constant, and a ramp away from the edges, in both directions and channel by channel', () => {
    const ramp = Array.from({ length: 32 }, (_, i) => [i, 5]).flat();
    const down = resizeBicubic(ramp, [1, 32, 2], [1, 8]);
    // Output o is centred on input 4o + 1.5; interior outputs reproduce the ramp exactly.
    for (let o = 2; o < 6; o++) {
      expect(down[o * 2]).toBeCloseTo(4 * o + 1.5, 5);
      expect(down[o * 2 + 1]).toBeCloseTo(5, 6);
    }
    const up = resizeBicubic(new Array(2 * 3 * 1).fill(0.3), [2, 3, 1], [8, 12]);
    for (const v of up) expect(v).toBeCloseTo(0.3, 6);
  });

  it('refuses values that are not the image it is told', () => {
    expect(() => resizeBicubic([1, 2, 3], [2, 2, 1], [4, 4])).toThrow(/3 values are not an image of 2x2x1/);
  });
});
