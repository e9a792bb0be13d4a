/**
 * Uploaded datasets in the runs table (shared/tables.ts DATASET_PREFIX), written by the API (a new version,
 * its upload finished, a delete) and by the validation job (VALIDATING -> READY | FAILED). One item a
 * dataset, keyed `dataset#{id}`, its owner attribute `dataset#{owner}` so the owner index lists a caller's
 * datasets apart from their runs; the dataset (name and versions) is JSON text, written whole under a
 * conditional write on the revision it read. A second item, `dsname#{owner}#{name}`, claims a name for one
 * dataset, so two uploads under one name become two versions of it, never two datasets.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { DATASET_NAME_PREFIX, DATASET_PREFIX, RUNS_TABLE } from '../tables.ts';
import {
  canMove,
  type DatasetStatus,
  type DatasetVersion,
  type UploadedDataset,
  UploadedDatasetSchema,
} from '../uploads.ts';
import { type RetryTuning, withRetry } from './retry.ts';
import { dynamoClientFromEnv, isConditionFailure, retryOnConflict } from './runs-table.ts';

export interface DatasetsTableOptions {
  client?: DynamoDBClient;
  table: string;
  retry: RetryTuning;
}

/** A status move the version's current status does not allow (a READY version is never changed). */
export class DatasetConflict extends Error {
  override readonly name = 'DatasetConflict';
  constructor(
    message: string,
    readonly status: DatasetStatus,
  ) {
    super(message);
  }
}

const S = (value: string): AttributeValue => ({ S: value });

interface Stored {
  dataset: UploadedDataset;
  revision: number;
}

export class DatasetsTable {
  readonly table: string;
  private readonly client: DynamoDBClient;
  private readonly retry: RetryTuning;

  constructor(options: DatasetsTableOptions) {
    if (!options.table) throw new Error('DatasetsTable needs a table name');
    this.table = options.table;
    this.client = options.client ?? dynamoClientFromEnv();
    this.retry = options.retry;
  }

  private send<T>(operation: string, key: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, { ...this.retry, what: `${operation} ${this.table} ${key}`, service: 'DynamoDB' });
  }

  private async read(id: string): Promise<Stored | undefined> {
    const key = DATASET_PREFIX + id;
    const out = await this.send('GetItem', key, () =>
      this.client.send(
        new GetItemCommand({ TableName: this.table, Key: { id: S(key) }, ConsistentRead: true }),
      ),
    );
    if (!out.Item?.dataset?.S) return undefined;
    return {
      dataset: UploadedDatasetSchema.parse(JSON.parse(out.Item.dataset.S)),
      revision: Number(out.Item.revision?.N ?? '0'),
    };
  }

  private write(dataset: UploadedDataset, readRevision: number | undefined) {
    const key = DATASET_PREFIX + dataset.id;
    return this.send('PutItem', key, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            id: S(key),
            owner: S(DATASET_PREFIX + dataset.owner),
            createdAt: S(dataset.createdAt),
            dataset: S(JSON.stringify(dataset)),
            revision: { N: String((readRevision ?? 0) + 1) },
          },
          ...(readRevision === undefined
            ? { ConditionExpression: 'attribute_not_exists(id)' }
            : {
                ConditionExpression: 'revision = :read',
                ExpressionAttributeValues: { ':read': { N: String(readRevision) } },
              }),
        }),
      ),
    );
  }

  async get(id: string): Promise<UploadedDataset | undefined> {
    return (await this.read(id))?.dataset;
  }

  /**
   * A new version of the owner's dataset `name` (its first, under `newId`, when the name is new), built by
   * `version(n)`. The dataset as it then stands.
   */
  async addVersion(
    owner: string,
    name: string,
    newId: string,
    now: string,
    version: (n: number) => DatasetVersion,
  ): Promise<UploadedDataset> {
    const nameKey = `${DATASET_NAME_PREFIX}${owner}#${name}`;
    return retryOnConflict({ attempts: 8, what: `dataset ${owner}/${name}`, table: this.table }, async () => {
      const claim = await this.send('GetItem', nameKey, () =>
        this.client.send(
          new GetItemCommand({ TableName: this.table, Key: { id: S(nameKey) }, ConsistentRead: true }),
        ),
      );
      const claimedId = claim.Item?.datasetId?.S;
      if (!claimedId) {
        const dataset: UploadedDataset = { id: newId, owner, name, createdAt: now, versions: [version(1)] };
        // The dataset first, then its name (dynalite, under `npm start`, has no transactions): a name never
        // points at nothing. A name another upload claimed meanwhile wins; this dataset item is withdrawn and
        // the loop adds a version to the winner instead.
        await this.write(dataset, undefined);
        try {
          await this.send('PutItem', nameKey, () =>
            this.client.send(
              new PutItemCommand({
                TableName: this.table,
                Item: { id: S(nameKey), datasetId: S(newId) },
                ConditionExpression: 'attribute_not_exists(id)',
              }),
            ),
          );
        } catch (err) {
          if (isConditionFailure(err))
            await this.send('DeleteItem', newId, () =>
              this.client.send(
                new DeleteItemCommand({ TableName: this.table, Key: { id: S(DATASET_PREFIX + newId) } }),
              ),
            );
          throw err;
        }
        return dataset;
      }
      const stored = await this.read(claimedId);
      if (!stored)
        throw Object.assign(new Error('claimed name without a dataset'), {
          name: 'ConditionalCheckFailedException',
        });
      const next = stored.dataset.versions.length + 1;
      const dataset = { ...stored.dataset, versions: [...stored.dataset.versions, version(next)] };
      await this.write(dataset, stored.revision);
      return dataset;
    });
  }

  /**
   * Changes one version through `change` (given the version as read), conditional on the dataset's revision
   * and on the status machine (shared/uploads.ts canMove). Throws DatasetConflict when the move is not
   * allowed; undefined when the dataset or version does not exist.
   */
  async updateVersion(
    id: string,
    version: number,
    change: (v: DatasetVersion) => DatasetVersion,
  ): Promise<UploadedDataset | undefined> {
    return retryOnConflict(
      { attempts: 8, what: `dataset ${id} v${version}`, table: this.table },
      async () => {
        const stored = await this.read(id);
        const current = stored?.dataset.versions.find((v) => v.version === version);
        if (!stored || !current) return undefined;
        const next = change(current);
        if (next.status !== current.status && !canMove(current.status, next.status))
          throw new DatasetConflict(
            `dataset ${id} version ${version} is ${current.status}; it cannot become ${next.status}`,
            current.status,
          );
        const dataset = {
          ...stored.dataset,
          versions: stored.dataset.versions.map((v) => (v.version === version ? next : v)),
        };
        await this.write(dataset, stored.revision);
        return dataset;
      },
    );
  }

  /** Every dataset of one owner, newest first. */
  async list(owner: string): Promise<UploadedDataset[]> {
    const index = RUNS_TABLE.ownerIndex;
    const out: UploadedDataset[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.send('Query', `${index.name} ${DATASET_PREFIX}${owner}`, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: index.name,
            KeyConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': index.partitionKey },
            ExpressionAttributeValues: { ':owner': S(DATASET_PREFIX + owner) },
            ScanIndexForward: false,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? [])
        if (item.dataset?.S) out.push(UploadedDatasetSchema.parse(JSON.parse(item.dataset.S)));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /**
   * Every dataset, of any owner, with a version VALIDATING: what a restarted local platform must start
   * validating again. A full scan, meant for the local platform's small table, not for the cloud.
   */
  async listValidating(): Promise<{ dataset: UploadedDataset; version: number }[]> {
    const out: { dataset: UploadedDataset; version: number }[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.send('Scan', `${DATASET_PREFIX}*`, () =>
        this.client.send(
          new ScanCommand({
            TableName: this.table,
            ConsistentRead: true,
            FilterExpression: 'begins_with(id, :prefix)',
            ExpressionAttributeValues: { ':prefix': S(DATASET_PREFIX) },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        if (!item.dataset?.S) continue;
        const dataset = UploadedDatasetSchema.parse(JSON.parse(item.dataset.S));
        for (const v of dataset.versions)
          if (v.status === 'VALIDATING') out.push({ dataset, version: v.version });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** Removes the dataset and its name, if it is still the version that was read (`dataset`). */
  async delete(dataset: UploadedDataset): Promise<void> {
    const nameKey = `${DATASET_NAME_PREFIX}${dataset.owner}#${dataset.name}`;
    const stored = await this.read(dataset.id);
    if (!stored) return;
    try {
      await this.send('DeleteItem', dataset.id, () =>
        this.client.send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: { id: S(DATASET_PREFIX + dataset.id) },
            ConditionExpression: 'revision = :read',
            ExpressionAttributeValues: { ':read': { N: String(stored.revision) } },
          }),
        ),
      );
    } catch (err) {
      if (isConditionFailure(err))
        throw new DatasetConflict(
          `dataset ${dataset.id} changed while it was being deleted; try again`,
          'READY',
        );
      throw err;
    }
    await this.send('DeleteItem', nameKey, () =>
      this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { id: S(nameKey) } })),
    );
  }
}
