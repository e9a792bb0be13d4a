/**
 * A run store whose listings are kept until the table changes: the local platform's answer to dashboards
 * polling `GET /experiments`. On this machine a listing that reaches the emulator costs some 4 ms of CPU
 * (the SDK, HTTP to dynalite, LevelDB), a cached one a tenth of that, and the trainers share those cores.
 *
 * Correct only where every change to the table is announced: this store's own writes drop the cache
 * before and after they land, and the platform calls invalidate() for each write the emulator sees
 * (scripts/platform/emulators.ts onChange), including a trainer's. A listing read while a change was under
 * way is returned but not kept. A change by another writer is visible as soon as its announcement arrives
 * (well under a millisecond), which is no weaker than the owner index itself: DynamoDB reads a global
 * secondary index eventually consistently. The cloud's API has no such announcement and uses no cache.
 */
import type { ListQuery, RunPage, RunStore } from '../ports.ts';

/**
 * Some 4,000 runs' worth at the dashboard's 20 a page (a page of 20 is about 12 KB as JSON); the oldest
 * listing goes first beyond it.
 */
const DEFAULT_MAX_PAGES = 200;

export class ListCachedRunStore implements RunStore {
  private readonly pages = new Map<string, RunPage>();
  /** Moves at each change, so that a listing begun before it is not kept. */
  private generation = 0;

  constructor(
    private readonly store: RunStore,
    private readonly maxPages = DEFAULT_MAX_PAGES,
  ) {}

  /** Forgets every listing: the table changed, or may be changing now. */
  invalidate(): void {
    this.generation++;
    this.pages.clear();
  }

  async list(query: ListQuery): Promise<RunPage> {
    const key = JSON.stringify([query.owner, query.limit, query.status, query.family, query.cursor]);
    const kept = this.pages.get(key);
    if (kept) return kept;
    const generation = this.generation;
    // Frozen, since every later caller gets the same object.
    const page = deepFreeze(await this.store.list(query));
    if (generation === this.generation) {
      if (this.pages.size >= this.maxPages) this.pages.delete(this.pages.keys().next().value!);
      this.pages.set(key, page);
    }
    return page;
  }

  create(...args: Parameters<RunStore['create']>): ReturnType<RunStore['create']> {
    return this.changing(() => this.store.create(...args));
  }

  update(...args: Parameters<RunStore['update']>): ReturnType<RunStore['update']> {
    return this.changing(() => this.store.update(...args));
  }

  get(id: string): ReturnType<RunStore['get']> {
    return this.store.get(id);
  }

  listUnfinished(): ReturnType<RunStore['listUnfinished']> {
    return this.store.listUnfinished();
  }

  private async changing<T>(write: () => Promise<T>): Promise<T> {
    this.invalidate();
    try {
      return await write();
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
