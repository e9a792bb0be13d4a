/**
 * What a run costs, as an estimate: for each job (a Batch job, or a local trainer process) the time it was
 * billed for times the configured price of its instance type and capacity, summed. Billed time in the cloud
 * is the sum over the job's attempts of stoppedAt - startedAt from Batch's events (the container's time: the
 * instance's start, image pull and idle time around it are not counted, so the estimate is low); locally,
 * the wall time of the trainer processes, at no charge. Plain data: no AWS. The cost in words for people is
 * cost-label.ts, apart so the dashboard's run page brings none of this module's zod-built imports.
 */
import type { z } from 'zod';
import { ASSUMED_SPOT_SHARE, GPU_INSTANCES } from './batch-job.ts';
import type { JobUsageSchema, RunCostSchema } from './run-record.ts';
import type { GpuType } from './spec.ts';

/**
 * Every GPU type, from the instance table (which must list each, see its `satisfies`) rather than from
 * spec.ts's enum: spec.ts brings zod, and the dashboard's first page shows costs with costLabel.
 */
const GPU_TYPES = Object.keys(GPU_INSTANCES) as GpuType[];

/** Where a job ran: the price it is estimated at. */
export type Capacity = 'spot' | 'on-demand' | 'local';

/** One job's share of a run's cost (shared/run-record.ts JobUsageSchema). */
export type JobUsage = z.output<typeof JobUsageSchema>;

/** A run's estimated cost: its jobs' usage by job id, and the totals (shared/run-record.ts RunCostSchema). */
export type RunCost = z.output<typeof RunCostSchema>;

/** US dollars per hour by instance type and capacity. */
export type GpuPrices = Record<GpuType, { onDemand: number; spot: number }>;

/** The prices assumed unless configured: us-east-1 on-demand list prices, Spot at ASSUMED_SPOT_SHARE of them. */
export const DEFAULT_GPU_PRICES: GpuPrices = Object.fromEntries(
  GPU_TYPES.map((t) => {
    const onDemand = GPU_INSTANCES[t].onDemandUsdPerHour;
    return [t, { onDemand, spot: Math.round(onDemand * ASSUMED_SPOT_SHARE * 1000) / 1000 }];
  }),
) as GpuPrices;

/** The environment variable and CDK context key that override prices: JSON {"g4dn.xlarge": {"spot": 0.2}}. */
export const GPU_PRICES_ENV = 'GANZOO_GPU_PRICES';

/** Prices with `text`'s overrides (JSON, any types and capacities) on the defaults; a bad value throws naming it. */
export function parseGpuPrices(text: string | undefined): GpuPrices {
  const prices = structuredClone(DEFAULT_GPU_PRICES);
  if (!text?.trim()) return prices;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${GPU_PRICES_ENV} is not JSON: ${text}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${GPU_PRICES_ENV} must be a JSON object of prices by GPU type`);
  }
  for (const [type, value] of Object.entries(parsed)) {
    if (!(GPU_TYPES as readonly string[]).includes(type)) {
      throw new Error(`${GPU_PRICES_ENV} names unknown GPU type ${type}; known: ${GPU_TYPES.join(', ')}`);
    }
    for (const [capacity, price] of Object.entries((value ?? {}) as Record<string, unknown>)) {
      if ((capacity !== 'spot' && capacity !== 'onDemand') || typeof price !== 'number' || !(price >= 0)) {
        throw new Error(
          `${GPU_PRICES_ENV}: ${type}.${capacity} must be "spot" or "onDemand" with a price of 0 or more (USD per hour)`,
        );
      }
      prices[type as GpuType][capacity] = price;
    }
  }
  return prices;
}

/** Billed seconds of a Batch job: its attempts' stoppedAt - startedAt (epoch ms), one still running to `nowMs`. */
export function batchBilledSeconds(
  attempts: readonly { startedAt?: number; stoppedAt?: number }[],
  nowMs?: number,
): number {
  let ms = 0;
  for (const a of attempts) {
    if (a.startedAt === undefined) continue;
    const end = a.stoppedAt ?? nowMs;
    if (end !== undefined && end > a.startedAt) ms += end - a.startedAt;
  }
  return Math.round(ms / 1000);
}

/**
 * The cost with a job's usage put in. Usage only grows (a job's attempts are only ever added to), so an
 * older, shorter report of a job (events arrive out of order) leaves the cost as it was: the same object.
 */
export function withJobUsage(cost: RunCost | undefined, jobId: string, usage: JobUsage, at: string): RunCost {
  const known = cost?.jobs[jobId];
  if (cost && known && known.seconds >= usage.seconds) return cost;
  const jobs = { ...cost?.jobs, [jobId]: usage };
  let usd = 0;
  let seconds = 0;
  for (const j of Object.values(jobs)) {
    usd += (j.seconds / 3600) * j.usdPerHour;
    seconds += j.seconds;
  }
  return { estimate: true, usd: Math.round(usd * 10_000) / 10_000, seconds, jobs, updatedAt: at };
}
