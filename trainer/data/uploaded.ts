/**
 * An uploaded dataset's READY version as training data: its manifest, packed images and labels read from
 * the bucket (shared/keys.ts uploadPrefix) and held to the sha256 the run recorded (RunUpload) before any
 * step, then served by the same shuffling batcher as the built-in image sets. A paired or unpaired upload
 * (A/ then B/ in the packed images) becomes two sets laid out as the derived ones (`input` and `x` for
 * pairs, `x` and `domainB` otherwise): every tenth item of each folder is held out, never trained on, for
 * the gallery's strips and the evaluation, as a derived set's held-out copy is.
 */
import { createHash } from 'node:crypto';
import { type DatasetInfo, registerUploadedDataset } from '../../shared/datasets.ts';
import { uploadFiles, uploadPrefix } from '../../shared/keys.ts';
import { ManifestSchema, type RunUpload, uploadRef } from '../../shared/uploads.ts';
import { type DerivedSet, type ImagePlane, planeItems, valueColumn } from './derived/store.ts';
import type { ImageSet } from './mnist.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const loaded = new Map<string, ImageSet>();

/** A paired or unpaired upload: what is trained on, and what is held out. */
export interface UploadedPairs {
  train: DerivedSet;
  heldOut: DerivedSet;
}
const loadedPairs = new Map<string, UploadedPairs>();

/** Held out: every tenth item (the 10th, 20th, ... by name), or the last of fewer than ten. */
const isHeldOut = (i: number, n: number) => (n < 10 ? i === n - 1 : i % 10 === 9);

/** A folder's items (`from` .. `from + n` of the packed images) split into training and held-out planes. */
function splitFolder(pixels: Uint8Array, from: number, n: number, shape: [number, number, number]) {
  const px = shape[0] * shape[1] * shape[2];
  const all = Array.from({ length: n }, (_, i) => i);
  const plane = (items: number[]): ImagePlane => {
    const data = new Uint8Array(items.length * px);
    for (const [k, item] of items.entries())
      data.set(pixels.subarray((from + item) * px, (from + item + 1) * px), k * px);
    return { shape, data };
  };
  return {
    train: plane(all.filter((i) => !isHeldOut(i, n))),
    heldOut: plane(all.filter((i) => isHeldOut(i, n))),
  };
}

/** Two folders as the derived layout: pairs give (input A, target B); unpaired sets (x A, domainB B). */
function pairSets(
  kind: 'paired' | 'unpaired',
  pixels: Uint8Array,
  [nA, nB]: [number, number],
  shape: [number, number, number],
): UploadedPairs {
  const a = splitFolder(pixels, 0, nA, shape);
  const b = splitFolder(pixels, nA, nB, shape);
  const set = (planeA: ImagePlane, planeB: ImagePlane): DerivedSet => {
    const count = planeItems(planeA);
    return kind === 'paired'
      ? { count, images: { input: planeA, x: planeB }, values: { labels: valueColumn(count, 1) } }
      : {
          count,
          images: { x: planeA, domainB: planeB },
          values: { labels: valueColumn(count, 1), labelsB: valueColumn(planeItems(planeB), 1) },
        };
  };
  return { train: set(a.train, b.train), heldOut: set(a.heldOut, b.heldOut) };
}

/** What a spec's upload:{id}@{version} is, as the catalog describes a built-in. */
export function uploadedDatasetInfo(upload: RunUpload): DatasetInfo {
  return {
    id: uploadRef(upload.id, upload.version),
    title: `${upload.id} version ${upload.version}`,
    kind: upload.kind,
    shape: upload.shape,
    count: upload.count,
    classes: upload.kind === 'labelled' ? upload.classNames.length : 0,
    classNames: upload.kind === 'labelled' ? upload.classNames : [],
    description: `Uploaded by ${upload.owner}; manifest sha256 ${upload.manifestSha256}.`,
    sources: [{ type: 'upload' }],
    files: [],
    licence: "The uploader's.",
    preview: null,
  };
}

/**
 * Reads and checks the version's files, and makes the dataset known to datasetInfo and openDataset: a pair
 * set as uploadedPairs, any other as uploadedImageSet.
 */
export async function loadUploadedDataset(
  upload: RunUpload,
  get: (key: string) => Promise<Uint8Array | undefined>,
): Promise<void> {
  const ref = uploadRef(upload.id, upload.version);
  const prefix = uploadPrefix(upload.owner, upload.id, upload.version);
  const read = async (name: string) => {
    const bytes = await get(prefix + name);
    if (!bytes)
      throw new Error(`${ref}: ${prefix}${name} is missing; the dataset was deleted or never validated`);
    return bytes;
  };
  const manifestBytes = await read(uploadFiles.manifest);
  if (sha256(manifestBytes) !== upload.manifestSha256)
    throw new Error(
      `${ref}: its manifest's sha256 is ${sha256(manifestBytes)}, not the ${upload.manifestSha256} the run recorded`,
    );
  const manifest = ManifestSchema.parse(JSON.parse(new TextDecoder().decode(manifestBytes)));
  const pixels = await read(uploadFiles.images);
  if (sha256(pixels) !== manifest.imagesSha256)
    throw new Error(
      `${ref}: images.bin's sha256 is ${sha256(pixels)}, not the manifest's ${manifest.imagesSha256}`,
    );
  const labelBytes = await read(uploadFiles.labels);
  const labels32 = new Int32Array(
    labelBytes.buffer.slice(labelBytes.byteOffset, labelBytes.byteOffset + labelBytes.byteLength),
  );
  const shape = manifest.report.shape as [number, number, number];
  const count = labels32.length;
  if (pixels.length !== count * shape[0] * shape[1] * shape[2])
    throw new Error(
      `${ref}: images.bin holds ${pixels.length} bytes, not ${count} images of ${shape.join('x')}`,
    );
  if (upload.kind === 'paired' || upload.kind === 'unpaired') {
    const perFolder = manifest.report.perClass as [number, number];
    if (Math.min(...perFolder) < 2)
      throw new Error(
        `${ref}: a ${upload.kind} set needs at least two images in each of A/ and B/ (one is held out); it has ${perFolder.join(' and ')}`,
      );
    loadedPairs.set(ref, pairSets(upload.kind, pixels, perFolder, shape));
  } else {
    const images = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) images[i] = (pixels[i]! / 255) * 2 - 1;
    loaded.set(ref, { images, labels: Uint8Array.from(labels32), count, shape });
  }
  registerUploadedDataset(ref, uploadedDatasetInfo(upload));
}

/** The paired or unpaired upload this process has loaded, or undefined. */
export function uploadedPairs(ref: string): UploadedPairs | undefined {
  return loadedPairs.get(ref);
}

/** The image set of an images or labelled upload this process has loaded, or undefined. */
export function uploadedImageSet(ref: string): ImageSet | undefined {
  return loaded.get(ref);
}
