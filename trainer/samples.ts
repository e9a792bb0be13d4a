/** Renders the generator's output for the fixed sample inputs as the PNG a gallery shows. */
import * as tf from '@tensorflow/tfjs';
import { captionOf, tokens } from '../shared/captions.ts';
import { type DatasetInfo, holdsImages } from '../shared/datasets.ts';
import { heldOutBatch, heldOutCount } from './data/derived/index.ts';
import { batchTensors } from './data/index.ts';
import { MIXTURES } from './data/toy2d.ts';
import type { Gan, ImageTranslation } from './gan.ts';
import { codeTensor, fixedLatents, oneHotLabels, poseSweep } from './latents.ts';
import { imageGrid, scatterPlot } from './render/grid.ts';
import { paintLabelMap } from './render/label-map.ts';
import { encodePng } from './render/png.ts';

/** Columns of a conditional grid: one z per column, the same z in every class row. */
export const CONDITIONAL_COLUMNS = 8;

/**
 * How many fixed latents a sample picture uses: an 8x8 grid of images (4x4 of a single image's variations,
 * each as large as the image), or a 2,500-point scatter.
 */
export function sampleCount(dataset: DatasetInfo): number {
  if (dataset.kind === 'single') return 16;
  return holdsImages(dataset) ? 64 : 2500;
}

/** Held-out items in a translating generator's strips (a row each: every input, its output, the target). */
export const STRIP_COLUMNS = 8;

/** The generator's inputs for every sample grid of a run, and how many images a grid row holds. */
export interface SampleInputs {
  inputs: tf.Tensor[];
  columns?: number;
  /**
   * A translating generator's strips: its inputs are held-out images; the picture shows, row by row, each
   * input, the matching output, and then these targets.
   */
  targets?: tf.Tensor[];
  /** How each input is drawn in the strips where it is not an image itself (a label map in its palette). */
  shown?: tf.Tensor[];
}

/**
 * The same held-out items for every sample step of a translating generator (pix2pix, CycleGAN): G's inputs
 * read from the set's held-out copy as Gan.translation names them, and the target where the set is paired.
 */
export function translationSampleInputs(dataset: DatasetInfo, translation: ImageTranslation): SampleInputs {
  // An uploaded pair set may hold fewer held-out items than a strip's columns.
  const columns = Math.min(STRIP_COLUMNS, heldOutCount(dataset));
  const batch = heldOutBatch(dataset, columns);
  const pick = (name: string) => {
    const t = (batch as unknown as Record<string, tf.Tensor | undefined>)[name];
    if (!t) throw new Error(`held-out '${dataset.id}' batches hold no '${name}' images`);
    return t;
  };
  const inputs = translation.inputs.map(pick);
  const targets = translation.target ? [pick(translation.target)] : [];
  const used = new Set([...inputs, ...targets]);
  tf.dispose(batchTensors(batch).filter((t) => !used.has(t)));
  if (!translation.inputs.includes('map')) return { inputs, columns, targets };
  const shown = translation.inputs.map((name, k) =>
    name === 'map' ? paintLabelMap(inputs[k] as tf.Tensor4D, dataset.palette) : inputs[k]!.clone(),
  );
  return { inputs, columns, targets, shown };
}

/**
 * Fixed inputs for the gallery. A conditional generator gets one row per class (row c asks for class c)
 * with the same CONDITIONAL_COLUMNS z in every row, so the picture shows that the label controls the class;
 * a generator with latent codes likewise gets one row per value of its categorical code. A generator with a
 * pose input gets one z per row and the azimuth sweeping along it, so each row shows one object turning.
 */
export function fixedSampleInputs(
  seed: number,
  dataset: DatasetInfo,
  gan: Pick<
    Gan,
    'latentDim' | 'latentNoise' | 'conditional' | 'codes' | 'translation' | 'pose' | 'captioned'
  >,
): SampleInputs {
  if (gan.translation) return translationSampleInputs(dataset, gan.translation);
  if (gan.captioned) return captionedSampleInputs(seed, dataset, gan);
  if (gan.pose) {
    const side = CONDITIONAL_COLUMNS;
    const zRows = fixedLatents(seed, side, gan.latentDim, gan.latentNoise);
    const z = tf.tidy(() => tf.reshape(tf.tile(tf.expandDims(zRows, 1), [1, side, 1]), [-1, gan.latentDim]));
    zRows.dispose();
    return { inputs: [z, poseSweep(gan.pose, side, side)], columns: side };
  }
  const classes = gan.conditional?.classes ?? gan.codes?.categorical;
  if (classes === undefined)
    return { inputs: [fixedLatents(seed, sampleCount(dataset), gan.latentDim, gan.latentNoise)] };
  const columns = CONDITIONAL_COLUMNS;
  const zRow = fixedLatents(seed, columns, gan.latentDim, gan.latentNoise);
  const rowValues = zRow.dataSync() as Float32Array;
  zRow.dispose();
  const z = new Float32Array(classes * rowValues.length);
  for (let c = 0; c < classes; c++) z.set(rowValues, c * rowValues.length);
  const ids = Int32Array.from({ length: classes * columns }, (_, i) => Math.floor(i / columns));
  // Codes: row c gives categorical code c, the continuous codes at 0 (their traversals are in eval/).
  const second = gan.codes
    ? codeTensor(ids, new Float32Array(ids.length * gan.codes.continuous), gan.codes)
    : oneHotLabels(ids, classes);
  return { inputs: [tf.tensor2d(z, [classes * columns, gan.latentDim]), second], columns };
}

/** Every tensor the sample inputs hold. */
export function sampleTensors(samples: SampleInputs): tf.Tensor[] {
  return [...samples.inputs, ...(samples.targets ?? []), ...(samples.shown ?? [])];
}

/**
 * The captions of a captioned generator's gallery, one a row: every digit once between them, with colour,
 * size and position varied from row to row, so the picture shows the caption steering each attribute.
 */
export function galleryCaptions(dataset: DatasetInfo): string[] {
  const [digit, colour, size, position] = dataset.attributes ?? [];
  if (!digit || !colour || !size || !position)
    throw new Error(`dataset '${dataset.id}' has no digit, colour, size and position attributes to caption`);
  return Array.from({ length: CAPTION_ROWS }, (_, r) =>
    captionOf(
      Number(digit.values[r % digit.values.length]),
      colour.values[r % colour.values.length]!,
      size.values[r % size.values.length]!,
      position.values[r % position.values.length]!,
    ),
  );
}

const CAPTION_ROWS = 10;

/** One row per gallery caption, the same CONDITIONAL_COLUMNS z in every row. */
function captionedSampleInputs(
  seed: number,
  dataset: DatasetInfo,
  gan: Pick<Gan, 'latentDim' | 'latentNoise'>,
): SampleInputs {
  const columns = CONDITIONAL_COLUMNS;
  const captions = galleryCaptions(dataset).map((c) => tokens(c, dataset.vocabulary ?? []));
  const zRow = fixedLatents(seed, columns, gan.latentDim, gan.latentNoise);
  const rowValues = zRow.dataSync() as Float32Array;
  zRow.dispose();
  const z = new Float32Array(captions.length * rowValues.length);
  captions.forEach((_, r) => {
    z.set(rowValues, r * rowValues.length);
  });
  const words = captions[0]!.length;
  const ids = new Float32Array(captions.length * columns * words);
  captions.forEach((caption, r) => {
    for (let c = 0; c < columns; c++) ids.set(caption, (r * columns + c) * words);
  });
  return {
    inputs: [
      tf.tensor2d(z, [captions.length * columns, gan.latentDim]),
      tf.tensor2d(ids, [captions.length * columns, words]),
    ],
    columns,
  };
}

export function renderSamples(
  generator: tf.LayersModel,
  samples: SampleInputs,
  dataset: DatasetInfo,
): Uint8Array {
  const x = samples.inputs.length === 1 ? samples.inputs[0]! : samples.inputs;
  if (samples.targets) return encodePng(strips(generator, samples));
  const out = tf.tidy(() => {
    const y = generator.predict(x, { batchSize: 256 }) as tf.Tensor;
    // A stage below the dataset's resolution (a Progressive GAN's 4x4) is shown at the dataset's size, its
    // pixels as blocks, so every grid of a run has one size.
    const [height, width] = dataset.shape;
    if (y.rank !== 4 || (y.shape[1] === height && y.shape[2] === width)) return y;
    return tf.image.resizeNearestNeighbor(y as tf.Tensor4D, [height!, width!]);
  });
  const values = out.dataSync() as Float32Array;
  const shape = out.shape;
  out.dispose();
  if (dataset.kind === 'points2d') return encodePng(scatterPlot(values, MIXTURES[dataset.id]!));
  const [n, h, w, c] = shape as [number, number, number, number];
  return encodePng(imageGrid(values, n, h, w, c, samples.columns));
}

/** Rows of input k, output k for every input, then the targets: one grid of the strips. */
function strips(generator: tf.LayersModel, samples: SampleInputs): ReturnType<typeof imageGrid> {
  const { inputs, targets = [], shown = inputs } = samples;
  const predicted = tf.tidy(() => generator.predict(inputs.length === 1 ? inputs[0]! : inputs));
  const outputs = Array.isArray(predicted) ? predicted : [predicted];
  // A generator with fewer outputs than inputs (the analogy GAN: three images in, image and mask out)
  // shows each output after the input of its place.
  const rows = shown.flatMap((input, k) => (outputs[k] ? [input, outputs[k]] : [input])).concat(targets);
  // Grey inputs beside colour outputs (digits -> MNIST-M) are shown in colour, each grey value in 3 channels;
  // a smaller input (super-resolution) at the output's size, its pixels as blocks.
  const channels = Math.max(...rows.map((r) => r.shape[3]!));
  const height = Math.max(...rows.map((r) => r.shape[1]!));
  const width = Math.max(...rows.map((r) => r.shape[2]!));
  const grid = tf.tidy(() =>
    tf.concat(
      rows.map((r) => {
        const same = r.shape[1] === height && r.shape[2] === width;
        const sized = same ? r : tf.image.resizeNearestNeighbor(r as tf.Tensor4D, [height, width]);
        return sized.shape[3] === channels ? sized : tf.tile(sized, [1, 1, 1, channels]);
      }),
    ),
  );
  tf.dispose(outputs);
  const [n, h, w, c] = grid.shape as [number, number, number, number];
  const values = grid.dataSync() as Float32Array;
  grid.dispose();
  return imageGrid(values, n, h, w, c, samples.columns);
}
