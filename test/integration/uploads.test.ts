/**
 * The user's own images on the cloud path, every part the production code: a dataset declared through the
 * API as Lambda builds it, its files PUT to S3 (LocalStack) through the presigned URLs the API answered (the
 * clients' own sender, shared/api/send-upload.ts), a large file part by part with the ETags the PUTs
 * answered; `complete` submits the validation job to Batch (moto), the trainer image's entry point runs as
 * Batch would run that job, and the version reaches READY in DynamoDB (moto) with its manifest and preview
 * in S3, or FAILED with its reason and nothing kept. A validation job that dies without answering fails its
 * version through Batch's state-change event.
 */
import { createHash } from 'node:crypto';
import type { JobDetail } from '@aws-sdk/client-batch';
import { ListPartsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchJobDetail, createBatchStateHandler } from '../../functions/events/batch-state.ts';
import { DynamoRunStore } from '../../functions/stores/run-store.ts';
import type { CompleteDataset, CreatedDataset, DatasetView } from '../../shared/api/schemas.ts';
import { sendUpload } from '../../shared/api/send-upload.ts';
import { uploadFiles, uploadPrefix } from '../../shared/keys.ts';
import { seededRandom } from '../../shared/random.ts';
import { DatasetsTable } from '../../shared/storage/datasets-table.ts';
import { S3Objects } from '../../shared/storage/s3-objects.ts';
import { ManifestSchema, UPLOAD_LIMITS, type UploadedDataset } from '../../shared/uploads.ts';
import { decodePng, encodePng } from '../../trainer/render/png.ts';
import { shapePng } from '../fixtures/shape-png.ts';
import { zip } from '../fixtures/zip-archive.ts';
import { type Deployment, deploy, GPU, requestAs, SUBJECT } from './aws.ts';
import { jobEnvironment, startTrainerJob } from './trainer-job.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

let d: Deployment;
let table: DatasetsTable;
let objects: S3Objects;
beforeAll(async () => {
  d = await deploy();
  table = new DatasetsTable({ table: d.table, retry: { attempts: 1, baseMs: 0, maxMs: 0 } });
  objects = new S3Objects({ bucket: d.bucket, retry: { attempts: 1, baseMs: 0, maxMs: 0 } });
});
afterAll(() => d?.destroy());

const api = () => requestAs(d.app());
const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** POST /datasets for these files; the answer (201). */
async function declare(
  declaration: Record<string, unknown>,
  files: Map<string, Uint8Array>,
): Promise<CreatedDataset> {
  const res = await api()(
    '/datasets',
    json({ ...declaration, files: [...files].map(([path, b]) => ({ path, bytes: b.length })) }),
  );
  if (res.status !== 201) throw new Error(`POST /datasets answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as CreatedDataset;
}

/** Every file PUT to its presigned URL(s), as the CLI and the dashboard send them. */
const send = (created: CreatedDataset, files: Map<string, Uint8Array>) =>
  sendUpload(created, { read: async (path) => files.get(path)!, fetch: globalThis.fetch });

async function complete(
  created: CreatedDataset,
  body: CompleteDataset,
): Promise<{ view: DatasetView; job: JobDetail }> {
  const res = await api()(`/datasets/${created.dataset.id}/complete`, json(body));
  if (res.status !== 202) throw new Error(`complete answered ${res.status}: ${await res.text()}`);
  const view = (await res.json()) as DatasetView;
  const jobId = view.dataset.versions.find((v) => v.version === body.version)?.jobId;
  if (!jobId) throw new Error('the completed version names no validation job');
  return { view, job: await d.job(jobId) };
}

/** trainer/job.ts as Batch runs the validation job's container; resolves with its exit. */
async function runJob(job: JobDetail) {
  const ran = startTrainerJob(job);
  return ran.exited;
}

const stored = async (id: string): Promise<UploadedDataset> => {
  const dataset = await table.get(id);
  if (!dataset) throw new Error(`dataset ${id} is not in ${d.table}`);
  return dataset;
};
const prefixOf = (created: CreatedDataset) =>
  uploadPrefix(SUBJECT, created.dataset.id, created.version.version);
const keysUnder = async (prefix: string) => (await d.keys()).filter((k) => k.startsWith(prefix));

/** Batch's state-change events for a job, built from moto's description of it, as EventBridge delivers them. */
function batchEvents() {
  const logged: string[] = [];
  const handle = createBatchStateHandler({
    runStore: new DynamoRunStore({ table: d.table }),
    datasets: { table, objects },
    log: (line) => logged.push(line),
  });
  const event = (job: JobDetail, status: string, extra: Partial<BatchJobDetail> = {}) =>
    handle({
      source: 'aws.batch',
      'detail-type': 'Batch Job State Change',
      detail: { ...(job as BatchJobDetail), status, ...extra },
    });
  return { event, logged };
}

/** An RGB image of noise: PNG cannot compress it, so a few hundred make a zip past the multipart threshold. */
function noisePng(seed: number, side: number): Uint8Array {
  const random = seededRandom(seed);
  const pixels = new Uint8Array(side * side * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(random() * 256);
  return encodePng({ width: side, height: side, channels: 3, pixels });
}

/** Two images, for a kind that takes one. */
const files2 = () =>
  new Map<string, Uint8Array>([
    ['a.png', noisePng(42, 40)],
    ['b.png', noisePng(43, 40)],
  ]);

describe('uploaded datasets through the API, S3, Batch and the validation job', () => {
  it('a folder of PNGs: presigned PUTs, a validation job on Batch, READY with its manifest and preview', async () => {
    const files = new Map<string, Uint8Array>();
    for (let i = 0; i < 300; i++) files.set(`${String(i).padStart(3, '0')}.png`, shapePng(i));
    const created = await declare(
      { name: 'shapes', kind: 'images', layout: 'flat', size: 32, channels: 1 },
      files,
    );
    expect(created.version).toMatchObject({ version: 1, status: 'UPLOADING' });
    // Small files go in one PUT each, signed for S3 itself (the endpoint the SDK was pointed at).
    expect(created.uploads).toHaveLength(300);
    for (const target of created.uploads) {
      expect('url' in target).toBe(true);
      if ('url' in target) expect(target.url.startsWith(process.env.AWS_ENDPOINT_URL_S3!)).toBe(true);
    }
    const body = await send(created, files);
    expect(body).toEqual({ version: 1, parts: [] });
    const prefix = prefixOf(created);
    expect(await keysUnder(prefix)).toHaveLength(300);

    const { view, job } = await complete(created, body);
    const v = view.dataset.versions[0]!;
    expect(v.status).toBe('VALIDATING');
    // The job as Batch holds it: the trainer's definition on the Spot-first queue, told to validate this version.
    expect(job.jobId).toBe(v.jobId);
    expect(job.jobName).toBe(`validate-${created.dataset.id}-v1`);
    expect(job.jobQueue).toBe(d.queues[GPU]!.spot);
    expect(job.jobDefinition).toContain(d.jobDefinition);
    // (moto adds AWS_BATCH_JOB_ID to the environment it describes.)
    expect(jobEnvironment(job)).toMatchObject({
      GANZOO_TASK: 'validate-dataset',
      GANZOO_DATASET_ID: created.dataset.id,
      GANZOO_DATASET_VERSION: '1',
      GANZOO_BUCKET: d.bucket,
      GANZOO_TABLE: d.table,
    });
    expect(jobEnvironment(job).GANZOO_RUN_ID).toBeUndefined();
    expect(job.tags).toMatchObject({ 'ganzoo:dataset': created.dataset.id });

    const exit = await runJob(job);
    expect(exit.stderr).not.toMatch(/error|failed/i);
    expect(exit.code).toBe(0);

    // READY in DynamoDB, with the sha256 of the manifest that is in S3.
    const ready = (await stored(created.dataset.id)).versions[0]!;
    expect(ready.status).toBe('READY');
    expect(ready.report).toMatchObject({ count: 300, shape: [32, 32, 1], resized: 0, converted: 0 });
    expect((await keysUnder(prefix)).map((k) => k.slice(prefix.length))).toEqual(
      [uploadFiles.images, uploadFiles.labels, uploadFiles.manifest, uploadFiles.preview].sort(),
    );
    const manifestBytes = (await objects.get(prefix + uploadFiles.manifest))!;
    expect(sha256(manifestBytes)).toBe(ready.manifestSha256);
    const manifest = ManifestSchema.parse(JSON.parse(new TextDecoder().decode(manifestBytes)));
    expect(manifest).toMatchObject({ dataset: created.dataset.id, version: 1, kind: 'images' });
    // Each file as the user sent it, by its own sha256; the packed images as the manifest says.
    expect(manifest.files).toHaveLength(300);
    for (const f of manifest.files) expect(f.sha256).toBe(sha256(files.get(f.path)!));
    const images = (await objects.get(prefix + uploadFiles.images))!;
    expect(images.length).toBe(300 * 32 * 32);
    expect(sha256(images)).toBe(manifest.imagesSha256);
    // The first image packed is the first file's pixels.
    expect([...images.subarray(0, 32 * 32)]).toEqual([...decodePng(files.get('000.png')!).pixels]);

    // The preview, through the presigned URL the API answers.
    const shown = (await (await api()(`/datasets/${created.dataset.id}`)).json()) as DatasetView;
    expect(shown.dataset.versions[0]!.status).toBe('READY');
    const preview = await fetch(shown.previews[0]!.url);
    expect(preview.status).toBe(200);
    const png = new Uint8Array(await preview.arrayBuffer());
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(sha256(png)).toBe(sha256((await objects.get(prefix + uploadFiles.preview))!));

    // Batch's events for the job that answered, and a late failure, change nothing.
    const { event } = batchEvents();
    const before = await stored(created.dataset.id);
    expect((await event(job, 'SUCCEEDED')).outcome).toBe('ignored');
    expect((await event(job, 'FAILED', { statusReason: 'late' })).outcome).toBe('ignored');
    expect(await stored(created.dataset.id)).toEqual(before);
  });

  it('a file that is not an image: FAILED with the reason, nothing of the version kept', async () => {
    const files = new Map<string, Uint8Array>([
      ['001.png', shapePng(1)],
      ['notes.txt', new TextEncoder().encode('these are my notes, not an image\n')],
    ]);
    const elsewhere = await d.keys();
    const created = await declare(
      { name: 'notes', kind: 'images', layout: 'flat', size: 32, channels: 1 },
      files,
    );
    const { job } = await complete(created, await send(created, files));
    expect(await keysUnder(prefixOf(created))).toHaveLength(2);
    const exit = await runJob(job);
    // A refusal is an answer, not a crash.
    expect(exit.code).toBe(0);
    const failed = (await stored(created.dataset.id)).versions[0]!;
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toMatch(/'notes.txt' is not a PNG or JPEG image/);
    expect(failed.report).toBeUndefined();
    expect(failed.manifestSha256).toBeUndefined();
    // Nothing of it in the bucket, and nothing else touched.
    expect(await keysUnder(prefixOf(created))).toEqual([]);
    expect(await d.keys()).toEqual(elsewhere);
    // The API shows the reason and no preview.
    const shown = (await (await api()(`/datasets/${created.dataset.id}`)).json()) as DatasetView;
    expect(shown.dataset.versions[0]).toMatchObject({ status: 'FAILED', reason: failed.reason });
    expect(shown.previews).toEqual([]);
  });

  it("kind 'single': one image READY; loose files refused with a 400, a zip of two FAILED, nothing kept", async () => {
    const photo = noisePng(41, 48);
    const declaration = { name: 'my-photo', kind: 'single', layout: 'flat', size: 40, channels: 3 };
    const one = await declare(declaration, new Map([['photo.png', photo]]));
    const { job } = await complete(one, await send(one, new Map([['photo.png', photo]])));
    expect((await runJob(job)).code).toBe(0);
    const ready = (await stored(one.dataset.id)).versions[0]!;
    expect(ready).toMatchObject({ status: 'READY', kind: 'single' });
    expect(ready.report).toMatchObject({ count: 1, shape: [40, 40, 3], resized: 1 });

    const elsewhere = await d.keys();
    const twoFiles = files2();
    const refused = await api()(
      '/datasets',
      json({ ...declaration, files: [...twoFiles].map(([path, b]) => ({ path, bytes: b.length })) }),
    );
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(
      "kind 'single' takes one image, not 2 files: upload the image alone",
    );
    expect(await d.keys()).toEqual(elsewhere);

    const archive = new Map([['photos.zip', zip([...twoFiles].map(([name, data]) => ({ name, data })))]]);
    const zipped = await declare(declaration, archive);
    const zipJob = (await complete(zipped, await send(zipped, archive))).job;
    expect((await runJob(zipJob)).code).toBe(0);
    const failed = (await stored(zipped.dataset.id)).versions.at(-1)!;
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toMatch(/kind 'single' takes one image; the upload holds 2 \(a.png, b.png\)/);
    expect(await keysUnder(prefixOf(zipped))).toEqual([]);
  });

  it('a zip over the multipart threshold: sent in parts, joined with the ETags the PUTs answered, READY', async () => {
    const side = 64;
    const entries: { name: string; data: Uint8Array }[] = [];
    let bytes = 0;
    for (let i = 0; bytes < UPLOAD_LIMITS.partBytes + 512 * 1024; i++) {
      const data = noisePng(i + 1, side);
      entries.push({ name: `noise/${String(i).padStart(4, '0')}.png`, data });
      bytes += data.length;
    }
    const archive = zip(entries);
    const files = new Map([['noise.zip', archive]]);
    expect(archive.length).toBeGreaterThan(UPLOAD_LIMITS.partBytes);
    const created = await declare({ name: 'noise', kind: 'images', layout: 'flat', size: side }, files);
    const [target] = created.uploads;
    if (!target || 'url' in target) throw new Error('a file over the threshold must be uploaded in parts');
    expect(target.partBytes).toBe(UPLOAD_LIMITS.partBytes);
    expect(target.parts.map((p) => p.partNumber)).toEqual([1, 2]);

    const body = await send(created, files);
    const sent = body.parts?.[0];
    expect(sent).toMatchObject({ path: 'noise.zip', uploadId: target.uploadId });
    // The ETags read from the PUT responses are the ones S3 holds for the parts.
    const listed = await d.s3.send(
      new ListPartsCommand({
        Bucket: d.bucket,
        Key: prefixOf(created) + uploadFiles.raw('noise.zip'),
        UploadId: target.uploadId,
      }),
    );
    expect(listed.Parts?.map((p) => ({ partNumber: p.PartNumber, etag: p.ETag }))).toEqual(sent?.etags);
    expect(listed.Parts?.map((p) => p.Size)).toEqual([
      UPLOAD_LIMITS.partBytes,
      archive.length - UPLOAD_LIMITS.partBytes,
    ]);

    const { job } = await complete(created, body);
    // Joined by the API: one object, the archive's bytes.
    const joined = await objects.get(prefixOf(created) + uploadFiles.raw('noise.zip'));
    expect(joined && sha256(joined)).toBe(sha256(archive));

    const exit = await runJob(job);
    expect(exit.stderr).not.toMatch(/error|failed/i);
    expect(exit.code).toBe(0);
    const ready = (await stored(created.dataset.id)).versions[0]!;
    expect(ready.status).toBe('READY');
    expect(ready.report).toMatchObject({ count: entries.length, shape: [side, side, 3], resized: 0 });
    const manifest = ManifestSchema.parse(
      JSON.parse(new TextDecoder().decode((await objects.get(prefixOf(created) + uploadFiles.manifest))!)),
    );
    expect(manifest.files.map((f) => f.sha256)).toEqual(entries.map((e) => sha256(e.data)));
    const images = (await objects.get(prefixOf(created) + uploadFiles.images))!;
    expect(images.length).toBe(entries.length * side * side * 3);
    expect(await keysUnder(prefixOf(created) + uploadFiles.rawDir)).toEqual([]);
  });

  it('a validation job killed before it answered: its Batch FAILED event fails the version, nothing kept', async () => {
    const files = new Map<string, Uint8Array>();
    for (let i = 0; i < 20; i++) files.set(`${i}.png`, shapePng(i));
    const created = await declare(
      { name: 'killed', kind: 'images', layout: 'flat', size: 32, channels: 1 },
      files,
    );
    const { job } = await complete(created, await send(created, files));
    const { event, logged } = batchEvents();
    for (const s of ['SUBMITTED', 'RUNNABLE', 'STARTING', 'RUNNING'])
      expect((await event(job, s, { attempts: [] })).outcome).toBe('ignored');

    // The container killed as the out-of-memory killer kills it: no chance to write anything.
    const ran = startTrainerJob(job);
    ran.child.kill('SIGKILL');
    const exit = await ran.exited;
    expect(exit.signal).toBe('SIGKILL');
    expect((await stored(created.dataset.id)).versions[0]!.status).toBe('VALIDATING');

    // What Batch then reports of the job (its last attempt's container: killed, 128 + 9).
    const killed = {
      statusReason: 'Essential container in task exited',
      attempts: [
        {
          container: { exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
          statusReason: 'Essential container in task exited',
        },
      ],
    };
    const out = await event(job, 'FAILED', killed);
    expect(out).toMatchObject({ outcome: 'dataset failed', datasetId: created.dataset.id, version: 1 });
    const failed = (await stored(created.dataset.id)).versions[0]!;
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toBe(
      `the validation job (Batch job ${job.jobId}) failed: Essential container in task exited; OutOfMemoryError: Container killed due to memory usage; exit code 137; it ran out of memory: upload fewer or smaller images, or declare a smaller size; nothing of this version was kept: upload again`,
    );
    expect(await keysUnder(prefixOf(created))).toEqual([]);
    expect(logged.at(-1)).toContain(`dataset ${created.dataset.id} version 1: FAILED`);

    // Delivered again: the version stands as it is.
    const after = await stored(created.dataset.id);
    expect((await event(job, 'FAILED', killed)).outcome).toBe('ignored');
    expect(await stored(created.dataset.id)).toEqual(after);
    // The job started again (as Batch retries an attempt lost with its host) finds nothing to validate: it
    // says so and exits 1, changing nothing.
    const retried = await runJob(job);
    expect(retried.code).toBe(1);
    expect(retried.stderr).toMatch(/is FAILED, not VALIDATING/);
    expect(await stored(created.dataset.id)).toEqual(after);
  });

  it('a validation job Batch reports SUCCEEDED without its answer: FAILED, not VALIDATING forever', async () => {
    const files = new Map([['0.png', shapePng(0)]]);
    const created = await declare(
      { name: 'unanswered', kind: 'images', layout: 'flat', size: 32, channels: 1 },
      files,
    );
    const { job } = await complete(created, await send(created, files));
    // moto ran nothing and marked the job SUCCEEDED: its own description is the event.
    expect(job.status).toBe('SUCCEEDED');
    const { event } = batchEvents();
    const out = await event(job, job.status!);
    expect(out.outcome).toBe('dataset failed');
    const failed = (await stored(created.dataset.id)).versions[0]!;
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toBe(
      `the validation job (Batch job ${job.jobId}) ended without a result; nothing of this version was kept: upload again`,
    );
    expect(await keysUnder(prefixOf(created))).toEqual([]);
  });
});
