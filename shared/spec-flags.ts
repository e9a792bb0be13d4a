/**
 * The spec on a command line, for both command lines (the trainer's `npm run train` and `npx ganzoo
 * submit`): which flag sets which spec field, how a number and a `--hp NAME=VALUE` pair are read, and which
 * flag a field error is about.
 */
import type { ExperimentSpec } from './spec.ts';

/** A mistake on the command line; both command lines exit 2 with its message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Numeric spec flags and the spec field each sets. */
export const SPEC_FLAGS = {
  steps: 'steps',
  batch: 'batchSize',
  seed: 'seed',
  'sample-every': 'sampleEvery',
  'metrics-every': 'metricsEvery',
  'checkpoint-every': 'checkpointEvery',
} as const satisfies Record<string, keyof ExperimentSpec>;

/** node:util parseArgs options for the numeric spec flags. */
export const SPEC_FLAG_OPTIONS = Object.fromEntries(
  Object.keys(SPEC_FLAGS).map((f) => [f, { type: 'string' as const }]),
) as Record<keyof typeof SPEC_FLAGS, { type: 'string' }>;

/** A flag's number; `min` refuses smaller ones here rather than at the spec. */
export function numberFlag(flag: string, raw: string, min?: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || (min !== undefined && n < min)) {
    throw new UsageError(`--${flag} expects a number${min ? ` of at least ${min}` : ''}, got '${raw}'`);
  }
  return n;
}

/** The spec fields the numeric flags among `values` set. */
export function specFlagFields(values: Record<string, unknown>, min?: number): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const [flag, field] of Object.entries(SPEC_FLAGS)) {
    const raw = values[flag];
    if (typeof raw === 'string') fields[field] = numberFlag(flag, raw, min);
  }
  return fields;
}

/** "true"/"false" and numbers become JSON values; anything else stays a string. */
export function hyperparameterValue(raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
}

/** `--hp NAME=VALUE` pairs as hyperparameters. */
export function hyperparameterFlags(pairs: readonly string[] = []): Record<string, unknown> {
  const hp: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--hp expects NAME=VALUE, got '${pair}'`);
    hp[pair.slice(0, eq)] = hyperparameterValue(pair.slice(eq + 1));
  }
  return hp;
}

const FIELD_TO_FLAG: Record<string, string> = Object.fromEntries(
  Object.entries(SPEC_FLAGS).map(([f, k]) => [k, `--${f}`]),
);

/** The flag a spec field error is about: "--batch", "--hp learningRate", "--dataset". */
export function flagOfField(field: string): string {
  const head = field.split('.')[0] ?? '';
  return (
    FIELD_TO_FLAG[head] ??
    (field.startsWith('hyperparameters') ? `--hp ${field.slice('hyperparameters.'.length)}` : `--${field}`)
  );
}
