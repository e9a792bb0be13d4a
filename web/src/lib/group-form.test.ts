import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GROUP,
  type GroupDraft,
  issueField,
  membersText,
  parseSeeds,
  parseValues,
  readGroup,
  sweptDraftOf,
} from './group-form.ts';
import type { FieldSpec } from './schema-form.ts';

const lr: FieldSpec = {
  path: 'hyperparameters.learningRate',
  label: 'Learning rate',
  kind: 'number',
  min: 0,
  minExclusive: true,
  max: 1,
  default: 0.0002,
};
const gChannels: FieldSpec = {
  path: 'hyperparameters.gChannels',
  label: 'G channels',
  kind: 'integer',
  min: 4,
  max: 1024,
  default: 128,
};
const loss: FieldSpec = {
  path: 'hyperparameters.loss',
  label: 'Loss',
  kind: 'choice',
  options: ['minimax', 'non-saturating'],
  default: 'non-saturating',
};
const fields = [lr, gChannels, loss];
const sweep = (over: Partial<GroupDraft>): GroupDraft => ({ ...DEFAULT_GROUP, mode: 'sweep', ...over });

describe('seeds', () => {
  it('reads seeds separated by commas or spaces', () => {
    expect(parseSeeds('1, 2 3,4')).toEqual({ ok: true, value: [1, 2, 3, 4] });
  });
  it('refuses what is not a seed, a repeat, and nothing', () => {
    expect(parseSeeds('1, x')).toMatchObject({ ok: false, error: expect.stringContaining("'x'") });
    expect(parseSeeds('1, -2')).toMatchObject({ ok: false });
    expect(parseSeeds('1.5')).toMatchObject({ ok: false });
    expect(parseSeeds('3, 3')).toEqual({ ok: false, error: 'seed 3 is listed twice' });
    expect(parseSeeds(' ')).toMatchObject({ ok: false });
  });
  it('makes one member per seed', () => {
    expect(readGroup({ ...DEFAULT_GROUP, mode: 'seeds' }, fields)).toEqual({
      request: { seeds: [1, 2, 3] },
      members: 3,
      errors: {},
    });
    expect(readGroup({ ...DEFAULT_GROUP, mode: 'seeds', seeds: '1, 1' }, fields).errors).toEqual({
      seeds: 'seed 1 is listed twice',
    });
  });
});

describe('a grid', () => {
  it('parses each value as its field would, and names the one at fault', () => {
    expect(parseValues(lr, '1e-4, 2e-4,3e-4')).toEqual({ ok: true, value: [1e-4, 2e-4, 3e-4] });
    expect(parseValues(gChannels, '8, 16')).toEqual({ ok: true, value: [8, 16] });
    expect(parseValues(loss, 'minimax non-saturating')).toEqual({
      ok: true,
      value: ['minimax', 'non-saturating'],
    });
    expect(parseValues(lr, '1e-4, 2')).toEqual({ ok: false, error: '2: must be above 0 and at most 1' });
    expect(parseValues(gChannels, '8, 8.5')).toEqual({ ok: false, error: '8.5: must be a whole number' });
    expect(parseValues(loss, 'hinge')).toMatchObject({ ok: false, error: expect.stringContaining('hinge') });
    expect(parseValues(lr, ' , ')).toEqual({ ok: false, error: 'list at least one value' });
  });

  it('counts every combination: 3 x 2 = 6 runs', () => {
    const draft = sweep({
      swept: {
        [lr.path]: { ...sweptDraftOf(lr), values: '1e-4, 2e-4, 4e-4' },
        [gChannels.path]: { ...sweptDraftOf(gChannels), values: '8, 16' },
      },
    });
    const read = readGroup(draft, fields);
    expect(read).toEqual({
      request: {
        sweep: { mode: 'grid', parameters: { learningRate: [1e-4, 2e-4, 4e-4], gChannels: [8, 16] } },
      },
      members: 6,
      errors: {},
    });
    expect(membersText(draft, read.members, fields)).toBe('3 × 2 = 6 runs');
  });

  it('asks for a hyperparameter, and keys a bad value by the field the API would name', () => {
    expect(readGroup(sweep({}), fields).errors).toEqual({
      sweep: 'tick at least one hyperparameter to sweep',
    });
    const bad = readGroup(sweep({ swept: { [lr.path]: { ...sweptDraftOf(lr), values: '5' } } }), fields);
    expect(bad.request).toBeUndefined();
    expect(bad.errors).toEqual({ 'sweep.parameters.learningRate': '5: must be above 0 and at most 1' });
  });
});

describe('random draws', () => {
  it('draws numeric fields from a range and choices from a list, `samples` members', () => {
    const draft = sweep({
      sweepMode: 'random',
      samples: '5',
      drawSeed: '7',
      swept: {
        [lr.path]: { ...sweptDraftOf(lr), min: '1e-5', max: '1e-3', scale: 'log' },
        [loss.path]: { ...sweptDraftOf(loss), values: 'minimax, non-saturating' },
      },
    });
    expect(readGroup(draft, fields)).toEqual({
      request: {
        sweep: {
          mode: 'random',
          parameters: {
            learningRate: { min: 1e-5, max: 1e-3, scale: 'log' },
            loss: ['minimax', 'non-saturating'],
          },
          samples: 5,
          seed: 7,
        },
      },
      members: 5,
      errors: {},
    });
  });

  it('refuses a backwards range, a log range from 0, and a count that is not one', () => {
    const swept = (min: string, max: string, scale: 'linear' | 'log' = 'linear') => ({
      [gChannels.path]: { ...sweptDraftOf(gChannels), min, max, scale },
    });
    const errors = (d: Partial<GroupDraft>) => readGroup(sweep({ sweepMode: 'random', ...d }), fields).errors;
    expect(errors({ swept: swept('64', '8') })).toEqual({
      'sweep.parameters.gChannels': 'min must be below max',
    });
    expect(errors({ swept: swept('2', '8') })).toEqual({
      'sweep.parameters.gChannels': 'min: must be at least 4 and at most 1024',
    });
    expect(errors({ swept: swept('8', '64'), samples: '0' })).toEqual({
      'sweep.samples': 'a whole number, at least 1',
    });
  });
});

describe('issueField', () => {
  it("puts the API's fields onto the form's inputs", () => {
    expect(issueField('spec.hyperparameters.gChannels')).toBe('hyperparameters.gChannels');
    expect(issueField('sweep.parameters.learningRate.1')).toBe('sweep.parameters.learningRate');
    expect(issueField('sweep.parameters.learningRate.min')).toBe('sweep.parameters.learningRate');
    expect(issueField('spec.labels.tags.1')).toBe('labels.tags');
    expect(issueField('labels.name')).toBe('labels.name');
    expect(issueField('seeds')).toBe('seeds');
    expect(issueField('sweep')).toBe('sweep');
  });
});
