import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/function-bundles.ts';

/** No credentials and no instance metadata to find: what a fresh clone in CI has. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_VERSION_CHECK: '1',
  };
  for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
    delete env[key];
  }
  return env;
}

describe('npx cdk synth', () => {
  it('synthesizes every stack from cdk.json with no account, no lookups and no finding left', () => {
    const out = mkdtempSync(join(tmpdir(), 'ganzoo-cdk-cli-'));
    try {
      const run = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '-o', out], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: offlineEnv(),
        timeout: 110_000,
      });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      for (const stack of ['GanzooData', 'GanzooCompute', 'GanzooWeb', 'GanzooApi']) {
        expect(existsSync(join(out, `${stack}.template.json`)), stack).toBe(true);
      }
      // cdk-nag runs as a validation plugin of the app (infra/bin/app.ts); a finding would have failed the synth.
      const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8'));
      expect(report.pluginReports).toEqual([]);
      // The dashboard was built (or found up to date) and is what GanzooWeb deploys, not the placeholder.
      const built = readFileSync(join(REPO_ROOT, 'web', 'dist', 'index.html'), 'utf8');
      expect(built).toMatch(/<script type="module"[^>]* src="\.\/assets\/[^"]+\.js"/);
      const staged = readdirSync(out)
        .filter((name) => name.startsWith('asset.'))
        .map((name) => join(out, name, 'index.html'))
        .filter((path) => existsSync(path))
        .map((path) => readFileSync(path, 'utf8'));
      expect(staged).toContain(built);
      // Context lookups would have been cached next to cdk.json.
      expect(existsSync(join(REPO_ROOT, 'cdk.context.json'))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
