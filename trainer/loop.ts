/**
 * The one training loop, for every family: build, resume from the latest checkpoint, then per step run the
 * family's phases; every metricsEvery steps a metrics line, every sampleEvery a sample grid, every
 * checkpointEvery a checkpoint; heartbeats to the status sink; a NaN/Inf guard; on a stop request (SIGTERM)
 * a checkpoint and a clean return; at the end the generator exported for the browser.
 */
import { isDeepStrictEqual } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { datasetInfo } from '../shared/datasets.ts';
import { runFiles, stepOfKey } from '../shared/keys.ts';
import { isTerminal, jobOwnsRun, type RunJob, type RunProgress } from '../shared/run.ts';
import { type ExperimentSpec, parseStoredSpec } from '../shared/spec.ts';
import { RetriesExhausted } from '../shared/storage/retry.ts';
import { type CheckpointState, latestCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { openDataset } from './data/index.ts';
import { familyImplementation } from './families/index.ts';
import { disposeGan, type Gan } from './gan.ts';
import { exportGenerator } from './generator.ts';
import { Init } from './nn/init.ts';
import { fixedSampleInputs, renderSamples } from './samples.ts';
import type { ArtifactSink, StatusSink, TrainerStatus } from './sinks/types.ts';
import { alphaAt, enterStep, runStages, stageAt } from './stages.ts';
import { createStepper, disposeStepInputs, stepInputs } from './step.ts';

export interface MetricsLine {
  step: number;
  time: string;
  /** loss/{phase} and the families' diagnostics, e.g. "D(x)". */
  values: Record<string, number>;
  imagesPerSecond: number;
  stepMs: number;
  backend: string;
  attempt: number;
  /** A family with stages: the stage's index and name, and its fade-in alpha at this step. */
  stage?: { index: number; name: string; alpha: number };
}

export interface ProgressEvent extends RunProgress {
  kind: 'start' | 'step' | 'sample' | 'checkpoint' | 'done';
  resumedFrom?: number;
}

export interface TrainOptions {
  runId: string;
  spec: ExperimentSpec;
  /**
   * The spec was read from this run's spec.json (the job does): it is not written or compared again. Else
   * a fresh run folder gets the spec, and a folder holding another spec is refused.
   */
  specStored?: boolean;
  artifacts: ArtifactSink;
  status: StatusSink;
  backend: string;
  attempt?: number;
  /** The Batch job this process runs as; a job the run has moved away from (a resume) does not train. */
  job?: RunJob;
  /** Set `requested` (e.g. from a SIGTERM handler) to checkpoint and return at the end of the current step. */
  stop?: { requested: boolean };
  onProgress?: (p: ProgressEvent) => void;
  heartbeatMs?: number;
  /** Runs after the generator is exported and before SUCCEEDED is reported (the end-of-run evaluation). */
  evaluate?: () => Promise<void>;
  /** Builds the networks; defaults to the spec's family. Tests pass their own to exercise the loop's guards. */
  build?: (spec: ExperimentSpec) => Gan;
}

export type TrainOutcome =
  | { status: 'SUCCEEDED'; steps: number }
  | { status: 'FAILED'; reason: string; step: number }
  | { status: 'INTERRUPTED'; step: number }
  | { status: 'CANCELLED'; reason: string; step: number };

const decoder = new TextDecoder();

export function buildGan(spec: ExperimentSpec): Gan {
  return familyImplementation(spec.family).build({
    hyperparameters: spec.hyperparameters,
    steps: spec.steps,
    dataset: datasetInfo(spec.dataset),
    init: new Init(spec.seed),
  });
}

/** The spec with its defaults filled in as a stored one is read, or undefined when it is not valid. */
function withDefaults(spec: unknown): ExperimentSpec | undefined {
  try {
    return parseStoredSpec(spec);
  } catch {
    return undefined;
  }
}

async function ensureSpec(artifacts: ArtifactSink, spec: ExperimentSpec): Promise<void> {
  const existing = await artifacts.get(runFiles.spec);
  if (existing === undefined) {
    return artifacts.put(runFiles.spec, JSON.stringify(spec, null, 2), 'application/json');
  }
  // Compared once parsed (the given spec is), so a spec stored before a field with a default was added
  // still matches.
  if (!isDeepStrictEqual(withDefaults(JSON.parse(decoder.decode(existing))), spec)) {
    throw new Error(
      `${artifacts.location} already holds a run with a different spec; use a new run id or folder`,
    );
  }
}

async function readMetrics(artifacts: ArtifactSink, upToStep: number): Promise<string[]> {
  const bytes = await artifacts.get(runFiles.metrics);
  if (!bytes) return [];
  // Lines past the checkpoint belong to steps that will be trained again: drop them so no step repeats.
  return decoder
    .decode(bytes)
    .split('\n')
    .filter((l) => l.trim() && (JSON.parse(l) as MetricsLine).step <= upToStep);
}

export async function train(o: TrainOptions): Promise<TrainOutcome> {
  const { spec, artifacts } = o;
  if (!o.specStored) await ensureSpec(artifacts, spec);
  const previous = await o.status.read(o.runId);
  if (previous && isTerminal(previous.status)) {
    if (previous.status === 'SUCCEEDED') return { status: 'SUCCEEDED', steps: spec.steps };
    // A cancelled run never trains again: Batch retries the job its cancel stopped (SIGTERM, exit 143),
    // and that attempt must end at once, without a step, rather than fail or carry on.
    if (previous.status === 'CANCELLED') {
      return {
        status: 'CANCELLED',
        reason: `run ${o.runId} was cancelled${previous.reason ? ` (${previous.reason})` : ''}; not training it again`,
        step: previous.progress?.step ?? 0,
      };
    }
    throw new Error(
      `run ${o.runId} already ended as ${previous.status}${previous.reason ? ` (${previous.reason})` : ''}; start a new run`,
    );
  }
  if (o.job && previous && !jobOwnsRun(previous, o.job)) {
    return {
      status: 'CANCELLED',
      reason: `job ${o.job.id} no longer trains run ${o.runId}: it was resumed as attempt ${previous.attempt}${previous.jobId ? ` (job ${previous.jobId})` : ''}`,
      step: previous.progress?.step ?? 0,
    };
  }
  // A restart of a run that had started is a new attempt (Batch passes its own count in o.attempt).
  const attempt =
    o.attempt ??
    (previous
      ? previous.attempt + (previous.status === 'STARTING' || previous.status === 'RUNNING' ? 1 : 0)
      : 1);
  const heartbeatMs = o.heartbeatMs ?? 5000;
  const dataset = datasetInfo(spec.dataset);

  const gan = (o.build ?? buildGan)(spec);
  const data = openDataset(spec.dataset, spec.seed);
  const runStep = createStepper(gan);
  const fixedInputs = fixedSampleInputs(spec.seed, dataset, gan);

  const resumeStep = await latestCheckpoint(artifacts);
  let step = 0;
  if (resumeStep !== undefined) step = (await loadCheckpoint(artifacts, gan, resumeStep)).step;
  const metrics = await readMetrics(artifacts, step);
  const sampled = new Set((await artifacts.list(runFiles.samplesDir)).map((k) => stepOfKey(k)));

  let lastProgress: RunProgress = { step, totalSteps: spec.steps, backend: o.backend };
  const report = async (status: TrainerStatus['status'], reason?: string, phase?: RunProgress['phase']) => {
    await o.status.report({
      runId: o.runId,
      status,
      attempt,
      progress: phase ? { ...lastProgress, phase } : lastProgress,
      ...(reason ? { reason } : {}),
    });
  };
  await report('STARTING');
  o.onProgress?.({
    ...lastProgress,
    kind: 'start',
    ...(resumeStep !== undefined ? { resumedFrom: step } : {}),
  });

  let metricsDirty = false;
  const flushMetrics = async () => {
    if (!metricsDirty) return;
    await artifacts.put(runFiles.metrics, metrics.map((l) => `${l}\n`).join(''), 'application/x-ndjson');
    metricsDirty = false;
  };
  const writeSample = async (at: number) => {
    if (sampled.has(at)) return; // written by an earlier attempt: samples are never overwritten
    // The generator of the stage that trained the last step, blending as it did then.
    const { stage } = enterStep(gan, Math.max(0, at - 1));
    const png = renderSamples(stage.generator, fixedInputs, dataset);
    await artifacts.put(runFiles.sample(at), png, 'image/png');
    sampled.add(at);
    lastProgress = { ...lastProgress, lastSampleStep: at };
    o.onProgress?.({ ...lastProgress, kind: 'sample' });
  };
  const checkpoint = async (at: number) => {
    const next = stageAt(gan, at);
    const state: CheckpointState = {
      step: at,
      seed: spec.seed,
      attempt,
      backend: o.backend,
      savedAt: new Date().toISOString(),
      rng: { scheme: 'derived-per-step', seed: spec.seed, step: at },
      ...(gan.stages ? { stage: { index: next.index, name: next.name, alpha: alphaAt(next, at) } } : {}),
    };
    await flushMetrics();
    await saveCheckpoint(artifacts, gan, state);
    o.onProgress?.({ ...lastProgress, kind: 'checkpoint' });
  };

  try {
    if (gan.stages && (await artifacts.get(runFiles.stages)) === undefined)
      await artifacts.put(
        runFiles.stages,
        JSON.stringify(runStages(gan, spec.steps), null, 2),
        'application/json',
      );
    if (step === 0) await writeSample(0);
    await report('RUNNING');
    let lastBeat = Date.now();
    let lastFlush = Date.now();
    let windowStart = performance.now();
    let windowSteps = 0;
    let emaStepMs = 0;

    while (step < spec.steps) {
      const t0 = performance.now();
      const { stage, alpha } = enterStep(gan, step);
      const inputs = stepInputs(gan, data, spec.seed, step, spec.batchSize);
      const values = runStep(inputs);
      disposeStepInputs(inputs);
      step += 1;

      const bad = Object.entries(values).find(([, v]) => !Number.isFinite(v));
      if (bad) {
        const last = await latestCheckpoint(artifacts);
        const reason = `diverged at step ${step}: ${bad[0]} = ${bad[1]}; last good checkpoint: ${last === undefined ? 'none' : `step ${last}`}`;
        await flushMetrics();
        await report('FAILED', reason);
        return { status: 'FAILED', reason, step };
      }

      const stepMs = performance.now() - t0;
      emaStepMs = emaStepMs === 0 ? stepMs : 0.9 * emaStepMs + 0.1 * stepMs;
      windowSteps += 1;
      const now = performance.now();
      const imagesPerSecond = (windowSteps * spec.batchSize * 1000) / Math.max(1e-6, now - windowStart);
      lastProgress = {
        step,
        totalSteps: spec.steps,
        imagesPerSecond,
        etaSeconds: ((spec.steps - step) * emaStepMs) / 1000,
        backend: o.backend,
        losses: { ...values },
        ...(lastProgress.lastSampleStep !== undefined ? { lastSampleStep: lastProgress.lastSampleStep } : {}),
      };
      o.onProgress?.({ ...lastProgress, kind: 'step' });

      if (step % spec.metricsEvery === 0 || step === spec.steps) {
        const line: MetricsLine = {
          step,
          time: new Date().toISOString(),
          values: { ...values },
          imagesPerSecond: Math.round(imagesPerSecond * 10) / 10,
          stepMs: Math.round((((now - windowStart) / windowSteps) * 10) / 10),
          backend: o.backend,
          attempt,
          ...(gan.stages ? { stage: { index: stage.index, name: stage.name, alpha } } : {}),
        };
        metrics.push(JSON.stringify(line));
        metricsDirty = true;
        windowStart = now;
        windowSteps = 0;
      }
      // Every stage's last step is sampled too, so the gallery shows what each stage ended with.
      if (step % spec.sampleEvery === 0 || step === spec.steps || step === stage.end) await writeSample(step);
      if (step % spec.checkpointEvery === 0 && step !== spec.steps) await checkpoint(step);
      if (Date.now() - lastFlush > heartbeatMs) {
        await flushMetrics();
        lastFlush = Date.now();
      }
      if (Date.now() - lastBeat > heartbeatMs) {
        await report('RUNNING');
        lastBeat = Date.now();
      }
      if (o.stop?.requested && step < spec.steps) {
        if (step % spec.checkpointEvery !== 0) await checkpoint(step);
        await flushMetrics();
        return { status: 'INTERRUPTED', step };
      }
      // Let signals and I/O callbacks run between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }

    if ((await latestCheckpoint(artifacts)) !== spec.steps) await checkpoint(spec.steps);
    await flushMetrics();
    await exportGenerator(gan, spec, artifacts);
    lastProgress = { ...lastProgress, step: spec.steps, etaSeconds: 0 };
    if (o.evaluate) {
      await report('RUNNING', undefined, 'evaluating');
      await o.evaluate();
    }
    await report('SUCCEEDED');
    o.onProgress?.({ ...lastProgress, kind: 'done' });
    return { status: 'SUCCEEDED', steps: spec.steps };
  } catch (err) {
    if (err instanceof Error && err.name === 'StatusRefused') {
      return { status: 'CANCELLED', reason: err.message, step };
    }
    if (err instanceof RetriesExhausted) {
      // Storage stayed down past the retries: say so on the run (if the status store is still reachable),
      // rather than leave it RUNNING for the job's bare exit code to explain.
      await report('FAILED', err.message).catch(() => {});
      return { status: 'FAILED', reason: err.message, step };
    }
    throw err;
  } finally {
    tf.dispose([...fixedInputs.inputs, ...(fixedInputs.targets ?? [])]);
    disposeGan(gan);
  }
}
