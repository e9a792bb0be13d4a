/**
 * What one deployment lets an owner spend: runs in flight at once, and caps on a spec's timeout and retries
 * below the schema's own ceilings. Read from the API's environment (the CDK app sets it from its context,
 * infra/lib/config.ts; `npm start` from its own). Plain data: no AWS.
 */
import { DEFAULT_MAX_GROUP_MEMBERS, MAX_GROUP_MEMBERS } from './group.ts';
import { type ExperimentSpec, type FieldIssue, MAX_RETRIES, MAX_TIMEOUT_MINUTES } from './spec.ts';

export interface RunLimits {
  /** Runs of one owner not yet ended (QUEUED, SUBMITTED, STARTING, RUNNING); another submit or resume is refused. */
  maxRunsInFlight: number;
  /** Most `resources.timeoutMinutes` a spec may ask for. */
  maxTimeoutMinutes: number;
  /** Most `resources.retries` a spec may ask for. */
  maxRetries: number;
  /** Most members an experiment group may have (shared/group.ts); more is refused naming `seeds` or `sweep`. */
  maxGroupMembers: number;
}

/** The environment variables, by limit. */
export const LIMIT_ENV = {
  maxRunsInFlight: 'GANZOO_MAX_RUNS_IN_FLIGHT',
  maxTimeoutMinutes: 'GANZOO_MAX_TIMEOUT_MINUTES',
  maxRetries: 'GANZOO_MAX_RETRIES',
  maxGroupMembers: 'GANZOO_MAX_GROUP_MEMBERS',
} as const satisfies Record<keyof RunLimits, string>;

/** What each limit may be set to. */
export const LIMIT_RANGES = {
  maxRunsInFlight: [1, 1000],
  maxTimeoutMinutes: [5, MAX_TIMEOUT_MINUTES],
  maxRetries: [1, MAX_RETRIES],
  // Batch's largest array job.
  maxGroupMembers: [1, MAX_GROUP_MEMBERS],
} as const satisfies Record<keyof RunLimits, readonly [number, number]>;

/**
 * In the cloud every run in flight is a GPU instance billed by the second (or waiting for one): four per
 * owner fill the default compute environments of one GPU type (maxVcpus 16: four xlarge instances). An
 * attempt may run 12 hours and a run have 5 attempts (a Spot reclaim each), so one run bills at most 60
 * instance-hours before it must be resumed by hand.
 */
export const CLOUD_LIMITS: RunLimits = {
  maxRunsInFlight: 4,
  maxTimeoutMinutes: 12 * 60,
  maxRetries: 5,
  maxGroupMembers: DEFAULT_MAX_GROUP_MEMBERS,
};

/**
 * `npm start` trains one run at a time and queues the rest, and nothing bills: the limit only keeps a
 * script gone wrong from queueing hundreds; timeout and retries keep the schema's ceilings.
 */
export const LOCAL_LIMITS: RunLimits = {
  maxRunsInFlight: 8,
  maxTimeoutMinutes: MAX_TIMEOUT_MINUTES,
  maxRetries: MAX_RETRIES,
  maxGroupMembers: DEFAULT_MAX_GROUP_MEMBERS,
};

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

/** The spec's fields over this deployment's caps, each naming its cap: the API answers 400 with them. */
export function capIssues(
  spec: ExperimentSpec,
  limits: Pick<RunLimits, 'maxTimeoutMinutes' | 'maxRetries'>,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { timeoutMinutes, retries } = spec.resources;
  if (timeoutMinutes > limits.maxTimeoutMinutes) {
    issues.push({
      field: 'resources.timeoutMinutes',
      message: `${timeoutMinutes} is over this deployment's cap of ${limits.maxTimeoutMinutes} minutes (${LIMIT_ENV.maxTimeoutMinutes})`,
    });
  }
  if (retries > limits.maxRetries) {
    issues.push({
      field: 'resources.retries',
      message: `${retries} is over this deployment's cap of ${limits.maxRetries} attempts (${LIMIT_ENV.maxRetries})`,
    });
  }
  return issues;
}
