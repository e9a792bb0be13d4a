/**
 * A version's validation ends in failure: the version moves VALIDATING -> FAILED with the reason, then
 * every object under its prefix is deleted (nothing of a refused upload is kept). The record first, so a
 * version that has meanwhile become READY keeps its files, and a delete that fails leaves unreachable
 * objects, never a record without its files. Used by the validation job itself (a refusal) and by what
 * watches it (the Batch event handler, the local validator) when the job died without answering.
 */
import { uploadPrefix } from '../keys.ts';
import { DatasetConflict, type DatasetsTable } from './datasets-table.ts';
import type { S3Objects } from './s3-objects.ts';

export interface DatasetStores {
  table: DatasetsTable;
  objects: S3Objects;
}

export type FailOutcome =
  | { outcome: 'failed' }
  /** The version had already ended (READY or FAILED) or is not VALIDATING: it is left as it is. */
  | { outcome: 'unchanged'; status: string }
  | { outcome: 'missing' };

export async function failValidation(
  stores: DatasetStores,
  id: string,
  version: number,
  reason: string,
  now: Date = new Date(),
): Promise<FailOutcome> {
  let dataset: Awaited<ReturnType<DatasetsTable['updateVersion']>>;
  try {
    dataset = await stores.table.updateVersion(id, version, (v) => {
      if (v.status !== 'VALIDATING')
        throw new DatasetConflict(
          `dataset ${id} version ${version} is ${v.status}, not VALIDATING`,
          v.status,
        );
      return { ...v, status: 'FAILED', updatedAt: now.toISOString(), reason };
    });
  } catch (err) {
    if (err instanceof DatasetConflict) return { outcome: 'unchanged', status: err.status };
    throw err;
  }
  if (!dataset) return { outcome: 'missing' };
  await stores.objects.deletePrefix(uploadPrefix(dataset.owner, id, version));
  return { outcome: 'failed' };
}
