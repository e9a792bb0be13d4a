/**
 * captioned-digits (captioned): an MNIST digit coloured, scaled and placed on a dark background, and the
 * caption its attributes make ("a large red 3 at the top left"). The attributes (digit, colour, size,
 * position) are stored too, in the catalog's order, for an attribute reader. The held-out copy ('test')
 * draws MNIST's test digits, so no held-out item shows a digit trained on.
 */
import { CAPTION_WORDS, captionOf, tokens } from '../../../shared/captions.ts';
import { CAPTION_POSITIONS, CAPTION_SIZES, DERIVED_COLOURS, datasetInfo } from '../../../shared/datasets.ts';
import { drawDigit, mnistDigits } from './digits.ts';
import { type DerivedGenerator, forEachItem } from './generator.ts';
import { colour, picture, resample, toBytes } from './raster.ts';
import { imagePlane, valueColumn } from './store.ts';

/** The side of the digit's 20 x 20 box (where MNIST centres its strokes) once scaled, by size. */
export const DIGIT_SIDES = { small: 12, large: 20 } as const;
export const captionedDigits: DerivedGenerator = {
  // 2: the 'test' split draws MNIST's test digits (version 1 drew the training ones for both).
  version: 2,
  generate(seed, count, split) {
    const info = datasetInfo('captioned-digits');
    const [size, , channels] = info.shape as [number, number, number];
    const vocabulary = info.vocabulary!;
    const digits = mnistDigits(split);
    const x = imagePlane(count, [size, size, channels]);
    const labels = valueColumn(count, 1);
    const attributes = valueColumn(count, 4);
    const caption = valueColumn(count, CAPTION_WORDS);
    forEachItem(seed, count, (i, rng) => {
      const d = drawDigit(digits, rng);
      const digit = digits.label(d);
      const c = rng.int(DERIVED_COLOURS.length);
      const s = rng.int(CAPTION_SIZES.length);
      const p = rng.int(CAPTION_POSITIONS.length);
      const side = DIGIT_SIDES[CAPTION_SIZES[s]!];
      const glyph = resample(digits.picture(d), { x0: 4, y0: 4, w: 20, h: 20 }, side, side);
      const position = CAPTION_POSITIONS[p]!;
      const margin = 1 + rng.int(2);
      const far = size - side - margin;
      const centre = Math.floor((size - side) / 2) + rng.int(3) - 1;
      const left = position.endsWith('left') ? margin : position.endsWith('right') ? far : centre;
      const top = position.startsWith('top') ? margin : position.startsWith('bottom') ? far : centre;
      const rgb = colour(DERIVED_COLOURS[c]!);
      const bright = 0.8 + 0.2 * rng.uniform();
      const background = 0.02 + 0.1 * rng.uniform();
      const image = picture(size, size, channels, background);
      for (let y = 0; y < side; y++) {
        for (let xx = 0; xx < side; xx++) {
          const a = Math.min(1, Math.max(0, glyph.data[y * side + xx]!));
          const at = ((top + y) * size + left + xx) * channels;
          for (let k = 0; k < channels; k++)
            image.data[at + k] = image.data[at + k]! * (1 - a) + rgb[k]! * bright * a;
        }
      }
      toBytes(image, x.data, i * size * size * channels);
      labels.data[i] = digit;
      attributes.data.set([digit, c, s, p], i * 4);
      caption.data.set(
        tokens(captionOf(digit, DERIVED_COLOURS[c]!, CAPTION_SIZES[s]!, position), vocabulary),
        i * CAPTION_WORDS,
      );
    });
    return { count, images: { x }, values: { labels, attributes, caption } };
  },
};
