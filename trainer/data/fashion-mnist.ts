/**
 * Fashion-MNIST: MNIST's IDX format, read by the same parser and held to the catalog's pins. The files come
 * from the first of: GANZOO_FASHION_MNIST_DIR (as given: nothing is fetched into it), Debian's package where
 * it is installed (/usr/share/datasets/fashion-mnist), the user cache, and, to fill the cache, the Debian
 * package fetched without root (`apt-get download` + `dpkg-deb -x`) where apt-get exists, else the canonical
 * download (download.ts, checksums first).
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { datasetInfo } from '../../shared/datasets.ts';
import { downloadPlan, type EnsureFilesOptions, ensureFiles, writeAtomically } from './download.ts';
import { fileDigest, hasCommand, runCommand, userCacheDir } from './fetch-tools.ts';
import { type ImageSet, idxFiles, loadIdxSet, readVerified, type Split, sha256 } from './mnist.ts';

const TITLE = 'Fashion-MNIST';
export const FASHION_MNIST_FILES = idxFiles('fashion-mnist');
const ALL = Object.values(FASHION_MNIST_FILES).flatMap((s) => [s.images, s.labels]);

/** Where Debian's package installs the files. */
export const DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

const debian = (() => {
  const source = datasetInfo('fashion-mnist').sources.find((s) => s.type === 'package');
  if (source?.type !== 'package' || !source.file) throw new Error('fashion-mnist: no Debian package pinned');
  return { name: source.name, version: source.version, file: source.file };
})();

function holdsAll(dir: string): boolean {
  return ALL.every((f) => existsSync(join(dir, f.name)) || existsSync(join(dir, `${f.name}.gz`)));
}

/** The folder the files are read from (they may not be there yet: ensureFashionMnist fills the cache). */
export function fashionMnistDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GANZOO_FASHION_MNIST_DIR) return env.GANZOO_FASHION_MNIST_DIR;
  if (holdsAll(DEBIAN_DIR)) return DEBIAN_DIR;
  return userCacheDir('datasets', 'fashion-mnist');
}

export function loadFashionMnist(split: Split, dir = fashionMnistDir()): ImageSet {
  if (!holdsAll(dir)) {
    throw new Error(
      `${TITLE}: the IDX files are not in ${dir}; the trainer fetches them before a run (ensureFashionMnist), or set GANZOO_FASHION_MNIST_DIR`,
    );
  }
  return loadIdxSet(TITLE, FASHION_MNIST_FILES, split, dir);
}

export interface EnsureFashionMnistOptions extends EnsureFilesOptions {
  env?: NodeJS.ProcessEnv;
  /** Try the Debian package first where apt-get and dpkg-deb exist (default true). */
  apt?: boolean;
}

/** Fetches the Debian package into a temporary folder and installs its four files, verified, into `dir`. */
async function fromDebianPackage(dir: string, log: (line: string) => void): Promise<void> {
  for (const cmd of ['apt-get', 'dpkg-deb']) if (!hasCommand(cmd)) throw new Error(`${cmd} is not on PATH`);
  const work = await mkdtemp(join(tmpdir(), 'ganzoo-fashion-mnist-'));
  try {
    runCommand(`apt-get download ${debian.name}`, 'apt-get', ['download', '-q', debian.name], work);
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${debian.name} wrote no .deb into ${work}`);
    // Another release of the package is accepted: its four files are checked against their own pins below.
    if (deb === debian.file.name) {
      const got = await fileDigest(join(work, deb));
      if (got !== debian.file.sha256)
        throw new Error(`${deb}: sha256 ${got}, expected ${debian.file.sha256}`);
    } else
      log(`fashion-mnist: apt-get fetched ${deb}, not the pinned ${debian.file.name}; checking its files`);
    runCommand(`unpack ${deb}`, 'dpkg-deb', ['-x', deb, 'root'], work);
    await mkdir(dir, { recursive: true });
    for (const file of ALL) {
      const gz = join(work, 'root', DEBIAN_DIR, `${file.name}.gz`);
      if (!existsSync(gz)) throw new Error(`${deb} holds no ${DEBIAN_DIR}/${file.name}.gz`);
      const content = gunzipSync(await readFile(gz));
      const got = sha256(content);
      if (got !== file.sha256)
        throw new Error(`${deb}: ${file.name} has sha256 ${got}, expected ${file.sha256}`);
      await writeAtomically(join(dir, file.name), content);
    }
    log(`fashion-mnist: the four IDX files from Debian's ${deb} (apt-get download, no root)`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Makes the files readable and returns their folder: GANZOO_FASHION_MNIST_DIR or the Debian package's
 * folder as they are, checked; otherwise the user cache, filled from the Debian package or the canonical
 * download. When nothing works the error says what each way answered and what to install.
 */
export async function ensureFashionMnist(options: EnsureFashionMnistOptions = {}): Promise<string> {
  const { env = process.env, apt = true, ...rest } = options;
  const log = rest.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = fashionMnistDir(env);
  if (env.GANZOO_FASHION_MNIST_DIR || dir === DEBIAN_DIR) {
    for (const file of ALL) readVerified(dir, file, TITLE);
    return dir;
  }
  if (ALL.every((f) => existsSync(join(dir, f.name)))) {
    // Checked once here; loadIdxSet checks them again as it reads them.
    const ok = await Promise.all(
      ALL.map(async (f) => sha256(await readFile(join(dir, f.name))) === f.sha256),
    );
    if (ok.every(Boolean)) return dir;
  }
  const failures: string[] = [];
  if (apt) {
    try {
      await fromDebianPackage(dir, log);
      return dir;
    } catch (err) {
      failures.push(
        `Debian package ${debian.name}: ${(err as Error).message.split('\n').slice(0, 6).join('\n    ')}`,
      );
      log(`fashion-mnist: not from the Debian package (${failures[0]}); trying the canonical download`);
    }
  }
  try {
    return await ensureFiles(downloadPlan('fashion-mnist', TITLE), dir, { ...rest, log });
  } catch (err) {
    failures.push(`download: ${(err as Error).message}`);
  }
  throw new Error(
    [
      `${TITLE} could not be obtained:`,
      ...failures.map((f) => `  ${f}`),
      `Install Debian's ${debian.name} (apt-get install ${debian.name}; it puts the files in ${DEBIAN_DIR}),`,
      `or put the four IDX files (plain or .gz) in a folder and set GANZOO_FASHION_MNIST_DIR to it.`,
    ].join('\n'),
  );
}
