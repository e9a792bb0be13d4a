import { describe, expect, it } from 'vitest';
import { assertRunId } from '../shared/keys.ts';
import { newRunId, RUN_ID_LENGTH, RUN_ID_PATTERN, runIdGenerator, runIdTime } from './ids.ts';

describe('run ids', () => {
  it('are 26 Crockford base32 characters, valid under assertRunId', () => {
    for (let i = 0; i < 50; i++) {
      const id = newRunId();
      expect(id).toHaveLength(RUN_ID_LENGTH);
      expect(id).toMatch(RUN_ID_PATTERN);
      expect(assertRunId(id)).toBe(id);
    }
  });

  it('encode their creation time', () => {
    const at = Date.parse('2026-03-04T05:06:07.089Z');
    const id = runIdGenerator(() => at)();
    expect(runIdTime(id).toISOString()).toBe('2026-03-04T05:06:07.089Z');
    expect(() => runIdTime('not-an-id')).toThrow(/not a run id/);
  });

  it('sort by creation time as strings, within one millisecond too', () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const clock = () => Math.floor(t++ / 3);
    const make = runIdGenerator(clock);
    const ids = Array.from({ length: 300 }, () => make());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never go backwards when the clock does', () => {
    const times = [5000, 4000, 4000, 6000];
    const make = runIdGenerator(() => times.shift()!);
    const ids = [make(), make(), make(), make()];
    expect([...ids].sort()).toEqual(ids);
    expect(runIdTime(ids[1]!).getTime()).toBe(5000);
  });

  it('differ between generators in the same millisecond', () => {
    const a = runIdGenerator(() => 1)();
    const b = runIdGenerator(() => 1)();
    expect(a.slice(0, 10)).toBe(b.slice(0, 10));
    expect(a).not.toBe(b);
  });
});
