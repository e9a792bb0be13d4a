/**
 * The new-experiment form's "how many runs" fieldset: a single run, several seeds, or a sweep over the
 * family's hyperparameters (a grid of values, or random draws from ranges), with the number of runs it
 * makes shown before submit. Its state and reading are lib/group-form.ts; errors are keyed as the API
 * names the fields (`seeds`, `sweep`, `sweep.parameters.<name>`).
 */
import type { ComponentChildren } from 'preact';
import {
  type GroupDraft,
  membersText,
  type RunMode,
  type SweptDraft,
  sweptDraftOf,
  sweptKey,
} from '../lib/group-form.ts';
import type { FieldSpec } from '../lib/schema-form.ts';

const MODES: [RunMode, string, string][] = [
  ['single', 'One run', 'One run with the seed below.'],
  [
    'seeds',
    'Several seeds',
    'The same experiment once per seed, shown as mean ± sd: three seeds by default.',
  ],
  ['sweep', 'A sweep', "Runs over the family's hyperparameters: every combination, or random draws."],
];

function ErrorText({ id, error }: { id: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <small id={id} class="field-error" role="alert">
      {error}
    </small>
  );
}

function Labelled({ id, label, children }: { id: string; label: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
    </div>
  );
}

function SweptInputs({
  field,
  value,
  random,
  error,
  onChange,
}: {
  field: FieldSpec;
  value: SweptDraft;
  random: boolean;
  error: string | undefined;
  onChange: (v: SweptDraft) => void;
}) {
  const id = `f-sweep-${field.path}`;
  const numeric = field.kind === 'integer' || field.kind === 'number';
  const text = (key: 'values' | 'min' | 'max', label: string) => (
    <Labelled id={`${id}-${key}`} label={label}>
      <input
        id={`${id}-${key}`}
        type="text"
        value={value[key]}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(e) => onChange({ ...value, [key]: (e.target as HTMLInputElement).value })}
      />
    </Labelled>
  );
  return (
    <div class="swept-inputs">
      {random && numeric ? (
        <>
          {text('min', `${field.label} from`)}
          {text('max', `${field.label} to`)}
          <Labelled id={`${id}-scale`} label={`${field.label} scale`}>
            <select
              id={`${id}-scale`}
              value={value.scale}
              onChange={(e) =>
                onChange({ ...value, scale: (e.target as HTMLSelectElement).value as SweptDraft['scale'] })
              }
            >
              <option value="linear">linear</option>
              <option value="log">log (evenly in orders of magnitude)</option>
            </select>
          </Labelled>
        </>
      ) : (
        text('values', `${field.label} values`)
      )}
      {field.kind === 'choice' && <small class="help">One or more of {field.options?.join(', ')}.</small>}
      <ErrorText id={`${id}-error`} error={error} />
    </div>
  );
}

export function GroupFields({
  draft,
  fields,
  members,
  errors,
  onChange,
}: {
  draft: GroupDraft;
  /** The family's hyperparameter fields, the ones a sweep can vary. */
  fields: readonly FieldSpec[];
  members: number | undefined;
  errors: Record<string, string>;
  onChange: (d: GroupDraft) => void;
}) {
  const random = draft.sweepMode === 'random';
  const toggle = (f: FieldSpec, on: boolean) => {
    const { [f.path]: _, ...rest } = draft.swept;
    onChange({ ...draft, swept: on ? { ...draft.swept, [f.path]: sweptDraftOf(f) } : rest });
  };
  return (
    <fieldset class="group-fields">
      <legend>Runs</legend>
      <div class="modes" role="radiogroup" aria-label="How many runs">
        {MODES.map(([mode, label, help]) => (
          <label key={mode} class="mode" title={help}>
            <input
              type="radio"
              name="run-mode"
              value={mode}
              checked={draft.mode === mode}
              onChange={() => onChange({ ...draft, mode })}
            />
            {label}
          </label>
        ))}
      </div>
      {draft.mode === 'seeds' && (
        <div class={errors.seeds ? 'field invalid' : 'field'}>
          <label for="f-seeds">Seeds</label>
          <input
            id="f-seeds"
            type="text"
            inputMode="numeric"
            value={draft.seeds}
            aria-invalid={errors.seeds ? true : undefined}
            aria-describedby={`f-seeds-help${errors.seeds ? ' f-seeds-error' : ''}`}
            onInput={(e) => onChange({ ...draft, seeds: (e.target as HTMLInputElement).value })}
          />
          <small id="f-seeds-help" class="help">
            One run per seed, separated by commas; each replaces the Seed below.
          </small>
          <ErrorText id="f-seeds-error" error={errors.seeds} />
        </div>
      )}
      {draft.mode === 'sweep' && (
        <>
          <div class="modes" role="radiogroup" aria-label="Sweep">
            {(['grid', 'random'] as const).map((m) => (
              <label key={m} class="mode">
                <input
                  type="radio"
                  name="sweep-mode"
                  value={m}
                  checked={draft.sweepMode === m}
                  onChange={() => onChange({ ...draft, sweepMode: m })}
                />
                {m === 'grid' ? 'Grid: every combination' : 'Random: draws from ranges'}
              </label>
            ))}
          </div>
          <ul class="sweepable">
            {fields.map((f) => {
              const on = draft.swept[f.path] !== undefined;
              return (
                <li key={f.path} class={errors[sweptKey(f.path)] ? 'invalid' : undefined}>
                  <label class="mode">
                    <input
                      type="checkbox"
                      checked={on}
                      onChange={(e) => toggle(f, e.currentTarget.checked)}
                    />
                    Sweep {f.label}
                  </label>
                  {on && (
                    <SweptInputs
                      field={f}
                      value={draft.swept[f.path]!}
                      random={random}
                      error={errors[sweptKey(f.path)]}
                      onChange={(v) => onChange({ ...draft, swept: { ...draft.swept, [f.path]: v } })}
                    />
                  )}
                </li>
              );
            })}
          </ul>
          {random && (
            <div class="fields">
              <div class={errors['sweep.samples'] ? 'field invalid' : 'field'}>
                <label for="f-sweep-samples">Runs to draw</label>
                <input
                  id="f-sweep-samples"
                  type="text"
                  inputMode="numeric"
                  value={draft.samples}
                  onInput={(e) => onChange({ ...draft, samples: (e.target as HTMLInputElement).value })}
                />
                <ErrorText id="f-sweep-samples-error" error={errors['sweep.samples']} />
              </div>
              <div class={errors['sweep.seed'] ? 'field invalid' : 'field'}>
                <label for="f-sweep-seed">Draw seed</label>
                <input
                  id="f-sweep-seed"
                  type="text"
                  inputMode="numeric"
                  value={draft.drawSeed}
                  onInput={(e) => onChange({ ...draft, drawSeed: (e.target as HTMLInputElement).value })}
                />
                <small class="help">The same seed draws the same values again.</small>
                <ErrorText id="f-sweep-seed-error" error={errors['sweep.seed']} />
              </div>
            </div>
          )}
          <ErrorText id="f-sweep-error" error={errors.sweep} />
        </>
      )}
      <p class="member-count" data-testid="member-count" role="status">
        {membersText(draft, members, fields)}
      </p>
    </fieldset>
  );
}
