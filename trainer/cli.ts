/**
 * `npm run train -- --family dcgan --dataset mnist --steps 2000 --out DIR`: one run, resumable.
 * Exit codes as in run.ts, and 2 for bad arguments.
 */
import { parseTrainArgs, USAGE, UsageError } from './args.ts';
import { exitWith, runTrainerProcess } from './run.ts';
import { openSinks } from './sinks/open.ts';

exitWith(async () => {
  let args: ReturnType<typeof parseTrainArgs>;
  try {
    args = parseTrainArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const isHelp = err.message === USAGE;
    process.stderr.write(isHelp ? `${USAGE}\n` : `error: ${err.message}\n\n(see --help)\n`);
    return isHelp ? 0 : 2;
  }
  if (!args.out && !process.env.GANZOO_BUCKET) {
    process.stderr.write('error: missing --out DIR (or set GANZOO_BUCKET to write to S3)\n');
    return 2;
  }
  const sinks = openSinks({
    runId: args.runId,
    ...(args.out ? { out: args.out } : {}),
    seed: { spec: args.spec },
  });
  return runTrainerProcess({
    runId: args.runId,
    spec: args.spec,
    sinks,
    ...(args.backend ? { backend: args.backend } : {}),
    quiet: args.quiet,
  });
});
