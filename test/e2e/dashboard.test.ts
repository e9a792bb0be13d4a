/**
 * The dashboard end to end: `npm start` on a fresh data folder, Debian's chromium driven by playwright-core.
 * Signs in from the printed link, submits a tiny DCGAN run from the form, watches it reach SUCCEEDED, steps
 * its gallery, clones it into a second run, compares the two under one slider, generates images from the
 * exported generators in the browser (a conditional one by class; pix2pix and CycleGAN translating a drawn
 * input; PGGAN and StyleGAN with truncation and style mixing; SRGAN enlarging an upload x4; SinGAN at another
 * size and rendering a painting; a Conditional
 * Analogy GAN putting a picked article on a picked person), checks the catalog against GET /models, keeps a
 * form draft across an expired session, cancels and resumes a run, and shows a lost API connection.
 * Screenshots go to test/e2e/artifacts/.
 */
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, openDashboard, type RunningPlatform } from './harness.ts';

const TRAIN_TIMEOUT = 120_000;
/** How long a page may take to settle after an action, on a machine whose cores other work shares. */
const POLL_TIMEOUT = 15_000;

let platform: RunningPlatform;
let dashboard: Dashboard;
let page: Page;
let pageErrors: string[] = [];
let firstRun = '';
let secondRun = '';
let conditionalRun = '';

const shot = (name: string) => dashboard.shot(name);
const go = (hash: string) => dashboard.go(hash);
const runIdFromUrl = () => decodeURIComponent(/#\/runs\/([^/?]+)/.exec(page.url())?.[1] ?? '');

async function submitViaApi(spec: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${platform.url}/experiments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${platform.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Form controls a screen reader could not name: no label, no aria-label, no text. */
const unlabeledControls = () =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('input, select, textarea, button'))
      .filter(
        (el) =>
          !(el as HTMLInputElement).labels?.length &&
          !el.getAttribute('aria-label') &&
          !(el.textContent ?? '').trim(),
      )
      .map((el) => el.outerHTML.slice(0, 120)),
  );

async function waitForStatus(status: string) {
  await page.locator('h1 .badge', { hasText: status }).waitFor({ timeout: TRAIN_TIMEOUT });
}

/** Trains a tiny `spec` (4 steps) to SUCCEEDED through the API and opens its generator in the playground. */
async function playgroundOf(spec: Record<string, unknown>): Promise<Locator> {
  const id = await submitViaApi({ steps: 4, batchSize: 4, sampleEvery: 2, evaluate: false, ...spec });
  await go(`#/runs/${id}`);
  await waitForStatus('SUCCEEDED');
  await go(`#/playground/${id}`);
  const canvas = page.locator('canvas').first();
  await expect.poll(() => canvas.getAttribute('data-generated'), { timeout: 60_000 }).not.toBe('0');
  return canvas;
}

/** A canvas's RGBA bytes, joined: what two draws are compared by. */
const pixelsOf = (canvas: Locator) =>
  canvas.evaluate((c: HTMLCanvasElement) =>
    Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data).join(','),
  );

beforeAll(async () => {
  dashboard = await openDashboard(undefined, { signIn: false });
  ({ platform, page, pageErrors } = dashboard);
}, 180_000);

afterAll(async () => {
  await dashboard?.close();
});

describe('the dashboard against npm start', () => {
  it('signs in from the link npm start prints', async () => {
    await page.goto(platform.signInUrl);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    expect(page.url()).toMatch(/#\/runs$/);
    expect(page.url()).not.toContain(platform.token);
    await page.getByText('No runs yet.').waitFor();
    // Keyboard users start at the skip link, then the navigation.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await shot('01-runs-empty.png');
  });

  it('submits a tiny DCGAN run from the form built from the schemas', async () => {
    await go('#/new?family=dcgan');
    await page.getByLabel('Family').waitFor();
    expect(await page.getByLabel('Family').inputValue()).toBe('dcgan');
    // Defaults come from the schemas the API serves.
    expect(await page.getByLabel(/^Steps/).inputValue()).toBe('2000');
    expect(await page.getByLabel(/^G channels/).inputValue()).toBe('128');
    expect(await unlabeledControls()).toEqual([]);
    await page.getByRole('button', { name: 'Smoke test' }).click();
    expect(await page.getByLabel(/^G channels/).inputValue()).toBe('8');
    // Ranges are enforced beside the field, and an invalid form is not sent.
    await page.getByLabel(/^Steps/).fill('0');
    await page.getByText('must be at least 1 and at most 10000000').waitFor();
    await page.getByRole('button', { name: 'Submit experiment' }).click();
    expect(page.url()).toContain('#/new');
    await shot('02-new-experiment-invalid.png');
    await page.getByLabel(/^Steps/).fill('20');
    await page.getByText('Spec as JSON').click();
    expect(await page.locator('.json-view pre').textContent()).toContain('"gChannels": 8');
    await page.getByRole('button', { name: 'Submit experiment' }).click();
    await page.waitForURL(/#\/runs\/[A-Za-z0-9_-]+$/);
    firstRun = runIdFromUrl();
    expect(firstRun).not.toBe('');
  });

  it(
    'watches the run go to SUCCEEDED, with curves and a gallery',
    async () => {
      await waitForStatus('SUCCEEDED');
      await page.getByTestId('gallery-step').filter({ hasText: '20' }).waitFor();
      // The timeline is the run's recorded history, each status once.
      expect(await page.locator('.timeline .badge').allTextContents()).toEqual([
        'QUEUED',
        'SUBMITTED',
        'STARTING',
        'RUNNING',
        'SUCCEEDED',
      ]);
      expect(await page.locator('.chart svg polyline').count()).toBeGreaterThanOrEqual(3);
      expect(await page.locator('.progress-text').first().textContent()).toContain('step 20 / 20');
      // The cost of a run under npm start: the trainer's wall time, at no charge.
      await expect
        .poll(() => page.getByTestId('run-cost').textContent(), { timeout: POLL_TIMEOUT })
        .toMatch(/^Cost: local: no charge \(\d+ (s|min)\)$/);
      // The trainer scored its generator before reporting SUCCEEDED: numbers, histogram and pictures.
      const evaluation = page.locator('section[aria-labelledby=evaluation-h]');
      await evaluation.getByText('cFID').waitFor();
      expect(await evaluation.locator('.histogram-row').count()).toBe(10);
      await evaluation.locator('img.eval-picture').last().scrollIntoViewIfNeeded();
      await expect
        .poll(
          () =>
            evaluation
              .locator('img.eval-picture')
              .evaluateAll((imgs) => (imgs as HTMLImageElement[]).filter((i) => i.naturalWidth > 0).length),
          { timeout: POLL_TIMEOUT },
        )
        .toBe(2);
      expect(await unlabeledControls()).toEqual([]);
      await shot('03-run-succeeded.png');
    },
    TRAIN_TIMEOUT + 10_000,
  );

  it('moves the gallery slider, with the keyboard too, and opens the full-size view', async () => {
    const slider = page.locator('.gallery input[type=range]');
    const image = page.locator('.gallery-main img');
    await slider.focus();
    await page.keyboard.press('Home');
    await page.getByTestId('gallery-step').filter({ hasText: /^0$/ }).waitFor();
    expect(await image.getAttribute('data-step')).toBe('0');
    await page.keyboard.press('ArrowRight');
    await page.getByTestId('gallery-step').filter({ hasText: /^5$/ }).waitFor();
    // The image really loaded from its presigned URL.
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), {
        timeout: POLL_TIMEOUT,
      })
      .toBeGreaterThan(0);
    await shot('04-gallery-step-5.png');
    await image.click();
    await page.locator('dialog.fullsize[open]').waitFor();
    await shot('05-gallery-full-size.png');
    await page.locator('dialog.fullsize').getByRole('button', { name: 'Close' }).click();
    await page.locator('dialog.fullsize[open]').waitFor({ state: 'detached' });
  });

  it(
    'clones the run into a second one',
    async () => {
      await page.getByRole('link', { name: 'Clone' }).click();
      await page.getByText(`Cloned from ${firstRun}`).waitFor();
      expect(await page.getByLabel(/^G channels/).inputValue()).toBe('8');
      await page.getByLabel(/^Seed/).fill('2');
      await page.getByLabel(/^Steps/).fill('10');
      await page.getByLabel(/^Evaluate/).uncheck();
      await page.getByRole('button', { name: 'Submit experiment' }).click();
      await page.waitForURL(
        (u) => /#\/runs\/[A-Za-z0-9_-]+$/.test(u.toString()) && !u.toString().endsWith(firstRun),
      );
      secondRun = runIdFromUrl();
      await waitForStatus('SUCCEEDED');
      await page.getByText("Evaluation is turned off in this run's spec.").waitFor();
    },
    TRAIN_TIMEOUT + 10_000,
  );

  it('compares the two runs under one slider with their curves overlaid', async () => {
    // A conditional run for the playground's class control trains meanwhile (the runner takes one at a time).
    conditionalRun = await submitViaApi({
      family: 'cgan',
      dataset: 'mnist',
      steps: 10,
      batchSize: 8,
      sampleEvery: 5,
      hyperparameters: { gChannels: 8, dChannels: 8, latentDim: 16 },
    });
    await go('#/runs');
    await page.getByLabel(`Compare ${firstRun}`).check();
    await page.getByLabel(`Compare ${secondRun}`).check();
    await shot('06-runs-selected.png');
    await page.getByRole('link', { name: 'Compare 2' }).click();
    const cells = page.locator('.compare-cell img');
    await cells.nth(1).waitFor();
    expect(await cells.count()).toBe(2);
    // At the end the longer run shows step 20 and the shorter its last, step 10.
    await page.getByTestId('compare-step').filter({ hasText: /^20$/ }).waitFor();
    expect(await cells.evaluateAll((imgs) => imgs.map((i) => i.getAttribute('data-step')))).toEqual([
      '20',
      '10',
    ]);
    await page.locator('.slider input[type=range]').focus();
    await page.keyboard.press('Home');
    await page.getByTestId('compare-step').filter({ hasText: /^0$/ }).waitFor();
    expect(await cells.evaluateAll((imgs) => imgs.map((i) => i.getAttribute('data-step')))).toEqual([
      '0',
      '0',
    ]);
    await page.keyboard.press('ArrowRight');
    await page.getByTestId('compare-step').filter({ hasText: /^5$/ }).waitFor();
    expect(await cells.evaluateAll((imgs) => imgs.map((i) => i.getAttribute('data-step')))).toEqual([
      '5',
      '5',
    ]);
    // The first run's evaluation beside the second's, which had it turned off.
    const evalRows = page.locator('table.compare-eval tbody tr');
    const cfidRow = evalRows.filter({ has: page.getByRole('rowheader', { name: 'cFID' }) });
    expect(await cfidRow.locator('td').allTextContents()).toEqual([expect.stringMatching(/^\d/), '–']);
    // Every metric chart overlays one line per run.
    const perChart = await page
      .locator('.chart')
      .evaluateAll((charts) => charts.map((c) => c.querySelectorAll('polyline').length));
    expect(perChart.length).toBeGreaterThan(0);
    for (const n of perChart) expect(n).toBe(2);
    expect(await unlabeledControls()).toEqual([]);
    await shot('07-compare.png');
  });

  it('loads the exported generator in the browser and generates images', async () => {
    await go(`#/playground/${firstRun}`);
    const canvas = page.locator('canvas').first();
    await expect.poll(() => canvas.getAttribute('data-generated'), { timeout: 60_000 }).not.toBe('0');
    expect(['webgl', 'cpu']).toContain(await page.getByTestId('tf-backend').textContent());
    // Fed as the descriptor the trainer wrote beside the model says (GET /experiments/{id}/generator).
    expect(await page.getByTestId('generator-inputs').textContent()).toMatch(/^z\[\d+\] \(latent, normal\)$/);
    expect(await page.getByTestId('descriptor-source').textContent()).toBe('(from its descriptor)');
    const pixels = () =>
      canvas.evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const grey = Array.from({ length: d.length / 4 }, (_, i) => d[i * 4]!);
        return { size: [c.width, c.height], grey };
      });
    const first = await pixels();
    expect(first.size).toEqual([28, 28]);
    const spread = Math.max(...first.grey) - Math.min(...first.grey);
    expect(spread).toBeGreaterThan(0);
    await page.getByRole('spinbutton', { name: 'Seed A' }).fill('5');
    await expect
      .poll(async () => (await pixels()).grey.join(',') !== first.grey.join(','), { timeout: POLL_TIMEOUT })
      .toBe(true);
    expect(await unlabeledControls()).toEqual([]);
    await shot('08-playground.png');
  }, 90_000);

  it(
    'offers a class choice for a conditional generator',
    async () => {
      await go(`#/runs/${conditionalRun}`);
      await waitForStatus('SUCCEEDED');
      await go(`#/playground/${conditionalRun}`);
      const canvas = page.locator('canvas').first();
      await expect.poll(() => canvas.getAttribute('data-generated'), { timeout: 60_000 }).not.toBe('0');
      const grey = () =>
        canvas.evaluate((c: HTMLCanvasElement) =>
          Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data).join(','),
        );
      // The class control comes from the descriptor's class input, its options from the classes it gives.
      expect(await page.getByTestId('generator-inputs').textContent()).toBe(
        'z[16] (latent, normal), label[10] (class, 10 classes)',
      );
      expect(await page.getByLabel('Class').locator('option').count()).toBe(10);
      const before = await grey();
      await page.getByLabel('Class').selectOption('7');
      await expect.poll(async () => (await grey()) !== before, { timeout: POLL_TIMEOUT }).toBe(true);
      await shot('09-playground-class.png');
    },
    TRAIN_TIMEOUT + 10_000,
  );

  it(
    'loads SAGAN and BigGAN generators: where a chosen position attends, and a truncation slider for BigGAN',
    async () => {
      const tiny = (family: string) =>
        submitViaApi({
          family,
          dataset: 'mnist32',
          steps: 4,
          batchSize: 4,
          sampleEvery: 2,
          evaluate: false,
          hyperparameters: { latentDim: 8, gChannels: 8, dChannels: 8, attentionSide: 8 },
        });
      const runs = [
        ['sagan', await tiny('sagan')],
        ['biggan', await tiny('biggan')],
      ] as const;
      for (const [family, id] of runs) {
        await go(`#/runs/${id}`);
        await waitForStatus('SUCCEEDED');
        await go(`#/playground/${id}`);
        const canvas = page.locator('canvas').first();
        await expect.poll(() => canvas.getAttribute('data-generated'), { timeout: 60_000 }).not.toBe('0');
        const map = page.getByTestId('attention-map');
        await map.waitFor();
        const pixels = (c: typeof canvas) =>
          c.evaluate((el: HTMLCanvasElement) =>
            Array.from(el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data).join(','),
          );
        // The 32 px sample under the attention of one position of the 8 x 8 map, moved with the keyboard.
        expect(await map.evaluate((el: HTMLCanvasElement) => [el.width, el.height])).toEqual([32, 32]);
        const before = await pixels(map);
        await page.getByLabel(/^Query x/).focus();
        await page.keyboard.press('Home');
        await expect.poll(async () => (await pixels(map)) !== before, { timeout: POLL_TIMEOUT }).toBe(true);
        const truncation = page.getByLabel(/^Truncation/);
        expect(await truncation.count(), family).toBe(family === 'biggan' ? 1 : 0);
        if (family === 'biggan') {
          const sample = await pixels(canvas);
          await truncation.focus();
          await page.keyboard.press('Home');
          await expect
            .poll(async () => (await pixels(canvas)) !== sample, { timeout: POLL_TIMEOUT })
            .toBe(true);
        }
        expect(await unlabeledControls()).toEqual([]);
        await shot(`10-playground-${family}.png`);
      }
    },
    2 * TRAIN_TIMEOUT + 10_000,
  );

  it(
    'translates what is drawn: a pix2pix generator, a CycleGAN generator either way, a SPADE generator from a painted label map',
    async () => {
      const tiny = (family: string, dataset: string, hyperparameters: Record<string, unknown>) =>
        submitViaApi({
          family,
          dataset,
          steps: 4,
          batchSize: 4,
          sampleEvery: 2,
          evaluate: false,
          hyperparameters,
        });
      const runs = [
        ['pix2pix', await tiny('pix2pix', 'edges2digits', { gFilters: 4, dFilters: 4 })],
        [
          'cyclegan',
          await tiny('cyclegan', 'digits2mnistm', { gFilters: 4, residualBlocks: 1, dFilters: 4 }),
        ],
        [
          'spade',
          await tiny('spade', 'scenes', {
            gFilters: 4,
            blocks: 2,
            spadeHidden: 4,
            dFilters: 4,
            patchDowns: 1,
          }),
        ],
      ] as const;
      for (const [family, id] of runs) {
        await go(`#/runs/${id}`);
        await waitForStatus('SUCCEEDED');
        await go(`#/playground/${id}`);
        const input = page.getByTestId('input-canvas');
        const output = page.getByTestId('output-canvas');
        await expect.poll(() => output.getAttribute('data-generated'), { timeout: 60_000 }).not.toBe('0');
        const pixels = (c: typeof output) =>
          c.evaluate((el: HTMLCanvasElement) =>
            Array.from(el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data).join(','),
          );
        // SPADE's exported generator holds only stock layers (its SPADE folded), so chromium's tfjs loads it.
        const side = family === 'spade' ? 64 : 32;
        expect(await output.evaluate((el: HTMLCanvasElement) => [el.width, el.height])).toEqual([side, side]);
        const before = { input: await pixels(input), output: await pixels(output) };
        // A stroke across the input: the input shows it and the output is drawn again from it.
        const box = (await input.boundingBox())!;
        await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.6, { steps: 8 });
        await page.mouse.up();
        await expect
          .poll(async () => (await pixels(input)) !== before.input, { timeout: POLL_TIMEOUT })
          .toBe(true);
        await expect
          .poll(async () => (await pixels(output)) !== before.output, { timeout: POLL_TIMEOUT })
          .toBe(true);
        expect(await page.getByTestId('direction').count(), family).toBe(family === 'cyclegan' ? 1 : 0);
        expect(await page.getByTestId('brush-class').count(), family).toBe(family === 'spade' ? 1 : 0);
        if (family === 'cyclegan') {
          const aToB = await pixels(output);
          await page.getByTestId('direction').selectOption('1');
          await expect
            .poll(async () => (await pixels(output)) !== aToB, { timeout: POLL_TIMEOUT })
            .toBe(true);
        }
        expect(await unlabeledControls()).toEqual([]);
        await shot(`11-playground-${family}.png`);
      }
    },
    2 * TRAIN_TIMEOUT + 10_000,
  );

  it(
    'loads PGGAN and StyleGAN generators: a truncation slider for both, style mixing for StyleGAN',
    async () => {
      const tiny = (family: string, hyperparameters: Record<string, unknown>) =>
        submitViaApi({
          family,
          dataset: 'mnist32',
          steps: 4,
          batchSize: 4,
          sampleEvery: 2,
          evaluate: false,
          hyperparameters: { latentDim: 8, channels: 4, mbstdGroup: 2, ...hyperparameters },
        });
      const runs = [
        ['pggan', await tiny('pggan', {})],
        ['stylegan', await tiny('stylegan', { wDim: 8, mappingLayers: 2 })],
      ] as const;
      const errorsBefore = pageErrors.length;
      for (const [family, id] of runs) {
        await go(`#/runs/${id}`);
        await waitForStatus('SUCCEEDED');
        await go(`#/playground/${id}`);
        const canvas = page.locator('canvas').first();
        await expect.poll(() => canvas.getAttribute('data-generated'), { timeout: 60_000 }).not.toBe('0');
        const pixels = () =>
          canvas.evaluate((el: HTMLCanvasElement) =>
            Array.from(el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data).join(','),
          );
        // Each control redraws the sample: (StyleGAN) B's styles from layer 0, then truncation to its lowest
        // (last: at psi 0 every w is the mean, and mixing changes nothing).
        const moved = async (label: RegExp) => {
          const before = await pixels();
          await page.getByLabel(label).focus();
          await page.keyboard.press('Home');
          await expect
            .poll(async () => (await pixelsOf(canvas)) !== before, { timeout: POLL_TIMEOUT })
            .toBe(true);
        };
        const mixing = page.getByLabel(/^Seed B's styles from layer/);
        expect(await mixing.count(), family).toBe(family === 'stylegan' ? 1 : 0);
        if (family === 'stylegan') {
          expect(await mixing.getAttribute('max')).toBe('8');
          await moved(/^Seed B's styles from layer/);
          await page.getByText('styles from layer 0 (4 px) on from seed 2').waitFor();
        }
        await moved(/^Truncation/);
        expect(await unlabeledControls()).toEqual([]);
        expect(pageErrors.slice(errorsBefore)).toEqual([]);
        await shot(`11-playground-${family}.png`);
      }
    },
    2 * TRAIN_TIMEOUT + 10_000,
  );

  it(
    'enlarges an uploaded picture x4, tile by tile, with an SRGAN generator',
    async () => {
      const id = await submitViaApi({
        family: 'srgan',
        dataset: 'photos-x4',
        steps: 4,
        batchSize: 4,
        sampleEvery: 2,
        evaluate: false,
        hyperparameters: { filters: 4, blocks: 1, dFilters: 4 },
      });
      await go(`#/runs/${id}`);
      await waitForStatus('SUCCEEDED');
      await go(`#/playground/${id}`);
      const output = page.getByTestId('output-canvas');
      await expect.poll(() => output.getAttribute('data-generated'), { timeout: 60_000 }).not.toBe('0');
      // The blank start is a 32 x 32 picture (4 x 4 tiles of the 8 x 8 input): 128 x 128 out.
      expect(await output.evaluate((el: HTMLCanvasElement) => [el.width, el.height])).toEqual([128, 128]);
      const generated = Number(await output.getAttribute('data-generated'));
      // A 48 x 40 photograph keeps its size (6 x 5 tiles) and comes out 192 x 160.
      const photo = readFileSync(new URL('../../web/public/dataset-previews/photos.png', import.meta.url));
      const small = await page.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = document.createElement('canvas');
        [c.width, c.height] = [48, 40];
        c.getContext('2d')!.drawImage(img, 0, 0, 48, 40);
        return c.toDataURL('image/png').split(',')[1]!;
      }, photo.toString('base64'));
      await page
        .getByTestId('upload')
        .setInputFiles({ name: 'small.png', mimeType: 'image/png', buffer: Buffer.from(small, 'base64') });
      await expect
        .poll(async () => Number(await output.getAttribute('data-generated')), { timeout: POLL_TIMEOUT })
        .toBeGreaterThan(generated);
      expect(await output.evaluate((el: HTMLCanvasElement) => [el.width, el.height])).toEqual([192, 160]);
      expect(await unlabeledControls()).toEqual([]);
      await shot('11-playground-srgan.png');
    },
    TRAIN_TIMEOUT + 10_000,
  );

  it(
    'puts a picked article on a picked person: a Conditional Analogy GAN generator',
    async () => {
      const id = await submitViaApi({
        family: 'cagan',
        dataset: 'figures-articles',
        steps: 4,
        batchSize: 4,
        sampleEvery: 2,
        evaluate: false,
        hyperparameters: { gFilters: 4, dFilters: 4, patchDowns: 1 },
      });
      await go(`#/runs/${id}`);
      await waitForStatus('SUCCEEDED');
      await go(`#/playground/${id}`);
      const output = page.getByTestId('output-canvas');
      await expect.poll(() => output.getAttribute('data-generated'), { timeout: 60_000 }).not.toBe('0');
      const pixels = (c: typeof output) =>
        c.evaluate((el: HTMLCanvasElement) =>
          Array.from(el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data).join(','),
        );
      expect(await output.evaluate((el: HTMLCanvasElement) => [el.width, el.height])).toEqual([64, 64]);
      expect(await page.getByTestId('mask-canvas').count()).toBe(1);
      // The preview's six people and twelve articles, each a pick.
      expect(await page.getByTestId('person').count()).toBe(6);
      expect(await page.getByTestId('article').count()).toBe(12);
      const before = await pixels(output);
      await page.getByTestId('person').nth(3).click();
      await expect.poll(async () => (await pixels(output)) !== before, { timeout: POLL_TIMEOUT }).toBe(true);
      expect(await page.getByTestId('person').nth(3).getAttribute('aria-pressed')).toBe('true');
      expect(await unlabeledControls()).toEqual([]);
      await shot('11-playground-cagan.png');
    },
    TRAIN_TIMEOUT + 10_000,
  );

  it(
    'turns a HoloGAN object by its azimuth: the generator with a 3D volume loads in the browser',
    async () => {
      const canvas = await playgroundOf({
        family: 'hologan',
        dataset: 'posed-objects',
        hyperparameters: { latentDim: 8, volumeChannels: 8, projectionChannels: 8, dChannels: 4 },
      });
      expect(await page.getByTestId('generator-inputs').textContent()).toMatch(/pose\[2\]/);
      // Drawn as an image (its descriptor said points once, and the page drew 1,000 of them).
      expect(await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([32, 32]);
      const before = await pixelsOf(canvas);
      const azimuth = page.getByTestId('pose-azimuth');
      const turned = Number(await azimuth.getAttribute('min')) + 90;
      await azimuth.fill(String(turned));
      await page.getByText(`Azimuth ${turned}°`).waitFor({ timeout: POLL_TIMEOUT });
      await expect
        .poll(async () => (await pixelsOf(canvas)) !== before, { timeout: POLL_TIMEOUT })
        .toBe(true);
      expect(await unlabeledControls()).toEqual([]);
      await shot('11-playground-hologan.png');
    },
    TRAIN_TIMEOUT + 10_000,
  );

  it(
    'draws a StackGAN image from a typed caption, and names a word outside the vocabulary',
    async () => {
      const canvas = await playgroundOf({
        family: 'stackgan',
        dataset: 'captioned-digits',
        hyperparameters: { latentDim: 8, conditionDim: 4, gChannels: 8, dChannels: 4 },
      });
      expect(await page.getByTestId('generator-inputs').textContent()).toMatch(/caption\[8\]/);
      expect(await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([32, 32]);
      const before = await pixelsOf(canvas);
      const caption = page.getByTestId('caption');
      await caption.fill('a small blue 7 at the bottom right');
      await caption.press('Enter');
      await expect
        .poll(async () => (await pixelsOf(canvas)) !== before, { timeout: POLL_TIMEOUT })
        .toBe(true);
      // Typed while the strip for the caption before may still be drawing: the box keeps the text.
      await caption.fill('a small mauve 7');
      await caption.press('Enter');
      await page.getByText("caption word 'mauve' is not in the vocabulary").waitFor({ timeout: 60_000 });
      // It stays: a draw still under way for the caption before does not clear it when it ends.
      await page.waitForTimeout(3000);
      expect(await page.getByRole('alert').textContent()).toContain("caption word 'mauve'");
      expect(await unlabeledControls()).toEqual([]);
      await shot('11-playground-stackgan.png');
    },
    TRAIN_TIMEOUT + 10_000,
  );

  it(
    'samples a SinGAN pyramid at another size, super-resolves it and renders a painting',
    async () => {
      const canvas = await playgroundOf({
        family: 'singan',
        dataset: 'photo-chelsea',
        batchSize: 1,
        hyperparameters: { maxSize: 16, minSize: 8, channels: 4, layers: 3, nCritic: 1, gSteps: 1 },
      });
      const errorsBefore = pageErrors.length;
      // Trained at 11x16 (the photograph's aspect), in four scales from 5x8.
      const sizeOf = () => canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
      expect(await sizeOf()).toEqual([16, 11]);
      await page.getByText('A pyramid of 4 scales, trained from 5x8 to 11x16').waitFor();
      const before = await pixelsOf(canvas);
      const drawn = Number(await canvas.getAttribute('data-generated'));
      // Wider and taller than trained: another size and aspect ratio, every scale's noise at its size.
      await page.getByTestId('singan-width').fill('40');
      await page.getByTestId('singan-width').press('Enter');
      await expect.poll(sizeOf, { timeout: POLL_TIMEOUT }).toEqual([40, 11]);
      await page.getByTestId('singan-height').fill('20');
      await page.getByTestId('singan-height').blur();
      await expect.poll(sizeOf, { timeout: POLL_TIMEOUT }).toEqual([40, 20]);
      expect(Number(await canvas.getAttribute('data-generated'))).toBeGreaterThan(drawn);
      expect(await pixelsOf(canvas)).not.toBe(before);
      // Super-resolution: the finest scale on the sample enlarged by the ratio between scales (16/13).
      await page.getByTestId('singan-enlarge').click();
      const enlarged = page.getByTestId('singan-enlarged');
      await expect
        .poll(() => enlarged.evaluate((c: HTMLCanvasElement) => [c.width, c.height]), {
          timeout: POLL_TIMEOUT,
        })
        .toEqual([Math.round(40 / (13 / 16)), Math.round(20 / (13 / 16))]);

      // Paint-to-image: a stroke across the painting changes what the finer scales render.
      const rendered = page.getByTestId('singan-rendered');
      await expect.poll(() => rendered.getAttribute('data-generated'), { timeout: 60_000 }).not.toBe('0');
      expect(await rendered.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([16, 11]);
      const renderedBefore = await pixelsOf(rendered);
      // A colour of the palette other than the one the painting starts in (its top-left pixel's).
      const painting = page.getByTestId('singan-paint');
      const fill = await painting.evaluate((c: HTMLCanvasElement) => {
        const [r, g, b] = c.getContext('2d')!.getImageData(0, 0, 1, 1).data;
        return `rgb(${r}, ${g}, ${b})`;
      });
      const swatches = page.getByRole('button', { name: /^Paint in rgb/ });
      const titles = await swatches.evaluateAll((els) => els.map((e) => e.getAttribute('title')));
      expect(titles).toContain(fill);
      await swatches.nth(titles.findIndex((t) => t !== fill)).click();
      const paintedBefore = await pixelsOf(painting);
      const box = (await painting.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.5);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.5, { steps: 8 });
      await page.mouse.up();
      expect(await pixelsOf(painting)).not.toBe(paintedBefore);
      await expect
        .poll(async () => (await pixelsOf(rendered)) !== renderedBefore, { timeout: POLL_TIMEOUT })
        .toBe(true);
      // A colour picked from the sample becomes the brush.
      const box2 = (await canvas.boundingBox())!;
      await canvas.click({ position: { x: (box2.width / 40) * 7.5, y: (box2.height / 20) * 3.5 } });
      const picked = await canvas.evaluate((c: HTMLCanvasElement) => {
        const [r, g, b] = c.getContext('2d')!.getImageData(7, 3, 1, 1).data;
        return `rgb(${r}, ${g}, ${b})`;
      });
      await expect
        .poll(() => page.getByTestId('singan-brush').evaluate((e) => getComputedStyle(e).backgroundColor))
        .toBe(picked);
      expect(await unlabeledControls()).toEqual([]);
      expect(pageErrors.slice(errorsBefore)).toEqual([]);
      await shot('11-playground-singan.png');
    },
    TRAIN_TIMEOUT + 10_000,
  );

  it('shows the twenty families of the survey, marking those GET /models lists as trainable', async () => {
    const res = await fetch(`${platform.url}/models`, {
      headers: { authorization: `Bearer ${platform.token}` },
    });
    const { models } = (await res.json()) as { models: { id: string }[] };
    await go('#/catalog');
    await page.getByTestId('trainable-count').waitFor();
    expect(await page.locator('li.card').count()).toBeGreaterThanOrEqual(20);
    for (const { id } of models) {
      expect(await page.locator(`li.card.trains[data-family~="${id}"]`).count(), id).toBe(1);
    }
    expect(await page.locator('li.card:not(.trains)', { hasText: 'pix2pix' }).count()).toBe(
      models.some((m) => m.id === 'pix2pix') ? 0 : 1,
    );
    await shot('10-catalog.png');
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await go('#/runs');
    await page.locator(`tr[data-run="${firstRun}"]`).waitFor();
    await shot('11-runs-phone.png');
    const wide = await page.evaluate(() =>
      Array.from(document.querySelectorAll('body *'))
        .filter((e) => e.getBoundingClientRect().right > 391)
        .map((e) => `${e.tagName}.${e.className}`),
    );
    expect(wide).toEqual([]);
    await go(`#/runs/${firstRun}`);
    await page.getByTestId('gallery-step').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('12-run-phone.png');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('sends an expired session to sign-in and back without losing the form', async () => {
    await go('#/new?family=dcgan');
    await page.getByLabel(/^Seed/).fill('4242');
    await expect
      .poll(() => page.evaluate(() => sessionStorage.getItem('ganzoo.draft')), { timeout: POLL_TIMEOUT })
      .toContain('4242');
    await page.evaluate(() => localStorage.setItem('ganzoo.token', JSON.stringify({ token: 'expired' })));
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Your session ended').waitFor();
    await page.getByLabel('Local token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token is not valid for this API.').waitFor();
    await page.getByLabel('Local token').fill(platform.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'New experiment' }).waitFor();
    await expect.poll(() => page.getByLabel(/^Seed/).inputValue(), { timeout: POLL_TIMEOUT }).toBe('4242');
  });

  it('cancels a running run from its page, and resumes it', async () => {
    const id = await submitViaApi({ family: 'vanilla', dataset: 'ring8', steps: 100_000, batchSize: 8 });
    await go(`#/runs/${id}`);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await waitForStatus('CANCELLED');
    await page.getByText('Reason: cancelled on request').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);

    // Resume: the run goes on as attempt 2, from the checkpoint its cancel wrote.
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByText(/^Resumed as attempt 2, from (the checkpoint at step \d+|the start)\.$/).waitFor();
    await waitForStatus('RUNNING');
    expect(await page.getByRole('button', { name: 'Resume' }).count()).toBe(0);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await waitForStatus('CANCELLED');
  });

  it('shows a lost API connection instead of hiding it', async () => {
    await platform.stop();
    await go('#/catalog');
    await page.getByText('The API cannot be reached').waitFor();
    await shot('13-connection-lost.png');
    expect(pageErrors).toEqual([]);
  });
});
