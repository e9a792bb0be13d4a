/** Helpers for the trainer's tests: tiny specs, a scratch run folder, training into it and reading its metrics. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runFiles } from '../shared/keys.ts';
import { type ExperimentSpec, parseSpec } from '../shared/spec.ts';
import { fixedLatents, oneHotLabels } from './latents.ts';
import { type MetricsLine, type TrainOptions, train } from './loop.ts';
import { LocalArtifactSink } from './sinks/local.ts';
import { FileStatusSink } from './sinks/status-file.ts';

/** The smallest networks each family can build, so a test step takes milliseconds. */
export const TINY_HYPERPARAMETERS: Record<string, Record<string, unknown>> = {
  vanilla: { latentDim: 4, hiddenUnits: 16, hiddenLayers: 1 },
  dcgan: { latentDim: 8, gChannels: 8, dChannels: 4 },
  cgan: { latentDim: 8, gChannels: 8, dChannels: 4 },
  pggan: { latentDim: 8, channels: 4, mbstdGroup: 2 },
  stylegan: { latentDim: 8, wDim: 8, mappingLayers: 2, channels: 4, mbstdGroup: 2 },
  sagan: { latentDim: 8, gChannels: 8, dChannels: 8, attentionSide: 8 },
  biggan: { latentDim: 8, gChannels: 8, dChannels: 8, attentionSide: 8, embedDim: 4 },
  pix2pix: { gFilters: 4, dFilters: 4 },
  cyclegan: { gFilters: 4, residualBlocks: 1, dFilters: 4, poolSize: 6 },
  cagan: { gFilters: 4, dFilters: 4, patchDowns: 1 },
  hologan: { latentDim: 8, volumeChannels: 8, projectionChannels: 8, dChannels: 4 },
  stackgan: { latentDim: 8, conditionDim: 4, gChannels: 8, dChannels: 4 },
  srgan: { filters: 4, blocks: 1, dFilters: 4 },
  // Four scales, 8 to 16 px on the long side.
  singan: { maxSize: 16, minSize: 8, channels: 4, layers: 3, nCritic: 2, gSteps: 2 },
  spade: { gFilters: 4, blocks: 2, spadeHidden: 4, dFilters: 4, patchDowns: 1, dScales: 2 },
};

export function tinySpec(
  family: string,
  dataset: string,
  extra: Record<string, unknown> = {},
): ExperimentSpec {
  return parseSpec({
    family,
    dataset,
    steps: 4,
    batchSize: 4,
    sampleEvery: 2,
    metricsEvery: 1,
    checkpointEvery: 2,
    hyperparameters: TINY_HYPERPARAMETERS[family],
    ...extra,
  });
}

export function scratchDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `ganzoo-${name}-`));
}

/** Trains `spec` into a local run folder on wasm, with the file status sink and no heartbeat timer. */
export function trainIn(
  dir: string,
  spec: ExperimentSpec,
  extra: Partial<TrainOptions> = {},
): ReturnType<typeof train> {
  return train({
    runId: 'test-run',
    spec,
    artifacts: new LocalArtifactSink(dir),
    status: new FileStatusSink(dir),
    backend: 'wasm',
    heartbeatMs: 0,
    ...extra,
  });
}

/** The metrics lines a run folder holds. */
export async function metricsOf(dir: string): Promise<MetricsLine[]> {
  const bytes = await new LocalArtifactSink(dir).get(runFiles.metrics);
  return new TextDecoder()
    .decode(bytes)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MetricsLine);
}

/**
 * n fixed inputs for any generator, as tests sample it: z, and a second input (label or codes) one-hot at
 * rows 0, 1, 2, ...; a translating generator's image inputs get fixed images in [-1, 1] drawn as z is.
 */
export function fixedGeneratorInputs(g: tf.LayersModel, seed: number, n: number): tf.Tensor[] {
  if (g.inputs.every((t) => t.shape.length === 4))
    return g.inputs.map((t, k) => {
      const shape = t.shape.slice(1) as number[];
      const z = fixedLatents(
        seed + k,
        n,
        shape.reduce((a, b) => a * b, 1),
      );
      const image = tf.tidy(() => tf.tanh(z).reshape([n, ...shape]));
      z.dispose();
      return image;
    });
  const inputs: tf.Tensor[] = [fixedLatents(seed, n, g.inputs[0]!.shape[1]!)];
  if (g.inputs.length === 2 && g.inputNames[1] === 'pose') {
    // A pose input (HoloGAN's, named so): azimuth and elevation in degrees, spread over the circle.
    inputs.push(
      tf.tensor2d(Array.from({ length: n }, (_, i) => [(360 * i) / n, 20 * (i % 3)]).flat(), [n, 2]),
    );
  } else if (g.inputs.length === 2) {
    const width = g.inputs[1]!.shape[1]!;
    inputs.push(
      oneHotLabels(
        Array.from({ length: n }, (_, i) => i % width),
        width,
      ),
    );
  }
  return inputs;
}
