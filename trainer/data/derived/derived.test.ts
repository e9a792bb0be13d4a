import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captionOf, captionText } from '../../../shared/captions.ts';
import { CAPTION_POSITIONS, DERIVED_COLOURS, datasetInfo, SCENE_CLASSES } from '../../../shared/datasets.ts';
import { ensurePhotos } from '../photos.ts';
import { derivedSource, GENERATORS, loadDerived } from './index.ts';
import { OBJECTS, render } from './posed-objects.ts';
import { COLOURS } from './raster.ts';
import { cachedSet, cacheFile, type DerivedSet, encodeSet } from './store.ts';

/** Items generated per check: item i depends only on (seed, i), so a few items stand for the set. */
const N = 24;
const generated = new Map<string, DerivedSet>();
const set = (id: string) => {
  const hit = generated.get(id);
  if (hit) return hit;
  const made = GENERATORS[id]!.generate(7, N);
  generated.set(id, made);
  return made;
};

const byte = (v: number) => v / 255;

beforeAll(async () => {
  await ensurePhotos({ log: () => {} });
}, 120_000);

describe.each(Object.keys(GENERATORS))('%s', (id) => {
  it('is the same bytes from the same seed, other bytes from another, and a prefix of a larger set', () => {
    const key = { id, seed: 7, version: 1 };
    const again = GENERATORS[id]!.generate(7, N);
    expect(Buffer.from(encodeSet(key, again)).equals(Buffer.from(encodeSet(key, set(id))))).toBe(true);
    const other = GENERATORS[id]!.generate(8, N);
    for (const [name, plane] of Object.entries(other.images))
      expect(Buffer.from(plane.data).equals(Buffer.from(set(id).images[name]!.data)), name).toBe(false);
    const small = GENERATORS[id]!.generate(7, 5);
    for (const [name, plane] of Object.entries(small.images))
      expect(
        Buffer.from(plane.data).equals(
          Buffer.from(set(id).images[name]!.data.subarray(0, plane.data.length)),
        ),
        name,
      ).toBe(true);
  }, 60_000);

  it("draws its held-out copy ('test') apart from its training items: no held-out image is a training image", () => {
    const px = (t: DerivedSet) => t.images.x!.data.length / t.count;
    const items = (t: DerivedSet) =>
      Array.from({ length: t.count }, (_, i) =>
        Buffer.from(t.images.x!.data.subarray(i * px(t), (i + 1) * px(t))).toString('base64'),
      );
    const trained = new Set(items(set(id)));
    expect(items(GENERATORS[id]!.generate(7, N, 'test')).filter((b) => trained.has(b))).toHaveLength(0);
  }, 60_000);

  it('holds the images and values its catalog entry declares', () => {
    const info = datasetInfo(id as Parameters<typeof datasetInfo>[0]);
    const s = set(id);
    expect(s.images.x!.shape).toEqual(info.shape);
    expect(s.images.x!.data.length).toBe(N * info.shape[0]! * info.shape[1]! * info.shape[2]!);
    for (let i = 0; i < N; i++) {
      const label = s.values.labels!.data[i]!;
      expect(Number.isInteger(label) && label >= 0 && label < info.classes, `label ${label}`).toBe(true);
    }
    if (info.attributes) {
      const col = s.values.attributes!;
      expect(col.width).toBe(info.attributes.length);
      for (let i = 0; i < N; i++)
        info.attributes.forEach((a, k) => {
          const v = col.data[i * col.width + k]!;
          expect(Number.isInteger(v) && v >= 0 && v < a.values.length, `${a.name} ${v}`).toBe(true);
        });
    }
  }, 60_000);
});

describe('edges2digits', () => {
  it("pairs a binary map of the strokes' edges (not the strokes themselves) with the digit", () => {
    const { input, x } = set('edges2digits').images;
    const size = 32;
    let [edges, outside, inside] = [0, 0, 0];
    for (let i = 0; i < N; i++) {
      const at = (px: number, py: number) =>
        x!.data[
          i * size * size + Math.min(size - 1, Math.max(0, py)) * size + Math.min(size - 1, Math.max(0, px))
        ]!;
      let own = 0;
      for (let p = 0; p < size * size; p++) {
        const e = input!.data[i * size * size + p]!;
        expect(e === 0 || e === 255).toBe(true);
        if (e === 0) continue;
        own++;
        const [px, py] = [p % size, Math.floor(p / size)];
        let near = 0;
        let far = 255;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            near = Math.max(near, at(px + dx, py + dy));
            far = Math.min(far, at(px + dx, py + dy));
          }
        // Every edge pixel is next to a stroke and next to the background.
        expect(near).toBeGreaterThan(64);
        expect(far).toBeLessThan(192);
        if (at(px, py) < 64) outside++;
        if (at(px, py) > 192) inside++;
      }
      expect(own).toBeGreaterThan(10);
      edges += own;
    }
    // Edges lie on both sides of a stroke's border: a thresholded digit would have none outside it.
    expect(outside / edges).toBeGreaterThan(0.2);
    expect(inside / edges).toBeGreaterThan(0.1);
  });
});

describe('thick-digits', () => {
  it('makes a target at least as bright everywhere, and with more stroke pixels', () => {
    const { input, x } = set('thick-digits').images;
    const px = 32 * 32;
    for (let i = 0; i < N; i++) {
      let thin = 0;
      let thick = 0;
      for (let p = i * px; p < (i + 1) * px; p++) {
        expect(x!.data[p]!).toBeGreaterThanOrEqual(input!.data[p]!);
        if (input!.data[p]! > 127) thin++;
        if (x!.data[p]! > 127) thick++;
      }
      expect(thick).toBeGreaterThan(thin * 1.3);
    }
  });
});

describe('digits2mnistm', () => {
  it('has grey digits on black in A, and in B digits over photographs no colour map of A could give', () => {
    const s = set('digits2mnistm');
    const px = 32 * 32;
    // The share of an image's pixels its most common colour (3 bits a channel) covers. A colour map of an
    // A image would give one colour to its black background, most of the image; B's background is a crop.
    const commonest = (data: Uint8Array, i: number) => {
      const counts = new Map<number, number>();
      for (let p = 0; p < px; p++) {
        const q = [0, 1, 2].map((k) => data[(i * px + p) * 3 + k]! >> 5);
        const key = (q[0]! << 6) | (q[1]! << 3) | q[2]!;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return Math.max(...counts.values()) / px;
    };
    let [a, b] = [0, 0];
    for (let i = 0; i < N; i++) {
      for (let p = 0; p < px; p++) {
        const at = (i * px + p) * 3;
        expect(s.images.x!.data[at]).toBe(s.images.x!.data[at + 1]);
        expect(s.images.x!.data[at]).toBe(s.images.x!.data[at + 2]);
      }
      a += commonest(s.images.x!.data, i) / N;
      b += commonest(s.images.domainB!.data, i) / N;
    }
    expect(a).toBeGreaterThan(0.6);
    expect(b).toBeLessThan(0.4);
    const la = Array.from(s.values.labels!.data);
    const lb = Array.from(s.values.labelsB!.data);
    expect(la.some((l, i) => l !== lb[i])).toBe(true);
  });
});

describe('scenes', () => {
  it('paints each class with a texture: one colour per class and image (a 1x1 convolution) misses it widely', () => {
    const s = set('scenes');
    const px = 64 * 64;
    const k = SCENE_CLASSES.length;
    // The best a 1x1 convolution of the one-hot map could do, even given each image's lighting: the mean
    // colour of each class in each image. What is left is the texture.
    const sums = new Float64Array(N * k * 3);
    const counts = new Float64Array(N * k);
    const each = (fn: (slot: number, rgb: number[]) => void) => {
      for (let p = 0; p < N * px; p++) {
        const slot = Math.floor(p / px) * k + s.images.map!.data[p]!;
        fn(
          slot,
          [0, 1, 2].map((c) => byte(s.images.x!.data[p * 3 + c]!)),
        );
      }
    };
    each((slot, rgb) => {
      counts[slot]!++;
      rgb.forEach((v, c) => {
        sums[slot * 3 + c]! += v;
      });
    });
    const sq = new Float64Array(k);
    const n = new Float64Array(k);
    each((slot, rgb) => {
      n[slot % k]!++;
      rgb.forEach((v, c) => {
        sq[slot % k]! += (v - sums[slot * 3 + c]! / counts[slot]!) ** 2 / 3;
      });
    });
    for (let cls = 0; cls < k; cls++) {
      expect(n[cls], `${SCENE_CLASSES[cls]} appears`).toBeGreaterThan(0);
      expect(Math.sqrt(sq[cls]! / n[cls]!), `${SCENE_CLASSES[cls]}'s RMS error`).toBeGreaterThan(0.06);
    }
    for (let i = 0; i < N; i++) {
      const classes = new Set(s.images.map!.data.subarray(i * px, (i + 1) * px));
      expect(classes.has(SCENE_CLASSES.indexOf('sky'))).toBe(true);
      expect(classes.has(SCENE_CLASSES.indexOf('ground'))).toBe(true);
      expect(classes.size).toBeGreaterThanOrEqual(3);
    }
  });

  it('draws its held-out copy as scenes of its own, not the first training scenes again', () => {
    const train = GENERATORS.scenes!.generate(0, 2);
    const test = GENERATORS.scenes!.generate(0, 2, 'test');
    expect(Buffer.from(test.images.x!.data).equals(Buffer.from(train.images.x!.data))).toBe(false);
    expect(Buffer.from(test.images.map!.data).equals(Buffer.from(train.images.map!.data))).toBe(false);
    expect(Buffer.from(GENERATORS.scenes!.generate(0, 2, 'test').images.x!.data)).toEqual(
      Buffer.from(test.images.x!.data),
    );
  });
});

describe('captioned-digits', () => {
  it('captions each digit from its attributes, and draws it in that colour and place', () => {
    const info = datasetInfo('captioned-digits');
    const s = set('captioned-digits');
    const [size, attrs] = [32, info.attributes!];
    const bright = { small: 0, large: 0 };
    for (let i = 0; i < N; i++) {
      const [digit, c, z, p] = Array.from(s.values.attributes!.data.subarray(i * 4, i * 4 + 4));
      expect(s.values.labels!.data[i]).toBe(digit);
      const words = s.values.caption!.data.subarray(i * 8, i * 8 + 8);
      expect(captionText(words, info.vocabulary!)).toBe(
        captionOf(digit!, attrs[1]!.values[c!]!, attrs[2]!.values[z!]!, attrs[3]!.values[p!]!),
      );
      // The digit's pixels: their centre is in the named place, their colour nearest the named colour.
      let [n, cx, cy] = [0, 0, 0];
      const mean = [0, 0, 0];
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const at = ((i * size + y) * size + x) * 3;
          const rgb = [0, 1, 2].map((k) => byte(s.images.x!.data[at + k]!));
          if (Math.max(...rgb) < 0.5) continue;
          n++;
          cx += x;
          cy += y;
          rgb.forEach((v, k) => {
            mean[k]! += v;
          });
        }
      const position = CAPTION_POSITIONS[p!]!;
      const [mx, my] = [cx / n / size, cy / n / size];
      if (position.includes('left')) expect(mx).toBeLessThan(0.5);
      if (position.includes('right')) expect(mx).toBeGreaterThan(0.5);
      if (position.includes('top')) expect(my).toBeLessThan(0.5);
      if (position.includes('bottom')) expect(my).toBeGreaterThan(0.5);
      if (position === 'centre') expect(Math.hypot(mx - 0.5, my - 0.5)).toBeLessThan(0.15);
      // Compared as chromaticity (brightest channel 1): the digit's brightness and its edges vary.
      const chroma = (rgb: readonly number[]) => rgb.map((v) => v / Math.max(...rgb));
      const avg = chroma(mean);
      const gap = (name: string) => Math.hypot(...chroma(COLOURS[name]!).map((v, k) => v - avg[k]!));
      const nearest = DERIVED_COLOURS.reduce((best, name) => (gap(name) < gap(best) ? name : best));
      expect(nearest, `item ${i}`).toBe(DERIVED_COLOURS[c!]);
      bright[attrs[2]!.values[z!] as 'small' | 'large'] += n;
    }
    expect(bright.large).toBeGreaterThan(bright.small);
  });
});

describe('posed-objects', () => {
  it('stores the pose each image was rendered at, within the catalog ranges', () => {
    const info = datasetInfo('posed-objects');
    const s = set('posed-objects');
    const px = 32 * 32 * 3;
    for (let i = 0; i < 4; i++) {
      const [az, el] = Array.from(s.values.pose!.data.subarray(i * 2, i * 2 + 2));
      expect(az).toBeGreaterThanOrEqual(info.pose!.azimuth[0]);
      expect(az).toBeLessThan(info.pose!.azimuth[1]);
      expect(el).toBeGreaterThanOrEqual(info.pose!.elevation[0]);
      expect(el).toBeLessThan(info.pose!.elevation[1]);
      const again = render(OBJECTS[s.values.labels!.data[i]!]!, az!, el!, 32);
      const bytes = Array.from(again.data, (v) => Math.round(v * 255));
      expect(bytes).toEqual(Array.from(s.images.x!.data.subarray(i * px, (i + 1) * px)));
    }
  });

  it('draws objects no turn about the vertical maps onto themselves: each quarter turn changes the outline', () => {
    // Pixels off the background (the corner's colour).
    const outline = (object: number, az: number) => {
      const { data } = render(OBJECTS[object]!, az, 20, 32);
      return Array.from({ length: 32 * 32 }, (_, p) =>
        [0, 1, 2].some((k) => Math.abs(data[p * 3 + k]! - data[k]!) > 0.03) ? 1 : 0,
      );
    };
    for (let object = 0; object < OBJECTS.length; object++) {
      for (const az of [30, 75]) {
        const base = outline(object, az);
        for (const turn of [90, 180, 270]) {
          const turned = outline(object, az + turn);
          let differ = 0;
          for (let p = 0; p < base.length; p++) if (base[p] !== turned[p]) differ++;
          expect(differ, `object ${object} at ${az} and ${az + turn}`).toBeGreaterThan(10);
        }
      }
    }
  });
});

describe('figures-articles', () => {
  it("dresses the figure in the article it stores: the mask's colours are the flat article's", () => {
    const s = set('figures-articles');
    const size = 64;
    const px = size * size;
    for (let i = 0; i < N; i++) {
      const onFigure = [0, 0, 0];
      let n = 0;
      for (let p = 0; p < px; p++) {
        if (s.images.mask!.data[i * px + p]! < 250) continue;
        n++;
        for (let k = 0; k < 3; k++) onFigure[k]! += byte(s.images.x!.data[(i * px + p) * 3 + k]!);
      }
      expect(n / px).toBeGreaterThan(0.05);
      expect(n / px).toBeLessThan(0.4);
      // The flat article's pixels are those off its plain grey ground.
      const flat = [0, 0, 0];
      let m = 0;
      for (let p = 0; p < px; p++) {
        const rgb = [0, 1, 2].map((k) => byte(s.images.article!.data[(i * px + p) * 3 + k]!));
        if (rgb.every((v) => Math.abs(v - 0.6) < 0.01)) continue;
        m++;
        rgb.forEach((v, k) => {
          flat[k]! += v;
        });
      }
      const gap = Math.hypot(...onFigure.map((v, k) => v / n - flat[k]! / m));
      expect(gap, `item ${i}`).toBeLessThan(0.08);
      expect(s.values.labels!.data[i]).toBe(s.values.attributes!.data[i * 2 + 1]);
    }
  });
});

describe('the cache', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ganzoo-derived-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates once, then reads; a corrupt or older file is generated again', async () => {
    let calls = 0;
    const lines: string[] = [];
    const options = {
      id: 'thick-digits',
      seed: 7,
      count: 6,
      version: 1,
      dir,
      log: (l: string) => lines.push(l),
      generate: () => {
        calls++;
        return GENERATORS['thick-digits']!.generate(7, 6);
      },
    };
    const first = cachedSet(options);
    const second = cachedSet(options);
    expect(calls).toBe(1);
    expect(Buffer.from(second.images.x!.data).equals(Buffer.from(first.images.x!.data))).toBe(true);
    expect(Array.from(second.values.labels!.data)).toEqual(Array.from(first.values.labels!.data));

    const file = cacheFile('thick-digits', 7, 6, 1, dir);
    const bytes = await readFile(file);
    bytes[bytes.length - 10] = 255 - bytes[bytes.length - 10]!;
    await writeFile(file, bytes);
    const third = cachedSet(options);
    expect(calls).toBe(2);
    expect(lines.some((l) => l.includes('sha256 does not match'))).toBe(true);
    expect(Buffer.from(third.images.x!.data).equals(Buffer.from(first.images.x!.data))).toBe(true);

    cachedSet({ ...options, version: 2 });
    expect(calls).toBe(3);
  }, 60_000);

  it('draws a set further at its seed when asked for more items: the catalog set first, cached apart', () => {
    const info = datasetInfo('captioned-digits');
    const seed = derivedSource(info)!.seed;
    const more = loadDerived(info, { count: 40, dir, log: () => {} });
    expect(more.count).toBe(40);
    expect(
      existsSync(cacheFile('captioned-digits', seed, 40, GENERATORS['captioned-digits']!.version, dir)),
    ).toBe(true);
    const first = GENERATORS['captioned-digits']!.generate(seed, 10);
    expect(Buffer.from(more.images.x!.data.subarray(0, first.images.x!.data.length))).toEqual(
      Buffer.from(first.images.x!.data),
    );
    expect(Array.from(more.values.attributes!.data.subarray(0, 40))).toEqual(
      Array.from(first.values.attributes!.data),
    );
    expect(() => loadDerived(info, { count: 0, dir })).toThrow(
      "dataset 'captioned-digits': 0 items asked for; a positive integer",
    );
  }, 60_000);
});

describe('photos-x4', () => {
  it('pairs each crop with its bicubic x4 reduction, and holds out crops from other rows', async () => {
    const { resizeBicubic } = await import('../../../shared/layers/bicubic.ts');
    const s = set('photos-x4');
    const [size, , c] = datasetInfo('photos-x4').shape as [number, number, number];
    const small = datasetInfo('photos-x4').inputShape!;
    const per = size * size * c;
    const perSmall = small[0] * small[1] * small[2];
    expect(s.images.input!.shape).toEqual(small);
    for (let i = 0; i < 4; i++) {
      const crop = Array.from(s.images.x!.data.subarray(i * per, (i + 1) * per), byte);
      const want = resizeBicubic(crop, [size, size, c], [small[0], small[1]]);
      const got = s.images.input!.data.subarray(i * perSmall, (i + 1) * perSmall);
      // The input is made from the unrounded crop, so the two agree within a byte's rounding.
      for (let p = 0; p < perSmall; p++)
        expect(Math.abs(byte(got[p]!) - Math.min(1, Math.max(0, want[p]!)))).toBeLessThan(1.5 / 255);
    }
    // Held-out rows are never a training crop's rows: no held-out first row appears in the training set.
    const held = GENERATORS['photos-x4']!.generate(7, N, 'test');
    const rows = new Set<string>();
    for (let i = 0; i < N; i++)
      for (let y = 0; y < size; y++)
        rows.add(s.images.x!.data.subarray((i * size + y) * size * c, (i * size + y + 1) * size * c).join());
    for (let i = 0; i < N; i++)
      expect(rows.has(held.images.x!.data.subarray(i * per, i * per + size * c).join())).toBe(false);
  });
});
