/**
 * An owner's runs in flight, counted in the runs table: one item per owner (`slots#{owner}`,
 * shared/tables.ts) whose `held` attribute is the set of slots taken, one per run not yet ended. A slot is
 * `{runId}#{n}`, the run as queued for the n-th time (shared/run.ts queuedAttempt: 1 as submitted, the
 * resume's attempt after a resume). The count is the set's size.
 *
 * Taking a slot is one conditional UpdateItem (ADD, only while the set is smaller than the limit, or already
 * holds this slot), so two submits at the limit cannot both get in: DynamoDB applies the two updates one
 * after the other and the second finds the set full. No transaction is needed (dynalite has none).
 *
 * Why a set of slots and not a number: freeing is a DELETE of the run's own slot, conditional on its being
 * in the set. However often it is repeated (a retried write whose answer was lost, two writers ending the
 * same run), it frees that run's slot once and never another's, which decrementing a number could not
 * promise. Who frees: the writer whose conditional write moved the run into SUCCEEDED, FAILED or CANCELLED;
 * the status machine lets exactly one such write succeed per time the run is queued. A resumed run takes a
 * new slot (`#n` with the resume's attempt), so a late free of its previous slot cannot free the new one.
 * A writer that stops between ending a run and freeing its slot leaves it behind; the run has ended, so
 * the next submit that finds the owner at the limit recognises it (isStaleSlot) and frees it.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { isTerminal, queuedAttempt, type RunStatus, type StatusEvent } from '../run.ts';
import { SLOTS_PREFIX } from '../tables.ts';
import { type RetryTuning, withRetry } from './retry.ts';

/** What a slot is derived from: any run record, or the part of one a trainer reads. */
export interface SlotHolder {
  id: string;
  history?: readonly StatusEvent[];
}

/** The run's slot while it is in flight. */
export function slotOf(run: SlotHolder): string {
  return `${run.id}#${queuedAttempt(run)}`;
}

/** The run id and queued attempt of a slot ('#' never occurs in a run id). */
export function parseSlot(slot: string): { runId: string; queued: number } | undefined {
  const at = slot.lastIndexOf('#');
  const queued = Number(slot.slice(at + 1));
  return at > 0 && Number.isInteger(queued) ? { runId: slot.slice(0, at), queued } : undefined;
}

/**
 * Whether a slot is left over: its run has ended since it was queued as that slot, or has been queued again
 * since. A run not (yet) stored is not stale: its submit takes the slot before writing the run.
 */
export function isStaleSlot(slot: string, run: (SlotHolder & { status: RunStatus }) | undefined): boolean {
  const parsed = parseSlot(slot);
  if (!parsed || !run || run.id !== parsed.runId) return false;
  const queued = queuedAttempt(run);
  return queued > parsed.queued || (queued === parsed.queued && isTerminal(run.status));
}

/** The owner's slots item id; '%' and '#' in the owner are escaped as in idempotency items. */
export function slotsItemId(owner: string): string {
  return `${SLOTS_PREFIX}${owner.replaceAll('%', '%25').replaceAll('#', '%23')}`;
}

/** A submit or resume over the owner's limit of runs in flight; the API answers 429. */
export class TooManyRunsInFlight extends Error {
  override readonly name = 'TooManyRunsInFlight';
  constructor(
    readonly limit: number,
    readonly inFlight: number,
    /** Slots asked for at once: 1 for a run, every member for a group. */
    readonly asked = 1,
  ) {
    super(`${inFlight} runs in flight, ${asked} more asked for, and the limit is ${limit}`);
  }
}

const HELD = 'held';

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

export class RunSlots {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly retry: RetryTuning,
  ) {}

  private send<T>(operation: string, owner: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, {
      ...this.retry,
      what: `${operation} ${this.table} id=${slotsItemId(owner)}`,
      service: 'DynamoDB',
    });
  }

  /** Takes `slot` if the owner holds fewer than `limit` (or holds it already); false when at the limit. */
  take(owner: string, slot: string, limit: number): Promise<boolean> {
    return this.change(
      owner,
      slot,
      'ADD',
      'attribute_not_exists(#held) OR size(#held) < :limit OR contains(#held, :slot)',
      {
        ':limit': { N: String(limit) },
      },
    );
  }

  /**
   * Takes every one of `slots` in one write if they all fit under `limit` beside those held, else none:
   * an experiment group's members count together at submit. False when they do not fit.
   */
  takeAll(owner: string, slots: readonly string[], limit: number): Promise<boolean> {
    if (slots.length === 0) return Promise.resolve(true);
    return this.change(owner, slots, 'ADD', 'attribute_not_exists(#held) OR size(#held) <= :room', {
      ':room': { N: String(limit - slots.length) },
    });
  }

  /** Frees each of `slots` that is held, in one write. */
  freeAll(owner: string, slots: readonly string[]): Promise<boolean> {
    if (slots.length === 0) return Promise.resolve(true);
    return this.change(owner, slots, 'DELETE', 'attribute_exists(#held)');
  }

  /** Frees `slot`; true if this call freed it, false if it was not held (already freed, or never taken). */
  free(owner: string, slot: string): Promise<boolean> {
    return this.change(owner, slot, 'DELETE', 'contains(#held, :slot)');
  }

  /** Adds `slot` to the set or deletes it from it if `condition` holds; false when it does not. */
  private async change(
    owner: string,
    slot: string | readonly string[],
    action: 'ADD' | 'DELETE',
    condition: string,
    values: Record<string, AttributeValue> = {},
  ): Promise<boolean> {
    const slots = typeof slot === 'string' ? [slot] : [...slot];
    try {
      await this.send('UpdateItem', owner, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            // No owner attribute: the item must stay out of the owner index.
            Key: { id: { S: slotsItemId(owner) } },
            UpdateExpression: `${action} #held :slots`,
            ConditionExpression: condition,
            ExpressionAttributeNames: { '#held': HELD },
            ExpressionAttributeValues: {
              ':slots': { SS: slots },
              ...(condition.includes(':slot)') ? { ':slot': { S: slots[0]! } } : {}),
              ...values,
            },
          }),
        ),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** The owner's slots taken now, read strongly consistent. */
  async held(owner: string): Promise<string[]> {
    const out = await this.send('GetItem', owner, () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: { id: { S: slotsItemId(owner) } },
          ConsistentRead: true,
        }),
      ),
    );
    return [...(out.Item?.[HELD]?.SS ?? [])].sort();
  }
}
