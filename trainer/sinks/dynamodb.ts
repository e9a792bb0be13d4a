/**
 * Run status in the DynamoDB runs table (key `id`). A report reads the record, applies shared/run.ts
 * `transition`, and writes only if status, attempt and updatedAt are still what it read; when another
 * writer (the API cancelling, a Batch event, a second reporter) got in between, it reads again.
 */

import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { isTerminal } from '../../shared/run.ts';
import { type RetryTuning, retryTuningFromEnv, warnRetry, withRetry } from '../../shared/storage/retry.ts';
import { runFromItem, runItem } from '../../shared/storage/run-item.ts';
import { RunSlots, slotOf } from '../../shared/storage/run-slots.ts';
import { dynamoClientFromEnv, retryOnConflict, statusWriteInput } from '../../shared/storage/runs-table.ts';
import { applyReport, newRunState, type RunSeed, type RunState } from './status-file.ts';
import type { StatusSink, TrainerStatus } from './types.ts';

export interface DynamoStatusSinkOptions {
  client?: DynamoDBClient;
  table: string;
  /** Owner and spec for a record the trainer has to create (a run started by hand). */
  seed?: RunSeed;
  retry?: Partial<RetryTuning>;
  /** Re-reads after a conditional write lost to another writer, before giving up. */
  conflictAttempts?: number;
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
    const what = `run ${status.runId}: ${status.status}`;
    // Another writer in between (the API cancelling, a Batch event): read again, apply on top of theirs.
    await retryOnConflict({ attempts: this.conflictAttempts, what, table: this.table }, async () => {
      const current = await this.read(status.runId);
      if (current === undefined) await this.create(status);
      else await this.update(current, status);
    });
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
