import { describe, expect, it } from 'vitest';
import { attemptStarts, chartGroups, type MetricsLineLike, metricNames, seriesOf } from './metrics.ts';

const lines: MetricsLineLike[] = [
  { step: 10, values: { 'loss/D': 1, 'D(x)': 0.5, 'loss/G': 2 }, imagesPerSecond: 40, attempt: 1 },
  { step: 20, values: { 'loss/D': 0.8, 'D(x)': 0.6, 'loss/G': 2.2 }, imagesPerSecond: 42, attempt: 1 },
  { step: 20, values: { 'loss/D': 0.9, 'D(x)': 0.6, 'loss/G': 2.1, 'acc/class': 0.3 }, attempt: 2 },
];

describe('metrics to charts', () => {
  it('names every value once and groups losses apart from diagnostics', () => {
    const names = metricNames(lines);
    expect(names).toEqual(['loss/D', 'D(x)', 'loss/G', 'acc/class']);
    expect(chartGroups(names)).toEqual([
      { title: 'Losses', names: ['loss/D', 'loss/G'] },
      { title: 'Diagnostics', names: ['D(x)', 'acc/class'] },
    ]);
  });

  it('makes a series of a value, skipping lines without it', () => {
    expect(seriesOf(lines, 'acc/class')).toEqual([{ x: 20, y: 0.3 }]);
    expect(seriesOf(lines, 'images/s').map((p) => p.y)).toEqual([40, 42]);
  });

  it('finds where each attempt began', () => {
    expect(attemptStarts(lines)).toEqual([
      { attempt: 1, step: 10 },
      { attempt: 2, step: 20 },
    ]);
  });
});
