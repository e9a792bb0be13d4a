/**
 * scenes (label maps): a procedural landscape as a label map (SCENE_CLASSES) and its image. The map: sky above
 * a wavy horizon, ground below it, often a lake, 1-3 trees standing on the ground, 0-3 rocks. The image
 * paints each class with a texture, not a flat colour: the sky's vertical gradient with clouds, the water's
 * ripples, the ground's grass noise, the trees' leaves, the rocks' cracks; a 1 x 1 convolution of the
 * one-hot map gives one colour per class and cannot render any of them.
 */
import { datasetInfo, SCENE_CLASSES } from '../../../shared/datasets.ts';
import type { Rng } from '../rng.ts';
import { type DerivedGenerator, forEachItem, HELD_OUT_FIRST } from './generator.ts';
import {
  bounded,
  clamp01,
  coverage,
  disc,
  ellipse,
  mixRgb,
  paint,
  picture,
  type Rgb,
  rect,
  type Shape,
  scale,
  toBytes,
  union,
  valueNoise,
} from './raster.ts';
import { imagePlane, valueColumn } from './store.ts';

const CLASS = Object.fromEntries(SCENE_CLASSES.map((name, i) => [name, i])) as Record<
  (typeof SCENE_CLASSES)[number],
  number
>;

/** The class map as shapes, painted in order (later over earlier): what covers most of a pixel wins. */
function layout(rng: Rng, size: number): { cls: number; shape: Shape }[] {
  const horizon = size * (0.3 + 0.25 * rng.uniform());
  const waveA = 1 + 3 * rng.uniform();
  const waveF = (2 + 3 * rng.uniform()) / size;
  const phase = rng.uniform() * 2 * Math.PI;
  const groundTop = (x: number) => horizon + waveA * Math.sin(x * waveF * 2 * Math.PI + phase);
  const layers: { cls: number; shape: Shape }[] = [
    { cls: CLASS.sky, shape: () => true },
    { cls: CLASS.ground, shape: (x, y) => y >= groundTop(x) },
  ];
  if (rng.uniform() < 0.7) {
    const cx = size * (0.2 + 0.6 * rng.uniform());
    const cy = horizon + (size - horizon) * (0.45 + 0.3 * rng.uniform());
    const rx = size * (0.15 + 0.2 * rng.uniform());
    const ry = (size - horizon) * (0.12 + 0.15 * rng.uniform());
    layers.push({ cls: CLASS.water, shape: ellipse(cx, cy, rx, ry) });
  }
  const trees = 1 + rng.int(3);
  for (let t = 0; t < trees; t++) {
    const cx = size * (0.1 + 0.8 * rng.uniform());
    const base = groundTop(cx) + 2 + 4 * rng.uniform();
    const r = size * (0.07 + 0.07 * rng.uniform());
    const trunk = rect(cx - r * 0.22, base - 2.2 * r, cx + r * 0.22, base);
    layers.push({
      cls: CLASS.tree,
      shape: union(
        trunk,
        disc(cx, base - 2.2 * r, r),
        disc(cx - r * 0.6, base - 1.7 * r, r * 0.7),
        disc(cx + r * 0.6, base - 1.8 * r, r * 0.7),
      ),
    });
  }
  const rocks = rng.int(4);
  for (let k = 0; k < rocks; k++) {
    const cx = size * (0.1 + 0.8 * rng.uniform());
    const cy = horizon + 4 + (size - horizon - 6) * rng.uniform();
    const r = size * (0.04 + 0.05 * rng.uniform());
    const lumps = [rng.uniform(), rng.uniform(), rng.uniform()];
    // A lumpy disc flattened at its foot.
    layers.push({
      cls: CLASS.rock,
      shape: bounded(
        (x, y) => {
          const a = Math.atan2(y - cy, x - cx);
          const rr =
            r * (1 + 0.25 * Math.sin(3 * a + lumps[0]! * 6) + 0.15 * Math.sin(5 * a + lumps[1]! * 6));
          return y <= cy + r * 0.4 && (x - cx) ** 2 + ((y - cy) * (1.2 + lumps[2]! * 0.4)) ** 2 <= rr * rr;
        },
        [cx - 1.4 * r, cy - 1.4 * r, cx + 1.4 * r, cy + 0.4 * r],
      ),
    });
  }
  return layers;
}

/** Each class's texture, with per-scene jitter: a colour for each pixel. */
function textures(rng: Rng, size: number, horizon: number): ((x: number, y: number) => Rgb)[] {
  const clouds = valueNoise(rng, size, size, 4);
  const grass = valueNoise(rng, size, size, 24);
  const grassCoarse = valueNoise(rng, size, size, 5);
  const leaves = valueNoise(rng, size, size, 22);
  const rockNoise = valueNoise(rng, size, size, 12);
  const light = 0.85 + 0.3 * rng.uniform();
  const ripple = 1.2 + 0.8 * rng.uniform();
  const crack = 0.6 + 0.6 * rng.uniform();
  const at = (n: Float32Array, x: number, y: number) => n[y * size + x]!;
  const sky = (x: number, y: number): Rgb => {
    const t = clamp01(y / Math.max(1, horizon));
    const base = mixRgb([0.25, 0.45, 0.85], [0.75, 0.85, 0.95], t);
    const cloud = clamp01((at(clouds, x, y) - 0.55) * 4);
    return scale(mixRgb(base, [1, 1, 1], cloud * 0.85), light);
  };
  const water = (x: number, y: number): Rgb => {
    const s = 0.5 + 0.5 * Math.sin(y * ripple * 2 + Math.sin(x * 0.3) * 1.5);
    return scale(mixRgb([0.05, 0.2, 0.5], [0.35, 0.6, 0.9], s * s), light);
  };
  const ground = (x: number, y: number): Rgb => {
    // Patches of green and dry grass, then fine blades: dark where the fine noise is low, light tufts high.
    const base = mixRgb([0.3, 0.55, 0.15], [0.55, 0.5, 0.22], at(grassCoarse, x, y));
    const g = at(grass, x, y);
    return scale(base, light * (0.55 + 0.9 * g));
  };
  const tree = (x: number, y: number): Rgb => {
    const l = at(leaves, x, y);
    return scale(l > 0.6 ? [0.35, 0.65, 0.2] : l < 0.35 ? [0.02, 0.2, 0.05] : [0.08, 0.38, 0.12], light);
  };
  const rock = (x: number, y: number): Rgb => {
    const line = Math.abs(Math.sin((x + y * crack) * 0.9));
    const shade = 0.45 + 0.35 * at(rockNoise, x, y) - (line < 0.15 ? 0.25 : 0);
    return scale([shade, shade * 0.97, shade * 0.92], light);
  };
  const byClass: ((x: number, y: number) => Rgb)[] = [];
  byClass[CLASS.sky] = sky;
  byClass[CLASS.water] = water;
  byClass[CLASS.ground] = ground;
  byClass[CLASS.tree] = tree;
  byClass[CLASS.rock] = rock;
  return byClass;
}

export const scenes: DerivedGenerator = {
  // 2: the held-out copy is scenes of its own (it repeated the first training items before).
  version: 2,
  generate(seed, count, split = 'train') {
    const [size, , channels] = datasetInfo('scenes').shape as [number, number, number];
    const x = imagePlane(count, [size, size, channels]);
    const map = imagePlane(count, [size, size, 1]);
    const labels = valueColumn(count, 1);
    forEachItem(
      seed,
      count,
      (i, rng) => {
        const layers = layout(rng, size);
        const image = picture(size, size, channels);
        const classOf = new Uint8Array(size * size);
        const masks = layers.map((l) => coverage(size, size, l.shape));
        // The sky's gradient ends at the horizon: the first ground row of the middle column.
        const groundMask = masks[1]!;
        let horizonRow = 0;
        while (horizonRow < size && groundMask[horizonRow * size + (size >> 1)]! < 0.5) horizonRow++;
        const paintTexture = textures(rng, size, horizonRow);
        layers.forEach((layer, k) => {
          const mask = masks[k]!;
          paint(image, mask, paintTexture[layer.cls]!);
          // A pixel's class is the last layer that covers at least half of it.
          for (let p = 0; p < size * size; p++) if (mask[p]! >= 0.5) classOf[p] = layer.cls;
        });
        toBytes(image, x.data, i * size * size * channels);
        map.data.set(classOf, i * size * size);
        const counts = new Array<number>(SCENE_CLASSES.length).fill(0);
        for (const c of classOf) counts[c]!++;
        labels.data[i] = counts.indexOf(Math.max(...counts));
      },
      split === 'test' ? HELD_OUT_FIRST : 0,
    );
    return { count, images: { x, map }, values: { labels } };
  },
};
