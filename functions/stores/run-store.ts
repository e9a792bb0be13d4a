/**
 * Runs in the DynamoDB runs table (shared/tables.ts), item for item the format the trainer's status sink
 * writes (trainer/sinks/dynamodb.ts): shared/storage/run-item.ts, keyed by `id`.
 *
 * Every write is a single conditional item write, never a transaction (dynalite, the local emulator, has
 * none): a create only if the id is free, an update only if status, attempt and updatedAt are still what
 * was read. Idempotency keys are items of their own in the same table, claimed with a conditional put
 * before the run is written. With a limit of runs in flight, a run takes its owner's slot before it is
 * written (shared/storage/run-slots.ts), and the write that ends it frees the slot.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  BatchGetItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { type JobUsage, type RunCost, withJobUsage } from '../../shared/cost.ts';
import { assertRunId } from '../../shared/keys.ts';
import type { Labels } from '../../shared/labels.ts';
import {
  finiteProgress,
  isTerminal,
  nextTimestamp,
  RUN_LIST_FIELDS,
  type RunRecord,
  type StatusUpdate,
  type TransitionResult,
  transition,
} from '../../shared/run.ts';
import { type RetryTuning, warnRetry, withRetry } from '../../shared/storage/retry.ts';
import {
  FAMILY_ATTRIBUTE,
  LABELS_KEY_ATTRIBUTE,
  labelsKey,
  MARSHALL,
  NAME_SEARCH_ATTRIBUTE,
  nameSearch,
  runFromItem,
  runItem,
} from '../../shared/storage/run-item.ts';
import {
  isStaleSlot,
  parseSlot,
  RunSlots,
  slotOf,
  TooManyRunsInFlight,
} from '../../shared/storage/run-slots.ts';
import {
  dynamoClientFromEnv,
  isConditionFailure,
  retryOnConflict,
  statusWriteInput,
} from '../../shared/storage/runs-table.ts';
import { IDEMPOTENCY_PREFIX, RUNS_TABLE } from '../../shared/tables.ts';
import type { ListQuery, RunPage, RunStore } from '../ports.ts';

/** A pagination cursor that this store did not hand out (or that was altered); the API answers 400. */
export class BadCursor extends Error {
  override readonly name = 'BadCursor';
  constructor(reason: string) {
    super(`invalid cursor: ${reason}`);
  }
}

/** An idempotency key the table cannot hold; the API answers 400. */
export class BadIdempotencyKey extends Error {
  override readonly name = 'BadIdempotencyKey';
}

/** A create for a run id that is already taken by a different run. Ids are random, so this is a bug. */
export class RunExists extends Error {
  override readonly name = 'RunExists';
  constructor(readonly runId: string) {
    super(`run ${runId} already exists`);
  }
}

/**
 * Short on purpose: a store call sits inside an HTTP request, which cannot wait out the trainer's
 * 30-60 s budget (API Gateway gives up after 29 s).
 */
export const API_RETRY: RetryTuning = { attempts: 3, baseMs: 100, maxMs: 1_000, onRetry: warnRetry };

const MAX_IDEMPOTENCY_KEY = 255;

export interface DynamoRunStoreOptions {
  client?: DynamoDBClient;
  table: string;
  retry?: Partial<RetryTuning>;
  /** Re-reads after a conditional update lost to another writer, before giving up. */
  conflictAttempts?: number;
  /** Index items read per Query when a filter is set (the filter runs after the read). */
  filteredPageSize?: number;
  /**
   * How long a request that finds an idempotency key taken waits for the claimant's run to appear before
   * deciding the claimant died between its two writes and making the run itself.
   */
  claimGraceMs?: number;
  /**
   * Runs of one owner in flight at once (shared/limits.ts); a create or resume past it throws
   * TooManyRunsInFlight. Without it nothing is counted on create or resume, but an ended run still frees a
   * slot it holds.
   */
  maxRunsInFlight?: number;
}

/** The idempotency item's id. '%' and '#' in the owner are escaped so that no two (owner, key) pairs meet. */
export function idempotencyItemId(owner: string, key: string): string {
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY) {
    throw new BadIdempotencyKey(`idempotency key must be 1-${MAX_IDEMPOTENCY_KEY} characters`);
  }
  const safeOwner = owner.replaceAll('%', '%25').replaceAll('#', '%23');
  return `${IDEMPOTENCY_PREFIX}${safeOwner}#${key}`;
}

/** The position after a run in the owner index, as the client carries it. The owner comes from the query. */
function encodeCursor(run: RunRecord): string {
  return Buffer.from(JSON.stringify([run.createdAt, run.id])).toString('base64url');
}

function decodeCursor(cursor: string, owner: string): Record<string, AttributeValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadCursor('not a cursor from this listing');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    parsed[0] === '' ||
    typeof parsed[1] !== 'string'
  ) {
    throw new BadCursor('not a cursor from this listing');
  }
  const [createdAt, id] = parsed as [string, string];
  try {
    assertRunId(id);
  } catch {
    throw new BadCursor('not a cursor from this listing');
  }
  const { partitionKey, ownerIndex } = RUNS_TABLE;
  return {
    [partitionKey]: { S: id },
    [ownerIndex.partitionKey]: { S: owner },
    [ownerIndex.sortKey]: { S: createdAt },
  };
}

/** Keys in one BatchGetItem request (DynamoDB's limit), and the passes over what it leaves unprocessed. */
const BATCH_GET_LIMIT = 100;
const BATCH_GET_PASSES = 5;

export class DynamoRunStore implements RunStore {
  readonly table: string;
  private readonly client: DynamoDBClient;
  private readonly retry: RetryTuning;
  private readonly conflictAttempts: number;
  private readonly filteredPageSize: number;
  private readonly claimGraceMs: number;
  private readonly maxRunsInFlight: number | undefined;
  private readonly slots: RunSlots;

  constructor(options: DynamoRunStoreOptions) {
    if (!options.table) throw new Error('DynamoRunStore needs a table name');
    this.table = options.table;
    this.client = options.client ?? dynamoClientFromEnv();
    this.retry = { ...API_RETRY, ...options.retry };
    this.conflictAttempts = options.conflictAttempts ?? 10;
    this.filteredPageSize = options.filteredPageSize ?? 200;
    this.claimGraceMs = options.claimGraceMs ?? 1_000;
    this.maxRunsInFlight = options.maxRunsInFlight;
    this.slots = new RunSlots(this.client, this.table, this.retry);
  }

  private send<T>(operation: string, id: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, { ...this.retry, what: `${operation} ${this.table} id=${id}`, service: 'DynamoDB' });
  }

  private async getItem(id: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.send('GetItem', id, () =>
      this.client.send(
        new GetItemCommand({ TableName: this.table, Key: { id: { S: id } }, ConsistentRead: true }),
      ),
    );
    return out.Item ? runFromItem(out.Item) : undefined;
  }

  async get(id: string): Promise<RunRecord | undefined> {
    try {
      // Also keeps idempotency items ('#' is not allowed in a run id) and over-long keys out.
      assertRunId(id);
    } catch {
      return undefined;
    }
    return (await this.getItem(id)) as RunRecord | undefined;
  }

  /**
   * BatchGetItem, 100 keys a request (DynamoDB's limit), strongly consistent; the keys DynamoDB leaves
   * unprocessed under throttling are asked for again after a pause, a bounded number of times.
   */
  async getMany(ids: readonly string[]): Promise<(RunRecord | undefined)[]> {
    const valid = [
      ...new Set(
        ids.filter((id) => {
          try {
            assertRunId(id);
            return true;
          } catch {
            return false;
          }
        }),
      ),
    ];
    const found = new Map<string, RunRecord>();
    for (let start = 0; start < valid.length; start += BATCH_GET_LIMIT) {
      let keys: Record<string, AttributeValue>[] = valid
        .slice(start, start + BATCH_GET_LIMIT)
        .map((id) => ({ id: { S: id } }));
      for (let pass = 1; keys.length > 0; pass++) {
        if (pass > BATCH_GET_PASSES)
          throw new Error(
            `BatchGetItem ${this.table}: ${keys.length} keys still unprocessed after ${BATCH_GET_PASSES} passes`,
          );
        if (pass > 1) await sleep(50 * 2 ** pass);
        const request = keys;
        const out = await this.send('BatchGetItem', `${request.length} ids`, () =>
          this.client.send(
            new BatchGetItemCommand({
              RequestItems: { [this.table]: { Keys: request, ConsistentRead: true } },
            }),
          ),
        );
        for (const item of out.Responses?.[this.table] ?? []) {
          const run = runFromItem(item) as RunRecord;
          found.set(run.id, run);
        }
        keys = (out.UnprocessedKeys?.[this.table]?.Keys ?? []) as Record<string, AttributeValue>[];
      }
    }
    return ids.map((id) => found.get(id));
  }

  async create(run: RunRecord, idempotencyKey?: string): Promise<{ run: RunRecord; created: boolean }> {
    assertRunId(run.id);
    if (idempotencyKey === undefined) return this.withSlot(run, () => this.putRun(run, 'new'));
    const claimId = idempotencyItemId(run.owner, idempotencyKey);
    // A claim can vanish between our failed put and our read only when its request released it (its run
    // id was taken); then the key is free again and we claim anew, a bounded number of times.
    for (let pass = 1; ; pass++) {
      try {
        await this.send('PutItem', claimId, () =>
          this.client.send(
            new PutItemCommand({
              TableName: this.table,
              // No owner attribute: the claim must stay out of the owner index.
              Item: marshall({ id: claimId, runId: run.id, createdAt: run.createdAt }, MARSHALL),
              ConditionExpression: 'attribute_not_exists(id)',
            }),
          ),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        const claim = await this.getItem(claimId);
        if (claim === undefined && pass < 3) continue;
        if (typeof claim?.runId !== 'string') throw new Error(`idempotency item ${claimId} has no run id`);
        return this.followClaim(claim.runId, typeof claim.createdAt === 'string' ? claim.createdAt : '', run);
      }
      try {
        return await this.withSlot(run, () => this.putRun(run, 'claimed'));
      } catch (err) {
        // The claim would otherwise point retries at a run that is not theirs, or that was never made.
        if (err instanceof RunExists || err instanceof TooManyRunsInFlight) {
          await this.releaseClaim(claimId, run.id);
        }
        throw err;
      }
    }
  }

  /**
   * Another request holds the key: its run. If that run is still missing after a grace period, the other
   * request stopped between its two writes, and this one makes the run under the claimed id.
   */
  private async followClaim(
    runId: string,
    claimedAt: string,
    run: RunRecord,
  ): Promise<{ run: RunRecord; created: boolean }> {
    const deadline = Date.now() + this.claimGraceMs;
    for (let wait = 10; ; wait *= 2) {
      const existing = await this.get(runId);
      if (existing !== undefined) return this.ownedBy(existing, run.owner, false);
      if (Date.now() >= deadline) break;
      await sleep(Math.min(wait, Math.max(1, deadline - Date.now())));
    }
    // A createdAt after the claimant's tells this write apart from its own, should that still land first.
    const now = nextTimestamp(claimedAt > run.createdAt ? claimedAt : run.createdAt);
    const recovered = { ...run, id: runId, createdAt: now, updatedAt: now };
    const result = await this.withSlot(recovered, () => this.putRun(recovered, 'recovered'));
    return this.ownedBy(result.run, run.owner, result.created);
  }

  private ownedBy(run: RunRecord, owner: string, created: boolean): { run: RunRecord; created: boolean } {
    // Cannot happen while claim ids embed the owner; checked so that a bug never hands out another's run.
    if (run.owner !== owner) throw new Error(`idempotency item points at run ${run.id} of another owner`);
    return { run, created };
  }

  private async releaseClaim(claimId: string, runId: string): Promise<void> {
    await this.send('DeleteItem', claimId, () =>
      this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: { id: { S: claimId } },
          ConditionExpression: 'runId = :runId',
          ExpressionAttributeValues: { ':runId': { S: runId } },
        }),
      ),
    );
  }

  /**
   * Puts a run if its id is free. When it is taken, by this very write (a retried put whose first answer
   * was lost: same owner and createdAt), it counts as created. Under an idempotency claim, a run of the same
   * owner is the other request's for the same key, returned as not created; anything else is RunExists.
   */
  private async putRun(
    run: RunRecord,
    mode: 'new' | 'claimed' | 'recovered',
  ): Promise<{ run: RunRecord; created: boolean }> {
    try {
      await this.send('PutItem', run.id, () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: runItem(run),
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        ),
      );
      return { run, created: true };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const existing = await this.get(run.id);
      if (existing === undefined) throw err;
      if (existing.owner === run.owner && existing.createdAt === run.createdAt) {
        return { run: existing, created: true };
      }
      if (mode !== 'new' && existing.owner === run.owner) return { run: existing, created: false };
      throw new RunExists(run.id);
    }
  }

  /**
   * Takes the run's slot, then puts it: a run over its owner's limit is never written. When the put fails
   * and no run of the owner stands under the id, the slot is freed; a put that did land (its answer lost)
   * keeps it. A put that finds the run already there (a retry, or another request for the same key) shares
   * that run's slot, which taking again left as it was.
   */
  private async withSlot(
    run: RunRecord,
    put: () => Promise<{ run: RunRecord; created: boolean }>,
  ): Promise<{ run: RunRecord; created: boolean }> {
    if (this.maxRunsInFlight === undefined) return put();
    await this.takeSlot(run, this.maxRunsInFlight);
    try {
      return await put();
    } catch (err) {
      const stored = await this.get(run.id).catch(() => run);
      if (stored === undefined || stored.owner !== run.owner) await this.freeSlot(run);
      throw err;
    }
  }

  /**
   * Takes the run's slot, or throws TooManyRunsInFlight. At the limit, slots left behind by runs that ended
   * without freeing them (their writer stopped in between) are freed first, and the slot is tried once more.
   */
  private async takeSlot(run: RunRecord, limit: number): Promise<void> {
    const slot = slotOf(run);
    if (await this.slots.take(run.owner, slot, limit)) return;
    const held = await this.slots.held(run.owner);
    let freed = 0;
    for (const other of held) {
      const holder = await this.get(parseSlot(other)?.runId ?? '');
      if (isStaleSlot(other, holder) && (await this.slots.free(run.owner, other))) freed++;
    }
    if (freed > 0 && (await this.slots.take(run.owner, slot, limit))) return;
    throw new TooManyRunsInFlight(limit, held.length - freed);
  }

  /** Frees the run's slot; a failure is logged, not thrown (the write that ended the run has landed). */
  private async freeSlot(run: RunRecord): Promise<void> {
    await this.slots.free(run.owner, slotOf(run)).catch((err: Error) => {
      console.error(`run ${run.id}: its slot was not freed (${err.message})`);
    });
  }

  async listUnfinished(): Promise<RunRecord[]> {
    const runs: RunRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.send('Scan', '*', () =>
        this.client.send(
          new ScanCommand({
            TableName: this.table,
            ConsistentRead: true,
            FilterExpression: '#status IN (:s, :st, :r)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: marshall({ ':s': 'SUBMITTED', ':st': 'STARTING', ':r': 'RUNNING' }),
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) runs.push(runFromItem<RunRecord>(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async list(query: ListQuery): Promise<RunPage> {
    const { limit } = query;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new RangeError(`limit must be an integer from 1 to 100, not ${limit}`);
    }
    const index = RUNS_TABLE.ownerIndex;
    const names: Record<string, string> = { '#owner': index.partitionKey };
    const values: Record<string, unknown> = { ':owner': query.owner };
    const filters: string[] = [];
    if (query.status !== undefined) {
      names['#status'] = 'status';
      values[':status'] = query.status;
      filters.push('#status = :status');
    }
    if (query.family !== undefined) {
      names['#family'] = FAMILY_ATTRIBUTE;
      names['#spec'] = 'spec';
      names['#specFamily'] = 'family';
      values[':family'] = query.family;
      // Items written before the spec was stored as text hold the family inside the spec's map.
      filters.push('(#family = :family OR #spec.#specFamily = :family)');
    }
    if (query.tag !== undefined) {
      names['#labels'] = 'labels';
      names['#tags'] = 'tags';
      values[':tag'] = query.tag;
      filters.push('contains(#labels.#tags, :tag)');
    }
    if (query.q !== undefined) {
      names['#nameLower'] = NAME_SEARCH_ATTRIBUTE;
      values[':q'] = query.q.toLowerCase();
      filters.push('contains(#nameLower, :q)');
    }
    for (const field of RUN_LIST_FIELDS) names[`#f_${field}`] = field;
    const filtered = filters.length > 0;
    let start = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.owner);
    const runs: RunRecord[] = [];
    // One run past the page is read, so that nextCursor is only given when there is a next page.
    while (runs.length <= limit) {
      const ExclusiveStartKey = start;
      const out = await this.send('Query', `owner=${query.owner}`, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: index.name,
            KeyConditionExpression: '#owner = :owner',
            ProjectionExpression: RUN_LIST_FIELDS.map((f) => `#f_${f}`).join(', '),
            ...(filtered ? { FilterExpression: filters.join(' AND ') } : {}),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: marshall(values, MARSHALL) as Record<string, AttributeValue>,
            ScanIndexForward: false,
            ExclusiveStartKey,
            // A filter discards items after they are read, so a filtered Query reads more per call.
            Limit: filtered ? this.filteredPageSize : limit + 1 - runs.length,
          }),
        ),
      );
      for (const item of out.Items ?? []) runs.push(runFromItem<RunRecord>(item));
      start = out.LastEvaluatedKey;
      if (start === undefined) break;
    }
    if (runs.length <= limit) return { runs };
    const page = runs.slice(0, limit);
    return { runs: page, nextCursor: encodeCursor(page[page.length - 1]!) };
  }

  async update(id: string, update: StatusUpdate): Promise<TransitionResult> {
    const what = `run ${id}: ${update.status}`;
    // Another writer in between: read again and apply the update on top of theirs.
    return retryOnConflict({ attempts: this.conflictAttempts, what, table: this.table }, async () => {
      const current = await this.get(id);
      if (current === undefined) return { ok: false, reason: `run ${id} does not exist` } as const;
      const atMs = update.at === undefined ? Number.NaN : Date.parse(update.at);
      const result = transition(current, {
        ...update,
        ...(update.progress !== undefined ? { progress: finiteProgress(update.progress) } : {}),
        // updatedAt is the version the next conditional write checks, so it must move forward.
        at: nextTimestamp(current.updatedAt, Number.isFinite(atMs) ? atMs : Date.now()),
      });
      if (!result.ok || !result.changed) return result;
      // A resumed run is in flight again: it takes a new slot before it is written QUEUED.
      const resumed = update.resume && this.maxRunsInFlight !== undefined;
      if (resumed) await this.takeSlot(result.record, this.maxRunsInFlight!);
      try {
        await this.write(current, result.record);
      } catch (err) {
        // Freed unless the run stands queued under that slot (another request's resume won the same one).
        if (resumed) {
          const now = await this.get(id).catch(() => result.record);
          if (!now || slotOf(now) !== slotOf(result.record)) await this.freeSlot(result.record);
        }
        // A lost conditional write: retryOnConflict reads again and applies the update on top.
        throw err;
      }
      // The run ended with this write, which only one writer wins: this one frees its slot.
      if (isTerminal(result.record.status) && !isTerminal(current.status)) await this.freeSlot(result.record);
      return result;
    });
  }

  async recordUsage(runId: string, jobId: string, usage: JobUsage): Promise<RunCost | undefined> {
    for (let attempt = 1; attempt <= this.conflictAttempts; attempt++) {
      if (attempt > 1) await sleep(Math.random() * 20 * attempt);
      const current = await this.get(runId);
      if (current === undefined) return undefined;
      const cost = withJobUsage(current.cost, jobId, usage, nextTimestamp(current.cost?.updatedAt));
      if (cost === current.cost) return cost;
      // Only the cost attribute, only if it is still the version read: status writers never touch it.
      const read = current.cost?.updatedAt;
      try {
        await this.send('UpdateItem', runId, () =>
          this.client.send(
            new UpdateItemCommand({
              TableName: this.table,
              Key: { id: { S: runId } },
              UpdateExpression: 'SET #cost = :cost',
              ConditionExpression:
                read === undefined ? 'attribute_not_exists(#cost)' : '#cost.#updatedAt = :read',
              ExpressionAttributeNames: {
                '#cost': 'cost',
                ...(read === undefined ? {} : { '#updatedAt': 'updatedAt' }),
              },
              ExpressionAttributeValues: marshall(
                { ':cost': cost, ...(read === undefined ? {} : { ':read': read }) },
                MARSHALL,
              ) as Record<string, AttributeValue>,
            }),
          ),
        );
        return cost;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    }
    throw new Error(
      `run ${runId}: usage of job ${jobId} not written: ${this.conflictAttempts} conditional writes lost`,
    );
  }

  async setLabels(id: string, labels: Labels | undefined, read: Labels | undefined): Promise<boolean> {
    const attrs = {
      '#labels': ['labels', labels],
      '#nameLower': [NAME_SEARCH_ATTRIBUTE, nameSearch(labels?.name)],
      '#labelsKey': [LABELS_KEY_ATTRIBUTE, labelsKey(labels)],
    } as const;
    const set: string[] = [];
    const remove: string[] = [];
    const values: Record<string, unknown> = {};
    for (const [name, [, value]] of Object.entries(attrs)) {
      if (value === undefined) remove.push(name);
      else {
        set.push(`${name} = :${name.slice(1)}`);
        values[`:${name.slice(1)}`] = value;
      }
    }
    const readKey = labelsKey(read);
    if (readKey !== undefined) values[':read'] = readKey;
    try {
      await this.send('UpdateItem', id, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: { id: { S: id } },
            UpdateExpression: [
              set.length ? `SET ${set.join(', ')}` : '',
              remove.length ? `REMOVE ${remove.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join(' '),
            // Only over the labels the caller read: two edits at once never drop one another's change.
            ConditionExpression: `attribute_exists(id) AND ${readKey === undefined ? 'attribute_not_exists(#labelsKey)' : '#labelsKey = :read'}`,
            ExpressionAttributeNames: Object.fromEntries(
              Object.entries(attrs).map(([n, [attr]]) => [n, attr]),
            ),
            ...(Object.keys(values).length
              ? { ExpressionAttributeValues: marshall(values, MARSHALL) as Record<string, AttributeValue> }
              : {}),
          }),
        ),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async reserveSlots(owner: string, runs: readonly RunRecord[]): Promise<void> {
    const limit = this.maxRunsInFlight;
    if (limit === undefined || runs.length === 0) return;
    const wanted = runs.map(slotOf);
    if (runs.length <= limit && (await this.slots.takeAll(owner, wanted, limit))) return;
    const held = await this.slots.held(owner);
    let freed = 0;
    if (runs.length <= limit) {
      for (const other of held) {
        const holder = await this.get(parseSlot(other)?.runId ?? '');
        if (isStaleSlot(other, holder) && (await this.slots.free(owner, other))) freed++;
      }
      if (freed > 0 && (await this.slots.takeAll(owner, wanted, limit))) return;
    }
    throw new TooManyRunsInFlight(limit, held.length - freed, runs.length);
  }

  async releaseSlots(owner: string, runs: readonly RunRecord[]): Promise<void> {
    if (this.maxRunsInFlight === undefined || runs.length === 0) return;
    await this.slots.freeAll(owner, runs.map(slotOf));
  }

  /** Writes the fields a transition may change, only if the item is still the version `read`. */
  private async write(read: RunRecord, next: RunRecord): Promise<void> {
    const input = statusWriteInput(this.table, read, next, ['jobId', 'progress', 'reason', 'history']);
    await this.send('UpdateItem', read.id, () => this.client.send(new UpdateItemCommand(input)));
  }
}
