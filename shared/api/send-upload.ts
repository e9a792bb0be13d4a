/**
 * Sends an upload's files to the presigned URLs POST /datasets answered: a file in one PUT, or a large one
 * part by part, keeping each part's ETag for POST /datasets/{id}/complete. The same for the CLI (files read
 * from disk) and the dashboard (files the browser was given). No zod: the dashboard's bundle imports it.
 */
import type { CompleteDataset, CreatedDataset } from './schemas.ts';

export interface SendUploadIo {
  /** The bytes of the declared file at `path`. */
  read: (path: string) => Promise<Uint8Array>;
  fetch: typeof fetch;
  /** Told after every PUT that succeeds: which file, and how many of its bytes that PUT carried. */
  onSent?: (path: string, bytes: number) => void;
  /** PUTs at once; 8 by default. */
  concurrency?: number;
}

/** PUTs every file; what POST /datasets/{id}/complete takes. Throws naming the file on a refused PUT. */
export async function sendUpload(created: CreatedDataset, io: SendUploadIo): Promise<CompleteDataset> {
  const put = async (url: string, path: string, body: Uint8Array, what: string): Promise<string> => {
    const res = await io.fetch(url, { method: 'PUT', body: body as Uint8Array<ArrayBuffer> });
    if (!res.ok) throw new Error(`PUT ${what}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    io.onSent?.(path, body.length);
    return res.headers.get('etag') ?? '';
  };
  const parts: CompleteDataset['parts'] = [];
  let next = 0;
  const worker = async () => {
    while (next < created.uploads.length) {
      const target = created.uploads[next++]!;
      const bytes = await io.read(target.path);
      if ('url' in target) await put(target.url, target.path, bytes, target.path);
      else {
        const etags = [];
        for (const p of target.parts) {
          const chunk = bytes.subarray(
            (p.partNumber - 1) * target.partBytes,
            p.partNumber * target.partBytes,
          );
          etags.push({
            partNumber: p.partNumber,
            etag: await put(p.url, target.path, chunk, `${target.path} part ${p.partNumber}`),
          });
        }
        parts.push({ path: target.path, uploadId: target.uploadId, etags });
      }
    }
  };
  await Promise.all(Array.from({ length: io.concurrency ?? 8 }, worker));
  return { version: created.version.version, parts };
}
