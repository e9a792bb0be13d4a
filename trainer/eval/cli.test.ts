import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './cli.ts';

const root = mkdtempSync(join(tmpdir(), 'ganzoo-eval-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(dirName: string, spec?: unknown): string {
  const dir = join(root, dirName);
  mkdirSync(dir, { recursive: true });
  if (spec !== undefined)
    writeFileSync(join(dir, 'spec.json'), typeof spec === 'string' ? spec : JSON.stringify(spec));
  return dir;
}

async function call(argv: string[]): Promise<{ code: number; stderr: string }> {
  const errors: string[] = [];
  const code = await main(
    argv,
    () => {},
    (line) => errors.push(line),
  );
  return { code, stderr: errors.join('\n') };
}

describe('eval CLI bad input', () => {
  it('exits 2 when no folder is given', async () => {
    expect(await call([])).toEqual({ code: 2, stderr: expect.stringMatching(/no run folder given/) });
  });

  it('exits 2 for a folder that does not exist', async () => {
    const r = await call([join(root, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope does not exist/);
  });

  it('exits 2 when spec.json is missing or not JSON', async () => {
    expect((await call([run('empty')])).stderr).toMatch(/no spec\.json in/);
    const r = await call([run('broken', '{oops')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/spec\.json is not JSON/);
  });

  it('exits 2 naming the field for an unknown dataset, and naming a dataset with no evaluation', async () => {
    const r = await call([run('imagenet', { family: 'vanilla', dataset: 'imagenet' })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/dataset: .*mnist/);
    const cifar = await call([run('cifar', { family: 'dcgan', dataset: 'cifar10' })]);
    expect(cifar.code).toBe(2);
    expect(cifar.stderr).toMatch(
      /no evaluation is defined for dataset 'cifar10' \(supported: mnist, .*fashion-mnist.*\)/,
    );
  });

  it('exits 2 when the generator is missing', async () => {
    const r = await call([run('nogen', { family: 'vanilla', dataset: 'ring8' }), '--backend', 'wasm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/generator\/model\.json is missing/);
  });

  it('exits 2 for a bad option value or an unknown option', async () => {
    const dir = run('opts', { family: 'vanilla', dataset: 'ring8' });
    expect((await call([dir, '--samples', '0'])).stderr).toMatch(/--samples must be an integer >= 1/);
    expect((await call([dir, '--seed', 'x'])).code).toBe(2);
    expect((await call([dir, '--frobnicate'])).stderr).toMatch(/frobnicate/);
  });

  it('sets the process exit code to 2 when run as a command', () => {
    const p = spawnSync(process.execPath, ['--import', 'tsx', 'trainer/eval/cli.ts', join(root, 'missing')], {
      encoding: 'utf8',
    });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/missing does not exist/);
  });
});
