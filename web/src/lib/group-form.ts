/**
 * The new-experiment form's choice of how many runs: one, several seeds, or a sweep over the family's
 * hyperparameters (a grid of values, or random draws within ranges), read from what was typed into the
 * request POST /experiment-groups takes, with the number of runs it makes. Each typed value is checked as
 * the spec's own fields are (schema-form.ts parseField); the API checks every member in full and names the
 * field it refuses, which `groupIssueField` maps back onto these inputs.
 */
import type { GroupRequest } from '../../../shared/group.ts';
import { groupSize } from '../../../shared/group-stats.ts';
import { type FieldSpec, parseField } from './schema-form.ts';

export type RunMode = 'single' | 'seeds' | 'sweep';

/** What was typed for one swept hyperparameter. */
export interface SweptDraft {
  /** Grid (any kind), or random among choices: comma-separated values. */
  values: string;
  /** Random, numeric fields: the range drawn from. */
  min: string;
  max: string;
  scale: 'linear' | 'log';
}

export interface GroupDraft {
  mode: RunMode;
  /** Comma- or space-separated seeds. */
  seeds: string;
  sweepMode: 'grid' | 'random';
  /** Swept hyperparameters by path ("hyperparameters.learningRate"), in the order they were ticked. */
  swept: Record<string, SweptDraft>;
  /** Random: members to draw, and the seed of the draws. */
  samples: string;
  drawSeed: string;
}

export const DEFAULT_GROUP: GroupDraft = {
  mode: 'single',
  seeds: '1, 2, 3',
  sweepMode: 'grid',
  swept: {},
  samples: '8',
  drawSeed: '1',
};

/** A swept field's starting text: its default as the one value, and its own range. */
export function sweptDraftOf(field: FieldSpec): SweptDraft {
  return {
    values:
      field.kind === 'boolean' ? 'true, false' : field.default === undefined ? '' : String(field.default),
    min: field.min === undefined ? '' : String(field.min),
    max: field.max === undefined ? '' : String(field.max),
    scale: 'linear',
  };
}

const MAX_SEED = 2 ** 31 - 1;
const items = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

type Read<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseSeeds(text: string): Read<number[]> {
  const parts = items(text);
  if (parts.length === 0) return { ok: false, error: 'list at least one seed, e.g. 1, 2, 3' };
  const seeds: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0 || n > MAX_SEED)
      return { ok: false, error: `'${p}' is not a seed (a whole number from 0 to ${MAX_SEED})` };
    if (seeds.includes(n)) return { ok: false, error: `seed ${n} is listed twice` };
    seeds.push(n);
  }
  return { ok: true, value: seeds };
}

/** Comma-separated values of one field, each parsed as the field would parse it alone. */
export function parseValues(field: FieldSpec, text: string): Read<(string | number | boolean)[]> {
  const parts = field.kind === 'choice' || field.kind === 'boolean' ? items(text) : text.split(',');
  const values: (string | number | boolean)[] = [];
  for (const raw of parts.map((p) => p.trim()).filter(Boolean)) {
    if (field.kind === 'boolean') {
      if (raw !== 'true' && raw !== 'false') return { ok: false, error: `'${raw}': true or false` };
      values.push(raw === 'true');
      continue;
    }
    const parsed = parseField(field, raw);
    if (!parsed.ok) return { ok: false, error: `${raw}: ${parsed.error}` };
    if (values.includes(parsed.value as never)) return { ok: false, error: `${raw} is listed twice` };
    values.push(parsed.value as string | number);
  }
  if (values.length === 0) return { ok: false, error: 'list at least one value' };
  return { ok: true, value: values };
}

const numeric = (f: FieldSpec) => f.kind === 'integer' || f.kind === 'number';

export interface GroupRead {
  /** The request without its spec; undefined for a single run or while something is wrong. */
  request?: Omit<GroupRequest, 'spec'>;
  /** Runs it makes (1 for a single run), known once the counts are readable. */
  members?: number;
  /** "sweep.parameters.hyperparameters.learningRate"-style input keys -> what is wrong. */
  errors: Record<string, string>;
}

/** The input key of a swept hyperparameter's values (or its range): the API's field for it. */
export const sweptKey = (path: string) => `sweep.parameters.${path.replace(/^hyperparameters\./, '')}`;

/** What the form's group part asks for, or what is wrong with it, input by input. */
export function readGroup(draft: GroupDraft, fields: readonly FieldSpec[]): GroupRead {
  if (draft.mode === 'single') return { members: 1, errors: {} };
  if (draft.mode === 'seeds') {
    const seeds = parseSeeds(draft.seeds);
    if (!seeds.ok) return { errors: { seeds: seeds.error } };
    return { request: { seeds: seeds.value }, members: seeds.value.length, errors: {} };
  }
  const errors: Record<string, string> = {};
  const paths = Object.keys(draft.swept);
  if (paths.length === 0) errors.sweep = 'tick at least one hyperparameter to sweep';
  const parameters: Record<string, unknown> = {};
  for (const path of paths) {
    const field = fields.find((f) => f.path === path);
    const key = sweptKey(path);
    if (!field) {
      errors[key] = 'not a hyperparameter of this family';
      continue;
    }
    const d = draft.swept[path]!;
    const name = path.replace(/^hyperparameters\./, '');
    if (draft.sweepMode === 'random' && numeric(field)) {
      const lo = parseField(field, d.min);
      const hi = parseField(field, d.max);
      if (!lo.ok) errors[key] = `min: ${lo.error}`;
      else if (!hi.ok) errors[key] = `max: ${hi.error}`;
      else if (!((lo.value as number) < (hi.value as number))) errors[key] = 'min must be below max';
      else if (d.scale === 'log' && !((lo.value as number) > 0)) errors[key] = 'a log range needs min > 0';
      else parameters[name] = { min: lo.value, max: hi.value, scale: d.scale };
      continue;
    }
    const values = parseValues(field, d.values);
    if (values.ok) parameters[name] = values.value;
    else errors[key] = values.error;
  }
  let sweep: NonNullable<GroupRequest['sweep']>;
  if (draft.sweepMode === 'random') {
    const samples = Number(draft.samples);
    const seed = Number(draft.drawSeed);
    if (!Number.isInteger(samples) || samples < 1) errors['sweep.samples'] = 'a whole number, at least 1';
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED)
      errors['sweep.seed'] = `a whole number from 0 to ${MAX_SEED}`;
    sweep = { mode: 'random', parameters: parameters as never, samples, seed };
  } else sweep = { mode: 'grid', parameters: parameters as never };
  // The count is shown even while a value is wrong, as soon as it can be known.
  const countable =
    draft.sweepMode === 'random' ? !errors['sweep.samples'] : paths.every((p) => !errors[sweptKey(p)]);
  const members = countable && paths.length ? groupSize({ sweep }) : undefined;
  if (Object.keys(errors).length) return { ...(members !== undefined ? { members } : {}), errors };
  return { request: { sweep }, ...(members !== undefined ? { members } : {}), errors };
}

/** "3 × 2 = 6 runs" for a grid, "3 runs" otherwise. */
export function membersText(
  draft: GroupDraft,
  members: number | undefined,
  fields: readonly FieldSpec[],
): string {
  if (members === undefined) return 'runs: –';
  const runs = `${members.toLocaleString('en')} run${members === 1 ? '' : 's'}`;
  if (draft.mode !== 'sweep' || draft.sweepMode !== 'grid') return runs;
  const counts = Object.keys(draft.swept).map((p) => {
    const f = fields.find((x) => x.path === p);
    const v = f ? parseValues(f, draft.swept[p]!.values) : undefined;
    return v?.ok ? v.value.length : 0;
  });
  return counts.length > 1 ? `${counts.join(' × ')} = ${runs}` : runs;
}

/**
 * Where an issue the API named belongs in the form: a group's base spec fields (under `spec.`) on those
 * fields; a swept value (`sweep.parameters.learningRate.1`) on that hyperparameter's input; one tag
 * (`labels.tags.2`) on the tags input; `seeds`, `sweep`, `sweep.samples` on theirs.
 */
export function issueField(field: string): string {
  const f = field.startsWith('spec.') ? field.slice('spec.'.length) : field;
  const swept = /^sweep\.parameters\.([^.]+)/.exec(f);
  if (swept) return `sweep.parameters.${swept[1]}`;
  return f.startsWith('labels.tags.') ? 'labels.tags' : f;
}
