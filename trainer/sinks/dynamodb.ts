/**
 * Run status in the DynamoDB runs table (key `id`). A report reads the record, applies shared/run.ts
 * `transition`, and writes only if status, attempt and updatedAt are still what it read; when another
 * writer (the API cancelling, a Batch event, a second reporter) got in between, it reads again.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { isTerminal } from '../../shared/run.ts';
import { MARSHALL, runFromItem, runItem } from '../../shared/run-item.ts';
import { type RetryTuning, retryTuningFromEnv, warnRetry, withRetry } from './retry.ts';
import { RunSlots, slotOf } from './run-slots.ts';
import { applyReport, newRunState, type RunSeed, type RunState } from './status-file.ts';
import type { StatusSink, TrainerStatus } from './types.ts';

/**
 * A DynamoDB client from the default provider chain (the SDK reads AWS_ENDPOINT_URL_DYNAMODB itself),
 * with the SDK's retries off because withRetry owns retrying.
 */
export function dynamoClientFromEnv(config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    ...config,
  });
}

export interface DynamoStatusSinkOptions {
  client?: DynamoDBClient;
  table: string;
  /** Owner and spec for a record the trainer has to create (a run started by hand). */
  seed?: RunSeed;
  retry?: Partial<RetryTuning>;
  /** Re-reads after a conditional write lost to another writer, before giving up. */
  conflictAttempts?: number;
}

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

/**
 * The one conditional write of a run's status, shared by the trainer's sink and the API's run store: sets
 * status, attempt, updatedAt and the named fields (removing those the transition dropped), only if the item
 * is still the version that was read (same status, attempt and updatedAt), so a late or concurrent writer
 * never moves a run backwards.
 */
export function statusWriteInput(
  table: string,
  read: Pick<RunState, 'id' | 'status' | 'attempt' | 'updatedAt'> &
    Partial<Pick<RunState, 'jobId' | 'progress' | 'reason' | 'history'>>,
  next: RunState,
  fields: readonly ('jobId' | 'progress' | 'reason' | 'history')[],
): UpdateItemCommandInput {
  const names: Record<string, string> = {
    '#status': 'status',
    '#attempt': 'attempt',
    '#updatedAt': 'updatedAt',
  };
  const values: Record<string, unknown> = {
    ':status': next.status,
    ':attempt': next.attempt,
    ':updatedAt': next.updatedAt,
    ':readStatus': read.status,
    ':readAttempt': read.attempt,
  };
  const sets = ['#status = :status', '#attempt = :attempt', '#updatedAt = :updatedAt'];
  const removes: string[] = [];
  for (const field of fields) {
    if (next[field] !== undefined) {
      names[`#${field}`] = field;
      values[`:${field}`] = next[field];
      sets.push(`#${field} = :${field}`);
    } else if (read[field] !== undefined) {
      // Dropped by the transition (a resume drops the ended attempt's job and reason).
      names[`#${field}`] = field;
      removes.push(`#${field}`);
    }
  }
  let condition = '#status = :readStatus AND #attempt = :readAttempt';
  // Items written before updatedAt existed have none; the condition must still pin the version read.
  if (read.updatedAt !== undefined) {
    values[':readUpdatedAt'] = read.updatedAt;
    condition += ' AND #updatedAt = :readUpdatedAt';
  } else {
    condition += ' AND attribute_not_exists(#updatedAt)';
  }
  return {
    TableName: table,
    Key: { id: { S: read.id } },
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: marshall(values, MARSHALL) as Record<string, AttributeValue>,
  };
}

export class DynamoStatusSink implements StatusSink {
  readonly table: string;
  private readonly client: DynamoDBClient;
  private readonly seed: RunSeed;
  private readonly retry: RetryTuning;
  private readonly conflictAttempts: number;

  constructor(options: DynamoStatusSinkOptions) {
    if (!options.table) throw new Error('DynamoStatusSink needs a table name');
    this.table = options.table;
    this.client = options.client ?? dynamoClientFromEnv();
    this.seed = options.seed ?? {};
    this.retry = { ...retryTuningFromEnv(), onRetry: warnRetry, ...options.retry };
    this.conflictAttempts = options.conflictAttempts ?? 10;
  }

  private send<T>(operation: string, runId: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, {
      ...this.retry,
      what: `${operation} ${this.table} id=${runId}`,
      service: 'DynamoDB',
    });
  }

  /** The stored record, read strongly consistent so a conditional write is based on the latest state. */
  async read(runId: string): Promise<RunState | undefined> {
    const out = await this.send('GetItem', runId, () =>
      this.client.send(
        new GetItemCommand({ TableName: this.table, Key: { id: { S: runId } }, ConsistentRead: true }),
      ),
    );
    return out.Item ? runFromItem<RunState>(out.Item) : undefined;
  }

  async report(status: TrainerStatus): Promise<void> {
    for (let attempt = 1; attempt <= this.conflictAttempts; attempt++) {
      if (attempt > 1) await sleep(Math.random() * 20 * attempt);
      const current = await this.read(status.runId);
      try {
        if (current === undefined) {
          await this.create(status);
        } else {
          await this.update(current, status);
        }
        return;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        // Someone else wrote in between: read again and re-apply on top of their write.
      }
    }
    throw new Error(
      `run ${status.runId}: ${status.status} not written: ${this.conflictAttempts} conditional writes to ${this.table} lost to other writers`,
    );
  }

  private async create(status: TrainerStatus): Promise<void> {
    const { next } = applyReport(newRunState(status.runId, status.attempt, this.seed), status);
    await this.send('PutItem', status.runId, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: runItem(next),
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      ),
    );
  }

  private async update(current: RunState, status: TrainerStatus): Promise<void> {
    const { changed, next } = applyReport(current, status);
    if (!changed) return;
    // Only the fields a trainer reports; anything else on the record (owner, spec, job id) is left alone.
    const input = statusWriteInput(this.table, current, next, ['progress', 'reason', 'history']);
    await this.send('UpdateItem', status.runId, () => this.client.send(new UpdateItemCommand(input)));
    if (isTerminal(next.status) && !isTerminal(current.status)) await this.freeSlot(next);
  }

  /**
   * The run ended with this write, which only one writer wins: it frees the run's slot among its owner's
   * runs in flight (run-slots.ts). A failure to free is not the run's: the next submit at the limit frees it.
   */
  private async freeSlot(run: RunState): Promise<void> {
    if (run.owner === undefined) return; // started by hand: it never took a slot
    await new RunSlots(this.client, this.table, this.retry)
      .free(run.owner, slotOf(run))
      .catch((err: Error) => process.stderr.write(`run ${run.id}: its slot was not freed: ${err.message}\n`));
  }
}
