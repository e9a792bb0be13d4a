import { describe, expect, it } from 'vitest';
import {
  fieldsFromSchema,
  issuesByField,
  type JsonSchema,
  labelOf,
  nest,
  parseField,
  rawFromSpec,
  readForm,
  variantOf,
} from './schema-form.ts';

// The shapes GET /openapi.json and GET /models answer with (z.toJSONSchema of shared/'s schemas).
const specSchema: JsonSchema = {
  type: 'object',
  properties: {
    family: { type: 'string', enum: ['vanilla', 'dcgan'] },
    dataset: { type: 'string', enum: ['mnist'] },
    hyperparameters: { type: 'object', default: {} },
    steps: {
      type: 'integer',
      minimum: 1,
      maximum: 10_000_000,
      default: 2000,
      description: 'Training steps.',
    },
    resources: {
      type: 'object',
      properties: {
        gpu: { type: 'string', enum: ['g4dn.xlarge', 'g5.xlarge'], default: 'g4dn.xlarge' },
        spot: { type: 'boolean', default: true },
      },
    },
  },
};
const hpSchema: JsonSchema = {
  type: 'object',
  properties: {
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.0002 },
    gChannels: { type: 'integer', minimum: 4, maximum: 1024, default: 128 },
  },
};

describe('fields from a schema', () => {
  const fields = [
    ...fieldsFromSchema(specSchema, '', ['family', 'dataset', 'hyperparameters']),
    ...fieldsFromSchema(hpSchema, 'hyperparameters'),
  ];

  it('makes one field per leaf, with dotted paths, kinds, ranges and defaults', () => {
    expect(fields.map((f) => [f.path, f.kind])).toEqual([
      ['steps', 'integer'],
      ['resources.gpu', 'choice'],
      ['resources.spot', 'boolean'],
      ['hyperparameters.learningRate', 'number'],
      ['hyperparameters.gChannels', 'integer'],
    ]);
    const lr = fields.find((f) => f.path === 'hyperparameters.learningRate')!;
    expect(lr).toMatchObject({ min: 0, minExclusive: true, max: 1, default: 0.0002, label: 'Learning rate' });
    expect(fields[0]!.description).toBe('Training steps.');
  });

  it('reads the defaults into the nested spec the API expects', () => {
    expect(readForm(fields, {})).toEqual({
      value: {
        steps: 2000,
        resources: { gpu: 'g4dn.xlarge', spot: true },
        hyperparameters: { learningRate: 0.0002, gChannels: 128 },
      },
      errors: {},
    });
  });

  it('enforces ranges and kinds, naming what is allowed', () => {
    const f = Object.fromEntries(fields.map((x) => [x.path, x]));
    expect(parseField(f.steps!, '0')).toEqual({
      ok: false,
      error: 'must be at least 1 and at most 10000000',
    });
    expect(parseField(f.steps!, '2.5')).toEqual({ ok: false, error: 'must be a whole number' });
    expect(parseField(f.steps!, 'lots')).toEqual({ ok: false, error: 'must be a number' });
    expect(parseField(f.steps!, ' ')).toEqual({ ok: false, error: 'required' });
    expect(parseField(f['hyperparameters.learningRate']!, '0')).toMatchObject({
      error: 'must be above 0 and at most 1',
    });
    expect(parseField(f['hyperparameters.learningRate']!, '1e-3')).toEqual({ ok: true, value: 0.001 });
    expect(parseField(f['resources.gpu']!, 'p3.2xlarge')).toMatchObject({ ok: false });
    const { errors } = readForm(fields, { steps: '-3', 'hyperparameters.gChannels': '2' });
    expect(Object.keys(errors)).toEqual(['steps', 'hyperparameters.gChannels']);
  });

  it('fills a form from an existing run (clone) and keeps defaults for what the spec lacks', () => {
    const raw = rawFromSpec(fields, {
      steps: 20,
      resources: { spot: false },
      hyperparameters: { gChannels: 8 },
    });
    expect(raw).toEqual({
      steps: '20',
      'resources.gpu': 'g4dn.xlarge',
      'resources.spot': false,
      'hyperparameters.learningRate': '0.0002',
      'hyperparameters.gChannels': '8',
    });
    expect(readForm(fields, raw).value).toMatchObject({ steps: 20, hyperparameters: { gChannels: 8 } });
  });

  it("puts the API's field errors beside their fields, and the rest above the form", () => {
    const byField = issuesByField(
      [
        { field: 'hyperparameters.gChannels', message: 'Too small' },
        { field: 'hyperparameters', message: "unknown field 'foo'" },
        { field: 'dataset', message: 'not for this family' },
        { field: '', message: 'bad' },
      ],
      fields,
      ['family', 'dataset'],
    );
    expect(byField).toEqual({
      'hyperparameters.gChannels': 'Too small',
      dataset: 'not for this family',
      '': "hyperparameters: unknown field 'foo'; bad",
    });
  });
});

describe('helpers', () => {
  it('labels camelCase names', () => {
    expect(labelOf('batchSize')).toBe('Batch size');
    expect(labelOf('gChannels')).toBe('G channels');
    expect(labelOf('timeoutMinutes')).toBe('Timeout minutes');
    expect(labelOf('gpu')).toBe('GPU');
  });

  it('nests dotted paths', () => {
    expect(nest({ a: 1, 'b.c': 2, 'b.d.e': 3 })).toEqual({ a: 1, b: { c: 2, d: { e: 3 } } });
  });
});

describe('variantOf', () => {
  const union: JsonSchema = {
    oneOf: [
      { type: 'object', properties: { family: { const: 'a' }, steps: { type: 'integer' } } },
      { type: 'object', properties: { family: { const: 'b' }, rate: { type: 'number' } } },
    ],
  };
  it("picks the union's variant by its discriminating const, and keeps a plain schema", () => {
    expect(Object.keys(variantOf(union, 'family', 'b').properties ?? {})).toEqual(['family', 'rate']);
    expect(() => variantOf(union, 'family', 'c')).toThrow(/no variant with family 'c'/);
    const plain = { type: 'object', properties: {} };
    expect(variantOf(plain, 'family', 'a')).toBe(plain);
  });
});
