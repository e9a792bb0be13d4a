/**
 * The runs table, named once for the stores, the trainer's status sink, the emulators and the CDK stack.
 * Items are RunRecords (shared/run.ts) stored as shared/storage/run-item.ts says, keyed by `id`. Two other kinds of
 * item live in the same table, told apart by a prefix of their id ('#' never occurs in a run id), and
 * without an `owner` attribute, so they stay out of the owner index:
 * - idempotency keys, IDEMPOTENCY_PREFIX then owner and key;
 * - an owner's runs in flight, SLOTS_PREFIX then owner: the set of slots its unfinished runs hold
 *   (shared/storage/run-slots.ts).
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
/** A group's idempotency key, apart from runs' (the same key may name a run and a group). */
export const GROUP_IDEMPOTENCY_PREFIX = 'idem-group#';
export const SLOTS_PREFIX = 'slots#';

/**
 * Uploaded datasets live in the runs table too (shared/storage/datasets-table.ts): a dataset is an item whose
 * id is DATASET_PREFIX + its id and whose owner attribute is DATASET_PREFIX + owner, so the owner index lists
 * them apart from runs and groups; DATASET_NAME_PREFIX + owner + '#' + name claims a name (no owner attribute).
 */
export const DATASET_PREFIX = 'dataset#';
export const DATASET_NAME_PREFIX = 'dsname#';
