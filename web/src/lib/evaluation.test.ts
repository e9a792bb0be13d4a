import { describe, expect, it } from 'vitest';
import type { ImageEval, PointsEval } from '../../../shared/evaluation.ts';
import { classShares, comparisonRows, evaluationFacts } from './evaluation.ts';

const common = {
  version: 1,
  createdAt: '2026-11-28T05:00:00.000Z',
  seed: 3,
  samples: 10_000,
  backend: { name: 'node', tfjsBackend: 'tensorflow' },
  seconds: 12.5,
};

const image: ImageEval = {
  ...common,
  run: { dir: '/r', family: 'infogan', dataset: 'mnist', steps: 2000, specSeed: 3, latentDim: 62 },
  kind: 'images',
  cfid: {
    value: 44.2345,
    generatedSamples: 10_000,
    realSamples: 10_000,
    featureDim: 128,
    realSet: 'mnist test',
  },
  classes: {
    first1000: { samples: 1000, counts: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100], covered: 10 },
    all: { samples: 4, counts: [1, 3, 0, 0, 0, 0, 0, 0, 0, 0], covered: 2 },
  },
  codes: {
    categorical: 10,
    continuous: 2,
    bestMapping: { accuracy: 0.36, mapping: [2, 9, 7, 8, 5, 4, 0, 1, 3, 6], confusion: [], samples: 10_000 },
    traversals: [],
  },
  classifier: { weights: 'w', testAccuracy: 0.99, testImages: 10_000, featureLayer: 'f', featureDim: 128 },
  definitions: { cfid: '', classesCovered: '', classMinShare: 0.01 },
};

const points: PointsEval = {
  ...common,
  run: { dir: '/r', family: 'unrolled', dataset: 'ring8', steps: 2000, specSeed: 3, latentDim: 64 },
  kind: 'points2d',
  modes: { modesCovered: 7, modesTotal: 8, hqPercent: 81.234, hqSamples: 2031, samples: 2500, hqPerMode: [] },
  definitions: { hq: '', covered: '', hqSigmas: 3, sigma: 0.01, modes: [] },
};

describe('evaluation facts', () => {
  it('reads an image evaluation: cFID, classes covered, the code mapping, how it was made', () => {
    const facts = evaluationFacts(image);
    expect(facts.map((f) => [f.label, f.value])).toEqual([
      ['cFID', '44.23'],
      ['Classes covered', '10 / 10'],
      ['Code best-mapping accuracy', '36.0%'],
      ['Evaluated with', '10,000 samples'],
    ]);
    expect(facts[2]!.detail).toContain('code -> digit 2 9 7 8 5 4 0 1 3 6');
    expect(facts[3]!.detail).toBe('seed 3, node backend, 12.5 s');
  });

  it('adds class accuracy for a conditional generator', () => {
    const facts = evaluationFacts({
      ...image,
      codes: undefined,
      classAccuracy: { value: 0.975, samples: 10, classes: 10 },
    });
    expect(facts.find((f) => f.label === 'Class accuracy')?.value).toBe('97.5%');
    expect(facts.some((f) => f.label.startsWith('Code'))).toBe(false);
  });

  it("lists a truncation sweep's points, untruncated last", () => {
    const facts = evaluationFacts({
      ...image,
      codes: undefined,
      truncation: {
        samples: 2000,
        plot: 'eval/truncation-sweep.png',
        points: [
          { threshold: 0.5, classAccuracy: 0.99, cfid: 12.5 },
          { threshold: null, classAccuracy: 0.95, cfid: 4.25 },
        ],
      },
    });
    const sweep = facts.find((f) => f.label === 'Truncation sweep')!;
    expect(sweep.value).toBe('0.5: 99.0% / 12.5; none: 95.0% / 4.25');
    expect(sweep.detail).toContain('2,000 samples each');
  });

  it('reads a point evaluation: modes and HQ%', () => {
    const facts = evaluationFacts(points);
    expect(facts.map((f) => [f.label, f.value])).toEqual([
      ['Modes covered', '7 / 8'],
      ['High-quality samples', '81.2%'],
      ['Evaluated with', '10,000 samples'],
    ]);
    expect(facts[1]!.detail).toContain('within 3 sigma (0.03)');
  });

  it('gives class shares of all samples for images and none for points', () => {
    expect(classShares(image).slice(0, 3)).toEqual([
      { label: '0', count: 1, share: 0.25 },
      { label: '1', count: 3, share: 0.75 },
      { label: '2', count: 0, share: 0 },
    ]);
    expect(classShares(points)).toEqual([]);
  });

  it('lines several runs up by fact, with a gap where a run has none', () => {
    const rows = comparisonRows([
      image,
      undefined,
      { ...image, cfid: { ...image.cfid, value: 12 }, codes: undefined },
    ]);
    expect(rows.map((r) => r.label)).toEqual([
      'cFID',
      'Classes covered',
      'Code best-mapping accuracy',
      'Evaluated with',
    ]);
    expect(rows[0]!.values).toEqual(['44.23', undefined, '12']);
    expect(rows[2]!.values).toEqual(['36.0%', undefined, undefined]);
  });
});
