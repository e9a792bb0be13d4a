/**
 * `npm start`: the local platform (scripts/platform/) on one port, until Ctrl-C.
 *   PORT             the port on 127.0.0.1 (default 8787; 0 for any free one)
 *   GANZOO_DATA_DIR  where runs, artifacts, logs and the token are kept (default .data/ in the checkout)
 *   GANZOO_MAX_RUNS_IN_FLIGHT  runs not yet ended at once (default 8, shared/limits.ts LOCAL_LIMITS)
 *   GANZOO_MAX_TIMEOUT_MINUTES, GANZOO_MAX_RETRIES  caps on a spec's resources (default: the schema's)
 *   GANZOO_MAX_GROUP_MEMBERS   most members of an experiment group (default 1000)
 *   GANZOO_LOCAL_CONCURRENCY   trainers running at once (default 1: a group's members run in turn)
 * Ctrl-C (or SIGTERM) stops running trainers with a checkpoint; the next start resumes them. A second
 * Ctrl-C, a second or more after the first, stops at once (the copies of one Ctrl-C that reach the process
 * group and any wrapper arrive together and count once). Run as `node --import tsx` (package.json): tsx's
 * command line would relay each signal once more.
 */
import { relative, resolve } from 'node:path';
import { LOCAL_LIMITS, limitsFromEnv, type RunLimits } from '../shared/limits.ts';
import { onStopSignals } from '../trainer/stop-signals.ts';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, type Platform, startPlatform } from './platform/platform.ts';
import { ensureWebBuilt, webBuildStale } from './platform/web-build.ts';

function portFromEnv(): number {
  const raw = process.env.PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`PORT must be a port number (0-65535), not '${raw}'`);
    process.exit(2);
  }
  return port;
}

/** Trainers the local runner runs at once: GANZOO_LOCAL_CONCURRENCY, 1 to 64 (default 1). */
function concurrencyFromEnv(): number {
  const raw = process.env.GANZOO_LOCAL_CONCURRENCY?.trim();
  if (!raw) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    console.error(`GANZOO_LOCAL_CONCURRENCY is '${raw}'; it must be a whole number from 1 to 64`);
    process.exit(2);
  }
  return n;
}

function limitsOrExit(): RunLimits {
  try {
    return limitsFromEnv(process.env, LOCAL_LIMITS);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}

/** A path as the user would type it from here. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

// A DCGAN that shows digits in about two minutes on the wasm backend (see README's quickstart).
const EXAMPLE_SPEC = {
  family: 'dcgan',
  dataset: 'mnist',
  steps: 600,
  batchSize: 64,
  sampleEvery: 100,
  checkpointEvery: 200,
  hyperparameters: { gChannels: 64, dChannels: 32 },
};

function banner(p: Platform): string {
  const auth = `-H "authorization: Bearer $GANZOO_TOKEN"`;
  const field = (expr: string) => `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8"))${expr}'`;
  const r = p.reconciled;
  const taken = r ? r.resumed.length + r.failed.length + r.skipped.length : 0;
  return [
    '',
    `ganzoo local platform: ${p.url}/`,
    '',
    `  dashboard   ${p.dashboard ? `${p.url}/#token=${p.token}   (this link signs you in)` : `not built (npm run build:web); ${p.url}/ shows the API docs`}`,
    `  API docs    ${p.url}/docs   (OpenAPI: ${p.url}/openapi.json)`,
    `  data        ${shown(p.dataDir)}   (runs table, artifacts, trainer logs; kept across restarts)`,
    `  token       ${p.token}   (${p.newToken ? 'made now, ' : ''}kept in ${shown(p.tokenFile)})`,
    `  emulators   S3 ${p.s3Endpoint}, DynamoDB ${p.dynamoEndpoint}   (region us-east-1, keys test/test)`,
    ...(taken > 0
      ? [
          `  last start  ${r!.resumed.length} unfinished run(s) resumed, ${r!.failed.length} marked FAILED` +
            (r!.skipped.length ? `, ${r!.skipped.length} left as they were` : ''),
        ]
      : []),
    '',
    'Submit a DCGAN run, watch its status, fetch its latest sample (paste into a shell):',
    '',
    `  export GANZOO_API_URL=${p.url} GANZOO_TOKEN=${p.token}`,
    `  RUN=$(curl -s -X POST "$GANZOO_API_URL/experiments" ${auth} -H 'content-type: application/json' \\`,
    `    -d '${JSON.stringify(EXAMPLE_SPEC)}' | ${field('.id')}); echo $RUN`,
    `  curl -s "$GANZOO_API_URL/experiments/$RUN" ${auth}; echo   # QUEUED .. RUNNING .. SUCCEEDED`,
    `  curl -s "$GANZOO_API_URL/experiments/$RUN/samples" ${auth}; echo   # presigned PNG URLs`,
    `  curl -s -o sample.png "$(curl -s "$GANZOO_API_URL/experiments/$RUN/samples" ${auth} | ${field('.samples.at(-1).url')})"`,
    '',
    'or, with the same two variables, the CLI:',
    `  npx ganzoo submit --family dcgan --dataset mnist --steps 600 --batch 64 --sample-every 100 \\`,
    `    --checkpoint-every 200 --hp gChannels=64 --hp dChannels=32 --watch`,
    '',
    'Ctrl-C stops; running trainers checkpoint and carry on at the next start.',
    '',
  ].join('\n');
}

const dataDir = process.env.GANZOO_DATA_DIR ? resolve(process.env.GANZOO_DATA_DIR) : DEFAULT_DATA_DIR;
const port = portFromEnv();
// The dashboard is part of the platform: build it on the first start (and after its sources change).
if (webBuildStale()) {
  console.log('building the dashboard (web/dist)...');
  try {
    ensureWebBuilt();
  } catch (err) {
    console.error(`the dashboard could not be built; the API runs without it:\n${(err as Error).message}`);
  }
}
let platform: Platform;
try {
  platform = await startPlatform({
    port,
    dataDir,
    limits: limitsOrExit(),
    concurrency: concurrencyFromEnv(),
  });
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    console.error(`port ${port} on 127.0.0.1 is in use: stop what holds it, or set PORT to another port`);
  } else {
    console.error(`the platform did not start: ${(err as Error).message}`);
  }
  process.exit(1);
}
console.log(banner(platform));

onStopSignals({
  // A second Ctrl-C, after a pause: the user will not wait for checkpoints. Trainers must not outlive us.
  again: (signal) => {
    console.error(`\n${signal} again: stopping now, without waiting for checkpoints`);
    for (const job of platform.localRunner?.jobs() ?? []) {
      if (job.pid !== undefined) process.kill(job.pid, 'SIGKILL');
    }
    process.exit(130);
  },
  first: (signal) => {
    const running = platform.localRunner?.jobs().filter((j) => j.state === 'running') ?? [];
    console.log(
      `\n${signal}: stopping${running.length ? `; ${running.length} trainer(s) writing a checkpoint first` : ''}...`,
    );
    platform.stop().then(
      () => {
        console.log('stopped.');
        process.exit(0);
      },
      (err: Error) => {
        console.error(`stopping failed: ${err.message}`);
        process.exit(1);
      },
    );
  },
});
