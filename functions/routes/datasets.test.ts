/**
 * The single-image upload kind through the API over dynalite and the in-process S3 (test/api-harness.ts):
 * declared with more than one image it is refused naming `files`, and nothing is stored; with one it is
 * taken; a READY one trains SinGAN and no family of another kind, and SinGAN on another kind is refused
 * naming the upload kind to use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../shared/run.ts';
import type { UploadedDataset } from '../../shared/uploads.ts';
import { type ApiHarness, startApiHarness } from '../../test/api-harness.ts';

let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

const json = { 'content-type': 'application/json' };
const declare = (body: unknown) =>
  h.request('/datasets', { method: 'POST', body: JSON.stringify(body), headers: json });
const single = (files: { path: string; bytes: number }[]) => ({
  name: 'my-photo',
  kind: 'single',
  layout: 'flat',
  size: 40,
  channels: 3,
  files,
});
const problemOf = async (res: Response) =>
  (await res.json()) as { detail: string; errors: { field: string; message: string }[] };

/** A version made READY as its validation job leaves it (the job itself is validateUpload's tests'). */
async function ready(d: UploadedDataset, count: number, shape: number[]): Promise<void> {
  await h.datasets.updateVersion(d.id, 1, (v) => ({ ...v, status: 'VALIDATING' }));
  await h.datasets.updateVersion(d.id, 1, (v) => ({
    ...v,
    status: 'READY',
    report: { count, shape, classNames: [], perClass: [count], resized: 0, converted: 0, notes: [] },
    manifestSha256: 'b'.repeat(64),
  }));
}

const singanOn = (dataset: string) => ({
  family: 'singan',
  dataset,
  steps: 8,
  batchSize: 1,
  evaluate: false,
  hyperparameters: { maxSize: 40, channels: 8, layers: 3 },
});

describe("the 'single' upload kind", () => {
  it('refuses a declaration of more than one image with a 400 naming files, and stores nothing', async () => {
    const before = await h.datasets.list('caller-one');
    const res = await declare(
      single([
        { path: 'a.png', bytes: 100 },
        { path: 'b.png', bytes: 100 },
      ]),
    );
    const problem = await problemOf(res);
    expect(res.status, JSON.stringify(problem)).toBe(400);
    expect(problem.errors).toContainEqual({
      field: 'files',
      message: "kind 'single' takes one image, not 2 files: upload the image alone",
    });
    expect(await h.datasets.list('caller-one')).toEqual(before);
  });

  it('takes one image, and a READY version trains singan and nothing of another kind', async () => {
    const res = await declare(single([{ path: 'photo.png', bytes: 5000 }]));
    const made = (await res.json()) as { dataset: UploadedDataset; uploads: { path: string }[] };
    expect(res.status, JSON.stringify(made)).toBe(201);
    expect(made.dataset.versions[0]).toMatchObject({ kind: 'single', layout: 'flat', status: 'UPLOADING' });
    expect(made.uploads.map((u) => u.path)).toEqual(['photo.png']);
    await ready(made.dataset, 1, [40, 40, 3]);
    const ref = `upload:${made.dataset.id}@1`;

    const trained = await h.submit(singanOn(ref));
    const run = (await trained.json()) as RunRecord;
    expect(trained.status, JSON.stringify(run)).toBe(201);
    expect(run.upload).toMatchObject({ id: made.dataset.id, kind: 'single', shape: [40, 40, 3], count: 1 });

    const dcgan = await h.submit({ family: 'dcgan', dataset: ref, steps: 4, batchSize: 8, evaluate: false });
    const problem = await problemOf(dcgan);
    expect(dcgan.status).toBe(400);
    expect(problem.errors.map((e) => e.field)).toEqual(['dataset']);
    expect(problem.detail).toMatch(
      /'my-photo' version 1 holds a single image: upload as kind 'labelled' or 'images'/,
    );
  });

  it("refuses singan on an upload of many images, naming the kind 'single'", async () => {
    const res = await declare({ ...single([{ path: 'a.png', bytes: 100 }]), name: 'many', kind: 'images' });
    const made = (await res.json()) as { dataset: UploadedDataset };
    expect(res.status).toBe(201);
    await ready(made.dataset, 60, [40, 40, 3]);
    const refused = await h.submit(singanOn(`upload:${made.dataset.id}@1`));
    const problem = await problemOf(refused);
    expect(refused.status).toBe(400);
    expect(problem.detail).toMatch(
      /family 'singan' trains on a single image; 'many' version 1 holds images: upload as kind 'single'/,
    );
  });
});
