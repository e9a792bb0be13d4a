/**
 * /experiments: submit, list, read, cancel and resume runs, and read what they produced (metrics, sample grids,
 * the exported generator). Every run belongs to the caller who submitted it; another caller's run answers
 * 404 exactly like a missing one, so ids cannot be probed.
 */
import { isDeepStrictEqual } from 'node:util';
import { type Context, Hono } from 'hono';
import { routes } from '../../shared/api/routes.ts';
import {
  type ExportedGenerator,
  MAX_METRICS_LINES,
  type MetricsLine,
  URL_TTL_SECONDS,
} from '../../shared/api/schemas.ts';
import { type EvalResult, evaluationPictures } from '../../shared/evaluation.ts';
import {
  descriptorFromSpec,
  layersModelInputs,
  parseGeneratorDescriptor,
  STYLE_PARTS,
} from '../../shared/generator.ts';
import { runFiles } from '../../shared/keys.ts';
import { type Labels, LabelsPatchSchema, patchLabels, splitLabels } from '../../shared/labels.ts';
import { capIssues, type RunLimits } from '../../shared/limits.ts';
import { isResumable, isTerminal, type ResumedRun, type RunRecord } from '../../shared/run.ts';
import { type ExperimentSpec, validateSpec } from '../../shared/spec.ts';
import { RunStagesSchema, stageOfSample } from '../../shared/stages.ts';
import type { ApiEnv } from '../auth.ts';
import { ApiProblem, type ErrorLogger, invalidRequest, issuesOf, notFound } from '../errors.ts';
import type { ArtifactStore, JobRunner, RunStore } from '../ports.ts';
import {
  bodySizeLimit,
  idempotencyKey,
  isNamed,
  message,
  overLimit,
  ownedById,
  parseQuery,
  readJson,
  requireJson,
  withCursor,
} from './request.ts';
import { publicRun, runActions, whyNoEvaluation } from './run-actions.ts';
import { putRunInputs, type ResolveUpload, runUpload } from './run-inputs.ts';

export interface ExperimentDeps {
  runStore: RunStore;
  artifacts: ArtifactStore;
  runner: JobRunner;
  now: () => Date;
  newRunId: () => string;
  log: ErrorLogger;
  /** This deployment's caps on a spec's timeout and retries; none beyond the schema's when absent. */
  caps?: Pick<RunLimits, 'maxTimeoutMinutes' | 'maxRetries'>;
  resolveUpload: ResolveUpload;
}

/**
 * The exported generator's descriptor: its descriptor.json, or for a generator exported before
 * descriptors, the one derived from the run's spec and model.json's inputs (shared/generator.ts). What the
 * trainer wrote is not client input: one that does not parse is an error naming the object (a logged 500).
 */
async function generatorDescriptor(
  artifacts: ArtifactStore,
  run: RunRecord,
): Promise<Pick<ExportedGenerator, 'descriptor' | 'descriptorSource'>> {
  const text = async (key: string) => {
    const bytes = await artifacts.get(run.id, key);
    return bytes && new TextDecoder().decode(bytes);
  };
  const stored = await text(runFiles.generatorDescriptor);
  if (stored !== undefined) {
    const at = `runs/${run.id}/${runFiles.generatorDescriptor}`;
    return { descriptor: parseGeneratorDescriptor(stored, at), descriptorSource: 'file' };
  }
  const at = `runs/${run.id}/${runFiles.generatorModel}`;
  const model = await text(runFiles.generatorModel);
  if (model === undefined) throw new Error(`${at} went missing`);
  let json: unknown;
  try {
    json = JSON.parse(model);
  } catch (err) {
    throw new Error(`${at} is not JSON: ${message(err)}`);
  }
  return { descriptor: descriptorFromSpec(run.spec, layersModelInputs(json)), descriptorSource: 'spec' };
}

async function readSpec(c: Context, caps: ExperimentDeps['caps']): Promise<ReadSpec> {
  const input = await readJson(c, 'the experiment spec');
  const result = validateSpec(input);
  if (!result.ok) {
    throw invalidRequest(
      `the spec is invalid: ${result.issues.map((i) => i.field || '(spec)').join(', ')}`,
      result.issues,
    );
  }
  const over = caps ? capIssues(result.spec, caps) : [];
  if (over.length > 0) {
    throw invalidRequest(
      `the spec is over this deployment's caps: ${over.map((i) => i.field).join(', ')}`,
      over,
    );
  }
  return splitLabels(result.spec);
}

type ReadSpec = { spec: ExperimentSpec; labels?: Labels };

/** A PATCH body of labels, or 400 naming the fields at fault. */
export function parseLabelsPatch(input: unknown) {
  const result = LabelsPatchSchema.safeParse(input);
  if (!result.success) {
    const issues = issuesOf(result.error);
    throw invalidRequest(
      `the labels are invalid: ${issues.map((i) => i.field || '(body)').join(', ')}`,
      issues,
    );
  }
  return result.data;
}

/**
 * Keeps every `every`-th line, or about `points` evenly spaced lines; the first and last are always kept,
 * so a chart starts and ends where the run does.
 */
export function downsample<T>(items: readonly T[], by: { every?: number; points?: number }): T[] {
  const n = items.length;
  if (n <= 2) return [...items];
  if (by.every !== undefined && by.every > 1) {
    const kept = items.filter((_, i) => i % by.every! === 0);
    if ((n - 1) % by.every !== 0) kept.push(items[n - 1]!);
    return kept;
  }
  if (by.points !== undefined && by.points < n) {
    const p = Math.max(2, by.points);
    return Array.from({ length: p }, (_, i) => items[Math.round((i * (n - 1)) / (p - 1))]!);
  }
  return [...items];
}

/** metrics.jsonl lines in step order; a line that is not a JSON object with a numeric step is skipped. */
export function parseMetrics(bytes: Uint8Array): MetricsLine[] {
  const lines: MetricsLine[] = [];
  for (const raw of new TextDecoder().decode(bytes).split('\n')) {
    if (!raw.trim()) continue;
    try {
      const line = JSON.parse(raw) as MetricsLine;
      if (line && typeof line === 'object' && typeof line.step === 'number') lines.push(line);
    } catch {
      // A torn or foreign line must not hide the rest of the run's curve.
    }
  }
  return lines.sort((a, b) => a.step - b.step);
}

export function experimentRoutes(deps: ExperimentDeps) {
  const { runStore, artifacts, now } = deps;

  /** The caller's run, or 404 for a malformed id, a missing run and another owner's run alike. */
  const ownedRun = (c: Context<ApiEnv>) => ownedById(c, (id) => runStore.get(id), 'experiment');

  const { fail, startJob, cancel } = runActions(deps);

  return new Hono<ApiEnv>()
    .post('/', requireJson, bodySizeLimit, async (c) => {
      const key = idempotencyKey(c);
      const { spec, labels } = await readSpec(c, deps.caps);
      const upload = await runUpload(deps.resolveUpload, c.get('subject'), spec);
      const at = now().toISOString();
      const draft: RunRecord = {
        id: deps.newRunId(),
        owner: c.get('subject'),
        spec,
        ...(labels ? { labels } : {}),
        status: 'QUEUED',
        attempt: 1,
        createdAt: at,
        updatedAt: at,
        history: [{ status: 'QUEUED', attempt: 1, at }],
        ...(upload ? { upload } : {}),
      };
      const { run, created } = await runStore.create(draft, key).catch((err: unknown) => {
        if (isNamed(err, 'BadIdempotencyKey')) {
          throw invalidRequest(message(err), [{ field: 'Idempotency-Key', message: message(err) }]);
        }
        throw overLimit(err);
      });
      if (!created) {
        // Same key, different spec: a client bug that must not silently return an unrelated run. Labels
        // may have been edited since, so only the spec is compared.
        if (!isDeepStrictEqual(run.spec, spec)) {
          throw new ApiProblem(
            'idempotency-key-reused',
            `Idempotency-Key '${key}' was already used for run ${run.id} with a different spec`,
            { members: { runId: run.id } },
          );
        }
        c.header('location', `/experiments/${run.id}`);
        return c.json(publicRun(run), 200);
      }

      try {
        await putRunInputs(artifacts, run);
      } catch (err) {
        await fail(run, 'the spec could not be stored for the trainer');
        throw new ApiProblem('upstream-failed', `run ${run.id} failed: its spec could not be stored`, {
          cause: err,
          members: { runId: run.id },
        });
      }

      const record = await startJob(run);
      c.header('location', `/experiments/${record.id}`);
      return c.json(publicRun(record), 201);
    })

    .get('/', async (c) => {
      const q = parseQuery(routes.listRuns.query, c);
      const page = await withCursor(() =>
        runStore.list({
          owner: c.get('subject'),
          limit: q.limit,
          ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
          ...(q.status !== undefined ? { status: q.status } : {}),
          ...(q.family !== undefined ? { family: q.family } : {}),
          ...(q.tag !== undefined ? { tag: q.tag } : {}),
          ...(q.q !== undefined ? { q: q.q } : {}),
        }),
      );
      return c.json({ ...page, runs: page.runs.map(publicRun) });
    })

    .get('/:id', async (c) => c.json(publicRun(await ownedRun(c))))

    .patch('/:id', requireJson, bodySizeLimit, async (c) => {
      const patch = parseLabelsPatch(await readJson(c, 'the labels'));
      // Read, change, write only if still as read: another edit in between is read again and applied over.
      for (let pass = 1; ; pass++) {
        const run = await ownedRun(c);
        const labels = patchLabels(run.labels, patch);
        if (await runStore.setLabels(run.id, labels, run.labels)) {
          const { labels: _old, ...rest } = run;
          return c.json(publicRun({ ...rest, ...(labels ? { labels } : {}) }));
        }
        if (pass >= 5) throw new Error(`run ${run.id}: its labels kept changing under 5 edits`);
      }
    })

    .post('/:id/cancel', async (c) => c.json(publicRun(await cancel(await ownedRun(c)))))

    .post('/:id/resume', async (c) => {
      const run = await ownedRun(c);
      const notResumable = (r: RunRecord) =>
        new ApiProblem(
          'run-not-resumable',
          `run ${r.id} is ${r.status}; only a FAILED or CANCELLED run can be resumed`,
          { members: { runStatus: r.status } },
        );
      if (!isResumable(run.status)) throw notResumable(run);
      const result = await runStore
        .update(run.id, { status: 'QUEUED', attempt: run.attempt + 1, resume: true, at: now().toISOString() })
        .catch((err: unknown) => {
          throw overLimit(err);
        });
      if (!result.ok) {
        // Another request resumed it (or it changed) between our read and our write.
        const current = await runStore.get(run.id);
        throw notResumable(current ?? run);
      }
      const checkpoint = await artifacts.latestCheckpoint(run.id);
      const record = await startJob(result.record);
      c.header('location', `/experiments/${record.id}`);
      const resumed: ResumedRun = { ...publicRun(record), resumeFrom: checkpoint ?? 0 };
      return c.json(resumed);
    })

    .get('/:id/metrics', async (c) => {
      const run = await ownedRun(c);
      const q = parseQuery(routes.metrics.query, c);
      const bytes = await artifacts.get(run.id, runFiles.metrics);
      const all = bytes ? parseMetrics(bytes) : [];
      let metrics = downsample(all, q);
      if (metrics.length > MAX_METRICS_LINES) metrics = downsample(metrics, { points: MAX_METRICS_LINES });
      return c.json({ runId: run.id, total: all.length, metrics });
    })

    .get('/:id/samples', async (c) => {
      const run = await ownedRun(c);
      const q = parseQuery(routes.samples.query, c);
      const page = await withCursor(() =>
        artifacts.listSamples(run.id, {
          limit: q.limit,
          ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        }),
      );
      // A run that trains in stages: each sample says which stage drew it, so the gallery can group them.
      const stagesBytes = await artifacts.get(run.id, runFiles.stages);
      if (stagesBytes === undefined) return c.json({ runId: run.id, ...page });
      const stages = RunStagesSchema.parse(JSON.parse(new TextDecoder().decode(stagesBytes)));
      const samples = page.samples.map((s) => {
        const stage = stageOfSample(stages, s.step);
        return stage ? { ...s, stage: { index: stage.index, name: stage.name } } : s;
      });
      return c.json({ runId: run.id, ...page, samples });
    })

    .get('/:id/evaluation', async (c) => {
      const run = await ownedRun(c);
      const bytes = await artifacts.get(run.id, runFiles.eval);
      if (!bytes) throw notFound(`run ${run.id} has no evaluation: ${whyNoEvaluation(run)}`);
      const evaluation = JSON.parse(new TextDecoder().decode(bytes)) as EvalResult;
      const pictures = await Promise.all(
        evaluationPictures(evaluation).map(async (p) => ({
          ...p,
          url: await artifacts.presign(run.id, p.key, URL_TTL_SECONDS),
        })),
      );
      return c.json({
        runId: run.id,
        evaluation,
        pictures: pictures.filter((p) => p.url !== undefined),
        expiresAt: new Date(now().getTime() + URL_TTL_SECONDS * 1000).toISOString(),
      });
    })

    .get('/:id/generator', async (c) => {
      const run = await ownedRun(c);
      const modelUrl = await artifacts.presign(run.id, runFiles.generatorModel, URL_TTL_SECONDS);
      // The trainer writes the weights before model.json, so a model.json without weights is not ready.
      const weightsUrl =
        modelUrl && (await artifacts.presign(run.id, runFiles.generatorWeights, URL_TTL_SECONDS));
      if (!modelUrl || !weightsUrl) {
        const why = isTerminal(run.status)
          ? run.status === 'SUCCEEDED'
            ? 'it finished without exporting one'
            : `it ended as ${run.status} before exporting one`
          : `it is ${run.status}, and the generator is exported when training finishes`;
        throw notFound(`run ${run.id} has no generator yet: ${why}`);
      }
      const weightsName = runFiles.generatorWeights.slice(runFiles.generatorDir.length);
      const described = await generatorDescriptor(artifacts, run);
      // A style-based generator's parts, written before model.json: each folder's model.json and weights.
      const styles = described.descriptor.styles;
      const parts =
        styles &&
        Object.fromEntries(
          await Promise.all(
            STYLE_PARTS.map(async (part) => {
              const model = runFiles.generatorDir + styles[part];
              const weights = model.replace(/model\.json$/, weightsName);
              const [url, weightsPartUrl] = await Promise.all([
                artifacts.presign(run.id, model, URL_TTL_SECONDS),
                artifacts.presign(run.id, weights, URL_TTL_SECONDS),
              ]);
              if (!url || !weightsPartUrl)
                throw new Error(`runs/${run.id}/${model} or its weights went missing`);
              return [part, { modelUrl: url, weightUrls: { [weightsName]: weightsPartUrl } }] as const;
            }),
          ),
        );
      return c.json({
        runId: run.id,
        modelUrl,
        weightUrls: { [weightsName]: weightsUrl },
        ...(parts ? { parts } : {}),
        ...described,
        expiresAt: new Date(now().getTime() + URL_TTL_SECONDS * 1000).toISOString(),
      });
    });
}
