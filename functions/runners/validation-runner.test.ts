/**
 * The local validation job against the in-process emulators (S3, DynamoDB): a job that answers leaves its
 * answer; a job that dies before answering (here out of memory: V8's heap capped by NODE_OPTIONS, so it
 * aborts) fails its version with what happened and where its log is, and nothing of the version is kept;
 * a version a stopped platform left VALIDATING is validated again when the next one starts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFiles, uploadPrefix } from '../../shared/keys.ts';
import { DatasetsTable } from '../../shared/storage/datasets-table.ts';
import { S3Objects } from '../../shared/storage/s3-objects.ts';
import type { DatasetVersion, UploadedDataset } from '../../shared/uploads.ts';
import { EMULATOR_CREDENTIALS, type Emulators, startEmulators } from '../../test/emulators.ts';
import { shapePng } from '../../test/fixtures/shape-png.ts';
import { LocalDatasetValidator } from './validation-runner.ts';

const OWNER = 'local';
const RETRY = { attempts: 1, baseMs: 0, maxMs: 0 };
let emulators: Emulators;
let table: DatasetsTable;
let objects: S3Objects;
let logsDir: string;

beforeAll(async () => {
  emulators = await startEmulators();
  await Promise.all([emulators.createRunsTable('runs'), emulators.createBucket('bucket')]);
  table = new DatasetsTable({ client: emulators.dynamoClient(), table: 'runs', retry: RETRY });
  objects = new S3Objects({ client: emulators.s3Client(), bucket: 'bucket', retry: RETRY });
  logsDir = mkdtempSync(join(tmpdir(), 'ganzoo-validation-'));
});
afterAll(async () => {
  await emulators?.stop();
  if (logsDir) rmSync(logsDir, { recursive: true, force: true });
});

/** A version of one PNG, sent and completed (VALIDATING), as POST /datasets/{id}/complete leaves it. */
async function validating(id: string): Promise<UploadedDataset> {
  const png = shapePng(3);
  const at = new Date().toISOString();
  const version = (n: number): DatasetVersion => ({
    version: n,
    status: 'UPLOADING',
    createdAt: at,
    updatedAt: at,
    kind: 'images',
    layout: 'flat',
    size: 32,
    channels: 1,
    resize: true,
    files: [{ path: 'a.png', bytes: png.length }],
  });
  await table.addVersion(OWNER, id, id, at, version);
  await objects.put(uploadPrefix(OWNER, id, 1) + uploadFiles.raw('a.png'), png, 'image/png');
  return (await table.updateVersion(id, 1, (v) => ({ ...v, status: 'VALIDATING' })))!;
}

function validator(env: Record<string, string> = {}) {
  const exits: { jobId: string; code: number | null }[] = [];
  const v = new LocalDatasetValidator({
    bucket: 'bucket',
    table: 'runs',
    logsDir,
    s3Endpoint: emulators.s3Endpoint,
    dynamoEndpoint: emulators.dynamoEndpoint,
    region: emulators.region,
    credentials: EMULATOR_CREDENTIALS,
    datasets: { table, objects },
    env,
    onExit: (jobId, code) => exits.push({ jobId, code }),
    log: () => {},
  });
  return { v, exits };
}

describe('the local validation job', () => {
  it('answers READY, and its exit changes nothing', async () => {
    const dataset = await validating('uanswered0001');
    const { v, exits } = validator();
    await v.validate(dataset, 1);
    await v.idle();
    expect(exits).toEqual([{ jobId: 'local-validate-uanswered0001-1', code: 0 }]);
    const version = (await table.get(dataset.id))!.versions[0]!;
    expect(version.status).toBe('READY');
    expect(version.report?.count).toBe(1);
  });

  it('dies out of memory before answering: FAILED with what happened and its log, nothing kept', async () => {
    const dataset = await validating('uoutofmemory1');
    const { v, exits } = validator({ NODE_OPTIONS: '--max-old-space-size=16' });
    await v.validate(dataset, 1);
    await v.idle();
    // Node aborts when its heap is exhausted.
    expect(exits).toEqual([{ jobId: 'local-validate-uoutofmemory1-1', code: null }]);
    const version = (await table.get(dataset.id))!.versions[0]!;
    expect(version.status).toBe('FAILED');
    const log = join(logsDir, 'local-validate-uoutofmemory1-1.log');
    expect(version.reason).toBe(
      `the validation job was killed by SIGABRT; its log is ${log}; it ran out of memory: upload fewer or smaller images, or declare a smaller size; nothing of this version was kept: upload again`,
    );
    expect(readFileSync(log, 'utf8')).toMatch(/heap out of memory/);
    expect(await objects.keys(uploadPrefix(OWNER, dataset.id, 1))).toEqual([]);
  });

  it('a validation left VALIDATING by a platform that stopped is started again, and only that one', async () => {
    // The versions above have ended (READY, FAILED); this one's job stopped with its platform.
    const dataset = await validating('uorphaned0001');
    const { v, exits } = validator();
    expect(await v.reconcile()).toEqual(['uorphaned0001@1']);
    await v.idle();
    expect(exits).toEqual([{ jobId: 'local-validate-uorphaned0001-1', code: 0 }]);
    expect((await table.get(dataset.id))!.versions[0]!.status).toBe('READY');
    expect(await v.reconcile()).toEqual([]);
  });
});
