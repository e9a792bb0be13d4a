/** How numbers, durations and times read on screen. */

/** 3725 -> "1 h 2 min"; 42 -> "42 s". */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60 ? `${s % 60} s` : ''}`.trim();
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60 ? `${m % 60} min` : ''}`.trim();
  return `${Math.round(h / 24)} days`;
}

/** "3 min ago", relative to `now`. */
export function ago(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const s = Math.max(0, (now - t) / 1000);
  return s < 5 ? 'just now' : `${duration(s)} ago`;
}

/** Fraction of a run done, 0..1. */
export function fractionDone(step: number | undefined, total: number | undefined): number {
  if (!step || !total || total <= 0) return 0;
  return Math.min(1, Math.max(0, step / total));
}

/** A metric value with about four significant digits. */
export function metric(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(2);
  return Number(value.toPrecision(4)).toString();
}

/** A value as a person would type it: at most four significant digits, no exponent for 0.0002. */
export function plain(value: number): string {
  return String(Number(value.toPrecision(4)));
}
