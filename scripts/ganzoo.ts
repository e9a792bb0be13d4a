/**
 * `npx ganzoo`: submit, list, watch, cancel, resume and download runs through the HTTP API, from a terminal.
 * The API's address and token come from --api/--token or GANZOO_API_URL/GANZOO_TOKEN.
 * Exit codes: 0 done, 1 the API refused or failed (or a watched run did not succeed), 2 bad arguments.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type ApiClient, ApiError, createApiClient } from '../shared/api/client.ts';
import type { Group, GroupEvaluationResult, GroupSummary } from '../shared/api/schemas.ts';
import type { FamilyId } from '../shared/catalog.ts';
import type { RunCost } from '../shared/cost.ts';
import { costLabel } from '../shared/cost-label.ts';
import { inputSummary } from '../shared/generator-summary.ts';
import { formatSummary, type Sweep } from '../shared/group.ts';
import { runFiles } from '../shared/keys.ts';
import type { Labels } from '../shared/labels.ts';
import { isTerminal, type RunRecord, type RunStatus } from '../shared/run.ts';
import {
  hyperparameterFlags,
  hyperparameterValue,
  numberFlag,
  SPEC_FLAG_OPTIONS,
  specFlagFields,
  UsageError,
} from '../shared/spec-flags.ts';
import { describeProgress } from '../trainer/progress.ts';
import { type UploadOptions, uploadDataset } from './dataset-upload.ts';

export const USAGE = `usage: ganzoo <command> [options]

commands:
  submit SPEC.json [flags]         submit the spec in a file (flags override its fields)
  submit --family ID --dataset ID [flags]
      --steps N  --batch N  --seed N  --sample-every N  --metrics-every N  --checkpoint-every N
      --hp NAME=VALUE (repeatable)  --gpu TYPE  --on-demand  --timeout MINUTES  --retries N
      --name TEXT  --tag TAG (repeatable)  --note TEXT
      --seeds 1,2,3                a group: one run per seed
      --watch                      watch the run (or each member of the group) after submitting it
  sweep [SPEC.json] [submit's flags] --hp NAME=V1,V2,... (repeatable)
                                   a group over every combination of the listed values (a grid)
      --random N                   N random draws instead: NAME=V1,V2 chooses among values,
                                   NAME=MIN..MAX draws in a range (NAME=MIN..MAX:log in log space)
      --sweep-seed N               seeds the random draws (default 1)
  group ID [--watch]               a group's members and status, and its evaluation: mean ± sd per metric
  list [--status S] [--family ID] [--tag TAG] [--q TEXT] [--limit N] [--cursor C] [--all]
  watch ID [--interval SECONDS]    follow a run until it ends, then show where its samples are
  cancel ID
  resume ID [--watch]              continue a FAILED or CANCELLED run from its latest checkpoint, as a new attempt
  pull ID [--out DIR]              download the sample grids, the generator and the evaluation (default DIR: ./ID)
  dataset upload DIR --name NAME --kind images|labelled|paired|unpaired|single --size N [--channels 1|3] [--no-resize]
                                   upload a folder of PNG/JPEG files (or one .zip) as a dataset, or its next version
  dataset list                     the built-in datasets and your uploads
  dataset show ID                  one upload with its versions

options for every command:
  --api URL      the API (default: $GANZOO_API_URL)
  --token TOKEN  bearer token (default: $GANZOO_TOKEN)
  --json         print the API's JSON instead of text
  --help`;

export { UsageError };

const COMMANDS = [
  'submit',
  'sweep',
  'group',
  'list',
  'watch',
  'cancel',
  'resume',
  'pull',
  'dataset',
] as const;
type CommandName = (typeof COMMANDS)[number];

const OPTIONS = {
  api: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  family: { type: 'string' },
  dataset: { type: 'string' },
  hp: { type: 'string', multiple: true },
  gpu: { type: 'string' },
  'on-demand': { type: 'boolean' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  watch: { type: 'boolean' },
  'idempotency-key': { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
  interval: { type: 'string' },
  out: { type: 'string' },
  name: { type: 'string' },
  tag: { type: 'string', multiple: true },
  note: { type: 'string' },
  q: { type: 'string' },
  seeds: { type: 'string' },
  random: { type: 'string' },
  'sweep-seed': { type: 'string' },
  kind: { type: 'string' },
  size: { type: 'string' },
  channels: { type: 'string' },
  'no-resize': { type: 'boolean' },
  ...SPEC_FLAG_OPTIONS,
} as const;

const GLOBAL = ['api', 'token', 'json', 'help'];
/** The flags that make a spec, its labels and its submission: both submit's and sweep's. */
const SUBMIT_FLAGS = [
  'family',
  'dataset',
  'hp',
  'gpu',
  'on-demand',
  'timeout',
  'retries',
  'watch',
  'interval',
  'idempotency-key',
  'name',
  'tag',
  'note',
  ...Object.keys(SPEC_FLAG_OPTIONS),
];
const ALLOWED: Record<CommandName, string[]> = {
  submit: [...SUBMIT_FLAGS, 'seeds'],
  sweep: [...SUBMIT_FLAGS, 'random', 'sweep-seed'],
  group: ['watch', 'interval'],
  list: ['status', 'family', 'tag', 'q', 'limit', 'cursor', 'all'],
  watch: ['interval'],
  cancel: [],
  resume: ['watch', 'interval'],
  pull: ['out'],
  dataset: ['name', 'kind', 'size', 'channels', 'no-resize'],
};

export type Command =
  | { name: 'help' }
  | (Connection & { json: boolean } & (
        | {
            name: 'submit' | 'sweep';
            specFile?: string;
            overrides: SpecOverrides;
            /** A group: one member per seed, or the sweep. */
            seeds?: number[];
            sweep?: Sweep;
            watch: boolean;
            intervalMs: number;
            idempotencyKey: string;
          }
        | { name: 'group'; id: string; watch: boolean; intervalMs: number }
        | {
            name: 'list';
            status?: string;
            family?: string;
            tag?: string;
            q?: string;
            limit?: number;
            cursor?: string;
            all: boolean;
          }
        | { name: 'watch'; id: string; intervalMs: number }
        | { name: 'cancel'; id: string }
        | { name: 'resume'; id: string; watch: boolean; intervalMs: number }
        | { name: 'pull'; id: string; out: string }
        | { name: 'dataset'; action: 'list' }
        | { name: 'dataset'; action: 'show'; id: string }
        | { name: 'dataset'; action: 'upload'; dir: string; upload: UploadOptions }
      ));

/** A submit or sweep, as parsed. */
export type SubmitCommand = Extract<Command, { name: 'submit' | 'sweep' }>;

export interface Connection {
  api: string;
  token?: string;
}

/** Spec fields from flags, applied over the spec file (if any). */
export interface SpecOverrides {
  fields: Record<string, unknown>;
  hyperparameters: Record<string, unknown>;
  resources: Record<string, unknown>;
  labels: Record<string, unknown>;
}

/** `--seeds 1,2,3` */
export function seedsFlag(raw: string): number[] {
  const seeds = raw.split(',').map((x) => x.trim());
  if (seeds.some((x) => !/^\d+$/.test(x)))
    throw new UsageError(`--seeds expects whole numbers separated by commas, e.g. 1,2,3; got '${raw}'`);
  return seeds.map(Number);
}

/**
 * A sweep's `--hp` flags: NAME=V1,V2 lists values (one value fixes the hyperparameter in the base spec);
 * with `random`, NAME=MIN..MAX (or MIN..MAX:log) is a range to draw from.
 */
export function sweepFlags(
  pairs: readonly string[],
  random: number | undefined,
  seed: number | undefined,
): { fixed: Record<string, unknown>; sweep: Sweep } {
  const fixed: Record<string, unknown> = {};
  const parameters: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--hp expects NAME=VALUES, got '${pair}'`);
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const range = /^([^,]+)\.\.([^,:]+)(:log)?$/.exec(raw);
    if (range) {
      if (random === undefined) throw new UsageError(`--hp ${name}=${raw}: a range needs --random N`);
      const [min, max] = [numberFlag(`hp ${name}`, range[1]!), numberFlag(`hp ${name}`, range[2]!)];
      parameters[name] = { min, max, scale: range[3] ? 'log' : 'linear' };
      continue;
    }
    const values = raw.split(',').map(hyperparameterValue);
    if (values.length === 1 && random === undefined) fixed[name] = values[0];
    else parameters[name] = values;
  }
  if (Object.keys(parameters).length === 0)
    throw new UsageError('sweep needs at least one --hp NAME=V1,V2 (or a range with --random N)');
  const sweep =
    random === undefined
      ? { mode: 'grid', parameters }
      : { mode: 'random', samples: random, parameters, ...(seed !== undefined ? { seed } : {}) };
  return { fixed, sweep: sweep as Sweep };
}

function count(flag: string, raw: string | undefined, min = 0): number | undefined {
  return raw === undefined ? undefined : numberFlag(flag, raw, min);
}

/** Reads the command line; `env` supplies GANZOO_API_URL and GANZOO_TOKEN. Throws UsageError. */
export function parseCommand(argv: string[], env: Record<string, string | undefined> = {}): Command {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const [name, ...rest] = parsed.positionals;
  if (v.help || name === undefined || name === 'help') return { name: 'help' };
  if (!(COMMANDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown command '${name}' (one of ${COMMANDS.join(', ')})`);
  }
  const command = name as CommandName;
  for (const key of Object.keys(v)) {
    if (!GLOBAL.includes(key) && !ALLOWED[command].includes(key)) {
      throw new UsageError(`--${key} is not an option of '${command}'`);
    }
  }
  // Called last, so a mistake in the command's own arguments is reported first.
  const connection = () => {
    const api = (v.api as string | undefined) ?? env.GANZOO_API_URL;
    if (!api) throw new UsageError('no API address: pass --api URL or set GANZOO_API_URL');
    if (!/^https?:\/\//.test(api)) throw new UsageError(`--api expects an http(s) URL, got '${api}'`);
    const token = (v.token as string | undefined) ?? env.GANZOO_TOKEN;
    return { api: api.replace(/\/+$/, ''), ...(token ? { token } : {}), json: v.json === true };
  };

  const str = (k: string) => v[k] as string | undefined;
  const onlyId = (): string => {
    if (rest.length !== 1) throw new UsageError(`'${command}' takes one run id, e.g. ganzoo ${command} ID`);
    return rest[0]!;
  };
  const intervalMs = (count('interval', str('interval')) ?? 2) * 1000;

  switch (command) {
    case 'submit':
    case 'sweep': {
      if (rest.length > 1) throw new UsageError(`'${command}' takes at most one spec file`);
      const fields: Record<string, unknown> = {};
      for (const key of ['family', 'dataset'] as const) if (str(key) !== undefined) fields[key] = str(key);
      Object.assign(fields, specFlagFields(v, 0));
      if (!rest[0] && (fields.family === undefined || fields.dataset === undefined)) {
        throw new UsageError('submit needs a spec file, or --family and --dataset');
      }
      let hyperparameters: Record<string, unknown>;
      let sweep: Sweep | undefined;
      if (command === 'sweep') {
        const random = count('random', str('random'), 1);
        const swept = sweepFlags(
          (v.hp as string[] | undefined) ?? [],
          random,
          count('sweep-seed', str('sweep-seed')),
        );
        hyperparameters = swept.fixed;
        sweep = swept.sweep;
      } else {
        hyperparameters = hyperparameterFlags(v.hp as string[] | undefined);
      }
      const seeds = str('seeds') !== undefined ? seedsFlag(str('seeds')!) : undefined;
      const labels: Record<string, unknown> = {};
      if (str('name') !== undefined) labels.name = str('name');
      if (v.tag) labels.tags = v.tag;
      if (str('note') !== undefined) labels.note = str('note');
      const resources: Record<string, unknown> = {};
      if (str('gpu') !== undefined) resources.gpu = str('gpu');
      if (v['on-demand']) resources.spot = false;
      const timeout = count('timeout', str('timeout'));
      if (timeout !== undefined) resources.timeoutMinutes = timeout;
      const retries = count('retries', str('retries'));
      if (retries !== undefined) resources.retries = retries;
      return {
        ...connection(),
        name: command,
        ...(rest[0] ? { specFile: rest[0] } : {}),
        overrides: { fields, hyperparameters, resources, labels },
        ...(seeds ? { seeds } : {}),
        ...(sweep ? { sweep } : {}),
        watch: v.watch === true,
        intervalMs,
        // One key per invocation: a retried request cannot start the run twice.
        idempotencyKey: str('idempotency-key') ?? randomUUID(),
      };
    }
    case 'list': {
      if (rest.length > 0) throw new UsageError(`'list' takes no arguments, got '${rest[0]}'`);
      const limit = count('limit', str('limit'), 1);
      return {
        ...connection(),
        name: 'list',
        ...(str('status') !== undefined ? { status: str('status')!.toUpperCase() } : {}),
        ...(str('family') !== undefined ? { family: str('family') } : {}),
        ...(v.tag ? { tag: (v.tag as string[])[0] } : {}),
        ...(str('q') !== undefined ? { q: str('q') } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(str('cursor') !== undefined ? { cursor: str('cursor') } : {}),
        all: v.all === true,
      };
    }
    case 'watch':
      return { name: 'watch', id: onlyId(), intervalMs, ...connection() };
    case 'group':
      return { name: 'group', id: onlyId(), watch: v.watch === true, intervalMs, ...connection() };
    case 'cancel':
      return { name: 'cancel', id: onlyId(), ...connection() };
    case 'resume':
      return { name: 'resume', id: onlyId(), watch: v.watch === true, intervalMs, ...connection() };
    case 'pull': {
      const id = onlyId();
      return { name: 'pull', id, out: str('out') ?? id, ...connection() };
    }
    case 'dataset': {
      const [action, arg] = rest;
      if (action === 'list') return { name: 'dataset', action, ...connection() };
      if (action === 'show') {
        if (!arg) throw new UsageError("'dataset show' takes a dataset id");
        return { name: 'dataset', action, id: arg, ...connection() };
      }
      if (action !== 'upload') throw new UsageError("'dataset' takes upload, list or show");
      if (!arg) throw new UsageError("'dataset upload' takes a folder (or a .zip)");
      const name = str('name');
      const kind = str('kind');
      const size = count('size', str('size'), 1);
      if (!name || !kind || size === undefined)
        throw new UsageError("'dataset upload' needs --name, --kind and --size");
      const channels = count('channels', str('channels'), 1) ?? 3;
      return {
        name: 'dataset',
        action,
        dir: arg,
        upload: { name, kind, size, channels, resize: v['no-resize'] !== true },
        ...connection(),
      };
    }
  }
}

/** The spec to send: the file's JSON (if any) with the flags' fields over it. */
export async function buildSpec(
  specFile: string | undefined,
  o: SpecOverrides,
): Promise<Record<string, unknown>> {
  let spec: Record<string, unknown> = {};
  if (specFile !== undefined) {
    let text: string;
    try {
      text = await readFile(specFile, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${specFile}: ${(err as Error).message}`);
    }
    try {
      spec = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`${specFile} is not JSON: ${(err as Error).message}`);
    }
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      throw new UsageError(`${specFile} must hold a JSON object (an experiment spec)`);
    }
  }
  const merged: Record<string, unknown> = { ...spec, ...o.fields };
  for (const key of ['hyperparameters', 'resources', 'labels'] as const) {
    if (Object.keys(o[key]).length > 0) {
      merged[key] = { ...((spec[key] as Record<string, unknown> | undefined) ?? {}), ...o[key] };
    }
  }
  return merged;
}

/** The lines to print for a failed request. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const { problem, status } = err;
    const lines = [`error: ${err.request ? `${err.request}: ${status} ` : ''}${err.message}`];
    for (const issue of problem.errors ?? []) lines.push(`  ${issue.field || '(spec)'}: ${issue.message}`);
    if (status === 401) lines.push('  (pass --token TOKEN or set GANZOO_TOKEN)');
    return lines.join('\n');
  }
  return `error: ${(err as Error).message}`;
}

export interface Io {
  fetch: typeof fetch;
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** A terminal: progress redraws one line. */
  isTTY: boolean;
  sleep: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The one API client (shared/api/client.ts) with the CLI's token, and a network failure retried (twice)
 * when repeating the request is harmless: reads, and writes that carry an idempotency key.
 */
export function cliClient(connection: Connection, io: Pick<Io, 'fetch' | 'sleep'>): ApiClient {
  return createApiClient({
    baseUrl: connection.api,
    async fetch(url, init) {
      const headers = {
        ...(init.headers as Record<string, string>),
        ...(connection.token ? { authorization: `Bearer ${connection.token}` } : {}),
      };
      const repeatable = init.method === 'GET' || 'idempotency-key' in headers;
      for (let attempt = 1; ; attempt++) {
        try {
          return await io.fetch(url, { ...init, headers });
        } catch (err) {
          if (!repeatable || attempt >= 3) {
            const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
            throw new Error(`cannot reach the API at ${connection.api}: ${cause}`);
          }
          await io.sleep(500 * attempt);
        }
      }
    },
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The cost column: "~$0.12" for an estimate, "local: no charge", or "-" before any. */
function shortCost(cost: RunCost | undefined): string {
  if (!cost) return '-';
  return costLabel(cost).startsWith('local') ? 'local: no charge' : `~$${cost.usd.toFixed(2)}`;
}

/** A run's or group's labels in a column: its name, then its tags as #tag. */
function labelCell(labels: Labels | undefined): string {
  const parts = [labels?.name ? labels.name : '', ...(labels?.tags ?? []).map((t) => `#${t}`)].filter(
    Boolean,
  );
  return parts.join(' ') || '-';
}

export function formatRuns(runs: RunRecord[]): string {
  const rows = [['ID', 'NAME', 'STATUS', 'FAMILY', 'DATASET', 'STEP', 'CREATED', 'COST']];
  for (const r of runs) {
    const step = r.progress ? `${r.progress.step}/${r.progress.totalSteps}` : `0/${r.spec.steps}`;
    rows.push([
      r.id,
      labelCell(r.labels),
      r.status,
      r.spec.family,
      r.spec.dataset,
      step,
      r.createdAt.slice(0, 16).replace('T', ' '),
      shortCost(r.cost),
    ]);
  }
  return table(rows);
}

/** One line about a run: its status and, once it trains, the progress bar of the trainer's own output. */
export function statusLine(run: RunRecord, barWidth = 0): string {
  const attempt = run.attempt > 1 ? ` (attempt ${run.attempt})` : '';
  if (!run.progress) return `${run.status}${attempt}`;
  return `${run.status}${attempt} ${describeProgress({ ...run.progress, kind: 'step' }, barWidth)}`;
}

/** One line a member: its place, what sets it apart, and its status line. */
export function memberLines(group: Group, barWidth = 0): string[] {
  return group.members.map((m) => {
    const varies = Object.entries(m.varies)
      .map(([k, x]) => `${k}=${typeof x === 'number' ? Number(x.toPrecision(4)) : x}`)
      .join(' ');
    const run = { status: m.status, attempt: m.attempt, ...(m.progress ? { progress: m.progress } : {}) };
    return `#${m.index} ${varies}  ${statusLine(run as RunRecord, barWidth)}${m.reason && isTerminal(m.status) ? `: ${m.reason}` : ''}`;
  });
}

function groupHeading(g: GroupSummary): string {
  const counts = Object.entries(g.counts)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const name = g.labels?.name ? ` "${g.labels.name}"` : '';
  return `group ${g.id}${name}: ${g.kind}, ${g.spec.family} on ${g.spec.dataset}, ${g.size} members, ${g.status} (${counts})`;
}

/** The evaluation as a table: each metric's mean ± sd (min-max, n), then each swept value's, then the best. */
export function formatGroupEvaluation(ev: GroupEvaluationResult): string {
  if (ev.members === 0) return 'no member has an evaluation yet';
  const rows = [['METRIC', 'MEAN ± SD (MIN-MAX, N)', 'BETTER']];
  for (const [name, s] of Object.entries(ev.metrics)) rows.push([name, formatSummary(s, 2), s.better]);
  const lines = [table(rows)];
  for (const [param, values] of Object.entries(ev.bySweptValue)) {
    const names = Object.keys(ev.metrics);
    const byValue = [[param, ...names]];
    for (const v of values)
      byValue.push([
        String(v.value),
        ...names.map((n) => (v.metrics[n] ? formatSummary(v.metrics[n], 2) : '-')),
      ]);
    lines.push('', table(byValue));
  }
  if (ev.best) lines.push('', `best: run ${ev.best.runId} (${ev.best.metric} ${ev.best.value})`);
  if (ev.pending.length) lines.push(`${ev.pending.length} member(s) without an evaluation yet`);
  return lines.join('\n');
}

/** Follows a group until every member has ended: one line per member, redrawn in a terminal. */
async function watchGroup(
  api: ApiClient,
  io: Io,
  id: string,
  intervalMs: number,
  json: boolean,
): Promise<number> {
  let shown = 0;
  let printed = '';
  let group: Group;
  for (;;) {
    group = await api.group(id);
    const done = isTerminal(group.status);
    if (!json) {
      const lines = [groupHeading(group), ...memberLines(group, io.isTTY ? 20 : 0)];
      const text = lines.join('\n');
      if (io.isTTY) {
        io.out(`${shown ? `\x1b[${shown}F` : ''}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
        shown = lines.length;
      } else if (text !== printed) {
        io.out(`${text}\n`);
      }
      printed = text;
    }
    if (done) break;
    await io.sleep(intervalMs);
  }
  const evaluation = await api.groupEvaluation(id);
  if (json) io.out(`${JSON.stringify({ group, evaluation }, null, 2)}\n`);
  else io.out(`${formatGroupEvaluation(evaluation)}\n`);
  return group.status === 'SUCCEEDED' ? 0 : 1;
}

async function watch(api: ApiClient, io: Io, id: string, intervalMs: number, json: boolean): Promise<number> {
  let printed = '';
  let printedAt = 0;
  let run: RunRecord;
  for (;;) {
    run = await api.run(id);
    const done = isTerminal(run.status);
    if (!json && io.isTTY) {
      io.out(`\r\x1b[2K${statusLine(run, 30)}${done ? '\n' : ''}`);
    } else if (!json) {
      // In a log: a line when the status changes, else one every 10 s at most.
      const line = statusLine(run);
      const statusChanged = !printed.startsWith(run.status);
      if (done || statusChanged || (line !== printed && Date.now() - printedAt >= 10_000)) {
        io.out(`${line}\n`);
        printed = line;
        printedAt = Date.now();
      }
    }
    if (done) break;
    await io.sleep(intervalMs);
  }
  if (json) {
    io.out(`${JSON.stringify(run, null, 2)}\n`);
    return run.status === 'SUCCEEDED' ? 0 : 1;
  }
  if (run.status !== 'SUCCEEDED')
    io.out(`run ${run.id} ${run.status}${run.reason ? `: ${run.reason}` : ''}\n`);
  const samples = await api.samples(id);
  const last = samples.at(-1);
  if (last) {
    io.out(
      `${samples.length} sample grid${samples.length === 1 ? '' : 's'}; the last, at step ${last.step}:\n`,
    );
    io.out(`  ${last.url}\n  (links expire; fetch again with ganzoo watch or ganzoo pull)\n`);
    io.out(
      `download them${run.status === 'SUCCEEDED' ? ' and the generator' : ''}: ganzoo pull ${id} --out ${id}\n`,
    );
  } else {
    io.out('no sample grids were written\n');
  }
  return run.status === 'SUCCEEDED' ? 0 : 1;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.size > 0,
    () => false,
  );
}

/** Downloads a presigned URL; the API's token is not sent, the URL carries its own signature. */
async function download(io: Io, url: string, dest: string, what: string): Promise<void> {
  let response: Response;
  try {
    response = await io.fetch(url);
  } catch (err) {
    throw new Error(
      `cannot download ${what}: ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}`,
    );
  }
  if (!response.ok)
    throw new Error(`cannot download ${what}: HTTP ${response.status} (the link may have expired)`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  await mkdir(dirname(dest), { recursive: true });
  // Written aside first, so an interrupted pull never leaves a truncated file that looks complete.
  await writeFile(`${dest}.part`, bytes);
  await rename(`${dest}.part`, dest);
}

async function pull(api: ApiClient, io: Io, id: string, outDir: string): Promise<number> {
  const out = resolve(outDir);
  const run = await api.run(id);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
  // With spec.json the folder is a run folder: `npm run eval -- DIR` scores it again.
  await writeFile(join(out, runFiles.spec), `${JSON.stringify(run.spec, null, 2)}\n`);
  let fetched = 0;
  let kept = 0;
  for (const sample of await api.samples(id)) {
    const dest = join(out, runFiles.sample(sample.step));
    if (await exists(dest)) {
      kept++; // samples are never rewritten, so one already here is the same grid
      continue;
    }
    await download(io, sample.url, dest, `the sample at step ${sample.step}`);
    fetched++;
  }
  io.out(
    `${fetched} sample grid${fetched === 1 ? '' : 's'} downloaded${kept ? `, ${kept} already there` : ''}\n`,
  );
  // A 404 says why the run has none yet; anything else is an error.
  const optional = async <T>(what: string, get: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await get();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      io.out(`no ${what}: ${err.problem.detail ?? 'none yet'}\n`);
      return undefined;
    }
  };
  const generator = await optional('generator', () => api.generator(id));
  if (generator) {
    const dir = join(out, runFiles.generatorDir);
    for (const [name, url] of Object.entries(generator.weightUrls)) {
      if (name.includes('/') || name.includes('\\') || name.startsWith('.')) {
        throw new Error(`the API named a weights file '${name}', which is not a plain file name`);
      }
      await download(io, url, join(dir, name), `the generator's ${name}`);
    }
    // The descriptor as the trainer wrote it, before model.json as the trainer writes it; a generator exported
    // before descriptors gets none, so the folder stays as the run left it (evaluation derives it again).
    if (generator.descriptorSource === 'file') {
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(out, runFiles.generatorDescriptor),
        `${JSON.stringify(generator.descriptor, null, 2)}\n`,
      );
    }
    // model.json last: its presence says the weights beside it are complete.
    await download(io, generator.modelUrl, join(out, runFiles.generatorModel), "the generator's model.json");
    io.out(
      `generator: ${join(out, runFiles.generatorModel)} (a tfjs layers model), takes ${generator.descriptor.inputs.map(inputSummary).join(', ')}${generator.descriptorSource === 'spec' ? " (derived from the run's spec: it was exported before generators had descriptors)" : ''}\n`,
    );
  }
  const evaluation = await optional('evaluation', () => api.evaluation(id));
  if (evaluation) {
    for (const p of evaluation.pictures) {
      if (!p.key.startsWith(runFiles.evalDir) || p.key.includes('..')) {
        throw new Error(`the API named an evaluation picture '${p.key}' outside ${runFiles.evalDir}`);
      }
      await download(io, p.url, join(out, p.key), p.title.toLowerCase());
    }
    await writeFile(join(out, runFiles.eval), `${JSON.stringify(evaluation.evaluation, null, 2)}\n`);
    io.out(`evaluation: ${join(out, runFiles.eval)}\n`);
  }
  io.out(`run ${id} (${run.status}) is in ${out}\n`);
  return 0;
}

async function execute(command: Exclude<Command, { name: 'help' }>, io: Io): Promise<number> {
  const api = cliClient(command, io);
  const print = (value: unknown) => io.out(`${JSON.stringify(value, null, 2)}\n`);
  switch (command.name) {
    case 'submit':
    case 'sweep': {
      const spec = await buildSpec(command.specFile, command.overrides);
      if (command.seeds || command.sweep) {
        const request = { spec, ...(command.seeds ? { seeds: command.seeds } : { sweep: command.sweep }) };
        const group = await api.submitGroup(request, command.idempotencyKey);
        if (command.json && !command.watch) print(group);
        else io.out(`submitted ${groupHeading(group)}\n`);
        if (command.watch) return watchGroup(api, io, group.id, command.intervalMs, command.json);
        if (!command.json) io.out(`follow it with: ganzoo group ${group.id} --watch\n`);
        return 0;
      }
      const run = await api.submit(spec, command.idempotencyKey);
      if (command.json && !command.watch) print(run);
      else {
        const s = run.spec;
        io.out(`submitted run ${run.id}: ${s.family} on ${s.dataset}, ${s.steps} steps (${run.status})\n`);
      }
      if (command.watch) return watch(api, io, run.id, command.intervalMs, command.json);
      if (!command.json) io.out(`follow it with: ganzoo watch ${run.id}\n`);
      return 0;
    }
    case 'list': {
      let cursor = command.cursor;
      const runs: RunRecord[] = [];
      do {
        const page = await api.listRuns({
          ...(command.limit !== undefined ? { limit: command.limit } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
          ...(command.status !== undefined ? { status: command.status as RunStatus } : {}),
          ...(command.family !== undefined ? { family: command.family as FamilyId } : {}),
          ...(command.tag !== undefined ? { tag: command.tag } : {}),
          ...(command.q !== undefined ? { q: command.q } : {}),
        });
        runs.push(...page.runs);
        cursor = page.nextCursor;
      } while (command.all && cursor);
      if (command.json) print({ runs, ...(cursor ? { nextCursor: cursor } : {}) });
      else {
        io.out(runs.length ? `${formatRuns(runs)}\n` : 'no runs\n');
        if (cursor) io.out(`more: ganzoo list --cursor ${cursor} (or --all)\n`);
      }
      return 0;
    }
    case 'watch':
      return watch(api, io, command.id, command.intervalMs, command.json);
    case 'group': {
      if (command.watch) return watchGroup(api, io, command.id, command.intervalMs, command.json);
      const group = await api.group(command.id);
      const evaluation = await api.groupEvaluation(command.id);
      if (command.json) print({ group, evaluation });
      else
        io.out(
          `${[groupHeading(group), ...memberLines(group), '', formatGroupEvaluation(evaluation)].join('\n')}\n`,
        );
      return 0;
    }
    case 'cancel': {
      const run = await api.cancel(command.id);
      if (command.json) print(run);
      else io.out(`run ${run.id} ${run.status}${run.reason ? `: ${run.reason}` : ''}\n`);
      return 0;
    }
    case 'resume': {
      const run = await api.resume(command.id);
      if (command.json && !command.watch) print(run);
      else
        io.out(
          `resumed run ${run.id} as attempt ${run.attempt} from step ${run.resumeFrom} (${run.status})\n`,
        );
      return command.watch ? watch(api, io, run.id, command.intervalMs, command.json) : 0;
    }
    case 'pull':
      return pull(api, io, command.id, command.out);
    case 'dataset': {
      if (command.action === 'list') {
        const { datasets, uploads } = await api.datasetCatalog();
        if (command.json) print({ datasets, uploads });
        else {
          io.out(
            `${table([['BUILT-IN', 'KIND', 'SHAPE'], ...datasets.map((d) => [d.id, d.kind, d.shape.join('x')])])}\n`,
          );
          io.out(
            uploads.length
              ? `${table([['UPLOAD', 'ID', 'VERSIONS'], ...uploads.map((u) => [u.name, u.id, u.versions.map((v) => `${v.version}:${v.status}`).join(' ')])])}\n`
              : 'no uploads\n',
          );
        }
        return 0;
      }
      const dataset =
        command.action === 'show'
          ? (await api.dataset(command.id)).dataset
          : await uploadDataset(api, io, command.dir, command.upload);
      if (command.json) print(dataset);
      else
        for (const v of dataset.versions)
          io.out(
            `${dataset.name} ${dataset.id}@${v.version} ${v.kind} ${v.status}${v.report ? `: ${v.report.count} items, ${v.report.shape.join('x')}${v.report.classNames.length ? `, classes ${v.report.classNames.join(', ')}` : ''}${v.report.notes.length ? `; ${v.report.notes.join('; ')}` : ''}; manifest sha256 ${v.manifestSha256}` : ''}${v.reason ? `: ${v.reason}` : ''}\n`,
          );
      const last = dataset.versions.at(-1);
      if (command.action === 'upload' && last?.status === 'READY')
        io.out(
          `train on it with: ganzoo submit --family dcgan --dataset upload:${dataset.id}@${last.version}\n`,
        );
      return command.action === 'upload' && last?.status !== 'READY' ? 1 : 0;
    }
  }
}

export function defaultIo(): Io {
  return {
    fetch: globalThis.fetch,
    env: process.env,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: process.stdout.isTTY === true,
    sleep,
  };
}

/** Runs one command line; returns the exit code. */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv, io.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`error: ${err.message}\n(see ganzoo --help)\n`);
    return 2;
  }
  if (command.name === 'help') {
    io.out(`${USAGE}\n`);
    return 0;
  }
  try {
    return await execute(command, io);
  } catch (err) {
    io.err(`${describeError(err)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

// Run directly (`tsx scripts/ganzoo.ts ...`); bin/ganzoo imports main instead.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
