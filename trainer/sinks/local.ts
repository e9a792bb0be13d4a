/** Artifacts in a local folder, laid out exactly as under the run's S3 prefix. */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ArtifactSink } from './types.ts';

export class LocalArtifactSink implements ArtifactSink {
  readonly location: string;

  constructor(root: string) {
    this.location = resolve(root);
  }

  private path(key: string): string {
    const p = resolve(this.location, key);
    if (p !== this.location && !p.startsWith(this.location + sep))
      throw new Error(`key '${key}' escapes the run folder`);
    return p;
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const p = this.path(key);
    await mkdir(dirname(p), { recursive: true });
    // Write then rename, so a reader (or a crash) never sees half a file.
    const tmp = `${p}.tmp-${process.pid}`;
    await writeFile(tmp, body);
    await rename(tmp, p);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const p = this.path(key);
    if (!existsSync(p)) return undefined;
    return new Uint8Array(await readFile(p));
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.path(prefix.endsWith('/') ? prefix : dirname(prefix) || '.');
    if (!existsSync(base)) return [];
    const entries = await readdir(base, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && !e.name.includes('.tmp-'))
      .map((e) => relative(this.location, join(e.parentPath, e.name)).split(sep).join('/'))
      .filter((k) => k.startsWith(prefix))
      .sort();
  }
}
