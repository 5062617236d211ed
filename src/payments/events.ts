import { fail, newId, ok, type Outcome } from '../kernel/index.ts';
import { beforeCursor, type Executor } from '../storage/index.ts';
import { getAssociate } from './associates.ts';
import { paymentTables, type PaymentsContext } from './context.ts';

export const EVENT_TYPES = [
  'payment.authorized',
  'payment.captured',
  'payment.voided',
  'payment.expired',
  'payment.flagged',
  'refund.succeeded',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EventJson {
  readonly id: string;
  readonly object: 'event';
  readonly type: EventType;
  readonly livemode: boolean;
  readonly created: string;
  readonly data: { readonly object: unknown };
}

/**
 * Writes an event (and, when the associate has a webhook URL, its pending delivery) in the
 * caller's transaction: the event exists if and only if the change it describes committed.
 */
export async function emitEvent(
  ctx: PaymentsContext,
  tx: Executor,
  input: {
    readonly associateId: string;
    readonly livemode: boolean;
    readonly type: EventType;
    readonly object: unknown;
  },
): Promise<EventJson> {
  const nowMs = ctx.clock.nowMs();
  const event: EventJson = {
    id: newId('evt'),
    object: 'event',
    type: input.type,
    livemode: input.livemode,
    created: new Date(Number(nowMs)).toISOString(),
    data: { object: input.object },
  };
  const t = paymentTables(tx);
  await t
    .insertInto('webhook_event')
    .values({
      id: event.id,
      associate_id: input.associateId,
      livemode: input.livemode ? 1n : 0n,
      type: input.type,
      payload: JSON.stringify(event),
      created_at_ms: nowMs,
    })
    .execute();
  const associate = await getAssociate(tx, input.associateId);
  if (associate !== undefined && associate.webhookUrl !== null) {
    await t
      .insertInto('webhook_delivery')
      .values({
        id: newId('whd'),
        event_id: event.id,
        associate_id: input.associateId,
        url: associate.webhookUrl,
        status: 'pending',
        attempts: 0n,
        next_attempt_at_ms: nowMs,
        last_status_code: null,
        last_error: null,
        delivered_at_ms: null,
        created_at_ms: nowMs,
      })
      .execute();
  }
  return event;
}

interface Scope {
  readonly associateId: string;
  readonly livemode: boolean;
}

export async function getEvent(
  executor: Executor,
  scope: Scope,
  id: string,
): Promise<EventJson | undefined> {
  const row = await paymentTables(executor)
    .selectFrom('webhook_event')
    .select('payload')
    .where('id', '=', id)
    .where('associate_id', '=', scope.associateId)
    .where('livemode', '=', scope.livemode ? 1n : 0n)
    .executeTakeFirst();
  return row === undefined ? undefined : (JSON.parse(row.payload) as EventJson);
}

export async function listEvents(
  executor: Executor,
  scope: Scope,
  q: { readonly limit: number; readonly startingAfter?: string; readonly type?: string },
): Promise<Outcome<{ data: EventJson[]; hasMore: boolean }>> {
  if (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > 100)
    return fail('parameter_invalid', 'limit');
  const t = paymentTables(executor);
  let query = t
    .selectFrom('webhook_event')
    .select(['id', 'payload', 'created_at_ms'])
    .where('associate_id', '=', scope.associateId)
    .where('livemode', '=', scope.livemode ? 1n : 0n)
    .orderBy('created_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.type !== undefined) query = query.where('type', '=', q.type);
  if (q.startingAfter !== undefined) {
    const cursor = await t
      .selectFrom('webhook_event')
      .select(['id', 'created_at_ms'])
      .where('id', '=', q.startingAfter)
      .where('associate_id', '=', scope.associateId)
      .executeTakeFirst();
    if (cursor === undefined) return fail('parameter_invalid', 'starting_after');
    query = query.where(beforeCursor('created_at_ms', 'id', cursor));
  }
  const rows = await query.execute();
  return ok({
    data: rows.slice(0, q.limit).map((r) => JSON.parse(r.payload) as EventJson),
    hasMore: rows.length > q.limit,
  });
}
