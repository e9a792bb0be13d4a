/** The run page's status timeline, as data. */
import { isActive, type RunRecord, type RunStatus } from '../api/types.ts';

const FLOW: readonly RunStatus[] = ['QUEUED', 'SUBMITTED', 'STARTING', 'RUNNING'];

export interface Stage {
  status: RunStatus;
  done: boolean;
  attempt?: number;
  at?: string;
  /** Why the run entered it, when not the trainer's doing (e.g. moved to on-demand capacity). */
  note?: string;
}

/**
 * The run's statuses in order: from its recorded history, or (for a record written before history was
 * kept) from the status flow, the times this browser saw, and the current status.
 */
export function timelineStages(run: RunRecord, seen: Record<string, string>): Stage[] {
  const ended = !isActive(run.status);
  if (run.history?.length) {
    const reached = run.history.map((e) => ({
      status: e.status,
      done: true,
      attempt: e.attempt,
      at: e.at,
      ...(e.note ? { note: e.note } : {}),
    }));
    const todo = ended
      ? []
      : FLOW.slice(FLOW.indexOf(run.status) + 1).map((s) => ({ status: s, done: false }));
    return [...reached, ...todo];
  }
  // An ended run that reported progress got as far as RUNNING, even if it ended before we looked.
  const seenUpTo = Math.max(0, ...FLOW.map((s, i) => (seen[s] ? i : 0)));
  const reached = ended ? (run.progress ? 3 : seenUpTo) : FLOW.indexOf(run.status);
  const at = (s: RunStatus) => (s === 'QUEUED' ? run.createdAt : s === run.status ? run.updatedAt : seen[s]);
  return [
    ...FLOW.map((s, i) => ({ status: s, done: i <= reached, ...(at(s) ? { at: at(s) } : {}) })),
    ...(ended ? [{ status: run.status, done: true, at: run.updatedAt }] : []),
  ];
}
