/** Runs: status, family, dataset, progress with ETA, the latest sample; filters and sort; live updates. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import { ALL_STATUSES, type FamilyId, isActive, type RunRecord, type RunStatus } from '../api/types.ts';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { Progress, StatusBadge } from '../components/status.tsx';
import { ago } from '../lib/format.ts';
import { useAsync, useInterval } from '../lib/hooks.ts';
import { href } from '../lib/route.ts';

type Sort = 'newest' | 'oldest' | 'progress' | 'family';

const SORTS: Record<Sort, (a: RunRecord, b: RunRecord) => number> = {
  newest: (a, b) => b.createdAt.localeCompare(a.createdAt),
  oldest: (a, b) => a.createdAt.localeCompare(b.createdAt),
  progress: (a, b) => (b.progress?.step ?? 0) / b.spec.steps - (a.progress?.step ?? 0) / a.spec.steps,
  family: (a, b) => a.spec.family.localeCompare(b.spec.family) || b.createdAt.localeCompare(a.createdAt),
};

/** The latest sample's URL, fetched again only when the run's last sample step moves. */
function Thumbnail({ run }: { run: RunRecord }) {
  const last = run.progress?.lastSampleStep;
  const { data } = useAsync(
    () => (last === undefined && run.status !== 'SUCCEEDED' ? Promise.resolve([]) : api.samples(run.id)),
    [run.id, last, run.status],
  );
  const s = data?.at(-1);
  if (!s) return <span class="thumb-empty">no sample yet</span>;
  return (
    <img class="run-thumb" src={s.url} alt={`Latest sample of ${run.id}, step ${s.step}`} loading="lazy" />
  );
}

export function RunsPage() {
  const [status, setStatus] = useState<RunStatus | ''>('');
  const [family, setFamily] = useState<FamilyId | ''>('');
  const [sort, setSort] = useState<Sort>('newest');
  const [text, setText] = useState('');
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [selected, setSelected] = useState<string[]>([]);
  const models = useAsync(() => api.models(), []);
  const first = useAsync(
    () => api.listRuns({ ...(status ? { status } : {}), ...(family ? { family } : {}), limit: 50 }),
    [status, family],
  );
  const [shownFilter, setShownFilter] = useState('');
  useEffect(() => {
    if (!first.data) return;
    const filter = `${status}|${family}`;
    const fresh = first.data.runs;
    // A refresh keeps older pages already loaded; a new filter starts over.
    setRuns((rs) =>
      filter === shownFilter ? [...fresh, ...rs.filter((r) => !fresh.some((f) => f.id === r.id))] : fresh,
    );
    if (filter !== shownFilter) setCursor(first.data.nextCursor);
    setShownFilter(filter);
  }, [first.data]);

  // While something is active, refresh the first page and merge it over what is shown.
  const anyActive = runs.some((r) => isActive(r.status));
  useInterval(() => first.reload(), 3000, anyActive || runs.length === 0);

  const more = async () => {
    const page = await api.listRuns({
      ...(status ? { status } : {}),
      ...(family ? { family } : {}),
      cursor,
      limit: 50,
    });
    setRuns((rs) => [...rs, ...page.runs.filter((r) => !rs.some((x) => x.id === r.id))]);
    setCursor(page.nextCursor);
  };

  const shown = useMemo(() => {
    const q = text.trim().toLowerCase();
    return runs
      .filter((r) => !q || r.id.toLowerCase().includes(q) || r.spec.dataset.includes(q))
      .sort(SORTS[sort]);
  }, [runs, text, sort]);

  const toggle = (id: string) =>
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : s.length < 4 ? [...s, id] : s));

  return (
    <>
      <h1 tabIndex={-1}>Runs</h1>
      <div class="toolbar">
        <label>
          Status
          <select
            value={status}
            onChange={(e) => setStatus((e.target as HTMLSelectElement).value as RunStatus | '')}
          >
            <option value="">any</option>
            {ALL_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Family
          <select
            value={family}
            onChange={(e) => setFamily((e.target as HTMLSelectElement).value as FamilyId | '')}
          >
            <option value="">any</option>
            {models.data?.map((m) => (
              <option key={m.id} value={m.id}>
                {m.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort
          <select value={sort} onChange={(e) => setSort((e.target as HTMLSelectElement).value as Sort)}>
            <option value="newest">newest first</option>
            <option value="oldest">oldest first</option>
            <option value="progress">most progress</option>
            <option value="family">family</option>
          </select>
        </label>
        <label>
          Find
          <input
            type="search"
            value={text}
            placeholder="run id or dataset"
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
          />
        </label>
        <a class="button" href={href({ page: 'new' })}>
          New experiment
        </a>
        {selected.length >= 2 && (
          <a class="button" href={href({ page: 'compare', ids: selected })}>
            Compare {selected.length}
          </a>
        )}
      </div>
      {first.error && !first.data && <ErrorBox error={first.error} retry={first.reload} what="Runs" />}
      {!first.data && !first.error && <Loading what="runs" />}
      {first.data && shown.length === 0 && (
        <Empty>
          <p>{runs.length ? 'No run matches these filters.' : 'No runs yet.'}</p>
          <a href={href({ page: 'new' })}>Submit your first experiment</a>
        </Empty>
      )}
      {shown.length > 0 && (
        <table class="runs">
          <caption class="visually-hidden">Your runs; tick two to four to compare them</caption>
          <thead>
            <tr>
              <th scope="col">Compare</th>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col">Family · dataset</th>
              <th scope="col">Progress</th>
              <th scope="col">Latest sample</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} data-run={r.id}>
                <td data-label="Compare">
                  <input
                    type="checkbox"
                    checked={selected.includes(r.id)}
                    onChange={() => toggle(r.id)}
                    aria-label={`Compare ${r.id}`}
                  />
                </td>
                <td data-label="Run">
                  <a href={href({ page: 'run', id: r.id })}>{r.id}</a>
                  <div class="muted">{ago(r.createdAt)}</div>
                </td>
                <td data-label="Status">
                  <StatusBadge status={r.status} />
                  {r.attempt > 1 && <div class="muted">attempt {r.attempt}</div>}
                </td>
                <td data-label="Family">
                  {r.spec.family} · {r.spec.dataset}
                </td>
                <td data-label="Progress">
                  <Progress run={r} compact />
                </td>
                <td data-label="Latest sample">
                  <Thumbnail run={r} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" onClick={more}>
          Load more
        </button>
      )}
    </>
  );
}
