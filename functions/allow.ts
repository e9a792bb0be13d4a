/**
 * 405 with Allow for a path the contract declares, asked with a method it does not have: answered before
 * authentication, as the path exists whoever asks. Paths outside the contract fall through to the 404.
 */
import type { Context, Next } from 'hono';
import { type RouteDef, routes } from '../shared/api/routes.ts';
import { ApiProblem } from './errors.ts';

const patterns = (() => {
  const byPath = new Map<string, Set<string>>();
  for (const r of Object.values(routes) as RouteDef[]) {
    const methods = byPath.get(r.path) ?? new Set<string>();
    methods.add(r.method.toUpperCase());
    if (r.method === 'get') methods.add('HEAD');
    byPath.set(r.path, methods);
  }
  return [...byPath].map(([path, methods]) => ({
    match: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+').replaceAll('.', '\\.')}/?$`),
    methods,
    allow: [...methods].join(', '),
  }));
})();

export async function methodNotAllowed(c: Context, next: Next): Promise<void> {
  const declared = patterns.find((p) => p.match.test(c.req.path));
  if (declared && !declared.methods.has(c.req.method)) {
    throw new ApiProblem(
      'method-not-allowed',
      `${c.req.path} does not take ${c.req.method}; it takes ${declared.allow}`,
      { headers: { allow: declared.allow } },
    );
  }
  await next();
}
