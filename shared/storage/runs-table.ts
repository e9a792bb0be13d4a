/**
 * The runs table (shared/tables.ts) as the API's run store and the trainer's status sink both write it: one
 * client factory, one conditional status write, one read / decide / conditional-write loop. Items are
 * shared/storage/run-item.ts's format.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  DynamoDBClient,
  type DynamoDBClientConfig,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { RunRecord } from '../run.ts';
import { MARSHALL } from './run-item.ts';

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

/** A conditional write that found the item changed since it was read. */
export function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

/** The fields a status write may set or drop besides status, attempt and updatedAt. */
export type StatusField = 'jobId' | 'progress' | 'reason' | 'history';

/** What a status write needs of the version it read and of the next one. */
export type RunVersion = Pick<RunRecord, 'id' | 'status' | 'attempt'> &
  Partial<Pick<RunRecord, 'updatedAt' | StatusField>>;

/**
 * The one conditional write of a run's status, shared by the trainer's sink and the API's run store: sets
 * status, attempt, updatedAt and the named fields, only if the item is still the version that was read
 * (same status, attempt and updatedAt), so a late or concurrent writer never moves a run backwards.
 */
export function statusWriteInput(
  table: string,
  read: RunVersion,
  next: RunVersion & Pick<RunRecord, 'updatedAt'>,
  fields: readonly StatusField[],
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

export interface ConflictRetry {
  /** Tries in all: each reads again and decides again on top of the other writer's change. */
  attempts: number;
  /** What is being written, for the error when every try lost ("run abc: RUNNING"). */
  what: string;
  table: string;
}

/**
 * The read / decide / conditional-write loop: runs `attempt` (which reads the item, decides, and writes
 * conditionally on what it read) until it returns, trying again after a short random pause whenever its
 * write lost to another writer. Any other error ends the loop.
 */
export async function retryOnConflict<T>(options: ConflictRetry, attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; i <= options.attempts; i++) {
    if (i > 1) await sleep(Math.random() * 20 * i);
    try {
      return await attempt();
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
  throw new Error(
    `${options.what} not written: ${options.attempts} conditional writes to ${options.table} lost to other writers`,
  );
}
