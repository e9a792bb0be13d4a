/**
 * /experiment-groups: one base spec run over several seeds or a sweep (shared/group.ts expands it), every
 * member an ordinary run that records its group. Nothing is stored until the whole group has passed:
 * every member's spec, the member limit, and the owner's limit of runs in flight, which counts every
 * member at once (a group that would pass it is refused whole, 429). A group belongs to its submitter;
 * another caller's answers 404 like a missing one.
 */
import { isDeepStrictEqual } from 'node:util';
import { type Context, Hono } from 'hono';
import { routes } from '../../shared/api/routes.ts';
import type { Group, GroupMemberStatus, GroupSummary } from '../../shared/api/schemas.ts';
import { type EvalResult, evalMetrics } from '../../shared/evaluation.ts';
import {
  DEFAULT_MAX_GROUP_MEMBERS,
  expandGroup,
  type GroupRecord,
  groupEvaluation,
  groupStatus,
  type MemberResult,
  memberRunId,
} from '../../shared/group.ts';
import { runFiles } from '../../shared/keys.ts';
import { type Labels, matchesLabels, patchLabels, splitLabels } from '../../shared/labels.ts';
import { capIssues, type RunLimits } from '../../shared/limits.ts';
import { isTerminal, type RunRecord } from '../../shared/run.ts';
import type { ApiEnv } from '../auth.ts';
import { ApiProblem, type ErrorLogger, invalidRequest } from '../errors.ts';
import type { ArtifactStore, GroupStore, JobRunner, RunStore } from '../ports.ts';
import { parseLabelsPatch } from './experiments.ts';
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
import { CANCEL_REASON, runActions, whyNoEvaluation } from './run-actions.ts';
import { putRunInputs, type ResolveUpload, runUpload } from './run-inputs.ts';

export interface GroupDeps {
  runStore: RunStore;
  groupStore: GroupStore;
  artifacts: ArtifactStore;
  runner: JobRunner;
  now: () => Date;
  /** Group ids are run ids (functions/ids.ts); a member's is the group's and its index. */
  newRunId: () => string;
  log: ErrorLogger;
  caps?: Pick<RunLimits, 'maxTimeoutMinutes' | 'maxRetries'>;
  /** Most members a group may have; default shared/group.ts DEFAULT_MAX_GROUP_MEMBERS. */
  maxMembers?: number;
  resolveUpload: ResolveUpload;
}

/** Store calls made at once for one group's members: enough to be quick, few enough to be no burst. */
const AT_ONCE = 16;

async function eachLimited<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(AT_ONCE, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** The name a member gets from its group's: the group's name and what sets the member apart. */
function memberLabels(labels: Labels | undefined, varies: Record<string, unknown>): Labels | undefined {
  if (!labels) return undefined;
  const what = Object.entries(varies)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`)
    .join(' ');
  const out: Labels = {
    ...(labels.name ? { name: `${labels.name} · ${what}`.slice(0, 120) } : {}),
    ...(labels.tags ? { tags: labels.tags } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

/** What a repeated request with the same Idempotency-Key must match. */
const requestOf = (g: GroupRecord) => ({ kind: g.kind, spec: g.spec, seeds: g.seeds, sweep: g.sweep });

export function groupRoutes(deps: GroupDeps) {
  const { runStore, groupStore, artifacts, runner, now } = deps;
  const maxMembers = deps.maxMembers ?? DEFAULT_MAX_GROUP_MEMBERS;
  const actions = runActions(deps);

  /** The caller's group, or 404 for a malformed id, a missing group and another owner's alike. */
  const ownedGroup = (c: Context<ApiEnv>) => ownedById(c, (id) => groupStore.get(id), 'experiment group');

  const memberRuns = (group: GroupRecord) =>
    runStore.getMany(group.members.map((m) => m.runId)).then((runs) =>
      runs.map((run, i) => {
        // A member whose record is missing (a submit that stopped part way) shows as never started.
        if (run) return run;
        const m = group.members[i]!;
        return { id: m.runId, status: 'FAILED', attempt: 1, reason: 'its run was never stored' } as RunRecord;
      }),
    );

  function summary(group: GroupRecord, runs: readonly RunRecord[]): GroupSummary {
    const { members: _m, ...rest } = group;
    return { ...rest, size: group.members.length, ...groupStatus(runs.map((r) => r.status)) };
  }

  function view(group: GroupRecord, runs: readonly RunRecord[]): Group {
    const members: GroupMemberStatus[] = group.members.map((m, index) => {
      const run = runs[index]!;
      return {
        index,
        runId: m.runId,
        varies: m.varies,
        status: run.status,
        attempt: run.attempt,
        ...(run.progress ? { progress: run.progress } : {}),
        ...(run.reason ? { reason: run.reason } : {}),
      };
    });
    return { ...summary(group, runs), members };
  }

  /** Waits briefly for a group another request with the same key is still making. */
  async function claimedGroup(id: string): Promise<GroupRecord | undefined> {
    for (let wait = 20; wait < 2_000; wait *= 2) {
      const group = await groupStore.get(id);
      if (group) return group;
      await new Promise((r) => setTimeout(r, wait));
    }
    return undefined;
  }

  /**
   * Stores the group and its member runs (their slots already taken), writes each member's spec and hands
   * them to the runner: as one job when it runs groups (Batch: an array job), else one after another.
   */
  async function launch(group: GroupRecord, drafts: RunRecord[]): Promise<RunRecord[]> {
    if (!(await groupStore.create(group))) throw new Error(`group ${group.id} already exists`);
    const stored = await eachLimited(drafts, async (draft) => {
      const { run } = await runStore.create(draft);
      await putRunInputs(artifacts, run);
      return run;
    });
    if (runner.submitGroup && stored.length > 1) {
      let jobs: { jobId: string; memberJobIds: string[] };
      try {
        jobs = await runner.submitGroup(group, stored);
      } catch (err) {
        const reason = `the group's training job could not be submitted: ${message(err)}`;
        await eachLimited(stored, (run) => actions.fail(run, reason));
        throw new ApiProblem('upstream-failed', `group ${group.id} failed: ${reason}`, {
          cause: err,
          members: { groupId: group.id },
        });
      }
      const withJob = { ...group, jobId: jobs.jobId };
      if (!(await groupStore.replace(group, withJob)))
        deps.log(`group ${group.id}: its job ${jobs.jobId} was not recorded`, undefined);
      return eachLimited(stored, (run, i) => actions.recordJob(run, jobs.memberJobIds[i]!));
    }
    // In member order, so a runner that takes jobs in turn trains them in turn.
    const started: RunRecord[] = [];
    for (const run of stored) started.push(await actions.startJob(run));
    return started;
  }

  return new Hono<ApiEnv>()
    .post('/', requireJson, bodySizeLimit, async (c) => {
      const key = idempotencyKey(c);
      const owner = c.get('subject');
      const expansion = expandGroup(await readJson(c, 'the group request'), maxMembers);
      if (!expansion.ok) {
        throw invalidRequest(
          `the group is invalid: ${expansion.issues.map((i) => i.field || '(group)').join(', ')}`,
          expansion.issues,
        );
      }
      const over = deps.caps ? capIssues(expansion.spec, deps.caps) : [];
      if (over.length > 0) {
        const issues = over.map((i) => ({ ...i, field: `spec.${i.field}` }));
        throw invalidRequest(
          `the spec is over this deployment's caps: ${issues.map((i) => i.field).join(', ')}`,
          issues,
        );
      }
      const { spec, labels } = splitLabels(expansion.spec);
      // A sweep varies hyperparameters only: every member trains on the base spec's dataset.
      const upload = await runUpload(deps.resolveUpload, owner, spec);
      let id = deps.newRunId();
      if (key !== undefined) {
        const holder = await groupStore.claim(owner, key, id).catch((err: unknown) => {
          if (isNamed(err, 'BadIdempotencyKey'))
            throw invalidRequest(message(err), [{ field: 'Idempotency-Key', message: message(err) }]);
          throw err;
        });
        if (holder !== id) {
          const existing = await claimedGroup(holder);
          if (existing) {
            const asked = { kind: expansion.kind, spec, seeds: expansion.seeds, sweep: expansion.sweep };
            if (existing.owner !== owner || !isDeepStrictEqual(requestOf(existing), asked)) {
              throw new ApiProblem(
                'idempotency-key-reused',
                `Idempotency-Key '${key}' was already used for group ${existing.id} with a different request`,
                { members: { groupId: existing.id } },
              );
            }
            c.header('location', `/experiment-groups/${existing.id}`);
            return c.json(view(existing, await memberRuns(existing)), 200);
          }
          // The request that claimed the key stopped before storing its group: make it under that id.
          id = holder;
        }
      }
      const at = now().toISOString();
      const group: GroupRecord = {
        id,
        owner,
        kind: expansion.kind,
        spec,
        ...(expansion.seeds ? { seeds: expansion.seeds } : {}),
        ...(expansion.sweep ? { sweep: expansion.sweep } : {}),
        ...(labels ? { labels } : {}),
        members: expansion.members.map((m, i) => ({ runId: memberRunId(id, i), varies: m.varies })),
        createdAt: at,
      };
      const drafts: RunRecord[] = expansion.members.map((m, index) => {
        const { spec: memberSpec } = splitLabels(m.spec);
        const ml = memberLabels(labels, m.varies);
        return {
          id: memberRunId(id, index),
          owner,
          spec: memberSpec,
          ...(ml ? { labels: ml } : {}),
          group: { id, index },
          status: 'QUEUED',
          attempt: 1,
          createdAt: at,
          updatedAt: at,
          history: [{ status: 'QUEUED', attempt: 1, at }],
          ...(upload ? { upload } : {}),
        };
      });
      try {
        await runStore.reserveSlots(owner, drafts);
      } catch (err) {
        if (key !== undefined) await groupStore.release(owner, key, id);
        throw overLimit(err, expansion.kind);
      }
      let runs: RunRecord[];
      try {
        runs = await launch(group, drafts);
      } catch (err) {
        // Members not stored give their slots back; those stored end FAILED, which frees theirs.
        const stored = await eachLimited(drafts, (d) => runStore.get(d.id).catch(() => undefined));
        await runStore.releaseSlots(
          owner,
          drafts.filter((_, i) => !stored[i]),
        );
        if (!(err instanceof ApiProblem)) {
          const reason = `the group could not be stored whole: ${message(err)}`;
          await eachLimited(
            stored.filter((r): r is RunRecord => !!r && !isTerminal(r.status)),
            (r) => actions.fail(r, reason),
          );
        }
        throw err;
      }
      c.header('location', `/experiment-groups/${id}`);
      return c.json(view((await groupStore.get(id)) ?? group, runs), 201);
    })

    .get('/', async (c) => {
      const q = parseQuery(routes.listGroups.query, c);
      const page = await withCursor(() => groupStore.list(c.get('subject'), q.limit, q.cursor));
      const groups = page.groups.filter((g) => matchesLabels(g.labels, q));
      const summaries = await eachLimited(groups, async (g) => summary(g, await memberRuns(g)));
      return c.json({ groups: summaries, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
    })

    .get('/:id', async (c) => {
      const group = await ownedGroup(c);
      return c.json(view(group, await memberRuns(group)));
    })

    .patch('/:id', requireJson, bodySizeLimit, async (c) => {
      const patch = parseLabelsPatch(await readJson(c, 'the labels'));
      for (let pass = 1; ; pass++) {
        const group = await ownedGroup(c);
        const labels = patchLabels(group.labels, patch);
        const { labels: _old, ...rest } = group;
        const next: GroupRecord = { ...rest, ...(labels ? { labels } : {}), updatedAt: now().toISOString() };
        if (await groupStore.replace(group, next)) return c.json(view(next, await memberRuns(next)));
        if (pass >= 5) throw new Error(`group ${group.id}: its labels kept changing under 5 edits`);
      }
    })

    .post('/:id/cancel', async (c) => {
      const group = await ownedGroup(c);
      const runs = await memberRuns(group);
      const open = runs.filter((r) => !isTerminal(r.status));
      if (open.length === 0) {
        throw new ApiProblem(
          'group-finished',
          `every member of group ${group.id} has already ended (${JSON.stringify(groupStatus(runs.map((r) => r.status)).counts)}); there is nothing to cancel`,
        );
      }
      // The group's job stopped whole stops every member still in it; a member resumed since has a job of its own.
      let groupJobStopped = false;
      if (group.jobId && runner.cancelGroup) {
        try {
          await runner.cancelGroup(group, CANCEL_REASON);
          groupJobStopped = true;
        } catch (err) {
          throw new ApiProblem(
            'upstream-failed',
            `the job of group ${group.id} could not be stopped, so its members are unchanged; try again`,
            { cause: err },
          );
        }
      }
      const inGroupJob = (r: RunRecord) => groupJobStopped && r.jobId?.startsWith(`${group.jobId}:`);
      const failures: string[] = [];
      await eachLimited(open, async (r) => {
        try {
          await actions.cancel(r, inGroupJob(r));
        } catch (err) {
          // A member that ended meanwhile is not a failure of the cancel.
          if (!(err instanceof ApiProblem && err.status === 409)) failures.push(`${r.id}: ${message(err)}`);
        }
      });
      if (failures.length > 0) {
        throw new ApiProblem(
          'upstream-failed',
          `${failures.length} of group ${group.id}'s members could not be cancelled; try again (${failures.slice(0, 3).join('; ')})`,
        );
      }
      return c.json(view(group, await memberRuns(group)));
    })

    .get('/:id/evaluation', async (c) => {
      const group = await ownedGroup(c);
      const runs = await memberRuns(group);
      const read = await eachLimited(runs, async (run) => {
        const bytes = run.spec ? await artifacts.get(run.id, runFiles.eval) : undefined;
        return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as EvalResult) : undefined;
      });
      const results: MemberResult[] = [];
      const pending: { runId: string; why: string }[] = [];
      read.forEach((evaluation, i) => {
        const run = runs[i]!;
        const { runId, varies } = group.members[i]!;
        if (evaluation) results.push({ runId, varies, metrics: evalMetrics(evaluation) });
        else pending.push({ runId, why: run.spec ? whyNoEvaluation(run) : (run.reason ?? 'no record') });
      });
      const swept = group.sweep ? Object.keys(group.sweep.parameters) : [];
      return c.json({
        groupId: group.id,
        swept,
        ...groupEvaluation(results, swept),
        evaluated: results.map((r) => ({
          runId: r.runId,
          varies: r.varies,
          metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, v.value])),
        })),
        pending,
      });
    });
}
