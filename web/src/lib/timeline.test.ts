import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../api/types.ts';
import { timelineStages } from './timeline.ts';

const base = {
  id: 'r1',
  owner: 'u',
  spec: { family: 'dcgan', dataset: 'mnist', steps: 10 },
  attempt: 1,
  createdAt: '2026-11-28T05:00:00.000Z',
  updatedAt: '2026-11-28T05:03:00.000Z',
} as unknown as Omit<RunRecord, 'status'>;

describe('timeline stages', () => {
  it('shows the recorded history, a retry as its own STARTING, and what is still to come', () => {
    const run: RunRecord = {
      ...base,
      status: 'STARTING',
      attempt: 2,
      history: [
        { status: 'QUEUED', attempt: 1, at: 't0' },
        { status: 'SUBMITTED', attempt: 1, at: 't1' },
        { status: 'STARTING', attempt: 1, at: 't2' },
        { status: 'RUNNING', attempt: 1, at: 't3' },
        { status: 'STARTING', attempt: 2, at: 't4' },
      ],
    };
    expect(timelineStages(run, {})).toEqual([
      { status: 'QUEUED', done: true, attempt: 1, at: 't0' },
      { status: 'SUBMITTED', done: true, attempt: 1, at: 't1' },
      { status: 'STARTING', done: true, attempt: 1, at: 't2' },
      { status: 'RUNNING', done: true, attempt: 1, at: 't3' },
      { status: 'STARTING', done: true, attempt: 2, at: 't4' },
      { status: 'RUNNING', done: false },
    ]);
  });

  it('shows a run moved to on-demand as SUBMITTED again, with the note saying why', () => {
    const note =
      'no Spot capacity for g5.xlarge (CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY): moved to on-demand';
    const run: RunRecord = {
      ...base,
      status: 'SUBMITTED',
      attempt: 2,
      history: [
        { status: 'QUEUED', attempt: 1, at: 't0' },
        { status: 'SUBMITTED', attempt: 1, at: 't1' },
        { status: 'SUBMITTED', attempt: 2, at: 't2', note },
      ],
    };
    expect(timelineStages(run, {}).slice(1, 4)).toEqual([
      { status: 'SUBMITTED', done: true, attempt: 1, at: 't1' },
      { status: 'SUBMITTED', done: true, attempt: 2, at: 't2', note },
      { status: 'STARTING', done: false },
    ]);
  });

  it('ends at the final status with nothing to come', () => {
    const run: RunRecord = {
      ...base,
      status: 'FAILED',
      history: [
        { status: 'QUEUED', attempt: 1, at: 't0' },
        { status: 'FAILED', attempt: 1, at: 't1' },
      ],
    };
    expect(timelineStages(run, {}).map((s) => [s.status, s.done])).toEqual([
      ['QUEUED', true],
      ['FAILED', true],
    ]);
  });

  it('falls back to the status flow and the times this browser saw for a record without history', () => {
    const run: RunRecord = { ...base, status: 'STARTING' };
    expect(timelineStages(run, { SUBMITTED: 't1' })).toEqual([
      { status: 'QUEUED', done: true, at: base.createdAt },
      { status: 'SUBMITTED', done: true, at: 't1' },
      { status: 'STARTING', done: true, at: base.updatedAt },
      { status: 'RUNNING', done: false },
    ]);
  });
});
