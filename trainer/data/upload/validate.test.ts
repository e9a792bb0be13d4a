import { describe, expect, it } from 'vitest';
import { type DatasetVersion, UPLOAD_LIMITS } from '../../../shared/uploads.ts';
import { zip } from '../../../test/fixtures/zip-archive.ts';
import { encodePng } from '../../render/png.ts';
import { UploadRefused, validateUpload } from './validate.ts';

const png = (side: number, v = 128) =>
  encodePng({ width: side, height: side, channels: 1, pixels: new Uint8Array(side * side).fill(v) });

const declared = (o: Partial<DatasetVersion> = {}): DatasetVersion => ({
  version: 1,
  status: 'VALIDATING',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  kind: 'images',
  layout: 'flat',
  size: 8,
  channels: 1,
  resize: true,
  files: [],
  ...o,
});

const files = (entries: Record<string, Uint8Array>) =>
  Object.entries(entries).map(([path, bytes]) => ({ path, read: async () => bytes }));

const refused = (p: Promise<unknown>, message: RegExp) =>
  expect(p).rejects.toSatisfy((e) => e instanceof UploadRefused && message.test((e as Error).message));

describe('validateUpload', () => {
  it('packs a flat folder, with every file sha256 in the manifest', async () => {
    const out = await validateUpload(
      'u000000000000',
      declared(),
      files({ 'a.png': png(8, 0), 'b.png': png(8, 255) }),
    );
    expect(out.report).toMatchObject({ count: 2, shape: [8, 8, 1], resized: 0 });
    expect(out.images[0]).toBe(0);
    expect(out.images[64]).toBe(255);
    expect(out.manifest.files.map((f) => f.path)).toEqual(['a.png', 'b.png']);
    expect(out.manifest.files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('labels class folders in name order, inside a zip of the folder', async () => {
    const archive = zip([
      { name: 'set/dogs/1.png', data: png(8), deflate: true },
      { name: 'set/cats/1.png', data: png(8) },
      { name: 'set/cats/2.png', data: png(8) },
    ]);
    const out = await validateUpload(
      'u000000000000',
      declared({ kind: 'labelled', layout: 'classes' }),
      files({ 'x.zip': archive }),
    );
    expect(out.report.classNames).toEqual(['cats', 'dogs']);
    expect(Array.from(out.labels)).toEqual([0, 0, 1]);
  });

  it("takes kind 'single' as one image, and refuses a zip holding more", async () => {
    const single = declared({ kind: 'single' });
    const one = await validateUpload('u000000000000', single, files({ 'photo.png': png(8, 200) }));
    expect(one.report).toMatchObject({ count: 1, shape: [8, 8, 1] });
    await refused(
      validateUpload(
        'u000000000000',
        single,
        files({
          'x.zip': zip([
            { name: 'a.png', data: png(8) },
            { name: 'b.png', data: png(8) },
          ]),
        }),
      ),
      /kind 'single' takes one image; the upload holds 2 \(a.png, b.png\)/,
    );
  });

  it('resizes mixed sizes and says so, or refuses them', async () => {
    const out = await validateUpload(
      'u000000000000',
      declared(),
      files({ 'a.png': png(16), 'b.png': png(8) }),
    );
    expect(out.report.resized).toBe(1);
    expect(out.report.notes[0]).toContain('resized to 8x8 (from 16x16: 1)');
    await refused(
      validateUpload('u000000000000', declared({ resize: false }), files({ 'a.png': png(16) })),
      /'a.png' is 16x16, not the declared 8x8/,
    );
  });

  it('refuses what it must, naming the file and the fix', async () => {
    const v = declared();
    await refused(
      validateUpload('u000000000000', v, files({ 'notes.txt': new TextEncoder().encode('hello') })),
      /'notes.txt' is not a PNG or JPEG image/,
    );
    await refused(
      validateUpload('u000000000000', v, files({ 'x.zip': zip([{ name: '../evil.png', data: png(8) }]) })),
      /climbs out of the upload/,
    );
    await refused(
      validateUpload('u000000000000', v, files({ 'x.zip': zip([{ name: '/etc/evil.png', data: png(8) }]) })),
      /absolute path/,
    );
    await refused(validateUpload('u000000000000', v, []), /an empty upload/);
    await refused(validateUpload('u000000000000', v, files({ 'x.zip': zip([]) })), /an empty upload/);
    await refused(
      validateUpload('u000000000000', v, files({ 'd/a.png': png(8), 'e/b.png': png(8) })),
      /sub-folder; kind 'images' takes a flat folder/,
    );
    await refused(
      validateUpload(
        'u000000000000',
        declared({ kind: 'paired', layout: 'pairs' }),
        files({ 'A/1.png': png(8), 'B/2.png': png(8) }),
      ),
      /A\/1.png has no B\/1.png/,
    );
    const many = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`${i}.png`, png(8)]));
    await refused(
      validateUpload('u000000000000', v, files(many), { ...UPLOAD_LIMITS, maxFiles: 3 }),
      /at most 3/,
    );
    await refused(
      validateUpload('u000000000000', v, files({ 'big.png': png(64) }), {
        ...UPLOAD_LIMITS,
        maxImageSide: 32,
      }),
      /at most 32 on a side/,
    );
  });

  it('counts inflated bytes as they stream, whatever the zip headers claim', async () => {
    const zeros = new Uint8Array(4 * 1024 * 1024);
    // Each entry claims 10 bytes; inflated they are 4 MiB each: over a 6 MiB budget at the second.
    const bomb = zip([
      { name: 'a.png', data: zeros, deflate: true, claimedSize: 10 },
      { name: 'b.png', data: zeros, deflate: true, claimedSize: 10 },
    ]);
    expect(bomb.length).toBeLessThan(20_000);
    await refused(
      validateUpload('u000000000000', declared(), files({ 'x.zip': bomb }), {
        ...UPLOAD_LIMITS,
        maxInflatedBytes: 6 * 1024 * 1024,
      }),
      /refused as a zip bomb/,
    );
    // One entry past the per-image limit is refused as an image over the size limit.
    const one = zip([
      { name: 'a.png', data: new Uint8Array(9 * 1024 * 1024), deflate: true, claimedSize: 10 },
    ]);
    await refused(
      validateUpload('u000000000000', declared(), files({ 'x.zip': one })),
      /over 8388608 bytes once inflated/,
    );
  });
});
