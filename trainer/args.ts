/**
 * The trainer's command line -> a validated experiment spec and where to write it. Flags map one-to-one onto
 * spec fields; `--hp name=value` sets a family hyperparameter; `--spec file.json` starts from a spec file.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { FAMILY_IDS } from '../shared/catalog.ts';
import { DATASET_IDS } from '../shared/datasets.ts';
import { type ExperimentSpec, parseSpec, SpecError } from '../shared/spec.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: npm run train -- --family ID --dataset ID --out DIR [options]

  --family ID            GAN family (${FAMILY_IDS.join(', ')})
  --dataset ID           dataset (${DATASET_IDS.join(', ')})
  --out DIR              run folder (artifacts: spec.json, metrics.jsonl, samples/, checkpoints/, generator/)
  --steps N              training steps (default 2000)
  --batch N              batch size (default 64)
  --seed N               random seed (default 1)
  --sample-every N       sample grid cadence (default 200)
  --metrics-every N      metrics line cadence (default 10)
  --checkpoint-every N   checkpoint cadence (default 500)
  --no-eval              do not score the generator when training ends (eval.json)
  --hp NAME=VALUE        a family hyperparameter, repeatable (e.g. --hp learningRate=0.0002)
  --spec FILE            start from a spec JSON file; flags override its fields
  --run-id ID            run id for status records (default: the --out folder's name)
  --backend NAME         auto | node-gpu | node | wasm | cpu (default: $GANZOO_BACKEND or auto)
  --quiet                no progress output

Running again with the same --out resumes from the latest checkpoint.`;

const FLAG_TO_FIELD: Record<string, keyof ExperimentSpec> = {
  steps: 'steps',
  batch: 'batchSize',
  seed: 'seed',
  'sample-every': 'sampleEvery',
  'metrics-every': 'metricsEvery',
  'checkpoint-every': 'checkpointEvery',
};

export interface TrainArgs {
  spec: ExperimentSpec;
  out?: string;
  runId: string;
  backend?: string;
  quiet: boolean;
}

function parseNumber(flag: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${flag} expects a number, got '${raw}'`);
  return n;
}

function parseHpValue(raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
}

export function parseTrainArgs(argv: string[]): TrainArgs {
  let parsed: ReturnType<typeof parseArgs>;
  const options = {
    family: { type: 'string' },
    dataset: { type: 'string' },
    out: { type: 'string' },
    spec: { type: 'string' },
    hp: { type: 'string', multiple: true },
    'run-id': { type: 'string' },
    backend: { type: 'string' },
    quiet: { type: 'boolean' },
    'no-eval': { type: 'boolean' },
    help: { type: 'boolean' },
    ...Object.fromEntries(Object.keys(FLAG_TO_FIELD).map((f) => [f, { type: 'string' }])),
  } as const;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: false, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify.*$/s, ''));
  }
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (v.help) throw new UsageError(USAGE);

  let input: Record<string, unknown> = {};
  if (typeof v.spec === 'string') {
    try {
      input = JSON.parse(readFileSync(v.spec, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`--spec ${v.spec}: ${(err as Error).message}`);
    }
  }
  if (typeof v.family === 'string') input.family = v.family;
  if (typeof v.dataset === 'string') input.dataset = v.dataset;
  for (const [flag, field] of Object.entries(FLAG_TO_FIELD)) {
    const raw = v[flag];
    if (typeof raw === 'string') input[field] = parseNumber(flag, raw);
  }
  const hp: Record<string, unknown> = { ...((input.hyperparameters as Record<string, unknown>) ?? {}) };
  for (const pair of (v.hp as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--hp expects NAME=VALUE, got '${pair}'`);
    hp[pair.slice(0, eq)] = parseHpValue(pair.slice(eq + 1));
  }
  if (Object.keys(hp).length) input.hyperparameters = hp;
  if (v['no-eval'] === true) input.evaluate = false;
  if (input.family === undefined) throw new UsageError(`missing --family (one of ${FAMILY_IDS.join(', ')})`);
  if (input.dataset === undefined)
    throw new UsageError(`missing --dataset (one of ${DATASET_IDS.join(', ')})`);

  let spec: ExperimentSpec;
  try {
    spec = parseSpec(input);
  } catch (err) {
    if (err instanceof SpecError) {
      const toFlag = Object.fromEntries(Object.entries(FLAG_TO_FIELD).map(([f, k]) => [k, `--${f}`]));
      throw new UsageError(
        err.issues
          .map((i) => {
            const head = i.field.split('.')[0] ?? '';
            const name =
              toFlag[head] ??
              (i.field.startsWith('hyperparameters') ? `--hp ${i.field.slice(16)}` : `--${i.field}`);
            return `${name || 'spec'}: ${i.message}`;
          })
          .join('\n'),
      );
    }
    throw err;
  }
  const out = typeof v.out === 'string' ? v.out : undefined;
  const runId =
    typeof v['run-id'] === 'string'
      ? v['run-id']
      : out
        ? basename(out)
            .replace(/[^A-Za-z0-9_-]/g, '-')
            .replace(/^[-_]+/, '') || 'run'
        : `${spec.family}-${spec.dataset}-${Date.now()}`;
  return {
    spec,
    runId,
    quiet: v.quiet === true,
    ...(out ? { out } : {}),
    ...(typeof v.backend === 'string' ? { backend: v.backend } : {}),
  };
}
