/**
 * The files of an upload as the browser gives them, each with its path inside the upload: a dropped folder
 * is walked (its own name dropped, as the CLI takes a folder's contents), picked files keep their names,
 * a picked folder its relative paths without the folder's name.
 */
export interface UploadFile {
  path: string;
  file: File;
}

/** Paths as an upload takes them: '/'-separated, without the dropped or picked folder's own name. */
export function uploadPaths(paths: readonly string[]): string[] {
  const split = paths.map((p) => p.split('/').filter(Boolean));
  const tops = new Set(split.map((s) => s[0]));
  // One folder holding everything: its name is not part of the upload.
  const strip = tops.size === 1 && split.every((s) => s.length > 1);
  return split.map((s) => (strip ? s.slice(1) : s).join('/'));
}

const sorted = (files: { path: string; file: File }[]): UploadFile[] => {
  const paths = uploadPaths(files.map((f) => f.path));
  return files.map((f, i) => ({ path: paths[i]!, file: f.file })).sort((a, b) => (a.path < b.path ? -1 : 1));
};

/** From a file input; `folder` when it picked a folder (webkitdirectory). */
export function pickedFiles(list: FileList | null, folder: boolean): UploadFile[] {
  return sorted(
    Array.from(list ?? []).map((file) => ({
      path: folder && file.webkitRelativePath ? file.webkitRelativePath : file.name,
      file,
    })),
  );
}

function readEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries answers in batches (100 in Chromium) until an empty one.
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) return resolve(all);
        all.push(...batch);
        next();
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: { path: string; file: File }[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    out.push({ path: entry.fullPath.replace(/^\//, ''), file });
  } else if (entry.isDirectory) {
    for (const child of await readEntries(entry as FileSystemDirectoryEntry)) await walk(child, out);
  }
}

/** From a drop: folders are walked; a browser without entries gives the plain files. */
export async function relativeFiles(data: DataTransfer): Promise<UploadFile[]> {
  const entries = Array.from(data.items)
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return pickedFiles(data.files, false);
  const out: { path: string; file: File }[] = [];
  for (const e of entries) await walk(e, out);
  return sorted(out);
}
