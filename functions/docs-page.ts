/**
 * GET /docs: the OpenAPI document rendered to one static HTML page on the server. No script runs and
 * nothing is loaded from elsewhere (the route sends a CSP that forbids it), so the page works offline and
 * behind any firewall, and there is no third-party code to trust.
 */
import { PROBLEM_KINDS, type ProblemKind, problemType } from './errors.ts';

type Json = Record<string, unknown>;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

/** A raw-HTML fragment; plain strings interpolated into `html` are escaped. */
class Html {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

type Part = Html | string | number | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < parts.length ? render(parts[i]) : ''), ''));
}

const anchor = (name: string) => `schema-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
const refName = (ref: string) => ref.replace('#/components/schemas/', '');

/** A one-line description of a schema's type: "integer, 1..100, default 20", a link to a component, etc. */
function typeOf(schema: Json | undefined): Html {
  if (!schema) return html``;
  if (typeof schema.$ref === 'string') {
    const name = refName(schema.$ref);
    return html`<a href="#${anchor(name)}">${name}</a>`;
  }
  const bits: Part[] = [];
  if (Array.isArray(schema.enum)) bits.push(`one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  else if ('const' in schema) bits.push(`exactly ${JSON.stringify(schema.const)}`);
  else if (schema.type === 'array') bits.push(html`array of ${typeOf(schema.items as Json)}`);
  else if (typeof schema.type === 'string') bits.push(schema.type);
  else if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const options = (schema.anyOf ?? schema.oneOf) as Json[];
    bits.push(html`${options.map((o, i) => html`${i ? ' or ' : ''}${typeOf(o)}`)}`);
  }
  if (schema.format) bits.push(`(${schema.format})`);
  const min = schema.minimum ?? schema.exclusiveMinimum;
  const max = schema.maximum ?? schema.exclusiveMaximum;
  const safe = (v: unknown) => typeof v === 'number' && Math.abs(v) < Number.MAX_SAFE_INTEGER;
  if (safe(min) || safe(max)) {
    const lo = safe(min) ? `${schema.exclusiveMinimum !== undefined ? '>' : ''}${min}` : '';
    const hi = safe(max) ? `${schema.exclusiveMaximum !== undefined ? '<' : ''}${max}` : '';
    bits.push(`, ${lo}..${hi}`);
  }
  if (schema.minLength !== undefined || schema.maxLength !== undefined) {
    bits.push(`, length ${schema.minLength ?? 0}..${schema.maxLength ?? ''}`);
  }
  if ('default' in schema) bits.push(`, default ${JSON.stringify(schema.default)}`);
  return html`${bits.map((b, i) => html`${i && !(typeof b === 'string' && b.startsWith(',')) ? ' ' : ''}${b}`)}`;
}

/** The fields of an inline object (or array of objects), shown inside its row. */
function nested(schema: Json | undefined): Html {
  const inner = schema?.type === 'array' ? (schema.items as Json | undefined) : schema;
  return inner?.properties ? propertiesTable(inner) : html``;
}

function propertiesTable(schema: Json): Html {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const names = Object.keys(props);
  if (names.length === 0) {
    return html`<p>${typeOf(schema)}${schema.description ? html` – ${String(schema.description)}` : ''}</p>`;
  }
  return html`<table><thead><tr><th>field</th><th>type</th><th>description</th></tr></thead><tbody>${names.map(
    (n) =>
      html`<tr><td><code>${n}</code>${required.has(n) ? html` <span class="req">required</span>` : ''}</td><td>${typeOf(props[n])}</td><td>${String(props[n]?.description ?? '')}${nested(props[n])}</td></tr>`,
  )}</tbody></table>`;
}

function parametersTable(parameters: Json[]): Html {
  if (parameters.length === 0) return html``;
  return html`<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr></thead><tbody>${parameters.map(
    (p) =>
      html`<tr><td><code>${String(p.name)}</code>${p.required ? html` <span class="req">required</span>` : ''}</td><td>${String(p.in)}</td><td>${typeOf(p.schema as Json)}</td><td>${String(p.description ?? '')}</td></tr>`,
  )}</tbody></table>`;
}

function contentSchemas(content: unknown): Html {
  const entries = Object.entries((content ?? {}) as Record<string, { schema?: Json }>);
  return html`${entries.map(([type, { schema }]) => html` <code>${type}</code>${schema ? html` ${typeOf(schema)}` : ''}`)}`;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function operationSection(path: string, method: string, op: Json, globalSecurity: boolean): Html {
  const id = `op-${method}-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
  const isPublic = Array.isArray(op.security) ? op.security.length === 0 : !globalSecurity;
  const body = op.requestBody as Json | undefined;
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  return html`<section class="op" id="${id}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${path}</code> ${isPublic ? html`<span class="public">no token</span>` : ''}</h3>
<p><strong>${String(op.summary ?? '')}</strong></p>
${op.description ? html`<p>${String(op.description)}</p>` : ''}
${parametersTable((op.parameters ?? []) as Json[])}
${body ? html`<h4>Request body</h4><p>${String(body.description ?? '')}${contentSchemas(body.content)}</p>` : ''}
<h4>Responses</h4>
<table><tbody>${responses.map(
    ([status, r]) =>
      html`<tr><td><code>${status}</code></td><td>${String(r.description ?? '')}${contentSchemas(r.content)}</td></tr>`,
  )}</tbody></table>
</section>`;
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d232a}
code{font:13px ui-monospace,monospace;background:#f1f3f5;padding:0 .25em;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #dde1e5;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.op{border-top:1px solid #dde1e5;margin-top:1.5rem}
.method{display:inline-block;min-width:3.5rem;text-align:center;color:#fff;border-radius:3px;font-size:13px;padding:.1rem .3rem}
.get{background:#2f6fb3}.post{background:#2e8540}.put,.patch{background:#a06a00}.delete{background:#b3261e}
.req{color:#b3261e;font-size:12px}.public{color:#2e8540;font-size:12px;font-weight:normal}
nav ul{columns:2}h4{margin:.75rem 0 .25rem}`;

/** The whole page for an OpenAPI 3.1 document. */
export function renderDocsPage(doc: Json): string {
  const info = (doc.info ?? {}) as Json;
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  const globalSecurity = Array.isArray(doc.security) && doc.security.length > 0;
  const ops = Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m]! })),
  );
  const title = String(info.title ?? 'API');
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${new Html(STYLE)}</style></head>
<body>
<h1>${title} <small>${String(info.version ?? '')}</small></h1>
<p>${String(info.description ?? '')}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI ${String(doc.openapi ?? '')}).</p>
<nav><h2>Routes</h2><ul>${ops.map(
    ({ path, method, op }) =>
      html`<li><a href="#op-${method}-${path.replace(/[^A-Za-z0-9]+/g, '-')}">${method.toUpperCase()} ${path}</a> – ${String(op.summary ?? '')}</li>`,
  )}</ul></nav>
${ops.map(({ path, method, op }) => operationSection(path, method, op, globalSecurity))}
<h2 id="problems">Errors</h2>
<p>Every error is an RFC 9457 problem (<code>application/problem+json</code>) with <code>type</code>, <code>title</code>, <code>status</code> and <code>detail</code>; invalid requests add <code>errors</code>, one <code>{ field, message }</code> per field at fault.</p>
<table><thead><tr><th>type</th><th>status</th><th>title</th></tr></thead><tbody>${(
    Object.keys(PROBLEM_KINDS) as ProblemKind[]
  ).map(
    (k) =>
      html`<tr><td><code>${problemType(k)}</code></td><td>${PROBLEM_KINDS[k].status}</td><td>${PROBLEM_KINDS[k].title}</td></tr>`,
  )}</tbody></table>
<h2>Schemas</h2>
${Object.entries(schemas).map(
  ([name, schema]) =>
    html`<section id="${anchor(name)}"><h3><code>${name}</code></h3>${schema.description ? html`<p>${String(schema.description)}</p>` : ''}${propertiesTable(schema)}</section>`,
)}
</body></html>
`;
  return page.value;
}
