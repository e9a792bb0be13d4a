/**
 * What a run is given before its job starts, the same for a single run and every member of a group: the
 * uploaded dataset its spec names, checked and recorded, and the files the trainer reads beside its record
 * (its spec, and for an upload which version and the manifest's sha256).
 */
import { type FamilyInfo, familyInfo } from '../../shared/catalog.ts';
import { runFiles } from '../../shared/keys.ts';
import type { RunRecord } from '../../shared/run.ts';
import { type ExperimentSpec, isBuiltIn } from '../../shared/spec.ts';
import type { RunUpload } from '../../shared/uploads.ts';
import type { ArtifactStore } from '../ports.ts';

/** Checks a spec's upload:{id}@{version} for its owner and family (routes/datasets.ts resolveUpload). */
export type ResolveUpload = (owner: string, ref: string, family: FamilyInfo) => Promise<RunUpload>;

/** The upload a spec trains on, checked (a 400 naming `dataset` otherwise); undefined for a built-in. */
export function runUpload(
  resolve: ResolveUpload,
  owner: string,
  spec: ExperimentSpec,
): Promise<RunUpload | undefined> {
  if (isBuiltIn(spec.dataset)) return Promise.resolve(undefined);
  return resolve(owner, spec.dataset, familyInfo(spec.family)!);
}

/** Writes the run's spec and, when it trains on an upload, what it records of it. */
export async function putRunInputs(artifacts: ArtifactStore, run: RunRecord): Promise<void> {
  // Byte for byte what the trainer's own JSON.stringify(parseSpec(...), null, 2) gives, which it checks.
  await artifacts.put(run.id, runFiles.spec, JSON.stringify(run.spec, null, 2), 'application/json');
  if (run.upload)
    await artifacts.put(run.id, runFiles.upload, JSON.stringify(run.upload), 'application/json');
}
