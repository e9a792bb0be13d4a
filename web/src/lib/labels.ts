/**
 * A run's or a group's name, tags and note as the forms hold them (text as typed), and what they send:
 * `labels` in a submitted spec, or a PATCH body that names only what changed (null removes a label).
 */
import type { Labels, LabelsPatch } from '../api/types.ts';

export interface LabelsDraft {
  name: string;
  /** Tags separated by commas or spaces. */
  tags: string;
  note: string;
}

export const EMPTY_LABELS: LabelsDraft = { name: '', tags: '', note: '' };

export const tagsOf = (text: string) => text.split(/[\s,]+/).filter(Boolean);

export function draftOf(labels: Labels | undefined): LabelsDraft {
  return { name: labels?.name ?? '', tags: (labels?.tags ?? []).join(', '), note: labels?.note ?? '' };
}

/** The labels a submit carries; undefined when all are empty. */
export function labelsOf(draft: LabelsDraft): Labels | undefined {
  const name = draft.name.trim();
  const tags = tagsOf(draft.tags);
  const note = draft.note.trim();
  const out: Labels = {
    ...(name ? { name } : {}),
    ...(tags.length ? { tags } : {}),
    ...(note ? { note } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

/** A PATCH body from the labels before and the form after: changed fields, null for a cleared one. */
export function labelsPatch(before: Labels | undefined, draft: LabelsDraft): LabelsPatch {
  const after = labelsOf(draft) ?? {};
  const patch: LabelsPatch = {};
  if (after.name !== before?.name) patch.name = after.name ?? null;
  if ((after.tags ?? []).join('\n') !== (before?.tags ?? []).join('\n')) patch.tags = after.tags ?? null;
  if (after.note !== before?.note) patch.note = after.note ?? null;
  return patch;
}
