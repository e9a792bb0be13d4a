/**
 * /experiments: submit, list, read, cancel and resume runs, and read what they produced (metrics, sample grids,
 * the exported generator). Every run belongs to the caller who submitted it; another caller's run answers
 * 404 exactly like a missing one, so ids cannot be probed.
 */
import { isDeepStrictEqual } from 'node:util';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { routes } from '../../shared/api/routes.ts';
import {
  type ExportedGenerator,
  MAX_METRICS_LINES,
  MAX_SPEC_BYTES,
  type MetricsLine,
  URL_TTL_SECONDS,
} from '../../shared/api/schemas.ts';
import { type EvalResult, evaluationPictures, hasEvaluation } from '../../shared/evaluation.ts';
import {
  descriptorFromSpec,
  layersModelInputs,
  parseGeneratorDescriptor,
  STYLE_PARTS,
} from '../../shared/generator.ts';
import { assertRunId, runFiles } from '../../shared/keys.ts';
import { capIssues, LIMIT_ENV, type RunLimits } from '../../shared/limits.ts';
import { isResumable, isTerminal, type ResumedRun, RUN_FIELDS, type RunRecord } from '../../shared/run.ts';
import { type ExperimentSpec, validateSpec } from '../../shared/spec.ts';
import { RunStagesSchema, stageOfSample } from '../../shared/stages.ts';
import type { ApiEnv } from '../auth.ts';
import { ApiProblem, type ErrorLogger, invalidRequest, issuesOf, notFound } from '../errors.ts';
import type { ArtifactStore, JobRunner, RunStore } from '../ports.ts';

export interface ExperimentDeps {
  runStore: RunStore;
  artifacts: ArtifactStore;
  runner: JobRunner;
  now: () => Date;
  newRunId: () => string;
  log: ErrorLogger;
  /** This deployment's caps on a spec's timeout and retries; none beyond the schema's when absent. */
  caps?: Pick<RunLimits, 'maxTimeoutMinutes' | 'maxRetries'>;
}

const CANCEL_REASON = 'cancelled on request';

/**
 * Retry-After of a 429 for runs in flight: runs take minutes to hours, so nothing frees a slot sooner on
 * average; a client polling each minute is not a load.
 */
export const IN_FLIGHT_RETRY_AFTER_SECONDS = 60;

/** The store's TooManyRunsInFlight (shared/storage/run-slots.ts) as a 429 naming the limit; anything else as it is. */
function overLimit(err: unknown): unknown {
  if (!isNamed(err, 'TooManyRunsInFlight')) return err;
  const { limit, inFlight } = err as { limit: number; inFlight: number };
  return new ApiProblem(
    'too-many-runs',
    `you have ${inFlight} runs in flight (queued, submitted, starting or running), and this deployment's limit of runs in flight per owner is ${limit} (${LIMIT_ENV.maxRunsInFlight}); wait for one to end, or cancel one`,
    {
      headers: { 'retry-after': String(IN_FLIGHT_RETRY_AFTER_SECONDS) },
      members: { limit: LIMIT_ENV.maxRunsInFlight, maxRunsInFlight: limit, inFlight },
    },
  );
}

/** The record as the API shows it: only RunRecord's fields, whatever else the table item carries. */
export function publicRun(run: RunRecord): RunRecord {
  const out: Record<string, unknown> = {};
  for (const field of RUN_FIELDS) if (run[field] !== undefined) out[field] = run[field];
  return out as unknown as RunRecord;
}

function whyNoEvaluation(run: RunRecord): string {
  if (run.spec.evaluate === false) return "its spec turns evaluation off ('evaluate': false)";
  if (!hasEvaluation(run.spec.dataset)) return `no evaluation is defined for dataset '${run.spec.dataset}'`;
  if (!isTerminal(run.status)) return `it is ${run.status}, and the evaluation is written when training ends`;
  if (run.status === 'SUCCEEDED')
    return "the trainer could not make one (its log says why; 'npm run eval' on the run's folder makes one)";
  return `it ended as ${run.status} before training finished`;
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

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const isNamed = (err: unknown, name: string) => (err as { name?: unknown } | undefined)?.name === name;

function parseQuery<S extends z.ZodType>(schema: S, c: Context): z.output<S> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) {
    const issues = issuesOf(result.error);
    throw invalidRequest(`invalid query parameters: ${issues.map((i) => i.field).join(', ')}`, issues);
  }
  return result.data;
}

/** Store errors that mean "the client sent a cursor we did not hand out" become a 400 naming the field. */
async function withCursor<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isNamed(err, 'BadCursor')) {
      throw invalidRequest(message(err), [{ field: 'cursor', message: message(err) }]);
    }
    throw err;
  }
}

/** The Idempotency-Key header: 1-255 visible ASCII characters, optionally a quoted structured string. */
function idempotencyKey(c: Context): string | undefined {
  const raw = c.req.header('idempotency-key');
  if (raw === undefined) return undefined;
  const key = /^"(.*)"$/.exec(raw.trim())?.[1] ?? raw.trim();
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    const why = 'must be 1 to 255 visible ASCII characters';
    throw invalidRequest(`Idempotency-Key ${why}`, [{ field: 'Idempotency-Key', message: why }]);
  }
  return key;
}

/** 415 unless the body is declared JSON: a form post or text/plain must not be guessed at. */
async function requireJson(c: Context, next: () => Promise<void>) {
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiProblem(
      'unsupported-media-type',
      `send the experiment spec as application/json${type ? `, not ${type}` : ' (no Content-Type was given)'}`,
      { headers: { 'accept-post': 'application/json' } },
    );
  }
  await next();
}

const specSizeLimit = bodyLimit({
  maxSize: MAX_SPEC_BYTES,
  onError: () => {
    throw new ApiProblem('payload-too-large', `the spec may be at most ${MAX_SPEC_BYTES} bytes`);
  },
});

async function readSpec(c: Context, caps: ExperimentDeps['caps']): Promise<ExperimentSpec> {
  const text = await c.req.text();
  if (!text.trim()) throw invalidRequest('the body is empty; send the experiment spec as JSON');
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    throw invalidRequest(`the body is not valid JSON: ${message(err)}`);
  }
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
  return result.spec;
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
  const { runStore, artifacts, runner, now } = deps;

  /** The caller's run, or 404 for a malformed id, a missing run and another owner's run alike. */
  async function ownedRun(c: Context<ApiEnv>): Promise<RunRecord> {
    const id = c.req.param('id') ?? '';
    let wellFormed = true;
    try {
      assertRunId(id);
    } catch {
      wellFormed = false;
    }
    const run = wellFormed ? await runStore.get(id) : undefined;
    if (!run || run.owner !== c.get('subject')) throw notFound(`no experiment '${id}'`);
    return run;
  }

  /** Ends a run that could not start as FAILED; if even that write fails, the reason is still logged. */
  async function fail(run: RunRecord, reason: string): Promise<void> {
    try {
      const result = await runStore.update(run.id, { status: 'FAILED', reason, at: now().toISOString() });
      if (!result.ok) deps.log(`run ${run.id}: could not record FAILED (${reason})`, result.reason);
    } catch (err) {
      deps.log(`run ${run.id}: could not record FAILED (${reason})`, err);
    }
  }

  /**
   * Hands a QUEUED run to the runner and records SUBMITTED with its job id. A run the runner refused ends
   * FAILED (502); the record as it then stands is returned.
   */
  async function startJob(run: RunRecord): Promise<RunRecord> {
    let jobId: string;
    try {
      ({ jobId } = await runner.submit(run));
    } catch (err) {
      const reason = `the training job could not be submitted: ${message(err)}`;
      await fail(run, reason);
      throw new ApiProblem('upstream-failed', `run ${run.id} failed: ${reason}`, {
        cause: err,
        members: { runId: run.id },
      });
    }
    const submitted = await runStore.update(run.id, {
      status: 'SUBMITTED',
      jobId,
      at: now().toISOString(),
    });
    let record = submitted.ok ? submitted.record : await runStore.get(run.id);
    if (!submitted.ok && record && !isTerminal(record.status) && record.jobId === undefined) {
      // The trainer got ahead of us (a local job reports STARTING at once): keep its status, record the job.
      const withJob = await runStore.update(run.id, {
        status: record.status,
        jobId,
        at: now().toISOString(),
      });
      if (withJob.ok) record = withJob.record;
    }
    if (!submitted.ok && record?.status === 'CANCELLED') {
      // Cancelled while being submitted: the cancel found no job to stop, so stop it here.
      await runner.cancel({ ...record, jobId }, CANCEL_REASON).catch((err: unknown) => {
        deps.log(`run ${run.id}: job ${jobId} of a cancelled run could not be stopped`, err);
      });
    }
    return record ?? run;
  }

  return new Hono<ApiEnv>()
    .post('/', requireJson, specSizeLimit, async (c) => {
      const key = idempotencyKey(c);
      const spec = await readSpec(c, deps.caps);
      const at = now().toISOString();
      const draft: RunRecord = {
        id: deps.newRunId(),
        owner: c.get('subject'),
        spec,
        status: 'QUEUED',
        attempt: 1,
        createdAt: at,
        updatedAt: at,
        history: [{ status: 'QUEUED', attempt: 1, at }],
      };
      const { run, created } = await runStore.create(draft, key).catch((err: unknown) => {
        if (isNamed(err, 'BadIdempotencyKey')) {
          throw invalidRequest(message(err), [{ field: 'Idempotency-Key', message: message(err) }]);
        }
        throw overLimit(err);
      });
      if (!created) {
        // Same key, different spec: a client bug that must not silently return an unrelated run.
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
        // Byte for byte what the trainer's own JSON.stringify(parseSpec(...), null, 2) gives, which it checks.
        await artifacts.put(run.id, runFiles.spec, JSON.stringify(spec, null, 2), 'application/json');
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
        }),
      );
      return c.json({ ...page, runs: page.runs.map(publicRun) });
    })

    .get('/:id', async (c) => c.json(publicRun(await ownedRun(c))))

    .post('/:id/cancel', async (c) => {
      const run = await ownedRun(c);
      const finished = (r: RunRecord) =>
        new ApiProblem(
          'run-finished',
          `run ${r.id} already ended as ${r.status}${r.reason ? ` (${r.reason})` : ''}; there is nothing to cancel`,
          { members: { status: r.status } },
        );
      if (isTerminal(run.status)) throw finished(run);
      // Always ask the runner: a local job may be running before its job id was recorded.
      try {
        await runner.cancel(run, CANCEL_REASON);
      } catch (err) {
        throw new ApiProblem(
          'upstream-failed',
          `the job of run ${run.id} could not be stopped, so the run is unchanged; try again`,
          { cause: err },
        );
      }
      const result = await runStore.update(run.id, {
        status: 'CANCELLED',
        reason: CANCEL_REASON,
        at: now().toISOString(),
      });
      if (result.ok) return c.json(publicRun(result.record));
      // It finished between our read and our write.
      const current = await runStore.get(run.id);
      if (current && isTerminal(current.status)) throw finished(current);
      throw new Error(`run ${run.id}: CANCELLED refused: ${result.reason}`);
    })

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
