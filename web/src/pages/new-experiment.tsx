/**
 * New experiment: a form built from the spec's JSON Schema (GET /openapi.json) and the chosen family's
 * hyperparameter schema (GET /models), with defaults filled, ranges enforced as you type, the API's field
 * errors beside their fields, presets, the spec as JSON to copy, and "clone" from an existing run. One run,
 * or a group (several seeds, or a sweep over the hyperparameters) with the number of runs shown before it is
 * sent; a name, tags and a note. The draft lives in sessionStorage, so a sign-in in the middle of it loses
 * nothing.
 */
import { useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, api } from '../api/client.ts';
import type { DatasetInfo, Model, UploadedDataset } from '../api/types.ts';
import { GroupFields } from '../components/group-fields.tsx';
import { LabelInputs } from '../components/labels.tsx';
import { ErrorBox, Loading } from '../components/states.tsx';
import { DEFAULT_GROUP, type GroupDraft, issueField, readGroup, sweptKey } from '../lib/group-form.ts';
import { useAsync } from '../lib/hooks.ts';
import { EMPTY_LABELS, type LabelsDraft, labelsOf } from '../lib/labels.ts';
import { applyPreset, PRESETS } from '../lib/presets.ts';
import { href } from '../lib/route.ts';
import {
  type FieldSpec,
  fieldsFromSchema,
  issuesByField,
  type JsonSchema,
  type RawValue,
  rawFromSpec,
  rawOf,
  readForm,
  variantOf,
} from '../lib/schema-form.ts';

const DRAFT_KEY = 'ganzoo.draft';

interface Draft {
  family: string;
  dataset: string;
  raw: Record<string, RawValue>;
  /** One run, seeds or a sweep. */
  group: GroupDraft;
  labels: LabelsDraft;
  /** One key per draft: a double click or a retry after a lost answer submits once. */
  idempotencyKey: string;
}

const newKey = () => crypto.randomUUID();

/** The group part's inputs, as the API names them, so its field errors land beside them. */
const GROUP_INPUTS = (g: GroupDraft) => [
  'seeds',
  'sweep',
  'sweep.samples',
  'sweep.seed',
  ...Object.keys(g.swept).map(sweptKey),
  'labels.name',
  'labels.tags',
  'labels.note',
];

function loadDraft(): Draft | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(DRAFT_KEY) ?? 'null') as Partial<Draft> | null;
    // A draft saved before groups and labels existed gets their defaults.
    return saved ? ({ group: DEFAULT_GROUP, labels: EMPTY_LABELS, ...saved } as Draft) : undefined;
  } catch {
    return undefined;
  }
}

const freshDraft = (family: string, dataset: string): Draft => ({
  family,
  dataset,
  raw: {},
  group: DEFAULT_GROUP,
  labels: EMPTY_LABELS,
  idempotencyKey: newKey(),
});

interface FormData {
  models: Model[];
  datasets: DatasetInfo[];
  uploads: UploadedDataset[];
  specSchema: JsonSchema;
  clone?: { id: string; spec: Record<string, unknown> };
}

async function loadForm(cloneId?: string): Promise<FormData> {
  const [models, { datasets, uploads }, doc, run] = await Promise.all([
    api.models(),
    api.datasetCatalog(),
    api.openapi(),
    cloneId ? api.run(cloneId) : Promise.resolve(undefined),
  ]);
  const specSchema = doc.components.schemas.ExperimentSpec as JsonSchema | undefined;
  if (!specSchema) throw new Error('the API document has no ExperimentSpec schema');
  return {
    models,
    datasets,
    uploads,
    specSchema,
    ...(run ? { clone: { id: run.id, spec: run.spec as unknown as Record<string, unknown> } } : {}),
  };
}

/** The READY versions of the caller's uploads that `model` trains on, as a spec names them. */
function fittingUploads(model: Model, uploads: readonly UploadedDataset[]) {
  return uploads.flatMap((d) =>
    d.versions
      .filter((v) => v.status === 'READY' && (model.kinds as readonly string[]).includes(v.kind))
      .map((v) => ({
        ref: `upload:${d.id}@${v.version}`,
        label: `${d.name} v${v.version} (${v.report?.count ?? '?'} ${v.kind}, ${v.report?.shape.join('×') ?? ''})`,
      })),
  );
}

/** What the chosen dataset is, with its preview grid (a static file of the dashboard). */
function DatasetNote({ info }: { info: DatasetInfo | undefined }) {
  if (!info) return null;
  return (
    <div class="dataset-note">
      {info.preview && (
        <img class="preview" src={info.preview} alt={`A preview of ${info.title}`} loading="lazy" />
      )}
      <small class="help">
        {info.description} {info.licence}
      </small>
    </div>
  );
}

function Field({
  field,
  raw,
  error,
  onChange,
}: {
  field: FieldSpec;
  raw: RawValue;
  error?: string;
  onChange: (v: RawValue) => void;
}) {
  const id = `f-${field.path}`;
  const describedBy = [field.description ? `${id}-help` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name: field.path,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy || undefined,
  };
  let input: preact.JSX.Element;
  if (field.kind === 'boolean') {
    input = (
      <input
        {...common}
        type="checkbox"
        checked={raw === true}
        onChange={(e) => onChange((e.target as HTMLInputElement).checked)}
      />
    );
  } else if (field.kind === 'choice') {
    input = (
      <select
        {...common}
        value={String(raw)}
        onChange={(e) => onChange((e.target as HTMLSelectElement).value)}
      >
        {field.options?.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    );
  } else {
    const numeric = field.kind === 'integer' || field.kind === 'number';
    input = (
      <input
        {...common}
        type="text"
        inputMode={field.kind === 'integer' ? 'numeric' : numeric ? 'decimal' : undefined}
        value={String(raw)}
        onInput={(e) => onChange((e.target as HTMLInputElement).value)}
      />
    );
  }
  const range =
    field.min !== undefined || field.max !== undefined
      ? ` (${field.min !== undefined ? `${field.minExclusive ? '>' : '≥'} ${field.min}` : ''}${field.min !== undefined && field.max !== undefined ? ', ' : ''}${field.max !== undefined ? `${field.maxExclusive ? '<' : '≤'} ${field.max}` : ''})`
      : '';
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>
        {field.label}
        <span class="muted">{range}</span>
      </label>
      {input}
      {field.description && (
        <small id={`${id}-help`} class="help">
          {field.description}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} class="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

/** The form's fields: the spec's own, then the family's hyperparameters. */
function formFields(specSchema: JsonSchema, model: Model): FieldSpec[] {
  return [
    // Labels have inputs of their own (LabelInputs), not one per leaf.
    ...fieldsFromSchema(variantOf(specSchema, 'family', model.id), '', [
      'family',
      'dataset',
      'hyperparameters',
      'labels',
    ]),
    ...fieldsFromSchema(model.hyperparameters, 'hyperparameters'),
  ];
}

function Form({ data, family }: { data: FormData; family?: string }) {
  const initial = useMemo<Draft>(() => {
    if (data.clone) {
      // Filled in the first render: a form shown with defaults first could be read or sent as it stands.
      const spec = data.clone.spec;
      const model = data.models.find((m) => m.id === spec.family) ?? data.models[0]!;
      return {
        family: model.id,
        dataset: String(spec.dataset),
        raw: rawFromSpec(formFields(data.specSchema, model), spec),
        group: DEFAULT_GROUP,
        labels: EMPTY_LABELS,
        idempotencyKey: newKey(),
      };
    }
    const saved = loadDraft();
    if (saved && data.models.some((m) => m.id === saved.family) && (!family || family === saved.family))
      return saved;
    const m = data.models.find((x) => x.id === family) ?? data.models[0]!;
    return freshDraft(m.id, m.datasets[0] ?? '');
  }, [data]);
  const [draft, setDraft] = useState<Draft>(initial);
  const [apiErrors, setApiErrors] = useState<Record<string, string>>({});
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<Error>();
  const [copied, setCopied] = useState(false);

  const model = data.models.find((m) => m.id === draft.family) ?? data.models[0]!;
  const fields = useMemo(() => formFields(data.specSchema, model), [data.specSchema, model]);

  // Saved as soon as it changes (a layout effect runs before the browser can leave the page).
  useLayoutEffect(() => sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft)), [draft]);

  const form = readForm(fields, draft.raw);
  const labels = labelsOf(draft.labels);
  const spec = { family: model.id, dataset: draft.dataset, ...form.value, ...(labels ? { labels } : {}) };
  const hyperparameters = fields.filter((f) => f.path.startsWith('hyperparameters.'));
  const group = readGroup(draft.group, hyperparameters);
  const clientErrors = { ...form.errors, ...group.errors };
  const body = group.request ? { spec, ...group.request } : spec;

  const set = (path: string, value: RawValue) => {
    setDraft((d) => ({ ...d, raw: { ...d.raw, [path]: value } }));
    setApiErrors(({ [path]: _, ...rest }) => rest);
  };
  // The group's and the labels' inputs are read whole: a change clears what the API said of any of them.
  const setGroup = (g: GroupDraft) => {
    setDraft((d) => ({ ...d, group: g }));
    setApiErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !/^(seeds|sweep)/.test(k))));
  };
  const setLabels = (l: LabelsDraft) => {
    setDraft((d) => ({ ...d, labels: l }));
    setApiErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith('labels.'))));
  };
  const chooseFamily = (id: string) => {
    const m = data.models.find((x) => x.id === id)!;
    setDraft((d) => ({
      ...d,
      family: id,
      dataset:
        m.datasets.includes(d.dataset as never) ||
        fittingUploads(m, data.uploads).some((u) => u.ref === d.dataset)
          ? d.dataset
          : (m.datasets[0] ?? ''),
      // Hyperparameters belong to the family; the rest of the spec carries over.
      raw: Object.fromEntries(Object.entries(d.raw).filter(([k]) => !k.startsWith('hyperparameters.'))),
      group: { ...d.group, swept: {} },
    }));
    setApiErrors({});
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (Object.keys(clientErrors).length) {
      const first = Object.keys(clientErrors)[0]!;
      (
        document.getElementById(`f-${first}`) ??
        document.querySelector<HTMLElement>(`.group-fields .invalid input, .group-fields input[aria-invalid]`)
      )?.focus();
      return;
    }
    setSubmitting(true);
    setSubmitError(undefined);
    try {
      if (group.request) {
        const made = await api.submitGroup(body as never, draft.idempotencyKey);
        sessionStorage.removeItem(DRAFT_KEY);
        location.hash = href({ page: 'group', id: made.id });
      } else {
        const run = await api.submit(spec as never, draft.idempotencyKey);
        sessionStorage.removeItem(DRAFT_KEY);
        location.hash = href({ page: 'run', id: run.id });
      }
    } catch (err) {
      if (err instanceof ApiError && err.problem?.errors) {
        const issues = err.problem.errors.map((i) => ({ ...i, field: issueField(i.field) }));
        setApiErrors(issuesByField(issues, fields, ['family', 'dataset', ...GROUP_INPUTS(draft.group)]));
      }
      setSubmitError(err as Error);
    } finally {
      setSubmitting(false);
    }
  };

  const errorOf = (path: string) => (clientErrors as Record<string, string>)[path] ?? apiErrors[path];
  const groupErrors = { ...apiErrors, ...group.errors };
  const json = JSON.stringify(body, null, 2);
  const specFields = fields.filter(
    (f) => !f.path.startsWith('hyperparameters.') && !f.path.startsWith('resources.'),
  );
  const groups: [string, FieldSpec[]][] = [
    ['Training', specFields],
    [`${model.title} hyperparameters`, fields.filter((f) => f.path.startsWith('hyperparameters.'))],
    ['Cloud resources', fields.filter((f) => f.path.startsWith('resources.'))],
  ];

  return (
    <form class="experiment-form" onSubmit={submit} noValidate>
      {data.clone && (
        <p class="note">
          Cloned from <a href={href({ page: 'run', id: data.clone.id })}>{data.clone.id}</a>: change what you
          want and submit.
        </p>
      )}
      <fieldset>
        <legend>Model and data</legend>
        <div class="field">
          <label for="f-family">Family</label>
          <select
            id="f-family"
            value={model.id}
            onChange={(e) => chooseFamily((e.target as HTMLSelectElement).value)}
          >
            {data.models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.title} ({m.id})
              </option>
            ))}
          </select>
          <small class="help">
            {model.summary}{' '}
            <a href={model.paper.url}>
              {model.paper.authors} {model.paper.year}
            </a>
          </small>
        </div>
        <div class={apiErrors.dataset ? 'field invalid' : 'field'}>
          <label for="f-dataset">Dataset</label>
          <select
            id="f-dataset"
            value={draft.dataset}
            aria-describedby={apiErrors.dataset ? 'f-dataset-error' : undefined}
            onChange={(e) => setDraft((d) => ({ ...d, dataset: (e.target as HTMLSelectElement).value }))}
          >
            {model.datasets.map((id) => (
              <option key={id} value={id}>
                {data.datasets.find((x) => x.id === id)?.title ?? id}
              </option>
            ))}
            {fittingUploads(model, data.uploads).length > 0 && (
              <optgroup label="Your uploads">
                {fittingUploads(model, data.uploads).map((u) => (
                  <option key={u.ref} value={u.ref}>
                    {u.label}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
          {apiErrors.dataset && (
            <small id="f-dataset-error" class="field-error" role="alert">
              {apiErrors.dataset}
            </small>
          )}
          <DatasetNote info={data.datasets.find((x) => x.id === draft.dataset)} />
        </div>
        <fieldset class="presets">
          <legend>Presets</legend>
          {PRESETS.map((p) => (
            <button
              type="button"
              key={p.id}
              title={p.description}
              onClick={() => setDraft((d) => ({ ...d, raw: applyPreset(p, fields) }))}
            >
              {p.title}
            </button>
          ))}
        </fieldset>
      </fieldset>
      <GroupFields
        draft={draft.group}
        fields={hyperparameters}
        members={group.members}
        errors={groupErrors}
        onChange={setGroup}
      />
      <fieldset>
        <legend>Name, tags and note</legend>
        <LabelInputs value={draft.labels} onChange={setLabels} errors={apiErrors} idPrefix="f-labels" />
      </fieldset>
      {groups.map(([title, fs]) =>
        fs.length ? (
          <fieldset key={title}>
            <legend>{title}</legend>
            <div class="fields">
              {fs.map((f) => (
                <Field
                  key={f.path}
                  field={f}
                  raw={draft.raw[f.path] ?? rawOf(f)}
                  {...(errorOf(f.path) ? { error: errorOf(f.path)! } : {})}
                  onChange={(v) => set(f.path, v)}
                />
              ))}
            </div>
          </fieldset>
        ) : null,
      )}
      {apiErrors[''] && (
        <p class="field-error" role="alert">
          {apiErrors['']}
        </p>
      )}
      {submitError && <ErrorBox error={submitError} what="" />}
      <div class="actions">
        <button type="submit" class="primary" disabled={submitting}>
          {submitting ? 'Submitting…' : 'Submit experiment'}
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(freshDraft(model.id, model.datasets[0] ?? ''));
            setApiErrors({});
          }}
        >
          Reset
        </button>
      </div>
      <details class="json-view">
        <summary>{group.request ? 'Group request as JSON' : 'Spec as JSON'}</summary>
        <pre>{json}</pre>
        <button
          type="button"
          onClick={() =>
            navigator.clipboard?.writeText(json).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </details>
    </form>
  );
}

export function NewExperimentPage({ clone, family }: { clone?: string; family?: string }) {
  const data = useAsync(() => loadForm(clone), [clone]);
  // Only the data loaded for this clone: useAsync keeps the last data while the next loads.
  const ready = data.data?.clone?.id === clone ? data.data : undefined;
  return (
    <>
      <h1 tabIndex={-1}>New experiment</h1>
      {data.error && <ErrorBox error={data.error} retry={data.reload} what="The form" />}
      {!ready && !data.error && <Loading what="the catalog" />}
      {ready && ready.models.length === 0 && <p class="state empty">The API lists no trainable families.</p>}
      {ready && ready.models.length > 0 && (
        <Form key={`${clone}|${family}`} data={ready} {...(family ? { family } : {})} />
      )}
    </>
  );
}
