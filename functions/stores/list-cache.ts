/**
 * A run store whose listings are kept until the table changes: the local platform's answer to dashboards
 * polling `GET /experiments`. On this machine a listing that reaches the emulator costs some 4 ms of CPU
 * (the SDK, HTTP to dynalite, LevelDB), a cached one a tenth of that, and the trainers share those cores.
 *
 * Correct only where every change to the table is announced: this store's own writes drop the cache once
 * they land, and the platform calls invalidate() for each write the emulator answers (scripts/platform/
 * emulators.ts onChange), a trainer's included, before the writer hears that its write landed: so a listing
 * that starts after any write was answered shows it, and no late announcement drops a listing read after the
 * write. A listing begun before a change is not kept past it. The cloud's API has no such announcement and
 * uses no cache.
 */
import type { ListQuery, RunPage, RunStore } from '../ports.ts';

/**
 * Some 4,000 runs' worth at the dashboard's 20 a page (a page of 20 is about 12 KB as JSON); the oldest
 * listing goes first beyond it.
 */
const DEFAULT_MAX_PAGES = 200;

export class ListCachedRunStore implements RunStore {
  /** Listings by query, answered or still being read: callers asking meanwhile share one read. */
  private readonly pages = new Map<string, Promise<RunPage>>();

  constructor(
    private readonly store: RunStore,
    private readonly maxPages = DEFAULT_MAX_PAGES,
  ) {}

  /**
   * Forgets every listing: the table changed. One still being read is answered to whoever asked for it,
   * but not kept.
   */
  invalidate(): void {
    this.pages.clear();
  }

  list(query: ListQuery): Promise<RunPage> {
    const key = JSON.stringify([
      query.owner,
      query.limit,
      query.status,
      query.family,
      query.tag,
      query.q,
      query.cursor,
    ]);
    const kept = this.pages.get(key);
    if (kept) return kept;
    // Frozen, since every later caller gets the same object.
    const page = this.store.list(query).then(deepFreeze);
    if (this.pages.size >= this.maxPages) this.pages.delete(this.pages.keys().next().value!);
    this.pages.set(key, page);
    // A failed read is not kept: the next caller tries again.
    page.catch(() => this.pages.get(key) === page && this.pages.delete(key));
    return page;
  }

  create(...args: Parameters<RunStore['create']>): ReturnType<RunStore['create']> {
    return this.forgetAfter(this.store.create(...args));
  }

  update(...args: Parameters<RunStore['update']>): ReturnType<RunStore['update']> {
    return this.forgetAfter(this.store.update(...args));
  }

  recordUsage(...args: Parameters<RunStore['recordUsage']>): ReturnType<RunStore['recordUsage']> {
    return this.forgetAfter(this.store.recordUsage(...args));
  }

  setLabels(...args: Parameters<RunStore['setLabels']>): ReturnType<RunStore['setLabels']> {
    return this.forgetAfter(this.store.setLabels(...args));
  }

  reserveSlots(...args: Parameters<RunStore['reserveSlots']>): ReturnType<RunStore['reserveSlots']> {
    return this.store.reserveSlots(...args);
  }

  releaseSlots(...args: Parameters<RunStore['releaseSlots']>): ReturnType<RunStore['releaseSlots']> {
    return this.store.releaseSlots(...args);
  }

  get(id: string): ReturnType<RunStore['get']> {
    return this.store.get(id);
  }

  getMany(ids: readonly string[]): ReturnType<RunStore['getMany']> {
    return this.store.getMany(ids);
  }

  listUnfinished(): ReturnType<RunStore['listUnfinished']> {
    return this.store.listUnfinished();
  }

  /** A write's result, once every listing is forgotten: whether the write landed or failed part way. */
  private async forgetAfter<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.invalidate();
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
