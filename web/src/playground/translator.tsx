/**
 * The playground for a generator that translates images (pix2pix, CycleGAN, SPADE, SRGAN): draw the input on
 * a canvas (white on black, as the digit sets are) or upload a picture, and the output is drawn again after
 * every stroke. A generator with two image inputs (CycleGAN: [a, b] -> [to_b, to_a]) translates either way:
 * the input goes to the chosen direction's input (and, unused, to the other), and that direction's output is
 * shown.
 * A generator that paints a label map (SPADE) gets the map to paint class by class in its palette instead,
 * starting from the first class over the third (the scenes' sky over ground).
 * A generator whose output is larger than its input (SRGAN, x4) enlarges a whole picture: an upload keeps its
 * own size (up to MAX_SIDE, cut to whole input-sized tiles), each tile is enlarged, and the tiles are joined.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { sizeOf } from '../../../shared/generator-summary.ts';
import type { RunRecord } from '../api/types.ts';
import { ErrorBox } from '../components/states.tsx';
import { drawImages } from './draw.ts';
import { DrawableCanvas, PenWidth } from './drawable-canvas.tsx';
import type { LoadedGenerator } from './generator.ts';
import { GeneratorLine } from './generator-line.tsx';
import {
  blankImage,
  fromTiles,
  type InputImage,
  imageFromRgba,
  oneHot,
  paintedLabelMap,
  paintLine,
  splitLabelMap,
  toTiles,
} from './image-input.ts';

const SCALE = 8;
/** The largest side a super-resolution upload keeps, in input pixels. */
const MAX_SIDE = 64;
/** About how wide a super-resolution input is drawn, in screen pixels. */
const SHOWN = 256;
const inputScale = (width: number) => Math.max(1, Math.round(SHOWN / width));

export function Translator({ run, gen }: { run: RunRecord; gen: LoadedGenerator }) {
  const twoWay = gen.descriptor.inputs.length === 2;
  const [direction, setDirection] = useState(0);
  const shape = gen.descriptor.inputs[direction]!.shape;
  const mapInput = gen.descriptor.inputs[0]?.kind === 'label-map' ? gen.descriptor.inputs[0] : undefined;
  const palette = mapInput?.palette ?? [];
  // Super-resolution: one input, an output `factor` times its size; the picture is a grid of input tiles.
  const factor = twoWay ? 1 : (gen.descriptor.outputs[0]?.shape[0] ?? shape[0]!) / shape[0]!;
  const startShape = factor > 1 ? [4 * shape[0]!, 4 * shape[1]!, shape[2]!] : shape;
  const blank = (s: number[]) =>
    mapInput ? splitLabelMap(s, 0, Math.min(2, mapInput.classes - 1)) : blankImage(s);
  const [image, setImage] = useState<InputImage>(() => blank(startShape));
  const [brush, setBrush] = useState(mapInput ? mapInput.classes - 1 : 0);
  const [pen, setPen] = useState(mapInput ? 3 : 1.2);
  const [erase, setErase] = useState(false);
  const [generated, setGenerated] = useState(0);
  const [error, setError] = useState<Error>();
  const inputCanvas = useRef<HTMLCanvasElement>(null);
  const outputCanvas = useRef<HTMLCanvasElement>(null);
  const pending = useRef(false);

  // Read when a translation starts, so a loop begun before a change of direction follows it.
  const directionNow = useRef(direction);
  directionNow.current = direction;
  const translate = async (input: InputImage) => {
    const direction = directionNow.current;
    const shape = gen.descriptor.inputs[direction]!.shape;
    try {
      // CycleGAN translates both ways at once; the other direction's input is left blank.
      const values = Object.fromEntries(
        gen.descriptor.inputs.map((i, d) => [
          i.name,
          d === direction ? input.values : new Float32Array(sizeOf(i)),
        ]),
      );
      if (factor > 1) {
        const [th, tw] = shape as [number, number];
        const tiles = toTiles(input, [th, tw]);
        const [out] = await gen.generateAll(tiles.count, { [gen.descriptor.inputs[0]!.name]: tiles.values });
        const big = fromTiles(out!, input.h / th, input.w / tw, gen.descriptor.outputs[0]!.shape);
        drawImages(
          outputCanvas.current!,
          big.values,
          1,
          [big.h, big.w, big.c],
          // As large on screen as the input, so the two line up.
          inputScale(input.w) / factor,
        );
      } else {
        const outputs = await gen.generateAll(1, values);
        const outShape = gen.descriptor.outputs[direction]?.shape ?? shape;
        drawImages(outputCanvas.current!, outputs[direction]!, 1, outShape, SCALE);
      }
      setError(undefined);
      setGenerated((g) => g + 1);
    } catch (err) {
      setError(err as Error);
    }
  };

  // Redraw the input and translate it whenever it changes; strokes come faster than frames, so one
  // translation at a time, the latest input next.
  const latest = useRef(image);
  useEffect(() => {
    const scale = factor > 1 ? inputScale(image.w) : SCALE;
    if (mapInput)
      drawImages(inputCanvas.current!, paintedLabelMap(image, palette), 1, [image.h, image.w, 3], scale);
    else drawImages(inputCanvas.current!, image.values, 1, [image.h, image.w, image.c], scale);
    latest.current = image;
    if (pending.current) return;
    pending.current = true;
    const run = async () => {
      let done: InputImage | undefined;
      while (done !== latest.current) {
        done = latest.current;
        await translate(done);
      }
      pending.current = false;
    };
    requestAnimationFrame(() => void run());
  }, [image, direction]);

  const stroke = (from: [number, number], to: [number, number]) => {
    const next = { ...image, values: image.values.slice() };
    paintLine(next, from, to, pen, mapInput ? oneHot(brush, image.c) : erase ? -1 : 1);
    setImage(next);
  };
  const upload = (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => {
      // A translator's input is its fixed size; a super-resolution upload keeps its own, in whole tiles.
      let [w, h] = [shape[1]!, shape[0]!];
      if (factor > 1) {
        const fit = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
        w = Math.max(shape[1]!, Math.floor((img.width * fit) / shape[1]!) * shape[1]!);
        h = Math.max(shape[0]!, Math.floor((img.height * fit) / shape[0]!) * shape[0]!);
      }
      const c = document.createElement('canvas');
      c.width = w;
      c.height = h;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0, w, h);
      setImage(imageFromRgba(ctx.getImageData(0, 0, w, h).data, [h, w, shape[2]!]));
      URL.revokeObjectURL(url);
    };
    img.onerror = () => setError(new Error(`${file.name} could not be read as an image`));
    img.src = url;
  };

  return (
    <div class="playground">
      <GeneratorLine run={run} gen={gen} />
      <div class="controls">
        {twoWay && (
          <label>
            Direction
            <select
              data-testid="direction"
              value={direction}
              onChange={(e) => {
                const d = Number((e.target as HTMLSelectElement).value);
                setDirection(d);
                setImage(blankImage(gen.descriptor.inputs[d]!.shape));
              }}
            >
              {gen.descriptor.inputs.map((i, d) => (
                <option key={i.name} value={d}>
                  {d === 0 ? 'A → B' : 'B → A'} (input {i.name})
                </option>
              ))}
            </select>
          </label>
        )}
        {mapInput && (
          <label>
            Class
            <select
              data-testid="brush-class"
              value={brush}
              onChange={(e) => setBrush(Number((e.target as HTMLSelectElement).value))}
            >
              {Array.from({ length: mapInput.classes }, (_, k) => (
                <option
                  key={k}
                  value={k}
                  style={palette[k] ? { background: `rgb(${palette[k].join(',')})` } : {}}
                >
                  {mapInput.classNames?.[k] ?? `class ${k}`}
                </option>
              ))}
            </select>
          </label>
        )}
        <PenWidth value={pen} min={0.5} max={mapInput ? 12 : 4} step={0.1} onChange={setPen} />
        {!mapInput && (
          <label>
            <input
              type="checkbox"
              checked={erase}
              onChange={(e) => setErase((e.target as HTMLInputElement).checked)}
            />{' '}
            Erase
          </label>
        )}
        {!mapInput && (
          <label>
            Upload an image <input type="file" accept="image/*" data-testid="upload" onChange={upload} />
          </label>
        )}
        <button type="button" onClick={() => setImage(blank(startShape))}>
          Clear
        </button>
      </div>
      {error && <ErrorBox error={error} what="" />}
      <div class="translate">
        <DrawableCanvas
          canvas={inputCanvas}
          size={[image.h, image.w]}
          onStroke={stroke}
          testId="input-canvas"
          label={mapInput ? 'Label map: paint classes on it' : 'Input image: draw on it'}
          caption="Input (draw here)"
        />
        <figure>
          <canvas
            ref={outputCanvas}
            class="pixelated"
            data-testid="output-canvas"
            data-generated={generated}
            role="img"
            aria-label="The generator's output for the input"
          />
          <figcaption>{factor > 1 ? `Output (x${factor})` : 'Output'}</figcaption>
        </figure>
      </div>
    </div>
  );
}
