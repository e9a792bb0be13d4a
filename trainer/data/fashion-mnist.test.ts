import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFashionMnist, FASHION_MNIST_FILES, loadFashionMnist } from './fashion-mnist.ts';
import { hasCommand } from './fetch-tools.ts';
import { sha256 } from './mnist.ts';

const FILES = Object.values(FASHION_MNIST_FILES).flatMap((s) => [s.images, s.labels]);
const quiet = { log: () => {} };
let root: string;
let server: Server | undefined;
const saved = process.env.XDG_CACHE_HOME;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ganzoo-fashion-test-'));
});

afterAll(async () => {
  if (saved === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = saved;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await rm(root, { recursive: true, force: true });
});

/** A fresh user cache, so each way of fetching starts from nothing. */
async function freshCache(): Promise<string> {
  const xdg = await mkdtemp(join(root, 'xdg-'));
  process.env.XDG_CACHE_HOME = xdg;
  return join(xdg, 'ganzoo', 'datasets', 'fashion-mnist');
}

// The fallbacks are tested with the real files, which the first test fetches from Debian's package.
const APT = hasCommand('apt-get') && hasCommand('dpkg-deb');
let fromDebian = '';

describe('Fashion-MNIST', () => {
  it.runIf(APT)(
    "comes from Debian's package without root, verified, into the user cache",
    async () => {
      const cache = await freshCache();
      expect(await ensureFashionMnist({ env: {}, ...quiet })).toBe(cache);
      for (const f of FILES) expect(sha256(await readFile(join(cache, f.name)))).toBe(f.sha256);
      const train = loadFashionMnist('train', cache);
      expect([train.count, ...train.shape]).toEqual([60_000, 28, 28, 1]);
      const counts = new Array(10).fill(0);
      for (const l of train.labels) counts[l]++;
      expect(counts).toEqual(new Array(10).fill(6000));
      fromDebian = cache;
    },
    120_000,
  );

  it.runIf(APT)(
    'falls back to the canonical download, checked, and says what to install when neither works',
    async () => {
      const routes = new Map<string, Uint8Array>();
      for (const f of FILES)
        routes.set(`/good/${f.name}.gz`, gzipSync(await readFile(join(fromDebian, f.name)), { level: 1 }));
      server = createServer((req, res) => {
        const body = routes.get(req.url ?? '');
        if (!body) res.writeHead(404).end();
        else res.writeHead(200).end(body);
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

      const cache = await freshCache();
      expect(await ensureFashionMnist({ env: {}, apt: false, mirrors: [`${base}/good/`], ...quiet })).toBe(
        cache,
      );
      expect(loadFashionMnist('test', cache).count).toBe(10_000);

      await freshCache();
      const err = await ensureFashionMnist({
        env: {},
        apt: false,
        mirrors: [`${base}/missing/`],
        ...quiet,
      }).catch((e: Error) => e);
      expect((err as Error).message).toContain('Fashion-MNIST could not be obtained:');
      expect((err as Error).message).toContain(`${base}/missing/train-images-idx3-ubyte.gz: HTTP 404`);
      expect((err as Error).message).toContain("Install Debian's dataset-fashion-mnist");
      expect((err as Error).message).toContain('GANZOO_FASHION_MNIST_DIR');
    },
  );

  it.runIf(APT)(
    'reads GANZOO_FASHION_MNIST_DIR as given, and refuses a corrupt file there naming it',
    async () => {
      const dir = await mkdtemp(join(root, 'given-'));
      for (const f of FILES) await writeFile(join(dir, f.name), await readFile(join(fromDebian, f.name)));
      expect(await ensureFashionMnist({ env: { GANZOO_FASHION_MNIST_DIR: dir }, ...quiet })).toBe(dir);
      await writeFile(join(dir, 't10k-labels-idx1-ubyte'), 'not fashion');
      await expect(ensureFashionMnist({ env: { GANZOO_FASHION_MNIST_DIR: dir }, ...quiet })).rejects.toThrow(
        `Fashion-MNIST file ${join(dir, 't10k-labels-idx1-ubyte')} is corrupt`,
      );
    },
  );
});
