import { describe, expect, it } from 'vitest';
import { metaRoutes } from './meta.ts';

// Served without a token; app.test.ts checks that on the whole app.
const app = metaRoutes(() => new Date('2026-02-03T04:05:06.000Z'));

describe('meta routes', () => {
  it('GET /health answers ok', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', time: '2026-02-03T04:05:06.000Z' });
  });

  it('GET /openapi.json answers the OpenAPI 3.1 document', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/experiments/{id}/metrics');
  });

  it('GET /docs answers a self-contained HTML page that may not load anything', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    const page = await res.text();
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(page).toContain('POST /experiments');
    // Twice: built once and kept.
    expect(await (await app.request('/docs')).text()).toBe(page);
  });
});
