import { describe, expect, it } from 'vitest';
import { draftOf, EMPTY_LABELS, labelsOf, labelsPatch, tagsOf } from './labels.ts';

describe('labels as typed', () => {
  it('reads tags separated by commas or spaces', () => {
    expect(tagsOf(' baseline, lr:2e-4  seeds,')).toEqual(['baseline', 'lr:2e-4', 'seeds']);
  });

  it('sends only what was filled in, trimmed', () => {
    expect(labelsOf(EMPTY_LABELS)).toBeUndefined();
    expect(labelsOf({ name: ' DCGAN base ', tags: 'a b', note: '' })).toEqual({
      name: 'DCGAN base',
      tags: ['a', 'b'],
    });
  });

  it('patches what changed, and removes a cleared label with null', () => {
    const before = { name: 'old', tags: ['a'], note: 'why' };
    expect(labelsPatch(before, draftOf(before))).toEqual({});
    expect(labelsPatch(before, { name: 'new', tags: 'a, b', note: 'why' })).toEqual({
      name: 'new',
      tags: ['a', 'b'],
    });
    expect(labelsPatch(before, { name: '', tags: '', note: ' ' })).toEqual({
      name: null,
      tags: null,
      note: null,
    });
    expect(labelsPatch(undefined, { name: 'n', tags: '', note: '' })).toEqual({ name: 'n' });
  });
});
