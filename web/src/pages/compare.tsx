/**
 * Compare: two to four runs side by side under one step slider, their evaluations in one table, and their
 * curves overlaid.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { EvalResult } from '../../../shared/evaluation.ts';
import { ApiError, api } from '../api/client.ts';
import { isActive, type Metrics, type RunRecord, type SampleRef } from '../api/types.ts';
import { LineChart } from '../components/line-chart.tsx';
import { ErrorBox, Loading } from '../components/states.tsx';
import { StatusBadge } from '../components/status.tsx';
import { comparisonRows } from '../lib/evaluation.ts';
import { useAsync, useInterval } from '../lib/hooks.ts';
import { metricNames, seriesOf } from '../lib/metrics.ts';
import { href } from '../lib/route.ts';
import { indexAtOrBefore, stepIndex, syncedIndices, unionSteps } from '../lib/slider-sync.ts';

const MAX_RUNS = 4;

interface Loaded {
  run: RunRecord;
  samples: SampleRef[];
  metrics: Metrics;
  evaluation?: EvalResult;
}

/** A run's evaluation, or undefined while it has none (a 404 says why; the run page shows it). */
async function evaluationOf(run: RunRecord): Promise<EvalResult | undefined> {
  if (run.status !== 'SUCCEEDED') return undefined;
  try {
    return (await api.evaluation(run.id)).evaluation;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

async function loadAll(ids: readonly string[]): Promise<Loaded[]> {
  return Promise.all(
    ids.map(async (id) => {
      const [run, samples, metrics] = await Promise.all([
        api.run(id),
        api.samples(id),
        api.metrics(id, { points: 400 }),
      ]);
      const evaluation = await evaluationOf(run);
      return { run, samples, metrics, ...(evaluation ? { evaluation } : {}) };
    }),
  );
}

function Picker({ ids }: { ids: string[] }) {
  const recent = useAsync(() => api.listRuns({ limit: 50 }), []);
  const [pick, setPick] = useState('');
  const options = recent.data?.runs.filter((r) => !ids.includes(r.id)) ?? [];
  const add = (e: Event) => {
    e.preventDefault();
    if (pick) location.hash = href({ page: 'compare', ids: [...ids, pick] });
  };
  return (
    <form class="toolbar" onSubmit={add}>
      <label>
        Add a run
        <select
          value={pick}
          onChange={(e) => setPick((e.target as HTMLSelectElement).value)}
          disabled={ids.length >= MAX_RUNS}
        >
          <option value="">choose…</option>
          {options.map((r) => (
            <option key={r.id} value={r.id}>
              {r.id} ({r.spec.family}, {r.status})
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={!pick || ids.length >= MAX_RUNS}>
        Add
      </button>
      {recent.error && <span class="field-error">{recent.error.message}</span>}
      {ids.length >= MAX_RUNS && <span class="muted">At most {MAX_RUNS} runs.</span>}
    </form>
  );
}

function EvaluationTable({ loaded }: { loaded: Loaded[] }) {
  const rows = comparisonRows(loaded.map((l) => l.evaluation));
  return (
    <section aria-labelledby="compare-eval-h">
      <h2 id="compare-eval-h">Evaluation</h2>
      {rows.length === 0 ? (
        <p class="state empty">
          None of these runs has an evaluation yet (it is written when training ends).
        </p>
      ) : (
        <table class="compare-eval">
          <thead>
            <tr>
              <th scope="col">Measure</th>
              {loaded.map((l) => (
                <th key={l.run.id} scope="col">
                  {l.run.id}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                {r.values.map((v, i) => (
                  <td key={loaded[i]!.run.id}>{v ?? '–'}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Side({ loaded }: { loaded: Loaded[] }) {
  const stepLists = useMemo(() => loaded.map((l) => l.samples.map((s) => s.step)), [loaded]);
  const steps = useMemo(() => unionSteps(stepLists), [stepLists]);
  const [target, setTarget] = useState<number | undefined>(undefined);
  const at = target ?? steps.at(-1) ?? 0;
  const idx = indexAtOrBefore(steps, at);
  const shown = syncedIndices(stepLists, at);
  const move = (d: number) => setTarget(steps[stepIndex(idx, d, steps.length)]);
  const onKey = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).tagName === 'INPUT') return;
    if (e.key === 'ArrowLeft') move(-1);
    else if (e.key === 'ArrowRight') move(1);
    else return;
    e.preventDefault();
  };
  const names = metricNames(loaded.flatMap((l) => l.metrics.metrics));
  return (
    <>
      <section aria-label="Samples side by side" onKeyDown={onKey}>
        {steps.length > 0 ? (
          <div class="slider">
            <span>
              Step <output data-testid="compare-step">{at.toLocaleString()}</output> (one slider for all runs)
            </span>
            <input
              type="range"
              min={0}
              max={Math.max(0, steps.length - 1)}
              value={Math.max(0, idx)}
              aria-label="Step of every run"
              aria-valuetext={`step ${at}`}
              onInput={(e) => setTarget(steps[Number((e.target as HTMLInputElement).value)])}
            />
          </div>
        ) : (
          <p class="state empty">None of these runs has samples yet.</p>
        )}
        <div class={`compare-grid n${loaded.length}`}>
          {loaded.map((l, i) => {
            const s = l.samples[shown[i]!];
            return (
              <figure key={l.run.id} class="compare-cell">
                <figcaption>
                  <a href={href({ page: 'run', id: l.run.id })}>{l.run.id}</a>{' '}
                  <StatusBadge status={l.run.status} />
                  <div class="muted">
                    {l.run.spec.family} · {l.run.spec.dataset}
                    {s ? ` · showing step ${s.step}` : ''}
                  </div>
                </figcaption>
                {s ? (
                  <img
                    class="compare-img"
                    src={s.url}
                    alt={`Samples of ${l.run.id} at step ${s.step}`}
                    data-step={s.step}
                  />
                ) : (
                  <p class="state empty">No samples yet.</p>
                )}
              </figure>
            );
          })}
        </div>
      </section>
      <EvaluationTable loaded={loaded} />
      <section aria-labelledby="overlay-h">
        <h2 id="overlay-h">Curves, overlaid</h2>
        {names.length === 0 && <p class="state empty">No metrics yet.</p>}
        <div class="charts">
          {names.map((n) => (
            <LineChart
              key={n}
              title={n}
              series={loaded.map((l) => ({ name: l.run.id, points: seriesOf(l.metrics.metrics, n) }))}
            />
          ))}
        </div>
      </section>
    </>
  );
}

export function ComparePage({ ids }: { ids: string[] }) {
  const unique = [...new Set(ids)].slice(0, MAX_RUNS);
  const data = useAsync(() => loadAll(unique), [unique.join(',')]);
  const active = data.data?.some((l) => isActive(l.run.status)) ?? false;
  useInterval(() => data.reload(), 4000, active);
  useEffect(() => {
    if (ids.length > MAX_RUNS) location.hash = href({ page: 'compare', ids: unique });
  }, [ids.length]);
  return (
    <>
      <h1 tabIndex={-1}>Compare runs</h1>
      <p class="muted">
        {unique.map((id) => (
          <span key={id} class="chip">
            {id}{' '}
            <a
              href={href({ page: 'compare', ids: unique.filter((x) => x !== id) })}
              aria-label={`Remove ${id}`}
            >
              ×
            </a>
          </span>
        ))}
      </p>
      <Picker ids={unique} />
      {unique.length < 2 && <p class="state empty">Choose at least two runs to compare (up to four).</p>}
      {unique.length > 0 && data.error && !data.data && (
        <ErrorBox error={data.error} retry={data.reload} what="The runs" />
      )}
      {unique.length > 0 && !data.data && !data.error && <Loading what="the runs" />}
      {data.data && data.data.length > 0 && <Side loaded={data.data} />}
    </>
  );
}
