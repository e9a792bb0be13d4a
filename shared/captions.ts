/**
 * Captions as word ids: the one tokenizer of the captioned datasets, read by their generator, the trainer's
 * text encoder, the gallery and the playground's caption box. The vocabulary is the dataset's (the catalog's
 * `vocabulary`, id 0 the padding). No dependencies: the dashboard can bundle it.
 */

/** Longest caption in words ("a large red 3 at the top left"); shorter ones are padded with 0. */
export const CAPTION_WORDS = 8;

/** The caption of an item with these attributes. */
export function captionOf(digit: number, colourName: string, size: string, position: string): string {
  return `a ${size} ${colourName} ${digit} at the ${position}`;
}

/** A caption as word indices into the vocabulary, padded with 0 to CAPTION_WORDS; an unknown word throws. */
export function tokens(caption: string, vocabulary: readonly string[]): number[] {
  const words = caption.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new Error('the caption is empty');
  const ids = words.map((word) => {
    const id = vocabulary.indexOf(word);
    if (id <= 0) throw new Error(`caption word '${word}' is not in the vocabulary`);
    return id;
  });
  if (ids.length > CAPTION_WORDS)
    throw new Error(`caption '${caption}' is longer than ${CAPTION_WORDS} words`);
  return [...ids, ...new Array<number>(CAPTION_WORDS - ids.length).fill(0)];
}

/**
 * How a generator's caption input is encoded, as its descriptor says: word ids (float32, one row of
 * CAPTION_WORDS per sample, 0 pads) into the vocabulary of the named dataset.
 */
export function captionEncoding(datasetId: string): string {
  return `word-ids:${datasetId}`;
}

/** The dataset whose vocabulary a caption encoding names, or undefined for another encoding. */
export function captionVocabularyOf(encoding: string): string | undefined {
  return encoding.startsWith('word-ids:') ? encoding.slice('word-ids:'.length) : undefined;
}

/** Word indices back to the caption. */
export function captionText(ids: ArrayLike<number>, vocabulary: readonly string[]): string {
  return Array.from(ids)
    .filter((id) => id > 0)
    .map((id) => vocabulary[id])
    .join(' ');
}
