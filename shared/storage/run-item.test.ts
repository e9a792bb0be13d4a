import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../run.ts';
import { parseSpec } from '../spec.ts';
import { runFromItem, runItem } from './run-item.ts';

const run: RunRecord = {
  id: 'r-1',
  owner: 'someone',
  spec: parseSpec({ family: 'infogan', dataset: 'mnist', hyperparameters: { learningRate: 1.5e-4 } }),
  status: 'RUNNING',
  attempt: 2,
  progress: { step: 40, totalSteps: 100, backend: 'wasm' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:01:00.000Z',
  history: [{ status: 'QUEUED', attempt: 1, at: '2026-01-01T00:00:00.000Z' }],
};

describe('run items', () => {
  it('keeps the spec as JSON text with its family beside it, the rest attribute by attribute', () => {
    const item = runItem(run);
    expect(item.spec).toEqual({ S: JSON.stringify(run.spec) });
    expect(item.family).toEqual({ S: 'infogan' });
    expect(item.attempt).toEqual({ N: '2' });
    expect(item.progress?.M?.step).toEqual({ N: '40' });
  });

  it('reads back the record it was made from, numbers and nesting intact', () => {
    expect(runFromItem(runItem(run))).toEqual(run);
  });

  it('reads items that hold the spec as a map, as they were written before', () => {
    expect(runFromItem(marshall(run, { removeUndefinedValues: true }))).toEqual(run);
  });

  it('stores and reads a record a trainer made without a spec', () => {
    const { spec: _spec, owner: _owner, ...bare } = run;
    const item = runItem(bare);
    expect(item.spec).toBeUndefined();
    expect(item.family).toBeUndefined();
    expect(runFromItem(item)).toEqual(bare);
  });

  it('names the run whose stored spec is not JSON', () => {
    const item = { ...runItem(run), spec: { S: '{"family":' } };
    expect(() => runFromItem(item)).toThrow('run r-1: the stored spec is not JSON');
  });
});
