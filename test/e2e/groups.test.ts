/**
 * Experiment groups in the dashboard, end to end: `npm start` on a fresh data folder (its group member limit
 * set to 6), Debian's chromium driven by playwright-core. Submits a three-seed DCGAN group from the form and
 * reads its group page (members, the curves' ± sd band, the evaluation table against the API's numbers, the
 * best member's gallery); has a sweep over the limit refused naming the field, with nothing stored; runs a
 * 3 x 2 sweep and reads its metrics against each swept value; renames and tags a run from its page and
 * finds it by that tag and name in the runs list. Screenshots go to test/e2e/artifacts/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, openDashboard } from './harness.ts';

/** Three or six tiny runs, one after another on the local runner, each scored when it ends. */
const GROUP_TIMEOUT = 420_000;
const POLL_TIMEOUT = 15_000;
const MEMBER_LIMIT = 6;

let dashboard: Dashboard;
let page: Page;
let pageErrors: string[] = [];
let seedsGroup = '';

const shot = (name: string) => dashboard.shot(name);
const go = (hash: string) => dashboard.go(hash);
const groupIdFromUrl = () => decodeURIComponent(/#\/groups\/([^/?]+)/.exec(page.url())?.[1] ?? '');

const api = <T>(path: string) => dashboard.api<T>(path);

interface GroupEvaluation {
  members: number;
  metrics: Record<string, { n: number; mean: number; sd: number; min: number; max: number }>;
  bySweptValue: Record<string, { value: unknown }[]>;
  best?: { runId: string; metric: string };
}

async function waitForGroup(status: string) {
  await page.locator('h1 .badge', { hasText: status }).waitFor({ timeout: GROUP_TIMEOUT });
}

/** The form for `family`, filled with the smoke-test preset. */
async function smokeForm(family: string) {
  await go(`#/new?family=${family}`);
  await page.getByLabel('Family').waitFor();
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByRole('button', { name: 'Smoke test' }).click();
}

beforeAll(async () => {
  dashboard = await openDashboard({ GANZOO_MAX_GROUP_MEMBERS: String(MEMBER_LIMIT) });
  ({ page, pageErrors } = dashboard);
}, 180_000);

afterAll(async () => {
  await dashboard?.close();
});

describe('experiment groups in the dashboard', () => {
  it('submits a three-seed DCGAN group from the form, named and tagged', async () => {
    await smokeForm('dcgan');
    expect(await page.getByTestId('member-count').textContent()).toBe('1 run');
    await page.getByRole('radio', { name: 'Several seeds' }).check();
    expect(await page.getByLabel('Seeds', { exact: true }).inputValue()).toBe('1, 2, 3');
    expect(await page.getByTestId('member-count').textContent()).toBe('3 runs');
    // Seeds are checked as typed.
    await page.getByLabel('Seeds', { exact: true }).fill('1, 2, 2');
    await page.getByText('seed 2 is listed twice').waitFor();
    await page.getByLabel('Seeds', { exact: true }).fill('1, 2, 3');
    await page.getByLabel('Name', { exact: true }).fill('DCGAN three seeds');
    await page.getByRole('textbox', { name: 'Tags', exact: true }).fill('e2e, seeds');
    await page.getByText('Group request as JSON').click();
    const request = JSON.parse((await page.locator('.json-view pre').textContent()) ?? '{}');
    expect(request).toMatchObject({
      seeds: [1, 2, 3],
      spec: { family: 'dcgan', steps: 20, labels: { name: 'DCGAN three seeds', tags: ['e2e', 'seeds'] } },
    });
    await shot('g01-seeds-form.png');
    await page.getByRole('button', { name: 'Submit experiment' }).click();
    await page.waitForURL(/#\/groups\/[A-Za-z0-9_-]+$/);
    seedsGroup = groupIdFromUrl();
    expect(seedsGroup).not.toBe('');
    await page.getByRole('heading', { name: /DCGAN three seeds/ }).waitFor();
  });

  it(
    'shows its members, the curves as mean ± sd bands, the evaluation table and the best gallery',
    async () => {
      await waitForGroup('SUCCEEDED');
      const members = page.locator('table.members tbody tr');
      expect(await members.count()).toBe(3);
      expect(await members.locator('td[data-label=Varies]').allTextContents()).toEqual([
        'seed=1',
        'seed=2',
        'seed=3',
      ]);
      expect(await members.locator('.badge').allTextContents()).toEqual([
        'SUCCEEDED',
        'SUCCEEDED',
        'SUCCEEDED',
      ]);
      // One shaded band per curve, under its mean line; the members differ, so the bands have height.
      const curves = page.locator('section[aria-labelledby=curves-h]');
      await curves.locator('polygon.band').first().waitFor();
      expect(await curves.locator('polygon.band').count()).toBe(await curves.locator('polyline').count());
      expect(await curves.locator('.legend li').first().textContent()).toMatch(/\(mean of 3\)/);
      // The table shows the API's joined evaluation, every metric over the three members.
      const joined = await api<GroupEvaluation>(`/experiment-groups/${seedsGroup}/evaluation`);
      expect(joined.members).toBe(3);
      const table = page.locator('table.group-eval');
      await table.waitFor();
      const cfid = joined.metrics.cfid!;
      expect(cfid.n).toBe(3);
      expect(cfid.sd).toBeGreaterThan(0);
      expect(
        await table
          .locator('tr', { has: page.getByRole('rowheader', { name: 'cfid' }) })
          .locator('td')
          .first()
          .textContent(),
      ).toBe(
        `${cfid.mean.toFixed(2)} ± ${cfid.sd.toFixed(2)} (${cfid.min.toFixed(2)}-${cfid.max.toFixed(2)}, n=3)`,
      );
      expect(await table.locator('tbody tr').count()).toBe(Object.keys(joined.metrics).length);
      // The best member, by the API's choice, with its gallery loaded.
      expect(joined.best).toBeDefined();
      expect(await page.getByTestId('best-member').textContent()).toContain(joined.best!.runId);
      const image = page.locator('section[aria-labelledby=best-h] .gallery-main img');
      await image.scrollIntoViewIfNeeded();
      await expect
        .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), {
          timeout: POLL_TIMEOUT,
        })
        .toBeGreaterThan(0);
      expect(await page.getByRole('button', { name: 'Cancel group' }).count()).toBe(0);
      await shot('g02-seeds-group.png');
    },
    GROUP_TIMEOUT + 30_000,
  );

  it('refuses a sweep over the member limit, naming the field, and stores nothing', async () => {
    await smokeForm('vanilla');
    await page.getByLabel('Dataset').selectOption('ring8');
    await page.getByRole('radio', { name: 'A sweep' }).check();
    await page.getByLabel('Sweep Learning rate').check();
    await page.getByLabel('Learning rate values').fill('1e-4, 2e-4, 4e-4');
    await page.getByLabel('Sweep Hidden units').check();
    await page.getByLabel('Hidden units values').fill('8, 16, 32');
    expect(await page.getByTestId('member-count').textContent()).toBe('3 × 3 = 9 runs');
    // A value out of range is caught as typed, beside its hyperparameter.
    await page.getByLabel('Hidden units values').fill('8, 2');
    await page.getByText('2: must be at least 4 and at most 4096').waitFor();
    await page.getByLabel('Hidden units values').fill('8, 16, 32');
    const groupsBefore = await api<{ groups: unknown[] }>('/experiment-groups');
    await page.getByRole('button', { name: 'Submit experiment' }).click();
    // The limit is the API's to know: its refusal lands beside the sweep.
    await page
      .locator('#f-sweep-error', { hasText: `9 members; a group holds at most ${MEMBER_LIMIT}` })
      .waitFor();
    expect(page.url()).toContain('#/new');
    const groupsAfter = await api<{ groups: unknown[] }>('/experiment-groups');
    expect(groupsAfter.groups.length).toBe(groupsBefore.groups.length);
    await shot('g03-sweep-refused.png');
  });

  it(
    'runs a 3 x 2 sweep and shows each metric against each swept value',
    async () => {
      await page.getByLabel('Hidden units values').fill('8, 16');
      expect(await page.getByTestId('member-count').textContent()).toBe('3 × 2 = 6 runs');
      await page.getByRole('button', { name: 'Submit experiment' }).click();
      await page.waitForURL(/#\/groups\/[A-Za-z0-9_-]+$/);
      const id = groupIdFromUrl();
      expect(id).not.toBe(seedsGroup);
      await waitForGroup('SUCCEEDED');
      const members = page.locator('table.members tbody tr');
      expect(await members.count()).toBe(6);
      expect(await members.locator('td[data-label=Varies]').allTextContents()).toEqual([
        'learningRate=0.0001, hiddenUnits=8',
        'learningRate=0.0001, hiddenUnits=16',
        'learningRate=0.0002, hiddenUnits=8',
        'learningRate=0.0002, hiddenUnits=16',
        'learningRate=0.0004, hiddenUnits=8',
        'learningRate=0.0004, hiddenUnits=16',
      ]);
      const joined = await api<GroupEvaluation>(`/experiment-groups/${id}/evaluation`);
      expect(joined.members).toBe(6);
      // The band is read again as members end: at the end it is over all six.
      await page
        .locator('section[aria-labelledby=curves-h] .legend li', { hasText: '(mean of 6)' })
        .first()
        .waitFor({ timeout: POLL_TIMEOUT });
      const swept = page.locator('section[aria-labelledby=swept-h]');
      await swept.waitFor();
      for (const [param, rows] of [
        ['learningRate', 3],
        ['hiddenUnits', 2],
      ] as const) {
        const block = swept.locator(`.swept[data-param=${param}]`);
        expect(await block.locator('tbody tr').count()).toBe(rows);
        expect(joined.bySweptValue[param]).toHaveLength(rows);
        // Numbers get a chart per metric: one dot per swept value.
        const chart = block.locator('.chart').first();
        expect(await chart.locator('circle.dot').count()).toBe(rows);
        // The values span the chart's width (0.0001 to 0.0004 as much as 8 to 16).
        const cx = await chart
          .locator('circle.dot')
          .evaluateAll((dots) => dots.map((d) => Number(d.getAttribute('cx'))));
        expect(Math.max(...cx) - Math.min(...cx)).toBeGreaterThan(500);
        expect(await chart.locator('polygon.band').count()).toBe(1);
      }
      await shot('g04-sweep-group.png');
    },
    GROUP_TIMEOUT + 30_000,
  );

  it('lists groups opening to their members, and finds a renamed, tagged run by tag and name', async () => {
    await go('#/runs');
    const groupRow = page.locator(`tr[data-group="${seedsGroup}"]`);
    await groupRow.waitFor();
    expect(await groupRow.textContent()).toContain('DCGAN three seeds');
    await groupRow.getByRole('button', { name: 'Show 3 runs' }).click();
    const memberLinks = page.locator('.group-members a');
    await memberLinks.nth(2).waitFor();
    expect(await memberLinks.count()).toBe(3);
    const runId = (await memberLinks.first().textContent())!;
    // Members carry the group's tags; the run page edits its own labels.
    await memberLinks.first().click();
    await page.getByRole('link', { name: `group ${seedsGroup}` }).waitFor();
    await page.getByRole('button', { name: 'Edit name, tags and note' }).click();
    // A tag the API refuses is named beside the input, and nothing changes.
    await page.getByRole('textbox', { name: 'Tags', exact: true }).fill('e2e, no spaces!');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#edit-labels-tags-error').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('picked seed one');
    await page.getByRole('textbox', { name: 'Tags', exact: true }).fill('e2e, seeds, picked');
    await page.getByLabel('Note', { exact: true }).fill('The member the filter test finds.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('run-name').filter({ hasText: 'picked seed one' }).waitFor();
    await page.getByText('The member the filter test finds.').waitFor();
    const stored = await api<{ labels?: { name?: string; tags?: string[] } }>(`/experiments/${runId}`);
    expect(stored.labels).toMatchObject({ name: 'picked seed one', tags: ['e2e', 'seeds', 'picked'] });
    await shot('g05-run-labels.png');

    // The tag on the run page leads to the runs list filtered by it.
    await page.locator('.labels .tag', { hasText: 'picked' }).click();
    await page.waitForURL(/#\/runs\?tag=picked$/);
    await page.getByTestId('label-filter').waitFor();
    await expect
      .poll(() => page.locator('table.runs:not(.groups) tbody tr').count(), { timeout: POLL_TIMEOUT })
      .toBe(1);
    expect(await page.locator('table.runs:not(.groups) tbody tr').getAttribute('data-run')).toBe(runId);
    // By name, typed into the filter.
    await go('#/runs');
    await page.getByRole('searchbox', { name: 'Name contains' }).fill('PICKED seed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/#\/runs\?q=PICKED\+seed$/);
    await expect
      .poll(() => page.locator('table.runs:not(.groups) tbody tr').count(), { timeout: POLL_TIMEOUT })
      .toBe(1);
    expect(await page.locator('table.runs:not(.groups) tbody tr').getAttribute('data-run')).toBe(runId);
    await page.getByRole('searchbox', { name: 'Tag', exact: true }).fill('nothing-has-this');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No run matches these filters.').waitFor();
    await shot('g06-runs-filtered.png');
    expect(pageErrors).toEqual([]);
  });
});
