/** GET /health, /openapi.json and /docs: the routes that need no token. */
import { Hono } from 'hono';
import { renderDocsPage } from '../docs-page.ts';
import { openApiDocument } from '../openapi.ts';

// No script, no outside origin: the docs page is static HTML with inline styles only.
const DOCS_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function metaRoutes(now: () => Date) {
  // Built on first use and kept: the document depends only on the deployed code.
  let doc: Record<string, unknown> | undefined;
  let page: string | undefined;
  const document = () => {
    doc ??= openApiDocument();
    return doc;
  };
  return new Hono()
    .get('/health', (c) => c.json({ status: 'ok' as const, time: now().toISOString() }))
    .get('/openapi.json', (c) => c.json(document()))
    .get('/docs', (c) => {
      page ??= renderDocsPage(document());
      c.header('content-security-policy', DOCS_CSP);
      c.header('x-content-type-options', 'nosniff');
      return c.html(page);
    });
}
