/**
 * A family's stages as the loop, the stepper and checkpoints read them: each with the steps it covers and
 * its fade-in alpha at a step. A family without stages is one stage over the whole run, named "".
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunStage } from '../shared/stages.ts';
import type { Gan, Phase, Stage, StepInputs } from './gan.ts';

export interface ResolvedStage {
  index: number;
  name: string;
  /** First step of the stage (0-based, as StepInputs.step counts). */
  start: number;
  /** The step it ends before; Infinity for the last. */
  end: number;
  phases: Phase[];
  generator: tf.LayersModel;
  generate?: (inputs: StepInputs) => tf.Tensor;
  resolution?: [number, number];
  fade?: Stage['fade'];
}

const resolved = new WeakMap<Gan, ResolvedStage[]>();

/** The stages of `gan`, checked once: ranges in order, only the last one open, fades inside their stage. */
export function stagesOf(gan: Gan): ResolvedStage[] {
  const known = resolved.get(gan);
  if (known) return known;
  const stages: ResolvedStage[] = gan.stages
    ? resolveStages(gan.stages)
    : [
        {
          index: 0,
          name: '',
          start: 0,
          end: Number.POSITIVE_INFINITY,
          phases: gan.phases,
          generator: gan.generator,
          ...(gan.generate ? { generate: gan.generate } : {}),
        },
      ];
  if (gan.stages && gan.phases.length > 0)
    throw new Error('a family with stages declares its phases per stage, not in Gan.phases');
  resolved.set(gan, stages);
  return stages;
}

function resolveStages(stages: Stage[]): ResolvedStage[] {
  if (stages.length === 0) throw new Error('a family declared stages but none');
  let start = 0;
  return stages.map((s, index) => {
    const last = index === stages.length - 1;
    if (last !== (s.until === undefined))
      throw new Error(
        `stage ${index} (${s.name}): only the last stage runs to the end; every other needs 'until'`,
      );
    const end = s.until ?? Number.POSITIVE_INFINITY;
    if (!Number.isInteger(start) || end <= start)
      throw new Error(`stage ${index} (${s.name}) ends at step ${end}, not after its start ${start}`);
    if (s.fade && (!Number.isInteger(s.fade.steps) || s.fade.steps < 1 || start + s.fade.steps > end))
      throw new Error(`stage ${index} (${s.name}): its fade of ${s.fade.steps} steps does not fit the stage`);
    const { until: _until, ...rest } = s;
    const stage: ResolvedStage = { ...rest, index, start, end };
    start = end;
    return stage;
  });
}

/** The stage step `step` (0-based) trains in; past the last stage's start, the last. */
export function stageAt(gan: Gan, step: number): ResolvedStage {
  const stages = stagesOf(gan);
  return stages.find((s) => step < s.end) ?? stages.at(-1)!;
}

/** The stage's fade-in alpha at `step`: 0 at its first step rising linearly to 1 over fade.steps; 1 after. */
export function alphaAt(stage: ResolvedStage, step: number): number {
  if (!stage.fade) return 1;
  return Math.min(1, Math.max(0, (step - stage.start) / stage.fade.steps));
}

/** Sets the fade of the stage step `step` trains in, so its networks blend as that step's do. */
export function enterStep(gan: Gan, step: number): { stage: ResolvedStage; alpha: number } {
  const stage = stageAt(gan, step);
  const alpha = alphaAt(stage, step);
  stage.fade?.set(alpha);
  return { stage, alpha };
}

/** The stages as the run folder's stages.json lists them (shared/stages.ts), ended at the run's steps. */
export function runStages(gan: Gan, steps: number): RunStage[] {
  return stagesOf(gan)
    .filter((s) => s.start < steps)
    .map((s) => ({
      index: s.index,
      name: s.name,
      start: s.start,
      end: Math.min(s.end, steps),
      ...(s.resolution ? { resolution: s.resolution } : {}),
      ...(s.fade ? { fadeSteps: s.fade.steps } : {}),
    }));
}
