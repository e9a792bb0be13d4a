import { describe, expect, it } from 'vitest';
import { latentNoiseOf } from './latent.ts';
import { parseSpec } from './spec.ts';

describe('latent noise', () => {
  it("is the spec's noise hyperparameter, normal for families without one and for specs stored before it", () => {
    expect(latentNoiseOf(parseSpec({ family: 'infogan', dataset: 'mnist' }))).toBe('normal');
    const uniform = parseSpec({ family: 'infogan', dataset: 'mnist', hyperparameters: { noise: 'uniform' } });
    expect(latentNoiseOf(uniform)).toBe('uniform');
    expect(latentNoiseOf(parseSpec({ family: 'dcgan', dataset: 'mnist' }))).toBe('normal');
    expect(latentNoiseOf({ hyperparameters: { latentDim: 62 } })).toBe('normal');
  });

  it('is refused when the spec names another distribution', () => {
    expect(() =>
      parseSpec({ family: 'infogan', dataset: 'mnist', hyperparameters: { noise: 'gaussian' } }),
    ).toThrow(/hyperparameters\.noise/);
    expect(() =>
      parseSpec({ family: 'dcgan', dataset: 'mnist', hyperparameters: { noise: 'uniform' } }),
    ).toThrow(/noise/);
  });
});
