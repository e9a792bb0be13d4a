/**
 * The one Hono app: the same routes on Lambda (functions/lambda.ts), on the local platform and in tests
 * (app.request()). It is written against the ports only; whoever builds it passes the stores, the job
 * runner and the auth it should use.
 */
import { Hono } from 'hono';
import type { RunLimits } from '../shared/limits.ts';
import { methodNotAllowed } from './allow.ts';
import { type ApiEnv, requireAuth } from './auth.ts';
import { type ErrorLogger, errorHandler, notFoundHandler } from './errors.ts';
import { newRunId as defaultRunId } from './ids.ts';
import type { ArtifactStore, Auth, GroupStore, JobRunner, RunStore } from './ports.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { datasetRoutes, resolveUpload, type UploadDeps } from './routes/datasets.ts';
import { experimentRoutes } from './routes/experiments.ts';
import { groupRoutes } from './routes/groups.ts';
import { metaRoutes } from './routes/meta.ts';
import type { ResolveUpload } from './routes/run-inputs.ts';

export interface AppDeps {
  runStore: RunStore;
  /** Experiment groups; in the runs table beside the runs (functions/stores/group-store.ts). */
  groupStore: GroupStore;
  artifacts: ArtifactStore;
  runner: JobRunner;
  auth: Auth;
  /** The clock for createdAt/updatedAt and URL expiry; tests pass a fixed or ticking one. */
  now?: () => Date;
  newRunId?: () => string;
  /** Where unexpected errors and upstream failures are logged; console.error by default. */
  log?: ErrorLogger;
  /**
   * Caps on a spec's timeout and retries and on a group's members (shared/limits.ts); none beyond the
   * schema's (and shared/group.ts DEFAULT_MAX_GROUP_MEMBERS) by default. The limit of runs in flight is the
   * run store's (DynamoRunStore maxRunsInFlight).
   */
  caps?: Pick<RunLimits, 'maxTimeoutMinutes' | 'maxRetries'> & Partial<Pick<RunLimits, 'maxGroupMembers'>>;
  /** Uploaded datasets (their records, bucket and validation job); without it GET /datasets lists only the built-ins. */
  uploads?: UploadDeps;
}

export function createApp(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? ((m, e) => console.error(m, e));
  const checkUpload: ResolveUpload = (owner, ref, family) =>
    resolveUpload(deps.uploads?.table, owner, ref, family);
  const app = new Hono<ApiEnv>();
  app.onError(errorHandler(log));
  app.notFound(notFoundHandler);
  return (
    app
      // A declared path asked with a method it lacks answers 405, token or not.
      .use('*', methodNotAllowed)
      // Public: registered before the auth middleware, they answer before it runs.
      .route('/', metaRoutes(now))
      // Everything after this line needs a token, including routes added later.
      .use('*', requireAuth(deps.auth))
      .route(
        '/experiments',
        experimentRoutes({
          runStore: deps.runStore,
          artifacts: deps.artifacts,
          runner: deps.runner,
          now,
          newRunId: deps.newRunId ?? defaultRunId,
          log,
          resolveUpload: checkUpload,
          ...(deps.caps ? { caps: deps.caps } : {}),
        }),
      )
      .route(
        '/experiment-groups',
        groupRoutes({
          runStore: deps.runStore,
          groupStore: deps.groupStore,
          artifacts: deps.artifacts,
          runner: deps.runner,
          now,
          newRunId: deps.newRunId ?? defaultRunId,
          log,
          resolveUpload: checkUpload,
          ...(deps.caps ? { caps: deps.caps } : {}),
          ...(deps.caps?.maxGroupMembers !== undefined ? { maxMembers: deps.caps.maxGroupMembers } : {}),
        }),
      )
      .route('/', catalogRoutes())
      .route(
        '/datasets',
        datasetRoutes({ runStore: deps.runStore, now, ...(deps.uploads ? { uploads: deps.uploads } : {}) }),
      )
  );
}

export type App = ReturnType<typeof createApp>;
