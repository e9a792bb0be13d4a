/**
 * How a run record is stored as an item of the runs table (shared/tables.ts), for the API's run store and
 * the trainer's status sink alike: attribute by attribute, except the spec. The spec is written once and
 * read whole, so it is kept as its JSON text, with its family beside it as an attribute of its own for the
 * listing's filter. As a nested map it cost every read a walk over some twenty attribute values, in the
 * emulator and in the SDK; as text, a page of runs is read with about 15% less CPU (docs/RESULTS.md).
 * Items written before kept the spec as a map; both forms read back the same.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ExperimentSpec } from '../spec.ts';

export const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: true } as const;

/** The item attribute with the spec's family, which the listing filters on. */
export const FAMILY_ATTRIBUTE = 'family';
/** The run's name in lower case beside its labels, for the listing's `q` filter (DynamoDB's contains() minds case). */
export const NAME_SEARCH_ATTRIBUTE = 'nameLower';

/** The search attribute's value for a name, or undefined for none. */
export const nameSearch = (name: string | undefined) => name?.toLowerCase();
/**
 * The labels as canonical JSON text beside them: what an edit's conditional write compares (comparing the
 * map itself depends on its keys' order, which a read does not keep in every store).
 */
export const LABELS_KEY_ATTRIBUTE = 'labelsKey';

export function labelsKey(labels: { name?: string; tags?: string[]; note?: string } | undefined) {
  return labels ? JSON.stringify([labels.name ?? null, labels.tags ?? null, labels.note ?? null]) : undefined;
}

type Item = Record<string, AttributeValue>;

/** The item for a record (or the part of one a trainer knows); `spec` becomes JSON text. */
export function runItem<
  T extends { id: string; spec?: ExperimentSpec; labels?: { name?: string; tags?: string[]; note?: string } },
>(run: T): Item {
  const { spec, ...rest } = run;
  const search = {
    [NAME_SEARCH_ATTRIBUTE]: nameSearch(run.labels?.name),
    [LABELS_KEY_ATTRIBUTE]: labelsKey(run.labels),
  };
  if (spec === undefined) return marshall({ ...rest, ...search }, MARSHALL);
  return marshall(
    { ...rest, ...search, spec: JSON.stringify(spec), [FAMILY_ATTRIBUTE]: spec.family },
    MARSHALL,
  );
}

/**
 * The record an item holds, with the spec parsed back whichever form it was stored in. `T` is what the
 * caller knows the item to be (a run record, an idempotency claim); the item is not validated against it.
 */
export function runFromItem<T = Record<string, unknown>>(item: Item): T {
  const {
    [FAMILY_ATTRIBUTE]: _family,
    [NAME_SEARCH_ATTRIBUTE]: _name,
    [LABELS_KEY_ATTRIBUTE]: _key,
    ...record
  } = unmarshall(item);
  if (typeof record.spec === 'string') {
    try {
      record.spec = JSON.parse(record.spec);
    } catch {
      throw new Error(`run ${String(record.id)}: the stored spec is not JSON`);
    }
  }
  return record as T;
}
