import { describe, expect, it, vi } from 'vitest';
import { runFiles } from '../shared/keys.ts';

// Counts every parse of a spec in this process: each entry point of shared/spec.ts that makes one.
const parses = vi.hoisted(() => ({ count: 0 }));
vi.mock('../shared/spec.ts', async (importOriginal) => {
  const spec = await importOriginal<typeof import('../shared/spec.ts')>();
  const counted =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): R => {
      parses.count += 1;
      return f(...a);
    };
  return {
    ...spec,
    validateSpec: counted(spec.validateSpec),
    parseSpec: counted(spec.parseSpec),
    parseStoredSpec: counted(spec.parseStoredSpec),
  };
});

const { runTrainerProcess } = await import('./run.ts');
const { RunSpecError, readRunSpec } = await import('./run-spec.ts');
const { LocalArtifactSink } = await import('./sinks/local.ts');
const { FileStatusSink } = await import('./sinks/status-file.ts');
const { scratchDir, tinySpec } = await import('./test-util.ts');

/** A run folder whose reads of spec.json are counted. */
function countingSink(dir: string) {
  const local = new LocalArtifactSink(dir);
  const sink = {
    reads: 0,
    location: local.location,
    put: local.put.bind(local),
    list: local.list.bind(local),
    get: (key: string) => {
      if (key === runFiles.spec) sink.reads += 1;
      return local.get(key);
    },
  };
  return sink;
}

describe("a job's spec", () => {
  it('names the object and the fault when it is missing, not JSON or not a valid spec', async () => {
    const dir = scratchDir('spec-bad');
    const sink = new LocalArtifactSink(dir);
    await expect(readRunSpec(sink)).rejects.toThrow(`no spec.json in ${sink.location}`);
    await sink.put(runFiles.spec, '{oops');
    await expect(readRunSpec(sink)).rejects.toThrow(/spec\.json is not JSON/);
    await sink.put(runFiles.spec, JSON.stringify({ family: 'vanilla', dataset: 'ring8', steps: 0 }));
    await expect(readRunSpec(sink)).rejects.toThrow(RunSpecError);
    await expect(readRunSpec(sink)).rejects.toThrow(/spec\.json is not a valid spec: steps: /);
  });

  it('is read once and parsed once by a whole run: job -> train -> evaluate', async () => {
    const dir = scratchDir('spec-once');
    const artifacts = countingSink(dir);
    // As the API stores it; ring8 has an evaluation, so the run ends with one.
    await artifacts.put(runFiles.spec, JSON.stringify(tinySpec('vanilla', 'ring8', { steps: 2 })));
    parses.count = 0;
    const listeners = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };

    // What job.ts does once its sinks are open.
    const spec = await readRunSpec(artifacts);
    const code = await runTrainerProcess({
      runId: 'spec-once',
      spec,
      specStored: true,
      sinks: { artifacts, status: new FileStatusSink(dir) },
      backend: 'wasm',
      quiet: true,
    });

    // The trainer process's signal handlers are not the test runner's to keep.
    for (const [s, before] of Object.entries(listeners)) {
      for (const l of process.listeners(s as NodeJS.Signals)) if (!before.includes(l)) process.off(s, l);
    }
    expect(code).toBe(0);
    expect(await new LocalArtifactSink(dir).get(runFiles.eval)).toBeDefined();
    expect({ reads: artifacts.reads, parses: parses.count }).toEqual({ reads: 1, parses: 1 });
  });
});
