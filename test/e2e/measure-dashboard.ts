/**
 * Measures the dashboard as built (`npm run build:web`) in Debian's chromium against `npm start`:
 *   - the JavaScript the first page loads, gzip-compressed, against the 200 KB budget, and that tfjs is
 *     fetched only by the playground;
 *   - a gallery of 500 sample steps from a real run (a tiny DCGAN sampling every step): how long until it
 *     shows, how many thumbnails are in the page, and frame times while the slider is dragged over all
 *     500 steps, while playing, and while stepping with the keyboard.
 * Writes docs/results/dashboard.json.   Run: npx tsx test/e2e/measure-dashboard.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureWebBuilt, launchChromium, REPO_ROOT, startNpmStart } from './harness.ts';

const GALLERY_STEPS = 500;
const BUDGET_GZIP_BYTES = 200 * 1024;
const OUT = join(REPO_ROOT, 'docs', 'results', 'dashboard.json');

const gz = (path: string) => gzipSync(readFileSync(path)).length;
const round = (x: number) => Math.round(x * 10) / 10;

function stats(frames: number[]) {
  const sorted = [...frames].sort((a, b) => a - b);
  const q = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
  return {
    frames: frames.length,
    p50Ms: q(0.5),
    p95Ms: q(0.95),
    maxMs: round(sorted.at(-1) ?? 0),
    over33Ms: frames.filter((f) => f > 33.4).length,
  };
}

ensureWebBuilt();
const loadAtStart = loadavg().map(round);
const platform = await startNpmStart();
const browser = await launchChromium();
try {
  const auth = { authorization: `Bearer ${platform.token}` };
  const page = await browser.context.newPage();

  // ---- initial JavaScript ----
  const js = new Set<string>();
  page.on('response', (r) => {
    if (r.url().endsWith('.js')) js.add(new URL(r.url()).pathname);
  });
  await page.goto(platform.signInUrl);
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
  await page.waitForLoadState('networkidle');
  const initial = [...js];
  const distFile = (p: string) => join(REPO_ROOT, 'web', 'dist', p.replace(/^\//, ''));
  const initialGzip = initial.reduce((sum, p) => sum + gz(distFile(p)), 0);

  // ---- a real 500-step run that samples every step ----
  const spec = {
    family: 'dcgan',
    dataset: 'mnist',
    steps: GALLERY_STEPS - 1,
    batchSize: 8,
    sampleEvery: 1,
    metricsEvery: 1,
    checkpointEvery: GALLERY_STEPS,
    hyperparameters: { gChannels: 8, dChannels: 8, latentDim: 16 },
  };
  const t0 = Date.now();
  const submitted = await fetch(`${platform.url}/experiments`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  const { id } = (await submitted.json()) as { id: string };
  for (;;) {
    const run = (await (await fetch(`${platform.url}/experiments/${id}`, { headers: auth })).json()) as {
      status: string;
      reason?: string;
    };
    if (run.status === 'SUCCEEDED') break;
    if (run.status === 'FAILED' || run.status === 'CANCELLED')
      throw new Error(`run ${id}: ${run.status} ${run.reason}`);
    if (Date.now() - t0 > 600_000) throw new Error(`run ${id} still ${run.status} after 10 minutes`);
    await new Promise((r) => setTimeout(r, 2000));
  }
  const trainSeconds = round((Date.now() - t0) / 1000);

  // ---- the gallery ----
  const shownAt = Date.now();
  await page.goto(`${platform.url}/#/runs/${id}`);
  await page
    .getByTestId('gallery-step')
    .filter({ hasText: String(GALLERY_STEPS - 1) })
    .waitFor();
  await page
    .locator('.gallery-main img')
    .evaluate((img: HTMLImageElement) =>
      img.complete ? undefined : new Promise((r) => img.addEventListener('load', r, { once: true })),
    );
  const galleryShownMs = Date.now() - shownAt;
  const samples = Number(await page.locator('.gallery input[type=range]').getAttribute('max')) + 1;
  const dom = await page.evaluate(() => ({
    thumbnails: document.querySelectorAll('.thumb').length,
    images: document.querySelectorAll('img').length,
    elements: document.querySelectorAll('*').length,
  }));

  // Drag: one slider position per animation frame, over every step, as a fast drag would.
  const drag = await page.evaluate(async (n) => {
    const input = document.querySelector<HTMLInputElement>('.gallery input[type=range]')!;
    const longTasks: number[] = [];
    const po = new PerformanceObserver((l) => {
      for (const e of l.getEntries()) longTasks.push(e.duration);
    });
    po.observe({ type: 'longtask' });
    const frames: number[] = [];
    let last = performance.now();
    for (let i = 0; i < n; i++) {
      input.value = String(i);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    await new Promise((r) => setTimeout(r, 100));
    po.disconnect();
    const step = document.querySelector('[data-testid=gallery-step]')?.textContent;
    return { frames, longTasks, step };
  }, samples);

  // Play for five seconds: frame times while the animation runs.
  const play = await page.evaluate(async () => {
    const button = Array.from(document.querySelectorAll('.gallery button')).find(
      (b) => b.textContent === 'Play',
    ) as HTMLButtonElement;
    const input = document.querySelector<HTMLInputElement>('.gallery input[type=range]')!;
    input.value = '0';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    button.click();
    const frames: number[] = [];
    let last = performance.now();
    const end = last + 5000;
    while (performance.now() < end) {
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    button.click();
    return { frames, reachedIndex: Number(input.value) };
  });

  // Keyboard: 100 presses of the right arrow on the gallery, timed from the first to the last shown step.
  await page.locator('.gallery-image').focus();
  await page.keyboard.press('Home');
  const k0 = Date.now();
  for (let i = 0; i < 100; i++) await page.keyboard.press('ArrowRight');
  await page.getByTestId('gallery-step').filter({ hasText: /^100$/ }).waitFor();
  const keyboardMsPerStep = round((Date.now() - k0) / 100);

  // ---- the playground fetches tfjs, and only it ----
  const before = new Set(js);
  await page.goto(`${platform.url}/#/playground/${id}`);
  await page
    .locator('canvas[data-generated]:not([data-generated="0"])')
    .first()
    .waitFor({ timeout: 120_000 });
  const playgroundChunks = [...js].filter((p) => !before.has(p));
  const tfjsGzip = playgroundChunks.reduce((sum, p) => sum + gz(distFile(p)), 0);
  const backend = await page.getByTestId('tf-backend').textContent();

  const result = {
    measuredAt: new Date().toISOString(),
    machine: '2 shared cores, no GPU; Debian chromium headless (--disable-gpu), playwright-core',
    loadAverage: { atStart: loadAtStart, atEnd: loadavg().map(round) },
    commands: ['npm run build:web', 'npx tsx test/e2e/measure-dashboard.ts'],
    initialJavaScript: {
      files: initial,
      gzipBytes: initialGzip,
      gzipKB: round(initialGzip / 1024),
      budgetKB: BUDGET_GZIP_BYTES / 1024,
      withinBudget: initialGzip <= BUDGET_GZIP_BYTES,
      note: 'every .js file the Runs page fetched before the network went idle, gzip -6 of the built file',
    },
    playground: { lazyChunks: playgroundChunks, gzipKB: round(tfjsGzip / 1024), tfjsBackend: backend },
    gallery: {
      run: { id, spec, trainSeconds },
      samples,
      shownMs: galleryShownMs,
      inPage: dom,
      drag: {
        ...stats(drag.frames),
        longTasks: drag.longTasks.length,
        longTaskMaxMs: round(Math.max(0, ...drag.longTasks)),
        endedAtStep: drag.step,
      },
      play: { ...stats(play.frames), framesAdvanced: play.reachedIndex },
      keyboard: { presses: 100, msPerStep: keyboardMsPerStep },
      note: 'drag sets the slider once per animation frame over every step; frame = time between animation frames (16.7 ms at 60 Hz)',
    },
  };
  // The previous measurement stays beside the new one: on a shared machine one run is not the whole story.
  const previous = existsSync(OUT)
    ? (JSON.parse(readFileSync(OUT, 'utf8')) as Record<string, unknown>)
    : undefined;
  const { previous: _older, ...previousOnly } = previous ?? {};
  writeFileSync(
    OUT,
    `${JSON.stringify({ ...result, ...(previous ? { previous: previousOnly } : {}) }, null, 2)}\n`,
  );
  console.log(JSON.stringify(result, null, 2));
} finally {
  await browser.close();
  await platform.stop();
}
