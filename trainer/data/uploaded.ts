/**
 * An uploaded dataset's READY version as training data: its manifest, packed images and labels read from
 * the bucket (shared/keys.ts uploadPrefix) and held to the sha256 the run recorded (RunUpload) before any
 * step, then served by the same shuffling batcher as the built-in image sets.
 */
import { createHash } from 'node:crypto';
import { type DatasetInfo, registerUploadedDataset } from '../../shared/datasets.ts';
import { uploadFiles, uploadPrefix } from '../../shared/keys.ts';
import { ManifestSchema, type RunUpload, uploadRef } from '../../shared/uploads.ts';
import type { ImageSet } from './mnist.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const loaded = new Map<string, ImageSet>();

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

/** Reads and checks the version's files, and makes the dataset known to datasetInfo and openDataset. */
export async function loadUploadedDataset(
  upload: RunUpload,
  get: (key: string) => Promise<Uint8Array | undefined>,
): Promise<ImageSet> {
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
  const images = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) images[i] = (pixels[i]! / 255) * 2 - 1;
  const set: ImageSet = { images, labels: Uint8Array.from(labels32), count, shape };
  loaded.set(ref, set);
  registerUploadedDataset(ref, uploadedDatasetInfo(upload));
  return set;
}

/** The image set of an upload this process has loaded, or undefined. */
export function uploadedImageSet(ref: string): ImageSet | undefined {
  return loaded.get(ref);
}
