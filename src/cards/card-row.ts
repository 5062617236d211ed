import { assert, isCurrency, type Currency } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import { cardTables, type CardsContext } from './context.ts';
import { isCardState, nextState, type CardState, type CardTransition } from './states.ts';
import type { CardTable } from './tables.ts';
import type { ValidityRule } from './validity.ts';

/** A card as the rest of the system sees it: never its PIN hash or password hash. */
export interface Card {
  readonly id: string;
  readonly serial: string;
  readonly pinLast4: string;
  readonly denominationId: string;
  readonly currency: Currency;
  readonly faceValueMinor: bigint;
  readonly state: CardState;
  readonly stateReason: string;
  readonly accountId: string | null;
  readonly hasPassword: boolean;
  readonly failedAttempts: number;
  readonly validity: ValidityRule;
  readonly expiresAtMs: bigint | null;
  readonly firstUsedAtMs: bigint | null;
  readonly soldAtMs: bigint | null;
  readonly activatedAtMs: bigint | null;
  readonly channel: string | null;
  /** False for test cards: they pay only test-mode payments. */
  readonly livemode: boolean;
  readonly issueBatchId: string;
  readonly createdAtMs: bigint;
}

export function validityFromColumns(row: {
  validity_kind: string;
  validity_days: bigint | null;
  validity_until_ms: bigint | null;
}): ValidityRule {
  switch (row.validity_kind) {
    case 'fixed_date':
      assert(row.validity_until_ms !== null, 'fixed date has a date');
      return { kind: 'fixed_date', untilMs: row.validity_until_ms };
    case 'days_after_sale':
    case 'days_after_first_use':
      assert(row.validity_days !== null, 'day rule has days');
      return { kind: row.validity_kind, days: row.validity_days };
    default:
      assert(false, `unknown validity kind ${row.validity_kind}`);
  }
}

export function validityColumns(rule: ValidityRule): {
  validity_kind: string;
  validity_days: bigint | null;
  validity_until_ms: bigint | null;
} {
  return rule.kind === 'fixed_date'
    ? { validity_kind: rule.kind, validity_days: null, validity_until_ms: rule.untilMs }
    : { validity_kind: rule.kind, validity_days: rule.days, validity_until_ms: null };
}

export function cardFromRow(row: CardTable): Card {
  assert(isCardState(row.state), 'stored state is known');
  assert(isCurrency(row.currency), 'stored currency is known');
  return {
    id: row.id,
    serial: row.serial,
    pinLast4: row.pin_last4,
    denominationId: row.denomination_id,
    currency: row.currency,
    faceValueMinor: row.face_value_minor,
    state: row.state,
    stateReason: row.state_reason,
    accountId: row.account_id,
    hasPassword: row.password_hash !== null,
    failedAttempts: Number(row.failed_attempts),
    validity: validityFromColumns(row),
    expiresAtMs: row.expires_at_ms,
    firstUsedAtMs: row.first_used_at_ms,
    soldAtMs: row.sold_at_ms,
    activatedAtMs: row.activated_at_ms,
    channel: row.channel,
    livemode: row.livemode === 1n,
    issueBatchId: row.issue_batch_id,
    createdAtMs: row.created_at_ms,
  };
}

/**
 * Reads a card row, locking it on PostgreSQL unless `lock: false` (business rows are locked
 * before ledger rows, so lock order is always card → accounts → holds).
 */
export async function loadCardRow(
  ctx: CardsContext,
  tx: Executor,
  by:
    | { readonly id: string }
    | { readonly serial: string }
    | { readonly pinHashes: readonly string[] },
  options: { readonly lock?: boolean } = {},
): Promise<CardTable | undefined> {
  let query = cardTables(tx).selectFrom('card').selectAll();
  if ('id' in by) query = query.where('id', '=', by.id);
  else if ('serial' in by) query = query.where('serial', '=', by.serial);
  else {
    if (by.pinHashes.length === 0) return undefined;
    query = query.where('pin_hash', 'in', [...by.pinHashes]);
  }
  if (ctx.db.dialect === 'postgres' && options.lock !== false) query = query.forUpdate();
  return query.executeTakeFirst();
}

/**
 * Moves a card along one allowed transition and records the event. The update is guarded by
 * the state it was read in, so a concurrent change makes it fail loudly instead of silently.
 */
export async function transitionCard(
  tx: Executor,
  row: CardTable,
  transition: CardTransition,
  reason: string,
  nowMs: bigint,
  extra: Partial<CardTable> = {},
): Promise<CardState | null> {
  assert(isCardState(row.state), 'known state');
  const to = nextState(row.state, transition, { hasPassword: row.password_hash !== null });
  if (to === null) return null;
  const result = await cardTables(tx)
    .updateTable('card')
    .set({ ...extra, state: to, state_reason: reason, state_changed_at_ms: nowMs })
    .where('id', '=', row.id)
    .where('state', '=', row.state)
    .executeTakeFirst();
  assert(result.numUpdatedRows === 1n, `card ${row.id} changed state under its lock`);
  await cardTables(tx)
    .insertInto('card_event')
    .values({
      card_id: row.id,
      at_ms: nowMs,
      transition,
      from_state: row.state,
      to_state: to,
      reason,
    })
    .execute();
  return to;
}
