/**
 * Name, tags and note: the inputs (in the new-experiment form and in the editor), the tags as links to the
 * runs they mark, and the editor a run's or a group's page opens to change them (PATCH).
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.ts';
import type { Labels, LabelsPatch } from '../api/types.ts';
import { issueField } from '../lib/group-form.ts';
import { draftOf, type LabelsDraft, labelsPatch } from '../lib/labels.ts';
import { href } from '../lib/route.ts';
import { ErrorBox } from './states.tsx';

/** The three inputs; `errors` by "labels.name", "labels.tags", "labels.note". */
export function LabelInputs({
  value,
  onChange,
  errors = {},
  idPrefix,
}: {
  value: LabelsDraft;
  onChange: (v: LabelsDraft) => void;
  errors?: Record<string, string>;
  idPrefix: string;
}) {
  const input = (key: keyof LabelsDraft, label: string, help: string, multiline = false) => {
    const id = `${idPrefix}-${key}`;
    const error = errors[`labels.${key}`];
    const common = {
      id,
      value: value[key],
      'aria-invalid': error ? true : undefined,
      'aria-describedby': `${id}-help${error ? ` ${id}-error` : ''}`,
      onInput: (e: Event) =>
        onChange({ ...value, [key]: (e.target as HTMLInputElement | HTMLTextAreaElement).value }),
    };
    return (
      <div class={error ? 'field invalid' : 'field'}>
        <label for={id}>{label}</label>
        {multiline ? <textarea {...common} rows={3} /> : <input {...common} type="text" />}
        <small id={`${id}-help`} class="help">
          {help}
        </small>
        {error && (
          <small id={`${id}-error`} class="field-error" role="alert">
            {error}
          </small>
        )}
      </div>
    );
  };
  return (
    <div class="fields labels-fields">
      {input('name', 'Name', 'Optional; shown in lists instead of the id alone.')}
      {input('tags', 'Tags', 'Optional; separated by commas or spaces, e.g. baseline, lr:2e-4.')}
      {input('note', 'Note', 'Optional: why this experiment, what was seen.', true)}
    </div>
  );
}

/** Tags as links to the runs list filtered by each. */
export function TagList({ tags }: { tags: readonly string[] | undefined }) {
  if (!tags?.length) return null;
  return (
    <ul class="tags" aria-label="Tags">
      {tags.map((t) => (
        <li key={t}>
          <a class="tag" href={href({ page: 'runs', tag: t })}>
            {t}
          </a>
        </li>
      ))}
    </ul>
  );
}

/**
 * A run's or a group's labels, shown, and an editor for them. `save` sends the PATCH and answers with the
 * labels stored; the API's refusal is shown beside the field it names.
 */
export function LabelsPanel({
  labels,
  save,
  what,
}: {
  labels: Labels | undefined;
  save: (patch: LabelsPatch) => Promise<unknown>;
  what: string;
}) {
  const [editing, setEditing] = useState<LabelsDraft>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<Error>();
  const [saving, setSaving] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!editing) return;
    const patch = labelsPatch(labels, editing);
    if (Object.keys(patch).length === 0) {
      setEditing(undefined);
      return;
    }
    setSaving(true);
    try {
      await save(patch);
      setEditing(undefined);
      setErrors({});
      setError(undefined);
    } catch (err) {
      const issues = err instanceof ApiError ? (err.problem.errors ?? []) : [];
      setErrors(Object.fromEntries(issues.map((i) => [issueField(`labels.${i.field}`), i.message])));
      setError(err as Error);
    } finally {
      setSaving(false);
    }
  };

  if (!editing)
    return (
      <section class="labels" aria-label={`${what}'s name, tags and note`}>
        <TagList tags={labels?.tags} />
        {labels?.note && <p class="label-note">{labels.note}</p>}
        <button type="button" onClick={() => setEditing(draftOf(labels))}>
          Edit name, tags and note
        </button>
      </section>
    );
  return (
    <form class="labels labels-editor" onSubmit={submit} noValidate>
      <LabelInputs
        value={editing}
        onChange={(v) => {
          setEditing(v);
          setErrors({});
        }}
        errors={errors}
        idPrefix="edit-labels"
      />
      {error && !Object.keys(errors).length && <ErrorBox error={error} what="" />}
      <div class="actions">
        <button type="submit" class="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={() => setEditing(undefined)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
