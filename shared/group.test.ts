import { describe, expect, it } from 'vitest';
import { expandGroup, formatSummary, groupEvaluation, groupStatus, summarize } from './group.ts';

const base = { family: 'dcgan', dataset: 'mnist', steps: 100, hyperparameters: { gChannels: 32 } };

describe('expandGroup', () => {
  it('makes one member per seed, each an ordinary spec with only its seed changed', () => {
    const g = expandGroup({ spec: base, seeds: [1, 2, 3] });
    expect(g.ok).toBe(true);
    if (!g.ok) return;
    expect(g.kind).toBe('seeds');
    expect(g.members.map((m) => m.spec.seed)).toEqual([1, 2, 3]);
    expect(g.members.map((m) => m.varies)).toEqual([{ seed: 1 }, { seed: 2 }, { seed: 3 }]);
    expect(new Set(g.members.map((m) => m.spec.hyperparameters.gChannels))).toEqual(new Set([32]));
    expect(g.members[0]!.spec.hyperparameters.learningRate).toBe(2e-4); // defaults filled
  });

  it('makes every combination of a grid, 3 x 2', () => {
    const g = expandGroup({
      spec: base,
      sweep: {
        mode: 'grid',
        parameters: { learningRate: [1e-4, 2e-4, 4e-4], loss: ['non-saturating', 'minimax'] },
      },
    });
    expect(g.ok).toBe(true);
    if (!g.ok) return;
    expect(g.members).toHaveLength(6);
    expect(
      g.members.map((m) => `${m.spec.hyperparameters.learningRate}/${m.spec.hyperparameters.loss}`),
    ).toEqual([
      '0.0001/non-saturating',
      '0.0001/minimax',
      '0.0002/non-saturating',
      '0.0002/minimax',
      '0.0004/non-saturating',
      '0.0004/minimax',
    ]);
  });

  it('draws a random sweep within its ranges, integers where the family wants them, the same draws for the same seed', () => {
    const request = {
      spec: base,
      sweep: {
        mode: 'random',
        samples: 20,
        seed: 7,
        parameters: { learningRate: { min: 1e-5, max: 1e-3, scale: 'log' }, gChannels: { min: 8, max: 64 } },
      },
    };
    const a = expandGroup(request);
    const b = expandGroup(request);
    const c = expandGroup({ ...request, sweep: { ...request.sweep, seed: 8 } });
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (!a.ok || !b.ok || !c.ok) return;
    expect(a.members).toHaveLength(20);
    expect(a.members.map((m) => m.varies)).toEqual(b.members.map((m) => m.varies));
    expect(a.members.map((m) => m.varies)).not.toEqual(c.members.map((m) => m.varies));
    for (const m of a.members) {
      const lr = m.spec.hyperparameters.learningRate as number;
      const ch = m.spec.hyperparameters.gChannels as number;
      expect(lr).toBeGreaterThanOrEqual(1e-5);
      expect(lr).toBeLessThanOrEqual(1e-3);
      expect(Number.isInteger(ch)).toBe(true);
      expect(ch).toBeGreaterThanOrEqual(8);
      expect(ch).toBeLessThanOrEqual(64);
    }
    // Log scale: about half the draws below the geometric middle (1e-4), not a tenth as a linear draw gives.
    const low = a.members.filter((m) => (m.spec.hyperparameters.learningRate as number) < 1e-4).length;
    expect(low).toBeGreaterThan(4);
  });

  it('refuses more members than the limit, naming seeds or sweep', () => {
    const seeds = expandGroup({ spec: base, seeds: [1, 2, 3, 4] }, 3);
    expect(seeds).toEqual({
      ok: false,
      issues: [{ field: 'seeds', message: '4 seeds; a group holds at most 3' }],
    });
    const sweep = expandGroup(
      { spec: base, sweep: { mode: 'grid', parameters: { learningRate: [1e-4, 2e-4], beta1: [0, 0.5] } } },
      3,
    );
    expect(sweep.ok).toBe(false);
    if (!sweep.ok) expect(sweep.issues[0]!.field).toBe('sweep');
  });

  it('names an unknown hyperparameter, a value out of the catalog range, and a bad base spec', () => {
    const unknown = expandGroup({ spec: base, sweep: { mode: 'grid', parameters: { lr: [1e-4] } } });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) {
      expect(unknown.issues[0]!.field).toBe('sweep.parameters.lr');
      expect(unknown.issues[0]!.message).toMatch(/'dcgan' has no hyperparameter 'lr'/);
    }
    const range = expandGroup({ spec: base, sweep: { mode: 'grid', parameters: { gChannels: [64, 4096] } } });
    expect(range.ok).toBe(false);
    if (!range.ok) expect(range.issues.map((i) => i.field)).toEqual(['sweep.parameters.gChannels.1']);
    const randomRange = expandGroup({
      spec: base,
      sweep: { mode: 'random', samples: 2, parameters: { learningRate: { min: 1e-4, max: 5 } } },
    });
    expect(randomRange.ok).toBe(false);
    if (!randomRange.ok)
      expect(randomRange.issues.map((i) => i.field)).toEqual(['sweep.parameters.learningRate.max']);
    const spec = expandGroup({ spec: { ...base, steps: 0 }, seeds: [1] });
    expect(spec.ok).toBe(false);
    if (!spec.ok) expect(spec.issues[0]!.field).toBe('spec.steps');
  });

  it('wants exactly one of seeds and sweep, and no seed twice', () => {
    expect(expandGroup({ spec: base }).ok).toBe(false);
    expect(
      expandGroup({ spec: base, seeds: [1], sweep: { mode: 'grid', parameters: { beta1: [0.5] } } }).ok,
    ).toBe(false);
    const twice = expandGroup({ spec: base, seeds: [1, 1] });
    expect(twice.ok).toBe(false);
    if (!twice.ok) expect(twice.issues[0]!.field).toBe('seeds');
  });
});

describe('groupStatus', () => {
  it('derives the group from its members', () => {
    expect(groupStatus(['QUEUED', 'QUEUED']).status).toBe('QUEUED');
    expect(groupStatus(['QUEUED', 'RUNNING']).status).toBe('RUNNING');
    expect(groupStatus(['SUCCEEDED', 'QUEUED']).status).toBe('RUNNING');
    expect(groupStatus(['SUCCEEDED', 'SUCCEEDED']).status).toBe('SUCCEEDED');
    expect(groupStatus(['CANCELLED', 'CANCELLED']).status).toBe('CANCELLED');
    const mixed = groupStatus(['SUCCEEDED', 'FAILED', 'CANCELLED']);
    expect(mixed).toEqual({ status: 'FAILED', counts: { SUCCEEDED: 1, FAILED: 1, CANCELLED: 1 } });
  });
});

describe('summaries and the group evaluation', () => {
  it('gives mean ± sample sd (min, max)', () => {
    // DCGAN's cFID on seeds 1-3 at 2,000 narrow steps.
    const s = summarize([69.7, 61.2, 85.8])!;
    expect(s.mean).toBeCloseTo(72.233, 3);
    expect(s.sd).toBeCloseTo(12.494, 3);
    expect(formatSummary(s)).toBe('72.2 ± 12.5 (61.2-85.8, n=3)');
    expect(summarize([5])).toEqual({ n: 1, mean: 5, sd: 0, min: 5, max: 5 });
    expect(summarize([Number.NaN])).toBeUndefined();
  });

  it('joins members per metric and per swept value, and names the best member', () => {
    const cfid = (value: number) => ({ cfid: { value, better: 'lower' as const } });
    const members = [
      { runId: 'a', varies: { learningRate: 1e-4 }, metrics: cfid(80) },
      { runId: 'b', varies: { learningRate: 1e-4 }, metrics: cfid(60) },
      { runId: 'c', varies: { learningRate: 2e-4 }, metrics: cfid(40) },
      { runId: 'd', varies: { learningRate: 2e-4 }, metrics: cfid(50) },
    ];
    const e = groupEvaluation(members, ['learningRate']);
    expect(e.metrics.cfid?.mean).toBe(57.5);
    expect(e.bySweptValue.learningRate?.map((v) => [v.value, v.metrics.cfid?.mean])).toEqual([
      [1e-4, 70],
      [2e-4, 45],
    ]);
    expect(e.best).toEqual({ runId: 'c', metric: 'cfid', value: 40 });
    // cFID 40, 50, 60, 80: the better of the middle two.
    expect(e.median).toEqual({ runId: 'd', metric: 'cfid', value: 50 });
    const higher = groupEvaluation([
      { runId: 'x', varies: {}, metrics: { modesCovered: { value: 6, better: 'higher' } } },
      { runId: 'y', varies: {}, metrics: { modesCovered: { value: 8, better: 'higher' } } },
    ]);
    expect(higher.best?.runId).toBe('y');
    const three = groupEvaluation(
      [7, 3, 5].map((v, i) => ({
        runId: `s${i}`,
        varies: {},
        metrics: { modes: { value: v, better: 'higher' as const } },
      })),
    );
    expect(three.median?.runId).toBe('s2');
  });
});
