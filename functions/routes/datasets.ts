/**
 * /datasets: the built-in catalog and the caller's own uploads. An upload is declared (POST /datasets:
 * presigned PUT URLs, parts for large files), sent straight to S3 by the client, finished (POST
 * /datasets/{id}/complete: 202, the validation job started) and then READY or FAILED. Another caller's
 * dataset answers 404 like a missing one.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { CompleteDatasetSchema, type UploadTarget } from '../../shared/api/schemas.ts';
import type { FamilyInfo } from '../../shared/catalog.ts';
import { DATASETS, describeKind } from '../../shared/datasets.ts';
import { uploadFiles, uploadPrefix } from '../../shared/keys.ts';
import { isTerminal, RUN_STATUSES } from '../../shared/run.ts';
import { DatasetConflict, type DatasetsTable } from '../../shared/storage/datasets-table.ts';
import type { S3Objects } from '../../shared/storage/s3-objects.ts';
import {
  CreateDatasetSchema,
  type DatasetVersion,
  parseUploadRef,
  type RunUpload,
  UPLOAD_ID,
  UPLOAD_KINDS,
  UPLOAD_LIMITS,
  type UploadedDataset,
} from '../../shared/uploads.ts';
import type { ApiEnv } from '../auth.ts';
import { ApiProblem, invalidRequest, issuesOf, notFound } from '../errors.ts';
import type { DatasetValidator, RunStore } from '../ports.ts';

/** Lifetime of the upload URLs: long enough for a large upload on a slow line. */
export const UPLOAD_URL_SECONDS = 6 * 3600;
const PREVIEW_URL_SECONDS = 900;
/** A declaration of 20,000 files is about 1.5 MB of JSON. */
const MAX_DECLARATION_BYTES = 4 * 1024 * 1024;

export interface UploadDeps {
  table: DatasetsTable;
  objects: S3Objects;
  /** Signs the URLs clients PUT to and read previews from (the endpoint they reach); `objects`' client by default. */
  signer?: S3Client;
  validator: DatasetValidator;
  newDatasetId: () => string;
}

export interface DatasetRouteDeps {
  uploads?: UploadDeps;
  runStore: RunStore;
  now: () => Date;
}

async function jsonBody<S extends z.ZodType>(c: Context, schema: S, what: string): Promise<z.output<S>> {
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    throw new ApiProblem('unsupported-media-type', `send ${what} as application/json`, {
      headers: { 'accept-post': 'application/json' },
    });
  let input: unknown;
  try {
    input = JSON.parse(await c.req.text());
  } catch (err) {
    throw invalidRequest(`the body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw invalidRequest(
      `${what} is invalid: ${issues.map((i) => `${i.field || '(body)'}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return parsed.data;
}

const upstream = (what: string, err: unknown) =>
  new ApiProblem('upstream-failed', `${what}: ${(err as Error).message}`, { cause: err });

/**
 * The uploaded dataset a spec names (upload:{id}@{version}), checked: the caller's, READY, and of a kind the
 * family trains on. What the run records of it; a 400 naming the dataset field otherwise.
 */
export async function resolveUpload(
  table: DatasetsTable | undefined,
  owner: string,
  ref: string,
  family: FamilyInfo,
): Promise<RunUpload> {
  const bad = (why: string) => invalidRequest(`dataset: ${why}`, [{ field: 'dataset', message: why }]);
  const parsed = parseUploadRef(ref);
  if (!parsed) throw bad(`'${ref}' is not upload:{id}@{version}`);
  const dataset = table ? await table.get(parsed.id) : undefined;
  if (!dataset || dataset.owner !== owner) throw bad(`you have no uploaded dataset '${parsed.id}'`);
  const v = dataset.versions.find((x) => x.version === parsed.version);
  if (!v)
    throw bad(
      `dataset '${dataset.name}' has versions 1 to ${dataset.versions.length}, not ${parsed.version}`,
    );
  if (v.status !== 'READY' || !v.report || !v.manifestSha256)
    throw bad(
      `version ${v.version} of '${dataset.name}' is ${v.status}${v.reason ? ` (${v.reason})` : ''}; only a READY version trains`,
    );
  if (!family.kinds.includes(v.kind)) {
    const uploadable = family.kinds.filter((k) => (UPLOAD_KINDS as readonly string[]).includes(k));
    throw bad(
      `family '${family.id}' trains on ${family.kinds.map(describeKind).join(' or ')}; '${dataset.name}' version ${v.version} holds ${describeKind(v.kind)}: upload as kind ${uploadable.map((k) => `'${k}'`).join(' or ')}`,
    );
  }
  return {
    id: dataset.id,
    version: v.version,
    owner,
    kind: v.kind,
    manifestSha256: v.manifestSha256,
    shape: v.report.shape,
    count: v.report.count,
    classNames: v.report.classNames,
  };
}

export function datasetRoutes(deps: DatasetRouteDeps) {
  const { runStore, now } = deps;
  const uploads = () => {
    if (!deps.uploads) throw new ApiProblem('upstream-failed', 'uploads are not configured on this API');
    return deps.uploads;
  };

  async function owned(c: Context<ApiEnv>): Promise<UploadedDataset> {
    const id = c.req.param('id') ?? '';
    const dataset = UPLOAD_ID.test(id) && deps.uploads ? await deps.uploads.table.get(id) : undefined;
    if (!dataset || dataset.owner !== c.get('subject')) throw notFound(`no dataset '${id}'`);
    return dataset;
  }

  async function view(dataset: UploadedDataset) {
    const u = uploads();
    const previews = await Promise.all(
      dataset.versions
        .filter((v) => v.status === 'READY')
        .map(async (v) => ({
          version: v.version,
          url: await u.objects.presignGet(
            uploadPrefix(dataset.owner, dataset.id, v.version) + uploadFiles.preview,
            PREVIEW_URL_SECONDS,
            u.signer,
          ),
        })),
    );
    return { dataset, previews };
  }

  /** The owner's runs not yet ended that name the dataset (any version). */
  async function runsUsing(owner: string, id: string): Promise<string[]> {
    const using: string[] = [];
    for (const status of RUN_STATUSES.filter((s) => !isTerminal(s))) {
      let cursor: string | undefined;
      do {
        const page = await runStore.list({ owner, status, limit: 100, ...(cursor ? { cursor } : {}) });
        for (const run of page.runs) if (parseUploadRef(run.spec.dataset)?.id === id) using.push(run.id);
        cursor = page.nextCursor;
      } while (cursor);
    }
    return using;
  }

  return new Hono<ApiEnv>()
    .get('/', async (c) =>
      c.json({
        datasets: DATASETS,
        uploads: deps.uploads ? await deps.uploads.table.list(c.get('subject')) : [],
      }),
    )
    .post(
      '/',
      bodyLimit({
        maxSize: MAX_DECLARATION_BYTES,
        onError: () => {
          throw new ApiProblem(
            'payload-too-large',
            `a declaration may be at most ${MAX_DECLARATION_BYTES} bytes`,
          );
        },
      }),
      async (c) => {
        const body = await jsonBody(c, CreateDatasetSchema, 'the dataset');
        const u = uploads();
        const owner = c.get('subject');
        const at = now().toISOString();
        const version = (n: number): DatasetVersion => ({
          version: n,
          status: 'UPLOADING',
          createdAt: at,
          updatedAt: at,
          kind: body.kind,
          layout: body.layout,
          size: body.size,
          channels: body.channels,
          resize: body.resize,
          files: body.files,
        });
        const dataset = await u.table.addVersion(owner, body.name, u.newDatasetId(), at, version);
        const made = dataset.versions.at(-1)!;
        const prefix = uploadPrefix(owner, dataset.id, made.version);
        const targets: UploadTarget[] = [];
        const multipart: Record<string, string> = {};
        try {
          for (const file of body.files) {
            const key = prefix + uploadFiles.raw(file.path);
            if (file.bytes < UPLOAD_LIMITS.partBytes) {
              targets.push({
                path: file.path,
                url: await u.objects.presignPut(key, file.bytes, UPLOAD_URL_SECONDS, u.signer),
              });
              continue;
            }
            const uploadId = await u.objects.createMultipart(key, 'application/octet-stream');
            multipart[file.path] = uploadId;
            const count = Math.ceil(file.bytes / UPLOAD_LIMITS.partBytes);
            const parts = await Promise.all(
              Array.from({ length: count }, async (_, i) => ({
                partNumber: i + 1,
                url: await u.objects.presignPart(key, uploadId, i + 1, UPLOAD_URL_SECONDS, u.signer),
              })),
            );
            targets.push({ path: file.path, uploadId, partBytes: UPLOAD_LIMITS.partBytes, parts });
          }
        } catch (err) {
          throw upstream('the upload could not be prepared', err);
        }
        const stored =
          Object.keys(multipart).length > 0
            ? await u.table.updateVersion(dataset.id, made.version, (v) => ({ ...v, multipart }))
            : dataset;
        return c.json(
          {
            dataset: stored ?? dataset,
            version: { ...made, ...(Object.keys(multipart).length ? { multipart } : {}) },
            uploads: targets,
            expiresAt: new Date(now().getTime() + UPLOAD_URL_SECONDS * 1000).toISOString(),
          },
          201,
        );
      },
    )
    .get('/:id', async (c) => c.json(await view(await owned(c))))
    .delete('/:id', async (c) => {
      const dataset = await owned(c);
      const u = uploads();
      const using = await runsUsing(dataset.owner, dataset.id);
      if (using.length > 0)
        throw new ApiProblem(
          'dataset-in-use',
          `run${using.length > 1 ? 's' : ''} ${using.join(', ')} ${using.length > 1 ? 'train' : 'trains'} on dataset '${dataset.name}' and ${using.length > 1 ? 'have' : 'has'} not ended; cancel ${using.length > 1 ? 'them' : 'it'} or wait`,
          { members: { runs: using } },
        );
      const shown = await view(dataset);
      try {
        await u.table.delete(dataset);
      } catch (err) {
        if (err instanceof DatasetConflict) throw new ApiProblem('dataset-in-use', err.message);
        throw err;
      }
      // The record first: a file left by a failed delete is unreachable, never a record without its files.
      for (const v of dataset.versions)
        await u.objects.deletePrefix(uploadPrefix(dataset.owner, dataset.id, v.version));
      return c.json(shown);
    })
    .post('/:id/complete', async (c) => {
      const dataset = await owned(c);
      const body = await jsonBody(c, CompleteDatasetSchema, 'the completion');
      const u = uploads();
      const version = dataset.versions.find((v) => v.version === body.version);
      if (!version) throw notFound(`dataset '${dataset.id}' has no version ${body.version}`);
      if (version.status !== 'UPLOADING')
        throw new ApiProblem(
          'dataset-not-uploading',
          `version ${version.version} of '${dataset.name}' is ${version.status}; only an UPLOADING version is completed (upload again for a new version)`,
        );
      const prefix = uploadPrefix(dataset.owner, dataset.id, version.version);
      for (const [path, uploadId] of Object.entries(version.multipart ?? {})) {
        const sent = body.parts.find((p) => p.path === path && p.uploadId === uploadId);
        if (!sent)
          throw invalidRequest(`'${path}' was uploaded in parts; send the ETag of each part`, [
            { field: 'parts', message: `no ETags for '${path}' (upload ${uploadId})` },
          ]);
        try {
          await u.objects.completeMultipart(
            prefix + uploadFiles.raw(path),
            uploadId,
            [...sent.etags].sort((a, b) => a.partNumber - b.partNumber),
          );
        } catch (err) {
          throw invalidRequest(`the parts of '${path}' could not be joined: ${(err as Error).message}`, [
            { field: 'parts', message: `'${path}': ${(err as Error).message}` },
          ]);
        }
      }
      const at = () => now().toISOString();
      try {
        await u.table.updateVersion(dataset.id, version.version, (v) => ({
          ...v,
          status: 'VALIDATING',
          updatedAt: at(),
        }));
      } catch (err) {
        if (err instanceof DatasetConflict) throw new ApiProblem('dataset-not-uploading', err.message);
        throw err;
      }
      let jobId: string;
      try {
        ({ jobId } = await u.validator.validate(dataset, version.version));
      } catch (err) {
        await u.table.updateVersion(dataset.id, version.version, (v) => ({
          ...v,
          status: 'FAILED',
          updatedAt: at(),
          reason: `the validation job could not be started: ${(err as Error).message}; upload again`,
        }));
        throw upstream('the validation job could not be started', err);
      }
      // The job may already have moved the version on; only the job id is added.
      const after = await u.table.updateVersion(dataset.id, version.version, (v) => ({ ...v, jobId }));
      return c.json(await view(after ?? dataset), 202);
    });
}
