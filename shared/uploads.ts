/**
 * The user's own datasets: what an upload declares, the record each version keeps (its status machine,
 * its validation report and manifest), the limits an upload is held to, and how a spec names one
 * (`upload:{id}@{version}`). Pure: the registry lives in the runs table (shared/storage/datasets-table.ts),
 * the files under uploadPrefix (shared/keys.ts), and the validation in trainer/data/upload/.
 */
import { z } from 'zod';
import { describeKind } from './datasets.ts';

import { LAYOUT_OF_KIND, UPLOAD_KINDS, UPLOAD_LAYOUTS } from './upload-kinds.ts';

export {
  LAYOUT_OF_KIND,
  UPLOAD_KINDS,
  UPLOAD_LAYOUTS,
  type UploadKind,
  type UploadLayout,
} from './upload-kinds.ts';

/** How the files are arranged, which says what an item is. */
export const UploadLayoutSchema = z
  .enum(UPLOAD_LAYOUTS)
  .describe(
    'flat: images in one folder (unconditional); classes: one sub-folder per class (labelled); pairs: folders A/ and B/ (paired when every name is in both, unpaired when they need not match).',
  );

/**
 * What an upload may hold. Counted from the bytes as they arrive (an archive's entries as they are
 * inflated), never from what a client or a zip header says.
 */
export const UPLOAD_LIMITS = {
  /** Files in an upload, or entries in its zip. */
  maxFiles: 20_000,
  /** One image file, as uploaded or as inflated out of the zip. */
  maxImageBytes: 8 * 1024 * 1024,
  /** One image's width or height, before resizing. */
  maxImageSide: 4096,
  /** A zip archive as uploaded. */
  maxArchiveBytes: 1024 * 1024 * 1024,
  /** Everything inflated out of one zip: past this it is a zip bomb. */
  maxInflatedBytes: 2 * 1024 * 1024 * 1024,
  /** The side of the images a dataset is stored at (the declared size). */
  maxSide: 256,
  /** A file at least this large is uploaded in parts, each this size except the last. */
  partBytes: 8 * 1024 * 1024,
} as const;

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

/** A path inside an upload: relative, '/'-separated, no '..', no leading '/', no backslash. */
export function uploadPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'an empty path';
  if (path.length > 512) return 'a path over 512 characters';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return `'${path}' is an absolute path`;
  if (path.includes('\\')) return `'${path}' has a backslash; use '/'`;
  if (path.split('/').some((p) => p === '..' || p === '.' || p === ''))
    return `'${path}' climbs out of the upload ('..', '.' or an empty part)`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f]/.test(path)) return `'${path}' has a control character`;
  return undefined;
}

const UploadPathSchema = z
  .string()
  .superRefine((p, ctx) => {
    const problem = uploadPathProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe("Relative to the upload's root, e.g. 'cats/001.png', or 'images.zip'.");

export const UploadFileSchema = z.object({
  path: UploadPathSchema,
  bytes: z
    .int()
    .min(1, 'an empty file')
    .max(UPLOAD_LIMITS.maxArchiveBytes)
    .describe('Its size; a single upload is signed for exactly this many bytes.'),
});
export type UploadFile = z.infer<typeof UploadFileSchema>;

export const DatasetNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    "1 to 63 lower-case letters, digits or '-', starting with a letter or digit",
  )
  .describe('Uploading again under the same name makes its next version.');

export const CreateDatasetSchema = z
  .strictObject({
    name: DatasetNameSchema,
    kind: z.enum(UPLOAD_KINDS).describe('What an item is; the layout must fit it.'),
    layout: UploadLayoutSchema,
    size: z
      .int()
      .min(8)
      .max(UPLOAD_LIMITS.maxSide)
      .describe('Side of the square images the dataset is stored at.'),
    channels: z
      .union([z.literal(1), z.literal(3)])
      .default(3)
      .describe('1 greyscale, 3 RGB.'),
    resize: z
      .boolean()
      .default(true)
      .describe('Resize images of another size to `size` (the report says how many); false refuses them.'),
    files: z
      .array(UploadFileSchema)
      .min(1, 'an empty upload: no files')
      .max(UPLOAD_LIMITS.maxFiles, `more than ${UPLOAD_LIMITS.maxFiles} files`)
      .describe('Loose PNG/JPEG files laid out as `layout`, or one .zip holding them.'),
  })
  .superRefine((body, ctx) => {
    const fits = LAYOUT_OF_KIND[body.kind];
    if (body.layout !== fits) {
      ctx.addIssue({
        code: 'custom',
        path: ['layout'],
        message: `layout '${body.layout}' does not fit kind '${body.kind}' (${describeKind(body.kind)}): use '${fits}'`,
      });
    }
    const seen = new Set<string>();
    body.files.forEach((f, i) => {
      if (seen.has(f.path))
        ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: `'${f.path}' twice` });
      seen.add(f.path);
      if (!isArchive(f.path) && f.bytes > UPLOAD_LIMITS.maxImageBytes)
        ctx.addIssue({
          code: 'custom',
          path: ['files', i, 'bytes'],
          message: `'${f.path}' is ${f.bytes} bytes; an image may have at most ${UPLOAD_LIMITS.maxImageBytes}`,
        });
    });
    // A zip's entries are counted by the validator (trainer/data/upload/validate.ts), loose files here.
    if (body.kind === 'single' && body.files.length > 1 && !body.files.some((f) => isArchive(f.path)))
      ctx.addIssue({
        code: 'custom',
        path: ['files'],
        message: `kind 'single' takes one image, not ${body.files.length} files: upload the image alone`,
      });
    if (body.files.some((f) => isArchive(f.path)) && body.files.length > 1)
      ctx.addIssue({
        code: 'custom',
        path: ['files'],
        message: 'a zip is uploaded alone, not beside other files',
      });
  });
export type CreateDataset = z.output<typeof CreateDatasetSchema>;

export const isArchive = (path: string) => path.toLowerCase().endsWith('.zip');

export const DATASET_STATUSES = ['UPLOADING', 'VALIDATING', 'READY', 'FAILED'] as const;
export const DatasetStatusSchema = z.enum(DATASET_STATUSES);
export type DatasetStatus = z.infer<typeof DatasetStatusSchema>;

/** The moves a version's status may make; READY and FAILED are final (a READY version never changes). */
const NEXT: Record<DatasetStatus, readonly DatasetStatus[]> = {
  UPLOADING: ['VALIDATING', 'FAILED'],
  VALIDATING: ['READY', 'FAILED'],
  READY: [],
  FAILED: [],
};
export const canMove = (from: DatasetStatus, to: DatasetStatus) => NEXT[from].includes(to);

export const ValidationReportSchema = z.object({
  count: z.int().describe('Items: images, or pairs for a paired set.'),
  shape: z.array(z.int()).length(3).describe('[height, width, channels] as stored.'),
  classNames: z.array(z.string()).describe('Class sub-folders in label order (labelled); A and B for pairs.'),
  perClass: z.array(z.int()).describe('Images per class (labelled) or per domain (pairs).'),
  resized: z.int().describe('Images that were another size and were resized to the declared one.'),
  converted: z.int().describe('Images whose channels were converted (colour to grey or grey to colour).'),
  notes: z.array(z.string()).describe('What was done to the images, in words.'),
});
export type ValidationReport = z.infer<typeof ValidationReportSchema>;

export const ManifestSchema = z.object({
  dataset: z.string(),
  version: z.int(),
  kind: z.enum(UPLOAD_KINDS),
  report: ValidationReportSchema,
  /** The files as uploaded (an archive's entries), each with the sha256 of its bytes, in item order. */
  files: z.array(z.object({ path: z.string(), bytes: z.int(), sha256: z.string(), label: z.int() })),
  /** sha256 of the packed images the trainer reads (uint8, NHWC; for pairs A then B). */
  imagesSha256: z.string(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export const DatasetVersionSchema = z.object({
  version: z.int().min(1),
  status: DatasetStatusSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  kind: z.enum(UPLOAD_KINDS),
  layout: UploadLayoutSchema,
  size: z.int(),
  channels: z.union([z.literal(1), z.literal(3)]),
  resize: z.boolean(),
  files: z.array(UploadFileSchema).describe('What the upload declared.'),
  reason: z.string().optional().describe('Why it FAILED, in words a person can act on.'),
  report: ValidationReportSchema.optional(),
  manifestSha256: z.string().optional().describe('sha256 of manifest.json, once READY.'),
  jobId: z.string().optional().describe('The validation job.'),
  multipart: z
    .record(z.string(), z.string())
    .optional()
    .describe('The multipart upload id of each file uploaded in parts, by path.'),
});
export type DatasetVersion = z.infer<typeof DatasetVersionSchema>;

export const UploadedDatasetSchema = z.object({
  id: z.string(),
  owner: z.string(),
  name: DatasetNameSchema,
  createdAt: z.iso.datetime(),
  versions: z.array(DatasetVersionSchema).describe('Oldest first.'),
});
export type UploadedDataset = z.infer<typeof UploadedDatasetSchema>;

/** A dataset id: `u` and 12 lower-case letters or digits. */
export const UPLOAD_ID = /^u[a-z0-9]{12}$/;

/** How a spec names an uploaded dataset. */
export const UPLOAD_REF = /^upload:(u[a-z0-9]{12})@([1-9][0-9]{0,5})$/;
export type UploadRef = `upload:${string}@${number}`;

export function uploadRef(id: string, version: number): UploadRef {
  return `upload:${id}@${version}`;
}

export function parseUploadRef(ref: string): { id: string; version: number } | undefined {
  const m = UPLOAD_REF.exec(ref);
  return m ? { id: m[1]!, version: Number(m[2]) } : undefined;
}

/** What a run records of the uploaded dataset it trained on (beside its spec's `upload:{id}@{version}`). */
export const RunUploadSchema = z.object({
  id: z.string(),
  version: z.int(),
  owner: z.string(),
  kind: z.enum(UPLOAD_KINDS),
  manifestSha256: z.string(),
  shape: z.array(z.int()).length(3),
  count: z.int(),
  classNames: z.array(z.string()),
});
export type RunUpload = z.infer<typeof RunUploadSchema>;

/**
 * The trainer image's entry point (trainer/job.ts) validates an uploaded dataset version instead of
 * training when GANZOO_TASK is this, with GANZOO_DATASET_ID and GANZOO_DATASET_VERSION naming it.
 */
export const VALIDATE_TASK = 'validate-dataset';
export const validationEnv = (id: string, version: number) => ({
  GANZOO_TASK: VALIDATE_TASK,
  GANZOO_DATASET_ID: id,
  GANZOO_DATASET_VERSION: String(version),
});

/**
 * The version a validation job's environment names (validationEnv's variables), read by the job and by the
 * Batch event handler; undefined when the environment is not a validation job's or names no version.
 */
export function validationTarget(
  env: Record<string, string | undefined>,
): { id: string; version: number } | undefined {
  if (env.GANZOO_TASK !== VALIDATE_TASK) return undefined;
  const id = env.GANZOO_DATASET_ID;
  const version = Number(env.GANZOO_DATASET_VERSION);
  if (!id || !UPLOAD_ID.test(id) || !Number.isInteger(version) || version < 1) return undefined;
  return { id, version };
}

/**
 * The reason a version is given when its validation job ended without answering (killed, out of memory,
 * past its time limit, never started): `what` says what happened to the job; `cause` adds what to change.
 */
export function abandonedValidationReason(what: string, cause?: 'memory' | 'time'): string {
  const hint =
    cause === 'memory'
      ? '; it ran out of memory: upload fewer or smaller images, or declare a smaller size'
      : cause === 'time'
        ? '; it ran past its time limit: upload fewer images'
        : '';
  return `the validation job ${what}${hint}; nothing of this version was kept: upload again`;
}

/**
 * The bucket's CORS rule, for the dashboard's browser PUTs of upload parts and its GETs of artifacts: the
 * same in the cloud (infra, the bucket) and under `npm start` (scripts/platform/s3-gateway.ts). Any origin:
 * a presigned URL is the credential, which any client may use without a browser, so the origin adds no
 * protection; and the dashboard's address is made by a stack that depends on the bucket's. ETag is exposed
 * so a browser can read each part's ETag, which completing a multipart upload needs.
 */
export const BUCKET_CORS = {
  allowedOrigins: ['*'],
  allowedMethods: ['GET', 'HEAD', 'PUT'],
  allowedHeaders: ['*'],
  exposedHeaders: ['ETag'],
  maxAgeSeconds: 3600,
} as const;
