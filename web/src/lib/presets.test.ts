import { describe, expect, it } from 'vitest';
import { applyPreset, PRESETS } from './presets.ts';
import { fieldsFromSchema, readForm } from './schema-form.ts';

const fields = [
  ...fieldsFromSchema({
    properties: {
      steps: { type: 'integer', minimum: 1, default: 2000 },
      batchSize: { type: 'integer', default: 64 },
    },
  }),
  ...fieldsFromSchema(
    {
      properties: {
        gChannels: { type: 'integer', minimum: 4, default: 128 },
        beta1: { type: 'number', default: 0.5 },
      },
    },
    'hyperparameters',
  ),
];

describe('presets', () => {
  it("set only the fields the family's schema has, and keep defaults for the rest", () => {
    const smoke = PRESETS.find((p) => p.id === 'smoke')!;
    const raw = applyPreset(smoke, fields);
    expect(raw).toEqual({ steps: '20', batchSize: '8', 'hyperparameters.gChannels': '8' });
    expect(readForm(fields, raw)).toEqual({
      value: { steps: 20, batchSize: 8, hyperparameters: { gChannels: 8, beta1: 0.5 } },
      errors: {},
    });
  });

  it('all give values inside the ranges of the fields they set', () => {
    for (const p of PRESETS) expect(readForm(fields, applyPreset(p, fields)).errors).toEqual({});
  });
});
