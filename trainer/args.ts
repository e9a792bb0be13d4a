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
import {
  flagOfField,
  hyperparameterFlags,
  SPEC_FLAG_OPTIONS,
  specFlagFields,
  UsageError,
} from '../shared/spec-flags.ts';

export { UsageError };

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

export interface TrainArgs {
  spec: ExperimentSpec;
  out?: string;
  runId: string;
  backend?: string;
  quiet: boolean;
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
    ...SPEC_FLAG_OPTIONS,
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
  Object.assign(input, specFlagFields(v));
  const hp: Record<string, unknown> = {
    ...((input.hyperparameters as Record<string, unknown>) ?? {}),
    ...hyperparameterFlags(v.hp as string[] | undefined),
  };
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
      throw new UsageError(
        err.issues.map((i) => `${i.field ? flagOfField(i.field) : 'spec'}: ${i.message}`).join('\n'),
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
