import { describe, expect, it } from 'vitest';
import { assertRunId, runFiles, runKey, stepOfKey } from './keys.ts';

describe('key layout', () => {
  it('pads steps so listings sort by step', () => {
    expect(runFiles.sample(20)).toBe('samples/00000020.png');
    expect([runFiles.sample(100), runFiles.sample(20)].sort()).toEqual([
      runFiles.sample(20),
      runFiles.sample(100),
    ]);
    expect(runKey('abc', runFiles.checkpointState(5))).toBe('runs/abc/checkpoints/00000005/state.json');
  });
  it('parses steps back', () => {
    expect(stepOfKey('runs/a/samples/00000120.png')).toBe(120);
    expect(stepOfKey('checkpoints/00000007/g.json')).toBe(7);
    expect(stepOfKey('metrics.jsonl')).toBeUndefined();
  });
  it('rejects run ids that could escape the prefix', () => {
    for (const bad of ['../x', 'a/b', '', '.hidden', 'a'.repeat(65)])
      expect(() => assertRunId(bad)).toThrow(/invalid run id/);
  });
});
