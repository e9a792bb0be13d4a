/**
 * The validation job of one uploaded dataset version (VALIDATING): reads what the user sent under raw/,
 * validates it (validate.ts), and either writes the packed images, labels, manifest and preview and moves
 * the version to READY, or removes everything of the version from the bucket and moves it to FAILED with
 * the reason. Run as its own process (trainer/validate-job.ts: a Batch job in the cloud, a child process
 * under `npm start`); decoding thousands of images does not belong in an API request.
 */
import { uploadFiles, uploadPrefix } from '../../../shared/keys.ts';
import { failValidation } from '../../../shared/storage/dataset-failure.ts';
import type { DatasetsTable } from '../../../shared/storage/datasets-table.ts';
import type { S3Objects } from '../../../shared/storage/s3-objects.ts';
import { UPLOAD_LIMITS } from '../../../shared/uploads.ts';
import { manifestText, type UploadLimits, UploadRefused, validateUpload } from './validate.ts';

export interface ValidationJob {
  objects: S3Objects;
  table: DatasetsTable;
  id: string;
  version: number;
  limits?: UploadLimits;
  now?: () => Date;
}

/** The version's status once done: READY, or FAILED with its reason. */
export async function runValidation(
  job: ValidationJob,
): Promise<{ status: 'READY' | 'FAILED'; reason?: string }> {
  const now = job.now ?? (() => new Date());
  const dataset = await job.table.get(job.id);
  const declared = dataset?.versions.find((v) => v.version === job.version);
  if (!dataset || !declared) throw new Error(`dataset ${job.id} has no version ${job.version}`);
  if (declared.status !== 'VALIDATING')
    throw new Error(`dataset ${job.id} version ${job.version} is ${declared.status}, not VALIDATING`);
  const prefix = uploadPrefix(dataset.owner, dataset.id, job.version);
  const rawPrefix = prefix + uploadFiles.rawDir;
  const keys = await job.objects.keys(rawPrefix);
  const files = keys.map((key) => ({
    path: key.slice(rawPrefix.length),
    read: async () => {
      const bytes = await job.objects.get(key);
      if (!bytes)
        throw new UploadRefused(`'${key.slice(rawPrefix.length)}' vanished before it was read; upload again`);
      return bytes;
    },
  }));
  const missing = declared.files.filter((f) => !keys.includes(rawPrefix + f.path)).map((f) => f.path);
  try {
    if (missing.length > 0)
      throw new UploadRefused(
        `${missing.length} declared file(s) never arrived (first: '${missing[0]}'); upload again`,
      );
    const out = await validateUpload(dataset.id, declared, files, job.limits ?? UPLOAD_LIMITS);
    const manifest = manifestText(out.manifest);
    await job.objects.put(prefix + uploadFiles.images, out.images, 'application/octet-stream');
    await job.objects.put(
      prefix + uploadFiles.labels,
      new Uint8Array(out.labels.buffer, out.labels.byteOffset, out.labels.byteLength),
      'application/octet-stream',
    );
    await job.objects.put(prefix + uploadFiles.preview, out.preview, 'image/png');
    // Last: a version's manifest marks its files complete.
    await job.objects.put(prefix + uploadFiles.manifest, manifest.text, 'application/json');
    await job.objects.deletePrefix(rawPrefix);
    await job.table.updateVersion(job.id, job.version, (v) => ({
      ...v,
      status: 'READY',
      updatedAt: now().toISOString(),
      report: out.report,
      manifestSha256: manifest.sha256,
    }));
    return { status: 'READY' };
  } catch (err) {
    const reason =
      err instanceof UploadRefused ? err.message : `validation could not finish: ${(err as Error).message}`;
    await failValidation(job, job.id, job.version, reason, now());
    return { status: 'FAILED', reason };
  }
}
