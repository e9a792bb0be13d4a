/**
 * Playground: a run's exported generator, run in the browser with tfjs (loaded only here). Samples from a
 * seed, interpolates between two latents, and offers the controls the generator's descriptor calls for: a
 * class for a class input, the categorical and continuous codes of a code input, truncation where the
 * generator has that ability (in w, towards the mean w, for a style-based generator), style mixing for a
 * style-based one (StyleGAN: the layer from which seed B's styles take over), and, for a generator with
 * attention maps (SAGAN, BigGAN), where a chosen position of the image attends, and a caption box for a
 * captioned generator (StackGAN: the words of its dataset's vocabulary). z is drawn from the
 * distribution the descriptor gives. A generator that translates images gets a canvas to draw on or an upload
 * instead (playground/translator.tsx).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { captionVocabularyOf, tokens } from '../../../shared/captions.ts';
import type { GeneratorInput } from '../../../shared/generator.ts';
import { inputSummary, sizeOf } from '../../../shared/generator-summary.ts';
import { latentNoiseOf } from '../../../shared/latent.ts';
import { ApiError, api } from '../api/client.ts';
import type { ExportedGenerator, RunRecord } from '../api/types.ts';
import { ErrorBox, Loading } from '../components/states.tsx';
import { useAsync } from '../lib/hooks.ts';
import { normalVector, slerp, uniformVector } from '../lib/latent.ts';
import { href } from '../lib/route.ts';
import { Analogy } from '../playground/analogy.tsx';
import { drawAttention, drawImages, drawPoints } from '../playground/draw.ts';
import { type LoadedGenerator, loadGenerator } from '../playground/generator.ts';
import { Singan } from '../playground/singan.tsx';
import { Translator } from '../playground/translator.tsx';

const STRIP = 8;
const POINTS = 1000;
/** Input kinds the controls below can feed. */
const FED: readonly GeneratorInput['kind'][] = ['latent', 'class', 'code', 'pose', 'caption'];
/** What a captioned generator starts from (the captioned digits' own form). */
const FIRST_CAPTION = 'a large red 3 at the top left';

type Of<K extends GeneratorInput['kind']> = Extract<GeneratorInput, { kind: K }>;

/** A draw that a later one overtook. */
class Superseded extends Error {}

function Picker() {
  const runs = useAsync(() => api.listRuns({ status: 'SUCCEEDED', limit: 50 }), []);
  if (runs.error) return <ErrorBox error={runs.error} retry={runs.reload} what="Finished runs" />;
  if (!runs.data) return <Loading what="finished runs" />;
  if (runs.data.runs.length === 0) {
    return <p class="state empty">No run has finished yet; a generator is exported when a run succeeds.</p>;
  }
  return (
    <>
      <p>Choose a finished run:</p>
      <ul class="pick-list">
        {runs.data.runs.map((r) => (
          <li key={r.id}>
            <a href={href({ page: 'playground', id: r.id })}>{r.id}</a>{' '}
            <span class="muted">
              {r.spec.family} · {r.spec.dataset}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

function Controls({
  run,
  gen,
  source,
  vocabulary,
}: {
  run: RunRecord;
  gen: LoadedGenerator;
  source: ExportedGenerator['descriptorSource'];
  /** The words a caption input takes, id 0 the padding (a captioned generator's dataset's). */
  vocabulary?: readonly string[];
}) {
  const [seedA, setSeedA] = useState(1);
  const [seedB, setSeedB] = useState(2);
  const [t, setT] = useState(0);
  const [klass, setKlass] = useState(0);
  const [codes, setCodes] = useState<Record<string, number[]>>({});
  const [truncation, setTruncation] = useState(1);
  const styles = gen.styles;
  const layers = styles?.layerSides.length ?? 0;
  // The style layer from which B's styles take over; all layers (no mixing) to begin with.
  const [crossover, setCrossover] = useState(layers);
  const [error, setError] = useState<Error>();
  const [generated, setGenerated] = useState(0);
  const single = useRef<HTMLCanvasElement>(null);
  const strip = useRef<HTMLCanvasElement>(null);

  const { descriptor } = gen;
  const latent = descriptor.inputs.find((i): i is Of<'latent'> => i.kind === 'latent')!;
  const latentSize = sizeOf(latent);
  const classInput = descriptor.inputs.find((i): i is Of<'class'> => i.kind === 'class');
  const codeInputs = descriptor.inputs.filter((i): i is Of<'code'> => i.kind === 'code');
  const poseInput = descriptor.inputs.find((i): i is Of<'pose'> => i.kind === 'pose');
  const captionInput = descriptor.inputs.find((i): i is Of<'caption'> => i.kind === 'caption');
  // The caption drawn from, and the text being typed: a draw ending mid-typing re-renders the box, which
  // must keep what was typed; the caption changes when the text is committed (Enter, or leaving the box).
  const [caption, setCaption] = useState(FIRST_CAPTION);
  const [draft, setDraft] = useState(FIRST_CAPTION);
  // [azimuth, elevation]; starts at the middle of each range the generator was trained on.
  const middle = (r: [number, number]) => (r[0] + r[1]) / 2;
  const [pose, setPose] = useState<[number, number] | undefined>(undefined);
  const poseNow: [number, number] | undefined =
    pose ?? (poseInput ? [middle(poseInput.azimuth), middle(poseInput.elevation)] : undefined);
  const unfed = descriptor.inputs.filter((i) => !FED.includes(i.kind));
  const uniform = latentNoiseOf(descriptor) === 'uniform';
  // Truncation redraws normal values beyond a threshold; a uniform z has no tail to cut.
  const truncatable = descriptor.abilities.truncation && (styles !== undefined || !uniform);
  const points = descriptor.outputs[0]!.kind === 'points';
  const outputShape = descriptor.outputs[0]!.shape;

  const attentionCanvas = useRef<HTMLCanvasElement>(null);
  // The first attention map [HW, HW], when the generator gives one: its side and the query position shown.
  const attentionIndex = descriptor.outputs.findIndex((o) => o.kind === 'attention-map');
  const attention = attentionIndex > 0 ? descriptor.outputs[attentionIndex] : undefined;
  const attentionSide = attention ? Math.round(Math.sqrt(attention.shape[0]!)) : 0;
  const [query, setQuery] = useState<[number, number]>([0, 0]);
  useEffect(() => setQuery([Math.floor(attentionSide / 2), Math.floor(attentionSide / 2)]), [attentionSide]);

  // A code input is [one-hot categorical code | continuous codes]; the first categorical value starts on.
  const defaultCodes = (c: Of<'code'>) =>
    Array.from({ length: sizeOf(c) }, (_, d) => (d === 0 && c.categorical > 0 ? 1 : 0));

  const inputsFor = (zs: Float32Array[]): Record<string, Float32Array> => {
    const n = zs.length;
    const values: Record<string, Float32Array> = { [latent.name]: new Float32Array(n * latentSize) };
    for (const [i, z] of zs.entries()) values[latent.name]!.set(z, i * latentSize);
    if (classInput) {
      const oneHot = new Float32Array(n * classInput.classes);
      for (let i = 0; i < n; i++) oneHot[i * classInput.classes + klass] = 1;
      values[classInput.name] = oneHot;
    }
    if (captionInput) {
      if (!vocabulary) throw new Error(`no vocabulary for the caption encoding '${captionInput.encoding}'`);
      // An unknown word throws, naming it; the error box shows it.
      const ids = tokens(caption, vocabulary);
      const v = new Float32Array(n * ids.length);
      for (let i = 0; i < n; i++) v.set(ids, i * ids.length);
      values[captionInput.name] = v;
    }
    if (poseInput && poseNow) {
      const v = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) v.set(poseNow, 2 * i);
      values[poseInput.name] = v;
    }
    for (const c of codeInputs) {
      const row = codes[c.name] ?? defaultCodes(c);
      const v = new Float32Array(n * row.length);
      for (let i = 0; i < n; i++) v.set(row, i * row.length);
      values[c.name] = v;
    }
    return values;
  };

  // Each draw's ticket: a draw a later one overtook neither draws nor clears the later one's error.
  const latest = useRef(0);
  const generate = async () => {
    const ticket = ++latest.current;
    const fresh = async <T,>(pending: Promise<T>): Promise<T> => {
      const value = await pending;
      if (ticket !== latest.current) throw new Superseded();
      return value;
    };
    try {
      if (unfed.length > 0)
        throw new Error(
          `the playground cannot feed this generator's ${unfed.map((i) => `${i.kind} input '${i.name}'`).join(', ')} yet`,
        );
      // In z (a normal redrawn beyond a threshold), unless the generator truncates in w.
      const trunc = truncatable && !styles && truncation < 1 ? truncation * 2 : undefined;
      const draw = (seed: number) =>
        uniform ? uniformVector(seed, latentSize) : normalVector(seed, latentSize, trunc);
      const za = draw(seedA);
      const zb = draw(seedB);
      if (styles) {
        // A's styles up to the crossover, B's after it; the strip interpolates A -> B unmixed.
        const image = await fresh(styles.generate(slerp(za, zb, t), zb, crossover, truncation));
        drawImages(single.current!, image, 1, outputShape, 8);
        const zs = Array.from({ length: STRIP }, (_, i) => slerp(za, zb, i / (STRIP - 1)));
        const flat = new Float32Array(STRIP * latentSize);
        for (const [i, z] of zs.entries()) flat.set(z, i * latentSize);
        drawImages(
          strip.current!,
          await fresh(styles.generate(flat, flat, layers, truncation)),
          STRIP,
          outputShape,
          3,
        );
      } else if (points) {
        const zs = Array.from({ length: POINTS }, (_, i) => draw(seedA * 7919 + i));
        drawPoints(single.current!, await fresh(gen.generate(POINTS, inputsFor(zs))));
      } else {
        const [image, ...extras] = await fresh(gen.generateAll(1, inputsFor([slerp(za, zb, t)])));
        drawImages(single.current!, image!, 1, outputShape, 8);
        if (attention && attentionCanvas.current) {
          const positions = attentionSide * attentionSide;
          const map = extras[attentionIndex - 1]!;
          const at = query[1] * attentionSide + query[0];
          const row = map.subarray(at * positions, (at + 1) * positions);
          drawAttention(attentionCanvas.current, image!, outputShape, row, attentionSide, query);
        }
        const zs = Array.from({ length: STRIP }, (_, i) => slerp(za, zb, i / (STRIP - 1)));
        drawImages(strip.current!, await fresh(gen.generate(STRIP, inputsFor(zs))), STRIP, outputShape, 3);
      }
      setError(undefined);
      setGenerated((g) => g + 1);
    } catch (err) {
      if (err instanceof Superseded || ticket !== latest.current) return;
      setError(err as Error);
    }
  };

  // Every control change draws again; the model is small, so this stays interactive.
  useEffect(() => {
    void generate();
  }, [seedA, seedB, t, klass, codes, truncation, query, crossover, pose, caption]);

  const num = (set: (n: number) => void) => (e: Event) => {
    const v = Number((e.target as HTMLInputElement).value);
    if (Number.isInteger(v) && v >= 0) set(v);
  };
  return (
    <div class="playground">
      <p class="muted">
        Generator of <a href={href({ page: 'run', id: run.id })}>{run.id}</a> ({run.spec.family} on{' '}
        {run.spec.dataset}) · tfjs backend <strong data-testid="tf-backend">{gen.backend}</strong> · inputs{' '}
        <span data-testid="generator-inputs">{descriptor.inputs.map(inputSummary).join(', ')}</span>{' '}
        <span data-testid="descriptor-source">
          {source === 'file'
            ? '(from its descriptor)'
            : "(derived from the run's spec: exported before generators had descriptors)"}
        </span>
      </p>
      <div class="controls">
        <label>
          Seed A <input type="number" min={0} value={seedA} onInput={num(setSeedA)} />
        </label>
        {!points && (
          <label>
            Seed B <input type="number" min={0} value={seedB} onInput={num(setSeedB)} />
          </label>
        )}
        {!points && (
          <label>
            A → B: {t.toFixed(2)}
            <input
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={t}
              onInput={(e) => setT(Number((e.target as HTMLInputElement).value))}
            />
          </label>
        )}
        {classInput && (
          <label>
            Class
            <select value={klass} onChange={(e) => setKlass(Number((e.target as HTMLSelectElement).value))}>
              {Array.from({ length: classInput.classes }, (_, i) => (
                <option key={i} value={i}>
                  {i}
                </option>
              ))}
            </select>
          </label>
        )}
        {codeInputs.map((c) => {
          const k = c.categorical;
          const [low, high] = c.continuousRange ?? [-1, 1];
          const row = codes[c.name] ?? defaultCodes(c);
          const setAt = (d: number, v: number) => {
            const next = [...row];
            next[d] = v;
            setCodes({ ...codes, [c.name]: next });
          };
          return (
            <fieldset key={c.name} class="codes">
              <legend>Codes ({c.name})</legend>
              {k > 0 && (
                <label>
                  Categorical code
                  <select
                    value={Math.max(0, row.slice(0, k).indexOf(1))}
                    onChange={(e) => {
                      const pick = Number((e.target as HTMLSelectElement).value);
                      setCodes({ ...codes, [c.name]: row.map((v, d) => (d < k ? (d === pick ? 1 : 0) : v)) });
                    }}
                  >
                    {Array.from({ length: k }, (_, i) => (
                      <option key={i} value={i}>
                        {i}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              {Array.from({ length: Math.min(c.continuous, 16) }, (_, j) => (
                <label key={j}>
                  Continuous code {j + 1}: {row[k + j]!.toFixed(1)}
                  <input
                    type="range"
                    min={low}
                    max={high}
                    step={(high - low) / 20}
                    value={row[k + j]}
                    onInput={(e) => setAt(k + j, Number((e.target as HTMLInputElement).value))}
                  />
                </label>
              ))}
            </fieldset>
          );
        })}
        {captionInput && (
          <label class="caption">
            Caption
            <input
              type="text"
              data-testid="caption"
              value={draft}
              onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
              onChange={(e) => setCaption((e.target as HTMLInputElement).value)}
            />
            {vocabulary && <small class="muted">Words: {vocabulary.slice(1).join(' ')}</small>}
          </label>
        )}
        {poseInput &&
          poseNow &&
          (['azimuth', 'elevation'] as const).map((name, d) => {
            const [low, high] = poseInput[name];
            return (
              <label key={name}>
                {name === 'azimuth' ? 'Azimuth' : 'Elevation'} {poseNow[d]!.toFixed(0)}°
                <input
                  type="range"
                  data-testid={`pose-${name}`}
                  min={low}
                  max={high}
                  step={(high - low) / 36}
                  value={poseNow[d]}
                  onInput={(e) => {
                    const next: [number, number] = [...poseNow];
                    next[d] = Number((e.target as HTMLInputElement).value);
                    setPose(next);
                  }}
                />
              </label>
            );
          })}
        {truncatable && (
          <label>
            Truncation ψ {truncation.toFixed(2)}
            <input
              type="range"
              min={styles ? 0 : 0.1}
              max={1}
              step={0.05}
              value={truncation}
              onInput={(e) => setTruncation(Number((e.target as HTMLInputElement).value))}
            />
          </label>
        )}
        {styles && (
          <label>
            Seed B's styles from layer {crossover}
            {crossover < layers ? ` (${styles.layerSides[crossover]} px)` : ' (none: A alone)'}
            <input
              type="range"
              min={0}
              max={layers}
              step={1}
              value={crossover}
              onInput={(e) => setCrossover(Number((e.target as HTMLInputElement).value))}
            />
          </label>
        )}
        {attention && (
          <fieldset class="codes">
            <legend>Attention query ({attention.name})</legend>
            {(['x', 'y'] as const).map((axis, k) => (
              <label key={axis}>
                Query {axis}: {query[k]}
                <input
                  type="range"
                  min={0}
                  max={attentionSide - 1}
                  step={1}
                  value={query[k]}
                  onInput={(e) => {
                    const v = Number((e.target as HTMLInputElement).value);
                    setQuery(k === 0 ? [v, query[1]] : [query[0], v]);
                  }}
                />
              </label>
            ))}
          </fieldset>
        )}
        <button type="button" onClick={() => setSeedA(Math.floor(Math.random() * 1e6))}>
          Random seed
        </button>
        <button type="button" class="primary" onClick={() => void generate()}>
          Generate
        </button>
      </div>
      {error && <ErrorBox error={error} what="" />}
      <figure>
        <canvas
          ref={single}
          class="pixelated"
          data-generated={generated}
          aria-label={
            points ? `${POINTS} generated points` : `Generated image at ${t.toFixed(2)} from seed A to seed B`
          }
          role="img"
        />
        <figcaption>
          {points ? `${POINTS} points from seed ${seedA}` : `Seed ${seedA} → ${seedB} at ${t.toFixed(2)}`}
          {styles && crossover < layers
            ? `, styles from layer ${crossover} (${styles.layerSides[crossover]} px) on from seed ${seedB}`
            : ''}
        </figcaption>
      </figure>
      {attention && !points && (
        <figure>
          <canvas
            ref={attentionCanvas}
            class="pixelated"
            data-testid="attention-map"
            role="img"
            aria-label={`Where position (${query[0]}, ${query[1]}) of the ${attentionSide} x ${attentionSide} attention map looks, in red`}
          />
          <figcaption>
            Attention of position ({query[0]}, {query[1]}) on a {attentionSide} × {attentionSide} map (red:
            where it looks)
          </figcaption>
        </figure>
      )}
      {!points && (
        <figure>
          <canvas
            ref={strip}
            class="pixelated"
            role="img"
            aria-label={`Interpolation from seed ${seedA} to seed ${seedB} in ${STRIP} steps`}
          />
          <figcaption>Interpolation A → B in {STRIP} steps</figcaption>
        </figure>
      )}
    </div>
  );
}

class NoGenerator extends Error {}

function Loaded({ id }: { id: string }) {
  const data = useAsync(async () => {
    const run = await api.run(id);
    const exported = await api.generator(id).catch((err: unknown) => {
      throw err instanceof ApiError && err.status === 404 ? new NoGenerator(err.message) : err;
    });
    // A caption input's words are its dataset's vocabulary (GET /datasets lists it).
    const captionInput = exported.descriptor.inputs.find((i) => i.kind === 'caption');
    const vocabularyOf = captionInput && captionVocabularyOf(captionInput.encoding);
    const vocabulary = vocabularyOf
      ? (await api.datasets()).find((d) => d.id === vocabularyOf)?.vocabulary
      : undefined;
    return { run, gen: await loadGenerator(exported), source: exported.descriptorSource, vocabulary };
  }, [id]);
  useEffect(() => () => data.data?.gen.dispose(), [data.data]);
  if (data.error) {
    if (data.error instanceof NoGenerator) {
      return (
        <div class="state empty" role="status">
          <p>This run has no exported generator: {data.error.message}.</p>
          <a href={href({ page: 'playground' })}>Choose another run</a>
        </div>
      );
    }
    return <ErrorBox error={data.error} retry={data.reload} what="The generator" />;
  }
  if (!data.data) return <Loading what="tfjs and the generator" />;
  // A generator that paints through a mask (the Conditional Analogy GAN) puts a picked article on a person.
  if (data.data.gen.descriptor.outputs.some((o) => o.kind === 'mask'))
    return <Analogy run={data.data.run} gen={data.data.gen} />;
  // A generator that takes images (pix2pix, CycleGAN) translates what is drawn or uploaded; one that takes a
  // label map (SPADE) paints the map drawn in its palette.
  if (data.data.gen.descriptor.inputs.every((i) => i.kind === 'image' || i.kind === 'label-map'))
    return <Translator run={data.data.run} gen={data.data.gen} />;
  // A pyramid of scales (SinGAN) samples at any size and renders paintings.
  const { pyramid } = data.data.gen;
  if (pyramid) return <Singan run={data.data.run} gen={{ ...data.data.gen, pyramid }} />;
  const oldPyramid = data.data.gen.descriptor.family === 'singan';
  return (
    <>
      {oldPyramid && (
        <p class="state empty" role="status" data-testid="pyramid-missing">
          This SinGAN generator was exported before its descriptor recorded the pyramid's scale sizes, so it
          samples only at its trained size here; train it again for other sizes, super-resolution and
          paint-to-image.
        </p>
      )}
      <Controls
        run={data.data.run}
        gen={data.data.gen}
        source={data.data.source}
        {...(data.data.vocabulary ? { vocabulary: data.data.vocabulary } : {})}
      />
    </>
  );
}

export function PlaygroundPage({ id }: { id?: string }) {
  return (
    <>
      <h1 tabIndex={-1}>Playground</h1>
      {id ? <Loaded key={id} id={id} /> : <Picker />}
    </>
  );
}
