/**
 * One training step of any family: each phase computes its loss and updates its networks. Shared by the
 * loop and the speed benchmark, so what is benchmarked is what trains.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingData } from './data/index.ts';
import type { Gan, StepInputs } from './families/types.ts';
import { labelBatch, latentBatch } from './latents.ts';

/** Trainable variables of the named networks, in a stable order. */
function variablesOf(gan: Gan, names: string[]): tf.Variable[] {
  return names.flatMap((n) => {
    const net = gan.nets[n];
    if (!net) throw new Error(`phase updates unknown network '${n}'`);
    return net.trainableWeights.map((w) => w.read() as tf.Variable);
  });
}

/** Returns a function that runs one step and gives back loss/{phase} and the diagnostics as numbers. */
export function createStepper(gan: Gan): (inputs: StepInputs) => Record<string, number> {
  const phases = gan.phases.map((p) => {
    const opt = gan.optimizers[p.optimizer];
    if (!opt) throw new Error(`phase ${p.name} uses unknown optimizer '${p.optimizer}'`);
    return { ...p, vars: variablesOf(gan, p.updates), opt };
  });
  return (inputs) => {
    const values: Record<string, number> = {};
    for (const phase of phases) {
      const kept: Record<string, tf.Scalar> = {};
      const cost = phase.opt.minimize(
        () => {
          const r = phase.loss(inputs);
          for (const [k, v] of Object.entries(r.metrics ?? {})) kept[k] = tf.keep(v);
          return r.loss;
        },
        true,
        phase.vars,
      )!;
      values[`loss/${phase.name}`] = cost.dataSync()[0]!;
      for (const [k, v] of Object.entries(kept)) values[k] = v.dataSync()[0]!;
      tf.dispose([cost, ...Object.values(kept)]);
    }
    return values;
  };
}

/**
 * Step `step`'s inputs: the real batch and its labels, z, and the labels a conditional generator is asked
 * for; every one a function of (seed, step), so a resumed run sees what an uninterrupted one would.
 */
export function stepInputs(
  gan: Gan,
  data: TrainingData,
  seed: number,
  step: number,
  batchSize: number,
): StepInputs {
  const batch = data.batch(step, batchSize);
  const z = latentBatch(seed, step, batchSize, gan.latentDim);
  const fakeLabels = gan.conditional ? labelBatch(seed, step, batchSize, gan.conditional.classes) : undefined;
  return { real: batch.x, labels: batch.labels, z, step, ...(fakeLabels ? { fakeLabels } : {}) };
}

export function disposeStepInputs(inputs: StepInputs): void {
  tf.dispose([inputs.real, inputs.labels, inputs.z, ...(inputs.fakeLabels ? [inputs.fakeLabels] : [])]);
}
