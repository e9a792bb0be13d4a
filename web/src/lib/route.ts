/**
 * Routes live in the URL's hash (#/runs/abc), so the same static files work behind S3 and CloudFront and
 * under `npm start`, whose paths belong to the API.
 */
export type Route =
  | { page: 'runs' }
  | { page: 'new'; clone?: string; family?: string }
  | { page: 'run'; id: string }
  | { page: 'compare'; ids: string[] }
  | { page: 'catalog' }
  | { page: 'playground'; id?: string }
  | { page: 'sign-in' }
  | { page: 'not-found'; path: string };

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
      return { page: 'runs' };
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
    case 'runs':
      return '#/runs';
    case 'new':
      if (route.clone) return `#/new?clone=${enc(route.clone)}`;
      return route.family ? `#/new?family=${enc(route.family)}` : '#/new';
    case 'run':
      return `#/runs/${enc(route.id)}`;
    case 'compare':
      return `#/compare?ids=${route.ids.map(enc).join(',')}`;
    case 'catalog':
      return '#/catalog';
    case 'playground':
      return route.id ? `#/playground/${enc(route.id)}` : '#/playground';
    case 'sign-in':
      return '#/sign-in';
    case 'not-found':
      return `#/${route.path}`;
  }
}
