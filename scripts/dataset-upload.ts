/**
 * `ganzoo dataset upload DIR`: declares the folder's files (or one .zip), PUTs each straight to the
 * presigned URLs the API answers (large files in parts, keeping each part's ETag), finishes the upload and
 * follows the validation to READY or FAILED. Progress is one bar of bytes sent.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ApiClient } from '../shared/api/client.ts';
import type { CreatedDataset } from '../shared/api/schemas.ts';
import { sendUpload } from '../shared/api/send-upload.ts';
import { LAYOUT_OF_KIND, type UploadKind } from '../shared/upload-kinds.ts';
import type { UploadedDataset } from '../shared/uploads.ts';

export interface UploadOptions {
  name: string;
  kind: string;
  size: number;
  channels: number;
  resize: boolean;
}

interface UploadIo {
  fetch: typeof fetch;
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  sleep: (ms: number) => Promise<void>;
}

/** Every file under `dir` (or `dir` itself when it is a file), with '/'-separated relative paths. */
async function filesOf(dir: string): Promise<{ path: string; file: string; bytes: number }[]> {
  const s = await stat(dir);
  if (s.isFile()) return [{ path: dir.split(sep).at(-1)!, file: dir, bytes: s.size }];
  const out: { path: string; file: string; bytes: number }[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    out.push({ path: relative(dir, file).split(sep).join('/'), file, bytes: (await stat(file)).size });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function bar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / Math.max(1, total)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${((done / Math.max(1, total)) * 100).toFixed(0)}% (${done}/${total} bytes)`;
}

export async function uploadDataset(
  api: ApiClient,
  io: UploadIo,
  dir: string,
  o: UploadOptions,
): Promise<UploadedDataset> {
  const files = await filesOf(dir);
  const created: CreatedDataset = await api.createDataset({
    name: o.name,
    kind: o.kind,
    // A kind that is none of ours is sent as it is, for the API to refuse naming the kinds.
    layout: LAYOUT_OF_KIND[o.kind as UploadKind] ?? 'flat',
    size: o.size,
    channels: o.channels,
    resize: o.resize,
    files: files.map((f) => ({ path: f.path, bytes: f.bytes })),
  });
  const id = created.dataset.id;
  const version = created.version.version;
  io.err(`dataset ${o.name} (${id}) version ${version}: uploading ${files.length} files\n`);
  const total = files.reduce((s, f) => s + f.bytes, 0);
  let sent = 0;
  let shown = -1;
  const progress = () => {
    const pct = Math.floor((sent / Math.max(1, total)) * 100);
    if (pct === shown) return;
    shown = pct;
    if (io.isTTY) io.err(`\r${bar(sent, total)}`);
    else if (pct % 10 === 0) io.err(`${bar(sent, total)}\n`);
  };
  const byPath = new Map(files.map((f) => [f.path, f.file]));
  const complete = await sendUpload(created, {
    read: async (path) => new Uint8Array(await readFile(byPath.get(path)!)),
    fetch: io.fetch,
    onSent: (_path, bytes) => {
      sent += bytes;
      progress();
    },
  });
  if (io.isTTY) io.err('\n');
  await api.completeDataset(id, complete);
  io.err(`validating ${id}@${version}...\n`);
  for (;;) {
    const { dataset } = await api.dataset(id);
    const v = dataset.versions.find((x) => x.version === version)!;
    if (v.status === 'READY' || v.status === 'FAILED') return dataset;
    await io.sleep(1000);
  }
}
