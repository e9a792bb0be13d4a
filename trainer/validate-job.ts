/**
 * The validation job, as trainer/job.ts runs it when GANZOO_TASK is 'validate-dataset' (on Batch in the
 * trainer image, and as the local runner's child process): GANZOO_DATASET_ID and GANZOO_DATASET_VERSION name the version, GANZOO_BUCKET and GANZOO_TABLE
 * where it lives. Exit 0 once the version is READY or FAILED (a refusal is an answer, not a crash), 1 when
 * it could not be brought to either, 2 for a bad environment.
 */
import { DatasetsTable } from '../shared/storage/datasets-table.ts';
import { retryTuningFromEnv } from '../shared/storage/retry.ts';
import { S3Objects } from '../shared/storage/s3-objects.ts';
import { VALIDATE_TASK, validationTarget } from '../shared/uploads.ts';
import { runValidation } from './data/upload/job.ts';

export { VALIDATE_TASK };

export async function validateDatasetJob(): Promise<number> {
  const { GANZOO_BUCKET: bucket, GANZOO_TABLE: table } = process.env;
  const target = validationTarget(process.env);
  if (!target || !bucket || !table) {
    process.stderr.write(
      'error: GANZOO_DATASET_ID (a dataset id), GANZOO_DATASET_VERSION (1 or more), GANZOO_BUCKET and GANZOO_TABLE must be set\n',
    );
    return 2;
  }
  const { id, version } = target;
  const retry = retryTuningFromEnv();
  const out = await runValidation({
    objects: new S3Objects({ bucket, retry }),
    table: new DatasetsTable({ table, retry }),
    id,
    version,
  });
  process.stdout.write(
    out.status === 'READY'
      ? `dataset ${id}@${version}: READY\n`
      : `failed: dataset ${id}@${version}: ${out.reason}\n`,
  );
  return 0;
}
