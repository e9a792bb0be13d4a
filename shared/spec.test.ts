import { describe, expect, it } from 'vitest';
import { FAMILIES, FAMILY_IDS } from './catalog.ts';
import { parseSpec, SpecError, validateSpec } from './spec.ts';

describe('experiment spec', () => {
  it('fills the defaults, the family hyperparameters included', () => {
    const spec = parseSpec({ family: 'dcgan', dataset: 'mnist' });
    expect(spec.steps).toBe(2000);
    expect(spec.batchSize).toBe(64);
    expect(spec.hyperparameters).toMatchObject({
      latentDim: 100,
      gChannels: 128,
      dChannels: 64,
      learningRate: 2e-4,
      beta1: 0.5,
    });
    expect(spec.resources).toEqual({ gpu: 'g4dn.xlarge', spot: true, timeoutMinutes: 120, retries: 3 });
  });

  it('rejects unknown keys, naming them', () => {
    const r = validateSpec({ family: 'dcgan', dataset: 'mnist', stepz: 3 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toEqual([{ field: '', message: "unknown field 'stepz'" }]);
    const h = validateSpec({ family: 'dcgan', dataset: 'mnist', hyperparameters: { lr: 1 } });
    expect(!h.ok && h.issues[0]).toEqual({ field: 'hyperparameters', message: "unknown field 'lr'" });
  });

  it("rejects a '__proto__' key sent as JSON, in the hyperparameters as everywhere else", () => {
    for (const json of [
      '{"family":"vanilla","dataset":"ring8","hyperparameters":{"__proto__":{"hiddenUnits":8}}}',
      '{"family":"vanilla","dataset":"ring8","resources":{"__proto__":1}}',
      '{"family":"vanilla","dataset":"ring8","__proto__":1}',
    ]) {
      const r = validateSpec(JSON.parse(json));
      expect(r.ok, json).toBe(false);
      expect(!r.ok && r.issues[0]?.message).toBe("unknown field '__proto__'");
    }
  });

  it('rejects out-of-range values with the field named', () => {
    const r = validateSpec({
      family: 'vanilla',
      dataset: 'ring8',
      batchSize: 0,
      hyperparameters: { learningRate: 5 },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => i.field).sort()).toEqual(['batchSize']);
    }
    const h = validateSpec({ family: 'vanilla', dataset: 'ring8', hyperparameters: { learningRate: 5 } });
    expect(!h.ok && h.issues[0]?.field).toBe('hyperparameters.learningRate');
    expect(() => parseSpec({ family: 'vanilla', dataset: 'ring8', steps: 1.5 })).toThrow(/steps/);
  });

  it("refuses a spec that breaks a family's cross-field rule, naming the field and the rule", () => {
    const presgan = (hp: object) => ({ family: 'presgan', dataset: 'ring8', hyperparameters: hp });
    for (const hp of [{ sigmaInit: 0.5 }, { sigmaInit: 0.001 }, { sigmaMin: 0.2, sigmaMax: 0.1 }]) {
      const r = validateSpec(presgan(hp));
      expect(r.ok, JSON.stringify(hp)).toBe(false);
      expect(!r.ok && r.issues).toEqual([
        {
          field: 'hyperparameters.sigmaInit',
          message: expect.stringMatching(/^sigmaMin < sigmaInit < sigmaMax/),
        },
      ]);
    }
    expect(() => parseSpec(presgan({ sigmaInit: 0.5 }))).toThrow(
      'hyperparameters.sigmaInit: sigmaMin < sigmaInit < sigmaMax must hold, got sigmaMin = 0.001, sigmaInit = 0.5, sigmaMax = 0.3',
    );
    expect(
      parseSpec(presgan({ sigmaMin: 0.01, sigmaInit: 0.02, sigmaMax: 0.03 })).hyperparameters,
    ).toMatchObject({
      sigmaInit: 0.02,
    });
    // A field out of its own range is named alone, not as a broken rule as well.
    const bad = validateSpec(presgan({ sigmaInit: -1 }));
    expect(!bad.ok && bad.issues.map((i) => i.field)).toEqual(['hyperparameters.sigmaInit']);
    expect(!bad.ok && bad.issues[0]?.message).not.toMatch(/must hold/);
  });

  it('rejects unknown families and datasets a family does not train on', () => {
    expect(() => parseSpec({ family: 'nope', dataset: 'mnist' })).toThrow(SpecError);
    const r = validateSpec({ family: 'dcgan', dataset: 'ring8' });
    expect(!r.ok && r.issues[0]).toMatchObject({ field: 'dataset' });
  });

  it('every family default is itself a valid spec', () => {
    for (const f of FAMILIES) {
      for (const dataset of f.datasets) expect(parseSpec({ family: f.id, dataset }).family).toBe(f.id);
    }
    expect(FAMILY_IDS).toContain('dcgan');
  });
});
