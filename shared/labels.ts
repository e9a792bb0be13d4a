/**
 * A run's or a group's name, tags and note: how a person finds and tells experiments apart. They ride in the
 * spec as sent (`labels`), so one body carries all a submit needs, but they are stored beside it on the
 * record (run or group), never in the spec the trainer reads: editing them later (PATCH) changes nothing
 * the trainer compared or a group's members share.
 */
import { z } from 'zod';

export const MAX_TAGS = 20;

const TagSchema = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}._:/+-]*$/u, 'letters, digits and . _ : / + - (not first); no spaces')
  .describe('A tag, e.g. "baseline" or "lr:2e-4".');
const NameSchema = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .describe('A short name for lists and pages, e.g. "DCGAN baseline".');
const NoteSchema = z.string().max(4000).describe('Free text: why this experiment, what was seen.');
const TagsSchema = z
  .array(TagSchema)
  .max(MAX_TAGS)
  .refine((t) => new Set(t).size === t.length, 'a tag is listed twice')
  .describe(`At most ${MAX_TAGS} tags; filter with GET /experiments?tag=.`);

export const LabelsSchema = z
  .strictObject({ name: NameSchema.optional(), tags: TagsSchema.optional(), note: NoteSchema.optional() })
  .describe(
    'Name, tags and a note. Kept on the run (or group) beside its spec, not in it: the trainer never reads them, and PATCH changes them later.',
  );
export type Labels = z.output<typeof LabelsSchema>;

/** PATCH's body: a field given replaces it, null removes it, a field left out stays as it is. */
export const LabelsPatchSchema = z
  .strictObject({
    name: NameSchema.nullable().optional(),
    tags: TagsSchema.nullable().optional(),
    note: NoteSchema.nullable().optional(),
  })
  .describe(
    'Changes to the name, tags and note: a field given replaces it, null removes it, one left out stays.',
  );
export type LabelsPatch = z.output<typeof LabelsPatchSchema>;

/** The labels after a patch; undefined when none are left. */
export function patchLabels(labels: Labels | undefined, patch: LabelsPatch): Labels | undefined {
  const out: Record<string, unknown> = { ...labels };
  for (const key of ['name', 'tags', 'note'] as const) {
    if (patch[key] === null) delete out[key];
    else if (patch[key] !== undefined) out[key] = patch[key];
  }
  if (Array.isArray(out.tags) && out.tags.length === 0) delete out.tags;
  return Object.keys(out).length ? (out as Labels) : undefined;
}

/** The `labels` a spec was sent with, and the spec without them (what is stored and trained). */
export function splitLabels<S extends { labels?: Labels }>(
  spec: S,
): { spec: Omit<S, 'labels'>; labels?: Labels } {
  const { labels, ...rest } = spec;
  const kept = labels && Object.keys(labels).length ? labels : undefined;
  return kept ? { spec: rest, labels: kept } : { spec: rest };
}

/** Whether labels pass a listing's filters: `tag` exactly, `q` within the name, ignoring case. */
export function matchesLabels(labels: Labels | undefined, filter: { tag?: string; q?: string }): boolean {
  if (filter.tag !== undefined && !labels?.tags?.includes(filter.tag)) return false;
  if (filter.q !== undefined && !labels?.name?.toLowerCase().includes(filter.q.toLowerCase())) return false;
  return true;
}
