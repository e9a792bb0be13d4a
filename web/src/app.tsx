/** The shell: navigation, the connection banner, and the page the hash route names. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ConnectionBanner } from './components/states.tsx';
import type { DashboardConfig } from './config.ts';
import { useStore } from './lib/hooks.ts';
import { href, parseRoute, type Route } from './lib/route.ts';
import { CatalogPage } from './pages/catalog.tsx';
import { ComparePage } from './pages/compare.tsx';
import { DatasetsPage } from './pages/datasets.tsx';
import { GroupPage } from './pages/group.tsx';
import { NewExperimentPage } from './pages/new-experiment.tsx';
import { PlaygroundPage } from './pages/playground.tsx';
import { RunPage } from './pages/run.tsx';
import { RunsPage } from './pages/runs.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { session, signOut } from './session.ts';

const NAV: { route: Route; label: string; pages: Route['page'][] }[] = [
  { route: { page: 'runs' }, label: 'Runs', pages: ['runs', 'run', 'group'] },
  { route: { page: 'new' }, label: 'New experiment', pages: ['new'] },
  { route: { page: 'compare', ids: [] }, label: 'Compare', pages: ['compare'] },
  { route: { page: 'datasets' }, label: 'Datasets', pages: ['datasets'] },
  { route: { page: 'catalog' }, label: 'Catalog', pages: ['catalog'] },
  { route: { page: 'playground' }, label: 'Playground', pages: ['playground'] },
];

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Page({
  route,
  config,
  signInError,
}: {
  route: Route;
  config: DashboardConfig;
  signInError?: string;
}) {
  switch (route.page) {
    case 'runs':
      return <RunsPage {...(route.tag ? { tag: route.tag } : {})} {...(route.q ? { q: route.q } : {})} />;
    case 'group':
      return <GroupPage key={route.id} id={route.id} />;
    case 'new':
      return (
        <NewExperimentPage
          {...(route.clone ? { clone: route.clone } : {})}
          {...(route.family ? { family: route.family } : {})}
        />
      );
    case 'run':
      return <RunPage key={route.id} id={route.id} />;
    case 'compare':
      return <ComparePage ids={route.ids} />;
    case 'catalog':
      return <CatalogPage />;
    case 'datasets':
      return <DatasetsPage />;
    case 'playground':
      return <PlaygroundPage {...(route.id ? { id: route.id } : {})} />;
    case 'sign-in':
      return <SignInPage config={config} {...(signInError ? { error: signInError } : {})} />;
    case 'not-found':
      return (
        <>
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            There is no page at <code>{route.path}</code>.{' '}
            <a href={href({ page: 'runs' })}>Go to your runs</a>.
          </p>
        </>
      );
  }
}

export function App({ config, signInError }: { config: DashboardConfig; signInError?: string }) {
  const route = useRoute();
  const signedIn = useStore(session) !== undefined;
  const main = useRef<HTMLElement>(null);
  const shown: Route = signedIn || route.page === 'catalog' ? route : { page: 'sign-in' };
  const key = location.hash;

  // A new page moves focus to its heading, so screen readers announce it and Tab starts from there; the
  // first page keeps the document's own order (skip link first).
  const firstPage = useRef(true);
  useEffect(() => {
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus({ preventScroll: false });
  }, [key, shown.page]);

  return (
    <>
      <button type="button" class="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href={href({ page: 'runs' })}>
          ganzoo
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.label}>
                <a href={href(n.route)} aria-current={n.pages.includes(shown.page) ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {signedIn && (
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        )}
      </header>
      <ConnectionBanner />
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={shown} config={config} {...(signInError ? { signInError } : {})} />
      </main>
    </>
  );
}
