import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulators, startEmulators } from '../../test/emulators.ts';
import { makeCifar10Archive } from '../../test/fixtures/cifar10-archive.ts';
import { ensureCifar10, loadCifar10 } from './cifar10.ts';
import { sha256 } from './mnist.ts';
import { readTar } from './tar.ts';

/** A small archive in the real format (test/fixtures), served from 127.0.0.1 as is under /good/ and with
 * one byte changed under /bad/. */
const TRAIN_PER_BATCH = 4;
let root: string;
let archive: Uint8Array;
let pin: { name: string; sha256: string; md5: string };
let server: Server;
let base: string;
const requests: string[] = [];
let emulators: Emulators;
let s3: S3Client;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ganzoo-cifar-test-'));
  archive = await makeCifar10Archive(root, TRAIN_PER_BATCH);
  pin = {
    name: 'cifar-10-binary.tar.gz',
    sha256: sha256(archive),
    md5: createHash('md5').update(archive).digest('hex'),
  };
  const bad = Uint8Array.from(archive);
  bad[bad.length - 10]! ^= 0xff;
  const routes = new Map([
    ['/good/cifar-10-binary.tar.gz', archive],
    ['/bad/cifar-10-binary.tar.gz', bad],
  ]);
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = routes.get(req.url ?? '');
    if (!body) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/x-gzip' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emulators = await startEmulators();
  s3 = emulators.s3Client();
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await emulators?.stop();
  await rm(root, { recursive: true, force: true });
});

async function cached(bucket: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'datasets/' }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

const quiet = { log: () => {} };

describe('CIFAR-10', () => {
  it('reads the archive with the project tar reader as the system tar wrote it', async () => {
    const { gunzipSync } = await import('node:zlib');
    const files = readTar(gunzipSync(archive));
    expect([...files.keys()].sort()).toContain('cifar-10-batches-bin/test_batch.bin');
    expect(new TextDecoder().decode(files.get('cifar-10-batches-bin/batches.meta.txt'))).toBe(
      'airplane\nautomobile\n',
    );
  });

  it('is downloaded, checked (sha256 and MD5), unpacked once, cached in the bucket, and read as HWC images', async () => {
    const bucket = 'cifar-good';
    await emulators.createBucket(bucket);
    const dir = join(root, 'good');
    const lines: string[] = [];
    await ensureCifar10(dir, {
      pin,
      mirrors: [`${base}/missing/`, `${base}/good/`],
      s3: { bucket, client: s3 },
      log: (l) => lines.push(l),
    });
    expect(lines).toEqual([`cifar10: cifar-10-binary.tar.gz from ${base}/good/cifar-10-binary.tar.gz`]);
    expect(await cached(bucket)).toEqual(['datasets/cifar10/cifar-10-binary.tar.gz']);
    const train = loadCifar10('train', dir);
    expect([train.count, ...train.shape]).toEqual([5 * TRAIN_PER_BATCH, 32, 32, 3]);
    // Image 6 is batch 2's record 2 (batch index b = 1, r = 2): pixel 5's green is (14 + 13 + 50 + 5) % 256.
    expect(train.labels[6]).toBe(3);
    expect(train.images[(6 * 1024 + 5) * 3 + 1]).toBeCloseTo(82 / 127.5 - 1, 6);
    expect(loadCifar10('test', dir).count).toBe(3);

    // Again into the same folder: already unpacked, nothing fetched. Into a new one: from the bucket.
    const fetchSpy = vi.fn(fetch);
    await ensureCifar10(dir, { pin, mirrors: [`${base}/good/`], fetch: fetchSpy, ...quiet });
    const other = join(root, 'from-bucket');
    await ensureCifar10(other, {
      pin,
      mirrors: [`${base}/good/`],
      s3: { bucket, client: s3 },
      fetch: fetchSpy,
      ...quiet,
    });
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(loadCifar10('train', other).labels).toEqual(train.labels);
  });

  it('refuses an archive that fails its checksum, naming both hashes, and caches and unpacks nothing', async () => {
    const bucket = 'cifar-bad';
    await emulators.createBucket(bucket);
    const dir = join(root, 'bad');
    const err = await ensureCifar10(dir, {
      pin,
      mirrors: [`${base}/bad/`],
      s3: { bucket, client: s3 },
      ...quiet,
    }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      new RegExp(
        `${base}/bad/cifar-10-binary.tar.gz: corrupt cifar-10-binary.tar.gz: sha256 [0-9a-f]{64}, expected ${pin.sha256}`,
      ),
    );
    expect(await cached(bucket)).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
    expect(() => loadCifar10('train', dir)).toThrow('CIFAR-10 is not unpacked');
  });

  it('checks the published MD5 as well as the sha256', async () => {
    const err = await ensureCifar10(join(root, 'md5'), {
      pin: { ...pin, md5: '0'.repeat(32) },
      mirrors: [`${base}/good/`],
      ...quiet,
    }).catch((e: Error) => e);
    expect((err as Error).message).toContain(`md5 ${pin.md5}, expected ${'0'.repeat(32)} (published)`);
  });
});
