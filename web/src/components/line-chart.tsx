/**
 * A line chart drawn as SVG: several series over steps, each downsampled to about two points per pixel
 * column (min-max buckets keep spikes), with y ticks and a legend.
 */
import { minMaxDownsample, type Point, yExtent } from '../lib/downsample.ts';
import { metric } from '../lib/format.ts';

export interface Series {
  name: string;
  points: readonly Point[];
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

export function LineChart({ title, series }: { title: string; series: readonly Series[] }) {
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
  const x1 = Math.max(...xs, x0 + 1);
  const [y0, y1] = yExtent(nonEmpty.map((s) => s.points));
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => PAD.top + (1 - (y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const last = nonEmpty.map((s) => `${s.name} ${metric(s.points.at(-1)!.y)}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${title}: steps ${x0} to ${x1}; last values ${last}`}
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
            {t.toLocaleString()}
          </text>
        ))}
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
