/**
 * Runs: name and tags, status, family, dataset, progress with ETA, the latest sample; the experiment groups
 * above them, each row opening to its members; filters (a tag and text in the name, kept in the URL, are
 * the API's; status and family too), sort; live updates.
 */
import { Fragment } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import {
  ALL_STATUSES,
  type FamilyId,
  type GroupSummary,
  isActive,
  type RunRecord,
  type RunStatus,
} from '../api/types.ts';
import { TagList } from '../components/labels.tsx';
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

/** A group's members, read when its row is opened. */
function GroupMembers({ id }: { id: string }) {
  const group = useAsync(() => api.group(id), [id]);
  if (group.error) return <ErrorBox error={group.error} retry={group.reload} what="Its members" />;
  if (!group.data) return <Loading what="its members" />;
  return (
    <ul class="group-members">
      {group.data.members.map((m) => (
        <li key={m.runId}>
          <a href={href({ page: 'run', id: m.runId })}>{m.runId}</a>{' '}
          <span class="muted">
            {Object.entries(m.varies)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}
          </span>{' '}
          <StatusBadge status={m.status} />
        </li>
      ))}
    </ul>
  );
}

function Groups({ groups }: { groups: GroupSummary[] }) {
  const [open, setOpen] = useState<string[]>([]);
  const toggle = (id: string) => setOpen((o) => (o.includes(id) ? o.filter((x) => x !== id) : [...o, id]));
  return (
    <section aria-labelledby="groups-h">
      <h2 id="groups-h">Groups</h2>
      <table class="runs groups">
        <thead>
          <tr>
            <th scope="col">Members</th>
            <th scope="col">Group</th>
            <th scope="col">Status</th>
            <th scope="col">What</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <Fragment key={g.id}>
              <tr data-group={g.id}>
                <td data-label="Members">
                  <button
                    type="button"
                    class="link"
                    aria-expanded={open.includes(g.id)}
                    onClick={() => toggle(g.id)}
                  >
                    {open.includes(g.id) ? 'Hide' : 'Show'} {g.size} runs
                  </button>
                </td>
                <td data-label="Group">
                  <a href={href({ page: 'group', id: g.id })}>{g.labels?.name ?? g.id}</a>
                  {g.labels?.name && <div class="muted">{g.id}</div>}
                  <TagList tags={g.labels?.tags} />
                </td>
                <td data-label="Status">
                  <StatusBadge status={g.status} />
                  <div class="muted">
                    {Object.entries(g.counts)
                      .map(([s, n]) => `${n} ${s.toLowerCase()}`)
                      .join(', ')}
                  </div>
                </td>
                <td data-label="What">
                  {g.kind === 'seeds' ? `seeds ${g.seeds?.join(', ')}` : `${g.sweep?.mode} sweep`} ·{' '}
                  {g.spec.family} · {g.spec.dataset}
                  <div class="muted">{ago(g.createdAt)}</div>
                </td>
              </tr>
              {open.includes(g.id) && (
                <tr class="group-members-row">
                  <td colSpan={4}>
                    <GroupMembers id={g.id} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function RunsPage({ tag = '', q = '' }: { tag?: string; q?: string }) {
  const [status, setStatus] = useState<RunStatus | ''>('');
  const [family, setFamily] = useState<FamilyId | ''>('');
  const [sort, setSort] = useState<Sort>('newest');
  const [text, setText] = useState('');
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [selected, setSelected] = useState<string[]>([]);
  const models = useAsync(() => api.models(), []);
  // The API's filters: a tag exactly, text within names.
  const labelFilter = { ...(tag ? { tag } : {}), ...(q ? { q } : {}) };
  const query = { ...(status ? { status } : {}), ...(family ? { family } : {}), ...labelFilter };
  const filter = `${status}|${family}|${tag}|${q}`;
  // Each page remembers the filter it was read with, so rows of one filter never merge into another's.
  const first = useAsync(
    async () => ({ filter, page: await api.listRuns({ ...query, limit: 50 }) }),
    [status, family, tag, q],
  );
  const groups = useAsync(() => api.listGroups({ ...labelFilter, limit: 20 }), [tag, q]);
  const [shownFilter, setShownFilter] = useState('');
  const [nameText, setNameText] = useState(q);
  const [tagText, setTagText] = useState(tag);
  useEffect(() => {
    setNameText(q);
    setTagText(tag);
  }, [tag, q]);
  const applyLabels = (e: Event) => {
    e.preventDefault();
    const t = tagText.trim();
    const n = nameText.trim();
    location.hash = href({ page: 'runs', ...(t ? { tag: t } : {}), ...(n ? { q: n } : {}) });
  };
  useEffect(() => {
    if (!first.data || first.data.filter !== filter) return;
    const fresh = first.data.page.runs;
    // A refresh keeps older pages already loaded; a new filter starts over.
    setRuns((rs) =>
      filter === shownFilter ? [...fresh, ...rs.filter((r) => !fresh.some((f) => f.id === r.id))] : fresh,
    );
    if (filter !== shownFilter) setCursor(first.data.page.nextCursor);
    setShownFilter(filter);
  }, [first.data]);

  // While something is active, refresh the first page and merge it over what is shown.
  const anyActive = runs.some((r) => isActive(r.status));
  useInterval(
    () => {
      first.reload();
      groups.reload();
    },
    3000,
    anyActive || runs.length === 0,
  );

  const more = async () => {
    const page = await api.listRuns({ ...query, cursor, limit: 50 });
    setRuns((rs) => [...rs, ...page.runs.filter((r) => !rs.some((x) => x.id === r.id))]);
    setCursor(page.nextCursor);
  };

  const shown = useMemo(() => {
    const find = text.trim().toLowerCase();
    return runs
      .filter(
        (r) =>
          !find ||
          r.id.toLowerCase().includes(find) ||
          r.spec.dataset.includes(find) ||
          !!r.labels?.name?.toLowerCase().includes(find),
      )
      .sort(SORTS[sort]);
  }, [runs, text, sort]);

  const toggle = (id: string) =>
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : s.length < 4 ? [...s, id] : s));

  return (
    <>
      <h1 tabIndex={-1}>Runs</h1>
      <form class="toolbar" onSubmit={applyLabels} aria-label="Filter by tag and name">
        <label>
          Tag
          <input
            type="search"
            value={tagText}
            placeholder="e.g. baseline"
            onInput={(e) => setTagText((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Name contains
          <input
            type="search"
            value={nameText}
            placeholder="text in the name"
            onInput={(e) => setNameText((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Filter</button>
        {(tag || q) && (
          <a class="button" href={href({ page: 'runs' })}>
            Clear
          </a>
        )}
      </form>
      {(tag || q) && (
        <p class="muted" data-testid="label-filter">
          Showing runs and groups{tag ? ` tagged ${tag}` : ''}
          {tag && q ? ' and' : ''}
          {q ? ` named with “${q}”` : ''}.
        </p>
      )}
      {groups.data && groups.data.groups.length > 0 && <Groups groups={groups.data.groups} />}
      {groups.error && <ErrorBox error={groups.error} retry={groups.reload} what="Groups" />}
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
            placeholder="run id, name or dataset"
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
      {first.error && <ErrorBox error={first.error} retry={first.reload} what="Runs" />}
      {!first.data && !first.error && <Loading what="runs" />}
      {first.data && shown.length === 0 && (
        <Empty>
          <p>{runs.length || tag || q ? 'No run matches these filters.' : 'No runs yet.'}</p>
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
                  {r.labels?.name && <div class="run-name">{r.labels.name}</div>}
                  <a href={href({ page: 'run', id: r.id })}>{r.id}</a>
                  <div class="muted">
                    {ago(r.createdAt)}
                    {r.group && (
                      <>
                        {' · '}
                        <a href={href({ page: 'group', id: r.group.id })}>group member {r.group.index}</a>
                      </>
                    )}
                  </div>
                  <TagList tags={r.labels?.tags} />
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
