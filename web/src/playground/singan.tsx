/**
 * The playground for a pyramid of scales (SinGAN), run scale by scale in the browser
 * (shared/layers/pyramid.ts through generator.ts): a sample from a seed at any output size (height and
 * width, so other aspect ratios too; every scale's noise drawn at its size), the sample enlarged by the
 * finest scale (super-resolution), and paint-to-image: a rough picture painted in the colours the sample is
 * mostly made of (or any colour picked from the sample) enters at a coarse scale, and the finer scales
 * render it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { defaultPaintScale, type Size, sizesFor } from '../../../shared/pyramid-sizes.ts';
import type { RunRecord } from '../api/types.ts';
import { ErrorBox } from '../components/states.tsx';
import { drawImages } from './draw.ts';
import { DrawableCanvas, PenWidth } from './drawable-canvas.tsx';
import type { LoadedGenerator, PlainImage, PyramidGenerator } from './generator.ts';
import { GeneratorLine } from './generator-line.tsx';
import { blankImage, paintLine } from './image-input.ts';
import { cssColour, noiseMaps, paletteOf } from './pyramid-input.ts';

const SCALE = 3;
/** The largest side asked for, in pixels: beyond it a sample takes long on the cpu backend. */
const MAX_SIDE = 512;
const PALETTE = 6;

/** Draws an image on a canvas, `generated` counting the draws (the tests wait on it). */
function show(canvas: HTMLCanvasElement | null, image: PlainImage) {
  if (canvas) drawImages(canvas, image.values, 1, [image.h, image.w, image.c], SCALE);
}

export function Singan({
  run,
  gen,
}: {
  run: RunRecord;
  gen: LoadedGenerator & { pyramid: PyramidGenerator };
}) {
  const { pyramid } = gen;
  const trained = pyramid.sizes.at(-1)!;
  const c = pyramid.channels;
  const [seed, setSeed] = useState(1);
  const [size, setSize] = useState<Size>([trained[0], trained[1]]);
  const [sample, setSample] = useState<PlainImage>();
  const [generated, setGenerated] = useState(0);
  const [enlarged, setEnlarged] = useState(0);
  const [error, setError] = useState<Error>();
  const sampleCanvas = useRef<HTMLCanvasElement>(null);
  const srCanvas = useRef<HTMLCanvasElement>(null);

  const [paintScale, setPaintScale] = useState(defaultPaintScale(pyramid.sizes.length));
  const [palette, setPalette] = useState<number[][]>([]);
  const [brush, setBrush] = useState<number[]>(new Array(c).fill(1));
  const [pen, setPen] = useState(4);
  const [painting, setPainting] = useState<PlainImage>(() => blankImage([trained[0], trained[1], c]));
  const [rendered, setRendered] = useState(0);
  const paintCanvas = useRef<HTMLCanvasElement>(null);
  const renderCanvas = useRef<HTMLCanvasElement>(null);

  const sizes = () => sizesFor(pyramid.sizes, size);

  // A sample at the chosen size; its first draw at the trained size gives the painting's palette.
  useEffect(() => {
    let live = true;
    const at = sizes();
    pyramid
      .sample(at, noiseMaps(at, c, seed))
      .then((image) => {
        if (!live) return;
        show(sampleCanvas.current, image);
        setSample(image);
        setError(undefined);
        setGenerated((g) => g + 1);
        if (palette.length === 0) {
          // The sample's main colours, then black and white where they are not among them.
          const colours = paletteOf(image.values, c, PALETTE);
          for (const v of [-1, 1])
            if (!colours.some((k) => k.every((x) => x === v))) colours.push(new Array(c).fill(v));
          setPalette(colours);
          setBrush(colours[1]!);
          // The painting starts as the sample's main colour all over.
          const start = blankImage([trained[0], trained[1], c]);
          for (let p = 0; p < start.h * start.w; p++) start.values.set(colours[0]!, p * c);
          setPainting(start);
        }
      })
      .catch((err: Error) => live && setError(err));
    return () => {
      live = false;
    };
  }, [seed, size[0], size[1]]);

  // The painting rendered after every change, one render at a time, the latest painting next.
  const latest = useRef(painting);
  const pending = useRef(false);
  useEffect(() => {
    show(paintCanvas.current, painting);
    latest.current = painting;
    if (pending.current) return;
    pending.current = true;
    const go = async () => {
      let done: PlainImage | undefined;
      while (done !== latest.current) {
        done = latest.current;
        try {
          const at = pyramid.sizes;
          const out = await pyramid.sample(at, noiseMaps(at, c, seed), { scale: paintScale, image: done });
          show(renderCanvas.current, out);
          setRendered((r) => r + 1);
        } catch (err) {
          setError(err as Error);
        }
      }
      pending.current = false;
    };
    requestAnimationFrame(() => void go());
  }, [painting, paintScale, seed]);

  const enlarge = async () => {
    if (!sample) return;
    try {
      show(srCanvas.current, await pyramid.superResolve(sample));
      setEnlarged((e) => e + 1);
    } catch (err) {
      setError(err as Error);
    }
  };

  const stroke = (from: [number, number], to: [number, number]) => {
    const next = { ...painting, values: painting.values.slice() };
    paintLine(next, from, to, pen, brush);
    setPainting(next);
  };
  // A colour picked from the sample becomes the brush.
  const pick = (e: PointerEvent) => {
    if (!sample) return;
    const r = sampleCanvas.current!.getBoundingClientRect();
    const x = Math.floor(((e.clientX - r.left) / r.width) * sample.w);
    const y = Math.floor(((e.clientY - r.top) / r.height) * sample.h);
    const p = (Math.min(sample.h - 1, y) * sample.w + Math.min(sample.w - 1, x)) * c;
    setBrush(Array.from(sample.values.subarray(p, p + c)));
  };
  const side = (k: 0 | 1) => (e: Event) => {
    const v = Number((e.target as HTMLInputElement).value);
    if (Number.isInteger(v) && v >= pyramid.sizes[0]![k] && v <= MAX_SIDE)
      setSize(k === 0 ? [v, size[1]] : [size[0], v]);
  };

  return (
    <div class="playground">
      <GeneratorLine run={run} gen={gen} />
      <p class="muted">
        A pyramid of {pyramid.sizes.length} scales, trained from {pyramid.sizes[0]!.join('x')} to{' '}
        {trained.join('x')}; every scale is fully convolutional, so it samples at any size.
      </p>
      {error && <ErrorBox error={error} what="" />}
      <h2>Sample at any size</h2>
      <div class="controls">
        <label>
          Seed{' '}
          <input
            type="number"
            min={0}
            value={seed}
            data-testid="singan-seed"
            onInput={(e) => {
              const v = Number((e.target as HTMLInputElement).value);
              if (Number.isInteger(v) && v >= 0) setSeed(v);
            }}
          />
        </label>
        {(['Height', 'Width'] as const).map((name, k) => (
          <label key={name}>
            {name}{' '}
            <input
              type="number"
              min={pyramid.sizes[0]![k]}
              max={MAX_SIDE}
              // Uncommitted until Enter or leaving the box (a draw ending re-renders; what is typed stays).
              key={size[k]}
              defaultValue={String(size[k])}
              data-testid={`singan-${name.toLowerCase()}`}
              onChange={side(k as 0 | 1)}
            />
          </label>
        ))}
        <button type="button" onClick={() => setSize([trained[0], trained[1]])}>
          Trained size
        </button>
        <button type="button" data-testid="singan-enlarge" onClick={() => void enlarge()} disabled={!sample}>
          Super-resolve x{(trained[1] / pyramid.sizes.at(-2)![1]).toFixed(2)}
        </button>
      </div>
      <div class="translate">
        <figure>
          <canvas
            ref={sampleCanvas}
            class="pixelated"
            data-testid="singan-sample"
            data-generated={generated}
            role="img"
            aria-label={`Sample of seed ${seed} at ${size.join('x')}: click to pick a colour`}
            onPointerDown={pick}
          />
          <figcaption>
            Sample, {size[0]}x{size[1]} (click to pick its colour)
          </figcaption>
        </figure>
        <figure>
          <canvas
            ref={srCanvas}
            class="pixelated"
            data-testid="singan-enlarged"
            data-generated={enlarged}
            role="img"
            aria-label="The sample enlarged by the finest scale"
          />
          <figcaption>Super-resolved</figcaption>
        </figure>
      </div>
      <h2>Paint to image</h2>
      <div class="controls">
        <span>
          Colour{' '}
          {palette.map((colour) => (
            <button
              type="button"
              key={colour.join(',')}
              class="swatch"
              title={cssColour(colour)}
              aria-label={`Paint in ${cssColour(colour)}`}
              aria-pressed={colour.join(',') === brush.join(',')}
              style={{ background: cssColour(colour), width: '1.5em', height: '1.5em' }}
              onClick={() => setBrush(colour)}
            />
          ))}{' '}
          <span
            data-testid="singan-brush"
            style={{ background: cssColour(brush), display: 'inline-block', width: '1.5em', height: '1.5em' }}
          />
        </span>
        <PenWidth value={pen} min={1} max={12} step={0.5} onChange={setPen} />
        <label>
          Enters at scale
          <select
            data-testid="singan-paint-scale"
            value={paintScale}
            onChange={(e) => setPaintScale(Number((e.target as HTMLSelectElement).value))}
          >
            {pyramid.sizes.slice(1).map((s, i) => (
              <option key={i + 1} value={i + 1}>
                {i + 1} ({s.join('x')})
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="translate">
        <DrawableCanvas
          canvas={paintCanvas}
          size={[painting.h, painting.w]}
          onStroke={stroke}
          testId="singan-paint"
          label="Painting: paint on it"
          caption="Painting (paint here)"
        />
        <figure>
          <canvas
            ref={renderCanvas}
            class="pixelated"
            data-testid="singan-rendered"
            data-generated={rendered}
            role="img"
            aria-label="The painting rendered by the finer scales"
          />
          <figcaption>Rendered</figcaption>
        </figure>
      </div>
    </div>
  );
}
