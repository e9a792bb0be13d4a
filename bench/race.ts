/**
 * The race: a model (--model: DCGAN wide, the default, DCGAN narrow or WGAN-GP narrow; batch 64, Adam, MNIST)
 * trained by ganzoo's stepper on the native backend and on wasm, against the same model in PyTorch
 * (bench/pytorch/dcgan.py, in a venv made on first use by bench/pytorch/venv.ts).
 *
 *   npm run bench:race [-- --model dcgan-wide --rounds 3 --steps 10 --repeats 3 --contenders pytorch,pytorch:1,node,wasm]
 *
 * A contender is a backend with an optional thread count: `pytorch`, `pytorch:1` (torch.set_num_threads),
 * `node`, `node:1` (TF_NUM_INTRAOP_THREADS), `node-composed` (the fused kernels off), `wasm`, `wasm:2`
 * (GANZOO_WASM_THREADS). Each runs in its own
 * process; rounds interleave the contenders so that load from other jobs falls on all of them. Reports the
 * median images/s (wall clock, and per CPU-second) over every repeat of every round, the ratio to the fastest
 * PyTorch contender, and GFLOP/s against the machine's FP32 peak (DCGAN); writes docs/results/race.json for
 * the wide DCGAN, docs/results/race-<model>.json for the others (or --out).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { parseSpec } from '../shared/spec.ts';
import { initBackend } from '../trainer/backend/index.ts';
import { openDataset } from '../trainer/data/index.ts';
import { buildGan } from '../trainer/loop.ts';
import { createStepper, disposeStepInputs, stepInputs } from '../trainer/step.ts';
import { torchPython } from './pytorch/venv.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const WARMUP = 3;

const { values: args } = parseArgs({
  options: {
    contenders: { type: 'string', default: 'pytorch,pytorch:1,node,wasm' },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '3' },
    batch: { type: 'string', default: '64' },
    model: { type: 'string', default: 'dcgan-wide' },
    out: { type: 'string' },
    worker: { type: 'string' },
  },
});
const STEPS = positive('steps');
const REPEATS = positive('repeats');
const BATCH = positive('batch');
/**
 * The models raced, each the same on both sides (bench/pytorch/dcgan.py takes the widths and --wgan-gp):
 * DCGAN at its default wide sizes and at the narrow ones the quality lines use, and WGAN-GP on the narrow
 * networks (five critic updates a step, each with the gradient penalty's second-order gradients).
 */
const MODELS: Record<string, { family: string; gChannels: number; dChannels: number; title: string }> = {
  'dcgan-wide': { family: 'dcgan', gChannels: 128, dChannels: 64, title: 'DCGAN (G 128 -> 64, D 64 -> 128)' },
  'dcgan-narrow': { family: 'dcgan', gChannels: 64, dChannels: 32, title: 'DCGAN (G 64 -> 32, D 32 -> 64)' },
  'wgan-gp-narrow': {
    family: 'wgan-gp',
    gChannels: 64,
    dChannels: 32,
    title: 'WGAN-GP (G 64 -> 32, critic 32 -> 64 without batch norm, n_critic 5, lambda 10)',
  },
};
const MODEL =
  MODELS[args.model] ??
  (() => {
    throw new Error(`--model ${args.model}: one of ${Object.keys(MODELS).join(', ')}`);
  })();
const OUT =
  args.out ??
  (args.model === 'dcgan-wide' ? 'docs/results/race.json' : `docs/results/race-${args.model}.json`);
const SPEC = parseSpec({
  family: MODEL.family,
  dataset: 'mnist',
  batchSize: BATCH,
  hyperparameters: { gChannels: MODEL.gChannels, dChannels: MODEL.dChannels },
});

function positive(name: 'rounds' | 'steps' | 'repeats' | 'batch'): number {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} ${args[name]}: expected a whole number >= 1`);
  return n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Forward FLOPs per image of each Dense / Conv2D / Conv2DTranspose layer, in order (a multiply-add is 2). */
function layerFlops(net: tf.LayersModel): number[] {
  const out: number[] = [];
  for (const layer of net.layers) {
    const kernel = layer.getWeights()[0]?.shape;
    const cls = layer.getClassName();
    if (!kernel) continue;
    if (cls === 'Dense') out.push(2 * kernel[0]! * kernel[1]!);
    else if (cls === 'Conv2D' || cls === 'Conv2DTranspose') {
      // Conv2D: every output position takes a kh*kw*cin window per output channel. Conv2DTranspose: every
      // input position spreads kh*kw*cout values per input channel (its kernel is [kh, kw, cout, cin]).
      const [, h, w] = (
        cls === 'Conv2D' ? layer.outputShape : (layer.input as tf.SymbolicTensor).shape
      ) as number[];
      out.push(2 * h! * w! * kernel.reduce((a, b) => a * b, 1));
    }
  }
  return out;
}

/**
 * FLOPs per image of one training step, as ganzoo's stepper runs it (element-wise work, batch norm and
 * Adam left out). A backward pass costs a layer's forward FLOPs for its weight gradient and again for its
 * input gradient, which the first layer of a network fed by data or z does not need.
 *   G forward, once (the phases share its output: Gan.generate).
 *   D phase: D forward on real and fake, D backward (weights) on both.
 *   G phase: D forward, D backward (inputs only), G backward.
 */
function stepFlopsPerImage(G: tf.LayersModel, D: tf.LayersModel): number {
  const g = layerFlops(G);
  const d = layerFlops(D);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const [fG, fD] = [sum(g), sum(d)];
  const dPhase = 2 * fD + 2 * (2 * fD - d[0]!);
  const gPhase = fD + fD + (2 * fG - g[0]!);
  return fG + dPhase + gPhase;
}

interface WorkerResult {
  imagesPerSecond: number[];
  /** Images per second of CPU time (all threads): less sensitive to other jobs on the machine. */
  imagesPerCpuSecond: number[];
  detail: string;
  flopsPerImage?: number;
}

/** Worker: one backend, ganzoo's stepper as the loop runs it; prints a JSON line. */
async function worker(backend: string): Promise<WorkerResult> {
  const info = await initBackend(backend);
  const gan = buildGan(SPEC);
  const data = openDataset('mnist', SPEC.seed);
  const step = createStepper(gan);
  const run = (i: number) => {
    const inputs = stepInputs(gan, data, SPEC.seed, i, BATCH);
    step(inputs);
    disposeStepInputs(inputs);
  };
  for (let i = 0; i < WARMUP; i++) run(i);
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < STEPS; i++) run(WARMUP + r * STEPS + i);
    rates.push((STEPS * BATCH * 1000) / (performance.now() - t0));
    const c = process.cpuUsage(c0);
    cpuRates.push((STEPS * BATCH * 1e6) / (c.user + c.system));
  }
  return {
    imagesPerSecond: rates,
    imagesPerCpuSecond: cpuRates,
    detail: info.detail,
    // The count below is DCGAN's step; a WGAN-GP step (five critic updates, double backprop) is not counted.
    ...(MODEL.family === 'dcgan' ? { flopsPerImage: stepFlopsPerImage(gan.nets.G!, gan.nets.D!) } : {}),
  };
}

/** The MNIST batches ganzoo's trainer draws (seed, draw number), as raw float32 for the PyTorch side. */
async function writeBatches(file: string): Promise<void> {
  await initBackend('cpu');
  const data = openDataset('mnist', SPEC.seed);
  // A WGAN-GP step draws a batch for each critic update.
  const count = (WARMUP + REPEATS * STEPS) * (MODEL.family === 'wgan-gp' ? 5 : 1);
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const { x, labels } = data.batch(i, BATCH);
    parts.push(Buffer.from((x.dataSync() as Float32Array).buffer));
    tf.dispose([x, labels]);
  }
  writeFileSync(file, Buffer.concat(parts));
}

function spawnJson(
  cmd: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
): WorkerResult & Record<string, unknown> {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env, maxBuffer: 16 << 20 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    throw new Error(
      `${cmd} ${argv.join(' ')} exited with ${r.status}:\n${r.stderr.trim().split('\n').slice(-10).join('\n')}`,
    );
  }
  return JSON.parse(line);
}

/** The clock in MHz: os.cpus() reports 0 on some virtual machines, /proc/cpuinfo still has it. */
function cpuMhz(): number {
  const speed = cpus()[0]?.speed ?? 0;
  if (speed > 0) return speed;
  const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return m ? Math.round(Number(m[1])) : 0;
}

interface Entry {
  contender: string;
  detail: string;
  runs: { imagesPerSecond: number[]; imagesPerCpuSecond: number[]; loadBefore: number; loadAfter: number }[];
}

/**
 * A contender: `pytorch`, `node`, `node-composed` (node with its fused kernels off, GANZOO_FUSED=0), `wasm` or
 * `cpu`, with `:N` for N threads (PyTorch's, or TensorFlow's intra-op).
 */
function parseContender(raw: string): { name: string; backend: string; threads?: number; composed?: true } {
  const [named = '', t] = raw.trim().split(':');
  const composed = named === 'node-composed';
  const backend = composed ? 'node' : named;
  if (!['pytorch', 'node', 'wasm', 'cpu', 'node-gpu'].includes(backend)) {
    throw new Error(
      `--contenders: unknown '${raw}' (pytorch, node, node-composed, wasm or cpu, optionally :threads)`,
    );
  }
  const threads = t === undefined ? undefined : Number(t);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new Error(`--contenders: '${raw}': threads must be a whole number >= 1`);
  }
  return { name: raw.trim(), backend, ...(threads ? { threads } : {}), ...(composed ? { composed } : {}) };
}

function runContender(c: ReturnType<typeof parseContender>, python: string, dataFile: string) {
  const common = ['--steps', String(STEPS), '--repeats', String(REPEATS), '--batch', String(BATCH)];
  if (c.backend === 'pytorch') {
    const threads = c.threads ? ['--threads', String(c.threads)] : [];
    const model = ['--g-ch', String(MODEL.gChannels), '--d-ch', String(MODEL.dChannels)];
    if (MODEL.family === 'wgan-gp') model.push('--wgan-gp');
    return spawnJson(
      python,
      [join(HERE, 'pytorch/dcgan.py'), '--data', dataFile, ...common, ...model, ...threads],
      process.env,
    );
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2',
  };
  if (c.composed) env.GANZOO_FUSED = '0';
  if (c.threads) {
    if (c.backend === 'wasm') env.GANZOO_WASM_THREADS = String(c.threads);
    else env.TF_NUM_INTRAOP_THREADS = env.OMP_NUM_THREADS = String(c.threads);
  }
  return spawnJson(
    process.execPath,
    ['--import', 'tsx', join(HERE, 'race.ts'), '--worker', c.backend, '--model', args.model, ...common],
    env,
  );
}

async function race(): Promise<void> {
  const contenders = args.contenders.split(',').map(parseContender);
  const tmp = mkdtempSync(join(tmpdir(), 'ganzoo-race-'));
  const dataFile = join(tmp, 'mnist.f32');
  const python = contenders.some((c) => c.backend === 'pytorch') ? torchPython() : '';
  if (python) await writeBatches(dataFile);
  const entries = new Map<string, Entry>(
    contenders.map((c) => [c.name, { contender: c.name, detail: '', runs: [] }]),
  );
  let flopsPerImage = 0;
  const rounds = Number(args.rounds);
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const c of contenders) {
        const loadBefore = loadavg()[0]!;
        const result = runContender(c, python, dataFile);
        const entry = entries.get(c.name)!;
        entry.detail =
          c.backend === 'pytorch'
            ? `torch ${result.torch}, ${result.threads} threads, oneDNN ${result.mkldnn ? 'on' : 'off'}`
            : result.detail;
        if (result.flopsPerImage) flopsPerImage = result.flopsPerImage;
        entry.runs.push({
          imagesPerSecond: result.imagesPerSecond.map((x) => Math.round(x * 10) / 10),
          imagesPerCpuSecond: result.imagesPerCpuSecond.map((x) => Math.round(x * 10) / 10),
          loadBefore: Math.round(loadBefore * 100) / 100,
          loadAfter: Math.round(loadavg()[0]! * 100) / 100,
        });
        console.log(
          `round ${round}/${rounds} ${c.name.padEnd(10)} ${result.imagesPerSecond.map((x) => x.toFixed(1)).join(', ')} img/s (load ${loadBefore.toFixed(2)})`,
        );
      }
      summarize(entries, flopsPerImage, round, round === rounds);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Summarises the rounds run so far and writes --out (after every round, so a stopped race keeps them). */
function summarize(
  entries: Map<string, Entry>,
  flopsPerImage: number,
  roundsDone: number,
  final: boolean,
): void {
  const cpu = cpus();
  const mhz = cpuMhz();
  // Two AVX-512 FMA units per core: 2 x 16 lanes x 2 FLOPs per cycle, at the clock the kernel reports.
  const peakGflops = Math.round((cpu.length * 64 * mhz) / 1000);
  const stats = [...entries.values()].map((e) => ({
    e,
    ips: median(e.runs.flatMap((r) => r.imagesPerSecond)),
    cpuIps: median(e.runs.flatMap((r) => r.imagesPerCpuSecond)),
  }));
  // The ratio is against the fastest PyTorch configuration raced (e.g. pytorch and pytorch:1): the strict one.
  const torch = stats.filter((s) => s.e.contender.startsWith('pytorch'));
  const baseline = torch.length ? torch.reduce((a, b) => (b.ips > a.ips ? b : a)) : undefined;
  const rows = stats.map(({ e, ips, cpuIps }) => {
    const gflops = flopsPerImage ? (ips * flopsPerImage) / 1e9 : Number.NaN;
    return {
      contender: e.contender,
      detail: e.detail,
      imagesPerSecond: Math.round(ips * 10) / 10,
      ratioToPytorch: baseline ? Math.round((ips / baseline.ips) * 100) / 100 : null,
      imagesPerCpuSecond: Math.round(cpuIps * 10) / 10,
      cpuRatioToPytorch: baseline ? Math.round((cpuIps / baseline.cpuIps) * 100) / 100 : null,
      gflops: Number.isNaN(gflops) ? null : Math.round(gflops * 10) / 10,
      percentOfPeak:
        peakGflops && !Number.isNaN(gflops) ? Math.round((gflops / peakGflops) * 1000) / 10 : null,
      runs: e.runs,
    };
  });
  const rounds = Number(args.rounds);
  const result = {
    benchmark: 'race',
    model: args.model,
    roundsDone,
    command: `npm run bench:race -- ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date().toISOString(),
    machine: {
      cpu: cpu[0]?.model,
      cores: cpu.length,
      mhz,
      peakGflopsFp32: peakGflops,
      node: process.version,
      tfjs: tf.version.tfjs,
    },
    loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    method:
      `${rounds} rounds, contenders interleaved, each in its own process: ${WARMUP} warm-up steps, then ` +
      `${REPEATS} repeats of ${STEPS} full steps (D + G); median over all repeats. Batch ${BATCH}, MNIST, Adam. ` +
      'Ratios are to the fastest PyTorch contender.',
    flopsPerImagePerStep: flopsPerImage,
    baseline: baseline?.e.contender ?? null,
    rows,
  };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  if (!final) return;
  console.log(
    `\n${MODEL.title}, batch ${BATCH}${flopsPerImage ? `, ${(flopsPerImage / 1e6).toFixed(0)} MFLOP per image per step` : ''}`,
  );
  for (const r of rows) {
    console.log(
      `${r.contender.padEnd(10)} ${String(r.imagesPerSecond).padStart(7)} img/s  ratio ${r.ratioToPytorch ?? '-'}  ` +
        `${r.gflops} GFLOP/s (${r.percentOfPeak}% of ${peakGflops})  ` +
        `${r.imagesPerCpuSecond} img per CPU-s (ratio ${r.cpuRatioToPytorch ?? '-'})  ${r.detail}`,
    );
  }
  console.log(`wrote ${OUT}`);
}

if (args.worker) console.log(JSON.stringify(await worker(args.worker)));
else await race();
