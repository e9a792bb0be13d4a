import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetInfo } from '../../shared/datasets.ts';
import type { ImageEval } from '../../shared/evaluation.ts';
import { describeGenerator } from '../../shared/generator.ts';
import { runFiles } from '../../shared/keys.ts';
import { initBackend } from '../backend/index.ts';
import { loadMnist } from '../data/mnist.ts';
import { Rng } from '../data/rng.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkSaver } from '../sinks/model-io.ts';
import { loadClassifier } from './classifier.ts';
import { bestMappingAccuracy, minCostAssignment } from './codes.ts';
import { evaluateRun, summarize } from './evaluate.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('minCostAssignment', () => {
  it('finds the optimum a greedy pick misses', () => {
    // Greedy takes (0,0)=1 then must take (1,1)=100; the optimum is (0,1)+(1,0) = 2 + 2.
    expect(
      minCostAssignment([
        [1, 2],
        [2, 100],
      ]),
    ).toEqual([1, 0]);
  });

  it('agrees with brute force on random 5x5 matrices', () => {
    const perms = (n: number): number[][] =>
      n === 0
        ? [[]]
        : perms(n - 1).flatMap((p) =>
            Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
          );
    const rng = new Rng(7, 1);
    const rand = () => rng.uniform();
    for (let t = 0; t < 20; t++) {
      const cost = Array.from({ length: 5 }, () => Array.from({ length: 5 }, () => Math.floor(rand() * 50)));
      const total = (a: number[]) => a.reduce((s, c, r) => s + cost[r]![c]!, 0);
      const best = Math.min(...perms(5).map(total));
      expect(total(minCostAssignment(cost))).toBe(best);
    }
  });
});

describe('bestMappingAccuracy', () => {
  it('recovers a permutation of the labels and counts the disagreements', () => {
    const perm = [3, 0, 1, 2];
    const codes = [0, 1, 2, 3, 0, 1, 2, 3];
    const classes = codes.map((c) => perm[c]!);
    classes[7] = 0; // one sample of code 3 read as class 0
    const r = bestMappingAccuracy(codes, classes, 4, 4);
    expect(r.mapping).toEqual(perm);
    expect(r.accuracy).toBeCloseTo(7 / 8, 10);
    expect(r.confusion[3]).toEqual([1, 0, 1, 0]);
  });

  it('maps one-to-one: two codes on one class cannot both count', () => {
    const r = bestMappingAccuracy([0, 0, 1, 1], [2, 2, 2, 2], 2, 3);
    expect(r.accuracy).toBe(0.5);
    expect(new Set(r.mapping).size).toBe(2);
  });

  it('rejects out-of-range values', () => {
    expect(() => bestMappingAccuracy([0, 5], [0, 1], 2, 2)).toThrow(/code value 5/);
  });
});

/**
 * A stand-in generator [z (5), codes (10 + 2)] -> image that draws a real test digit of class perm[code]
 * and ignores z and the continuous codes: its best-mapping accuracy is the classifier's accuracy on those
 * ten images.
 */
function codeGenerator(perm: number[]): tf.LayersModel {
  const test = loadMnist('test');
  const rows = new Float32Array(12 * 784);
  perm.forEach((digit, k) => {
    const index = Array.from(test.labels).indexOf(digit);
    for (let p = 0; p < 784; p++) rows[k * 784 + p] = test.images[index * 784 + p]! * 2 - 1;
  });
  const z = tf.input({ shape: [5] });
  const c = tf.input({ shape: [12] });
  const fromZ = tf.layers.dense({ units: 784, kernelInitializer: 'zeros', useBias: false }).apply(z);
  const fromC = tf.layers
    .dense({ units: 784, useBias: false, weights: [tf.tensor2d(rows, [12, 784])] })
    .apply(c);
  const sum = tf.layers.add().apply([fromZ as tf.SymbolicTensor, fromC as tf.SymbolicTensor]);
  const out = tf.layers.reshape({ targetShape: [28, 28, 1] }).apply(sum) as tf.SymbolicTensor;
  return tf.model({ inputs: [z, c], outputs: out });
}

async function runWith(g: tf.LayersModel, spec: object): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ganzoo-codes-'));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  await g.save(sinkSaver(new LocalArtifactSink(dir), 'generator/'));
  return dir;
}

const PERM = [7, 2, 9, 0, 4, 1, 8, 3, 6, 5];

describe('evaluateRun on a generator with latent codes', () => {
  it('finds the digit each categorical value draws and writes one traversal per continuous code', async () => {
    // Exported before descriptors: the codes are read off the spec's InfoGAN hyperparameters.
    const dir = await runWith(codeGenerator(PERM), {
      family: 'infogan',
      dataset: 'mnist',
      hyperparameters: { latentDim: 5, categoricalCodes: 10, continuousCodes: 2 },
    });
    const r = (await evaluateRun(dir, { samples: 200, classifier: await loadClassifier() })) as ImageEval;
    expect(r.codes?.bestMapping.mapping).toEqual(PERM);
    expect(r.codes?.bestMapping.accuracy).toBeGreaterThan(0.89);
    expect(r.codes?.traversals).toEqual([runFiles.evalCodeTraversal(0), runFiles.evalCodeTraversal(1)]);
    for (const key of r.codes!.traversals) expect(existsSync(join(dir, key))).toBe(true);
    expect(r.latentGrids).toBeUndefined();
    expect(summarize(r)).toMatch(/best-mapping accuracy/);
  });

  it("reads the codes off the generator's descriptor, not the spec's names", async () => {
    const g = codeGenerator(PERM);
    // A spec of a family without codes: only the descriptor says the second input is codes.
    const dir = await runWith(g, { family: 'vanilla', dataset: 'mnist', hyperparameters: { latentDim: 5 } });
    const descriptor = describeGenerator({
      family: 'vanilla',
      dataset: datasetInfo('mnist'),
      latentName: g.inputNames[0]!,
      latentDim: 5,
      noise: 'normal',
      codes: { name: g.inputNames[1]!, categorical: 10, continuous: 2 },
    });
    const sink = new LocalArtifactSink(dir);
    const classifier = await loadClassifier();
    // Without it, the second input is taken for a one-hot label, which 12 values are not.
    await expect(evaluateRun(dir, { samples: 50, classifier, write: false })).rejects.toThrow(
      /second input of shape \[,12\], expected a one-hot label \[N, 10\]/,
    );
    await sink.put(runFiles.generatorDescriptor, JSON.stringify(descriptor));
    const r = (await evaluateRun(dir, { samples: 200, classifier, write: false })) as ImageEval;
    expect(r.codes).toMatchObject({ categorical: 10, continuous: 2 });
    expect(r.codes?.bestMapping.mapping).toEqual(PERM);

    await sink.put(
      runFiles.generatorDescriptor,
      JSON.stringify({ ...descriptor, inputs: descriptor.inputs.slice(1) }),
    );
    await expect(evaluateRun(dir, { samples: 50, classifier, write: false })).rejects.toThrow(
      /generator\/descriptor\.json is not a valid generator descriptor: inputs: a generator takes one latent input, or images or label maps to translate/,
    );
    const wide = {
      ...descriptor,
      inputs: [descriptor.inputs[0]!, { ...descriptor.inputs[1]!, shape: [13], continuous: 3 }],
    };
    await sink.put(runFiles.generatorDescriptor, JSON.stringify(wide));
    await expect(evaluateRun(dir, { samples: 50, classifier, write: false })).rejects.toThrow(
      /descriptor\.json: 10 \+ 3 latent codes, but the generator in .* takes \[,12\] beside z/,
    );
  });
});
