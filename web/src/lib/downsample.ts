/**
 * Chart downsampling: at most about `buckets * 2` points out of any number, keeping each bucket's lowest and
 * highest value (in x order) and the first and last point, so spikes and the curve's ends survive where a
 * plain every-Nth pick would drop them. A chart asks for about two points per pixel of its width.
 */
export interface Point {
  x: number;
  y: number;
}

export function minMaxDownsample(points: readonly Point[], buckets: number): Point[] {
  if (!Number.isInteger(buckets) || buckets < 1)
    throw new Error(`buckets must be a positive integer, not ${buckets}`);
  const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const n = finite.length;
  if (n <= buckets * 2 + 2) return finite;
  const first = finite[0]!;
  const last = finite[n - 1]!;
  const out: Point[] = [first];
  const inner = n - 2;
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets);
    const to = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (to <= from) continue;
    let lo = finite[from]!;
    let hi = lo;
    for (let i = from + 1; i < to; i++) {
      const p = finite[i]!;
      if (p.y < lo.y) lo = p;
      if (p.y > hi.y) hi = p;
    }
    if (lo === hi) out.push(lo);
    else if (lo.x < hi.x) out.push(lo, hi);
    else out.push(hi, lo);
  }
  out.push(last);
  return out;
}

/** The smallest and largest y over several series, widened a little so a flat line is still drawn. */
export function yExtent(series: readonly (readonly Point[])[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    for (const p of s) {
      if (p.y < lo) lo = p.y;
      if (p.y > hi) hi = p.y;
    }
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}
