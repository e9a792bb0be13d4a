import { describe, expect, it } from 'vitest';
import { abandonedValidationReason, validationEnv, validationTarget } from './uploads.ts';

describe('a validation job named by its environment', () => {
  it('reads back the version validationEnv names', () => {
    expect(validationTarget({ ...validationEnv('uabcdefabcdef', 3), GANZOO_BUCKET: 'b' })).toEqual({
      id: 'uabcdefabcdef',
      version: 3,
    });
  });

  it('is no validation job without the task, or with an id or version that names nothing', () => {
    const env = validationEnv('uabcdefabcdef', 1);
    expect(validationTarget({ ...env, GANZOO_TASK: undefined })).toBeUndefined();
    expect(validationTarget({ GANZOO_RUN_ID: 'r1' })).toBeUndefined();
    for (const id of ['', 'u../escapes', 'UABCDEFABCDEF'])
      expect(validationTarget({ ...env, GANZOO_DATASET_ID: id })).toBeUndefined();
    for (const version of ['', '0', '-1', '1.5', 'one'])
      expect(validationTarget({ ...env, GANZOO_DATASET_VERSION: version })).toBeUndefined();
  });
});

describe('the reason of a validation that ended without answering', () => {
  it('says what happened, what to change, and to upload again', () => {
    expect(abandonedValidationReason('was killed by SIGTERM')).toBe(
      'the validation job was killed by SIGTERM; nothing of this version was kept: upload again',
    );
    expect(abandonedValidationReason('x', 'memory')).toMatch(/ran out of memory: upload fewer or smaller/);
    expect(abandonedValidationReason('x', 'time')).toMatch(/past its time limit: upload fewer images/);
  });
});
