/**
 * Uploads in the dashboard, end to end: `npm start` on a fresh data folder, Debian's chromium driven by
 * playwright-core. Picks a folder of 1,000 generated PNGs on the Datasets page, watches the per-file progress,
 * the validation reach READY and the version's preview load (checked against the API's record); then picks
 * the upload in the new-experiment form's dataset picker (listed for DCGAN, not for cGAN, which needs labels)
 * and trains a DCGAN on it for a few steps to SUCCEEDED, its run recording the upload; and drops a dozen
 * PNGs on the drop zone (a drop event whose DataTransfer the page builds: a test cannot drive the operating
 * system's drag) to READY. Screenshots go to test/e2e/artifacts/.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../../trainer/test-util.ts';
import { shapePng } from '../fixtures/shape-png.ts';
import { type Dashboard, openDashboard } from './harness.ts';

const IMAGES = 1000;
const DROPPED = 12;
const VALIDATE_TIMEOUT = 240_000;
const TRAIN_TIMEOUT = 300_000;

let dashboard: Dashboard;
let page: Page;
let dir: string;
let pageErrors: string[] = [];
let ref = '';

const shot = (name: string) => dashboard.shot(name);
const go = (hash: string) => dashboard.go(hash);

const api = <T>(path: string) => dashboard.api<T>(path);

interface Version {
  version: number;
  status: string;
  report?: { count: number; shape: number[] };
  manifestSha256?: string;
}

beforeAll(async () => {
  dir = scratchDir('e2e-upload');
  const folder = join(dir, 'shapes');
  mkdirSync(folder);
  for (let i = 0; i < IMAGES; i++)
    writeFileSync(join(folder, `${String(i).padStart(3, '0')}.png`), shapePng(i));
  dashboard = await openDashboard();
  ({ page, pageErrors } = dashboard);
}, 180_000);

afterAll(async () => {
  await dashboard?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('uploads in the dashboard', () => {
  it(
    'uploads a folder of PNGs from the Datasets page and follows it to READY with its preview',
    async () => {
      await page.getByRole('link', { name: 'Datasets' }).click();
      await page.getByRole('heading', { name: 'Datasets' }).waitFor();
      // The built-ins are listed with their previews.
      await page.locator('.builtins li', { hasText: 'mnist32' }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill('e2e-shapes');
      await page.getByLabel('Kind', { exact: true }).selectOption('images');
      await page.getByLabel('Size', { exact: true }).fill('32');
      await page.getByLabel('Channels', { exact: true }).selectOption('1');
      await page.getByLabel('Pick a folder').setInputFiles(join(dir, 'shapes'));
      expect(await page.getByTestId('chosen').textContent()).toMatch(new RegExp(`^${IMAGES} files`));
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      // Every file's bar, while it is sent.
      await page.locator('.file-progress li', { hasText: '000.png' }).waitFor();
      expect(await page.locator('.file-progress progress').count()).toBe(IMAGES);
      await page
        .getByTestId('upload-phase')
        .filter({ hasText: /^READY: train on it as upload:/ })
        .waitFor({ timeout: VALIDATE_TIMEOUT });
      ref =
        /upload:[a-z0-9]+@\d+/.exec((await page.getByTestId('upload-phase').textContent()) ?? '')?.[0] ?? '';
      expect(ref).toMatch(/^upload:u[a-z0-9]{12}@1$/);

      // The page's list agrees with the API's record of the version.
      const id = ref.slice('upload:'.length, ref.indexOf('@'));
      const { dataset } = await api<{ dataset: { name: string; versions: Version[] } }>(`/datasets/${id}`);
      expect(dataset.name).toBe('e2e-shapes');
      expect(dataset.versions[0]).toMatchObject({
        status: 'READY',
        report: { count: IMAGES, shape: [32, 32, 1] },
      });
      const row = page.getByTestId('upload-e2e-shapes').getByTestId('version-1');
      await row.getByText('READY').waitFor();
      await row.getByText(`${IMAGES} items, 32×32×1`).waitFor();
      await row.getByText(ref, { exact: true }).waitFor();
      const preview = row.getByRole('img', { name: 'A preview of version 1' });
      await preview.waitFor();
      // The preview grid actually loaded (a presigned GET through the local S3 gateway).
      await expect
        .poll(() => preview.evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 15_000 })
        .toBeGreaterThan(0);
      await shot('datasets-01-ready.png');
    },
    VALIDATE_TIMEOUT + 60_000,
  );

  it(
    'picks the upload in the new-experiment form and trains a DCGAN on it to SUCCEEDED',
    async () => {
      expect(ref).not.toBe('');
      // A family that trains only on labelled images is not offered an unlabelled upload.
      await go('#/new?family=cgan');
      await page.getByLabel('Family').waitFor();
      expect(await page.locator('#f-dataset option', { hasText: 'e2e-shapes' }).count()).toBe(0);

      await go('#/new?family=dcgan');
      await page.getByLabel('Family').waitFor();
      await page.getByRole('button', { name: 'Reset' }).click();
      await page.getByRole('button', { name: 'Smoke test' }).click();
      const option = page.locator('#f-dataset optgroup[label="Your uploads"] option', {
        hasText: 'e2e-shapes v1',
      });
      expect(await option.getAttribute('value')).toBe(ref);
      await page.locator('#f-dataset').selectOption(ref);
      await page.getByLabel(/^Steps/).fill('4');
      await shot('datasets-02-new-experiment.png');
      await page.getByRole('button', { name: 'Submit experiment' }).click();
      await page.waitForURL(/#\/runs\/[A-Za-z0-9_-]+$/);
      const runId = decodeURIComponent(/#\/runs\/([^/?]+)/.exec(page.url())?.[1] ?? '');
      await page.locator('h1 .badge', { hasText: 'SUCCEEDED' }).waitFor({ timeout: TRAIN_TIMEOUT });
      const run = await api<{ spec: { dataset: string }; upload?: { id: string; version: number } }>(
        `/experiments/${runId}`,
      );
      expect(run.spec.dataset).toBe(ref);
      expect(run.upload).toMatchObject({ version: 1 });
      await shot('datasets-03-trained.png');
      expect(pageErrors).toEqual([]);
    },
    TRAIN_TIMEOUT + 60_000,
  );

  it(
    'takes files dropped on the drop zone to READY',
    async () => {
      await go('#/datasets');
      await page.getByRole('heading', { name: 'Datasets' }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill('e2e-dropped');
      await page.getByLabel('Kind', { exact: true }).selectOption('images');
      await page.getByLabel('Size', { exact: true }).fill('32');
      await page.getByLabel('Channels', { exact: true }).selectOption('1');
      const pngs = Array.from({ length: DROPPED }, (_, i) => Buffer.from(shapePng(i)).toString('base64'));
      await page.getByTestId('dropzone').evaluate((zone, files) => {
        const data = new DataTransfer();
        files.forEach((b64, i) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          data.items.add(new File([bytes], `drop-${i}.png`, { type: 'image/png' }));
        });
        zone.dispatchEvent(
          new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }),
        );
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      }, pngs);
      expect(await page.getByTestId('chosen').textContent()).toMatch(new RegExp(`^${DROPPED} files`));
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await page
        .getByTestId('upload-phase')
        .filter({ hasText: /^READY: train on it as upload:/ })
        .waitFor({ timeout: VALIDATE_TIMEOUT });
      const row = page.getByTestId('upload-e2e-dropped').getByTestId('version-1');
      await row.getByText(`${DROPPED} items, 32×32×1`).waitFor();
      expect(pageErrors).toEqual([]);
    },
    VALIDATE_TIMEOUT + 60_000,
  );
});
