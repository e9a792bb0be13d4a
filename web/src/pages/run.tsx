/**
 * One run: its name, tags and note (editable) and its group, status timeline (with retry attempts), live
 * progress, loss and metric curves, the sample gallery, the evaluation, the spec, the cost estimate, and
 * cancel / resume / clone / compare / playground. Polls while the run is active.
 */

import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { costLabel } from '../../../shared/cost-label.ts';
import { isResumable } from '../../../shared/run.ts';
import { ApiError, api } from '../api/client.ts';
import { isActive, type Metrics, type RunRecord, type SampleRef } from '../api/types.ts';
import { EvaluationView } from '../components/evaluation.tsx';
import { Gallery } from '../components/gallery.tsx';
import { LabelsPanel } from '../components/labels.tsx';
import { LineChart } from '../components/line-chart.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { Progress, StatusBadge } from '../components/status.tsx';
import { ago } from '../lib/format.ts';
import { useAsync, useInterval } from '../lib/hooks.ts';
import { attemptStarts, chartGroups, metricNames, seriesOf } from '../lib/metrics.ts';
import { href } from '../lib/route.ts';
import { timelineStages } from '../lib/timeline.ts';

const CHART_POINTS = 600;

function Timeline({
  run,
  seen,
  metrics,
}: {
  run: RunRecord;
  seen: Record<string, string>;
  metrics?: Metrics;
}) {
  const stages = timelineStages(run, seen);
  const attempts = metrics ? attemptStarts(metrics.metrics) : [];
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h">Timeline</h2>
      <ol class="timeline">
        {stages.map((st, i) => (
          <li
            key={`${st.status}-${st.attempt ?? 0}-${i}`}
            class={`${st.done ? 'done' : 'todo'}${st.done && i === stages.findLastIndex((x) => x.done) ? ' current' : ''}`}
          >
            <StatusBadge status={st.status} />
            {st.attempt !== undefined && st.attempt > 1 && <span class="attempt"> attempt {st.attempt}</span>}
            <span class="muted">{st.at ? ago(st.at) : ''}</span>
            {st.note && <span class="note"> {st.note}</span>}
          </li>
        ))}
      </ol>
      {run.reason && <p class={run.status === 'FAILED' ? 'field-error' : 'note'}>Reason: {run.reason}</p>}
      {(run.attempt > 1 || attempts.length > 1) && (
        <ul class="attempts">
          {Array.from({ length: run.attempt }, (_, i) => i + 1).map((a) => {
            const start = attempts.find((x) => x.attempt === a);
            return (
              <li key={a}>
                Attempt {a}
                {start
                  ? ` began training at step ${start.step}${start.time ? `, ${ago(start.time)}` : ''}`
                  : ''}
                {a === run.attempt ? ` (current: ${run.status})` : ' (retried)'}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Charts({ metrics }: { metrics: Metrics }) {
  const names = metricNames(metrics.metrics);
  if (names.length === 0)
    return <p class="state empty">No metrics yet: the first line comes after metricsEvery steps.</p>;
  return (
    <div class="charts">
      {chartGroups(names).map((g) => (
        <LineChart
          key={g.title}
          title={g.title}
          series={g.names.map((n) => ({ name: n, points: seriesOf(metrics.metrics, n) }))}
        />
      ))}
      <LineChart
        title="Images per second"
        series={[{ name: 'images/s', points: seriesOf(metrics.metrics, 'images/s') }]}
      />
    </div>
  );
}

function EvaluationSection({ run }: { run: RunRecord }) {
  const succeeded = run.status === 'SUCCEEDED';
  const evaluation = useAsync(
    () => (succeeded ? api.evaluation(run.id) : Promise.resolve(undefined)),
    [run.id, succeeded],
  );
  const missing = evaluation.error instanceof ApiError && evaluation.error.status === 404;
  let body: ComponentChildren;
  if (run.spec.evaluate === false) body = <Empty>Evaluation is turned off in this run's spec.</Empty>;
  else if (run.status === 'RUNNING' && run.progress?.phase === 'evaluating')
    body = <Loading what="the evaluation: the trainer is scoring the generator" />;
  else if (isActive(run.status))
    body = (
      <Empty>
        The generator is scored when training ends: cFID and classes on MNIST, modes and HQ% on ring8 and
        grid25.
      </Empty>
    );
  else if (!succeeded) body = <Empty>No evaluation: the run ended as {run.status}.</Empty>;
  else if (missing) body = <Empty>{evaluation.error!.message}</Empty>;
  else if (evaluation.error)
    body = <ErrorBox error={evaluation.error} retry={evaluation.reload} what="The evaluation" />;
  else if (!evaluation.data) body = <Loading what="the evaluation" />;
  else body = <EvaluationView data={evaluation.data} />;
  return (
    <section aria-labelledby="evaluation-h">
      <h2 id="evaluation-h">Evaluation</h2>
      {body}
    </section>
  );
}

export function RunPage({ id }: { id: string }) {
  const run = useAsync(() => api.run(id), [id]);
  const metrics = useAsync(() => api.metrics(id, { points: CHART_POINTS }), [id]);
  const [samples, setSamples] = useState<SampleRef[]>();
  const [samplesError, setSamplesError] = useState<Error>();
  const [seen, setSeen] = useState<Record<string, string>>({});
  const [actionError, setActionError] = useState<Error>();
  const [resumedFrom, setResumedFrom] = useState<number>();
  const lastSample = useRef<number | undefined>(undefined);

  const r = run.data;
  const active = r ? isActive(r.status) : true;

  const loadSamples = () =>
    api.samples(id).then(
      (s) => {
        setSamples(s);
        setSamplesError(undefined);
      },
      (e: Error) => setSamplesError(e),
    );

  useEffect(() => {
    if (!r) return;
    setSeen((s) => (s[r.status] ? s : { ...s, [r.status]: new Date().toISOString() }));
    // The sample list is fetched again only when a new sample was written, or when the run ends.
    const marker = r.progress?.lastSampleStep ?? (active ? -1 : -2);
    if (marker !== lastSample.current || samples === undefined) {
      lastSample.current = marker;
      void loadSamples();
    }
  }, [r]);

  // Presigned URLs live 15 minutes; a page left open longer fetches fresh ones, at most once a minute.
  const staleAt = useRef(0);
  const refreshStale = () => {
    if (Date.now() - staleAt.current < 60_000) return;
    staleAt.current = Date.now();
    void loadSamples();
  };

  useInterval(
    () => {
      run.reload();
      metrics.reload();
    },
    2000,
    active,
  );
  // A run's cost is written when its trainer process (or Batch job) has stopped, just after the run ended:
  // a run that ended in the last minute is read a while longer for it.
  const settling = !!r && !active && Date.now() - Date.parse(r.updatedAt) < 60_000;
  useInterval(() => run.reload(), 2000, settling);

  const cancel = async () => {
    if (!confirm(`Cancel run ${id}? Its trainer stops with a checkpoint; Resume continues from it.`)) return;
    try {
      await api.cancel(id);
      setActionError(undefined);
      run.reload();
    } catch (err) {
      setActionError(err as Error);
    }
  };

  const resume = async () => {
    try {
      const resumed = await api.resume(id);
      setActionError(undefined);
      setResumedFrom(resumed.resumeFrom);
      run.reload();
    } catch (err) {
      setActionError(err as Error);
    }
  };

  if (run.error && !r) return <ErrorBox error={run.error} retry={run.reload} what={`Run ${id}`} />;
  if (!r) return <Loading what={`run ${id}`} />;
  return (
    <>
      <h1 tabIndex={-1}>
        {r.labels?.name ? <span data-testid="run-name">{r.labels.name} </span> : 'Run '}
        <code>{r.id}</code> <StatusBadge status={r.status} />
      </h1>
      {r.group && (
        <p class="muted">
          Member {r.group.index} of <a href={href({ page: 'group', id: r.group.id })}>group {r.group.id}</a>
        </p>
      )}
      <LabelsPanel
        labels={r.labels}
        what="The run"
        save={(patch) => api.patchRun(id, patch).then(() => run.reload())}
      />
      <p class="muted">
        {r.spec.family} on {r.spec.dataset} · {r.spec.steps.toLocaleString()} steps, batch {r.spec.batchSize},
        seed {r.spec.seed} · attempt {r.attempt} · submitted {ago(r.createdAt)}
      </p>
      <p
        class="muted"
        data-testid="run-cost"
        title="Billed time x the configured price of the instance type; not a bill"
      >
        Cost: {costLabel(r.cost)}
      </p>
      <div class="actions">
        {active && (
          <button type="button" class="danger" onClick={cancel}>
            Cancel run
          </button>
        )}
        {isResumable(r.status) && (
          <button type="button" onClick={resume} title="Continue from the latest checkpoint as a new attempt">
            Resume
          </button>
        )}
        <a class="button" href={href({ page: 'new', clone: r.id })}>
          Clone
        </a>
        <a class="button" href={href({ page: 'compare', ids: [r.id] })}>
          Compare…
        </a>
        {r.status === 'SUCCEEDED' && (
          <a class="button" href={href({ page: 'playground', id: r.id })}>
            Open in playground
          </a>
        )}
      </div>
      {actionError && <ErrorBox error={actionError} what="" />}
      {resumedFrom !== undefined && active && (
        <p class="muted" role="status">
          Resumed as attempt {r.attempt}, from{' '}
          {resumedFrom ? `the checkpoint at step ${resumedFrom}` : 'the start'}.
        </p>
      )}
      <Progress run={r} />
      <Timeline run={r} seen={seen} {...(metrics.data ? { metrics: metrics.data } : {})} />
      <section aria-labelledby="gallery-h">
        <h2 id="gallery-h">Samples</h2>
        {samplesError && !samples && <ErrorBox error={samplesError} retry={loadSamples} what="Samples" />}
        {!samples && !samplesError && <Loading what="samples" />}
        {samples && <Gallery runId={r.id} samples={samples} onStale={refreshStale} />}
      </section>
      <section aria-labelledby="curves-h">
        <h2 id="curves-h">Curves</h2>
        {metrics.error && !metrics.data && (
          <ErrorBox error={metrics.error} retry={metrics.reload} what="Metrics" />
        )}
        {!metrics.data && !metrics.error && <Loading what="metrics" />}
        {metrics.data && <Charts metrics={metrics.data} />}
      </section>
      <EvaluationSection run={r} />
      <section aria-labelledby="spec-h">
        <h2 id="spec-h">Spec</h2>
        <pre class="spec">{JSON.stringify(r.spec, null, 2)}</pre>
      </section>
    </>
  );
}
