/**
 * Whether a captioned generator draws what it is asked for: captions of uniformly drawn attribute values
 * (digit, colour, size, position) go in with z, the attribute reader (attribute-reader.ts) reads the
 * attributes back from the images, and the share read as asked is reported per attribute and for all four
 * at once. For StackGAN every stage's sampler is scored, so stage II can be set beside stage I (GANS.md:
 * each attribute >= 80%, stage II above stage I). The reader judges and never trains anything.
 */
import * as tf from '@tensorflow/tfjs';
import { captionOf, tokens } from '../../shared/captions.ts';
import { datasetInfo } from '../../shared/datasets.ts';
import type { ExperimentSpec } from '../../shared/spec.ts';
import { latestCheckpoint, loadCheckpoint } from '../checkpoint.ts';
import { Rng, Stream } from '../data/rng.ts';
import { latentValues } from '../latents.ts';
import { buildGan } from '../loop.ts';
import type { ArtifactSink } from '../sinks/types.ts';
import { stagesOf } from '../stages.ts';
import { attributeAccuracy, READER_DATASET, readAttributes, readerAttributes } from './attribute-reader.ts';

export interface CaptionMatch {
  samples: number;
  /** Share read back as asked, per attribute name, and `all` for every attribute of an image at once. */
  accuracy: Record<string, number>;
}

/** Captions of uniformly drawn attributes, as word ids [n, words], and the value index of each [attr][n]. */
export function askedCaptions(seed: number, n: number): { ids: tf.Tensor2D; asked: Int32Array[] } {
  const info = datasetInfo(READER_DATASET);
  const attributes = readerAttributes();
  const rng = new Rng(seed, Stream.eval, 1);
  const asked = attributes.map(() => new Int32Array(n));
  const rows = Array.from({ length: n }, (_, i) => {
    const v = attributes.map((a, k) => {
      asked[k]![i] = rng.int(a.values.length);
      return a.values[asked[k]![i]!]!;
    });
    return tokens(captionOf(Number(v[0]), v[1]!, v[2]!, v[3]!), info.vocabulary!);
  });
  return { ids: tf.tensor2d(rows), asked };
}

/** Scores `sampler` ([z, caption] -> image) on `samples` captions with z drawn from `seed`. */
export function captionMatch(
  sampler: tf.LayersModel,
  reader: tf.LayersModel,
  { samples = 1000, seed = 1, batchSize = 250 }: { samples?: number; seed?: number; batchSize?: number } = {},
): CaptionMatch {
  const { ids, asked } = askedCaptions(seed, samples);
  const latentDim = sampler.inputs[0]!.shape[1]!;
  const z = tf.tensor2d(latentValues(new Rng(seed, Stream.eval, 2), samples * latentDim), [
    samples,
    latentDim,
  ]);
  const images = sampler.predict([z, ids], { batchSize }) as tf.Tensor4D;
  const read = readAttributes(reader, images, batchSize);
  tf.dispose([ids, z, images]);
  const accuracy = attributeAccuracy(read, asked);
  let all = 0;
  for (let i = 0; i < samples; i++) if (read.every((r, k) => r[i] === asked[k]![i])) all++;
  return { samples, accuracy: { ...accuracy, all: all / samples } };
}

/** Every stage's sampler of a run, from its latest checkpoint, scored; stages by name in order. */
export async function stagesCaptionMatch(
  artifacts: ArtifactSink,
  spec: ExperimentSpec,
  reader: tf.LayersModel,
  options: { samples?: number; seed?: number } = {},
): Promise<{ step: number; stages: ({ name: string } & CaptionMatch)[] }> {
  const step = await latestCheckpoint(artifacts);
  if (step === undefined) throw new Error('the run has no checkpoint to score');
  const gan = buildGan(spec);
  try {
    await loadCheckpoint(artifacts, gan, step);
    const stages = stagesOf(gan).map((s) => ({
      name: s.name,
      ...captionMatch(s.generator, reader, { seed: spec.seed, ...options }),
    }));
    return { step, stages };
  } finally {
    for (const net of Object.values(gan.nets)) net.dispose();
    for (const opt of Object.values(gan.optimizers)) opt.dispose();
  }
}
