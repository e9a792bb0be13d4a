/**
 * Experiment groups: one base spec run over several seeds, or over a sweep of the family's hyperparameters
 * (a grid, or random draws within the catalog's ranges). A group expands into ordinary member specs here,
 * once, so the API, the CLI and the benchmarks agree on what a group means; each member is then an ordinary
 * run. Pure: no AWS, no tfjs.
 */
import { z } from 'zod';
import { familyInfo } from './catalog.ts';
import type { MetricValue } from './evaluation.ts';
import { groupSize, summarize } from './group-stats.ts';
import { LabelsSchema } from './labels.ts';
import { seededRandom } from './random.ts';
import { RUN_STATUSES, type RunStatus } from './run.ts';
import { type ExperimentSpec, ExperimentSpecSchema, type FieldIssue, validateSpec } from './spec.ts';

/** The member limit when config names none: more is refused, naming `seeds` or `sweep`. */
export const DEFAULT_MAX_GROUP_MEMBERS = 1000;
/** The most any configuration may allow: AWS Batch's largest array job. */
export const MAX_GROUP_MEMBERS = 10_000;

/**
 * A member's run id: the group's id and the member's index, so a Batch array child finds the run it trains
 * from GANZOO_GROUP_ID and AWS_BATCH_JOB_ARRAY_INDEX alone, with nothing to read first.
 */
export function memberRunId(groupId: string, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_GROUP_MEMBERS)
    throw new RangeError(`member index ${index} is outside 0 to ${MAX_GROUP_MEMBERS - 1}`);
  return `${groupId}-${String(index).padStart(4, '0')}`;
}

const SeedSchema = z
  .int()
  .min(0)
  .max(2 ** 31 - 1);
const SweepValueSchema = z.union([z.number(), z.string(), z.boolean()]);

/** A random sweep's range for a numeric hyperparameter; `log` draws evenly in log space (learning rates). */
const RangeSchema = z.strictObject({
  min: z.number(),
  max: z.number(),
  scale: z.enum(['linear', 'log']).default('linear'),
});

export const SweepSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('grid'),
    /** Every combination of these values runs once. */
    parameters: z.record(z.string(), z.array(SweepValueSchema).min(1)),
  }),
  z.strictObject({
    mode: z.literal('random'),
    /** A range to draw from, or the values to choose among. */
    parameters: z.record(z.string(), z.union([RangeSchema, z.array(SweepValueSchema).min(1)])),
    samples: z.int().min(1).describe('Members to draw.'),
    seed: SeedSchema.default(1).describe('Seeds the draws, so a sweep can be repeated exactly.'),
  }),
]);
export type Sweep = z.output<typeof SweepSchema>;

const requestShape = {
  spec: z
    .unknown()
    .describe(
      "The base experiment spec every member starts from; its `labels` label the group (members get the group's tags, and its name with what sets them apart).",
    ),
  seeds: z.array(SeedSchema).min(1).optional().describe("One member per seed (the spec's seed is replaced)."),
  sweep: SweepSchema.optional().describe(
    "One member per point of the sweep over the family's hyperparameters.",
  ),
};
const oneOf = [
  (g: { seeds?: unknown; sweep?: unknown }) => (g.seeds === undefined) !== (g.sweep === undefined),
  { message: 'give either seeds or sweep, not both and not neither' },
] as const;

export const GroupRequestSchema = z.strictObject(requestShape).refine(...oneOf);
export type GroupRequest = z.input<typeof GroupRequestSchema>;

/**
 * The same request as the wire contract states it, the base spec by its schema (ExperimentSpecSchema).
 * expandGroup parses with GroupRequestSchema and then the spec with validateSpec, for its field names.
 */
export const GroupRequestBodySchema = z
  .strictObject({ ...requestShape, spec: ExperimentSpecSchema.describe(requestShape.spec.description!) })
  .refine(...oneOf)
  .describe('An experiment group: a base spec and either seeds or a sweep.');

const VariesSchema = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .describe('What sets the member apart: its seed, or its swept hyperparameters by name.');

/** A stored group: what was asked for, and the runs it made (in order: a member's index is its place). */
export const GroupRecordSchema = z.object({
  id: z.string().describe('Group id; sorts by creation time.'),
  owner: z.string(),
  kind: z.enum(['seeds', 'sweep']),
  spec: (ExperimentSpecSchema as unknown as z.ZodType<ExperimentSpec>).describe(
    'The base spec, defaults filled in.',
  ),
  seeds: z.array(z.int()).optional(),
  sweep: SweepSchema.optional(),
  labels: LabelsSchema.optional(),
  members: z
    .array(z.object({ runId: z.string(), varies: VariesSchema }))
    .describe("The member runs, in order: a member's index is its place (its Batch array index)."),
  /** The Batch array job that runs the members, when the runner made one. */
  jobId: z.string().optional().describe('The Batch array job of the group, in the cloud.'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime().optional(),
});
export type GroupRecord = z.output<typeof GroupRecordSchema>;

/** A stored group: what was asked for, and the runs it made (in order: a member's index is its place). */
export interface GroupMember {
  spec: ExperimentSpec;
  /** What sets this member apart: its seed, or its swept hyperparameters. */
  varies: Record<string, string | number | boolean>;
}

export type GroupExpansion =
  | {
      ok: true;
      kind: 'seeds' | 'sweep';
      /** The base spec, defaults filled in. */
      spec: ExperimentSpec;
      /** The request's seeds or sweep, parsed (a random sweep's draw seed filled in). */
      seeds?: number[];
      sweep?: Sweep;
      members: GroupMember[];
    }
  | { ok: false; issues: FieldIssue[] };

function issuesAt(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message }));
}

/** The members a grid of values makes: every combination, in the order the parameters were given. */
function grid(parameters: Record<string, readonly (string | number | boolean)[]>) {
  let points: Record<string, string | number | boolean>[] = [{}];
  for (const [name, values] of Object.entries(parameters))
    points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  return points;
}

/** The hyperparameters the family's schema wants as integers (random draws of them are rounded). */
function integerFields(family: string): Set<string> {
  const schema = z.toJSONSchema(familyInfo(family)!.hyperparameters, { io: 'input' }) as {
    properties?: Record<string, { type?: string }>;
  };
  return new Set(
    Object.entries(schema.properties ?? {})
      .filter(([, p]) => p.type === 'integer')
      .map(([name]) => name),
  );
}

function random(family: string, sweep: Extract<Sweep, { mode: 'random' }>) {
  const next = seededRandom(sweep.seed);
  const integers = integerFields(family);
  return Array.from({ length: sweep.samples }, () => {
    const point: Record<string, string | number | boolean> = {};
    for (const [name, p] of Object.entries(sweep.parameters)) {
      const u = next();
      if (Array.isArray(p)) {
        point[name] = p[Math.min(p.length - 1, Math.floor(u * p.length))]!;
        continue;
      }
      const v =
        p.scale === 'log'
          ? Math.exp(Math.log(p.min) + u * (Math.log(p.max) - Math.log(p.min)))
          : p.min + u * (p.max - p.min);
      point[name] = integers.has(name) ? Math.round(v) : v;
    }
    return point;
  });
}

/**
 * The values a sweep names for one parameter, each checked as a member would be, with where it sits in the
 * request: an unknown hyperparameter or a value outside the catalog's range is refused naming that place.
 */
function checkSweep(base: ExperimentSpec, sweep: Sweep): FieldIssue[] {
  const family = familyInfo(base.family)!;
  const known = Object.keys((family.hyperparameters as unknown as z.ZodObject).shape);
  const issues: FieldIssue[] = [];
  for (const [name, p] of Object.entries(sweep.parameters)) {
    const at = `sweep.parameters.${name}`;
    if (!known.includes(name)) {
      issues.push({
        field: at,
        message: `'${family.id}' has no hyperparameter '${name}' (it has ${known.join(', ')})`,
      });
      continue;
    }
    const probes: [string, unknown][] = Array.isArray(p)
      ? p.map((v, i) => [`${at}.${i}`, v])
      : [
          [`${at}.min`, p.min],
          [`${at}.max`, p.max],
        ];
    if (!Array.isArray(p)) {
      if (!(p.min < p.max))
        issues.push({ field: at, message: `min (${p.min}) must be below max (${p.max})` });
      if (p.scale === 'log' && !(p.min > 0))
        issues.push({ field: `${at}.min`, message: 'a log range needs min > 0' });
    }
    for (const [field, value] of probes) {
      const r = validateSpec({ ...base, hyperparameters: { ...base.hyperparameters, [name]: value } });
      if (!r.ok)
        for (const i of r.issues)
          issues.push({
            field,
            message: i.field === `hyperparameters.${name}` ? i.message : `${i.field}: ${i.message}`,
          });
    }
  }
  return issues;
}

/**
 * A group request as its member specs, or the fields at fault: the base spec's (under `spec.`), the sweep's
 * values, combinations the family refuses (under `sweep`), and a member count over `maxMembers` (naming
 * `seeds` or `sweep`). Nothing is stored before this has passed.
 */
export function expandGroup(input: unknown, maxMembers = DEFAULT_MAX_GROUP_MEMBERS): GroupExpansion {
  const outer = GroupRequestSchema.safeParse(input);
  if (!outer.success) return { ok: false, issues: issuesAt(outer.error) };
  const request = outer.data;
  const base = validateSpec(request.spec);
  if (!base.ok)
    return {
      ok: false,
      issues: base.issues.map((i) => ({ ...i, field: ['spec', i.field].filter(Boolean).join('.') })),
    };
  const spec = base.spec;
  if (request.seeds) {
    if (groupSize(request) > maxMembers)
      return {
        ok: false,
        issues: [
          { field: 'seeds', message: `${request.seeds.length} seeds; a group holds at most ${maxMembers}` },
        ],
      };
    if (new Set(request.seeds).size !== request.seeds.length)
      return { ok: false, issues: [{ field: 'seeds', message: 'a seed is listed twice' }] };
    return {
      ok: true,
      kind: 'seeds',
      spec,
      seeds: request.seeds,
      members: request.seeds.map((seed) => ({ spec: { ...spec, seed }, varies: { seed } })),
    };
  }
  const sweep = request.sweep!;
  const size = groupSize({ sweep });
  if (size > maxMembers)
    return {
      ok: false,
      issues: [{ field: 'sweep', message: `${size} members; a group holds at most ${maxMembers}` }],
    };
  const issues = checkSweep(spec, sweep);
  if (issues.length) return { ok: false, issues };
  const points = sweep.mode === 'grid' ? grid(sweep.parameters) : random(spec.family, sweep);
  const members: GroupMember[] = [];
  for (const point of points) {
    // Each value passed alone; a combination can still break a rule across fields.
    const r = validateSpec({ ...spec, hyperparameters: { ...spec.hyperparameters, ...point } });
    if (!r.ok) {
      const which = Object.entries(point)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      return {
        ok: false,
        issues: r.issues.map((i) => ({ field: 'sweep', message: `${which}: ${i.field}: ${i.message}` })),
      };
    }
    members.push({ spec: r.spec, varies: point });
  }
  return { ok: true, kind: 'sweep', spec, sweep, members };
}

export const GroupStatusSchema = z.object({
  status: z
    .enum(RUN_STATUSES)
    .describe(
      "Derived from the members': QUEUED until one moves, RUNNING while any has not ended, then SUCCEEDED if all did, CANCELLED if all were, else FAILED.",
    ),
  counts: z.partialRecord(z.enum(RUN_STATUSES), z.int()).describe('Members per status.'),
});
export type GroupStatus = z.output<typeof GroupStatusSchema>;

/**
 * A group's status from its members': QUEUED until one moves; RUNNING while any is on its way; once all
 * have ended, SUCCEEDED if all did, CANCELLED if all were, else FAILED (the counts say how many of each).
 */
export function groupStatus(members: readonly RunStatus[]): GroupStatus {
  const counts: Partial<Record<RunStatus, number>> = {};
  for (const s of members) counts[s] = (counts[s] ?? 0) + 1;
  const n = members.length;
  const all = (s: RunStatus) => counts[s] === n;
  const ended = (counts.SUCCEEDED ?? 0) + (counts.FAILED ?? 0) + (counts.CANCELLED ?? 0);
  let status: RunStatus;
  if (n === 0 || all('QUEUED')) status = 'QUEUED';
  else if (ended < n) status = 'RUNNING';
  else if (all('SUCCEEDED')) status = 'SUCCEEDED';
  else if (all('CANCELLED')) status = 'CANCELLED';
  else status = 'FAILED';
  return { status, counts };
}

export const SummarySchema = z.object({
  n: z.int().describe('Members with the value.'),
  mean: z.number(),
  sd: z.number().describe('Sample standard deviation (n - 1); 0 for a single value.'),
  min: z.number(),
  max: z.number(),
});
export type Summary = z.output<typeof SummarySchema>;

export { formatSummary, summarize } from './group-stats.ts';

/** One finished member, as a group's evaluation sees it. */
export interface MemberResult {
  runId: string;
  varies: Record<string, string | number | boolean>;
  metrics: Record<string, MetricValue>;
}

const SweptValueSchema = z.union([z.string(), z.number(), z.boolean()]);

export const GroupEvaluationSchema = z.object({
  members: z.int().describe('Members whose evaluation was joined.'),
  metrics: z
    .record(z.string(), SummarySchema.extend({ better: z.enum(['lower', 'higher']) }))
    .describe('Each metric over every member that has it: mean ± sd (min, max), and which way is better.'),
  bySweptValue: z
    .record(
      z.string(),
      z.array(z.object({ value: SweptValueSchema, metrics: z.record(z.string(), SummarySchema) })),
    )
    .describe(
      'Sweeps: each metric at each value of each swept hyperparameter, values in the order first seen.',
    ),
  best: z
    .object({ runId: z.string(), metric: z.string(), value: z.number() })
    .optional()
    .describe('The member best on the first metric all members share.'),
  median: z
    .object({ runId: z.string(), metric: z.string(), value: z.number() })
    .optional()
    .describe(
      'The member at the median of that metric (of an even count, the better of the middle two): a typical run to show or keep, where the best is the luckiest.',
    ),
});
export type GroupEvaluation = z.output<typeof GroupEvaluationSchema>;

/** Members' evaluations joined: mean ± sd (min, max) per metric, per swept value, and the best member. */
export function groupEvaluation(
  members: readonly MemberResult[],
  swept: readonly string[] = [],
): GroupEvaluation {
  const names = [...new Set(members.flatMap((m) => Object.keys(m.metrics)))];
  const metrics: GroupEvaluation['metrics'] = {};
  for (const name of names) {
    const have = members.filter((m) => m.metrics[name]);
    const s = summarize(have.map((m) => m.metrics[name]!.value));
    if (s) metrics[name] = { ...s, better: have[0]!.metrics[name]!.better };
  }
  const bySweptValue: GroupEvaluation['bySweptValue'] = {};
  for (const param of swept) {
    const values = [...new Set(members.map((m) => m.varies[param]).filter((v) => v !== undefined))];
    bySweptValue[param] = values.map((value) => {
      const at = members.filter((m) => m.varies[param] === value);
      const byMetric: Record<string, Summary> = {};
      for (const name of names) {
        const s = summarize(at.flatMap((m) => (m.metrics[name] ? [m.metrics[name].value] : [])));
        if (s) byMetric[name] = s;
      }
      return { value: value!, metrics: byMetric };
    });
  }
  const shared = names.find((n) => members.length > 0 && members.every((m) => m.metrics[n]));
  if (!shared) return { members: members.length, metrics, bySweptValue };
  const sign = members[0]!.metrics[shared]!.better === 'lower' ? 1 : -1;
  const ranked = [...members].sort((a, b) => sign * (a.metrics[shared]!.value - b.metrics[shared]!.value));
  const pick = (m: MemberResult) => ({ runId: m.runId, metric: shared, value: m.metrics[shared]!.value });
  return {
    members: members.length,
    metrics,
    bySweptValue,
    best: pick(ranked[0]!),
    median: pick(ranked[Math.floor((ranked.length - 1) / 2)]!),
  };
}
