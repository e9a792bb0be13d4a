/**
 * A run's estimated cost (shared/cost.ts) in one line for people, as the dashboard's run page and `ganzoo`
 * show it. Apart from cost.ts and with types only from it, so the dashboard's first page carries no zod.
 */
import type { RunCost } from './cost.ts';

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** One line for people, e.g. "estimate: $0.12 (34 min billed; g4dn.xlarge Spot at $0.21/h)" or "local: no charge (12 min)". */
export function costLabel(cost: RunCost | undefined): string {
  if (!cost) return 'no cost yet';
  const jobs = Object.values(cost.jobs);
  if (jobs.every((j) => j.capacity === 'local')) return `local: no charge (${duration(cost.seconds)})`;
  const rates = [
    ...new Set(
      jobs
        .filter((j) => j.capacity !== 'local')
        .map(
          (j) => `${j.instanceType} ${j.capacity === 'spot' ? 'Spot' : 'on-demand'} at $${j.usdPerHour}/h`,
        ),
    ),
  ];
  return `estimate: $${cost.usd.toFixed(2)} (${duration(cost.seconds)} billed; ${rates.join(', ')})`;
}
