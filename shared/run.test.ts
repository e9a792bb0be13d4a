import { describe, expect, it } from 'vitest';
import { isResumable, type RunRecord, type StatusUpdate, transition } from './run.ts';
import { parseSpec } from './spec.ts';

const base: RunRecord = {
  id: 'r1',
  owner: 'u',
  spec: parseSpec({ family: 'dcgan', dataset: 'mnist' }),
  status: 'QUEUED',
  attempt: 1,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

function apply(record: RunRecord, ...updates: StatusUpdate[]): RunRecord {
  return updates.reduce((r, u) => {
    const t = transition(r, u);
    return t.ok ? t.record : r;
  }, record);
}

describe('run status machine', () => {
  it('moves forward through the happy path', () => {
    const r = apply(
      base,
      { status: 'SUBMITTED', jobId: 'j' },
      { status: 'STARTING' },
      { status: 'RUNNING' },
      { status: 'SUCCEEDED' },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.jobId).toBe('j');
  });

  it('keeps a history of every status entered and every retry, not of heartbeats or duplicates', () => {
    const at = (minute: number) => `2026-01-01T00:0${minute}:00.000Z`;
    const r = apply(
      { ...base, history: [{ status: 'QUEUED', attempt: 1, at: base.createdAt }] },
      { status: 'SUBMITTED', at: at(1) },
      { status: 'STARTING', at: at(2) },
      { status: 'RUNNING', at: at(3), progress: { step: 1, totalSteps: 9 } },
      { status: 'RUNNING', at: at(4), progress: { step: 2, totalSteps: 9 } },
      { status: 'STARTING', attempt: 2, at: at(5) },
      { status: 'RUNNING', attempt: 2, at: at(6) },
      { status: 'SUBMITTED', at: at(7) },
      { status: 'SUCCEEDED', attempt: 2, at: at(8) },
      { status: 'SUCCEEDED', attempt: 2, at: at(9) },
    );
    expect(r.history).toEqual([
      { status: 'QUEUED', attempt: 1, at: base.createdAt },
      { status: 'SUBMITTED', attempt: 1, at: at(1) },
      { status: 'STARTING', attempt: 1, at: at(2) },
      { status: 'RUNNING', attempt: 1, at: at(3) },
      { status: 'STARTING', attempt: 2, at: at(5) },
      { status: 'RUNNING', attempt: 2, at: at(6) },
      { status: 'SUCCEEDED', attempt: 2, at: at(8) },
    ]);
    // A record from before the history was kept starts one at its next status.
    expect(apply(base, { status: 'SUBMITTED', at: at(1) }).history).toEqual([
      { status: 'SUBMITTED', attempt: 1, at: at(1) },
    ]);
  });

  it('never moves backwards', () => {
    const running = apply(base, { status: 'SUBMITTED' }, { status: 'RUNNING' });
    const t = transition(running, { status: 'SUBMITTED' });
    expect(t).toEqual({ ok: false, reason: 'cannot move from RUNNING back to SUBMITTED' });
    expect(transition(running, { status: 'STARTING' }).ok).toBe(false);
  });

  it('allows RUNNING -> STARTING only for a higher attempt', () => {
    const running = apply(base, { status: 'SUBMITTED' }, { status: 'STARTING' }, { status: 'RUNNING' });
    const retry = transition(running, { status: 'STARTING', attempt: 2 });
    expect(retry.ok && retry.record).toMatchObject({ status: 'STARTING', attempt: 2 });
    // A late event of attempt 1 after attempt 2 began is refused.
    const retried = apply(running, { status: 'STARTING', attempt: 2 });
    expect(transition(retried, { status: 'RUNNING', attempt: 1 }).ok).toBe(false);
  });

  it('begins a higher attempt in SUBMITTED only with a new job, noting why in the history', () => {
    const waiting = apply(base, { status: 'SUBMITTED', jobId: 'spot-job', at: 't1' });
    const moved = transition(waiting, {
      status: 'SUBMITTED',
      attempt: 2,
      jobId: 'on-demand-job',
      at: 't2',
      note: 'moved to on-demand',
    });
    expect(moved.ok && moved.record).toMatchObject({
      status: 'SUBMITTED',
      attempt: 2,
      jobId: 'on-demand-job',
    });
    expect(moved.ok && moved.record.history).toEqual([
      { status: 'SUBMITTED', attempt: 1, at: 't1' },
      { status: 'SUBMITTED', attempt: 2, at: 't2', note: 'moved to on-demand' },
    ]);
    expect(transition(waiting, { status: 'SUBMITTED', attempt: 2 })).toEqual({
      ok: false,
      reason: 'attempt 2 cannot begin in SUBMITTED',
    });
    expect(transition(waiting, { status: 'SUBMITTED', attempt: 2, jobId: 'spot-job' }).ok).toBe(false);
    // A second job for the same attempt (a duplicate resubmission) cannot take the run over.
    const after2 = apply(waiting, { status: 'SUBMITTED', attempt: 2, jobId: 'on-demand-job' });
    expect(transition(after2, { status: 'SUBMITTED', attempt: 2, jobId: 'another-job' })).toEqual({
      ok: false,
      reason: 'attempt 2 belongs to job on-demand-job, not another-job',
    });
    // The old job's late events stay refused once the new one holds the run.
    const after = apply(waiting, { status: 'SUBMITTED', attempt: 2, jobId: 'on-demand-job' });
    expect(transition(after, { status: 'FAILED', attempt: 1 }).ok).toBe(false);
  });

  it('terminal states are final; a duplicate is a no-op', () => {
    const done = apply(base, { status: 'SUBMITTED' }, { status: 'FAILED', reason: 'x' });
    expect(transition(done, { status: 'RUNNING' })).toEqual({
      ok: false,
      reason: 'run r1 already ended as FAILED',
    });
    const dup = transition(done, { status: 'FAILED' });
    expect(dup.ok && dup.changed).toBe(false);
    expect(transition(done, { status: 'CANCELLED' }).ok).toBe(false);
  });

  it('keeps the newest progress when heartbeats arrive out of order', () => {
    const r = apply(base, { status: 'RUNNING', progress: { step: 50, totalSteps: 100 } });
    const late = transition(r, { status: 'RUNNING', progress: { step: 40, totalSteps: 100 } });
    expect(late.ok && late.changed).toBe(false);
    const next = transition(r, { status: 'RUNNING', progress: { step: 60, totalSteps: 100 } });
    expect(next.ok && next.record.progress?.step).toBe(60);
  });

  it('resumes a FAILED or CANCELLED run as the next attempt, QUEUED, without the old job or reason', () => {
    for (const ended of ['FAILED', 'CANCELLED'] as const) {
      const r = apply(
        base,
        { status: 'SUBMITTED', jobId: 'j' },
        { status: 'RUNNING' },
        {
          status: ended,
          reason: 'why',
        },
      );
      const t = transition(r, { status: 'QUEUED', attempt: 2, resume: true, at: '2026-01-02T00:00:00Z' });
      expect(t.ok && t.record).toMatchObject({ status: 'QUEUED', attempt: 2 });
      if (!t.ok) continue;
      expect(t.record.jobId).toBeUndefined();
      expect(t.record.reason).toBeUndefined();
      expect(t.record.history?.at(-1)).toEqual({ status: 'QUEUED', attempt: 2, at: '2026-01-02T00:00:00Z' });
      // Then as any attempt does.
      expect(apply(t.record, { status: 'SUBMITTED', jobId: 'k' }, { status: 'RUNNING' }).status).toBe(
        'RUNNING',
      );
      // A second resume of the same ended attempt (a retried request) finds the run no longer ended.
      expect(transition(t.record, { status: 'QUEUED', attempt: 2, resume: true }).ok).toBe(false);
    }
  });

  it('refuses a resume of a run that has not ended or SUCCEEDED, or to another status or attempt', () => {
    expect(isResumable('SUCCEEDED')).toBe(false);
    for (const status of ['QUEUED', 'RUNNING', 'SUCCEEDED'] as const) {
      expect(transition({ ...base, status }, { status: 'QUEUED', attempt: 2, resume: true }).ok).toBe(false);
    }
    const failed: RunRecord = { ...base, status: 'FAILED' };
    expect(transition(failed, { status: 'RUNNING', attempt: 2, resume: true }).ok).toBe(false);
    expect(transition(failed, { status: 'QUEUED', attempt: 3, resume: true }).ok).toBe(false);
    // Without the resume flag an ended run stays ended.
    expect(transition(failed, { status: 'QUEUED', attempt: 2 }).ok).toBe(false);
  });
});
