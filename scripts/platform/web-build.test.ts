import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../trainer/test-util.ts';
import { webBuildStale } from './web-build.ts';

/** A repository's dashboard sources and build, every file at `at` (seconds since the epoch). */
function layout(at: number): string {
  const root = scratchDir('web-build');
  for (const dir of ['web/src', 'web/public', 'web/dist', 'shared'])
    mkdirSync(join(root, dir), { recursive: true });
  const files = [
    'web/src/main.tsx',
    'web/index.html',
    'web/vite.config.ts',
    'shared/spec.ts',
    'web/dist/index.html',
  ];
  for (const f of files) writeFileSync(join(root, f), '');
  for (const p of [...files, 'web/src', 'web/public', 'web/dist', 'shared', 'web', '.'])
    utimesSync(join(root, p), at, at);
  return root;
}

describe('webBuildStale', () => {
  it('is stale when a file the dashboard imports from shared/ is newer than the build', () => {
    const root = layout(1_000_000);
    expect(webBuildStale(root)).toBe(false);
    utimesSync(join(root, 'shared/spec.ts'), 1_000_100, 1_000_100);
    expect(webBuildStale(root)).toBe(true);
  });

  it('is stale when web/src changed or the build is missing', () => {
    const root = layout(1_000_000);
    utimesSync(join(root, 'web/src/main.tsx'), 1_000_100, 1_000_100);
    expect(webBuildStale(root)).toBe(true);
    const unbuilt = layout(1_000_000);
    rmSync(join(unbuilt, 'web/dist/index.html'));
    expect(webBuildStale(unbuilt)).toBe(true);
  });
});
