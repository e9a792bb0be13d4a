/**
 * npm run eval -- DIR [--samples N] [--seed S] [--backend NAME]
 * npm run eval -- --real-floor [--samples N] [--seed S]   (cFID of real train vs test images)
 *
 * Exit codes: 0 done, 2 bad input (named on stderr), 1 anything else.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runFiles } from '../../shared/keys.ts';
import { initBackend } from '../backend/index.ts';
import { RunSpecError, readRunSpec } from '../run-spec.ts';
import { CLASSIFIED_DATASETS, type ClassifiedDataset } from './classifier.ts';
import { EvalInputError, evaluateRun, realFloorCfid, runFolder, summarize } from './evaluate.ts';

const USAGE =
  'usage: npm run eval -- DIR [--samples N] [--seed S] [--backend NAME] | --real-floor [--dataset mnist|fashion-mnist] [--samples N]';

function intOption(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < min) {
    throw new EvalInputError(`--${name} must be an integer >= ${min}, got '${raw}'`);
  }
  return v;
}

/** Runs the command and returns its exit code (never calls process.exit, so tests can call it). */
export async function main(argv: string[], out = console.log, err = console.error): Promise<number> {
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(argv);
    } catch (e) {
      throw new EvalInputError((e as Error).message);
    }
    const { values, positionals } = parsed;
    const samples = intOption('samples', values.samples, 1);
    const seed = intOption('seed', values.seed, 0);
    if (values['real-floor']) {
      const backend = await initBackend(values.backend);
      const dataset = (values.dataset ?? 'mnist') as ClassifiedDataset;
      if (!CLASSIFIED_DATASETS.includes(dataset))
        throw new EvalInputError(
          `--dataset must be one of ${CLASSIFIED_DATASETS.join(', ')}, got '${dataset}'`,
        );
      const r = await realFloorCfid({ samples, seed, dataset });
      out(
        `cFID real ${dataset} train (${r.generatedSamples}) vs test (${r.realSamples}): ${r.value.toFixed(3)} [${backend.name}]`,
      );
      return 0;
    }
    if (positionals.length !== 1) {
      throw new EvalInputError(
        positionals.length === 0 ? `no run folder given\n${USAGE}` : `one run folder expected\n${USAGE}`,
      );
    }
    const dir = positionals[0]!;
    // Input checks before the backend starts, so a typo fails fast.
    const spec = await readRunSpec(runFolder(dir));
    const backend = await initBackend(values.backend);
    const result = await evaluateRun(dir, { spec, samples, seed, backend });
    out(summarize(result));
    out(`wrote ${join(dir, runFiles.eval)}`);
    return 0;
  } catch (e) {
    if (e instanceof EvalInputError || e instanceof RunSpecError) {
      err(`eval: ${e.message}`);
      return 2;
    }
    err(`eval failed: ${(e as Error).stack ?? e}`);
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      samples: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      dataset: { type: 'string' },
      'real-floor': { type: 'boolean', default: false },
    },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
