/** Chart series from metrics lines: one series per value name, grouped into the charts a run page shows. */
import type { Point } from './downsample.ts';

export interface MetricsLineLike {
  step: number;
  values: Record<string, number>;
  imagesPerSecond?: number;
  attempt?: number;
  time?: string;
}

/** Value names in the order they first appear. */
export function metricNames(lines: readonly MetricsLineLike[]): string[] {
  const names = new Set<string>();
  for (const l of lines) for (const k of Object.keys(l.values ?? {})) names.add(k);
  return [...names];
}

export function seriesOf(lines: readonly MetricsLineLike[], name: string): Point[] {
  const out: Point[] = [];
  for (const l of lines) {
    const y = name === 'images/s' ? l.imagesPerSecond : l.values?.[name];
    if (typeof y === 'number') out.push({ x: l.step, y });
  }
  return out;
}

/** Losses on one chart, everything else (D(x), D(G(z)), accuracies...) on another. */
export function chartGroups(names: readonly string[]): { title: string; names: string[] }[] {
  const losses = names.filter((n) => n.startsWith('loss'));
  const others = names.filter((n) => !n.startsWith('loss'));
  return [
    ...(losses.length ? [{ title: 'Losses', names: losses }] : []),
    ...(others.length ? [{ title: 'Diagnostics', names: others }] : []),
  ];
}

export interface AttemptStart {
  attempt: number;
  step: number;
  time?: string;
}

/** Where each attempt's metrics begin: a retry resumes from a checkpoint, so its first step shows it. */
export function attemptStarts(lines: readonly MetricsLineLike[]): AttemptStart[] {
  const out: AttemptStart[] = [];
  for (const l of lines) {
    const a = l.attempt ?? 1;
    if (!out.some((s) => s.attempt === a))
      out.push({ attempt: a, step: l.step, ...(l.time ? { time: l.time } : {}) });
  }
  return out.sort((x, y) => x.attempt - y.attempt);
}
