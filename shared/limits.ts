/**
 * What one deployment lets an owner spend: runs in flight at once. Read from the API's environment (the CDK
 * app sets it from its context, infra/lib/config.ts; `npm start` from its own). Plain data: no AWS.
 */

export interface RunLimits {
  /** Runs of one owner not yet ended (QUEUED, SUBMITTED, STARTING, RUNNING); another submit or resume is refused. */
  maxRunsInFlight: number;
}

/** The environment variables, by limit. */
export const LIMIT_ENV = {
  maxRunsInFlight: 'GANZOO_MAX_RUNS_IN_FLIGHT',
} as const satisfies Record<keyof RunLimits, string>;

/** What each limit may be set to. */
export const LIMIT_RANGES = {
  maxRunsInFlight: [1, 1000],
} as const satisfies Record<keyof RunLimits, readonly [number, number]>;

/**
 * In the cloud every run in flight is a GPU instance billed by the second (or waiting for one): four per
 * owner fill the default compute environments of one GPU type (maxVcpus 16: four xlarge instances).
 */
export const CLOUD_LIMITS: RunLimits = { maxRunsInFlight: 4 };

/**
 * `npm start` trains one run at a time and queues the rest, and nothing bills: the limit only keeps a
 * script gone wrong from queueing hundreds.
 */
export const LOCAL_LIMITS: RunLimits = { maxRunsInFlight: 8 };

/** The limits from the environment, each variable that is set overriding `defaults`; a bad value throws naming it. */
export function limitsFromEnv(env: Record<string, string | undefined>, defaults: RunLimits): RunLimits {
  const limits = { ...defaults };
  for (const key of Object.keys(LIMIT_ENV) as (keyof RunLimits)[]) {
    const raw = env[LIMIT_ENV[key]]?.trim();
    if (!raw) continue;
    const [min, max] = LIMIT_RANGES[key];
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`${LIMIT_ENV[key]} is '${raw}'; it must be a whole number from ${min} to ${max}`);
    }
    limits[key] = n;
  }
  return limits;
}
