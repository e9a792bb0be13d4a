/**
 * The artifact key layout, defined once. Every reader and writer of run artifacts (trainer sinks, API,
 * dashboard) derives keys here; the same relative layout is used in a local folder and under an S3 prefix.
 *
 *   runs/{runId}/spec.json
 *   runs/{runId}/dataset.json           (a run on an uploaded dataset: which version, its manifest's sha256)
 *   runs/{runId}/status.json            (local status sink only; DynamoDB holds it in the cloud)
 *   runs/{runId}/metrics.jsonl
 *   runs/{runId}/stages.json            (a family that trains in stages: shared/stages.ts)
 *   runs/{runId}/samples/{step}.png     (step zero-padded to 8 digits so listings sort by step)
 *   runs/{runId}/checkpoints/{step}/... (state.json is written last and marks the checkpoint complete)
 *   runs/{runId}/generator/model.json   (+ weights.bin: a tfjs layers model for the browser)
 *   runs/{runId}/generator/descriptor.json (its inputs, outputs and abilities: shared/generator.ts)
 *   runs/{runId}/generator/{mapping,synthesis}/model.json (+ weights.bin: a style-based generator's parts)
 *   runs/{runId}/eval.json
 *   runs/{runId}/eval/latent-interpolation.png, eval/latent-arithmetic.png
 *   runs/{runId}/eval/code-traversal-{index}.png   (InfoGAN's continuous codes)
 *   runs/{runId}/eval/truncation-sweep.png         (BigGAN's truncation sweep)
 *   runs/{runId}/eval/azimuth-sweep.png            (HoloGAN's azimuth sweep)
 *   runs/{runId}/eval/single-{what}.png            (SinGAN: samples, other sizes, super-resolution, paint)
 */

const STEP_DIGITS = 8;
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function assertRunId(runId: string): string {
  if (!RUN_ID.test(runId)) {
    throw new Error(
      `invalid run id '${runId}': use 1-64 letters, digits, '-' or '_', starting with a letter or digit`,
    );
  }
  return runId;
}

export function padStep(step: number): string {
  if (!Number.isInteger(step) || step < 0) throw new Error(`invalid step ${step}`);
  return String(step).padStart(STEP_DIGITS, '0');
}

/** The object tag that marks checkpoint files, so the bucket's lifecycle rule can expire old ones. */
export const CHECKPOINT_TAG = { key: 'ganzoo:artifact', value: 'checkpoint' } as const;

/** Keys relative to a run's root (a local run folder, or runPrefix in S3). */
export const runFiles = {
  spec: 'spec.json',
  /** The uploaded dataset a run trains on (shared/uploads.ts RunUpload), written beside its spec. */
  upload: 'dataset.json',
  status: 'status.json',
  metrics: 'metrics.jsonl',
  /** A family that trains in stages: each stage's steps (shared/stages.ts), written when training starts. */
  stages: 'stages.json',
  eval: 'eval.json',
  /** Pictures written by the evaluation. */
  evalDir: 'eval/',
  /** Latent-space pictures written by the evaluation of image runs. */
  evalInterpolation: 'eval/latent-interpolation.png',
  evalArithmetic: 'eval/latent-arithmetic.png',
  /** Class accuracy and cFID against the truncation threshold (BigGAN). */
  evalTruncation: 'eval/truncation-sweep.png',
  /** StyleGAN: the style-mixing grid (coarse styles from the left column's z, fine from the top row's). */
  evalStyleMixing: 'eval/style-mixing.png',
  evalAzimuthSweep: 'eval/azimuth-sweep.png',
  /** InfoGAN: continuous code `index` traversed for each categorical code value. */
  evalCodeTraversal: (index: number) => `eval/code-traversal-${index}.png`,
  /** SinGAN: its samples, samples at another size, super-resolution and paint-to-image strips. */
  evalSingleImage: (what: 'samples' | 'resized' | 'super-resolution' | 'paint') => `eval/single-${what}.png`,
  samplesDir: 'samples/',
  sample: (step: number) => `samples/${padStep(step)}.png`,
  checkpointsDir: 'checkpoints/',
  checkpoint: (step: number) => `checkpoints/${padStep(step)}/`,
  /** Written last inside a checkpoint folder: its presence marks the checkpoint complete. */
  checkpointState: (step: number) => `checkpoints/${padStep(step)}/state.json`,
  generatorDir: 'generator/',
  generatorModel: 'generator/model.json',
  generatorWeights: 'generator/weights.bin',
  /** What the generator takes and gives (shared/generator.ts); absent for generators exported before it. */
  generatorDescriptor: 'generator/descriptor.json',
  /** A style-based generator's parts, each a model.json + weights.bin (descriptor.styles names them). */
  generatorPart: (part: 'mapping' | 'synthesis') => `generator/${part}/`,
} as const;

export function runPrefix(runId: string): string {
  return `runs/${assertRunId(runId)}/`;
}

export function runKey(runId: string, relative: string): string {
  return runPrefix(runId) + relative;
}

/** Parses the step out of a sample or checkpoint key; undefined for anything else. */
export function stepOfKey(key: string): number | undefined {
  const m = /(?:samples\/(\d+)\.png|checkpoints\/(\d+)\/)/.exec(key);
  const digits = m?.[1] ?? m?.[2];
  return digits === undefined ? undefined : Number(digits);
}

/** Where a cloud run caches a verified download of a standard dataset. */
export function datasetCacheKey(datasetId: string, file: string): string {
  return `datasets/${datasetId}/${file}`;
}

/**
 * An uploaded dataset's version, under its owner (not under datasets/, which holds the built-ins' cache):
 *   uploads/{owner}/{datasetId}/v{version}/raw/{path}     what the user sent (deleted once validated or refused)
 *   uploads/{owner}/{datasetId}/v{version}/images.bin     uint8 NHWC, items in the manifest's order
 *   uploads/{owner}/{datasetId}/v{version}/labels.bin     int32 per item (class, or 0/1 for A/B)
 *   uploads/{owner}/{datasetId}/v{version}/manifest.json  every file's sha256, the report, the images' sha256
 *   uploads/{owner}/{datasetId}/v{version}/preview.png    a grid of the first items
 */
const OWNER = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/;

export function uploadPrefix(owner: string, datasetId: string, version: number): string {
  if (!OWNER.test(owner)) throw new Error(`owner '${owner}' cannot name a key`);
  if (!/^u[a-z0-9]{12}$/.test(datasetId)) throw new Error(`invalid dataset id '${datasetId}'`);
  if (!Number.isInteger(version) || version < 1) throw new Error(`invalid dataset version ${version}`);
  return `uploads/${owner}/${datasetId}/v${version}/`;
}

export const uploadFiles = {
  rawDir: 'raw/',
  raw: (path: string) => `raw/${path}`,
  images: 'images.bin',
  labels: 'labels.bin',
  manifest: 'manifest.json',
  preview: 'preview.png',
} as const;
