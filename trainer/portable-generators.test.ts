/**
 * Every family's exported generator loads where only stock tfjs and shared/layers/ are (the browser's
 * playground): a separate process with nothing of the trainer imported loads each one
 * (test/fixtures/load-generators.ts) and gives the training generator's output on the same inputs.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAMILY_IDS, familyInfo } from '../shared/catalog.ts';
import { parseSpec } from '../shared/spec.ts';
import { initBackend } from './backend/index.ts';
import { disposeGan } from './gan.ts';
import { exportGenerator } from './generator.ts';
import { buildGan } from './loop.ts';
import { LocalArtifactSink } from './sinks/local.ts';
import { fixedGeneratorInputs, scratchDir, TINY_HYPERPARAMETERS } from './test-util.ts';

const dirs: Record<string, string> = {};
const expected: Record<string, number[]> = {};
let loaded: Record<string, number[] | { error: string }>;

beforeAll(async () => {
  await initBackend('wasm');
  const root = scratchDir('portable');
  for (const family of FAMILY_IDS) {
    const spec = parseSpec({
      family,
      dataset: familyInfo(family)!.datasets[0]!,
      hyperparameters: TINY_HYPERPARAMETERS[family] ?? {},
    });
    const gan = buildGan(spec);
    const dir = join(root, family);
    await exportGenerator(gan, spec, new LocalArtifactSink(dir));
    const inputs = fixedGeneratorInputs(gan.generator, spec.seed, 2);
    writeFileSync(
      join(dir, 'inputs.json'),
      JSON.stringify(inputs.map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }))),
    );
    const out = gan.generator.predict(inputs.length === 1 ? inputs[0]! : inputs);
    expected[family] = Array.from((Array.isArray(out) ? out[0]! : out).dataSync());
    tf.dispose([...inputs, out]);
    disposeGan(gan);
    dirs[family] = dir;
  }
  const stdout = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, '../test/fixtures/load-generators.ts'),
      ...Object.values(dirs),
    ],
    { encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  loaded = JSON.parse(stdout);
}, 600_000);

describe.each(FAMILY_IDS)('%s', (family) => {
  it('its exported generator loads with stock tfjs and shared/layers alone, and gives what G gives', () => {
    const got = loaded[dirs[family]!]!;
    expect(got, JSON.stringify(got).slice(0, 300)).toBeInstanceOf(Array);
    const want = expected[family]!;
    expect((got as number[]).length).toBe(want.length);
    const scale = Math.max(1, ...want.map(Math.abs));
    const worst = Math.max(...want.map((v, i) => Math.abs(v - (got as number[])[i]!)));
    expect(worst).toBeLessThan(1e-4 * scale);
  });
});
