import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runFiles, runPrefix } from '../../shared/keys.ts';
import { RetriesExhausted } from '../../shared/storage/retry.ts';
import { s3ClientFromEnv } from '../../shared/storage/s3-objects.ts';
import {
  type Outage,
  type S3Emulator,
  s3ClientFor,
  startOutageProxy,
  startS3Emulator,
} from '../../test/emulators.ts';
import { S3ArtifactSink } from './s3.ts';

const BUCKET = 'ganzoo-test';
const quiet = { onRetry: () => {} };

let s3: S3Emulator;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Emulator();
  await s3.createBucket(BUCKET);
  client = s3ClientFor(s3.endpoint);
});

afterAll(async () => {
  client.destroy();
  await s3.stop();
});

function sink(
  runId: string,
  extra: Partial<ConstructorParameters<typeof S3ArtifactSink>[0]> = {},
): S3ArtifactSink {
  return new S3ArtifactSink({ client, bucket: BUCKET, prefix: runPrefix(runId), retry: quiet, ...extra });
}

describe('S3ArtifactSink', () => {
  it('puts and gets bytes and text under the run prefix', async () => {
    const s = sink('put-get');
    expect(s.location).toBe(`s3://${BUCKET}/runs/put-get/`);
    const png = new Uint8Array([137, 80, 78, 71, 0, 255]);
    await s.put(runFiles.sample(100), png);
    await s.put(runFiles.metrics, '{"step":1}\n');
    expect(await s.get(runFiles.sample(100))).toEqual(png);
    expect(new TextDecoder().decode(await s.get(runFiles.metrics))).toBe('{"step":1}\n');
    // Stored under the full key, so other readers (API, dashboard) find it by shared/keys.ts.
    const head = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'runs/put-get/samples/00000100.png' }),
    );
    expect(head.ContentLength).toBe(png.length);
  });

  it('returns undefined for a missing key, but fails loudly for a missing bucket', async () => {
    expect(await sink('missing').get('nothing/here.json')).toBeUndefined();
    const wrong = sink('missing', { bucket: 'no-such-bucket' });
    await expect(wrong.get('x.json')).rejects.toThrow(
      /GetObject s3:\/\/no-such-bucket\/runs\/missing\/x.json failed: NoSuchBucket/,
    );
    await expect(wrong.put('x.json', '{}')).rejects.toThrow(
      /PutObject s3:\/\/no-such-bucket\/.*NoSuchBucket/,
    );
  });

  it('sets content types, inferred from the key unless given', async () => {
    const s = sink('types');
    await s.put(runFiles.sample(1), new Uint8Array([1]));
    await s.put(runFiles.generatorModel, '{}');
    await s.put(runFiles.metrics, '');
    await s.put(runFiles.generatorWeights, new Uint8Array([0]));
    await s.put('notes.txt', 'hello', 'text/markdown');
    const typeOf = async (key: string) =>
      (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `runs/types/${key}` }))).ContentType;
    expect(await typeOf(runFiles.sample(1))).toBe('image/png');
    expect(await typeOf(runFiles.generatorModel)).toBe('application/json');
    expect(await typeOf(runFiles.metrics)).toBe('application/x-ndjson');
    expect(await typeOf(runFiles.generatorWeights)).toBe('application/octet-stream');
    expect(await typeOf('notes.txt')).toBe('text/markdown');
  });

  it('tags checkpoint objects (and only those) so the lifecycle rule can expire them', async () => {
    const tagging: Record<string, string | undefined> = {};
    const captured = new S3Client({
      endpoint: client.config.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    // Records what PutObject was asked for; fauxqs stores objects but not their tags.
    captured.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Key?: string; Tagging?: string };
        if (input.Key) tagging[input.Key] = input.Tagging;
        return next(args);
      },
      { step: 'initialize', name: 'recordTagging' },
    );
    const s = new S3ArtifactSink({
      client: captured,
      bucket: BUCKET,
      prefix: runPrefix('tags'),
      retry: quiet,
    });
    await s.put(runFiles.checkpointState(5), '{}');
    await s.put(runFiles.sample(5), new Uint8Array([1]));
    expect(tagging[`runs/tags/${runFiles.checkpointState(5)}`]).toBe('ganzoo%3Aartifact=checkpoint');
    expect(tagging[`runs/tags/${runFiles.sample(5)}`]).toBeUndefined();
    captured.destroy();
  });

  it('lists relative keys in order across pages', async () => {
    const s = sink('paged', { pageSize: 7 });
    const steps = Array.from({ length: 30 }, (_, i) => (29 - i) * 100);
    await Promise.all(steps.map((step) => s.put(runFiles.sample(step), new Uint8Array([1]))));
    await s.put(runFiles.checkpointState(500), '{}');
    // A neighbouring run whose id shares a prefix must not leak in.
    await sink('paged2').put(runFiles.sample(1), new Uint8Array([1]));
    const samples = await s.list(runFiles.samplesDir);
    expect(samples).toHaveLength(30);
    expect(samples[0]).toBe('samples/00000000.png');
    expect(samples.at(-1)).toBe('samples/00002900.png');
    expect(samples).toEqual([...samples].sort());
    expect(await s.list('')).toHaveLength(31);
    expect(await s.list(runFiles.checkpointsDir)).toEqual(['checkpoints/00000500/state.json']);
    expect(await s.list('nothing/')).toEqual([]);
  });

  it('rejects keys that climb out of the run prefix', async () => {
    await expect(sink('escape').put('../other/spec.json', '{}')).rejects.toThrow(/escapes the run prefix/);
    await expect(sink('escape').get('/abs')).rejects.toThrow(/escapes the run prefix/);
  });

  it('finds the endpoint through AWS_ENDPOINT_URL_S3, as in production', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    try {
      const envClient = s3ClientFromEnv();
      expect(await envClient.config.forcePathStyle).toBe(true);
      const s = new S3ArtifactSink({ bucket: BUCKET, prefix: runPrefix('from-env'), retry: quiet });
      await s.put(runFiles.spec, '{"a":1}');
      expect(new TextDecoder().decode(await sink('from-env').get(runFiles.spec))).toBe('{"a":1}');
      envClient.destroy();
    } finally {
      process.env = saved;
    }
  });
});

describe('S3ArtifactSink during an outage', () => {
  let proxy: Outage;
  let proxied: S3Client;

  beforeAll(async () => {
    proxy = await startOutageProxy(s3.endpoint);
    proxied = s3ClientFor(proxy.endpoint);
  });
  afterEach(() => proxy.up());
  afterAll(async () => {
    proxied.destroy();
    await proxy.stop();
  });

  it('retries while S3 is down and succeeds once it is back', async () => {
    const retries: number[] = [];
    const s = new S3ArtifactSink({
      client: proxied,
      bucket: BUCKET,
      prefix: runPrefix('outage'),
      retry: { attempts: 50, baseMs: 20, maxMs: 50, onRetry: ({ attempt }) => retries.push(attempt) },
    });
    await s.put(runFiles.spec, '{}');
    await proxy.down();
    const put = s.put(runFiles.sample(100), new Uint8Array([7]));
    await new Promise((r) => setTimeout(r, 400));
    expect(retries.length).toBeGreaterThan(2);
    await proxy.up();
    await put;
    expect(await s.get(runFiles.sample(100))).toEqual(new Uint8Array([7]));
  });

  it('fails with a message naming the object and how long it tried when S3 stays down', async () => {
    const s = new S3ArtifactSink({
      client: proxied,
      bucket: BUCKET,
      prefix: runPrefix('down'),
      retry: { attempts: 4, baseMs: 20, maxMs: 40, onRetry: () => {} },
    });
    await proxy.down();
    const err = await s.put(runFiles.sample(100), new Uint8Array([1])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhausted);
    expect((err as Error).message).toMatch(
      /^S3 unavailable: PutObject s3:\/\/ganzoo-test\/runs\/down\/samples\/00000100\.png failed 4 times over \d+\.\d s: .*ECONNREFUSED/,
    );
  });
});
