/**
 * A run's sample gallery: the grid at one step, a step slider, play/pause as an animation, keyboard
 * stepping, a full-size view and a download link. A run that trains in stages (a Progressive GAN's
 * resolutions) has its samples grouped by stage: one button per stage jumps to the last grid it drew. The thumbnail strip is virtualized (only thumbnails in
 * view are in the page) and the main image preloads its neighbours, so a gallery of hundreds of steps
 * stays smooth.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SampleRef } from '../api/types.ts';
import { nextFrame, stepIndex } from '../lib/slider-sync.ts';
import { stageGroups } from '../lib/stages.ts';

const THUMB = 76; // px per thumbnail, gap included
const OVERSCAN = 4;
const PLAY_MS = 250;

/** A control that shows the samples and picks one by its index. */
interface PickerProps {
  samples: SampleRef[];
  index: number;
  onPick: (i: number) => void;
}

function ThumbStrip({ samples, index, onPick }: PickerProps) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ left: 0, width: 800 });
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const update = () => setView({ left: el.scrollLeft, width: el.clientWidth });
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    el.addEventListener('scroll', update, { passive: true });
    return () => {
      ro.disconnect();
      el.removeEventListener('scroll', update);
    };
  }, []);
  // Keep the current step in view.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const x = index * THUMB;
    if (x < el.scrollLeft || x + THUMB > el.scrollLeft + el.clientWidth) {
      el.scrollLeft = Math.max(0, x - el.clientWidth / 2 + THUMB / 2);
    }
  }, [index]);
  const first = Math.max(0, Math.floor(view.left / THUMB) - OVERSCAN);
  const last = Math.min(samples.length - 1, Math.ceil((view.left + view.width) / THUMB) + OVERSCAN);
  const shown: number[] = [];
  for (let i = first; i <= last; i++) shown.push(i);
  return (
    <div class="thumbs" ref={box}>
      <div class="thumbs-track" style={{ width: `${samples.length * THUMB}px` }}>
        {shown.map((i) => {
          const s = samples[i]!;
          return (
            <button
              type="button"
              key={s.step}
              class={i === index ? 'thumb current' : 'thumb'}
              style={{ left: `${i * THUMB}px` }}
              onClick={() => onPick(i)}
              aria-label={`Step ${s.step}`}
              aria-current={i === index ? 'true' : undefined}
              tabIndex={-1}
            >
              <img src={s.url} alt="" loading="lazy" decoding="async" width={68} height={68} />
              <span>{s.step}</span>
            </button>
          );
        })}
      </div>
    </div>
  );
}

function StageNav({ samples, index, onPick }: PickerProps) {
  const groups = stageGroups(samples);
  if (groups.length === 0) return null;
  return (
    <nav class="stages" aria-label="Stages">
      {groups.map((g) => {
        const current = index >= g.first && index <= g.last;
        return (
          <button
            type="button"
            key={g.name}
            class={current ? 'stage current' : 'stage'}
            aria-current={current ? 'true' : undefined}
            onClick={() => onPick(g.last)}
            title={`Steps ${samples[g.first]!.step}-${samples[g.last]!.step}: show the last grid of this stage`}
          >
            {g.name} <small>({g.last - g.first + 1})</small>
          </button>
        );
      })}
    </nav>
  );
}

export function Gallery({
  runId,
  samples,
  onStale,
}: {
  runId: string;
  samples: SampleRef[];
  /** The image failed to load: its presigned URL has probably expired, so the list should be fetched again. */
  onStale?: () => void;
}) {
  const [index, setIndex] = useState(samples.length - 1);
  const [playing, setPlaying] = useState(false);
  const [followLatest, setFollowLatest] = useState(true);
  const dialog = useRef<HTMLDialogElement>(null);
  const n = samples.length;

  // New samples arrive while a run trains: stay on the latest unless the user moved away from it.
  useEffect(() => {
    if (followLatest && !playing) setIndex(n - 1);
    else if (index >= n) setIndex(n - 1);
  }, [n]);

  useEffect(() => {
    if (!playing) return;
    const id = setInterval(() => setIndex((i) => nextFrame(i, n)), PLAY_MS);
    return () => clearInterval(id);
  }, [playing, n]);

  // Neighbours are fetched ahead, so stepping and playing show cached images.
  useEffect(() => {
    for (const d of [1, 2, 3, -1]) {
      const s = samples[index + d];
      if (s) new Image().src = s.url;
    }
  }, [index, samples]);

  if (n === 0)
    return <p class="state empty">No samples yet: the first grid appears at the first sample step.</p>;
  const i = Math.min(Math.max(index, 0), n - 1);
  const current = samples[i]!;
  const go = (to: number) => {
    setIndex(to);
    setFollowLatest(to === n - 1);
  };
  const onKey = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).tagName === 'INPUT') return; // the slider steps itself
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, PageUp: -10, PageDown: 10 };
    if (e.key in moves) go(stepIndex(i, moves[e.key]!, n));
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(n - 1);
    else if (e.key === ' ' || e.key === 'k') setPlaying((p) => !p);
    else return;
    e.preventDefault();
  };
  const fileName = `${runId}-step-${current.step}.png`;
  return (
    <section class="gallery" aria-label="Sample gallery" onKeyDown={onKey}>
      <div class="gallery-main">
        <button
          type="button"
          class="gallery-image"
          onClick={() => dialog.current?.showModal()}
          title="Full size"
          aria-label={`Show step ${current.step} at full size`}
        >
          <img
            src={current.url}
            alt={`Samples of run ${runId} at step ${current.step}`}
            data-step={current.step}
            onError={onStale}
          />
        </button>
      </div>
      <div class="gallery-controls">
        <button type="button" onClick={() => setPlaying(!playing)} aria-pressed={playing}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <div class="slider">
          <span>
            Step <output data-testid="gallery-step">{current.step.toLocaleString()}</output> ({i + 1} of {n})
            {current.stage && (
              <>
                {' '}
                · stage <output data-testid="gallery-stage">{current.stage.name}</output>
              </>
            )}
          </span>
          <input
            type="range"
            min={0}
            max={n - 1}
            step={1}
            value={i}
            aria-label="Sample step"
            aria-valuetext={`step ${current.step}`}
            onInput={(e) => go(Number((e.target as HTMLInputElement).value))}
          />
        </div>
        <a href={current.url} download={fileName}>
          Download
        </a>
      </div>
      <StageNav samples={samples} index={i} onPick={go} />
      <ThumbStrip samples={samples} index={i} onPick={go} />
      <p class="hint">
        Keys: ← → step, PgUp/PgDn ±10, Home/End, Space play/pause. Click the image for full size.
      </p>
      <dialog ref={dialog} class="fullsize" aria-label={`Step ${current.step} at full size`}>
        <img src={current.url} alt={`Samples at step ${current.step}, full size`} />
        <form method="dialog">
          <a href={current.url} download={fileName}>
            Download
          </a>{' '}
          <button type="submit">Close</button>
        </form>
      </dialog>
    </section>
  );
}
