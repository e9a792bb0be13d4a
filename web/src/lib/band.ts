/**
 * A group's curve: its members' series of one metric joined into a mean line with a ± sd band. Members
 * are read at the steps of the member with the most points, each interpolated between its own nearest
 * points and never past its ends, so members downsampled differently or still training at different
 * steps are still compared at the same steps.
 */
import { summarize } from '../../../shared/group-stats.ts';
import type { Point } from './downsample.ts';

export interface Band {
  x: number;
  lo: number;
  hi: number;
}

/** A member's value at x, between its two nearest points; undefined outside its steps. */
export function valueAt(points: readonly Point[], x: number): number | undefined {
  if (points.length === 0 || x < points[0]!.x || x > points.at(-1)!.x) return undefined;
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.x <= x) lo = mid;
    else hi = mid;
  }
  const a = points[lo]!;
  const b = points[hi]!;
  if (a.x === x || b.x === a.x) return a.y;
  if (b.x === x) return b.y;
  return a.y + ((x - a.x) / (b.x - a.x)) * (b.y - a.y);
}

export interface MeanBand {
  mean: Point[];
  /** mean - sd to mean + sd at each step of the mean. */
  band: Band[];
  /** Members that had a value at the last step of the mean. */
  membersAtEnd: number;
}

/** The members' mean and ± sd at every step at least `minMembers` of them reach. */
export function meanBand(members: readonly (readonly Point[])[], minMembers = 1): MeanBand {
  const longest = members.reduce<readonly Point[]>((a, b) => (b.length > a.length ? b : a), []);
  const mean: Point[] = [];
  const band: Band[] = [];
  let membersAtEnd = 0;
  for (const { x } of longest) {
    const s = summarize(members.flatMap((m) => valueAt(m, x) ?? []));
    if (!s || s.n < minMembers) continue;
    mean.push({ x, y: s.mean });
    band.push({ x, lo: s.mean - s.sd, hi: s.mean + s.sd });
    membersAtEnd = s.n;
  }
  return { mean, band, membersAtEnd };
}
