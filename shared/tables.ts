/**
 * The runs table, named once for the stores, the trainer's status sink, the emulators and the CDK stack.
 * Items are RunRecords (shared/run.ts) stored as shared/run-item.ts says, keyed by `id`. Idempotency keys
 * live in the same table as items whose id starts with IDEMPOTENCY_PREFIX ('#' never occurs in a run id).
 */
export const RUNS_TABLE = {
  partitionKey: 'id',
  /** Newest-first listing of one owner's runs. */
  ownerIndex: { name: 'byOwnerCreated', partitionKey: 'owner', sortKey: 'createdAt' },
} as const;

export const IDEMPOTENCY_PREFIX = 'idem#';

/**
 * Experiment groups live in the runs table too, as items whose id starts with GROUP_PREFIX and whose owner
 * attribute is GROUP_PREFIX + owner: the owner index then lists one owner's groups newest first, apart from
 * their runs (functions/stores/group-store.ts).
 */
export const GROUP_PREFIX = 'group#';
