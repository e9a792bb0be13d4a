import { describe, expect, it } from 'vitest';
import { stageGroups } from './stages.ts';

describe('stageGroups', () => {
  it('groups consecutive samples by stage, in order', () => {
    const s = (index: number, name: string) => ({ stage: { index, name } });
    expect(stageGroups([s(0, '4x4'), s(0, '4x4'), s(1, '8x8'), s(2, '16x16'), s(2, '16x16')])).toEqual([
      { index: 0, name: '4x4', first: 0, last: 1 },
      { index: 1, name: '8x8', first: 2, last: 2 },
      { index: 2, name: '16x16', first: 3, last: 4 },
    ]);
  });

  it('is empty for a run without stages', () => {
    expect(stageGroups([{}, {}])).toEqual([]);
  });
});
