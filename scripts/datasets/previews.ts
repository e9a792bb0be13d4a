/**
 * `npm run datasets:previews [id ...]`: draws each dataset's preview grid into web/public/dataset-previews/{id}.png,
 * where the dashboard serves it and docs/DATASETS.md shows it (trainer/data/preview.ts says what is drawn).
 * Without ids: every dataset whose catalog entry names a preview. A dataset's files are fetched first, as a
 * run would fetch them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASET_IDS, DATASETS, type DatasetId } from '../../shared/datasets.ts';
import { openDataset } from '../../trainer/data/index.ts';
import { prepareDataset } from '../../trainer/data/prepare.ts';
import { PREVIEW_SEED, renderPreview } from '../../trainer/data/preview.ts';

const PUBLIC = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/public');

const asked = process.argv.slice(2);
for (const id of asked) {
  if (!(DATASET_IDS as readonly string[]).includes(id)) {
    console.error(`unknown dataset '${id}' (one of ${DATASET_IDS.join(', ')})`);
    process.exit(2);
  }
}
const ids = asked.length > 0 ? (asked as DatasetId[]) : DATASETS.filter((d) => d.preview).map((d) => d.id);
for (const id of ids) {
  const info = DATASETS.find((d) => d.id === id)!;
  if (!info.preview) {
    console.error(`${id}: its catalog entry names no preview; add one (dataset-previews/${id}.png) first`);
    process.exit(2);
  }
  await prepareDataset(id);
  const png = renderPreview(openDataset(id, PREVIEW_SEED));
  const out = join(PUBLIC, info.preview);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, png);
  console.log(`${id}: ${out} (${png.length} bytes)`);
}
