import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES } from '../../shared/catalog.ts';
import { DATASETS } from '../../shared/datasets.ts';
import { validateSpec } from '../../shared/spec.ts';
import { type ApiHarness, startApiHarness } from '../../test/api-harness.ts';

let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness();
});

afterAll(async () => {
  await h.stop();
});

interface Model {
  id: string;
  title: string;
  datasets: string[];
  hyperparameters: {
    type: string;
    properties: Record<string, { default: unknown; description: string }>;
    additionalProperties: boolean;
    required?: string[];
  };
  defaults: Record<string, unknown>;
}

describe('GET /models', () => {
  it("lists every family with its hyperparameters' JSON Schema and defaults", async () => {
    const res = await h.request('/models');
    expect(res.status).toBe(200);
    const { models } = (await res.json()) as { models: Model[] };
    expect(models.map((m) => m.id)).toEqual(FAMILIES.map((f) => f.id));
    for (const m of models) {
      const family = FAMILIES.find((f) => f.id === m.id)!;
      expect(m).toMatchObject({
        title: family.title,
        kinds: [...family.kinds],
        datasets: [...family.datasets],
      });
      expect(m.defaults).toEqual(family.hyperparameters.parse({}));
      expect(m.hyperparameters).toMatchObject({ type: 'object', additionalProperties: false });
      // What a form needs: every field optional, described, and defaulted as the spec will default it.
      expect(m.hyperparameters.required ?? []).toEqual([]);
      for (const [name, field] of Object.entries(m.hyperparameters.properties)) {
        expect(field.default, `${m.id}.${name}`).toEqual(m.defaults[name]);
        expect(field.description, `${m.id}.${name}`).toBeTruthy();
      }
      // The defaults are a valid spec as they stand.
      const spec = validateSpec({ family: m.id, dataset: m.datasets[0], hyperparameters: m.defaults });
      expect(spec.ok).toBe(true);
    }
  });

  it('needs a token', async () => {
    expect((await h.request('/models', { as: null })).status).toBe(401);
  });
});

describe('GET /datasets', () => {
  it('lists the dataset catalog, each built-in with its kind, source, licence and a preview the dashboard serves', async () => {
    const res = await h.request('/datasets');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { datasets: (typeof DATASETS)[number][] };
    expect(body).toEqual({ datasets: DATASETS, uploads: [] });
    for (const d of body.datasets) {
      expect(d.sources.length, d.id).toBeGreaterThan(0);
      expect(d.licence, d.id).toBeTruthy();
      // Previews are the dashboard's static files (web/public is copied into web/dist as it is).
      if (d.preview)
        expect(existsSync(new URL(`../../web/public/${d.preview}`, import.meta.url)), d.id).toBe(true);
    }
  });

  it('needs a token', async () => {
    expect((await h.request('/datasets', { as: null })).status).toBe(401);
  });
});
