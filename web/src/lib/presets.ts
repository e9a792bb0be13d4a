/**
 * Presets of the submit form. They are written against field names, not families: a preset sets only the
 * fields the chosen family's schema has, so it fits every family the catalog lists, including new ones.
 */
import type { FieldSpec, RawValue } from './schema-form.ts';

export interface Preset {
  id: string;
  title: string;
  description: string;
  /** Values by field name (the last part of the path), as typed into the form. */
  values: Record<string, RawValue>;
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'defaults',
    title: 'Defaults',
    description: "The catalog's defaults for this family: the paper's settings.",
    values: {},
  },
  {
    id: 'smoke',
    title: 'Smoke test',
    description:
      'A handful of steps on tiny networks: checks the pipeline end to end in about a minute on a CPU.',
    values: {
      steps: '20',
      batchSize: '8',
      sampleEvery: '5',
      metricsEvery: '1',
      checkpointEvery: '20',
      gChannels: '8',
      dChannels: '8',
      hiddenUnits: '16',
      hiddenLayers: '1',
      latentDim: '16',
    },
  },
  {
    id: 'quick',
    title: 'Quick look',
    description: 'Recognisable results in minutes on a CPU: narrow networks, 600 steps.',
    values: {
      steps: '600',
      batchSize: '64',
      sampleEvery: '100',
      checkpointEvery: '200',
      gChannels: '64',
      dChannels: '32',
      hiddenUnits: '128',
    },
  },
  {
    id: 'gpu',
    title: 'Full run (GPU)',
    description: "The family's defaults for 20,000 steps: meant for a cloud GPU.",
    values: { steps: '20000', batchSize: '64', sampleEvery: '200', checkpointEvery: '1000' },
  },
];

/** The form values a preset gives: defaults everywhere, then the preset's values where the field exists. */
export function applyPreset(preset: Preset, fields: readonly FieldSpec[]): Record<string, RawValue> {
  const out: Record<string, RawValue> = {};
  for (const f of fields) {
    const name = f.path.split('.').at(-1)!;
    if (name in preset.values) out[f.path] = preset.values[name]!;
  }
  return out;
}
