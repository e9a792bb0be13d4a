/**
 * A group's arithmetic, without zod, so the dashboard's first page can use it: how many members a request
 * makes (what the member limit is held against), and mean ± sd (min, max) of the members' values.
 * The schemas and the expansion into member specs are in shared/group.ts.
 */
import type { GroupRequest, Summary } from './group.ts';

/** Members a request makes: one per seed, per grid point, or per random draw. */
export function groupSize(request: Pick<GroupRequest, 'seeds' | 'sweep'>): number {
  if (request.seeds) return request.seeds.length;
  const sweep = request.sweep;
  if (!sweep) return 0;
  if (sweep.mode === 'random') return sweep.samples;
  return Object.values(sweep.parameters).reduce((n, values) => n * values.length, 1);
}

/** mean ± sd (min, max) of finite values; undefined when there are none. */
export function summarize(values: readonly number[]): Summary | undefined {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return undefined;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { n: v.length, mean, sd, min: Math.min(...v), max: Math.max(...v) };
}

/** "69.7 ± 12.5 (61.2-85.8, n=3)" */
export function formatSummary(s: Summary, digits = 1): string {
  return `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)}, n=${s.n})`;
}
