import { describe, expect, it } from 'vitest';
import {
  batchBilledSeconds,
  DEFAULT_GPU_PRICES,
  type JobUsage,
  parseGpuPrices,
  withJobUsage,
} from './cost.ts';
import { costLabel } from './cost-label.ts';

const at = '2026-01-01T00:00:00.000Z';

describe('the cost estimate', () => {
  it('defaults to us-east-1 on-demand list prices and Spot at 40% of them', () => {
    expect(DEFAULT_GPU_PRICES['g4dn.xlarge']).toEqual({ onDemand: 0.526, spot: 0.21 });
    expect(DEFAULT_GPU_PRICES['g5.2xlarge']).toEqual({ onDemand: 1.212, spot: 0.485 });
  });

  it('takes configured prices over the defaults, and names a bad one', () => {
    const prices = parseGpuPrices('{"g5.xlarge": {"spot": 0.35}}');
    expect(prices['g5.xlarge']).toEqual({ onDemand: 1.006, spot: 0.35 });
    expect(prices['g4dn.xlarge']).toEqual(DEFAULT_GPU_PRICES['g4dn.xlarge']);
    expect(() => parseGpuPrices('{"p3.2xlarge": {"spot": 1}}')).toThrow(/unknown GPU type p3.2xlarge/);
    expect(() => parseGpuPrices('{"g5.xlarge": {"spot": -1}}')).toThrow(/g5.xlarge.spot must be/);
    expect(() => parseGpuPrices('nope')).toThrow(/GANZOO_GPU_PRICES is not JSON/);
  });

  it("sums a job's attempts, skipping one not started", () => {
    const t = 1_000_000;
    const attempts = [
      { startedAt: t, stoppedAt: t + 90_000 },
      { stoppedAt: t + 100_000 },
      { startedAt: t + 100_000, stoppedAt: t + 130_400 },
    ];
    expect(batchBilledSeconds(attempts)).toBe(120);
    expect(batchBilledSeconds([{ startedAt: t }], t + 5_000)).toBe(5);
  });

  it('sums jobs at their own prices, and keeps the longer report of a job', () => {
    const spot: JobUsage = { capacity: 'spot', instanceType: 'g4dn.xlarge', seconds: 1800, usdPerHour: 0.2 };
    const onDemand: JobUsage = {
      capacity: 'on-demand',
      instanceType: 'g4dn.xlarge',
      seconds: 3600,
      usdPerHour: 0.5,
    };
    const one = withJobUsage(undefined, 'a', spot, at);
    const two = withJobUsage(one, 'b', onDemand, at);
    expect(two).toMatchObject({ estimate: true, usd: 0.6, seconds: 5400 });
    expect(withJobUsage(two, 'a', { ...spot, seconds: 600 }, at)).toBe(two);
    expect(withJobUsage(two, 'a', { ...spot, seconds: 3600 }, at).usd).toBe(0.7);
    expect(costLabel(two)).toBe(
      'estimate: $0.60 (1.5 h billed; g4dn.xlarge Spot at $0.2/h, g4dn.xlarge on-demand at $0.5/h)',
    );
    const local = withJobUsage(
      undefined,
      'local-x-1',
      { capacity: 'local', seconds: 125, usdPerHour: 0 },
      at,
    );
    expect(costLabel(local)).toBe('local: no charge (2 min)');
    expect(costLabel(undefined)).toBe('no cost yet');
  });
});
