import { describe, expect, it } from 'vitest';
import { CLOUD_LIMITS, capIssues, LOCAL_LIMITS, limitsFromEnv } from './limits.ts';
import { parseSpec } from './spec.ts';

describe('limitsFromEnv', () => {
  it('overrides the defaults with each variable set, and keeps the rest', () => {
    expect(limitsFromEnv({}, CLOUD_LIMITS)).toEqual(CLOUD_LIMITS);
    expect(limitsFromEnv({ GANZOO_MAX_RUNS_IN_FLIGHT: ' 2 ', GANZOO_MAX_RETRIES: '' }, LOCAL_LIMITS)).toEqual(
      {
        ...LOCAL_LIMITS,
        maxRunsInFlight: 2,
      },
    );
    expect(
      limitsFromEnv({ GANZOO_MAX_TIMEOUT_MINUTES: '90', GANZOO_MAX_RETRIES: '1' }, CLOUD_LIMITS),
    ).toEqual({
      ...CLOUD_LIMITS,
      maxTimeoutMinutes: 90,
      maxRetries: 1,
    });
  });

  it('names the variable and the range of a bad value', () => {
    expect(() => limitsFromEnv({ GANZOO_MAX_RUNS_IN_FLIGHT: '0' }, CLOUD_LIMITS)).toThrow(
      "GANZOO_MAX_RUNS_IN_FLIGHT is '0'; it must be a whole number from 1 to 1000",
    );
    expect(() => limitsFromEnv({ GANZOO_MAX_RETRIES: '11' }, CLOUD_LIMITS)).toThrow(
      /GANZOO_MAX_RETRIES.*1 to 10/,
    );
    expect(() => limitsFromEnv({ GANZOO_MAX_TIMEOUT_MINUTES: '1.5' }, CLOUD_LIMITS)).toThrow(
      /from 5 to 10080/,
    );
  });
});

describe('capIssues', () => {
  const spec = (resources: object) => parseSpec({ family: 'vanilla', dataset: 'ring8', resources });

  it('names each field over its cap, and nothing at or under it', () => {
    expect(capIssues(spec({ timeoutMinutes: 720, retries: 5 }), CLOUD_LIMITS)).toEqual([]);
    expect(capIssues(spec({ timeoutMinutes: 721, retries: 6 }), CLOUD_LIMITS).map((i) => i.field)).toEqual([
      'resources.timeoutMinutes',
      'resources.retries',
    ]);
    // The defaults of a spec fit every deployment's defaults.
    expect(capIssues(spec({}), CLOUD_LIMITS)).toEqual([]);
  });
});
