/** extract-wheel.py on small wheels made here: what lands in deps/, and a clear error for a wrong wheel. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, 'extract-wheel.py');
const python = process.env.GANZOO_PYTHON ?? 'python3';

/** Writes a zip (a wheel is one) holding `files`, name -> text. */
function wheel(dir: string, files: Record<string, string>): string {
  const path = join(dir, 'tensorflow_cpu-test.whl');
  const code =
    'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n' +
    '    for k, v in json.loads(sys.argv[2]).items(): z.writestr(k, v)';
  const r = spawnSync(python, ['-c', code, path, JSON.stringify(files)], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return path;
}

function extract(whl: string, dest: string) {
  return spawnSync(python, [SCRIPT, whl, dest], { encoding: 'utf8' });
}

describe('extract-wheel.py', () => {
  it('copies the two libraries, the C API headers and the licence, and links the names the binding links', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ganzoo-wheel-'));
    const whl = wheel(dir, {
      'tensorflow/libtensorflow_cc.so.2': 'cc',
      'tensorflow/libtensorflow_framework.so.2': 'fw',
      'tensorflow/include/tensorflow/c/c_api.h': 'api',
      'tensorflow/include/tensorflow/c/eager/c_api.h': 'eager',
      'tensorflow/include/tensorflow/core/platform/ctstring_internal.h': 'ct',
      'tensorflow/include/tsl/platform/ctstring_internal.h': 'tsl',
      'tensorflow/include/Eigen/Core': 'not needed',
      'tensorflow/python/_pywrap_tensorflow_internal.so': 'not needed',
      'tensorflow_cpu-2.16.2.dist-info/LICENSE': 'Apache',
    });
    const deps = join(dir, 'deps');
    const r = extract(whl, deps);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(deps, 'lib/libtensorflow_cc.so.2'), 'utf8')).toBe('cc');
    expect(readlinkSync(join(deps, 'lib/libtensorflow.so'))).toBe('libtensorflow_cc.so.2');
    expect(readlinkSync(join(deps, 'lib/libtensorflow_framework.so'))).toBe('libtensorflow_framework.so.2');
    expect(readFileSync(join(deps, 'include/tensorflow/c/eager/c_api.h'), 'utf8')).toBe('eager');
    expect(readFileSync(join(deps, 'include/tsl/platform/ctstring_internal.h'), 'utf8')).toBe('tsl');
    expect(readFileSync(join(deps, 'LICENSE'), 'utf8')).toBe('Apache');
    expect(existsSync(join(deps, 'include/Eigen'))).toBe(false);
    expect(existsSync(join(deps, 'lib/_pywrap_tensorflow_internal.so'))).toBe(false);
    // Again over the same folder: the links are replaced, not an error.
    expect(extract(whl, deps).status).toBe(0);
  });

  it('names the missing libraries of a wheel without the C API library (as 2.9 wheels are)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ganzoo-wheel-'));
    const whl = wheel(dir, {
      'tensorflow/libtensorflow_framework.so.2': 'fw',
      'tensorflow/python/_pywrap_tensorflow_internal.so': 'C API with Python symbols',
    });
    const r = extract(whl, join(dir, 'deps'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('missing libtensorflow_cc.so.2 (wheels before 2.12');
  });
});
