/**
 * Durable S3 for the local platform: fauxqs serves the S3 protocol, and this subclass of its S3Store keeps
 * every bucket and object in a folder, so a restart sees what the last one wrote. fauxqs 1.x holds objects
 * in memory only and has no persistence option; its S3Store is the one place all S3 actions go through.
 *
 * Layout under `dir`:
 *   {bucket}/bucket.json                      creation date (the folder's presence is the bucket)
 *   {bucket}/objects/{h:2}/{h}.json           an object's key, size, ETag, type, metadata, body file name
 *   {bucket}/objects/{h:2}/{h}-{nonce}.bin    its body
 * where h is the SHA-256 of the key, so any key maps to a safe file name. Only metadata stays in memory;
 * bodies are read from disk when a request reads them.
 *
 * Writes are synchronous (fauxqs's store API is) and atomic per file (write a temp file, rename). The body
 * goes first under a fresh name and the metadata file, renamed over the old one, is what publishes it, so a
 * crash at any point leaves either the old or the new object whole; bodies no metadata names are removed
 * at the next start. Files are not fsynced: this survives a killed process, not a power cut (as LevelDB
 * under dynalite, which does not sync either). Multipart uploads in progress are kept in memory only and
 * are lost by a restart, as if aborted.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** An object as fauxqs 1.9's S3Store holds it. */
export interface S3StoredObject {
  key: string;
  body: Buffer;
  contentType: string;
  contentLength: number;
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

/** The part of fauxqs 1.9's S3Store (dist/s3/s3Store.js) that this file relies on. */
export interface FauxqsS3Store {
  buckets: Map<string, Map<string, S3StoredObject>>;
  bucketCreationDates: Map<string, Date>;
  multipartUploads: Map<string, { bucket: string; key: string }>;
  createBucket(name: string): void;
  deleteBucket(name: string): void;
  hasBucket(name: string): boolean;
  putObject(
    bucket: string,
    key: string,
    body: Buffer,
    contentType?: string,
    metadata?: Record<string, string>,
  ): S3StoredObject;
  deleteObject(bucket: string, key: string): void;
  completeMultipartUpload(uploadId: string, parts: { partNumber: number; etag: string }[]): S3StoredObject;
  emptyBucket(name: string): void;
  clearObjects(): void;
  purgeAll(): void;
}

export type FauxqsS3StoreClass = new () => FauxqsS3Store;

interface MetaFile {
  key: string;
  file: string;
  contentType: string;
  contentLength: number;
  etag: string;
  lastModified: string;
  metadata: Record<string, string>;
}

const hashOf = (key: string) => createHash('sha256').update(key).digest('hex');
// Bucket names are already file-safe in S3's rules; encoding guards against whatever fauxqs lets through.
const bucketFolder = (name: string) => encodeURIComponent(name);

function writeAtomic(path: string, data: Buffer | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** An object whose body is read from disk on each access, so bodies are never all held in memory. */
function lazyObject(meta: MetaFile, bodyPath: string): S3StoredObject {
  return {
    key: meta.key,
    contentType: meta.contentType,
    contentLength: meta.contentLength,
    etag: meta.etag,
    lastModified: new Date(meta.lastModified),
    metadata: meta.metadata,
    get body() {
      return readFileSync(bodyPath);
    },
  };
}

/**
 * A fauxqs S3Store that persists to `dir`, loading what is there. `Base` is fauxqs's own S3Store class,
 * which its package does not export by name; the caller loads it from the installed package.
 */
export function fileBackedS3Store(Base: FauxqsS3StoreClass, dir: string): FauxqsS3Store {
  class FileBackedS3Store extends Base {
    /** Body file name of each stored object, per bucket, to remove it when the object is replaced. */
    private readonly files = new Map<string, Map<string, string>>();

    constructor() {
      super();
      mkdirSync(dir, { recursive: true });
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) this.load(decodeURIComponent(entry.name));
      }
    }

    private bucketDir(bucket: string): string {
      return join(dir, bucketFolder(bucket));
    }

    private objectDir(bucket: string, hash: string): string {
      return join(this.bucketDir(bucket), 'objects', hash.slice(0, 2));
    }

    private load(bucket: string): void {
      const root = this.bucketDir(bucket);
      let created = new Date();
      try {
        created = new Date(
          (JSON.parse(readFileSync(join(root, 'bucket.json'), 'utf8')) as { created: string }).created,
        );
      } catch {
        // A bucket folder without its note still holds the bucket's objects; its date is what is lost.
      }
      super.createBucket(bucket);
      this.bucketCreationDates.set(bucket, created);
      const objects = this.buckets.get(bucket)!;
      const files = new Map<string, string>();
      this.files.set(bucket, files);
      const objectsRoot = join(root, 'objects');
      if (!existsSync(objectsRoot)) return;
      for (const shard of readdirSync(objectsRoot)) {
        const shardDir = join(objectsRoot, shard);
        const names = readdirSync(shardDir);
        const named = new Set<string>();
        for (const name of names) {
          if (!name.endsWith('.json')) continue;
          const meta = JSON.parse(readFileSync(join(shardDir, name), 'utf8')) as MetaFile;
          if (!existsSync(join(shardDir, meta.file))) continue;
          named.add(meta.file);
          objects.set(meta.key, lazyObject(meta, join(shardDir, meta.file)));
          files.set(meta.key, meta.file);
        }
        // Bodies of replaced or half-written objects, and temp files of interrupted writes.
        for (const name of names) {
          if (!name.endsWith('.json') && !named.has(name)) unlinkIfPresent(join(shardDir, name));
        }
      }
    }

    /** Writes an object that the in-memory store has just accepted, and swaps in its lazy form. */
    private persist(bucket: string, obj: S3StoredObject, previous: S3StoredObject | undefined): void {
      const hash = hashOf(obj.key);
      const shardDir = this.objectDir(bucket, hash);
      const file = `${hash}-${randomBytes(6).toString('hex')}.bin`;
      const meta: MetaFile = {
        key: obj.key,
        file,
        contentType: obj.contentType,
        contentLength: obj.contentLength,
        etag: obj.etag,
        lastModified: obj.lastModified.toISOString(),
        metadata: obj.metadata,
      };
      const objects = this.buckets.get(bucket)!;
      try {
        mkdirSync(shardDir, { recursive: true });
        writeAtomic(join(shardDir, file), obj.body);
        writeAtomic(join(shardDir, `${hash}.json`), JSON.stringify(meta));
      } catch (err) {
        // Not on disk means not stored: the client gets an error, and the store what it had before.
        if (previous) objects.set(obj.key, previous);
        else objects.delete(obj.key);
        unlinkIfPresent(join(shardDir, file));
        throw err;
      }
      const files = this.files.get(bucket)!;
      const old = files.get(obj.key);
      files.set(obj.key, file);
      objects.set(obj.key, lazyObject(meta, join(shardDir, file)));
      if (old !== undefined && old !== file) unlinkIfPresent(join(shardDir, old));
    }

    private unpersist(bucket: string, key: string): void {
      const file = this.files.get(bucket)?.get(key);
      if (file === undefined) return;
      const hash = hashOf(key);
      const shardDir = this.objectDir(bucket, hash);
      // Metadata first: once it is gone the object is gone, and a leftover body is swept at the next start.
      unlinkIfPresent(join(shardDir, `${hash}.json`));
      unlinkIfPresent(join(shardDir, file));
      this.files.get(bucket)!.delete(key);
    }

    override createBucket(name: string): void {
      const existed = this.hasBucket(name);
      super.createBucket(name);
      if (existed) return;
      const root = this.bucketDir(name);
      mkdirSync(join(root, 'objects'), { recursive: true });
      const created = this.bucketCreationDates.get(name) ?? new Date();
      writeAtomic(join(root, 'bucket.json'), JSON.stringify({ name, created: created.toISOString() }));
      this.files.set(name, new Map());
    }

    override deleteBucket(name: string): void {
      super.deleteBucket(name);
      rmSync(this.bucketDir(name), { recursive: true, force: true });
      this.files.delete(name);
    }

    override putObject(
      bucket: string,
      key: string,
      body: Buffer,
      contentType?: string,
      metadata?: Record<string, string>,
    ): S3StoredObject {
      const previous = this.buckets.get(bucket)?.get(key);
      const obj = super.putObject(bucket, key, body, contentType, metadata);
      this.persist(bucket, obj, previous);
      return obj;
    }

    override completeMultipartUpload(
      uploadId: string,
      parts: { partNumber: number; etag: string }[],
    ): S3StoredObject {
      const upload = this.multipartUploads.get(uploadId);
      const previous = upload && this.buckets.get(upload.bucket)?.get(upload.key);
      const obj = super.completeMultipartUpload(uploadId, parts);
      // super throws when the upload is unknown, so `upload` is set here.
      this.persist(upload!.bucket, obj, previous);
      return obj;
    }

    override deleteObject(bucket: string, key: string): void {
      super.deleteObject(bucket, key);
      this.unpersist(bucket, key);
    }

    override emptyBucket(name: string): void {
      super.emptyBucket(name);
      if (!this.files.has(name)) return;
      rmSync(join(this.bucketDir(name), 'objects'), { recursive: true, force: true });
      mkdirSync(join(this.bucketDir(name), 'objects'), { recursive: true });
      this.files.set(name, new Map());
    }

    override clearObjects(): void {
      super.clearObjects();
      for (const name of this.files.keys()) this.emptyBucket(name);
    }

    override purgeAll(): void {
      super.purgeAll();
      for (const name of this.files.keys()) rmSync(this.bucketDir(name), { recursive: true, force: true });
      this.files.clear();
    }
  }
  return new FileBackedS3Store();
}
