/**
 * Checkpoints: every network's weights (moving statistics included), every optimizer's state, the family's
 * other state (Gan.state: a history pool), and the step.
 * Randomness is derived from (seed, step) (data/rng.ts), so the step restores it. state.json is written
 * last; a folder without it is an interrupted write and is ignored.
 */
import * as tf from '@tensorflow/tfjs';
import { runFiles, stepOfKey } from '../shared/keys.ts';
import type { Gan } from './gan.ts';
import { type ArtifactSink, locationOf } from './sinks/types.ts';

export interface CheckpointState {
  step: number;
  seed: number;
  attempt: number;
  backend: string;
  savedAt: string;
  /** Every random draw is a function of (seed, purpose, step): see trainer/data/rng.ts. */
  rng: { scheme: 'derived-per-step'; seed: number; step: number };
  /**
   * A family with stages: the stage the next step trains in and its fade-in alpha there. Both follow from
   * the step (trainer/stages.ts), so a resume derives them rather than reading them back; they are
   * recorded for people and tools (and a test checks they agree).
   */
  stage?: { index: number; name: string; alpha: number };
}

type NamedTensor = { name: string; tensor: tf.Tensor };

const decoder = new TextDecoder();

async function putTensors(
  sink: ArtifactSink,
  dir: string,
  name: string,
  tensors: NamedTensor[],
): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  await sink.put(`${dir}${name}.bin`, new Uint8Array(data), 'application/octet-stream');
  await sink.put(`${dir}${name}.json`, JSON.stringify(specs), 'application/json');
}

async function getTensors(sink: ArtifactSink, dir: string, name: string): Promise<NamedTensor[]> {
  const specsBytes = await sink.get(`${dir}${name}.json`);
  const data = await sink.get(`${dir}${name}.bin`);
  if (!specsBytes || !data) throw new Error(`checkpoint ${locationOf(sink, dir)} lacks ${name}`);
  const specs = JSON.parse(decoder.decode(specsBytes)) as tf.io.WeightsManifestEntry[];
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const map = tf.io.decodeWeights(buffer, specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name]! }));
}

/**
 * Adam's running powers beta^t. setWeights recomputes them as pow(beta, t), which can differ in the last
 * bit from the running product training keeps (beta2 = 0.9, say), so a resumed run would drift from an
 * uninterrupted one; they are saved and restored as they are.
 */
function adamPowers(optimizer: tf.Optimizer): [string, tf.Variable][] {
  const o = optimizer as unknown as Record<string, unknown>;
  return (['accBeta1', 'accBeta2'] as const)
    .filter((key) => o[key] instanceof tf.Variable)
    .map((key) => [key, o[key] as tf.Variable]);
}

export async function saveCheckpoint(sink: ArtifactSink, gan: Gan, state: CheckpointState): Promise<void> {
  const dir = runFiles.checkpoint(state.step);
  for (const [name, net] of Object.entries(gan.nets)) {
    // Index names: tfjs variable names differ between processes, the weight order does not.
    await putTensors(
      sink,
      dir,
      `net-${name}`,
      net.weights.map((w, i) => ({ name: `w${i}`, tensor: w.read() })),
    );
  }
  if (gan.state)
    await putTensors(
      sink,
      dir,
      'family-state',
      Object.entries(gan.state).map(([name, v]) => ({ name, tensor: v })),
    );
  for (const [name, optimizer] of Object.entries(gan.optimizers)) {
    const weights = await optimizer.getWeights();
    await putTensors(sink, dir, `opt-${name}`, [
      ...weights.map((w, i) => ({ name: `s${i}`, tensor: w.tensor })),
      ...adamPowers(optimizer).map(([key, v]) => ({ name: key, tensor: v as tf.Tensor })),
    ]);
    // getWeights makes a fresh scalar for the iteration count; the rest are the optimizer's own variables.
    tf.dispose(weights.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor));
  }
  await sink.put(runFiles.checkpointState(state.step), JSON.stringify(state, null, 2), 'application/json');
}

/** The highest complete checkpoint's step, or undefined. */
export async function latestCheckpoint(sink: ArtifactSink): Promise<number | undefined> {
  const keys = await sink.list(runFiles.checkpointsDir);
  const steps = keys.filter((k) => k.endsWith('/state.json')).map((k) => stepOfKey(k)!);
  return steps.length ? Math.max(...steps) : undefined;
}

export async function loadCheckpoint(sink: ArtifactSink, gan: Gan, step: number): Promise<CheckpointState> {
  const dir = runFiles.checkpoint(step);
  const stateBytes = await sink.get(runFiles.checkpointState(step));
  if (!stateBytes) throw new Error(`no complete checkpoint at step ${step} in ${sink.location}`);
  for (const [name, net] of Object.entries(gan.nets)) {
    const tensors = await getTensors(sink, dir, `net-${name}`);
    if (tensors.length !== net.weights.length) {
      throw new Error(
        `checkpoint step ${step}: ${name} has ${tensors.length} weights, the model ${net.weights.length}`,
      );
    }
    net.weights.forEach((w, i) => {
      const t = tensors[i]!.tensor;
      if (!tf.util.arraysEqual(t.shape, w.shape as number[])) {
        throw new Error(
          `checkpoint step ${step}: ${name} weight ${i} has shape [${t.shape}], the model [${w.shape}]`,
        );
      }
      w.write(t);
    });
    tf.dispose(tensors.map((t) => t.tensor));
  }
  if (gan.state) {
    const tensors = await getTensors(sink, dir, 'family-state');
    for (const [name, v] of Object.entries(gan.state)) {
      const t = tensors.find((s) => s.name === name)?.tensor;
      if (!t || !tf.util.arraysEqual(t.shape, v.shape))
        throw new Error(
          `checkpoint step ${step}: state '${name}' is ${t ? `[${t.shape}]` : 'missing'}, the run's [${v.shape}]`,
        );
      v.assign(t);
    }
    tf.dispose(tensors.map((t) => t.tensor));
  }
  for (const [name, optimizer] of Object.entries(gan.optimizers)) {
    const tensors = await getTensors(sink, dir, `opt-${name}`);
    await optimizer.setWeights(tensors.filter((t) => !t.name.startsWith('accBeta')));
    for (const [key, v] of adamPowers(optimizer)) {
      const saved = tensors.find((t) => t.name === key);
      if (saved) v.assign(saved.tensor);
    }
    tf.dispose(tensors.map((t) => t.tensor));
  }
  return JSON.parse(decoder.decode(stateBytes)) as CheckpointState;
}
