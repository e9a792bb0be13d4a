import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runFiles } from '../../shared/keys.ts';
import { type Emulators, startEmulators } from '../../test/emulators.ts';
import { DynamoStatusSink } from './dynamodb.ts';
import { LocalArtifactSink } from './local.ts';
import { openSinks } from './open.ts';
import { S3ArtifactSink } from './s3.ts';
import { FileStatusSink } from './status-file.ts';

const saved = { ...process.env };
let dir: string;
let emu: Emulators;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ganzoo-open-'));
  emu = await startEmulators();
  await emu.createBucket('ganzoo-artifacts');
  await emu.createRunsTable('ganzoo-runs');
});

afterEach(() => {
  process.env = { ...saved };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await emu.stop();
});

function setEnv(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

describe('openSinks', () => {
  it('writes to a local folder when no bucket is configured', async () => {
    setEnv({ GANZOO_BUCKET: undefined, GANZOO_TABLE: undefined });
    const out = join(dir, 'local-run');
    const { artifacts, status } = openSinks({ runId: 'local-run', out });
    expect(artifacts).toBeInstanceOf(LocalArtifactSink);
    expect(status).toBeInstanceOf(FileStatusSink);
    await artifacts.put(runFiles.spec, '{}');
    await status.report({ runId: 'local-run', status: 'STARTING', attempt: 1 });
    expect(JSON.parse(await readFile(join(out, 'status.json'), 'utf8')).status).toBe('STARTING');
  });

  it('says what to do when there is nowhere to write', () => {
    setEnv({ GANZOO_BUCKET: undefined, GANZOO_TABLE: undefined });
    expect(() => openSinks({ runId: 'r1' })).toThrow(/nowhere to write artifacts.*GANZOO_BUCKET/);
    setEnv({ GANZOO_BUCKET: 'b' });
    expect(() => openSinks({ runId: 'r1' })).toThrow(/GANZOO_TABLE is not/);
  });

  it('rejects an invalid run id before touching anything', () => {
    setEnv({ GANZOO_BUCKET: 'b', GANZOO_TABLE: 't' });
    expect(() => openSinks({ runId: '../x' })).toThrow(/invalid run id/);
  });

  it('uses S3 and DynamoDB from the environment, reaching the emulators through the SDK endpoint variables', async () => {
    setEnv({
      ...emu.env(),
      GANZOO_BUCKET: 'ganzoo-artifacts',
      GANZOO_TABLE: 'ganzoo-runs',
      GANZOO_RETRY_ATTEMPTS: '2',
    });
    const { artifacts, status } = openSinks({ runId: 'cloud-run', seed: { owner: 'batch' } });
    expect(artifacts).toBeInstanceOf(S3ArtifactSink);
    expect(artifacts.location).toBe('s3://ganzoo-artifacts/runs/cloud-run/');
    expect(status).toBeInstanceOf(DynamoStatusSink);
    await artifacts.put(runFiles.sample(0), new Uint8Array([1, 2]));
    expect(await artifacts.list(runFiles.samplesDir)).toEqual(['samples/00000000.png']);
    await status.report({ runId: 'cloud-run', status: 'STARTING', attempt: 1 });
    expect(await (status as DynamoStatusSink).read('cloud-run')).toMatchObject({
      owner: 'batch',
      status: 'STARTING',
    });
  });

  it('keeps status in the local folder when only a bucket is configured', () => {
    setEnv({ ...emu.env(), GANZOO_BUCKET: 'ganzoo-artifacts', GANZOO_TABLE: undefined });
    const { artifacts, status } = openSinks({ runId: 'half', out: join(dir, 'half') });
    expect(artifacts).toBeInstanceOf(S3ArtifactSink);
    expect(status).toBeInstanceOf(FileStatusSink);
  });
});
