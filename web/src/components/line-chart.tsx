/**
 * A line chart drawn as SVG: several series over steps, each downsampled to about two points per pixel
 * column (min-max buckets keep spikes), with y ticks and a legend. A series may carry a band (a group's
 * mean ± sd across its members), drawn as a shaded area under its line; a chart of a few points (a metric
 * against a swept value) can mark each point.
 */
import type { Band } from '../lib/band.ts';
import { minMaxDownsample, type Point, yExtent } from '../lib/downsample.ts';
import { metric } from '../lib/format.ts';

export interface Series {
  name: string;
  points: readonly Point[];
  /** Low and high y at each x, shaded around the line. */
  band?: readonly Band[];
}

export interface ChartOptions {
  /** How an x tick reads: steps by default; a swept value (1e-4) needs metric(). */
  xFormat?: (x: number) => string;
  /** Mark each point: for a handful of points whose places matter. */
  dots?: boolean;
  /** What x is, for the chart's description: "steps" by default. */
  xName?: string;
}

const COLORS = ['#1f6fc5', '#d1495b', '#2a9d4b', '#8e44ad', '#c26d00', '#00838f'];
export const seriesColor = (i: number) => COLORS[i % COLORS.length]!;

const W = 600;
const H = 220;
const PAD = { left: 52, right: 12, top: 10, bottom: 26 };

function ticks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function LineChart({
  title,
  series,
  xFormat = (x) => x.toLocaleString(),
  dots = false,
  xName = 'steps',
}: { title: string; series: readonly Series[] } & ChartOptions) {
  const drawn = series.map((s) => ({
    ...s,
    points: minMaxDownsample(s.points, (W - PAD.left - PAD.right) / 2),
  }));
  const nonEmpty = drawn.filter((s) => s.points.length > 0);
  if (nonEmpty.length === 0) {
    return (
      <figure class="chart">
        <figcaption>{title}</figcaption>
        <p class="state empty">No points yet.</p>
      </figure>
    );
  }
  const xs = nonEmpty.flatMap((s) => [s.points[0]!.x, s.points.at(-1)!.x]);
  const x0 = Math.min(...xs);
  // A single x (one step, one swept value) still gets an axis one unit wide.
  const x1 = Math.max(...xs) > x0 ? Math.max(...xs) : x0 + 1;
  const bands = drawn.map((s) => s.band ?? []);
  const [y0, y1] = yExtent([
    ...nonEmpty.map((s) => s.points),
    ...bands.map((b) =>
      b.flatMap((p) => [
        { x: p.x, y: p.lo },
        { x: p.x, y: p.hi },
      ]),
    ),
  ]);
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => PAD.top + (1 - (y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const last = nonEmpty.map((s) => `${s.name} ${metric(s.points.at(-1)!.y)}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${title}: ${xName} ${xFormat(x0)} to ${xFormat(x1)}; last values ${last}${bands.some((b) => b.length) ? ', shaded ± sd across members' : ''}`}
        preserveAspectRatio="none"
      >
        {ticks(y0, y1, 4).map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={sy(t)} y2={sy(t)} class="grid" />
            <text x={PAD.left - 6} y={sy(t) + 4} text-anchor="end" class="tick">
              {metric(t)}
            </text>
          </g>
        ))}
        {ticks(x0, x1, 5).map((t) => (
          <text key={t} x={sx(t)} y={H - 8} text-anchor="middle" class="tick">
            {xFormat(t)}
          </text>
        ))}
        {bands.map((b, i) =>
          b.length > 1 ? (
            <polygon
              key={`band-${drawn[i]!.name}`}
              class="band"
              fill={seriesColor(i)}
              fill-opacity={0.18}
              stroke="none"
              points={[
                ...b.map((p) => [p.x, p.hi] as const),
                ...[...b].reverse().map((p) => [p.x, p.lo] as const),
              ]
                .map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
                .join(' ')}
            />
          ) : null,
        )}
        {drawn.map((s, i) =>
          s.points.length ? (
            <polyline
              key={s.name}
              fill="none"
              stroke={seriesColor(i)}
              stroke-width={1.5}
              vector-effect="non-scaling-stroke"
              points={s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}
            />
          ) : null,
        )}
        {dots &&
          drawn.map((s, i) =>
            s.points.map((p) => (
              <circle
                key={`${s.name}-${p.x}`}
                class="dot"
                cx={sx(p.x)}
                cy={sy(p.y)}
                r={3}
                fill={seriesColor(i)}
                vector-effect="non-scaling-stroke"
              />
            )),
          )}
      </svg>
      <ul class="legend">
        {drawn.map((s, i) => (
          <li key={s.name}>
            <span class="swatch" style={{ background: seriesColor(i) }} />
            {s.name}
            {s.points.length ? ` (${metric(s.points.at(-1)!.y)})` : ' (no data)'}
          </li>
        ))}
      </ul>
    </figure>
  );
}
