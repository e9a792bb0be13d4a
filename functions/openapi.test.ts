import { describe, expect, it } from 'vitest';
import { ListQuerySchema, MetricsQuerySchema } from '../shared/api/schemas.ts';
import { FAMILIES } from '../shared/catalog.ts';
import { UPLOAD_KINDS } from '../shared/upload-kinds.ts';
import { UPLOAD_REF } from '../shared/uploads.ts';
import { escapeHtml, renderDocsPage } from './docs-page.ts';
import { PROBLEM_KINDS, type ProblemKind } from './errors.ts';
import { openApiDocument } from './openapi.ts';

type Json = Record<string, unknown>;
const doc = openApiDocument() as Json & {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json> };
};

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('openApiDocument', () => {
  it('is OpenAPI 3.1 with bearer security by default', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('resolves every $ref to a component', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(10);
    for (const ref of all) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
  });

  it('describes the spec as one variant per family, with its datasets, hyperparameters and rules', () => {
    type Variant = { properties: Record<string, Json>; required: string[]; additionalProperties: boolean };
    const spec = doc.components.schemas.ExperimentSpec as { oneOf: Variant[]; discriminator: Json };
    expect(spec.discriminator).toEqual({ propertyName: 'family' });
    expect(spec.oneOf.map((v) => v.properties.family!.const)).toEqual(FAMILIES.map((f) => f.id));
    for (const [i, f] of FAMILIES.entries()) {
      const v = spec.oneOf[i]!;
      expect(v.required.sort()).toEqual(['dataset', 'family']);
      expect(v.additionalProperties).toBe(false);
      expect(v.properties.steps).toMatchObject({ type: 'integer', minimum: 1, default: 2000 });
      // Its built-ins, and an upload's upload:{id}@{version} for a family of a kind users may upload.
      const dataset = v.properties.dataset as { enum?: string[]; anyOf?: Json[] };
      const uploadable = f.kinds.some((k) => (UPLOAD_KINDS as readonly string[]).includes(k));
      if (!uploadable) expect(dataset).toMatchObject({ enum: f.datasets });
      else
        expect(dataset.anyOf).toEqual([
          expect.objectContaining({ enum: f.datasets }),
          expect.objectContaining({ type: 'string', pattern: UPLOAD_REF.source }),
        ]);
      expect(v.properties.hyperparameters).toMatchObject({
        $ref: `#/components/schemas/Hyperparameters.${f.id}`,
      });
      expect(doc.components.schemas[`Hyperparameters.${f.id}`]).toBeDefined();
    }
    const presgan = spec.oneOf[FAMILIES.findIndex((f) => f.id === 'presgan')]!;
    expect(presgan.properties.hyperparameters!.description).toContain('sigmaMin < sigmaInit < sigmaMax');
    const bad = doc.paths['/experiments']!.post!.responses as Record<string, Json>;
    expect(bad['400']!.description).toContain('presgan: sigmaMin < sigmaInit < sigmaMax');
  });

  it('documents query parameters from the schemas the routes parse', () => {
    const list = doc.paths['/experiments']!.get!.parameters as Json[];
    expect(list.map((p) => p.name)).toEqual(Object.keys(ListQuerySchema.shape));
    expect(list.find((p) => p.name === 'limit')).toMatchObject({
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    });
    const metrics = doc.paths['/experiments/{id}/metrics']!.get!.parameters as Json[];
    expect(metrics.map((p) => p.name)).toEqual(['id', 'every', 'points']);
    expect(MetricsQuerySchema.safeParse({ every: '2', points: '3' }).success).toBe(false);
  });

  it('gives every operation a summary and its error responses', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses as Json).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    const submit = Object.keys(doc.paths['/experiments']!.post!.responses as Json);
    expect(submit.sort()).toEqual(['200', '201', '400', '401', '413', '415', '422', '429', '431', '502']);
    expect(Object.keys(doc.paths['/experiments/{id}/cancel']!.post!.responses as Json)).toContain('409');
  });
});

describe('renderDocsPage', () => {
  const page = renderDocsPage(doc);

  it('shows every operation, every problem type and every schema', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) expect(page).toContain(`${method.toUpperCase()} ${path}`);
    }
    for (const kind of Object.keys(PROBLEM_KINDS) as ProblemKind[]) {
      expect(page).toContain(`urn:ganzoo:problem:${kind}`);
    }
    for (const name of Object.keys(doc.components.schemas)) {
      expect(page).toContain(`id="schema-${name.replace('.', '-')}"`);
    }
    expect(page).toContain('href="#schema-Run"');
    expect(page).toContain('integer, 1..100, default 20');
  });

  it('escapes text from the document', () => {
    const hostile = renderDocsPage({
      openapi: '3.1.0',
      info: { title: '<script>alert(1)</script>', description: '"quoted" & <b>' },
      paths: { '/x': { get: { summary: '<img src=x onerror=alert(1)>', responses: {} } } },
    });
    expect(hostile).not.toContain('<script>alert');
    expect(hostile).not.toContain('<img');
    expect(hostile).toContain('&lt;script&gt;');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
