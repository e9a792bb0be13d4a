import { describe, expect, it } from 'vitest';
import { descriptorFromSpec, type StoredSpecLike } from './generator.ts';
import { latentNoiseOf } from './latent.ts';
import { parseSpec, parseStoredSpec } from './spec.ts';

describe('latent noise', () => {
  const z = (spec: StoredSpecLike) => latentNoiseOf(descriptorFromSpec(spec, [{ name: 'z', shape: [62] }]));

  it("is the spec's noise hyperparameter: InfoGAN's uniform by default, normal for families without one", () => {
    expect(z(parseSpec({ family: 'infogan', dataset: 'mnist' }))).toBe('uniform');
    const normal = parseSpec({ family: 'infogan', dataset: 'mnist', hyperparameters: { noise: 'normal' } });
    expect(z(normal)).toBe('normal');
    expect(z(parseSpec({ family: 'dcgan', dataset: 'mnist' }))).toBe('normal');
    // A run record's spec as stored before the field existed, read without parsing.
    expect(z({ family: 'infogan', dataset: 'mnist', hyperparameters: { latentDim: 62 } })).toBe('normal');
  });

  it('is normal for an InfoGAN spec stored before the field existed, and as stored otherwise', () => {
    const stored = JSON.parse(JSON.stringify(parseSpec({ family: 'infogan', dataset: 'mnist' })));
    expect(parseStoredSpec(stored)).toEqual(parseSpec(stored));
    delete stored.hyperparameters.noise;
    expect(parseStoredSpec(stored).hyperparameters.noise).toBe('normal');
    expect(parseStoredSpec({ family: 'infogan', dataset: 'mnist' }).hyperparameters.noise).toBe('normal');
    const dcgan = { family: 'dcgan', dataset: 'mnist' };
    expect(parseStoredSpec(dcgan)).toEqual(parseSpec(dcgan));
  });

  it('is refused when the spec names another distribution, stored or not', () => {
    expect(() =>
      parseSpec({ family: 'infogan', dataset: 'mnist', hyperparameters: { noise: 'gaussian' } }),
    ).toThrow(/hyperparameters\.noise/);
    expect(() =>
      parseStoredSpec({ family: 'infogan', dataset: 'mnist', hyperparameters: { noise: 'gaussian' } }),
    ).toThrow(/hyperparameters\.noise/);
    expect(() =>
      parseSpec({ family: 'dcgan', dataset: 'mnist', hyperparameters: { noise: 'uniform' } }),
    ).toThrow(/noise/);
    expect(() => parseStoredSpec({ family: 'infogan', dataset: 'mnist', hyperparameters: [] })).toThrow(
      /hyperparameters/,
    );
  });
});
