/**
 * Quality as experiment groups: each experiment is a base spec run on several seeds (three unless it says
 * otherwise, or --seeds), each seed under a wall-clock budget (or its step cap). A seed's generator is
 * exported from its last checkpoint and scored by `evaluateRun` (cFID and class histogram on MNIST, modes /
 * HQ% on the 2D mixtures, the azimuth sweep on the posed renders) or, on captioned data, by the attribute reader on
 * every stage (caption-match.ts); the group's line is mean ± sd (min-max) over the seeds (shared/group.ts).
 * Experiments run as parallel processes, one per experiment.
 *
 * Resumable across sessions: a seed lives in ~/.cache/ganzoo/quality-runs/<experiment>/seed-<n>/ (--runs moves
 * it), with the time it has trained kept there (bench.json), so running the same command again continues each
 * unfinished seed from its checkpoint with what is left of its budget, and reuses the seeds that are done.
 *
 *   npm run bench:quality -- [--minutes 15] [--seeds 1,2,3] [--experiments dcgan-mnist,vanilla-ring8-toy]
 *
 * Writes docs/results/quality-<experiment>.json per experiment and docs/results/quality.json, and once every
 * seed is done keeps the median seed's exported generator under docs/results/generators/<experiment>/ when
 * it is under 5 MB, so anyone can load or score it again.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { datasetInfo } from '../shared/datasets.ts';
import { type EvalResult, evalMetrics, type MetricValue } from '../shared/evaluation.ts';
import { expandGroup, formatSummary, type GroupMember, groupEvaluation } from '../shared/group.ts';
import { runFiles } from '../shared/keys.ts';
import type { ExperimentSpec } from '../shared/spec.ts';
import { initBackend } from '../trainer/backend/index.ts';
import { latestCheckpoint, loadCheckpoint } from '../trainer/checkpoint.ts';
import {
  loadAttributeReader,
  type ReaderRecord,
  readReaderRecord,
} from '../trainer/eval/attribute-reader.ts';
import { stagesCaptionMatch } from '../trainer/eval/caption-match.ts';
import { evaluateRun } from '../trainer/eval/evaluate.ts';
import { exportGenerator } from '../trainer/generator.ts';
import { buildGan, train } from '../trainer/loop.ts';
import { progressPrinter } from '../trainer/progress.ts';
import { fixedSampleInputs, renderSamples, sampleTensors } from '../trainer/samples.ts';
import { LocalArtifactSink } from '../trainer/sinks/local.ts';
import { FileStatusSink } from '../trainer/sinks/status-file.ts';

/**
 * Mode-collapse comparisons on the 2D mixtures: each method beside the Vanilla GAN with the same networks,
 * optimizer, batch and step budget, over several seeds (results give each seed and the mean and spread).
 */
const TOY = { steps: 2000, batchSize: 128, hyperparameters: { hiddenUnits: 128, learningRate: 5e-4 } };
const TOY_SEEDS = [1, 2, 3];
const toy = (family: string, dataset: string, hyperparameters: Record<string, unknown> = {}) => ({
  ...TOY,
  family,
  dataset,
  hyperparameters: { ...TOY.hyperparameters, ...hyperparameters },
});
const EXPERIMENTS: Record<string, Record<string, unknown>> = {
  'dcgan-mnist': { family: 'dcgan', dataset: 'mnist' },
  'vanilla-mnist': { family: 'vanilla', dataset: 'mnist' },
  // Narrow networks: class control needs many steps, and the narrow model trains three times faster here.
  'cgan-mnist': { family: 'cgan', dataset: 'mnist', hyperparameters: { gChannels: 64, dChannels: 32 } },
  // The same with a step budget, for the native backend: does class accuracy reach GANS.md's 95% with training?
  'cgan-mnist-4000': {
    family: 'cgan',
    dataset: 'mnist',
    steps: 4000,
    hyperparameters: { gChannels: 64, dChannels: 32 },
  },
  'cgan-mnist-6000': {
    family: 'cgan',
    dataset: 'mnist',
    steps: 6000,
    hyperparameters: { gChannels: 64, dChannels: 32 },
  },
  // Toy 2D data: smaller networks and a faster learning rate than the image defaults, as 2D GAN studies use.
  'vanilla-ring8': {
    family: 'vanilla',
    dataset: 'ring8',
    steps: 10_000,
    batchSize: 128,
    hyperparameters: { hiddenUnits: 128, learningRate: 1e-3 },
  },
};
/** Every line is shown over three seeds unless --seeds says otherwise. */
const DEFAULT_SEEDS = TOY_SEEDS;
/**
 * WGAN, WGAN-GP and SNGAN beside DCGAN under identical settings: DCGAN's narrow networks, batch 64, seed 1,
 * metrics every step (the Wasserstein estimate's curve) and the same budget of G steps (a WGAN step holds
 * n_critic critic updates). Step budgets: run them with a --minutes that never binds (--minutes 600).
 */
const CRITIC_STEPS = 600;
const narrowMnist = (family: string) => ({
  family,
  dataset: 'mnist',
  steps: CRITIC_STEPS,
  metricsEvery: 1,
  hyperparameters: { gChannels: 64, dChannels: 32 },
});
Object.assign(EXPERIMENTS, {
  'dcgan-mnist-narrow': narrowMnist('dcgan'),
  'wgan-mnist': narrowMnist('wgan'),
  'wgan-gp-mnist': narrowMnist('wgan-gp'),
  'sngan-mnist': narrowMnist('sngan'),
  // SNGAN against DCGAN again with more than three times the budget: does the gap close with training?
  'dcgan-mnist-narrow-2000': { ...narrowMnist('dcgan'), steps: 2000 },
  'sngan-mnist-2000': { ...narrowMnist('sngan'), steps: 2000 },
  // SNGAN with its own n_dis 5 (the paper's critic updates per G step), against the same DCGAN baseline:
  // everything else (networks, Adam 2e-4 / 0.5 / 0.999, batch, seed, G steps) is as dcgan-mnist-narrow-2000.
  'sngan-mnist-ndis5-2000': {
    ...narrowMnist('sngan'),
    steps: 2000,
    hyperparameters: { gChannels: 64, dChannels: 32, nCritic: 5 },
  },
  // WGAN with the same 2,000 G steps and RMSProp at 2e-4 (the paper's 5e-5 drew streaks at 600 steps).
  'wgan-mnist-lr2e-4-2000': {
    ...narrowMnist('wgan'),
    steps: 2000,
    hyperparameters: { gChannels: 64, dChannels: 32, learningRate: 2e-4 },
  },
  // WGAN-GP with the budget of the 2,000-step DCGAN baseline: are the digits recognisable with training?
  'wgan-gp-mnist-2000': { ...narrowMnist('wgan-gp'), steps: 2000 },
});
Object.assign(EXPERIMENTS, {
  'vanilla-ring8-toy': toy('vanilla', 'ring8'),
  'unrolled-ring8': toy('unrolled', 'ring8'),
  'presgan-ring8': toy('presgan', 'ring8', { sigmaInit: 0.01, sigmaMin: 0.001, sigmaMax: 0.03 }),
  'vanilla-grid25-toy': toy('vanilla', 'grid25'),
  'unrolled-grid25': toy('unrolled', 'grid25'),
  // The ring8 comparison again with 3,000 steps (the unrolled ring is still closing at 2,000).
  'vanilla-ring8-toy-3000': { ...toy('vanilla', 'ring8'), steps: 3000 },
  'unrolled-ring8-3000': { ...toy('unrolled', 'ring8'), steps: 3000 },
  // MNIST: the same MLP as vanilla-mnist, with the learned output noise and the HMC entropy term.
  'presgan-mnist': { family: 'presgan', dataset: 'mnist', steps: 2000 },
  // The Vanilla GAN beside it: the same MLP, batch, seed and step budget, without the noise and entropy term.
  'vanilla-mnist-2000': { family: 'vanilla', dataset: 'mnist', steps: 2000 },
  // Narrow networks as cgan-mnist; the InfoGAN paper's learning rates (D 2e-4, G 1e-3). Both InfoGAN
  // experiments drew z from a normal when they were recorded (the catalog's default then).
  'infogan-mnist': {
    family: 'infogan',
    dataset: 'mnist',
    steps: 2000,
    hyperparameters: { gChannels: 64, dChannels: 32, noise: 'normal' },
  },
  // The paper's networks (FC 1,024 in G and D) at their default widths.
  'infogan-mnist-4000': {
    family: 'infogan',
    dataset: 'mnist',
    steps: 4000,
    hyperparameters: { noise: 'normal' },
  },
});
Object.assign(EXPERIMENTS, {
  // Fashion-MNIST (scored by its own classifier): DCGAN's narrow networks beside the Vanilla GAN's MLP, both
  // 2,000 steps at batch 64, three seeds each.
  'dcgan-fashion-2000': {
    family: 'dcgan',
    dataset: 'fashion-mnist',
    steps: 2000,
    hyperparameters: { gChannels: 64, dChannels: 32 },
  },
  'vanilla-fashion-2000': { family: 'vanilla', dataset: 'fashion-mnist', steps: 2000 },
});
/** DCGAN's narrow networks on 32 px MNIST, the Progressive GAN's and StyleGAN's baseline. */
const narrowDcgan32 = (steps: number) => ({
  family: 'dcgan',
  dataset: 'mnist32',
  steps,
  hyperparameters: { gChannels: 64, dChannels: 32 },
});
/** A Progressive GAN or StyleGAN at 32 feature maps up to 8x8. */
const grown = (family: 'pggan' | 'stylegan', dataset: string, steps: number) => ({
  family,
  dataset,
  steps,
  hyperparameters: { channels: 32 },
});
Object.assign(EXPERIMENTS, {
  // 32 px under one step budget (stages split a Progressive GAN's steps, so its budget is steps, not
  // minutes): the Progressive GAN (32 feature maps up to 8x8, 16 at 16x16, 8 at 32x32; 500 steps a
  // resolution, half of each grown one fading in) beside DCGAN's narrow networks, batch 64 both, cFID on
  // the central 28 x 28. At the critic's 5 updates a step a 32x32 step takes about 2 s on the native
  // backend here, which puts 2,000 steps near GANS.md's 30 minutes a seed: the 1,200-step pair (300 a
  // resolution) fits it with room for a machine shared with other runs.
  'dcgan-mnist32-2000': narrowDcgan32(2000),
  'pggan-mnist32-2000': grown('pggan', 'mnist32', 2000),
  'dcgan-mnist32-1200': narrowDcgan32(1200),
  'pggan-mnist32-1200': grown('pggan', 'mnist32', 1200),
  // Fashion-MNIST grows 7 -> 14 -> 28; beside dcgan-fashion-2000.
  'pggan-fashion-2000': grown('pggan', 'fashion-mnist', 2000),
  // StyleGAN under the same budget and widths (32 feature maps up to 8x8, fewer above), at its one
  // resolution throughout: mapping 8 layers, w of 128, mixing 0.9, R1 gamma 0.1.
  'stylegan-mnist32-2000': grown('stylegan', 'mnist32', 2000),
  'stylegan-fashion-2000': grown('stylegan', 'fashion-mnist', 2000),
});

/**
 * SAGAN and BigGAN on 32 px MNIST and on Fashion-MNIST, each beside the Conditional GAN (and DCGAN's
 * Fashion line) under the same budget: 3,000 steps at batch 32, or the --minutes a seed is given (30 is
 * GANS.md's cap), whichever ends first. Narrow ResNets (16 channels, attention at 8 x 8 on 32 px, 14 x 14 on
 * 28 px) so a step fits a shared two-core machine: at 32 channels a wasm step took 12.6 s at batch 32 under
 * a load of 21; at these widths SAGAN took 3.9 s a step (469 steps in 30 minutes, one seed, load ~20).
 * Every other hyperparameter is the paper's default (TTUR, betas).
 */
const CONDITIONAL = { steps: 3000, batchSize: 32 };
const resnetGan = (family: 'sagan' | 'biggan', dataset: string) => ({
  ...CONDITIONAL,
  family,
  dataset,
  hyperparameters: { gChannels: 16, dChannels: 16, attentionSide: 8 },
});
Object.assign(EXPERIMENTS, {
  'sagan-mnist32': resnetGan('sagan', 'mnist32'),
  'biggan-mnist32': resnetGan('biggan', 'mnist32'),
  'cgan-mnist32': {
    ...CONDITIONAL,
    family: 'cgan',
    dataset: 'mnist32',
    hyperparameters: { gChannels: 64, dChannels: 32 },
  },
  'sagan-fashion': resnetGan('sagan', 'fashion-mnist'),
  'biggan-fashion': resnetGan('biggan', 'fashion-mnist'),
  'cgan-fashion': {
    ...CONDITIONAL,
    family: 'cgan',
    dataset: 'fashion-mnist',
    hyperparameters: { gChannels: 64, dChannels: 32 },
  },
  'dcgan-fashion-conditional-budget': {
    ...CONDITIONAL,
    family: 'dcgan',
    dataset: 'fashion-mnist',
    hyperparameters: { gChannels: 64, dChannels: 32 },
  },
});
/**
 * pix2pix and CycleGAN, each beside its baseline under one budget: 2,000 steps per seed, or the --minutes a
 * seed is given (30 is GANS.md's cap), whichever ends first; the catalog's default networks (U-Net and
 * PatchGAN 32 wide; ResNet Gs 16 wide with 4 blocks, PatchGANs 16 wide). pix2pix at batch 16; CycleGAN at
 * batch 4 (the paper's is 1): a batch-16 CycleGAN step took 8.7 s on wasm under a load of 14, which would
 * leave it ~200 steps in 30 minutes. pix2pix's baseline is the same U-Net trained on L1 alone
 * (adversarialWeight 0, no D); CycleGAN's is a per-pixel colour map (a 1x1 convolution each way) trained
 * with the same losses, pools and optimizers.
 */
/**
 * SinGAN beside the same pyramid trained on reconstruction alone: 96 px on the long side from 25 px (6
 * scales), the paper's networks (32 maps, 5 layers), 3 critic and 3 G updates a step, batch 1; 1,800
 * steps (300 a scale, the paper's 2,000 cut to fit about 30 minutes a seed here), or the --minutes budget.
 */
const SINGAN_IMAGES = ['photo-astronaut', 'photo-chelsea', 'photo-coffee'];
const singanPhotos = (hyperparameters: Record<string, unknown> = {}) => ({
  family: 'singan',
  dataset: SINGAN_IMAGES[0],
  steps: 1800,
  batchSize: 1,
  sampleEvery: 300,
  checkpointEvery: 300,
  hyperparameters: { maxSize: 96, ...hyperparameters },
});

const translation = (family: string, dataset: string, hyperparameters: Record<string, unknown> = {}) => ({
  steps: 2000,
  batchSize: family === 'cyclegan' ? 4 : 16,
  sampleEvery: 250,
  family,
  dataset,
  hyperparameters,
});
Object.assign(EXPERIMENTS, {
  'pix2pix-edges2digits': translation('pix2pix', 'edges2digits'),
  'pix2pix-l1-edges2digits': translation('pix2pix', 'edges2digits', { adversarialWeight: 0 }),
  'pix2pix-thick-digits': translation('pix2pix', 'thick-digits'),
  'pix2pix-l1-thick-digits': translation('pix2pix', 'thick-digits', { adversarialWeight: 0 }),
  'cyclegan-digits2mnistm': translation('cyclegan', 'digits2mnistm'),
  'cyclegan-colour-map-digits2mnistm': translation('cyclegan', 'digits2mnistm', { generator: 'colour-map' }),
  'singan-photos': singanPhotos(),
  'singan-reconstruction-photos': singanPhotos({ adversarialWeight: 0 }),
});
/**
 * The Conditional Analogy GAN on figures-articles (64 px) beside its non-adversarial variant (the same G
 * trained on the cycle and mask terms alone, no D), each at batch 8 under the same budget: 2,000 steps or
 * the --minutes. Every evaluation also scores the person copied through and the new article's colour
 * pasted into the worn region (trainer/eval/analogy.ts), baselines that need no training.
 */
Object.assign(EXPERIMENTS, {
  'cagan-figures-articles': { ...translation('cagan', 'figures-articles'), batchSize: 8 },
  'cagan-no-adversary-figures-articles': {
    ...translation('cagan', 'figures-articles', { adversarialWeight: 0 }),
    batchSize: 8,
  },
});

/**
 * HoloGAN on the posed renders, scored by the azimuth sweep (36 azimuths x 50 z, the pose regressor reading
 * each image): narrow networks (a 16^3 volume of 8 channels from a 32-channel constant, 64 projected maps)
 * so a step fits the shared machine, batch 32, 3,000 steps or the --minutes a seed is given.
 */
Object.assign(EXPERIMENTS, {
  'hologan-posed': {
    family: 'hologan',
    dataset: 'posed-objects',
    steps: 3000,
    batchSize: 32,
    hyperparameters: { latentDim: 64, volumeChannels: 32, projectionChannels: 64, dChannels: 32 },
  },
});

/**
 * StackGAN on the captioned digits: stage I (16 px) for the first half of the steps, stage II (32 px) for the
 * rest; scored by the attribute reader on each stage's samples (trainer/eval/caption-match.ts), so the line
 * is each attribute read back as asked, stage II beside stage I. Its budget is steps (the stages split them).
 */
Object.assign(EXPERIMENTS, {
  'stackgan-captioned-4000': {
    family: 'stackgan',
    dataset: 'captioned-digits',
    steps: 4000,
    batchSize: 64,
  },
  // Half the steps at half the batch: stage II at batch 64 took about 2 s a step here, which puts 4,000
  // steps past GANS.md's 30 minutes a seed; this fits it on the native backend.
  'stackgan-captioned-2000': {
    family: 'stackgan',
    dataset: 'captioned-digits',
    steps: 2000,
    batchSize: 32,
  },
});

/**
 * SRGAN on photos-x4 (8 -> 32 px) beside its MSE-only baseline (the same G trained on the pixel MSE
 * throughout, adversarialWeight 0, no D) under one budget: 300 steps at batch 16 or the --minutes a seed is
 * given; the catalog's default networks (G 32 wide with 4 residual blocks, D 32 wide). SRGAN spends its
 * first half on the MSE (pretrainFraction 0.5). Its stages split steps, not minutes, so the step count is
 * what fits 30 minutes under load: an MSE step took 1.8 s and an adversarial one 8.3 s at batch 16 on wasm
 * under a load of about 24 (bench:train), 150 of each about 25 minutes.
 */
const superResolution = (hyperparameters: Record<string, unknown> = {}) => ({
  ...translation('srgan', 'photos-x4', hyperparameters),
  steps: 300,
  sampleEvery: 50,
});
Object.assign(EXPERIMENTS, {
  'srgan-photos-x4': superResolution(),
  'srgan-mse-photos-x4': superResolution({ adversarialWeight: 0 }),
  // On the native backend 300 steps took about 2 minutes a seed (SRGAN) and 1 (MSE only): the same pair at
  // 2,000 steps (1,000 a stage), still inside GANS.md's 30 minutes a seed.
  'srgan-photos-x4-2000': { ...superResolution(), steps: 2000, sampleEvery: 250 },
  'srgan-mse-photos-x4-2000': { ...superResolution({ adversarialWeight: 0 }), steps: 2000, sampleEvery: 250 },
});

/**
 * Experiments whose seeds are images: seed i of the group trains on the i-th set (SinGAN's three photographs,
 * one a seed, as GANS.md asks of a single-image family).
 */
const SEED_DATASETS: Record<string, string[]> = {
  'singan-photos': SINGAN_IMAGES,
  'singan-reconstruction-photos': SINGAN_IMAGES,
};
/**
 * SPADE on the scenes beside pix2pix trained on the same (one-hot map, scene) pairs, under one budget: 2,000
 * steps per seed or the --minutes a seed is given, batch 8 (64 px scenes: a step costs about four of a
 * 32 px set's), the catalog's default networks. Scored by the mIoU of the scenes' segmenter on the
 * paintings of the held-out maps, beside its mIoU on the real held-out scenes.
 */
const painting = (family: string) => ({
  steps: 2000,
  batchSize: 8,
  sampleEvery: 250,
  family,
  dataset: 'scenes',
  hyperparameters: {},
});
Object.assign(EXPERIMENTS, {
  'spade-scenes': painting('spade'),
  'pix2pix-scenes': painting('pix2pix'),
});
const RESULTS = 'docs/results';

/** A captioned run's score: every stage's attributes read back as asked (trainer/eval/caption-match.ts). */
interface CaptionEval {
  kind: 'captions';
  createdAt: string;
  step: number;
  readerAccuracy?: ReaderRecord['heldOutAccuracy'];
  stages: Awaited<ReturnType<typeof stagesCaptionMatch>>['stages'];
}

/** The numbers a group summarises: eval.json's, or for a captioned run each stage's attributes in %. */
function metricsOf(e: EvalResult | CaptionEval): Record<string, MetricValue> {
  if (e.kind !== 'captions') return evalMetrics(e);
  return Object.fromEntries(
    e.stages.flatMap((s, k) =>
      Object.entries(s.accuracy).map(([name, v]) => [
        `stage${k + 1}.${name}`,
        { value: 100 * v, better: 'higher' as const },
      ]),
    ),
  );
}

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '15' },
    experiments: { type: 'string', default: Object.keys(EXPERIMENTS).join(',') },
    one: { type: 'string' },
    seeds: { type: 'string' },
    // In the user's cache, which outlives a checkout: a later session resumes the same seeds.
    runs: {
      type: 'string',
      default: join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ganzoo', 'quality-runs'),
    },
  },
});
const minutes = Number(args.minutes);

const seedsArg = args.seeds?.split(',').map(Number);
if (seedsArg?.some((n) => !Number.isInteger(n) || n < 0))
  throw new Error(`--seeds ${args.seeds}: whole numbers`);

/** A seed's training clock, kept in its folder so a later session spends only what is left of the budget. */
interface Ledger {
  trainSeconds: number;
  stepsTrained: number;
  /** The step its eval.json scores; a later session with more budget trains on and scores again. */
  evaluatedStep?: number;
}

const ledgerPath = (dir: string) => join(dir, 'bench.json');
const readLedger = (dir: string): Ledger =>
  existsSync(ledgerPath(dir))
    ? (JSON.parse(readFileSync(ledgerPath(dir), 'utf8')) as Ledger)
    : { trainSeconds: 0, stepsTrained: 0 };
const writeLedger = (dir: string, ledger: Ledger) =>
  writeFileSync(ledgerPath(dir), `${JSON.stringify(ledger, null, 2)}\n`);

async function runOne(name: string): Promise<void> {
  const base = EXPERIMENTS[name];
  if (!base) throw new Error(`unknown experiment '${name}' (known: ${Object.keys(EXPERIMENTS).join(', ')})`);
  const backend = await initBackend();
  const seeds = seedsArg ?? DEFAULT_SEEDS;
  const env = process.env.GANZOO_BACKEND ? `GANZOO_BACKEND=${process.env.GANZOO_BACKEND} ` : '';
  const command = `${env}npm run bench:quality -- --minutes ${minutes} --seeds ${seeds.join(',')} --experiments ${name}`;
  const group = expandGroup({
    spec: { steps: 1_000_000, sampleEvery: 250, checkpointEvery: 500, metricsEvery: 25, ...base },
    seeds,
  });
  if (!group.ok)
    throw new Error(`${name}: ${group.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `quality-${name}.json`);
  // Written after every seed, so an interrupted series still leaves the seeds it finished.
  const runs: Awaited<ReturnType<typeof trainAndEvaluate>>[] = [];
  const images = SEED_DATASETS[name];
  for (const [i, groupMember] of group.members.entries()) {
    const dataset = images?.[i % images.length];
    const member = dataset
      ? { ...groupMember, spec: { ...groupMember.spec, dataset: dataset as ExperimentSpec['dataset'] } }
      : groupMember;
    runs.push(await trainAndEvaluate(name, member, backend));
    const joined = groupEvaluation(
      runs.map((r) => ({ runId: r.runDir, varies: r.varies, metrics: metricsOf(r.evaluation) })),
    );
    const lines = Object.fromEntries(
      Object.entries(joined.metrics).map(([k, v]) => [k, formatSummary(v, 2)]),
    );
    const result = {
      experiment: name,
      command,
      budgetMinutes: minutes,
      seeds: runs.map((r) => r.spec.seed),
      seedsPlanned: seeds,
      group: { lines, ...joined },
      ...(runs.length === group.members.length
        ? { generator: keepMedianGenerator(name, joined.median?.runId) }
        : {}),
      runs,
    };
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  }
}

const KEPT_GENERATOR_BYTES = 5 * 1024 * 1024;

/** The median seed's generator copied into docs/results/generators/<experiment>/, or why it was not. */
function keepMedianGenerator(name: string, runDir: string | undefined): string {
  const to = join(RESULTS, 'generators', name);
  rmSync(to, { recursive: true, force: true });
  if (!runDir) return 'not kept: the seeds share no metric to take a median of';
  const from = join(runDir, 'generator');
  if (!existsSync(from)) return `not kept: ${from} has no exported generator`;
  const bytes = readdirSync(from).reduce((n, f) => n + statSync(join(from, f)).size, 0);
  if (bytes >= KEPT_GENERATOR_BYTES)
    return `not kept: the median seed's generator is ${(bytes / 2 ** 20).toFixed(1)} MB (over 5 MB)`;
  cpSync(from, to, { recursive: true });
  return to;
}

async function trainAndEvaluate(
  name: string,
  member: GroupMember,
  backend: Awaited<ReturnType<typeof initBackend>>,
) {
  const spec: ExperimentSpec = member.spec;
  const dir = resolve(args.runs, name, `seed-${spec.seed}`);
  mkdirSync(dir, { recursive: true });
  const artifacts = new LocalArtifactSink(dir);
  const ledger = readLedger(dir);
  const budget = minutes * 60 - ledger.trainSeconds;
  if (ledger.stepsTrained < spec.steps && budget > 0) {
    const stop = { requested: false };
    const t0 = Date.now();
    const spent = () => ledger.trainSeconds + (Date.now() - t0) / 1000;
    const timer = setTimeout(() => {
      stop.requested = true;
    }, budget * 1000);
    // The clock is kept as training goes, so a killed session loses at most a few seconds of its budget.
    const clock = setInterval(
      () => writeLedger(dir, { ...ledger, trainSeconds: Math.round(spent()) }),
      15_000,
    );
    const printer = progressPrinter();
    const outcome = await train({
      runId: `${name}-seed-${spec.seed}`,
      spec,
      artifacts,
      status: new FileStatusSink(dir),
      backend: backend.name,
      stop,
      onProgress: printer,
    }).finally(() => {
      clearTimeout(timer);
      clearInterval(clock);
    });
    if (outcome.status === 'FAILED' || outcome.status === 'CANCELLED')
      throw new Error(`${name} seed ${spec.seed}: ${outcome.reason}`);
    ledger.trainSeconds = Math.round(spent());
    ledger.stepsTrained = outcome.status === 'SUCCEEDED' ? outcome.steps : outcome.step;
    if (outcome.status === 'INTERRUPTED') {
      // Budget reached: export the generator as the end of a run would, from the checkpoint just written.
      const gan = buildGan(spec);
      const dataset = datasetInfo(spec.dataset);
      await loadCheckpoint(artifacts, gan, (await latestCheckpoint(artifacts))!);
      await exportGenerator(gan, spec, artifacts);
      const fixed = fixedSampleInputs(spec.seed, dataset, gan);
      await artifacts.put(runFiles.sample(ledger.stepsTrained), renderSamples(gan.generator, fixed, dataset));
      tf.dispose(sampleTensors(fixed));
    }
  }
  const evalFile = join(dir, runFiles.eval);
  const evaluation: EvalResult | CaptionEval =
    ledger.evaluatedStep === ledger.stepsTrained && existsSync(evalFile)
      ? (JSON.parse(readFileSync(evalFile, 'utf8')) as EvalResult | CaptionEval)
      : datasetInfo(spec.dataset).kind === 'captioned'
        ? await captionEvaluation(artifacts, spec, evalFile)
        : await evaluateRun(dir, { backend, spec });
  writeLedger(dir, { ...ledger, evaluatedStep: ledger.stepsTrained });
  return {
    varies: member.varies,
    budgetMinutes: minutes,
    trainSeconds: ledger.trainSeconds,
    stepsTrained: ledger.stepsTrained,
    imagesSeen: ledger.stepsTrained * spec.batchSize,
    backend: backend.name,
    spec,
    runDir: dir,
    evaluation,
  };
}

async function captionEvaluation(
  artifacts: LocalArtifactSink,
  spec: ExperimentSpec,
  evalFile: string,
): Promise<CaptionEval> {
  const reader = await loadAttributeReader();
  try {
    const { step, stages } = await stagesCaptionMatch(artifacts, spec, reader);
    const record = readReaderRecord();
    const result: CaptionEval = {
      kind: 'captions',
      createdAt: new Date().toISOString(),
      step,
      ...(record ? { readerAccuracy: record.heldOutAccuracy } : {}),
      stages,
    };
    writeFileSync(evalFile, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    reader.dispose();
  }
}

function spawnOne(name: string, side: number): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/quality.ts',
      '--one',
      name,
      '--minutes',
      String(minutes),
      ...(args.seeds ? ['--seeds', args.seeds] : []),
      '--runs',
      args.runs,
    ],
    {
      stdio: ['ignore', 'inherit', 'pipe'],
      // The experiments run side by side: each native trainer takes its share of the cores.
      env: { ...process.env, GANZOO_TRAINERS: process.env.GANZOO_TRAINERS ?? String(side) },
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
  // Named before anything runs, so a typo neither starts the others nor rewrites the summary.
  const unknown = names.filter((n) => !(n in EXPERIMENTS));
  if (unknown.length > 0)
    throw new Error(
      `unknown experiment ${unknown.join(', ')} (known: ${Object.keys(EXPERIMENTS).join(', ')})`,
    );
  const codes = await Promise.all(names.map((n) => spawnOne(n, names.length)));
  names.forEach((n, i) => {
    if (codes[i] !== 0) console.error(`${n} exited with ${codes[i]}; its results file was not written`);
  });
  // The summary covers every experiment with a results file, from this invocation or an earlier one.
  const summary = Object.keys(EXPERIMENTS)
    .filter((n) => existsSync(join(RESULTS, `quality-${n}.json`)))
    .map((n) => {
      const r = JSON.parse(readFileSync(join(RESULTS, `quality-${n}.json`), 'utf8'));
      if (r.group) {
        // Written as a group: every metric as mean ± sd (min-max, n).
        return {
          experiment: n,
          date: r.runs[0]?.evaluation.createdAt,
          budgetMinutes: r.budgetMinutes,
          stepsTrained: r.runs.map((run: { stepsTrained: number }) => run.stepsTrained),
          seeds: r.seeds,
          ...r.group.lines,
        };
      }
      // Files written before groups: a seed series, or one run.
      if (r.aggregate) {
        const { modes, hqPercent } = r.aggregate;
        return {
          experiment: n,
          date: r.runs[0]?.evaluation.createdAt,
          budgetMinutes: r.budgetMinutes,
          stepsTrained: r.runs[0]?.stepsTrained,
          seeds: r.seeds,
          modes: `${modes.mean} +- ${modes.sd} (${modes.values.join(', ')})`,
          hqPercent: `${hqPercent.mean} +- ${hqPercent.sd} (${hqPercent.values.join(', ')})`,
        };
      }
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
          : e.kind === 'translation'
            ? Object.fromEntries(Object.entries(evalMetrics(e)).map(([k, m]) => [k, m.value]))
            : { modes: `${e.modes.modesCovered}/${e.modes.modesTotal}`, hqPercent: e.modes.hqPercent }),
      };
    });
  writeFileSync(join(RESULTS, 'quality.json'), `${JSON.stringify({ summary }, null, 2)}\n`);
  console.table(summary);
}
