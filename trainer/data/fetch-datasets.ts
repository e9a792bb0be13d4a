/**
 * `npm run datasets:fetch [id ...]`: fetches and checks the files of the named datasets (default: every
 * built-in whose files can be had without the cloud) into the user cache ($XDG_CACHE_HOME/ganzoo/datasets),
 * as a run would before training. The trainer image runs it at build time, so a job reads them from the image.
 */
import { DATASET_IDS, type DatasetId } from '../../shared/datasets.ts';
import { prepareDataset } from './prepare.ts';

/** What a machine without the cloud can fetch (cifar10 is fetched by the run itself, cached in its bucket). */
export const LOCAL_DATASETS: readonly DatasetId[] = ['fashion-mnist', 'photos'];

const asked = process.argv.slice(2);
for (const id of asked) {
  if (!(DATASET_IDS as readonly string[]).includes(id)) {
    console.error(`unknown dataset '${id}' (one of ${DATASET_IDS.join(', ')})`);
    process.exit(2);
  }
}
for (const id of asked.length > 0 ? (asked as DatasetId[]) : LOCAL_DATASETS) {
  try {
    const dir = await prepareDataset(id);
    console.log(`${id}: ${dir ?? 'nothing to fetch'}`);
  } catch (err) {
    console.error(`${id}: ${(err as Error).message}`);
    process.exit(1);
  }
}
