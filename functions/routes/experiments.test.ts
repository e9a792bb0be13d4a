import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ExportedGenerator, GeneratorSchema, MAX_METRICS_LINES } from '../../shared/api/schemas.ts';
import { datasetInfo } from '../../shared/datasets.ts';
import type { ImageEval } from '../../shared/evaluation.ts';
import { describeGenerator } from '../../shared/generator.ts';
import { runFiles } from '../../shared/keys.ts';
import type { RunRecord } from '../../shared/run.ts';
import { parseSpec } from '../../shared/spec.ts';
import { type ApiHarness, CALLERS, startApiHarness, tickingClock } from '../../test/api-harness.ts';
import { createApp } from '../app.ts';
import { staticTokenAuth } from '../auth.ts';
import { RUN_ID_PATTERN } from '../ids.ts';
import { S3ArtifactStore } from '../stores/artifact-store.ts';
import { downsample, parseMetrics } from './experiments.ts';

let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness();
});

afterAll(async () => {
  await h.stop();
});

beforeEach(() => {
  h.runner.reset();
});

const SPEC = { family: 'vanilla', dataset: 'ring8', steps: 100 } as const;

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function expectProblem(res: Response, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = await json<{ type: string; status: number; title: string; detail: string }>(res);
  expect(body).toMatchObject({ type: `urn:ganzoo:problem:${type}`, status });
  expect(body.title).toBeTruthy();
  expect(body.detail).toBeTruthy();
  return body as Record<string, unknown> & { detail: string };
}

async function submitted(spec: unknown = SPEC, as: 'one' | 'two' = 'one'): Promise<RunRecord> {
  const res = await h.submit(spec, { as });
  expect(res.status).toBe(201);
  return json<RunRecord>(res);
}

describe('POST /experiments', () => {
  it('stores the run, writes its spec for the trainer, submits it and answers 201', async () => {
    const res = await h.submit(SPEC);
    expect(res.status).toBe(201);
    const run = await json<RunRecord>(res);
    expect(run.id).toMatch(RUN_ID_PATTERN);
    expect(res.headers.get('location')).toBe(`/experiments/${run.id}`);
    expect(run).toMatchObject({
      owner: CALLERS.one.subject,
      status: 'SUBMITTED',
      attempt: 1,
      jobId: `job-${run.id}`,
      spec: parseSpec(SPEC),
    });
    // The runner saw the QUEUED record; the store holds the SUBMITTED one.
    expect(h.runner.submits).toHaveLength(1);
    expect(h.runner.submits[0]).toMatchObject({ id: run.id, status: 'QUEUED' });
    expect(await h.runStore.get(run.id)).toEqual(run);
    expect(run.history?.map((e) => [e.status, e.attempt])).toEqual([
      ['QUEUED', 1],
      ['SUBMITTED', 1],
    ]);
    expect(run.history?.[0]?.at).toBe(run.createdAt);
    // The trainer re-serialises the parsed spec and insists on the same bytes (trainer/loop.ts ensureSpec).
    const stored = new TextDecoder().decode(await h.artifacts.get(run.id, runFiles.spec));
    expect(stored).toBe(JSON.stringify(parseSpec(JSON.parse(stored)), null, 2));
    expect(JSON.parse(stored)).toEqual(parseSpec(SPEC));
  });

  it('answers 400 naming every field at fault, and creates nothing', async () => {
    const res = await h.submit({
      family: 'vanilla',
      dataset: 'ring8',
      steps: 0,
      colour: 'red',
      hyperparameters: { latentDim: 'big' },
    });
    const body = await expectProblem(res, 400, 'invalid-request');
    const fields = (body.errors as { field: string; message: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['', 'steps']);
    expect(body.detail).toContain('steps');
    expect(h.runner.submits).toHaveLength(0);

    const hp = await expectProblem(
      await h.submit({ family: 'vanilla', dataset: 'ring8', hyperparameters: { latentDim: 'big' } }),
      400,
      'invalid-request',
    );
    expect(hp.errors).toEqual([{ field: 'hyperparameters.latentDim', message: expect.any(String) }]);
  });

  it("answers 400 for a dataset the family does not train on, naming 'dataset', the family and the dataset", async () => {
    const cases = [
      [
        { family: 'dcgan', dataset: 'ring8' },
        "family 'dcgan' trains on class-labelled images or images; dataset 'ring8' holds 2D points",
      ],
      [
        { family: 'unrolled', dataset: 'mnist' },
        "family 'unrolled' trains on 2D points; dataset 'mnist' holds class-labelled images",
      ],
    ] as const;
    for (const [spec, message] of cases) {
      const body = await expectProblem(await h.submit(spec), 400, 'invalid-request');
      expect(body.errors).toEqual([{ field: 'dataset', message }]);
    }
    expect(h.runner.submits).toHaveLength(0);
  });

  it('answers 400 for a body that is not JSON, or empty', async () => {
    const post = (body: string) =>
      h.request('/experiments', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await expectProblem(await post('{"family":'), 400, 'invalid-request')).detail).toMatch(
      /not valid JSON/,
    );
    expect((await expectProblem(await post(''), 400, 'invalid-request')).detail).toMatch(/empty/);
  });

  it('answers 415 unless the body is application/json', async () => {
    const res = await h.request('/experiments', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(SPEC),
    });
    expect((await expectProblem(res, 415, 'unsupported-media-type')).detail).toContain('text/plain');
    expect(res.headers.get('accept-post')).toBe('application/json');
    const none = await h.request('/experiments', { method: 'POST', body: new Blob([JSON.stringify(SPEC)]) });
    await expectProblem(none, 415, 'unsupported-media-type');
    // A charset parameter is fine.
    const withCharset = await h.request('/experiments', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(SPEC),
    });
    expect(withCharset.status).toBe(201);
  });

  it('answers 413 over 64 KB', async () => {
    const big = JSON.stringify({ ...SPEC, padding: 'x'.repeat(64 * 1024) });
    const res = await h.request('/experiments', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
      body: big,
    });
    expect((await expectProblem(res, 413, 'payload-too-large')).detail).toContain('65536');
    // Without a Content-Length the body is counted as it streams.
    const streamed = await h.request('/experiments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    await expectProblem(streamed, 413, 'payload-too-large');
    expect(h.runner.submits).toHaveLength(0);
  });

  it('returns the same run (200) for a retried submit with the same Idempotency-Key', async () => {
    const first = await h.submit(SPEC, { idempotencyKey: 'retry-me' });
    expect(first.status).toBe(201);
    const again = await h.submit(SPEC, { idempotencyKey: 'retry-me' });
    expect(again.status).toBe(200);
    const [a, b] = [await json<RunRecord>(first), await json<RunRecord>(again)];
    expect(b.id).toBe(a.id);
    expect(again.headers.get('location')).toBe(`/experiments/${a.id}`);
    expect(h.runner.submits).toHaveLength(1);
    // Keys are per caller: another caller's same key is another run.
    const other = await h.submit(SPEC, { idempotencyKey: 'retry-me', as: 'two' });
    expect(other.status).toBe(201);
    expect((await json<RunRecord>(other)).id).not.toBe(a.id);
  });

  it('answers 422 when an Idempotency-Key is reused for a different spec', async () => {
    expect((await h.submit(SPEC, { idempotencyKey: 'used' })).status).toBe(201);
    const body = await expectProblem(
      await h.submit({ ...SPEC, steps: 200 }, { idempotencyKey: 'used' }),
      422,
      'idempotency-key-reused',
    );
    expect(body.detail).toContain("'used'");
    expect(h.runner.submits).toHaveLength(1);
  });

  it('answers 400 for an unusable Idempotency-Key', async () => {
    for (const key of ['has space', 'x'.repeat(256)]) {
      const body = await expectProblem(await h.submit(SPEC, { idempotencyKey: key }), 400, 'invalid-request');
      expect(body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    }
  });

  it('ends the run FAILED with the reason and answers 502 when the runner cannot submit', async () => {
    h.runner.submitError = new Error('Batch said no: queue disabled');
    const body = await expectProblem(await h.submit(SPEC), 502, 'upstream-failed');
    expect(body.detail).toContain('queue disabled');
    const runId = body.runId as string;
    expect(runId).toMatch(RUN_ID_PATTERN);
    const run = await h.runStore.get(runId);
    expect(run).toMatchObject({ status: 'FAILED', reason: expect.stringContaining('queue disabled') });
    expect(run?.jobId).toBeUndefined();
    expect(h.logged.some((l) => l.message.includes(runId))).toBe(true);
  });

  it('ends the run FAILED and answers 502 when the spec cannot be stored', async () => {
    const app = createApp({
      runStore: h.runStore,
      groupStore: h.groupStore,
      artifacts: new S3ArtifactStore({
        client: h.emulators.s3Client(),
        bucket: 'no-such-bucket',
        retry: { attempts: 1 },
      }),
      runner: h.runner,
      auth: staticTokenAuth('t', 'spec-store-down'),
      now: tickingClock(),
      log: () => {},
    });
    const res = await app.request('/experiments', {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify(SPEC),
    });
    const body = await expectProblem(res, 502, 'upstream-failed');
    expect((await h.runStore.get(body.runId as string))?.status).toBe('FAILED');
    expect(h.runner.submits).toHaveLength(0);
  });
});

describe('GET /experiments', () => {
  let mine: RunRecord[];

  beforeAll(async () => {
    // A fresh pair of callers' worth of runs: the describe above made some too, so count from here.
    mine = [];
    for (const spec of [SPEC, { family: 'dcgan', dataset: 'mnist' }, SPEC]) mine.push(await submitted(spec));
    await submitted(SPEC, 'two');
    const cancel = await h.request(`/experiments/${mine[2]!.id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(200);
  });

  const list = async (query = '', as: 'one' | 'two' = 'one') => {
    const res = await h.request(`/experiments${query}`, { as });
    expect(res.status).toBe(200);
    return json<{ runs: RunRecord[]; nextCursor?: string }>(res);
  };

  it("lists only the caller's runs, newest first", async () => {
    const { runs } = await list('?limit=100');
    expect(runs.every((r) => r.owner === CALLERS.one.subject)).toBe(true);
    expect(runs.slice(0, 3).map((r) => r.id)).toEqual(mine.map((r) => r.id).reverse());
    const created = runs.map((r) => r.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    const theirs = await list('?limit=100', 'two');
    expect(theirs.runs.every((r) => r.owner === CALLERS.two.subject)).toBe(true);
    expect(theirs.runs.map((r) => r.id)).not.toContain(mine[0]!.id);
  });

  it('pages with limit and cursor, each run once', async () => {
    const all = (await list('?limit=100')).runs.map((r) => r.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.runs.length).toBeLessThanOrEqual(2);
      seen.push(...page.runs.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('filters by status and by family', async () => {
    const cancelled = (await list('?status=CANCELLED&limit=100')).runs;
    expect(cancelled.map((r) => r.id)).toContain(mine[2]!.id);
    expect(cancelled.every((r) => r.status === 'CANCELLED')).toBe(true);
    const dcgan = (await list('?family=dcgan')).runs;
    expect(dcgan.map((r) => r.id)).toEqual([mine[1]!.id]);
  });

  it('answers 400 naming the parameter for a bad limit, status, family or cursor', async () => {
    for (const [query, field] of [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=ten', 'limit'],
      ['?status=DONE', 'status'],
      ['?family=stylegan9', 'family'],
      ['?cursor=not-a-cursor', 'cursor'],
    ] as const) {
      const res = await h.request(`/experiments${query}`);
      const body = await expectProblem(res, 400, 'invalid-request');
      expect(body.errors, query).toEqual([{ field, message: expect.any(String) }]);
    }
  });
});

describe('GET /experiments/{id}', () => {
  it("answers the caller's run", async () => {
    const run = await submitted();
    const res = await h.request(`/experiments/${run.id}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual(run);
  });

  it("answers 404 alike for unknown ids, malformed ids and another caller's run", async () => {
    const run = await submitted();
    for (const [path, as] of [
      [`/experiments/${run.id}`, 'two'],
      ['/experiments/01ARZ3NDEKTSV4RRFFQ69G5FAV', 'one'],
      [`/experiments/${'x'.repeat(65)}`, 'one'],
      ['/experiments/idem%23caller-one%23used', 'one'],
    ] as const) {
      const body = await expectProblem(await h.request(path, { as }), 404, 'not-found');
      expect(body.detail).toMatch(/no experiment/);
    }
  });
});

describe('POST /experiments/{id}/resume', () => {
  const resume = (id: string, as: 'one' | 'two' = 'one') =>
    h.request(`/experiments/${id}/resume`, { method: 'POST', as });

  it('submits a CANCELLED or FAILED run again as its next attempt, from its latest checkpoint', async () => {
    const cancelled = await submitted();
    await h.request(`/experiments/${cancelled.id}/cancel`, { method: 'POST' });
    await h.artifacts.put(cancelled.id, runFiles.checkpointState(40), '{}', 'application/json');
    h.runner.reset();
    const res = await resume(cancelled.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBe(`/experiments/${cancelled.id}`);
    const body = await json<RunRecord & { resumeFrom: number }>(res);
    expect(body).toMatchObject({ status: 'SUBMITTED', attempt: 2, resumeFrom: 40 });
    // The ended attempt's reason is gone; the new job is recorded.
    expect(body.reason).toBeUndefined();
    expect(body.jobId).toBe(`job-${cancelled.id}`);
    expect(h.runner.submits).toEqual([
      expect.objectContaining({ id: cancelled.id, status: 'QUEUED', attempt: 2 }),
    ]);
    expect(h.runner.submits[0]!.jobId).toBeUndefined();
    const { resumeFrom: _, ...record } = body;
    expect(await h.runStore.get(cancelled.id)).toEqual(record);
    expect(body.history?.map((e) => `${e.status} ${e.attempt}`)).toEqual([
      'QUEUED 1',
      'SUBMITTED 1',
      'CANCELLED 1',
      'QUEUED 2',
      'SUBMITTED 2',
    ]);

    const failed = await submitted();
    for (const status of ['STARTING', 'RUNNING'] as const) await h.runStore.update(failed.id, { status });
    await h.runStore.update(failed.id, { status: 'FAILED', reason: 'the trainer was killed by SIGKILL' });
    const again = await json<RunRecord & { resumeFrom: number }>(await resume(failed.id));
    expect(again).toMatchObject({ status: 'SUBMITTED', attempt: 2, resumeFrom: 0 });
  });

  it("answers 409 for a run that has not ended or SUCCEEDED, and 404 for another owner's run", async () => {
    const run = await submitted();
    const body = await expectProblem(await resume(run.id), 409, 'run-not-resumable');
    expect(body).toMatchObject({ status: 409, runStatus: 'SUBMITTED' });
    expect(body.detail).toBe(`run ${run.id} is SUBMITTED; only a FAILED or CANCELLED run can be resumed`);
    for (const status of ['STARTING', 'RUNNING', 'SUCCEEDED'] as const)
      await h.runStore.update(run.id, { status });
    await expectProblem(await resume(run.id), 409, 'run-not-resumable');
    await h.request(`/experiments/${run.id}/cancel`, { method: 'POST' });
    await expectProblem(await resume(run.id, 'two'), 404, 'not-found');
    h.runner.reset();
    expect(h.runner.submits).toHaveLength(0);
  });

  it('resumes once when two requests race: the other gets 409', async () => {
    const run = await submitted();
    await h.request(`/experiments/${run.id}/cancel`, { method: 'POST' });
    h.runner.reset();
    const answers = await Promise.all([resume(run.id), resume(run.id)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(h.runner.submits).toHaveLength(1);
    expect(await h.runStore.get(run.id)).toMatchObject({ status: 'SUBMITTED', attempt: 2 });
  });

  it('ends the run FAILED with a 502 when the runner refuses the job', async () => {
    const run = await submitted();
    await h.request(`/experiments/${run.id}/cancel`, { method: 'POST' });
    h.runner.submitError = new Error('no capacity');
    await expectProblem(await resume(run.id), 502, 'upstream-failed');
    expect(await h.runStore.get(run.id)).toMatchObject({ status: 'FAILED', attempt: 2 });
  });
});

describe('POST /experiments/{id}/cancel', () => {
  it('stops the job and ends the run CANCELLED', async () => {
    const run = await submitted();
    const res = await h.request(`/experiments/${run.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    const body = await json<RunRecord>(res);
    expect(body).toMatchObject({ id: run.id, status: 'CANCELLED', reason: 'cancelled on request' });
    expect(h.runner.cancels).toEqual([
      { run: expect.objectContaining({ id: run.id, jobId: run.jobId }), reason: 'cancelled on request' },
    ]);
    expect((await h.runStore.get(run.id))?.status).toBe('CANCELLED');
  });

  it('answers 409 saying why for a run that already finished', async () => {
    const run = await submitted();
    for (const status of ['STARTING', 'RUNNING', 'SUCCEEDED'] as const) {
      expect((await h.runStore.update(run.id, { status })).ok).toBe(true);
    }
    const body = await expectProblem(
      await h.request(`/experiments/${run.id}/cancel`, { method: 'POST' }),
      409,
      'run-finished',
    );
    expect(body.detail).toContain('already ended as SUCCEEDED');
    expect(body.status).toBe(409);
    expect(h.runner.cancels).toHaveLength(0);

    const cancelled = await submitted();
    await h.request(`/experiments/${cancelled.id}/cancel`, { method: 'POST' });
    const again = await expectProblem(
      await h.request(`/experiments/${cancelled.id}/cancel`, { method: 'POST' }),
      409,
      'run-finished',
    );
    expect(again.detail).toContain('CANCELLED (cancelled on request)');
  });

  it('cancels a QUEUED run that has no job yet, asking the runner all the same', async () => {
    const at = new Date().toISOString();
    const { run } = await h.runStore.create({
      id: 'queued-by-hand',
      owner: CALLERS.one.subject,
      spec: parseSpec(SPEC),
      status: 'QUEUED',
      attempt: 1,
      createdAt: at,
      updatedAt: at,
    });
    const res = await h.request(`/experiments/${run.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect((await json<RunRecord>(res)).status).toBe('CANCELLED');
    // A local job can be running before its job id is recorded; the runner finds it by run id.
    expect(h.runner.cancels.map((c) => c.run.id)).toEqual([run.id]);
  });

  it('answers 502 and leaves the run as it was when the job cannot be stopped', async () => {
    const run = await submitted();
    h.runner.cancelError = new Error('TerminateJob timed out');
    const body = await expectProblem(
      await h.request(`/experiments/${run.id}/cancel`, { method: 'POST' }),
      502,
      'upstream-failed',
    );
    expect(body.detail).toContain('try again');
    expect(body.detail).not.toContain('TerminateJob');
    expect((await h.runStore.get(run.id))?.status).toBe('SUBMITTED');
  });

  it("answers 404 for another caller's run and leaves it running", async () => {
    const run = await submitted();
    await expectProblem(
      await h.request(`/experiments/${run.id}/cancel`, { method: 'POST', as: 'two' }),
      404,
      'not-found',
    );
    expect((await h.runStore.get(run.id))?.status).toBe('SUBMITTED');
    expect(h.runner.cancels).toHaveLength(0);
  });
});

describe('GET /experiments/{id}/metrics', () => {
  let run: RunRecord;
  const line = (step: number) => ({
    step,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, step)).toISOString(),
    values: { 'loss/D': 1 / (step + 1), 'loss/G': step / 10 },
    imagesPerSecond: 100,
    stepMs: 5,
    backend: 'wasm',
    attempt: 1,
  });

  beforeAll(async () => {
    run = await submitted();
  });

  const metrics = async (query = '') => {
    const res = await h.request(`/experiments/${run.id}/metrics${query}`);
    expect(res.status).toBe(200);
    return json<{ runId: string; total: number; metrics: { step: number }[] }>(res);
  };

  it('answers no metrics before the trainer wrote any', async () => {
    expect(await metrics()).toEqual({ runId: run.id, total: 0, metrics: [] });
  });

  it('parses metrics.jsonl in step order, skipping a torn line', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => JSON.stringify(line(i * 10)));
    const body = `${lines.join('\n')}\n{"step": 250, "values"`;
    await h.artifacts.put(run.id, runFiles.metrics, body, 'application/x-ndjson');
    const all = await metrics();
    expect(all.total).toBe(25);
    expect(all.metrics[0]).toEqual(line(0));
    expect(all.metrics.map((m) => m.step)).toEqual(Array.from({ length: 25 }, (_, i) => i * 10));
  });

  it('downsamples with every=N or points=N, keeping the first and the last', async () => {
    expect((await metrics('?every=10')).metrics.map((m) => m.step)).toEqual([0, 100, 200, 240]);
    const five = await metrics('?points=5');
    expect(five.total).toBe(25);
    expect(five.metrics.map((m) => m.step)).toEqual([0, 60, 120, 180, 240]);
    expect((await metrics('?points=1000')).metrics).toHaveLength(25);
    expect((await metrics('?every=1')).metrics).toHaveLength(25);
  });

  it('never answers more than MAX_METRICS_LINES lines', async () => {
    const long = await submitted();
    const lines = Array.from({ length: MAX_METRICS_LINES * 2 + 1 }, (_, i) => `{"step":${i},"values":{}}`);
    await h.artifacts.put(long.id, runFiles.metrics, lines.join('\n'), 'application/x-ndjson');
    for (const query of ['', '?every=1']) {
      const res = await h.request(`/experiments/${long.id}/metrics${query}`);
      const body = await json<{ total: number; metrics: { step: number }[] }>(res);
      expect(body.total).toBe(MAX_METRICS_LINES * 2 + 1);
      expect(body.metrics).toHaveLength(MAX_METRICS_LINES);
      expect(body.metrics.at(-1)?.step).toBe(MAX_METRICS_LINES * 2);
    }
  });

  it('answers 400 for both every and points, or values out of range', async () => {
    for (const [query, field] of [
      ['?every=2&points=5', 'points'],
      ['?every=0', 'every'],
      ['?points=1', 'points'],
      [`?points=${MAX_METRICS_LINES + 1}`, 'points'],
    ] as const) {
      const body = await expectProblem(
        await h.request(`/experiments/${run.id}/metrics${query}`),
        400,
        'invalid-request',
      );
      expect(body.errors, query).toEqual([{ field, message: expect.any(String) }]);
    }
  });

  it("answers 404 for another caller's run", async () => {
    await expectProblem(await h.request(`/experiments/${run.id}/metrics`, { as: 'two' }), 404, 'not-found');
  });
});

describe('GET /experiments/{id}/samples', () => {
  let run: RunRecord;
  const png = (step: number) => new Uint8Array([0x89, 0x50, 0x4e, 0x47, step % 256]);

  beforeAll(async () => {
    run = await submitted();
    for (const step of [0, 200, 400]) {
      await h.artifacts.put(run.id, runFiles.sample(step), png(step), 'image/png');
    }
    await h.artifacts.put(run.id, `${runFiles.samplesDir}notes.txt`, 'not a sample', 'text/plain');
  });

  it('lists steps with presigned URLs that serve the images', async () => {
    const res = await h.request(`/experiments/${run.id}/samples`);
    expect(res.status).toBe(200);
    const body = await json<{ runId: string; samples: { step: number; url: string }[]; nextCursor?: string }>(
      res,
    );
    expect(body.runId).toBe(run.id);
    expect(body.samples.map((s) => s.step)).toEqual([0, 200, 400]);
    expect(body.nextCursor).toBeUndefined();
    const image = await fetch(body.samples[1]!.url);
    expect(image.status).toBe(200);
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(png(200));
  });

  it("names each sample's stage for a run that trains in stages", async () => {
    const staged = await submitted();
    for (const step of [0, 4, 8])
      await h.artifacts.put(staged.id, runFiles.sample(step), png(step), 'image/png');
    const stages = [
      { index: 0, name: '4x4', start: 0, end: 4 },
      { index: 1, name: '8x8', start: 4, end: 8, fadeSteps: 2 },
    ];
    await h.artifacts.put(staged.id, runFiles.stages, JSON.stringify(stages), 'application/json');
    const body = await json<{ samples: { step: number; stage?: { index: number; name: string } }[] }>(
      await h.request(`/experiments/${staged.id}/samples`),
    );
    // The step-4 sample was drawn after the 4x4 stage's last step, by its generator.
    expect(body.samples.map((s) => [s.step, s.stage?.name])).toEqual([
      [0, '4x4'],
      [4, '4x4'],
      [8, '8x8'],
    ]);
  });

  it('pages with limit and cursor', async () => {
    const first = await json<{ samples: { step: number }[]; nextCursor?: string }>(
      await h.request(`/experiments/${run.id}/samples?limit=2`),
    );
    expect(first.samples.map((s) => s.step)).toEqual([0, 200]);
    expect(first.nextCursor).toBeTruthy();
    const rest = await json<{ samples: { step: number }[]; nextCursor?: string }>(
      await h.request(
        `/experiments/${run.id}/samples?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`,
      ),
    );
    expect(rest.samples.map((s) => s.step)).toEqual([400]);
    // Another run's cursor is refused rather than silently listing the wrong run.
    const other = await submitted();
    const wrongRun = await h.request(
      `/experiments/${other.id}/samples?cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    const body = await expectProblem(wrongRun, 400, 'invalid-request');
    expect(body.errors).toEqual([{ field: 'cursor', message: expect.stringContaining('another run') }]);
  });

  it('answers 400 for a bad limit or cursor, 404 for another caller', async () => {
    await expectProblem(await h.request(`/experiments/${run.id}/samples?limit=101`), 400, 'invalid-request');
    await expectProblem(await h.request(`/experiments/${run.id}/samples?cursor=zzz`), 400, 'invalid-request');
    await expectProblem(await h.request(`/experiments/${run.id}/samples`, { as: 'two' }), 404, 'not-found');
  });
});

describe('GET /experiments/{id}/generator', () => {
  it('answers 404 with the reason while the run has no generator', async () => {
    const run = await submitted();
    const body = await expectProblem(await h.request(`/experiments/${run.id}/generator`), 404, 'not-found');
    expect(body.detail).toContain('it is SUBMITTED');
    // model.json alone (weights missing) is not a usable generator either.
    await h.artifacts.put(run.id, runFiles.generatorModel, '{}', 'application/json');
    await expectProblem(await h.request(`/experiments/${run.id}/generator`), 404, 'not-found');

    const failed = await submitted();
    await h.runStore.update(failed.id, { status: 'FAILED', reason: 'NaN loss' });
    const why = await expectProblem(await h.request(`/experiments/${failed.id}/generator`), 404, 'not-found');
    expect(why.detail).toContain('ended as FAILED');
  });

  /** model.json as tfjs writes it for the Vanilla GAN's generator of SPEC (z of 64 values), weights aside. */
  const modelJson = JSON.stringify({
    modelTopology: {
      class_name: 'Model',
      config: {
        name: 'generator',
        layers: [
          { class_name: 'InputLayer', name: 'z', config: { batch_input_shape: [null, 64], name: 'z' } },
          {
            class_name: 'Dense',
            name: 'dense_Dense1',
            config: { units: 2 },
            inbound_nodes: [[['z', 0, 0, {}]]],
          },
        ],
        input_layers: [['z', 0, 0]],
        output_layers: [['dense_Dense1', 0, 0]],
      },
    },
    format: 'layers-model',
    weightsManifest: [{ paths: ['./weights.bin'], weights: [] }],
  });

  async function exported(descriptor?: unknown): Promise<RunRecord> {
    const run = await submitted();
    await h.artifacts.put(
      run.id,
      runFiles.generatorWeights,
      new Uint8Array([1, 2, 3, 4]),
      'application/octet-stream',
    );
    // The trainer's order: the descriptor first, model.json last.
    if (descriptor !== undefined)
      await h.artifacts.put(
        run.id,
        runFiles.generatorDescriptor,
        JSON.stringify(descriptor),
        'application/json',
      );
    await h.artifacts.put(run.id, runFiles.generatorModel, modelJson, 'application/json');
    return run;
  }

  it('answers presigned URLs of model.json and its weights, and the descriptor.json written beside them', async () => {
    // A conditional generator's descriptor, unlike what SPEC's family would give: read, not derived.
    const descriptor = describeGenerator({
      family: 'vanilla',
      dataset: datasetInfo('ring8'),
      latentName: 'noise',
      latentDim: 16,
      noise: 'uniform',
      label: { name: 'mode', classes: 8 },
    });
    const run = await exported(descriptor);
    const res = await h.request(`/experiments/${run.id}/generator`);
    expect(res.status).toBe(200);
    const body = await json<ExportedGenerator>(res);
    expect(Object.keys(body.weightUrls)).toEqual(['weights.bin']);
    expect(await (await fetch(body.modelUrl)).text()).toBe(modelJson);
    expect(new Uint8Array(await (await fetch(body.weightUrls['weights.bin']!)).arrayBuffer())).toEqual(
      new Uint8Array([1, 2, 3, 4]),
    );
    expect(body.descriptorSource).toBe('file');
    expect(body.descriptor).toEqual(descriptor);
    expect(GeneratorSchema.parse(body)).toEqual(body);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.parse(run.createdAt));
    await expectProblem(await h.request(`/experiments/${run.id}/generator`, { as: 'two' }), 404, 'not-found');
  });

  it("answers a style-based generator's mapping and synthesis networks beside the whole", async () => {
    const descriptor = describeGenerator({
      family: 'stylegan',
      dataset: datasetInfo('mnist32'),
      latentName: 'z',
      latentDim: 8,
      noise: 'normal',
      styles: {
        mapping: 'mapping/model.json',
        synthesis: 'synthesis/model.json',
        wDim: 2,
        layerSides: [4, 4],
        wAverage: [0.5, -0.5],
      },
    });
    expect(descriptor.abilities).toMatchObject({ truncation: true, mixing: true });
    const run = await submitted();
    for (const [i, part] of (['mapping', 'synthesis'] as const).entries()) {
      const dir = runFiles.generatorPart(part);
      await h.artifacts.put(run.id, `${dir}weights.bin`, new Uint8Array([i]), 'application/octet-stream');
      await h.artifacts.put(run.id, `${dir}model.json`, `{"part":"${part}"}`, 'application/json');
    }
    await h.artifacts.put(run.id, runFiles.generatorWeights, new Uint8Array([9]), 'application/octet-stream');
    await h.artifacts.put(
      run.id,
      runFiles.generatorDescriptor,
      JSON.stringify(descriptor),
      'application/json',
    );
    await h.artifacts.put(run.id, runFiles.generatorModel, modelJson, 'application/json');
    const body = await json<ExportedGenerator>(await h.request(`/experiments/${run.id}/generator`));
    expect(GeneratorSchema.parse(body)).toEqual(body);
    expect(body.descriptor.styles?.wAverage).toEqual([0.5, -0.5]);
    for (const [i, part] of (['mapping', 'synthesis'] as const).entries()) {
      const p = body.parts![part];
      expect(await (await fetch(p.modelUrl)).text()).toBe(`{"part":"${part}"}`);
      expect(new Uint8Array(await (await fetch(p.weightUrls['weights.bin']!)).arrayBuffer())).toEqual(
        new Uint8Array([i]),
      );
    }
    // A descriptor pointing a part outside generator/ is refused when read.
    expect(() =>
      describeGenerator({
        family: 'stylegan',
        dataset: datasetInfo('mnist32'),
        latentName: 'z',
        latentDim: 8,
        noise: 'normal',
        styles: { ...descriptor.styles!, mapping: '../../spec.json' },
      }),
    ).toThrow(/model\.json in a folder of generator/);
  });

  it("derives the descriptor from the run's spec and model.json for a generator exported before descriptors", async () => {
    const run = await exported();
    const res = await h.request(`/experiments/${run.id}/generator`);
    expect(res.status).toBe(200);
    const body = await json<ExportedGenerator>(res);
    expect(body.descriptorSource).toBe('spec');
    expect(body.descriptor).toEqual({
      version: 1,
      family: 'vanilla',
      inputs: [{ kind: 'latent', name: 'z', shape: [64], distribution: 'normal' }],
      outputs: [{ name: 'sample', kind: 'points', shape: [2], range: null }],
      abilities: { truncation: false, mixing: false, extraOutputs: [] },
    });
    expect(GeneratorSchema.parse(body)).toEqual(body);
  });

  it('answers 500, logging the object and the field, for a descriptor.json that does not parse', async () => {
    const bad = await exported({ version: 1, family: 'vanilla', inputs: [] });
    h.logged.length = 0;
    const res = await h.request(`/experiments/${bad.id}/generator`);
    await expectProblem(res, 500, 'internal');
    expect(h.logged).toHaveLength(1);
    expect((h.logged[0]!.error as Error).message).toMatch(
      new RegExp(`runs/${bad.id}/generator/descriptor\\.json is not a valid generator descriptor: inputs: `),
    );
  });
});

describe('GET /experiments/{id}/evaluation', () => {
  /** An eval.json as the trainer writes it for an unconditional MNIST generator. */
  const imageEval = (pictures: { interpolation: string; arithmetic: string }): ImageEval => ({
    version: 1,
    createdAt: '2026-11-28T05:00:00.000Z',
    run: {
      dir: 's3://bucket/runs/x/',
      family: 'dcgan',
      dataset: 'mnist',
      steps: 100,
      specSeed: 1,
      latentDim: 64,
    },
    seed: 1,
    samples: 10_000,
    backend: { tfjsBackend: 'wasm' },
    seconds: 12.2,
    kind: 'images',
    latentGrids: { ...pictures, arithmeticClassCounts: [1, 2] },
    cfid: {
      value: 69.7,
      generatedSamples: 10_000,
      realSamples: 10_000,
      featureDim: 128,
      realSet: 'mnist test',
    },
    classes: {
      first1000: { samples: 1000, counts: Array(10).fill(100), covered: 10 },
      all: { samples: 10_000, counts: Array(10).fill(1000), covered: 10 },
    },
    classifier: { weights: 'w', testAccuracy: 0.99, testImages: 10_000, featureLayer: 'f', featureDim: 128 },
    definitions: { cfid: 'c', classesCovered: 'k', classMinShare: 0.01 },
  });
  const evaluation = (id: string, as: 'one' | 'two' = 'one') =>
    h.request(`/experiments/${id}/evaluation`, { as });

  it('answers 404 with the reason while there is none', async () => {
    const running = await submitted({ family: 'dcgan', dataset: 'mnist', steps: 100 });
    expect((await expectProblem(await evaluation(running.id), 404, 'not-found')).detail).toContain(
      'it is SUBMITTED, and the evaluation is written when training ends',
    );
    const off = await submitted({ ...SPEC, evaluate: false });
    expect((await expectProblem(await evaluation(off.id), 404, 'not-found')).detail).toContain(
      "'evaluate': false",
    );
    const failed = await submitted();
    await h.runStore.update(failed.id, { status: 'FAILED', reason: 'NaN loss' });
    expect((await expectProblem(await evaluation(failed.id), 404, 'not-found')).detail).toContain(
      'ended as FAILED',
    );
  });

  it("answers eval.json with presigned URLs of the evaluation's pictures, to its owner only", async () => {
    const run = await submitted({ family: 'dcgan', dataset: 'mnist', steps: 100 });
    const written = imageEval({
      interpolation: runFiles.evalInterpolation,
      arithmetic: runFiles.evalArithmetic,
    });
    await h.artifacts.put(run.id, runFiles.evalInterpolation, new Uint8Array([7, 7]), 'image/png');
    await h.artifacts.put(run.id, runFiles.evalArithmetic, new Uint8Array([8]), 'image/png');
    await h.artifacts.put(run.id, runFiles.eval, JSON.stringify(written), 'application/json');
    const res = await evaluation(run.id);
    expect(res.status).toBe(200);
    const body = await json<{
      evaluation: ImageEval;
      pictures: { key: string; title: string; url: string }[];
      expiresAt: string;
    }>(res);
    expect(body.evaluation).toEqual(written);
    expect(body.pictures.map((p) => p.key)).toEqual([runFiles.evalInterpolation, runFiles.evalArithmetic]);
    expect(new Uint8Array(await (await fetch(body.pictures[0]!.url)).arrayBuffer())).toEqual(
      new Uint8Array([7, 7]),
    );
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.parse(run.createdAt));
    await expectProblem(await evaluation(run.id, 'two'), 404, 'not-found');
  });

  it('presigns only keys inside the evaluation folder, and only objects that exist', async () => {
    const run = await submitted({ family: 'dcgan', dataset: 'mnist', steps: 100 });
    await h.artifacts.put(run.id, runFiles.generatorWeights, new Uint8Array([1]), 'application/octet-stream');
    const written = imageEval({
      interpolation: runFiles.generatorWeights,
      arithmetic: runFiles.evalArithmetic,
    });
    await h.artifacts.put(run.id, runFiles.eval, JSON.stringify(written), 'application/json');
    const body = await json<{ pictures: unknown[] }>(await evaluation(run.id));
    // The generator's weights are not an evaluation picture, and the arithmetic picture was never written.
    expect(body.pictures).toEqual([]);
  });
});

describe('downsample and parseMetrics', () => {
  const steps = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('keeps first and last, and everything when there is nothing to drop', () => {
    expect(downsample(steps(10), { every: 3 })).toEqual([0, 3, 6, 9]);
    expect(downsample(steps(11), { every: 3 })).toEqual([0, 3, 6, 9, 10]);
    expect(downsample(steps(10), { points: 2 })).toEqual([0, 9]);
    expect(downsample(steps(10), { points: 4 })).toEqual([0, 3, 6, 9]);
    expect(downsample(steps(3), { points: 10 })).toEqual([0, 1, 2]);
    expect(downsample(steps(5), {})).toEqual(steps(5));
    expect(downsample([], { every: 5 })).toEqual([]);
  });

  it('sorts by step and ignores lines without one', () => {
    const text = '{"step":20,"values":{}}\n\n{"values":{}}\nnull\n{"step":10,"values":{}}\n';
    expect(parseMetrics(new TextEncoder().encode(text)).map((l) => l.step)).toEqual([10, 20]);
  });
});
