/**
 * `npm run train -- --family dcgan --dataset mnist --steps 2000 --out DIR`: one run, resumable.
 * Exit codes: 0 succeeded, 1 failed (diverged or an error), 2 bad arguments, 130/143 stopped by
 * SIGINT/SIGTERM after writing a checkpoint (start it again to resume).
 */
import { runFiles } from '../shared/keys.ts';
import { parseTrainArgs, USAGE, UsageError } from './args.ts';
import { initBackend } from './backend/index.ts';
import { train } from './loop.ts';
import { progressPrinter } from './progress.ts';
import { openSinks } from './sinks/open.ts';

async function main(): Promise<number> {
  let args: ReturnType<typeof parseTrainArgs>;
  try {
    args = parseTrainArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      const isHelp = err.message === USAGE;
      process.stderr.write(isHelp ? `${USAGE}\n` : `error: ${err.message}\n\n(see --help)\n`);
      return isHelp ? 0 : 2;
    }
    throw err;
  }
  if (!args.out && !process.env.GANZOO_BUCKET) {
    process.stderr.write('error: missing --out DIR (or set GANZOO_BUCKET to write to S3)\n');
    return 2;
  }
  const backend = await initBackend(args.backend);
  const sinks = openSinks({
    runId: args.runId,
    ...(args.out ? { out: args.out } : {}),
    seed: { spec: args.spec },
  });
  const say = (s: string) => !args.quiet && process.stderr.write(`${s}\n`);
  say(
    `run ${args.runId}: ${args.spec.family} on ${args.spec.dataset}, ${args.spec.steps} steps, batch ${args.spec.batchSize}`,
  );
  say(`backend: ${backend.name} (${backend.detail})`);
  say(`artifacts: ${sinks.artifacts.location}`);

  const stop = { requested: false };
  let signal: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals) => {
    if (stop.requested) process.exit(130);
    signal = s;
    stop.requested = true;
    say(`\n${s}: writing a checkpoint, then stopping (again to abort)`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const attemptEnv = process.env.AWS_BATCH_JOB_ATTEMPT ?? process.env.GANZOO_ATTEMPT;
  const outcome = await train({
    runId: args.runId,
    spec: args.spec,
    artifacts: sinks.artifacts,
    status: sinks.status,
    backend: backend.name,
    ...(attemptEnv ? { attempt: Number(attemptEnv) } : {}),
    stop,
    ...(args.quiet ? {} : { onProgress: progressPrinter() }),
  });
  switch (outcome.status) {
    case 'SUCCEEDED':
      say(
        `done: samples in ${sinks.artifacts.location}/${runFiles.samplesDir}, generator in ${sinks.artifacts.location}/${runFiles.generatorModel}`,
      );
      return 0;
    case 'INTERRUPTED':
      say(`stopped at step ${outcome.step} with a checkpoint; run the same command again to resume`);
      return signal === 'SIGINT' ? 130 : 143;
    case 'CANCELLED':
      say(`cancelled: ${outcome.reason}`);
      return 0;
    case 'FAILED':
      process.stderr.write(`failed: ${outcome.reason}\n`);
      return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(1);
  },
);
