import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it, vi } from 'vitest';
import { CLOUD_LIMITS } from '../../shared/limits.ts';
import { GPU_TYPES } from '../../shared/spec.ts';
import { DEFAULT_CONFIG, parseConfig } from '../lib/config.ts';
import { REPO_ROOT } from '../lib/function-bundles.ts';
import { buildApp, render } from './synth.ts';

describe('parseConfig', () => {
  it('defaults to every GPU type of the spec', () => {
    expect(parseConfig({})).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG.gpuInstanceTypes).toEqual([...GPU_TYPES]);
  });

  it('takes values as cdk.json gives them and as -c strings', () => {
    expect(
      parseConfig({ gpuInstanceTypes: ['g5.xlarge'], maxVcpus: 32, checkpointRetentionDays: 7 }),
    ).toMatchObject({ gpuInstanceTypes: ['g5.xlarge'], maxVcpus: 32, checkpointRetentionDays: 7 });
    expect(parseConfig({ gpuInstanceTypes: 'g4dn.xlarge, g5.xlarge', maxVcpus: '64' })).toMatchObject({
      gpuInstanceTypes: ['g4dn.xlarge', 'g5.xlarge'],
      maxVcpus: 64,
    });
    expect(parseConfig({ authDomainPrefix: 'my-gans' }).authDomainPrefix).toBe('my-gans');
    expect(parseConfig({ spotCapacityWaitMinutes: '15' }).spotCapacityWaitMinutes).toBe(15);
    expect(parseConfig({ maxRunsInFlight: '2' }).limits).toEqual({ ...CLOUD_LIMITS, maxRunsInFlight: 2 });
    expect(parseConfig({ maxTimeoutMinutes: 90, maxRetries: '2' }).limits).toEqual({
      ...CLOUD_LIMITS,
      maxTimeoutMinutes: 90,
      maxRetries: 2,
    });
  });

  it('names the key and the valid values when a value is wrong', () => {
    expect(() => parseConfig({ gpuInstanceTypes: 'p3.2xlarge' })).toThrow(
      `context 'gpuInstanceTypes' is "p3.2xlarge"; valid: one or more of ${GPU_TYPES.join(', ')}`,
    );
    expect(() => parseConfig({ maxVcpus: '4' })).toThrow(
      'context \'maxVcpus\' is "4"; valid: an integer from 8 to 1024',
    );
    expect(() => parseConfig({ checkpointRetentionDays: 1.5 })).toThrow(/an integer from 1 to 3650/);
    // Batch takes 600 to 86,400 seconds.
    expect(() => parseConfig({ spotCapacityWaitMinutes: 5 })).toThrow(
      "context 'spotCapacityWaitMinutes' is 5; valid: an integer from 10 to 1440",
    );
    expect(() => parseConfig({ maxRunsInFlight: 0 })).toThrow(
      "context 'maxRunsInFlight' is 0; valid: an integer from 1 to 1000",
    );
    expect(parseConfig({ gpuPrices: '{"g5.xlarge": {"spot": 0.3}}' }).gpuPrices['g5.xlarge']).toEqual({
      onDemand: 1.006,
      spot: 0.3,
    });
    expect(() => parseConfig({ gpuPrices: { 'g5.xlarge': { spot: 'cheap' } } })).toThrow(
      /context 'gpuPrices'/,
    );
    expect(() => parseConfig({ maxRetries: 11 })).toThrow(
      "context 'maxRetries' is 11; valid: an integer from 1 to 10",
    );
    expect(() => parseConfig({ authDomainPrefix: 'My_Pool' })).toThrow(/lowercase letters/);
    expect(() => parseConfig({ authDomainPrefix: 'aws-gans' })).toThrow(/without 'aws'/);
  });

  it('takes a budget as an amount and an address together, and names the one missing', () => {
    expect(parseConfig({}).budget).toBeUndefined();
    expect(parseConfig({ budgetMonthlyUsd: '50', budgetEmail: 'me@example.com' }).budget).toEqual({
      monthlyUsd: 50,
      email: 'me@example.com',
    });
    expect(() => parseConfig({ budgetMonthlyUsd: 50 })).toThrow(
      "context 'budgetEmail' is undefined; valid: set with 'budgetMonthlyUsd': the budget needs both, or neither",
    );
    expect(() => parseConfig({ budgetMonthlyUsd: 50, budgetEmail: 'nobody' })).toThrow(
      'context \'budgetEmail\' is "nobody"; valid: an e-mail address',
    );
    expect(() => parseConfig({ budgetMonthlyUsd: 0, budgetEmail: 'me@example.com' })).toThrow(
      /budgetMonthlyUsd.*an integer from 1/,
    );
  });

  it('puts a monthly spend alarm in the data stack only when a budget is configured, and passes the limits to the API', async () => {
    vi.stubEnv('CDK_VALIDATION', 'false');
    const siteDirectory = join(REPO_ROOT, 'web', 'no-such-dist');
    const { app, stacks } = await buildApp({
      context: {
        budgetMonthlyUsd: '40',
        budgetEmail: 'owner@example.com',
        maxRunsInFlight: '2',
        maxTimeoutMinutes: '90',
        maxRetries: '2',
      },
      siteDirectory,
    });
    try {
      Template.fromStack(stacks.api).hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            GANZOO_MAX_RUNS_IN_FLIGHT: '2',
            GANZOO_MAX_TIMEOUT_MINUTES: '90',
            GANZOO_MAX_RETRIES: '2',
          }),
        },
      });
      const template = Template.fromStack(stacks.data);
      template.resourceCountIs('AWS::Budgets::Budget', 1);
      template.hasResourceProperties('AWS::Budgets::Budget', {
        Budget: { BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: 40, Unit: 'USD' } },
        NotificationsWithSubscribers: [
          {
            Notification: Match.objectLike({ NotificationType: 'ACTUAL', Threshold: 80 }),
            Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'owner@example.com' }],
          },
          {
            Notification: Match.objectLike({ NotificationType: 'FORECASTED', Threshold: 100 }),
            Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'owner@example.com' }],
          },
        ],
      });
      const without = await buildApp({ siteDirectory });
      Template.fromStack(without.stacks.data).resourceCountIs('AWS::Budgets::Budget', 0);
      rmSync(without.app.outdir, { recursive: true, force: true });
    } finally {
      vi.unstubAllEnvs();
      rmSync(app.outdir, { recursive: true, force: true });
    }
  });

  it('fails the synth on a bad -c value, before anything is built', async () => {
    await expect(buildApp({ context: { gpuInstanceTypes: 'g5.xlarge,p4d.24xlarge' } })).rejects.toThrow(
      /context 'gpuInstanceTypes'.*valid: one or more of g4dn\.xlarge/,
    );
  });

  it('builds capacity, and tells the API of queues, for the configured GPU types only', async () => {
    vi.stubEnv('CDK_VALIDATION', 'false');
    const { app, stacks } = await buildApp({
      context: { gpuInstanceTypes: 'g5.xlarge,g4dn.2xlarge' },
      siteDirectory: join(REPO_ROOT, 'web', 'no-such-dist'),
    });
    try {
      const { compute } = stacks.compute;
      expect(compute.capacity.map((c) => c.instanceType)).toEqual(['g5.xlarge', 'g4dn.2xlarge']);
      const fn = stacks.api.app.function.node.defaultChild as { environment?: unknown };
      const env = stacks.api.resolve(fn.environment) as { variables: Record<string, unknown> };
      const queues = JSON.parse(render(env.variables.GANZOO_JOB_QUEUES)) as Record<string, unknown>;
      expect(Object.keys(queues)).toEqual(['g5.xlarge', 'g4dn.2xlarge']);
    } finally {
      vi.unstubAllEnvs();
      rmSync(app.outdir, { recursive: true, force: true });
    }
  });
});
