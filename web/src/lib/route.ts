/**
 * Routes live in the URL's hash (#/runs/abc), so the same static files work behind S3 and CloudFront and
 * under `npm start`, whose paths belong to the API.
 */
export type Route =
  | { page: 'runs'; tag?: string; q?: string }
  | { page: 'group'; id: string }
  | { page: 'new'; clone?: string; family?: string }
  | { page: 'run'; id: string }
  | { page: 'compare'; ids: string[] }
  | { page: 'catalog' }
  | { page: 'datasets' }
  | { page: 'playground'; id?: string }
  | { page: 'sign-in' }
  | { page: 'not-found'; path: string };

/** The runs list's filters: a tag, and text within names. */
function filters(params: URLSearchParams): Route {
  const tag = params.get('tag');
  const q = params.get('q');
  return { page: 'runs', ...(tag ? { tag } : {}), ...(q ? { q } : {}) };
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [head, id] = parts;
  switch (head) {
    case undefined:
    case 'runs':
      if (id) return { page: 'run', id };
      return filters(params);
    case 'groups':
      return id ? { page: 'group', id } : filters(params);
    case 'new': {
      const clone = params.get('clone');
      const family = params.get('family');
      return { page: 'new', ...(clone ? { clone } : {}), ...(family ? { family } : {}) };
    }
    case 'compare':
      return {
        page: 'compare',
        ids: (params.get('ids') ?? '').split(',').filter(Boolean),
      };
    case 'catalog':
      return { page: 'catalog' };
    case 'datasets':
      return { page: 'datasets' };
    case 'playground':
      return id ? { page: 'playground', id } : { page: 'playground' };
    case 'sign-in':
      return { page: 'sign-in' };
    default:
      return { page: 'not-found', path: raw };
  }
}

export function href(route: Route): string {
  const enc = encodeURIComponent;
  switch (route.page) {
    case 'runs': {
      const q = new URLSearchParams();
      if (route.tag) q.set('tag', route.tag);
      if (route.q) q.set('q', route.q);
      return q.toString() ? `#/runs?${q}` : '#/runs';
    }
    case 'group':
      return `#/groups/${enc(route.id)}`;
    case 'new':
      if (route.clone) return `#/new?clone=${enc(route.clone)}`;
      return route.family ? `#/new?family=${enc(route.family)}` : '#/new';
    case 'run':
      return `#/runs/${enc(route.id)}`;
    case 'compare':
      return `#/compare?ids=${route.ids.map(enc).join(',')}`;
    case 'catalog':
      return '#/catalog';
    case 'datasets':
      return '#/datasets';
    case 'playground':
      return route.id ? `#/playground/${enc(route.id)}` : '#/playground';
    case 'sign-in':
      return '#/sign-in';
    case 'not-found':
      return `#/${route.path}`;
  }
}
