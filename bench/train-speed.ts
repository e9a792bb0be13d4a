/**
 * Training speed: images/s of full training steps (D phase + G phase, data and latents included), through
 * the same stepper the loop uses. DCGAN at batch 64 on MNIST in the wide (G 128 -> 64, D 64 -> 128) and
 * narrow (G 64 -> 32, D 32 -> 64) sizes, plus the Vanilla GAN, and WGAN, WGAN-GP and SNGAN on the narrow
 * networks (their step is n_critic critic updates and one G update; images/s counts one batch per step),
 * SAGAN and BigGAN on 32 px MNIST,
 * on every backend that loads here.
 *
 *   npm run bench:train [-- --backends wasm,cpu --steps 10 --repeats 3 --models dcgan-wide,dcgan-narrow]
 *
 * Peak memory per model: tfjs's tensor bytes at their highest during one extra step after the timed ones
 * (tf.profile snapshots the engine's byte count after every kernel; run apart so it does not slow the timed
 * steps), and the process's resident set, sampled after every step of the model, warm-up included.
 *
 * Writes bench/results/train-speed-wasm-threads-{GANZOO_WASM_THREADS or 1}.json and prints a table (with
 * --models, a file named after them too, so the full tables stay).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { parseSpec } from '../shared/spec.ts';
import { initBackend } from '../trainer/backend/index.ts';
import { openDataset } from '../trainer/data/index.ts';
import { disposeGan } from '../trainer/gan.ts';
import { buildGan } from '../trainer/loop.ts';
import { enterStep, stagesOf } from '../trainer/stages.ts';
import { createStepper, disposeStepInputs, stepInputs } from '../trainer/step.ts';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'node-gpu,node,wasm' },
    steps: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '3' },
    batch: { type: 'string', default: '64' },
    models: { type: 'string' },
  },
});
const STEPS = Number(args.steps);
const REPEATS = Number(args.repeats);
const BATCH_ARG = Number(args.batch);

const MODELS = [
  { name: 'dcgan-wide', family: 'dcgan', hyperparameters: { gChannels: 128, dChannels: 64 } },
  { name: 'dcgan-narrow', family: 'dcgan', hyperparameters: { gChannels: 64, dChannels: 32 } },
  { name: 'vanilla-mlp', family: 'vanilla', hyperparameters: {} },
  // DCGAN's narrow networks: a step is n_critic (5) critic updates and one G update.
  { name: 'wgan-narrow', family: 'wgan', hyperparameters: { gChannels: 64, dChannels: 32 } },
  { name: 'wgan-gp-narrow', family: 'wgan-gp', hyperparameters: { gChannels: 64, dChannels: 32 } },
  { name: 'sngan-narrow', family: 'sngan', hyperparameters: { gChannels: 64, dChannels: 32 } },
  // The Vanilla GAN's MLP with the learned output noise and HMC entropy term; InfoGAN on the narrow nets.
  { name: 'presgan-mlp', family: 'presgan', hyperparameters: {} },
  { name: 'infogan-narrow', family: 'infogan', hyperparameters: { gChannels: 64, dChannels: 32 } },
  // SAGAN and BigGAN: the class-conditional ResNet networks on 32 px MNIST, G and D 32 channels wide,
  // attention at 16 x 16 (BigGAN's step is two D updates and one G update).
  {
    name: 'sagan-32',
    family: 'sagan',
    dataset: 'mnist32',
    hyperparameters: { gChannels: 32, dChannels: 32 },
  },
  {
    name: 'biggan-32',
    family: 'biggan',
    dataset: 'mnist32',
    hyperparameters: { gChannels: 32, dChannels: 32 },
  },
  // pix2pix on edges2digits (U-Net and PatchGAN 32 wide) and its L1-only baseline (no D); CycleGAN on
  // digits2mnistm (two ResNet Gs 16 wide with 4 blocks, two PatchGANs) and its per-pixel colour-map baseline.
  { name: 'pix2pix-32', family: 'pix2pix', dataset: 'edges2digits', hyperparameters: {} },
  {
    name: 'pix2pix-l1-32',
    family: 'pix2pix',
    dataset: 'edges2digits',
    hyperparameters: { adversarialWeight: 0 },
  },
  { name: 'cyclegan-32', family: 'cyclegan', dataset: 'digits2mnistm', hyperparameters: {} },
  // SRGAN x4 on photos-x4 (8 -> 32 px; G 32 wide, 4 blocks; VGG-style D 32 wide) in its adversarial stage,
  // and its MSE-only baseline (no D).
  { name: 'srgan-32', family: 'srgan', dataset: 'photos-x4', hyperparameters: {} },
  { name: 'srgan-mse-32', family: 'srgan', dataset: 'photos-x4', hyperparameters: { adversarialWeight: 0 } },
  {
    name: 'cyclegan-colour-map-32',
    family: 'cyclegan',
    dataset: 'digits2mnistm',
    hyperparameters: { generator: 'colour-map' },
  },
  // The Conditional Analogy GAN on figures-articles (64 px; U-Net and PatchGAN 16 wide) and its variant without D.
  { name: 'cagan-64', family: 'cagan', dataset: 'figures-articles', hyperparameters: {} },
  {
    name: 'cagan-no-adversary-64',
    family: 'cagan',
    dataset: 'figures-articles',
    hyperparameters: { adversarialWeight: 0 },
  },
  // Unrolled GAN trains on 2D mixtures only: the same MLP on ring8, beside the Vanilla GAN there (K = 5).
  { name: 'vanilla-ring8', family: 'vanilla', dataset: 'ring8', hyperparameters: { hiddenUnits: 128 } },
  { name: 'unrolled-ring8', family: 'unrolled', dataset: 'ring8', hyperparameters: { hiddenUnits: 128 } },
  // 32 px: the Progressive GAN timed in its last (32x32, fading) stage, beside DCGAN's narrow networks there.
  {
    name: 'dcgan-mnist32-narrow',
    family: 'dcgan',
    dataset: 'mnist32',
    hyperparameters: { gChannels: 64, dChannels: 32 },
  },
  { name: 'pggan-mnist32', family: 'pggan', dataset: 'mnist32', hyperparameters: {} },
  // SinGAN's finest scale (128x85 of the cat, 7 scales) at its own batch of one image: a step is 3 critic
  // updates (gradient penalty) and 3 G updates, each G update also reconstructing the image.
  { name: 'singan-chelsea', family: 'singan', dataset: 'photo-chelsea', hyperparameters: {}, batch: 1 },
  { name: 'pggan-mnist32-narrow', family: 'pggan', dataset: 'mnist32', hyperparameters: { channels: 32 } },
  // StyleGAN at 32x32 throughout; each step's D update includes R1's second-order gradient.
  { name: 'stylegan-mnist32', family: 'stylegan', dataset: 'mnist32', hyperparameters: {} },
  {
    name: 'stylegan-mnist32-narrow',
    family: 'stylegan',
    dataset: 'mnist32',
    hyperparameters: { channels: 32 },
  },
  // The Conditional GAN on MNIST with DCGAN's narrow networks (its quality experiments' widths).
  { name: 'cgan-narrow', family: 'cgan', hyperparameters: { gChannels: 64, dChannels: 32 } },
  // HoloGAN on the posed renders at the widths of its quality experiment (a 16^3 volume from a 32-channel
  // constant, 64 projected maps), batch 32.
  {
    name: 'hologan-posed',
    family: 'hologan',
    dataset: 'posed-objects',
    hyperparameters: { latentDim: 64, volumeChannels: 32, projectionChannels: 64, dChannels: 32 },
    batch: 32,
  },
  // StackGAN on the captioned digits, timed in its last stage (stage II, 32 px, stage I's G frozen).
  { name: 'stackgan-captioned', family: 'stackgan', dataset: 'captioned-digits', hyperparameters: {} },
  // SPADE on the 64 px scenes at its quality batch of 8, beside pix2pix reading the same one-hot maps.
  { name: 'spade-scenes', family: 'spade', dataset: 'scenes', hyperparameters: {}, batch: 8 },
  { name: 'pix2pix-scenes', family: 'pix2pix', dataset: 'scenes', hyperparameters: {}, batch: 8 },
] as const;

const chosen = args.models?.split(',');
const unknown = chosen?.filter((name) => !MODELS.some((m) => m.name === name));
if (unknown?.length) {
  throw new Error(`--models: unknown ${unknown.join(', ')} (known: ${MODELS.map((m) => m.name).join(', ')})`);
}
const models = MODELS.filter((m) => chosen == null || chosen.includes(m.name));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Row {
  backend: string;
  /** What the backend reported about itself (for wasm: SIMD, threads, project kernels). */
  detail: string;
  model: string;
  batch: number;
  imagesPerSecond: number;
  stepMs: number;
  repeats: number[];
  /** tfjs's tensor bytes at their highest during one step (G, D and optimizer state included). */
  peakTensorBytes: number;
  /** Kernel calls in that step: each costs dispatch time, which fused kernels save. */
  kernelsPerStep: number;
  /** The process's resident set at its highest after any step of this model. */
  peakRssBytes: number;
}

async function measure(model: (typeof MODELS)[number]): Promise<Omit<Row, 'backend' | 'detail'>> {
  const BATCH = 'batch' in model ? model.batch : BATCH_ARG;
  const spec = parseSpec({
    family: model.family,
    dataset: 'dataset' in model ? model.dataset : 'mnist',
    batchSize: BATCH,
    hyperparameters: model.hyperparameters,
  });
  const gan = buildGan(spec);
  const data = openDataset(spec.dataset, spec.seed);
  const step = createStepper(gan);
  // A family that trains in stages is timed in its last one (for a growing GAN, the full resolution).
  const first = stagesOf(gan).at(-1)!.start;
  let peakRssBytes = 0;
  const run = (i: number) => {
    enterStep(gan, first + i);
    const inputs = stepInputs(gan, data, spec.seed, first + i, BATCH);
    step(inputs);
    disposeStepInputs(inputs);
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  };
  for (let i = 0; i < 3; i++) run(i); // warm-up: kernels compiled, optimizer state allocated
  const rates: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < STEPS; i++) run(3 + r * STEPS + i);
    rates.push((STEPS * BATCH * 1000) / (performance.now() - t0));
  }
  const profile = await tf.profile(() => run(3 + REPEATS * STEPS));
  const { peakBytes: peakTensorBytes } = profile;
  const kernelsPerStep = profile.kernels.length;
  disposeGan(gan);
  const ips = median(rates);
  return {
    model: model.name,
    batch: BATCH,
    imagesPerSecond: Math.round(ips * 10) / 10,
    stepMs: Math.round((BATCH * 1000) / ips),
    repeats: rates.map((x) => Math.round(x)),
    peakTensorBytes,
    kernelsPerStep,
    peakRssBytes,
  };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

const fusedOff = process.env.GANZOO_FUSED?.trim() === '0';
const rows: Row[] = [];
const skipped: Record<string, string> = {};
for (const backend of args.backends.split(',')) {
  let detail: string;
  try {
    detail = (await initBackend(backend)).detail;
  } catch (err) {
    skipped[backend] = (err as Error).message;
    console.log(`skip ${backend}: ${(err as Error).message}`);
    continue;
  }
  console.log(`backend ${backend}: ${detail}`);
  for (const model of models) {
    const row = { backend, detail, ...(await measure(model)) };
    rows.push(row);
    console.log(
      `  ${row.model.padEnd(13)} ${String(row.imagesPerSecond).padStart(7)} img/s  ${row.stepMs} ms/step  (repeats ${row.repeats.join(', ')})  peak tensors ${mib(row.peakTensorBytes)}, RSS ${mib(row.peakRssBytes)}, ${row.kernelsPerStep} kernels/step`,
    );
  }
}

mkdirSync('bench/results', { recursive: true });
const result = {
  benchmark: 'train-speed',
  command:
    `${process.env.GANZOO_WASM_THREADS ? `GANZOO_WASM_THREADS=${process.env.GANZOO_WASM_THREADS} ` : ''}${fusedOff ? 'GANZOO_FUSED=0 ' : ''}npm run bench:train -- ${process.argv.slice(2).join(' ')}`.trim(),
  loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, tfjs: tf.version.tfjs },
  method: `median of ${REPEATS} repeats of ${STEPS} full steps (D + G) after 3 warm-up steps, batch ${BATCH_ARG} (a row says its own where it differs), MNIST (ring8, 32 px MNIST or a photograph where the model says so); peakTensorBytes and kernelsPerStep: tf.profile's peakBytes and kernel calls over one more step; peakRssBytes: the highest process.memoryUsage.rss() after any of the model's steps (the process runs the models in turn, so memory a model leaves behind shows in the next)`,
  rows,
  skipped,
};
const threads = process.env.GANZOO_WASM_THREADS ?? '1';
// One file per wasm thread count; a run without wasm (say, --backends node) gets its own, never overwriting those.
const base = args.backends.split(',').includes('wasm')
  ? `bench/results/train-speed-wasm-threads-${threads}`
  : `bench/results/train-speed-${args.backends.replaceAll(',', '+')}`;
// The native fused kernels turned off (GANZOO_FUSED=0) is a run of its own, beside the default one.
const file = `${base}${chosen ? `-${chosen.join('+')}` : ''}${fusedOff ? '-fused-off' : ''}.json`;
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${file}`);
