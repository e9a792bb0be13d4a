/**
 * figures-articles (articles, for the Conditional Analogy GAN): a simple figure (head, neck, arms, legs, shoes)
 * wearing a top of a colour and pattern (DERIVED_COLOURS x ARTICLE_PATTERNS), the top's flat image on a plain
 * ground, and the top's region on the figure (its coverage, 0-1). The pattern is laid out in the top's own
 * coordinates, so the figure wears what the flat image shows. A batch's newArticle is another item's top.
 * The held-out copy's items come from streams no training item uses (HELD_OUT_FIRST).
 */
import { ARTICLE_PATTERNS, DERIVED_COLOURS, datasetInfo } from '../../../shared/datasets.ts';
import type { Rng } from '../rng.ts';
import { type DerivedGenerator, forEachItem, HELD_OUT_FIRST } from './generator.ts';
import {
  colour,
  coverage,
  disc,
  ellipse,
  mixRgb,
  paint,
  picture,
  polygon,
  type Rgb,
  rect,
  type Shape,
  scale,
  toBytes,
  union,
} from './raster.ts';
import { imagePlane, valueColumn } from './store.ts';

/** The top in its own units: a torso 1 wide and 1.1 tall with short sleeves, its collar's centre at (0, 0). */
const TOP: (readonly [number, number])[] = [
  [-0.22, 0],
  [0.22, 0],
  [0.5, 0.08],
  [0.78, 0.38],
  [0.6, 0.52],
  [0.45, 0.4],
  [0.45, 1.1],
  [-0.45, 1.1],
  [-0.45, 0.4],
  [-0.6, 0.52],
  [-0.78, 0.38],
  [-0.5, 0.08],
];

/** The pattern's colour at a point in the top's units. */
function patternAt(pattern: string, base: Rgb, second: Rgb, u: number, v: number): Rgb {
  const period = 0.22;
  switch (pattern) {
    case 'stripes':
      return (((v / period) % 1) + 1) % 1 < 0.5 ? base : second;
    case 'dots': {
      const du = ((((u / period) % 1) + 1) % 1) - 0.5;
      const dv = ((((v / period) % 1) + 1) % 1) - 0.5;
      return du * du + dv * dv < 0.09 ? second : base;
    }
    case 'checks':
      return (Math.floor(u / period) + Math.floor(v / period)) % 2 === 0 ? base : second;
    default:
      return base;
  }
}

/** The top placed with its collar at (cx, cy), `unit` pixels to its unit: its shape and its texture. */
function placedTop(cx: number, cy: number, unit: number, fill: (u: number, v: number) => Rgb) {
  const shape = polygon(TOP.map(([u, v]) => [cx + u * unit, cy + v * unit] as const));
  const texture = (x: number, y: number) => fill((x + 0.5 - cx) / unit, (y + 0.5 - cy) / unit);
  return { shape, texture };
}

/** The flat article's ground: a mid grey, so a white top and a black-patterned one both stand out. */
const FLAT_GROUND = 0.6;

const SKINS: Rgb[] = [
  [0.96, 0.8, 0.65],
  [0.85, 0.65, 0.45],
  [0.6, 0.42, 0.28],
  [0.4, 0.27, 0.17],
];
const TROUSERS: Rgb[] = [
  [0.15, 0.18, 0.3],
  [0.25, 0.25, 0.25],
  [0.4, 0.3, 0.2],
  [0.1, 0.1, 0.1],
];

function drawFigure(
  rng: Rng,
  size: number,
  top: (cx: number, cy: number, unit: number) => ReturnType<typeof placedTop>,
) {
  const unit = size * (0.36 + 0.06 * rng.uniform());
  const cx = size / 2 + (rng.uniform() - 0.5) * size * 0.15;
  const collar = size * 0.3;
  const skin = SKINS[rng.int(SKINS.length)]!;
  const trousers = TROUSERS[rng.int(TROUSERS.length)]!;
  const hair = scale([0.35, 0.22, 0.1], 0.4 + rng.uniform());
  // Mid grey, as the flat article's, so a white top stands out on it.
  const ground = 0.55 + 0.15 * rng.uniform();
  const pic = picture(size, size, 3, [ground, ground, ground * 0.97]);
  const at = (shape: Shape) => coverage(size, size, shape);
  const legTop = collar + 1.0 * unit;
  const legBottom = size * 0.95;
  const legW = unit * 0.17;
  paint(
    pic,
    at(
      union(
        rect(cx - unit * 0.4, legTop, cx - unit * 0.4 + legW * 2, legBottom),
        rect(cx + unit * 0.4 - legW * 2, legTop, cx + unit * 0.4, legBottom),
      ),
    ),
    trousers,
  );
  paint(
    pic,
    at(
      union(
        rect(cx - unit * 0.45, legBottom - 2, cx - unit * 0.05, legBottom + 1),
        rect(cx + unit * 0.05, legBottom - 2, cx + unit * 0.45, legBottom + 1),
      ),
    ),
    [0.1, 0.08, 0.06],
  );
  // Forearms below the sleeves.
  const arm = (side: number) =>
    polygon([
      [cx + side * unit * 0.72, collar + unit * 0.42],
      [cx + side * unit * 0.6, collar + unit * 0.52],
      [cx + side * unit * 0.55, collar + unit * 0.95],
      [cx + side * unit * 0.68, collar + unit * 0.95],
    ]);
  paint(pic, at(union(arm(-1), arm(1))), skin);
  paint(pic, at(rect(cx - unit * 0.1, collar - unit * 0.12, cx + unit * 0.1, collar + 1)), skin);
  const headR = unit * 0.2;
  const headY = collar - unit * 0.12 - headR * 0.9;
  paint(pic, at(ellipse(cx, headY - headR * 0.25, headR * 1.05, headR * 0.85)), hair);
  paint(pic, at(disc(cx, headY, headR * 0.92)), skin);
  const t = top(cx, collar, unit);
  const mask = at(t.shape);
  paint(pic, mask, t.texture);
  return { pic, mask };
}

export const figuresArticles: DerivedGenerator = {
  version: 1,
  generate(seed, count, split = 'train') {
    const [size, , channels] = datasetInfo('figures-articles').shape as [number, number, number];
    const pixels = size * size * channels;
    const x = imagePlane(count, [size, size, channels]);
    const article = imagePlane(count, [size, size, channels]);
    const mask = imagePlane(count, [size, size, 1]);
    const labels = valueColumn(count, 1);
    const attributes = valueColumn(count, 2);
    forEachItem(
      seed,
      count,
      (i, rng) => {
        const c = rng.int(DERIVED_COLOURS.length);
        const p = rng.int(ARTICLE_PATTERNS.length);
        const base = scale(colour(DERIVED_COLOURS[c]!), 0.85 + 0.15 * rng.uniform());
        // The pattern's second colour: white over dark colours, a darker shade over white.
        const second: Rgb = DERIVED_COLOURS[c] === 'white' ? [0.2, 0.2, 0.25] : mixRgb(base, [1, 1, 1], 0.75);
        const fill = (u: number, v: number) => patternAt(ARTICLE_PATTERNS[p]!, base, second, u, v);
        const figure = drawFigure(rng, size, (cx, cy, unit) => placedTop(cx, cy, unit, fill));
        toBytes(figure.pic, x.data, i * pixels);
        toBytes({ h: size, w: size, c: 1, data: figure.mask }, mask.data, i * size * size);
        // The flat article: the same top, larger, centred on a light ground.
        const flat = picture(size, size, channels, FLAT_GROUND);
        const unit = size * 0.58;
        const top = placedTop(size / 2, size * 0.2, unit, fill);
        paint(flat, coverage(size, size, top.shape), top.texture);
        toBytes(flat, article.data, i * pixels);
        labels.data[i] = p;
        attributes.data.set([c, p], i * 2);
      },
      split === 'test' ? HELD_OUT_FIRST : 0,
    );
    return { count, images: { x, article, mask }, values: { labels, attributes } };
  },
};
