/**
 * One training step of any family: each phase computes its loss and updates its networks. Shared by the
 * loop and the speed benchmark, so what is benchmarked is what trains.
 */
import * as tf from '@tensorflow/tfjs';
import { resizeImages } from '../shared/layers/resize.ts';
import type { TrainingData } from './data/index.ts';
import type { Gan, Phase, PhaseResult, StepInputs } from './gan.ts';
import { codeBatch, labelBatch, latentBatch, poseBatch } from './latents.ts';
import { alphaAt, type ResolvedStage, stageAt, stagesOf } from './stages.ts';

/** Trainable variables of the named networks, in a stable order. */
function variablesOf(gan: Gan, names: string[]): tf.Variable[] {
  return names.flatMap((n) => {
    const net = gan.nets[n];
    if (!net) throw new Error(`phase updates unknown network '${n}'`);
    return net.trainableWeights.map((w) => w.read() as tf.Variable);
  });
}

type StepperPhase = Phase & { repeat: (step: number) => number; vars: tf.Variable[]; opt: tf.Optimizer };

/**
 * Returns a function that runs one step on its draws (stepInputs) and gives back loss/{phase} and the
 * diagnostics as numbers. A phase repeated r times updates once on each of the first r draws, calling its
 * afterUpdate hook after each update; its values are averaged over the updates. With Gan.generate, G runs
 * once on the first draw and the phases up to G's own share its output (sharedFakePhase).
 */
export function createStepper(gan: Gan): (draws: StepInputs[]) => Record<string, number> {
  // One stepper per stage, each over its own phases; a step runs its stage's.
  const steppers = stagesOf(gan).map((stage) => stageStepper(gan, stage));
  return (draws) => steppers[draws[0]!.stage]!(draws);
}

function stageStepper(gan: Gan, stage: ResolvedStage): (draws: StepInputs[]) => Record<string, number> {
  const phases: StepperPhase[] = stage.phases.map((p) => {
    const opt = gan.optimizers[p.optimizer];
    if (!opt) throw new Error(`phase ${p.name} uses unknown optimizer '${p.optimizer}'`);
    return { ...p, repeat: (step: number) => repeatOf(p, step), vars: variablesOf(gan, p.updates), opt };
  });
  const shared = sharedFakePhase(gan, stage, phases);
  return (draws) => {
    const values: Record<string, number> = {};
    const run = (
      phase: StepperPhase,
      phaseDraws = draws,
      lossOf: (draw: StepInputs) => PhaseResult = phase.loss,
    ) => {
      const repeat = phase.repeat(phaseDraws[0]!.step);
      if (phaseDraws.length < repeat)
        throw new Error(
          `phase ${phase.name} repeats ${repeat} times but the step has ${phaseDraws.length} draws`,
        );
      const sums: Record<string, number> = {};
      for (let r = 0; r < repeat; r++) {
        const kept: Record<string, tf.Scalar> = {};
        const cost = phase.opt.minimize(
          () => {
            const result = lossOf(phaseDraws[r]!);
            for (const [k, v] of Object.entries(result.metrics ?? {})) kept[k] = tf.keep(v);
            return result.loss;
          },
          true,
          phase.vars,
        )!;
        if (phase.afterUpdate) tf.tidy(phase.afterUpdate);
        sums[`loss/${phase.name}`] = (sums[`loss/${phase.name}`] ?? 0) + cost.dataSync()[0]!;
        for (const [k, v] of Object.entries(kept)) sums[k] = (sums[k] ?? 0) + v.dataSync()[0]!;
        tf.dispose([cost, ...Object.values(kept)]);
      }
      for (const [k, v] of Object.entries(sums)) values[k] = v / repeat;
    };
    phases.forEach((phase, i) => {
      if (shared === undefined || i > shared.index) run(phase);
      else if (i === shared.index)
        // G's update: inside its gradient scope, G runs once, then the phases before it update on that
        // output. Their updates write D's variables, which G's gradient sees as leaves, so it is the same
        // gradient as with a fresh G forward after them.
        run(phase, draws, (draw) => {
          const withFake = { ...draw, fake: shared.generate(draw) };
          const sharing = [withFake, ...draws.slice(1)];
          for (const before of phases.slice(0, i)) run(before, sharing);
          return phase.loss(withFake);
        });
    });
    return values;
  };
}

/**
 * Where a step can share G's output: the family sets Gan.generate, and the one phase that updates the
 * generator's network makes a single update (on the first draw, which every phase starts with).
 */
function sharedFakePhase(
  gan: Gan,
  stage: ResolvedStage,
  phases: StepperPhase[],
): { index: number; generate: (draw: StepInputs) => tf.Tensor } | undefined {
  const generate = stage.generate;
  if (generate === undefined) return undefined;
  const name = Object.keys(gan.nets).find((n) => gan.nets[n] === stage.generator);
  const updatingG = phases.flatMap((p, i) => (name !== undefined && p.updates.includes(name) ? [i] : []));
  // G's one update must be a single one at every step (a fixed repeat of 1).
  if (updatingG.length !== 1 || (stage.phases[updatingG[0]!]!.repeat ?? 1) !== 1) return undefined;
  return { index: updatingG[0]!, generate };
}

function repeatOf(phase: Phase, step: number): number {
  const r = typeof phase.repeat === 'function' ? phase.repeat(step) : (phase.repeat ?? 1);
  if (!Number.isInteger(r) || r < 1)
    throw new Error(`phase ${phase.name}: repeat must be an integer >= 1, got ${r} at step ${step}`);
  return r;
}

/** Draws of data and latents in step `step`: the most updates any phase makes (n_critic), else 1. */
export function drawsPerStep(gan: Gan, step: number): number {
  return Math.max(1, ...stageAt(gan, step).phases.map((p) => repeatOf(p, step)));
}

/** The run's draws before step `step`: every earlier step's, added up where they change with the step. */
export function drawsBefore(gan: Gan, step: number): number {
  const stages = stagesOf(gan);
  if (stages.length === 1 && stages[0]!.phases.every((p) => typeof p.repeat !== 'function'))
    return step * drawsPerStep(gan, 0);
  // Steps come in order, so the sum goes on from the last one asked for instead of from step 0 each time.
  let sum = sums.get(gan);
  if (sum === undefined || sum.step > step) sum = { step: 0, total: 0 };
  for (; sum.step < step; sum.step++) sum.total += drawsPerStep(gan, sum.step);
  sums.set(gan, sum);
  return sum.total;
}

const sums = new WeakMap<Gan, { step: number; total: number }>();

/**
 * Step `step`'s inputs, one per draw (drawsPerStep): the real batch, its labels, captions and other images, z, the
 * labels a conditional generator is asked for, the codes of a generator with latent codes and the pose of one with a
 * pose. Draw r of step s is
 * number drawsBefore(s) + r of the run, and every input is a function of (seed, draw number), so a resumed
 * run sees what an uninterrupted one would; with one draw per step it is the step.
 */
export function stepInputs(
  gan: Gan,
  data: TrainingData,
  seed: number,
  step: number,
  batchSize: number,
): StepInputs[] {
  const first = drawsBefore(gan, step);
  const stage = stageAt(gan, step);
  return Array.from({ length: drawsPerStep(gan, step) }, (_, r) => {
    const draw = first + r;
    const { x, labels, pose: recordedPose, ...images } = data.batch(draw, batchSize);
    // A posed set's recorded poses are never seen by D; G's poses are drawn below.
    recordedPose?.dispose();
    // A stage below the set's resolution (a Progressive GAN's 4x4) trains on its images averaged down.
    const real = stage.resolution ? downsample(x, stage.resolution) : x;
    const z = latentBatch(seed, draw, batchSize, gan.latentDim, gan.latentNoise);
    const fakeLabels = gan.conditional
      ? labelBatch(seed, draw, batchSize, gan.conditional.classes)
      : undefined;
    const codes = gan.codes ? codeBatch(seed, draw, batchSize, gan.codes) : undefined;
    const pose = gan.pose ? poseBatch(seed, draw, batchSize, gan.pose) : undefined;
    return {
      ...images,
      real,
      labels,
      z,
      step,
      draw,
      seed,
      stage: stage.index,
      alpha: alphaAt(stage, step),
      ...(fakeLabels ? { fakeLabels } : {}),
      ...(codes ? { codes } : {}),
      ...(pose ? { pose } : {}),
    };
  });
}

/** Every tensor of the draws: the batch's, z, and the labels or codes drawn for G. */
export function disposeStepInputs(draws: StepInputs[]): void {
  for (const d of draws) tf.dispose(Object.values(d).filter((t): t is tf.Tensor => t instanceof tf.Tensor));
}

/**
 * Images [B, H, W, C] brought to [h, w]: by averaging whole blocks where the sides divide (a Progressive
 * GAN's resolutions), else by shared/layers/resize.ts's antialiased resize (SinGAN's scales, 0.75 apart). The input
 * is disposed when it is replaced.
 */
export function downsample(x: tf.Tensor, [h, w]: [number, number]): tf.Tensor {
  const [, height, width] = x.shape as number[];
  if (height === h && width === w) return x;
  const small = tf.tidy(() =>
    height! % h === 0 && width! % w === 0
      ? tf.avgPool(x as tf.Tensor4D, [height! / h, width! / w], [height! / h, width! / w], 'valid')
      : resizeImages(x as tf.Tensor4D, [h, w]),
  );
  x.dispose();
  return small;
}
