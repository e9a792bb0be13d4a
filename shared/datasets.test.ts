import { describe, expect, it } from 'vitest';
import { FAMILIES, upscaleOf } from './catalog.ts';
import {
  DATASET_IDS,
  DATASETS,
  type DatasetInfo,
  DatasetInfoSchema,
  datasetInfo,
  describeKind,
} from './datasets.ts';
import { validateSpec } from './spec.ts';

describe('the dataset catalog', () => {
  it('holds entries its own schema accepts, with unique ids and consistent classes', () => {
    expect(new Set(DATASETS.map((d) => d.id)).size).toBe(DATASETS.length);
    for (const d of DATASETS) {
      expect(DatasetInfoSchema.parse(d)).toEqual(d);
      expect(d.classNames.length === 0 || d.classNames.length === d.classes, d.id).toBe(true);
      expect(d.shape.length, d.id).toBe(d.kind === 'points2d' ? 1 : 3);
    }
  });

  it('gives every derived set what its kind needs: its sources listed, a palette, attributes, words, poses', () => {
    for (const d of DATASETS as readonly DatasetInfo[]) {
      for (const s of d.sources)
        if (s.type === 'generated')
          for (const from of s.from ?? []) expect(DATASET_IDS, d.id).toContain(from);
      if (d.kind === 'labelmap') expect(d.palette?.length, d.id).toBe(d.classes);
      if (d.kind === 'captioned') {
        expect(d.vocabulary?.[0], d.id).toBe('');
        expect(new Set(d.vocabulary).size, d.id).toBe(d.vocabulary?.length);
      }
      if (d.kind === 'posed') expect(d.pose, d.id).toBeDefined();
      for (const a of d.attributes ?? [])
        expect(new Set(a.values).size, `${d.id} ${a.name}`).toBe(a.values.length);
    }
  });

  it('gives every family at least one dataset, and every dataset of a family a valid spec', () => {
    for (const f of FAMILIES) {
      expect(f.datasets.length, f.id).toBeGreaterThan(0);
      for (const id of f.datasets) expect(f.kinds).toContain(datasetInfo(id).kind);
    }
  });

  it('refuses every family-dataset pair of the wrong kind, naming both', () => {
    let refused = 0;
    let refusedScale = 0;
    for (const f of FAMILIES) {
      for (const d of DATASETS) {
        const r = validateSpec({ family: f.id, dataset: d.id });
        if ((f.kinds as readonly string[]).includes(d.kind)) {
          // A paired set's input scale must be the family's too: pix2pix's same-size pairs, SRGAN's x4.
          const fits = upscaleOf(d) === ((f as { upscale?: number }).upscale ?? 1);
          expect(r.ok, `${f.id} on ${d.id}`).toBe(fits);
          if (!fits) {
            refusedScale++;
            expect(r.ok ? [] : r.issues).toEqual([
              {
                field: 'dataset',
                message: expect.stringMatching(
                  new RegExp(
                    `^family '${f.id}' (translates pairs of one size|enlarges inputs \\d+ times); dataset '${d.id}' pairs \\d+x\\d+x\\d+ inputs with \\d+x\\d+x\\d+ targets$`,
                  ),
                ),
              },
            ]);
          }
          continue;
        }
        refused++;
        expect(r.ok ? [] : r.issues).toEqual([
          {
            field: 'dataset',
            message: expect.stringMatching(
              new RegExp(`^family '${f.id}' trains on .*; dataset '${d.id}' holds ${describeKind(d.kind)}$`),
            ),
          },
        ]);
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(refusedScale).toBeGreaterThan(0);
  });
});
