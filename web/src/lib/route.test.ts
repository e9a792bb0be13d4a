import { describe, expect, it } from 'vitest';
import { href, parseRoute, type Route } from './route.ts';

describe('hash routes', () => {
  it('round-trips every page', () => {
    const routes: Route[] = [
      { page: 'runs' },
      { page: 'runs', tag: 'lr:2e-4' },
      { page: 'runs', tag: 'a b', q: 'dcgan base' },
      { page: 'group', id: 'g_1' },
      { page: 'new' },
      { page: 'new', clone: 'run-1' },
      { page: 'new', family: 'dcgan' },
      { page: 'run', id: 'abc_1' },
      { page: 'compare', ids: ['a', 'b', 'c'] },
      { page: 'catalog' },
      { page: 'playground' },
      { page: 'playground', id: 'x' },
      { page: 'sign-in' },
    ];
    for (const r of routes) expect(parseRoute(href(r))).toEqual(r);
  });

  it('starts on the runs list and names unknown paths', () => {
    expect(parseRoute('')).toEqual({ page: 'runs' });
    expect(parseRoute('#/nope/1')).toEqual({ page: 'not-found', path: '/nope/1' });
  });
});
