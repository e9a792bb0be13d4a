/**
 * The generator descriptor: what an exported generator takes and gives, written at export beside its
 * model (runFiles.generatorDescriptor), so evaluation, the CLI and the playground feed a generator by reading
 * it instead of guessing from the family and hyperparameter names. Inputs are listed in the model's input
 * order, by the model's input names; shapes are per sample (no batch axis).
 *
 * A generator exported before descriptors existed has none: descriptorFromSpec derives one from its run's
 * spec and its model's inputs, the one place that still reads family and hyperparameter names.
 * No dependencies beyond zod: the dashboard can bundle it.
 */
import { z } from 'zod';
import { CAPTION_WORDS, captionEncoding } from './captions.ts';
import { type DatasetId, type DatasetInfo, datasetInfo } from './datasets.ts';
import { LATENT_NOISES, type LatentNoise } from './latent.ts';

export const GENERATOR_DESCRIPTOR_VERSION = 1;

const name = z.string().min(1).describe("The model's name for this input or output.");
const shape = z.array(z.int().min(1)).min(1).describe('Shape of one sample, without the batch axis.');
/** [min, max] of the values; null where they are unbounded. */
const range = z.tuple([z.number(), z.number()]).nullable().describe('[min, max] of the values, or null.');

export const GeneratorInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('latent'),
    name,
    shape,
    distribution: z.enum(LATENT_NOISES).describe("z's prior: standard normal, or uniform in [-1, 1]."),
  }),
  z.strictObject({
    kind: z.literal('class'),
    name,
    shape,
    classes: z.int().min(2),
    encoding: z.literal('one-hot').describe('A float32 one-hot row per sample.'),
  }),
  z.strictObject({
    kind: z.literal('code'),
    name,
    shape,
    categorical: z.int().min(0).describe('Values of the one-hot categorical code, first in the row.'),
    continuous: z.int().min(0).describe('Continuous codes after it.'),
    continuousRange: range.describe('What the continuous codes were drawn from in training.'),
  }),
  z.strictObject({ kind: z.literal('image'), name, shape, range }),
  z.strictObject({
    kind: z.literal('label-map'),
    name,
    shape,
    classes: z.int().min(2),
    classNames: z.array(z.string().min(1)).optional().describe("Each class's name, in class order."),
    palette: z
      .array(z.tuple([z.int().min(0).max(255), z.int().min(0).max(255), z.int().min(0).max(255)]))
      .optional()
      .describe('The colour each class is shown in (0-255 RGB), in class order: how a map is painted.'),
  }),
  z.strictObject({ kind: z.literal('caption'), name, shape, encoding: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('pose'),
    name,
    shape: z.tuple([z.literal(2)]).describe('[azimuth, elevation] per sample.'),
    unit: z.literal('degrees'),
    azimuth: z.tuple([z.number(), z.number()]).describe('[min, max] azimuth the generator was trained on.'),
    elevation: z
      .tuple([z.number(), z.number()])
      .describe('[min, max] elevation the generator was trained on.'),
  }),
  z.strictObject({ kind: z.literal('noise'), name, shape, distribution: z.enum(LATENT_NOISES) }),
]);
export type GeneratorInput = z.infer<typeof GeneratorInputSchema>;
export type GeneratorInputKind = GeneratorInput['kind'];

export const GeneratorOutputSchema = z.strictObject({
  name,
  kind: z.enum(['image', 'mask', 'points', 'attention-map']),
  shape,
  range,
});
export type GeneratorOutput = z.infer<typeof GeneratorOutputSchema>;

/** The parts a style-based generator (StyleGAN) is exported in besides the whole, for truncation and mixing. */
/** A part's model.json in a folder of its own beside the generator's (never outside it). */
const partModel = z.string().regex(/^[a-z0-9_-]+\/model\.json$/, 'a model.json in a folder of generator/');
export const STYLE_PARTS = ['mapping', 'synthesis'] as const;

export const StylePartsSchema = z.strictObject({
  mapping: partModel.describe("The mapping network z -> w: its model.json, relative to the generator's."),
  synthesis: partModel.describe(
    "The synthesis network ws [layers, wDim] -> sample: its model.json, relative to the generator's.",
  ),
  wDim: z.int().min(1),
  layerSides: z
    .array(z.int().min(1))
    .min(1)
    .describe('The side each style layer (a row of ws) works at, coarse to fine; mixing switches at a row.'),
  wAverage: z
    .array(z.number())
    .min(1)
    .describe('The running mean of w from training: truncation is wAverage + psi * (w - wAverage).'),
});
export type StyleParts = z.infer<typeof StylePartsSchema>;

const side = z.int().min(1);
export const PyramidSchema = z.strictObject({
  sizes: z
    .array(z.tuple([side, side]))
    .min(2)
    .describe(
      "Each scale's [height, width] as trained, coarse to fine; z holds scale k's noise map in rows sum(h_0..h_k-1) onwards of its first w_k columns, as one [sum(h), max(w), C] block.",
    ),
});
export type Pyramid = z.infer<typeof PyramidSchema>;

export const GeneratorDescriptorSchema = z
  .strictObject({
    version: z.literal(GENERATOR_DESCRIPTOR_VERSION),
    family: z.string().min(1),
    inputs: z.array(GeneratorInputSchema).min(1),
    /** The first output is the sample; any after it are extra outputs (abilities.extraOutputs). */
    outputs: z.array(GeneratorOutputSchema).min(1),
    abilities: z.strictObject({
      truncation: z
        .boolean()
        .describe('z may be drawn truncated (closer to the mode) to trade variety for quality.'),
      mixing: z.boolean().describe('Different z may drive different layers (style mixing).'),
      extraOutputs: z.array(z.string()).describe('Outputs beside the sample, e.g. attention maps, by name.'),
    }),
    pyramid: PyramidSchema.optional().describe(
      "A pyramid of fully convolutional scales (SinGAN): scale k's layers g{k}_* run at any size, from noise or from an image injected at a scale (shared/layers/pyramid.ts).",
    ),
    styles: StylePartsSchema.optional().describe(
      'A style-based generator: its mapping and synthesis networks apart, and the mean w (truncation in w, mixing).',
    ),
  })
  .superRefine((d, ctx) => {
    const extra = new Set(d.outputs.slice(1).map((o) => o.name));
    d.abilities.extraOutputs.forEach((n, i) => {
      if (!extra.has(n))
        ctx.addIssue({
          code: 'custom',
          path: ['abilities', 'extraOutputs', i],
          message: `'${n}' is not an output after the sample`,
        });
    });
    const finest = d.pyramid?.sizes.at(-1);
    const sample = d.outputs[0]!.shape;
    if (finest && (finest[0] !== sample[0] || finest[1] !== sample[1]))
      ctx.addIssue({
        code: 'custom',
        path: ['pyramid', 'sizes'],
        message: `the finest scale is ${finest.join('x')}, the sample ${sample.slice(0, 2).join('x')}`,
      });
    if (d.styles && d.styles.wAverage.length !== d.styles.wDim)
      ctx.addIssue({
        code: 'custom',
        path: ['styles', 'wAverage'],
        message: `holds ${d.styles.wAverage.length} values, not wDim (${d.styles.wDim})`,
      });
    // A translating generator (pix2pix, CycleGAN, SPADE) takes images or label maps and no z; every other
    // takes one z.
    const latents = d.inputs.filter((i) => i.kind === 'latent').length;
    const images = d.inputs.filter((i) => i.kind === 'image' || i.kind === 'label-map').length;
    if (latents > 1 || (latents === 0 && images === 0))
      ctx.addIssue({
        code: 'custom',
        path: ['inputs'],
        message: 'a generator takes one latent input, or images or label maps to translate',
      });
  });
export type GeneratorDescriptor = z.infer<typeof GeneratorDescriptorSchema>;

/** A descriptor.json's text, parsed and checked; an error names `at` (where it was read) and each field wrong. */
export function parseGeneratorDescriptor(text: string, at: string): GeneratorDescriptor {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${at} is not JSON: ${(err as Error).message}`);
  }
  const parsed = GeneratorDescriptorSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(descriptor)'}: ${i.message}`);
    throw new Error(`${at} is not a valid generator descriptor: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** The facts a descriptor of today's generators is made of (how the trainer and the fallback describe one). */
export interface GeneratorFacts {
  family: string;
  dataset: DatasetInfo;
  /** The model's name for z, its first input. */
  latentName: string;
  latentDim: number;
  noise: LatentNoise;
  /** A conditional generator's second input: a one-hot class label. */
  label?: { name: string; classes: number };
  /** InfoGAN's second input: a one-hot categorical code, then continuous codes uniform in [-1, 1]. */
  codes?: { name: string; categorical: number; continuous: number };
  /** HoloGAN's second input: a camera pose [azimuth, elevation] in degrees, drawn uniform over these ranges. */
  pose?: { name: string; azimuth: [number, number]; elevation: [number, number] };
  /** A captioned generator's second input: word ids into the dataset's vocabulary (StackGAN). */
  caption?: { name: string; words: number };
  /** Attention maps given after the sample (SAGAN, BigGAN): the model's output name and per-sample shape. */
  attentionMaps?: { name: string; shape: number[] }[];
  /** z may be drawn truncated (BigGAN). */
  truncation?: boolean;
  /** A style-based generator's parts: truncation in w and mixing. */
  styles?: StyleParts;
  /** The sample's per-sample shape where it is not the dataset's item shape (SinGAN's finest scale). */
  sampleShape?: number[];
  /** A pyramid of scales the reader may run at other sizes (SinGAN). */
  pyramid?: Pyramid;
}

/** The descriptor of a generator z [, label | codes | pose | caption] -> sample [, attention maps]. */
export function describeGenerator(f: GeneratorFacts): GeneratorDescriptor {
  const inputs: GeneratorInput[] = [
    { kind: 'latent', name: f.latentName, shape: [f.latentDim], distribution: f.noise },
  ];
  if (f.codes) {
    const { name, categorical, continuous } = f.codes;
    inputs.push({
      kind: 'code',
      name,
      shape: [categorical + continuous],
      categorical,
      continuous,
      continuousRange: [-1, 1],
    });
  } else if (f.pose) {
    const { name, azimuth, elevation } = f.pose;
    inputs.push({ kind: 'pose', name, shape: [2], unit: 'degrees', azimuth, elevation });
  } else if (f.caption) {
    const { name, words } = f.caption;
    inputs.push({ kind: 'caption', name, shape: [words], encoding: captionEncoding(f.dataset.id) });
  } else if (f.label) {
    const { name, classes } = f.label;
    inputs.push({ kind: 'class', name, shape: [classes], classes, encoding: 'one-hot' });
  }
  // Every generator draws images but a toy set's, which draws 2D points.
  const image = f.dataset.kind !== 'points2d';
  return GeneratorDescriptorSchema.parse({
    version: GENERATOR_DESCRIPTOR_VERSION,
    family: f.family,
    inputs,
    outputs: [
      {
        name: 'sample',
        kind: image ? 'image' : 'points',
        shape: f.sampleShape ?? [...f.dataset.shape],
        // Images end in tanh; points are unbounded.
        range: image ? [-1, 1] : null,
      },
      // Softmax rows: each position's attention over all positions sums to 1.
      ...(f.attentionMaps ?? []).map((m) => ({ ...m, kind: 'attention-map', range: [0, 1] })),
    ],
    abilities: {
      truncation: f.truncation ?? f.styles !== undefined,
      mixing: f.styles !== undefined,
      extraOutputs: (f.attentionMaps ?? []).map((m) => m.name),
    },
    ...(f.pyramid ? { pyramid: f.pyramid } : {}),
    ...(f.styles ? { styles: f.styles } : {}),
  });
}

/** An image a translating generator takes or gives: the model's name for it and its per-sample shape. */
export interface NamedImage {
  name: string;
  shape: number[];
  /** An output that is a mask in [0, 1] (where the Conditional Analogy GAN paints), not an image. */
  mask?: boolean;
}

/**
 * The descriptor of a generator that translates images (pix2pix, CycleGAN, the Conditional Analogy GAN) or
 * label maps (SPADE, pix2pix on a label-map set): image inputs in [-1, 1], label maps one-hot over `classes`
 * per pixel, image outputs (tanh) or masks in [0, 1]; the first output is the sample (the first input's
 * translation) and any after it (the other inputs' translations, a mask) are extra outputs.
 */
export function describeTranslator(f: {
  family: string;
  inputs: (NamedImage & {
    classes?: number;
    classNames?: string[];
    palette?: [number, number, number][];
  })[];
  outputs: NamedImage[];
}): GeneratorDescriptor {
  return GeneratorDescriptorSchema.parse({
    version: GENERATOR_DESCRIPTOR_VERSION,
    family: f.family,
    inputs: f.inputs.map(({ classes, ...i }) =>
      classes === undefined ? { kind: 'image', ...i, range: [-1, 1] } : { kind: 'label-map', ...i, classes },
    ),
    outputs: f.outputs.map(({ mask, ...o }) =>
      mask ? { kind: 'mask', ...o, range: [0, 1] } : { kind: 'image', ...o, range: [-1, 1] },
    ),
    abilities: { truncation: false, mixing: false, extraOutputs: f.outputs.slice(1).map((o) => o.name) },
  });
}

/** A run's spec as stored, as far as the fallback reads it. */
export interface StoredSpecLike {
  family: string;
  dataset: DatasetId | `upload:${string}`;
  hyperparameters: Record<string, unknown>;
}

/**
 * The descriptor of a generator exported before descriptors existed, from its run's spec and its model's
 * inputs (name and per-sample shape each; layersModelInputs reads them from model.json), as evaluation and
 * the playground read such generators before: z first, of the spec's latentDim (the model's where the spec
 * has none), uniform where the spec's `noise` says so and normal otherwise; InfoGAN's codes where the spec
 * has categoricalCodes; a camera pose over the dataset's pose ranges where the dataset records poses; a
 * captioned dataset's second input is a caption; otherwise a second input is a one-hot class label over the
 * dataset's classes.
 * Checking the model against it is the reader's part.
 */
export function descriptorFromSpec(
  spec: StoredSpecLike,
  modelInputs: readonly { name: string; shape: readonly (number | null)[] }[],
): GeneratorDescriptor {
  const [z, second] = modelInputs;
  if (!z) throw new Error('the generator has no inputs');
  const fromSpec = spec.hyperparameters.latentDim;
  const latentDim = typeof fromSpec === 'number' ? fromSpec : z.shape[0];
  if (typeof latentDim !== 'number')
    throw new Error(`the generator takes input shape [${z.shape}], expected [N, latentDim] first`);
  const dataset = datasetInfo(spec.dataset);
  const { categoricalCodes, continuousCodes } = spec.hyperparameters;
  const secondName = second?.name;
  return describeGenerator({
    family: spec.family,
    dataset,
    latentName: z.name,
    latentDim,
    noise: spec.hyperparameters.noise === 'uniform' ? 'uniform' : 'normal',
    ...(typeof categoricalCodes === 'number'
      ? {
          codes: {
            name: secondName ?? 'codes',
            categorical: categoricalCodes,
            continuous: typeof continuousCodes === 'number' ? continuousCodes : 0,
          },
        }
      : secondName !== undefined && dataset.pose
        ? { pose: { name: secondName, ...dataset.pose } }
        : secondName !== undefined && dataset.kind === 'captioned'
          ? { caption: { name: secondName, words: second!.shape[0] ?? CAPTION_WORDS } }
          : secondName !== undefined
            ? { label: { name: secondName, classes: dataset.classes } }
            : {}),
  });
}

/** One input of a model as model.json declares it: its name and per-sample shape (null: any size). */
export interface ModelInput {
  name: string;
  shape: (number | null)[];
}

/**
 * The inputs of a tfjs layers model from its model.json, in the model's input order, read without tfjs (the
 * API derives an older generator's descriptor from them): the topology's `input_layers` name the input
 * layers, whose `batch_input_shape` less the batch axis is the shape.
 */
export function layersModelInputs(modelJson: unknown): ModelInput[] {
  const fail = (why: string): never => {
    throw new Error(`model.json is not a tfjs layers model with named inputs: ${why}`);
  };
  const config = (modelJson as { modelTopology?: { config?: unknown } } | null)?.modelTopology?.config as
    | { input_layers?: unknown; layers?: unknown }
    | undefined;
  if (!config || !Array.isArray(config.input_layers) || !Array.isArray(config.layers))
    return fail('modelTopology.config has no input_layers and layers');
  const layers = config.layers as { name?: unknown; config?: { batch_input_shape?: unknown } }[];
  return config.input_layers.map((entry: unknown) => {
    const name = Array.isArray(entry) ? entry[0] : undefined;
    if (typeof name !== 'string') return fail(`input_layers holds ${JSON.stringify(entry)}`);
    const shape = layers.find((l) => l.name === name)?.config?.batch_input_shape;
    if (
      !Array.isArray(shape) ||
      shape.length < 2 ||
      !shape.every((d) => d === null || (Number.isInteger(d) && d > 0))
    )
      return fail(`input layer '${name}' has no batch_input_shape [batch, ...dims]`);
    return { name, shape: shape.slice(1) as (number | null)[] };
  });
}
