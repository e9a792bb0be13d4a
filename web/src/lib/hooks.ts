/** Data-loading hooks: one load with loading and error states, and polling while a run is active. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Store } from './store.ts';

export interface Async<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads on mount and whenever `deps` change; keeps the last data while reloading. A load lands only while
 * its deps are still the latest rendered: an effect's cleanup runs after the next paint, so a response for
 * the old deps can otherwise arrive after the page has moved on (a list filtered by one query showing
 * another's rows).
 */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const all = [...deps, tick];
  const latest = useRef(all);
  if (all.length !== latest.current.length || all.some((d, i) => !Object.is(d, latest.current[i]))) {
    latest.current = all;
  }
  useEffect(() => {
    const mine = latest.current;
    let live = true;
    const current = () => live && latest.current === mine;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => current() && setState({ data, loading: false }),
      (error: Error) => current() && setState((s) => ({ ...s, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, all);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Calls `fn` every `ms` while `active` and the page is visible. */
export function useInterval(fn: () => void, ms: number, active: boolean): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') saved.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms, active]);
}

export function useStore<T>(s: Store<T>): T {
  const [, force] = useState(0);
  useEffect(() => s.subscribe(() => force((n) => n + 1)), [s]);
  return s.get();
}
