/**
 * Quality under a wall-clock budget: each experiment trains until its budget (or step cap) runs out, its
 * generator is exported from the last checkpoint, and `evaluateRun` scores it (cFID and class histogram on
 * MNIST, modes / HQ% on ring8). Experiments run as parallel processes, one per core, so each gets one core.
 *
 *   npm run bench:quality -- [--minutes 15] [--experiments dcgan-mnist,vanilla-mnist,vanilla-ring8]
 *
 * Writes docs/results/quality-<experiment>.json per experiment and docs/results/quality.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { datasetInfo } from '../shared/datasets.ts';
import { runFiles } from '../shared/keys.ts';
import { parseSpec } from '../shared/spec.ts';
import { initBackend } from '../trainer/backend/index.ts';
import { latestCheckpoint, loadCheckpoint } from '../trainer/checkpoint.ts';
import { evaluateRun } from '../trainer/eval/evaluate.ts';
import { buildGan, train } from '../trainer/loop.ts';
import { progressPrinter } from '../trainer/progress.ts';
import { fixedSampleInputs, renderSamples } from '../trainer/samples.ts';
import { LocalArtifactSink } from '../trainer/sinks/local.ts';
import { sinkSaver } from '../trainer/sinks/model-io.ts';
import { FileStatusSink } from '../trainer/sinks/status-file.ts';

const EXPERIMENTS: Record<string, Record<string, unknown>> = {
  'dcgan-mnist': { family: 'dcgan', dataset: 'mnist' },
  'vanilla-mnist': { family: 'vanilla', dataset: 'mnist' },
  // Narrow networks: class control needs many steps, and the narrow model trains three times faster here.
  'cgan-mnist': { family: 'cgan', dataset: 'mnist', hyperparameters: { gChannels: 64, dChannels: 32 } },
  // Toy 2D data: smaller networks and a faster learning rate than the image defaults, as 2D GAN studies use.
  'vanilla-ring8': {
    family: 'vanilla',
    dataset: 'ring8',
    steps: 10_000,
    batchSize: 128,
    hyperparameters: { hiddenUnits: 128, learningRate: 1e-3 },
  },
};
const RESULTS = 'docs/results';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '15' },
    experiments: { type: 'string', default: Object.keys(EXPERIMENTS).join(',') },
    one: { type: 'string' },
    runs: { type: 'string', default: 'runs/quality' },
  },
});
const minutes = Number(args.minutes);

async function runOne(name: string): Promise<void> {
  const base = EXPERIMENTS[name];
  if (!base) throw new Error(`unknown experiment '${name}' (known: ${Object.keys(EXPERIMENTS).join(', ')})`);
  const backend = await initBackend();
  const spec = parseSpec({
    steps: 1_000_000,
    sampleEvery: 250,
    checkpointEvery: 500,
    metricsEvery: 25,
    ...base,
  });
  const dir = resolve(args.runs, `${name}-${Date.now()}`);
  const artifacts = new LocalArtifactSink(dir);
  const stop = { requested: false };
  const t0 = Date.now();
  const timer = setTimeout(() => {
    stop.requested = true;
  }, minutes * 60_000);
  const outcome = await train({
    runId: name,
    spec,
    artifacts,
    status: new FileStatusSink(dir),
    backend: backend.name,
    stop,
    onProgress: progressPrinter(),
  });
  clearTimeout(timer);
  const trainSeconds = (Date.now() - t0) / 1000;
  if (outcome.status === 'FAILED' || outcome.status === 'CANCELLED')
    throw new Error(`${name}: ${outcome.reason}`);
  const step = outcome.status === 'SUCCEEDED' ? outcome.steps : outcome.step;
  if (outcome.status === 'INTERRUPTED') {
    // Budget reached: export the generator as the end of a run would, from the checkpoint just written.
    const gan = buildGan(spec);
    const dataset = datasetInfo(spec.dataset);
    await loadCheckpoint(artifacts, gan, (await latestCheckpoint(artifacts))!);
    await gan.generator.save(sinkSaver(artifacts, runFiles.generatorDir));
    const fixed = fixedSampleInputs(spec.seed, dataset, gan);
    await artifacts.put(runFiles.sample(step), renderSamples(gan.generator, fixed, dataset));
    tf.dispose(fixed.inputs);
  }
  const evaluation = await evaluateRun(dir, { backend });
  const result = {
    experiment: name,
    command: `npm run bench:quality -- --minutes ${minutes} --experiments ${name}`,
    budgetMinutes: minutes,
    trainSeconds: Math.round(trainSeconds),
    stepsTrained: step,
    imagesSeen: step * spec.batchSize,
    backend: backend.name,
    spec,
    runDir: dir,
    evaluation,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `quality-${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

function spawnOne(name: string): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/quality.ts', '--one', name, '--minutes', String(minutes)],
    {
      stdio: ['ignore', 'inherit', 'pipe'],
    },
  );
  child.stderr.on('data', (d: Buffer) => {
    for (const line of d.toString().split(/\r|\n/))
      if (line.trim()) process.stderr.write(`[${name}] ${line.trim()}\n`);
  });
  return new Promise((r) => child.on('exit', (code) => r(code ?? 1)));
}

if (args.one) {
  await runOne(args.one);
} else {
  const names = args.experiments.split(',').filter(Boolean);
  const codes = await Promise.all(names.map(spawnOne));
  names.forEach((n, i) => {
    if (codes[i] !== 0) console.error(`${n} exited with ${codes[i]}; its results file was not written`);
  });
  // The summary covers every experiment with a results file, from this invocation or an earlier one.
  const summary = Object.keys(EXPERIMENTS)
    .filter((n) => existsSync(join(RESULTS, `quality-${n}.json`)))
    .map((n) => {
      const r = JSON.parse(readFileSync(join(RESULTS, `quality-${n}.json`), 'utf8'));
      const e = r.evaluation;
      return {
        experiment: n,
        date: e.createdAt,
        budgetMinutes: r.budgetMinutes,
        stepsTrained: r.stepsTrained,
        trainSeconds: r.trainSeconds,
        ...(e.kind === 'images'
          ? {
              cfid: e.cfid.value,
              cfidSamples: e.cfid.generatedSamples,
              classesCovered1000: e.classes.first1000.covered,
              histogram1000: e.classes.first1000.counts,
            }
          : { modes: `${e.modes.modesCovered}/${e.modes.modesTotal}`, hqPercent: e.modes.hqPercent }),
      };
    });
  writeFileSync(join(RESULTS, 'quality.json'), `${JSON.stringify({ summary }, null, 2)}\n`);
  console.table(summary);
}
