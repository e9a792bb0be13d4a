/** A run's status as a badge, and its progress as a bar with step, speed and ETA. */
import type { RunRecord, RunStatus } from '../api/types.ts';
import { duration, fractionDone } from '../lib/format.ts';

export function StatusBadge({ status }: { status: RunStatus }) {
  return <span class={`badge status-${status.toLowerCase()}`}>{status}</span>;
}

/** A run's progress; a group's member list has these fields of its runs and no more. */
export type ProgressOf = Pick<RunRecord, 'id' | 'status' | 'spec' | 'progress'>;

export function Progress({ run, compact }: { run: ProgressOf; compact?: boolean }) {
  const p = run.progress;
  const total = p?.totalSteps ?? run.spec.steps;
  const step = p?.step ?? (run.status === 'SUCCEEDED' ? total : 0);
  const frac = fractionDone(step, total);
  const eta = run.status === 'RUNNING' ? p?.etaSeconds : undefined;
  return (
    <div class="progress">
      <progress max={1} value={frac} aria-label={`Run ${run.id} progress`}>
        {Math.round(frac * 100)}%
      </progress>
      <span class="progress-text">
        step {step.toLocaleString()} / {total.toLocaleString()}
        {eta !== undefined && p?.phase !== 'evaluating' && ` · ETA ${duration(eta)}`}
        {run.status === 'RUNNING' && p?.phase === 'evaluating' && ' · evaluating the generator'}
        {!compact && p?.imagesPerSecond !== undefined && ` · ${p.imagesPerSecond.toFixed(1)} images/s`}
        {!compact && p?.backend && ` · ${p.backend}`}
      </span>
    </div>
  );
}
