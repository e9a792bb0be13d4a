/**
 * One experiment group: its members and their status, the curves as a mean with a ± sd band across the
 * members, the evaluation joined (mean ± sd (min, max) per metric), the best member's gallery, and for a
 * sweep each metric against each swept value; cancel, and the group's name, tags and note. Polls while a
 * member is active.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { formatSummary } from '../../../shared/group-stats.ts';
import { api } from '../api/client.ts';
import {
  type Group,
  type GroupEvaluationResult,
  isActive,
  type Metrics,
  type SampleRef,
} from '../api/types.ts';
import { Gallery } from '../components/gallery.tsx';
import { LabelsPanel } from '../components/labels.tsx';
import { LineChart, type Series } from '../components/line-chart.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { Progress, StatusBadge } from '../components/status.tsx';
import { meanBand } from '../lib/band.ts';
import { ago, metric, plain } from '../lib/format.ts';
import { useAsync, useInterval } from '../lib/hooks.ts';
import { chartGroups, metricNames, seriesOf } from '../lib/metrics.ts';
import { href } from '../lib/route.ts';

const CHART_POINTS = 300;
/** Members whose curves are read for the band: enough for a mean, few enough for one page's requests. */
const MAX_CURVE_MEMBERS = 24;

type Member = Group['members'][number];

const variesText = (v: Member['varies']) =>
  Object.entries(v)
    .map(([k, x]) => `${k}=${typeof x === 'number' ? plain(x) : String(x)}`)
    .join(', ');

/** "3 seeds of dcgan on mnist" or "a grid sweep of dcgan on mnist over learningRate, gChannels". */
function describe(g: Group): string {
  const what = `${g.spec.family} on ${g.spec.dataset}, ${g.spec.steps.toLocaleString()} steps each`;
  if (g.kind === 'seeds') return `${g.size} seeds (${g.seeds?.join(', ')}) of ${what}`;
  const sweep = g.sweep!;
  const over = Object.keys(sweep.parameters).join(' × ');
  return `a ${sweep.mode} sweep over ${over}: ${g.size} runs of ${what}`;
}

function Members({ group, evaluation }: { group: Group; evaluation?: GroupEvaluationResult }) {
  const metrics = evaluation ? Object.keys(evaluation.metrics) : [];
  const scored = new Map(evaluation?.evaluated.map((e) => [e.runId, e.metrics]));
  return (
    <section aria-labelledby="members-h">
      <h2 id="members-h">Members</h2>
      <p class="muted" data-testid="group-counts">
        {Object.entries(group.counts)
          .map(([s, n]) => `${n} ${s}`)
          .join(' · ')}
      </p>
      <table class="runs members">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Run</th>
            <th scope="col">{group.kind === 'seeds' ? 'Seed' : 'Swept values'}</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            {metrics.map((m) => (
              <th key={m} scope="col">
                {m}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {group.members.map((m) => (
            <tr key={m.runId} data-run={m.runId}>
              <td data-label="#">{m.index}</td>
              <td data-label="Run">
                <a href={href({ page: 'run', id: m.runId })}>{m.runId}</a>
                {evaluation?.best?.runId === m.runId && <span class="best"> best</span>}
              </td>
              <td data-label="Varies">{variesText(m.varies)}</td>
              <td data-label="Status">
                <StatusBadge status={m.status} />
                {m.reason && <div class="muted">{m.reason}</div>}
              </td>
              <td data-label="Progress">
                <Progress
                  run={{
                    id: m.runId,
                    status: m.status,
                    spec: group.spec,
                    ...(m.progress ? { progress: m.progress } : {}),
                  }}
                  compact
                />
              </td>
              {metrics.map((name) => (
                <td key={name} data-label={name}>
                  {metric(scored.get(m.runId)?.[name])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Every metric of the members as one mean line with a ± sd band, in the run page's chart groups. */
function Curves({ members }: { members: Metrics[] }) {
  const names = metricNames(members.flatMap((m) => m.metrics));
  if (names.length === 0)
    return <Empty>No metrics yet: the first line comes after metricsEvery steps.</Empty>;
  const band = (name: string): Series => {
    const b = meanBand(members.map((m) => seriesOf(m.metrics, name)));
    return { name: `${name} (mean of ${b.membersAtEnd})`, points: b.mean, band: b.band };
  };
  return (
    <div class="charts">
      {chartGroups(names).map((g) => (
        <LineChart key={g.title} title={`${g.title}: mean ± sd`} series={g.names.map(band)} />
      ))}
    </div>
  );
}

function EvaluationTable({ evaluation }: { evaluation: GroupEvaluationResult }) {
  const rows = Object.entries(evaluation.metrics);
  return (
    <>
      {rows.length === 0 ? (
        <Empty>No member has an evaluation yet: each is scored when its training ends.</Empty>
      ) : (
        <table class="compare-eval group-eval">
          <caption>
            Over {evaluation.members} evaluated member{evaluation.members === 1 ? '' : 's'}: mean ± sd
            (min-max, n)
          </caption>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">mean ± sd (min-max, n)</th>
              <th scope="col">Better</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, s]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{formatSummary(s, 2)}</td>
                <td>{s.better}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {evaluation.pending.length > 0 && (
        <details class="pending">
          <summary>
            {evaluation.pending.length} member{evaluation.pending.length === 1 ? '' : 's'} without an
            evaluation
          </summary>
          <ul>
            {evaluation.pending.map((p) => (
              <li key={p.runId}>
                <a href={href({ page: 'run', id: p.runId })}>{p.runId}</a>: {p.why}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

/** For a sweep: each metric at each value of each swept hyperparameter, as a table and, for numbers, a chart. */
function BySweptValue({ evaluation }: { evaluation: GroupEvaluationResult }) {
  const params = Object.entries(evaluation.bySweptValue);
  if (params.length === 0) return null;
  return (
    <section aria-labelledby="swept-h">
      <h2 id="swept-h">Metrics against the swept values</h2>
      {params.map(([param, rows]) => {
        const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
        const numeric = rows.every((r) => typeof r.value === 'number');
        const sorted = numeric ? [...rows].sort((a, b) => (a.value as number) - (b.value as number)) : rows;
        return (
          <div key={param} class="swept" data-param={param}>
            <table class="compare-eval">
              <caption>{param}</caption>
              <thead>
                <tr>
                  <th scope="col">{param}</th>
                  {metrics.map((m) => (
                    <th key={m} scope="col">
                      {m}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {sorted.map((r) => (
                  <tr key={String(r.value)}>
                    <th scope="row">{typeof r.value === 'number' ? plain(r.value) : String(r.value)}</th>
                    {metrics.map((m) => (
                      <td key={m}>{r.metrics[m] ? formatSummary(r.metrics[m], 2) : '–'}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
            {numeric && (
              <div class="charts">
                {metrics.map((m) => {
                  const at = sorted.filter((r) => r.metrics[m]);
                  const x = (r: (typeof at)[number]) => r.value as number;
                  return (
                    <LineChart
                      key={m}
                      title={`${m} against ${param}`}
                      xName={param}
                      xFormat={plain}
                      dots
                      series={[
                        {
                          name: `${m} (mean ± sd)`,
                          points: at.map((r) => ({ x: x(r), y: r.metrics[m]!.mean })),
                          band: at.map((r) => ({
                            x: x(r),
                            lo: r.metrics[m]!.mean - r.metrics[m]!.sd,
                            hi: r.metrics[m]!.mean + r.metrics[m]!.sd,
                          })),
                        },
                      ]}
                    />
                  );
                })}
              </div>
            )}
          </div>
        );
      })}
    </section>
  );
}

function BestGallery({ evaluation }: { evaluation: GroupEvaluationResult }) {
  const best = evaluation.best;
  const samples = useAsync<SampleRef[] | undefined>(
    () => (best ? api.samples(best.runId) : Promise.resolve(undefined)),
    [best?.runId],
  );
  if (!best) return null;
  return (
    <section aria-labelledby="best-h">
      <h2 id="best-h">Best member</h2>
      <p data-testid="best-member">
        <a href={href({ page: 'run', id: best.runId })}>{best.runId}</a> is best on {best.metric}:{' '}
        <strong>{metric(best.value)}</strong>
      </p>
      {samples.error && <ErrorBox error={samples.error} retry={samples.reload} what="Its samples" />}
      {!samples.data && !samples.error && <Loading what="its samples" />}
      {samples.data && <Gallery runId={best.runId} samples={samples.data} onStale={samples.reload} />}
    </section>
  );
}

export function GroupPage({ id }: { id: string }) {
  const group = useAsync(() => api.group(id), [id]);
  const g = group.data;
  const active = g ? isActive(g.status) : true;
  const curveIds = useMemo(() => g?.members.slice(0, MAX_CURVE_MEMBERS).map((m) => m.runId) ?? [], [g?.id]);
  // Read again whenever another member ends: its last metrics join the band, its evaluation the table.
  const ended = g ? g.members.filter((m) => !isActive(m.status)).length : 0;
  const curves = useAsync(
    () => Promise.all(curveIds.map((runId) => api.metrics(runId, { points: CHART_POINTS }))),
    [curveIds, ended],
  );
  const evaluation = useAsync(() => api.groupEvaluation(id), [id, ended]);
  const [actionError, setActionError] = useState<Error>();
  useInterval(group.reload, 2000, active);
  useInterval(curves.reload, 4000, active);
  useEffect(() => setActionError(undefined), [id]);

  const cancel = async () => {
    if (!confirm(`Cancel every member of group ${id} that has not ended?`)) return;
    try {
      await api.cancelGroup(id);
      setActionError(undefined);
      group.reload();
    } catch (err) {
      setActionError(err as Error);
    }
  };

  if (group.error && !g) return <ErrorBox error={group.error} retry={group.reload} what={`Group ${id}`} />;
  if (!g) return <Loading what={`group ${id}`} />;
  const name = g.labels?.name;
  return (
    <>
      <h1 tabIndex={-1}>
        {name ? `${name} ` : 'Group '}
        <code>{g.id}</code> <StatusBadge status={g.status} />
      </h1>
      <p class="muted">
        {describe(g)} · submitted {ago(g.createdAt)}
      </p>
      <LabelsPanel
        labels={g.labels}
        what="The group"
        save={(patch) => api.patchGroup(id, patch).then(() => group.reload())}
      />
      <div class="actions">
        {active && (
          <button type="button" class="danger" onClick={cancel}>
            Cancel group
          </button>
        )}
        <a class="button" href={href({ page: 'compare', ids: g.members.slice(0, 4).map((m) => m.runId) })}>
          Compare members…
        </a>
      </div>
      {actionError && <ErrorBox error={actionError} what="" />}
      <Members group={g} {...(evaluation.data ? { evaluation: evaluation.data } : {})} />
      <section aria-labelledby="curves-h">
        <h2 id="curves-h">Curves</h2>
        {g.members.length > MAX_CURVE_MEMBERS && (
          <p class="muted">Over the first {MAX_CURVE_MEMBERS} members.</p>
        )}
        {curves.error && !curves.data && (
          <ErrorBox error={curves.error} retry={curves.reload} what="Metrics" />
        )}
        {!curves.data && !curves.error && <Loading what="metrics" />}
        {curves.data && <Curves members={curves.data} />}
      </section>
      <section aria-labelledby="evaluation-h">
        <h2 id="evaluation-h">Evaluation</h2>
        {evaluation.error && !evaluation.data && (
          <ErrorBox error={evaluation.error} retry={evaluation.reload} what="The evaluation" />
        )}
        {!evaluation.data && !evaluation.error && <Loading what="the evaluation" />}
        {evaluation.data && <EvaluationTable evaluation={evaluation.data} />}
      </section>
      {evaluation.data && <BySweptValue evaluation={evaluation.data} />}
      {evaluation.data && <BestGallery evaluation={evaluation.data} />}
      <section aria-labelledby="spec-h">
        <h2 id="spec-h">Base spec</h2>
        <pre class="spec">{JSON.stringify({ spec: g.spec, seeds: g.seeds, sweep: g.sweep }, null, 2)}</pre>
      </section>
    </>
  );
}
