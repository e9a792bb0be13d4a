/**
 * Experiment groups in the runs table (shared/tables.ts GROUP_PREFIX): one item a group, keyed
 * `group#{id}`, its owner attribute `group#{owner}` so the owner index lists a caller's groups newest first
 * apart from their runs. The group (its request and member run ids) is kept as JSON text: it is written
 * once and read whole; a group of the 1,000-member limit is some 60 KB, under DynamoDB's 400 KB item limit.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { GroupRecord } from '../../shared/group.ts';
import { type RetryTuning, withRetry } from '../../shared/storage/retry.ts';
import { dynamoClientFromEnv, isConditionFailure } from '../../shared/storage/runs-table.ts';
import { GROUP_IDEMPOTENCY_PREFIX, GROUP_PREFIX, RUNS_TABLE } from '../../shared/tables.ts';
import type { GroupStore } from '../ports.ts';
import { API_RETRY, BadCursor, BadIdempotencyKey } from './run-store.ts';

export interface GroupPage {
  groups: GroupRecord[];
  nextCursor?: string;
}

export interface GroupStoreOptions {
  client?: DynamoDBClient;
  table: string;
  retry?: Partial<RetryTuning>;
}

const S = (value: string): AttributeValue => ({ S: value });

/** The claim item of an owner's idempotency key; '%' and '#' in the owner escaped as for runs. */
function claimId(owner: string, key: string): string {
  if (key.length === 0 || key.length > 255)
    throw new BadIdempotencyKey('idempotency key must be 1-255 characters');
  return `${GROUP_IDEMPOTENCY_PREFIX}${owner.replaceAll('%', '%25').replaceAll('#', '%23')}#${key}`;
}

export class DynamoGroupStore implements GroupStore {
  readonly table: string;
  private readonly client: DynamoDBClient;
  private readonly retry: RetryTuning;

  constructor(options: GroupStoreOptions) {
    if (!options.table) throw new Error('DynamoGroupStore needs a table name');
    this.table = options.table;
    this.client = options.client ?? dynamoClientFromEnv();
    this.retry = { ...API_RETRY, ...options.retry };
  }

  private send<T>(operation: string, key: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, { ...this.retry, what: `${operation} ${this.table} ${key}`, service: 'DynamoDB' });
  }

  /** Stores a new group; false when its id is taken (ids are random: a repeated create of the same group). */
  async create(group: GroupRecord): Promise<boolean> {
    const key = GROUP_PREFIX + group.id;
    try {
      await this.send('PutItem', key, () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: {
              id: S(key),
              owner: S(GROUP_PREFIX + group.owner),
              createdAt: S(group.createdAt),
              group: S(JSON.stringify(group)),
            },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        ),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async replace(read: GroupRecord, next: GroupRecord): Promise<boolean> {
    const key = GROUP_PREFIX + read.id;
    try {
      await this.send('UpdateItem', key, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: { id: S(key) },
            UpdateExpression: 'SET #group = :next',
            // The whole group as it was read: it is small and written rarely (labels, its job id).
            ConditionExpression: '#group = :read',
            ExpressionAttributeNames: { '#group': 'group' },
            ExpressionAttributeValues: { ':next': S(JSON.stringify(next)), ':read': S(JSON.stringify(read)) },
          }),
        ),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async claim(owner: string, key: string, groupId: string): Promise<string> {
    const id = claimId(owner, key);
    try {
      await this.send('PutItem', id, () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.table,
            // No owner attribute: the claim stays out of the owner index.
            Item: { id: S(id), groupId: S(groupId) },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        ),
      );
      return groupId;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    const out = await this.send('GetItem', id, () =>
      this.client.send(
        new GetItemCommand({ TableName: this.table, Key: { id: S(id) }, ConsistentRead: true }),
      ),
    );
    const held = out.Item?.groupId?.S;
    if (!held) throw new Error(`idempotency item ${id} has no group id`);
    return held;
  }

  async release(owner: string, key: string, groupId: string): Promise<void> {
    const id = claimId(owner, key);
    try {
      await this.send('DeleteItem', id, () =>
        this.client.send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: { id: S(id) },
            ConditionExpression: 'groupId = :g',
            ExpressionAttributeValues: { ':g': S(groupId) },
          }),
        ),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async get(id: string): Promise<GroupRecord | undefined> {
    const key = GROUP_PREFIX + id;
    const out = await this.send('GetItem', key, () =>
      this.client.send(
        new GetItemCommand({ TableName: this.table, Key: { id: S(key) }, ConsistentRead: true }),
      ),
    );
    return out.Item?.group?.S ? (JSON.parse(out.Item.group.S) as GroupRecord) : undefined;
  }

  /** One owner's groups, newest first; `cursor` from the previous page. */
  async list(owner: string, limit: number, cursor?: string): Promise<GroupPage> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new RangeError(`limit must be an integer from 1 to 100, not ${limit}`);
    }
    const index = RUNS_TABLE.ownerIndex;
    const start = cursor === undefined ? undefined : decodeCursor(cursor, owner);
    const out = await this.send('Query', `${index.name} ${GROUP_PREFIX}${owner}`, () =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index.name,
          KeyConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': index.partitionKey },
          ExpressionAttributeValues: { ':owner': S(GROUP_PREFIX + owner) },
          ScanIndexForward: false,
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      ),
    );
    const groups = (out.Items ?? []).flatMap((item) =>
      item.group?.S ? [JSON.parse(item.group.S) as GroupRecord] : [],
    );
    const last = out.LastEvaluatedKey;
    return last ? { groups, nextCursor: encodeCursor(owner, last) } : { groups };
  }
}

/** The index position after a page, bound to its owner so a cursor cannot page through another's groups. */
function encodeCursor(owner: string, key: Record<string, AttributeValue>): string {
  return Buffer.from(JSON.stringify({ owner, id: key.id?.S, createdAt: key.createdAt?.S })).toString(
    'base64url',
  );
}

function decodeCursor(cursor: string, owner: string): Record<string, AttributeValue> {
  let parsed: { owner?: unknown; id?: unknown; createdAt?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadCursor('not a cursor from this listing');
  }
  if (typeof parsed?.id !== 'string' || typeof parsed.createdAt !== 'string' || parsed.owner !== owner)
    throw new BadCursor('not a cursor from this listing');
  return { id: S(parsed.id), createdAt: S(parsed.createdAt), owner: S(GROUP_PREFIX + owner) };
}
