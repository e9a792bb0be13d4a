import { describe, expect, it } from 'vitest';
import { capacityCancelReason, FIRST_ATTEMPT_ENV, runAttempt } from './batch-job.ts';

describe('capacityCancelReason', () => {
  it("reads the capacity reason from a job its queue's time limit cancelled, in either spelling AWS uses", () => {
    expect(
      capacityCancelReason(
        'Canceled by JobStateTimeLimit action due to reason: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY',
      ),
    ).toBe('CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY');
    expect(
      capacityCancelReason(
        'Terminated by JobStateTimeLimit action due to reason: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY',
      ),
    ).toBe('CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY');
  });

  it('is undefined for a job that could never run, or ended any other way', () => {
    expect(
      capacityCancelReason(
        'Canceled by JobStateTimeLimit action due to reason: MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT',
      ),
    ).toBeUndefined();
    // Still waiting: the reason Batch shows while the job is stuck is not a cancellation.
    expect(
      capacityCancelReason(
        'CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested for instance type g5.xlarge',
      ),
    ).toBeUndefined();
    expect(capacityCancelReason('Host EC2 (instance i-0abc) terminated.')).toBeUndefined();
    expect(capacityCancelReason(undefined)).toBeUndefined();
  });
});

describe('runAttempt', () => {
  it("numbers a job's attempts from the run's attempt it started at", () => {
    expect(runAttempt(1, undefined)).toBe(1);
    expect(runAttempt(3, undefined)).toBe(3);
    expect(runAttempt(1, '2')).toBe(2);
    expect(runAttempt(2, 4)).toBe(5);
  });

  it('refuses a first attempt that is not a whole number from 1', () => {
    expect(() => runAttempt(1, '0')).toThrow(`${FIRST_ATTEMPT_ENV} must be a whole number from 1, not "0"`);
    expect(() => runAttempt(1, 'two')).toThrow(/not "two"/);
  });
});
