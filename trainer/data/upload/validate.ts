/**
 * Validates one uploaded dataset version: the files as sent (loose PNG/JPEG files, or one zip of them),
 * against the layout its kind needs, into the packed images the trainer reads, a manifest with the sha256
 * of every file and of the packed images, and a preview grid. Anything wrong refuses the whole upload with
 * an UploadRefused naming the file and what to change; the caller then stores nothing of it.
 */
import { createHash } from 'node:crypto';
import {
  type DatasetVersion,
  isArchive,
  type Manifest,
  UPLOAD_LIMITS,
  uploadPathProblem,
  type ValidationReport,
} from '../../../shared/uploads.ts';
import { imageGrid } from '../../render/grid.ts';
import { encodePng, type RasterImage } from '../../render/png.ts';
import { ZipBudgetExceeded, zipEntries } from '../zip.ts';
import { decodeImage, ImageRefused, resizeSquare, withChannels } from './images.ts';

/** Why an upload was refused, as the dataset's FAILED reason says it. */
export class UploadRefused extends Error {
  override readonly name = 'UploadRefused';
}

export type UploadLimits = { [K in keyof typeof UPLOAD_LIMITS]: number };

/** One object the user uploaded (under raw/), read on demand. */
export interface UploadedFile {
  path: string;
  read(): Promise<Uint8Array>;
}

export interface ValidatedUpload {
  report: ValidationReport;
  manifest: Manifest;
  /** uint8 NHWC, in the manifest's item order. */
  images: Uint8Array;
  labels: Int32Array;
  preview: Uint8Array;
}

interface Item {
  path: string;
  bytes: Uint8Array;
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** Files the operating system leaves in folders and archives, not the user's images: skipped. */
const isSystemFile = (path: string) =>
  path.startsWith('__MACOSX/') || /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini)$/.test(path);

/** The files inside one zip, each read within what is left of the inflation budget. */
function unzip(zip: Uint8Array, name: string, limits: UploadLimits): Item[] {
  if (zip.length > limits.maxArchiveBytes)
    throw new UploadRefused(
      `'${name}' is ${zip.length} bytes; a zip may have at most ${limits.maxArchiveBytes}`,
    );
  let entries: ReturnType<typeof zipEntries>;
  try {
    entries = zipEntries(zip, `'${name}'`);
  } catch (err) {
    throw new UploadRefused(`${(err as Error).message}; upload a zip archive, or the images themselves`);
  }
  const files = entries.filter((e) => !e.directory);
  if (files.length > limits.maxFiles)
    throw new UploadRefused(
      `'${name}' holds ${files.length} files; an upload may have at most ${limits.maxFiles}`,
    );
  let left = limits.maxInflatedBytes;
  const items: Item[] = [];
  for (const entry of entries) {
    const problem = uploadPathProblem(entry.directory ? entry.name.slice(0, -1) : entry.name);
    if (problem)
      throw new UploadRefused(`'${name}': entry ${problem}; zip the folder itself, with relative paths`);
    if (entry.directory || isSystemFile(entry.name)) continue;
    const budget = Math.min(limits.maxImageBytes, left);
    let bytes: Uint8Array;
    try {
      bytes = entry.read(budget);
    } catch (err) {
      if (!(err instanceof ZipBudgetExceeded)) throw new UploadRefused((err as Error).message);
      throw new UploadRefused(
        budget < limits.maxImageBytes
          ? `'${name}' inflates to more than ${limits.maxInflatedBytes} bytes (at '${entry.name}'): refused as a zip bomb; upload fewer or smaller images`
          : `'${entry.name}' in '${name}' is over ${limits.maxImageBytes} bytes once inflated; images may have at most ${limits.maxImageBytes}`,
      );
    }
    left -= bytes.length;
    items.push({ path: entry.name, bytes });
  }
  return items;
}

/**
 * A zip of a folder holds `folder/...` throughout: when every path is one level deeper than the layout
 * wants and they share that first folder, the layout is read inside it.
 */
function stripCommonFolder(items: Item[], layout: DatasetVersion['layout']): Item[] {
  const depth = layout === 'flat' ? 1 : 2;
  const first = items[0]?.path.split('/')[0];
  const wrapped = items.every(
    (i) => i.path.split('/').length === depth + 1 && i.path.startsWith(`${first}/`),
  );
  return first && wrapped ? items.map((i) => ({ ...i, path: i.path.slice(first.length + 1) })) : items;
}

/** The labelled groups the layout makes of the paths: one group for flat, a class each, or A and B. */
function group(declared: DatasetVersion, items: Item[]): { names: string[]; groups: Item[][] } {
  const byName = new Map<string, Item[]>();
  for (const item of items) {
    const parts = item.path.split('/');
    let key: string;
    if (declared.layout === 'flat') {
      if (parts.length !== 1)
        throw new UploadRefused(
          `'${item.path}' is in a sub-folder; kind '${declared.kind}' takes a flat folder of images (sub-folders are classes: kind 'labelled')`,
        );
      key = '';
    } else {
      if (parts.length !== 2)
        throw new UploadRefused(
          parts.length === 1
            ? `'${item.path}' is not in a sub-folder; kind '${declared.kind}' takes ${declared.layout === 'classes' ? 'one sub-folder per class' : 'the folders A/ and B/'}`
            : `'${item.path}' is nested too deep; kind '${declared.kind}' takes one level of sub-folders`,
        );
      key = parts[0]!;
      if (declared.layout === 'pairs' && key !== 'A' && key !== 'B')
        throw new UploadRefused(
          `'${item.path}' is outside A/ and B/; kind '${declared.kind}' takes only those two folders`,
        );
    }
    byName.set(key, [...(byName.get(key) ?? []), item]);
  }
  const names = [...byName.keys()].sort();
  if (declared.layout === 'classes' && names.length < 2)
    throw new UploadRefused(`kind 'labelled' needs at least two class sub-folders; found ${names.length}`);
  if (declared.layout === 'pairs') {
    for (const side of ['A', 'B'])
      if (!byName.has(side))
        throw new UploadRefused(`kind '${declared.kind}' needs images in both A/ and B/; ${side}/ is empty`);
    if (declared.kind === 'paired') {
      const a = new Set(byName.get('A')!.map((i) => i.path.slice(2)));
      const b = new Set(byName.get('B')!.map((i) => i.path.slice(2)));
      const onlyA = [...a].filter((n) => !b.has(n));
      const onlyB = [...b].filter((n) => !a.has(n));
      if (onlyA.length || onlyB.length) {
        const first = onlyA.length
          ? `A/${onlyA[0]} has no B/${onlyA[0]}`
          : `B/${onlyB[0]} has no A/${onlyB[0]}`;
        throw new UploadRefused(
          `kind 'paired' needs the same names in A/ and B/: ${first} (${onlyA.length + onlyB.length} unmatched); upload as 'unpaired' if they are not pairs`,
        );
      }
    }
  }
  const groups = names.map((n) =>
    byName.get(n)!.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)),
  );
  return { names, groups };
}

export async function validateUpload(
  datasetId: string,
  declared: DatasetVersion,
  files: readonly UploadedFile[],
  limits: UploadLimits = UPLOAD_LIMITS,
): Promise<ValidatedUpload> {
  if (files.length === 0) throw new UploadRefused('an empty upload: no files arrived; upload again');
  if (files.length > limits.maxFiles)
    throw new UploadRefused(`${files.length} files; an upload may have at most ${limits.maxFiles}`);
  const sources: { path: string; bytes: number; sha256: string }[] = [];
  let items: Item[] = [];
  for (const file of files) {
    const bytes = await file.read();
    sources.push({ path: file.path, bytes: bytes.length, sha256: sha256(bytes) });
    if (isArchive(file.path)) items.push(...unzip(bytes, file.path, limits));
    else {
      if (bytes.length > limits.maxImageBytes)
        throw new UploadRefused(
          `'${file.path}' is ${bytes.length} bytes; images may have at most ${limits.maxImageBytes}`,
        );
      if (!isSystemFile(file.path)) items.push({ path: file.path, bytes });
    }
  }
  if (items.length === 0) throw new UploadRefused('an empty upload: no images in it');
  if (items.length > limits.maxFiles)
    throw new UploadRefused(`${items.length} files; an upload may have at most ${limits.maxFiles}`);
  if (declared.kind === 'single' && items.length > 1)
    throw new UploadRefused(
      `kind 'single' takes one image; the upload holds ${items.length} (${items[0]!.path}, ${items[1]!.path}${items.length > 2 ? ', ...' : ''})`,
    );
  const { names, groups } = group(declared, stripCommonFolder(items, declared.layout));
  items = groups.flat();

  const side = declared.size;
  const c = declared.channels;
  const itemBytes = side * side * c;
  const images = new Uint8Array(items.length * itemBytes);
  const labels = new Int32Array(items.length);
  const manifestFiles: Manifest['files'] = [];
  let resized = 0;
  let converted = 0;
  const sizes = new Map<string, number>();
  let i = 0;
  for (const [label, members] of groups.entries()) {
    for (const item of members) {
      let img: RasterImage;
      try {
        img = decodeImage(item.bytes, item.path, limits.maxImageSide);
      } catch (err) {
        if (err instanceof ImageRefused)
          throw new UploadRefused(`${err.message}; only PNG and JPEG images are taken`);
        throw err;
      }
      if (img.channels !== c) converted++;
      img = withChannels(img, c);
      if (img.width !== side || img.height !== side) {
        if (!declared.resize)
          throw new UploadRefused(
            `'${item.path}' is ${img.width}x${img.height}, not the declared ${side}x${side}; resize the images, or upload with resizing on`,
          );
        const key = `${img.width}x${img.height}`;
        sizes.set(key, (sizes.get(key) ?? 0) + 1);
        img = resizeSquare(img, side);
        resized++;
      }
      images.set(img.pixels, i * itemBytes);
      labels[i] = label;
      manifestFiles.push({ path: item.path, bytes: item.bytes.length, sha256: sha256(item.bytes), label });
      i++;
    }
  }
  const notes: string[] = [];
  if (resized > 0)
    notes.push(
      `${resized} of ${items.length} images resized to ${side}x${side} (from ${[...sizes].map(([s, n]) => `${s}: ${n}`).join(', ')})`,
    );
  if (converted > 0) notes.push(`${converted} images converted to ${c === 1 ? 'greyscale' : 'RGB'}`);
  const perClass = groups.map((g) => g.length);
  const report: ValidationReport = {
    count: declared.kind === 'paired' ? perClass[0]! : items.length,
    shape: [side, side, c],
    classNames: declared.layout === 'flat' ? [] : names,
    perClass,
    resized,
    converted,
    notes,
  };
  const manifest: Manifest = {
    dataset: datasetId,
    version: declared.version,
    kind: declared.kind,
    report,
    files: manifestFiles,
    imagesSha256: sha256(images),
  };
  return { report, manifest, images, labels, preview: previewGrid(images, items.length, side, c) };
}

/** The first (up to) 64 items as one PNG grid. */
function previewGrid(images: Uint8Array, count: number, side: number, c: 1 | 3): Uint8Array {
  const n = Math.min(64, count);
  const values = new Float32Array(n * side * side * c);
  for (let k = 0; k < values.length; k++) values[k] = (images[k]! / 255) * 2 - 1;
  return encodePng(imageGrid(values, n, side, side, c, Math.min(8, n)));
}

/** sha256 of the manifest as stored (its JSON text). */
export function manifestText(manifest: Manifest): { text: string; sha256: string } {
  const text = JSON.stringify(manifest);
  return { text, sha256: sha256(text) };
}
