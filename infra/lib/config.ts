/**
 * The deploy-time choices a user may set with `-c key=value` (or in cdk.json), read and checked once at
 * synth, so a typo fails before CloudFormation sees it, with the values that would have been accepted.
 */
import type { Node } from 'constructs';
import { DEFAULT_GPU_PRICES, type GpuPrices, parseGpuPrices } from '../../shared/cost.ts';
import { CLOUD_LIMITS, LIMIT_RANGES, type RunLimits } from '../../shared/limits.ts';
import { GPU_TYPES } from '../../shared/spec.ts';

export type GpuInstanceType = (typeof GPU_TYPES)[number];

export interface GanzooConfig {
  /** GPU instance types offered to runs, each with its own compute environments and queues (one GPU each). */
  gpuInstanceTypes: GpuInstanceType[];
  /**
   * Ceiling of each compute environment (a Spot and an on-demand one per type), in vCPUs: what bounds the
   * spend of runs running at once.
   */
  maxVcpus: number;
  /** Days a checkpoint is kept; samples, metrics and the exported generator are kept. */
  checkpointRetentionDays: number;
  /**
   * Minutes a job may wait on a Spot-first queue while Batch reports no capacity for its instance type
   * (CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY) before the queue cancels it and the run moves to on-demand.
   */
  spotCapacityWaitMinutes: number;
  /**
   * A monthly AWS Budgets alarm on the account's cost: the amount in US dollars and the address it e-mails.
   * Both or neither; without them no budget is made.
   */
  budget?: { monthlyUsd: number; email: string };
  /**
   * US dollars per hour by GPU type and capacity for the runs' cost estimate (shared/cost.ts): the defaults
   * with the context's `gpuPrices` (JSON, e.g. {"g4dn.xlarge": {"spot": 0.18}}) on top.
   */
  gpuPrices: GpuPrices;
  /** What the API lets one owner spend (shared/limits.ts), passed to it in its environment. */
  limits: RunLimits;
  /** Prefix of the sign-in page's domain (`{prefix}.auth.{region}.amazoncognito.com`); unique per region. */
  authDomainPrefix?: string;
}

export const CONTEXT_KEYS = {
  gpuInstanceTypes: 'gpuInstanceTypes',
  maxVcpus: 'maxVcpus',
  checkpointRetentionDays: 'checkpointRetentionDays',
  spotCapacityWaitMinutes: 'spotCapacityWaitMinutes',
  budgetMonthlyUsd: 'budgetMonthlyUsd',
  budgetEmail: 'budgetEmail',
  authDomainPrefix: 'authDomainPrefix',
  maxRunsInFlight: 'maxRunsInFlight',
  maxTimeoutMinutes: 'maxTimeoutMinutes',
  maxRetries: 'maxRetries',
  maxGroupMembers: 'maxGroupMembers',
  gpuPrices: 'gpuPrices',
} as const satisfies Record<string, string>;

/** The context key of each limit: the limit's own name. */
const LIMIT_KEYS = {
  maxRunsInFlight: CONTEXT_KEYS.maxRunsInFlight,
  maxTimeoutMinutes: CONTEXT_KEYS.maxTimeoutMinutes,
  maxRetries: CONTEXT_KEYS.maxRetries,
  maxGroupMembers: CONTEXT_KEYS.maxGroupMembers,
} as const satisfies Record<keyof RunLimits, string>;

export const DEFAULT_CONFIG: GanzooConfig = {
  gpuInstanceTypes: [...GPU_TYPES],
  maxVcpus: 16,
  checkpointRetentionDays: 30,
  spotCapacityWaitMinutes: 30,
  limits: CLOUD_LIMITS,
  gpuPrices: DEFAULT_GPU_PRICES,
};

/** The largest instance offered has 8 vCPUs; a smaller ceiling could never launch it. */
const MIN_VCPUS = 8;
const MAX_VCPUS = 1024;
const AUTH_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export class ConfigError extends Error {
  constructor(key: string, given: unknown, valid: string) {
    super(`context '${key}' is ${JSON.stringify(given)}; valid: ${valid}`);
    this.name = 'ConfigError';
  }
}

/** `-c` values arrive as strings, cdk.json values as JSON; both spellings are accepted. */
function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value.split(',').map((s) => s.trim());
  return [value];
}

function asInt(key: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(key, value, `an integer from ${min} to ${max}`);
  }
  return n;
}

type ContextKey = (typeof CONTEXT_KEYS)[keyof typeof CONTEXT_KEYS];
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function parseConfig(context: Partial<Record<ContextKey, unknown>>): GanzooConfig {
  const config: GanzooConfig = { ...DEFAULT_CONFIG, limits: { ...DEFAULT_CONFIG.limits } };
  for (const [limit, key] of Object.entries(LIMIT_KEYS) as [keyof RunLimits, ContextKey][]) {
    const [min, max] = LIMIT_RANGES[limit];
    if (context[key] !== undefined) config.limits[limit] = asInt(key, context[key], min, max);
  }
  if (context.gpuPrices !== undefined) {
    const given = context.gpuPrices;
    try {
      config.gpuPrices = parseGpuPrices(typeof given === 'string' ? given : JSON.stringify(given));
    } catch (err) {
      throw new ConfigError(
        CONTEXT_KEYS.gpuPrices,
        given,
        `JSON of US dollars per hour by GPU type, {"g4dn.xlarge": {"spot": 0.2, "onDemand": 0.526}} (${(err as Error).message})`,
      );
    }
  }
  const types = context.gpuInstanceTypes;
  if (types !== undefined) {
    const list = asList(types);
    const known = GPU_TYPES as readonly unknown[];
    if (list.length === 0 || !list.every((t) => known.includes(t))) {
      throw new ConfigError(CONTEXT_KEYS.gpuInstanceTypes, types, `one or more of ${GPU_TYPES.join(', ')}`);
    }
    config.gpuInstanceTypes = [...new Set(list as GpuInstanceType[])];
  }
  if (context.maxVcpus !== undefined) {
    config.maxVcpus = asInt(CONTEXT_KEYS.maxVcpus, context.maxVcpus, MIN_VCPUS, MAX_VCPUS);
  }
  if (context.checkpointRetentionDays !== undefined) {
    config.checkpointRetentionDays = asInt(
      CONTEXT_KEYS.checkpointRetentionDays,
      context.checkpointRetentionDays,
      1,
      3650,
    );
  }
  if (context.spotCapacityWaitMinutes !== undefined) {
    // Batch's limits on a job state time limit: 600 to 86,400 seconds.
    config.spotCapacityWaitMinutes = asInt(
      CONTEXT_KEYS.spotCapacityWaitMinutes,
      context.spotCapacityWaitMinutes,
      10,
      1440,
    );
  }
  const { budgetMonthlyUsd, budgetEmail } = context;
  if (budgetMonthlyUsd !== undefined || budgetEmail !== undefined) {
    if (budgetMonthlyUsd === undefined || budgetEmail === undefined) {
      const [missing, given] =
        budgetMonthlyUsd === undefined
          ? [CONTEXT_KEYS.budgetMonthlyUsd, CONTEXT_KEYS.budgetEmail]
          : [CONTEXT_KEYS.budgetEmail, CONTEXT_KEYS.budgetMonthlyUsd];
      throw new ConfigError(missing, undefined, `set with '${given}': the budget needs both, or neither`);
    }
    const monthlyUsd = asInt(CONTEXT_KEYS.budgetMonthlyUsd, budgetMonthlyUsd, 1, 1_000_000);
    if (typeof budgetEmail !== 'string' || !EMAIL.test(budgetEmail)) {
      throw new ConfigError(CONTEXT_KEYS.budgetEmail, budgetEmail, 'an e-mail address');
    }
    config.budget = { monthlyUsd, email: budgetEmail };
  }
  const prefix = context.authDomainPrefix;
  if (prefix !== undefined) {
    // Cognito refuses these words in a prefix; saying so here beats a failed deploy.
    if (typeof prefix !== 'string' || !AUTH_PREFIX.test(prefix) || /aws|amazon|cognito/.test(prefix)) {
      throw new ConfigError(
        CONTEXT_KEYS.authDomainPrefix,
        prefix,
        "1-63 lowercase letters, digits and inner '-', without 'aws', 'amazon' or 'cognito'",
      );
    }
    config.authDomainPrefix = prefix;
  }
  return config;
}

export function configFromContext(node: Node): GanzooConfig {
  const context: Partial<Record<ContextKey, unknown>> = {};
  for (const key of Object.values(CONTEXT_KEYS)) {
    const value = node.tryGetContext(key);
    if (value !== undefined) context[key] = value;
  }
  return parseConfig(context);
}
