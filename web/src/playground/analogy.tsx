/**
 * The playground for an article-swapping generator (the Conditional Analogy GAN): pick a person and an
 * article, both cut from the dataset's preview picture (article-tiles.ts); the generator is given the
 * person, the article they wear and the picked one, and its output and mask are drawn beside them.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import type { RunRecord } from '../api/types.ts';
import { ErrorBox, Loading } from '../components/states.tsx';
import { useAsync } from '../lib/hooks.ts';
import { type PreviewItem, previewItems } from './article-tiles.ts';
import { drawImages } from './draw.ts';
import type { LoadedGenerator } from './generator.ts';
import { GeneratorLine } from './generator-line.tsx';
import type { InputImage } from './image-input.ts';

const SCALE = 4;

/** The preview picture's pixels, read through a canvas. */
async function loadPreview(url: string, shape: number[]): Promise<PreviewItem[]> {
  const img = new Image();
  img.crossOrigin = 'anonymous';
  await new Promise<void>((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error(`the dataset's preview ${url} could not be loaded`));
    img.src = url;
  });
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(img, 0, 0);
  return previewItems(
    ctx.getImageData(0, 0, canvas.width, canvas.height).data,
    canvas.width,
    canvas.height,
    shape,
  );
}

function Tile({
  image,
  label,
  picked,
  onPick,
  testId,
}: {
  image: InputImage;
  label: string;
  picked: boolean;
  onPick: () => void;
  testId: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => drawImages(canvas.current!, image.values, 1, [image.h, image.w, image.c], 1), [image]);
  return (
    <button
      type="button"
      class={picked ? 'tile picked' : 'tile'}
      aria-pressed={picked}
      aria-label={label}
      data-testid={testId}
      onClick={onPick}
    >
      <canvas ref={canvas} class="pixelated" />
    </button>
  );
}

export function Analogy({ run, gen }: { run: RunRecord; gen: LoadedGenerator }) {
  const shape = gen.descriptor.inputs[0]!.shape;
  const items = useAsync(async () => {
    const catalog = await api.datasetCatalog();
    const preview = catalog.datasets.find((d) => d.id === run.spec.dataset)?.preview;
    if (!preview)
      throw new Error(`dataset '${run.spec.dataset}' has no preview to pick people and articles from`);
    return loadPreview(preview, shape);
  }, [run.spec.dataset]);
  const [person, setPerson] = useState(0);
  const [article, setArticle] = useState(1);
  const [generated, setGenerated] = useState(0);
  const [error, setError] = useState<Error>();
  const output = useRef<HTMLCanvasElement>(null);
  const mask = useRef<HTMLCanvasElement>(null);
  // Every article of the preview: each item's worn one, then its other one.
  const articles = items.data?.flatMap((i) => [i.article, i.newArticle]) ?? [];

  useEffect(() => {
    const list = items.data;
    if (!list) return;
    const [personInput, wornInput, newInput] = gen.descriptor.inputs;
    const maskAt = gen.descriptor.outputs.findIndex((o) => o.kind === 'mask');
    void (async () => {
      try {
        const outputs = await gen.generateAll(1, {
          [personInput!.name]: list[person]!.person.values,
          [wornInput!.name]: list[person]!.article.values,
          [newInput!.name]: articles[article]!.values,
        });
        drawImages(output.current!, outputs[0]!, 1, gen.descriptor.outputs[0]!.shape, SCALE);
        // The mask is in [0, 1]; drawn as images are, in [-1, 1].
        const m = outputs[maskAt]!.map((v) => 2 * v - 1);
        drawImages(mask.current!, m, 1, gen.descriptor.outputs[maskAt]!.shape, SCALE);
        setError(undefined);
        setGenerated((g) => g + 1);
      } catch (err) {
        setError(err as Error);
      }
    })();
  }, [items.data, person, article]);

  if (items.error) return <ErrorBox error={items.error} retry={items.reload} what="People and articles" />;
  if (!items.data) return <Loading what="people and articles" />;
  return (
    <div class="playground">
      <GeneratorLine run={run} gen={gen} />
      {error && <ErrorBox error={error} what="" />}
      <h2>Person</h2>
      <div class="tiles">
        {items.data.map((item, i) => (
          <Tile
            key={i}
            image={item.person}
            label={`Person ${i + 1}`}
            picked={i === person}
            onPick={() => setPerson(i)}
            testId="person"
          />
        ))}
      </div>
      <h2>Article to put on</h2>
      <div class="tiles">
        {articles.map((image, i) => (
          <Tile
            key={i}
            image={image}
            label={`Article ${i + 1}`}
            picked={i === article}
            onPick={() => setArticle(i)}
            testId="article"
          />
        ))}
      </div>
      <div class="translate">
        <figure>
          <canvas
            ref={output}
            class="pixelated"
            data-testid="output-canvas"
            data-generated={generated}
            role="img"
            aria-label="The person wearing the picked article"
          />
          <figcaption>Output</figcaption>
        </figure>
        <figure>
          <canvas
            ref={mask}
            class="pixelated"
            data-testid="mask-canvas"
            role="img"
            aria-label="Where the generator painted"
          />
          <figcaption>Mask (where it painted)</figcaption>
        </figure>
      </div>
    </div>
  );
}
