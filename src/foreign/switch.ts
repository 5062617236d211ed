import {
  authenticate,
  cardAccountId,
  cardBalance,
  lockCard,
  spendFromCard,
} from '../cards/index.ts';
import {
  assert,
  fail,
  formatMoney,
  isCurrency,
  isoFromMs,
  ok,
  type Currency,
  type ErrorCode,
  type Outcome,
} from '../kernel/index.ts';
import { TransferFlags, ensureSystemAccounts, type TransferResult } from '../ledger/index.ts';
import { enqueueEmail, isLocale, normalizeEmailAddress, type Locale } from '../notify/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { fxPositionAccountId, inventoryAccountId } from './accounts.ts';
import { availableCount, checkStockLevel, type LowStockAlert } from './alerts.ts';
import { foreignTables, type ForeignContext } from './context.ts';
import { switchIdOf, switchTransfer } from './ids.ts';
import { unsealPin } from './pin-seal.ts';
import { loadProvider, type Provider } from './providers.ts';
import { loadQuoteRow, quoteFromRow, type Quote } from './quotes.ts';
import type { ForeignSwitchTable, SwitchState } from './tables.ts';

/**
 * The switch-over (patent FIG. 9): a holder turns part of the card's balance into a foreign
 * provider's PIN of a chosen value, at a quote that has not expired. Three short transactions,
 * each of which may be the last one a crash lets through:
 *
 * 1. **hold** — the quote is used, the card is held for the quoted amount (a pending transfer
 *    card → `fx_position`, timing out after the policy's `holdTimeoutMs`), the switch is `held`.
 * 2. **reserve** — one available pool PIN of the value is bound to the switch (`reserved`);
 *    none left: the hold is voided and the switch `failed` with `foreign_pool_empty`.
 * 3. **post** — a linked pair, both or neither: the hold is posted (card → `fx_position` in the
 *    card's currency) and the PIN's cost leaves the provider's inventory (`fx_position` ←
 *    `foreign_inventory` in the provider's currency); the PIN is `sold`, the switch
 *    `completed`, the PIN e-mail is queued, the stock level checked.
 *
 * Every ledger id is derived from the switch, and the switch from its quote, so running the
 * same quote again resumes where a crash stopped and never moves money twice. A hold that timed
 * out can no longer be posted (the ledger refuses it); `releaseStaleSwitches` then gives the
 * PIN back to the pool.
 */

export interface SwitchInput {
  readonly quoteId: string;
  readonly cardId: string;
  /** Where the PIN is e-mailed; absent: the holder's address on file. */
  readonly email?: string;
  readonly locale: Locale;
  /** Show what would happen, write nothing. */
  readonly simulate?: boolean;
}

export interface SwitchResult {
  readonly switchId: string;
  readonly quoteId: string;
  readonly cardId: string;
  readonly providerId: string;
  readonly providerName: string;
  readonly state: SwitchState;
  readonly faceValueMinor: bigint;
  readonly faceCurrency: Currency;
  readonly payMinor: bigint;
  readonly payCurrency: Currency;
  readonly rateText: string;
  /** The PIN in the clear: only in the answer of the call that completed the switch. */
  readonly pin: string | null;
  readonly pinLast4: string | null;
  readonly emailedTo: string;
  /** The card's balance after the switch. */
  readonly balanceMinor: bigint;
  /** True when the switch had completed before this call (the PIN is not shown again). */
  readonly replayed: boolean;
  /** Set when this switch took the value's stock below its threshold (the alert was queued). */
  readonly lowStock: LowStockAlert | null;
}

export interface PlannedTransfer {
  readonly id: string;
  readonly debit: string;
  readonly credit: string;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly code: string;
  readonly kind: 'hold' | 'post' | 'leg';
}

/** What a switch would do, from a simulate run: nothing is written. */
export interface SwitchPlan {
  readonly simulate: true;
  readonly quote: Quote;
  readonly switchId: string;
  readonly pinAvailable: boolean;
  readonly balanceMinor: bigint;
  readonly balanceAfterMinor: bigint;
  /** The PIN's cost, when one is available (the oldest available PIN goes first). */
  readonly costMinor: bigint | null;
  readonly transfers: readonly PlannedTransfer[];
  /** What the real run would answer, if it would be refused. */
  readonly refusal: ErrorCode | null;
}

/** Thrown inside a transaction to roll it back with an expected outcome. */
class Refused extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly param?: string,
  ) {
    super(code);
  }
}

async function loadSwitch(
  ctx: ForeignContext,
  executor: Executor,
  switchId: string,
  options: { readonly lock?: boolean } = {},
): Promise<ForeignSwitchTable | undefined> {
  let query = foreignTables(executor)
    .selectFrom('foreign_switch')
    .selectAll()
    .where('id', '=', switchId);
  if (options.lock === true && ctx.db.dialect === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

function currencyOf(text: string): Currency {
  assert(isCurrency(text), 'stored currency is known');
  return text;
}

/** "1 USD = 1,385.27 KRW" */
export function describeRate(rateText: string, face: Currency, pay: Currency): string {
  const [whole = '0', fraction] = rateText.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `1 ${face} = ${grouped}${fraction === undefined ? '' : `.${fraction}`} ${pay}`;
}

/** PIN + password first (failures count toward the card's lockout), then the switch. */
export async function switchToForeign(
  ctx: ForeignContext,
  input: Omit<SwitchInput, 'cardId'> & { readonly pin: string; readonly password: string },
): Promise<Outcome<SwitchResult | SwitchPlan>> {
  const card = await authenticate(ctx.cards, { pin: input.pin, password: input.password });
  if (!card.ok) return card;
  return runSwitch(ctx, {
    quoteId: input.quoteId,
    cardId: card.value.id,
    locale: input.locale,
    ...(input.email !== undefined ? { email: input.email } : {}),
    ...(input.simulate !== undefined ? { simulate: input.simulate } : {}),
  });
}

/**
 * Runs (or resumes) the switch of a quote for the card that owns it. The caller has already
 * made sure the holder is who they say (the site asks for PIN and password).
 */
export async function runSwitch(
  ctx: ForeignContext,
  input: SwitchInput,
): Promise<Outcome<SwitchResult | SwitchPlan>> {
  if (!isLocale(input.locale)) return fail('parameter_invalid', 'locale');
  const db = ctx.db.kysely;
  const quoteRow = await loadQuoteRow(ctx, db, input.quoteId);
  if (quoteRow?.card_id !== input.cardId) {
    return fail('fx_quote_not_found', 'quote');
  }
  const switchId = switchIdOf(quoteRow.id);
  const existing = await loadSwitch(ctx, db, switchId);
  if (existing !== undefined) {
    // Already run: a simulation shows where it stands; a real run resumes it.
    return input.simulate === true
      ? answerOf(ctx, existing, { pin: null, replayed: true, lowStock: null })
      : resume(ctx, switchId);
  }
  const nowMs = ctx.clock.nowMs();
  if (quoteRow.state !== 'open' || nowMs >= quoteRow.expires_at_ms) {
    return fail('fx_quote_expired', 'quote');
  }
  let email: string | null = null;
  if (input.email !== undefined && input.email !== '') {
    email = normalizeEmailAddress(input.email);
  } else if (ctx.holderContact !== null) {
    const contact = await ctx.holderContact(db, input.cardId);
    email = contact === null ? null : normalizeEmailAddress(contact.email);
  }
  if (email === null) return fail('email_invalid', 'email');
  const provider = await loadProvider(db, quoteRow.provider_id);
  if (provider === null) return fail('foreign_provider_not_found', 'provider');
  const quote = quoteFromRow(quoteRow, provider.name, nowMs);
  if (input.simulate === true) return ok(await plan(ctx, quote, provider, switchId));

  const held = await holdStep(ctx, quote, provider, switchId, email, input.locale);
  if (!held.ok) return held;
  return resume(ctx, switchId);
}

async function plan(
  ctx: ForeignContext,
  quote: Quote,
  provider: Provider,
  switchId: string,
): Promise<SwitchPlan> {
  const db = ctx.db.kysely;
  const balance = await cardBalance(ctx.cards, db, quote.cardId);
  const balanceMinor = balance.ok ? balance.value.balanceMinor : 0n;
  const next = await foreignTables(db)
    .selectFrom('foreign_pin')
    .select('cost_minor')
    .where('provider_id', '=', provider.id)
    .where('face_value_minor', '=', quote.faceValueMinor)
    .where('state', '=', 'available')
    .orderBy('seq')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  const costMinor = next?.cost_minor ?? null;
  const cardAccount = cardAccountId(quote.cardId);
  const transfers: PlannedTransfer[] = [
    {
      id: switchTransfer.hold(switchId),
      debit: cardAccount,
      credit: fxPositionAccountId(quote.payCurrency),
      amountMinor: quote.payMinor,
      currency: quote.payCurrency,
      code: 'fx_hold',
      kind: 'hold',
    },
    {
      id: switchTransfer.post(switchId),
      debit: cardAccount,
      credit: fxPositionAccountId(quote.payCurrency),
      amountMinor: quote.payMinor,
      currency: quote.payCurrency,
      code: 'fx_switch',
      kind: 'post',
    },
  ];
  if (costMinor !== null) {
    transfers.push({
      id: switchTransfer.leg(switchId),
      debit: fxPositionAccountId(quote.faceCurrency),
      credit: inventoryAccountId(provider.id),
      amountMinor: costMinor,
      currency: quote.faceCurrency,
      code: 'fx_switch',
      kind: 'leg',
    });
  }
  const refusal: ErrorCode | null =
    provider.state !== 'active'
      ? 'foreign_provider_suspended'
      : costMinor === null
        ? 'foreign_pool_empty'
        : !balance.ok || balance.value.state !== 'active'
          ? 'card_not_active'
          : balanceMinor < quote.payMinor
            ? 'insufficient_funds'
            : null;
  return {
    simulate: true,
    quote,
    switchId,
    pinAvailable: costMinor !== null,
    balanceMinor,
    balanceAfterMinor: refusal === null ? balanceMinor - quote.payMinor : balanceMinor,
    costMinor,
    transfers,
    refusal,
  };
}

/** Step 1: the quote is used and the card held; nothing is written when anything refuses. */
async function holdStep(
  ctx: ForeignContext,
  quote: Quote,
  provider: Provider,
  switchId: string,
  email: string,
  locale: Locale,
): Promise<Outcome<null>> {
  try {
    return await writeTransaction(ctx.db, async (tx): Promise<Outcome<null>> => {
      const nowMs = ctx.clock.nowMs();
      const card = await lockCard(ctx.cards, tx, quote.cardId);
      if (!card.ok) return card;
      const row = await loadQuoteRow(ctx, tx, quote.id, { lock: true });
      assert(row !== undefined, 'the quote is still there');
      // A concurrent run of the same quote got here first: resume that switch.
      if ((await loadSwitch(ctx, tx, switchId)) !== undefined) return ok(null);
      if (row.state !== 'open' || nowMs >= row.expires_at_ms) {
        return fail('fx_quote_expired', 'quote');
      }
      const fresh = await loadProvider(tx, provider.id);
      if (fresh === null) return fail('foreign_provider_not_found', 'provider');
      if (fresh.state !== 'active') return fail('foreign_provider_suspended', 'provider');
      if ((await availableCount(tx, provider.id, quote.faceValueMinor)) === 0n) {
        return fail('foreign_pool_empty', 'face_value');
      }
      await ensureSystemAccounts(ctx.ledger, tx, quote.payCurrency, nowMs);
      await ensureSystemAccounts(ctx.ledger, tx, quote.faceCurrency, nowMs);
      const held = await spendFromCard(ctx.cards, tx, {
        cardId: quote.cardId,
        creditAccountId: fxPositionAccountId(quote.payCurrency),
        amountMinor: quote.payMinor,
        currency: quote.payCurrency,
        transferId: switchTransfer.hold(switchId),
        code: 'fx_hold',
        reference: switchId,
        holdTimeoutMs: ctx.policy.holdTimeoutMs,
        livemode: true,
      });
      if (!held.ok) throw new Refused(held.error.code, held.error.param);
      // The hold's deadline as the ledger keeps it: expiring it is accepted from then on.
      const hold = await ctx.ledger.getPending(tx, switchTransfer.hold(switchId));
      assert(hold !== undefined && hold.expiresAtMs > 0n, 'the hold has a deadline');
      const used = await foreignTables(tx)
        .updateTable('foreign_quote')
        .set({ state: 'used' })
        .where('id', '=', quote.id)
        .where('state', '=', 'open')
        .executeTakeFirst();
      assert(used.numUpdatedRows === 1n, 'the quote is used once');
      await foreignTables(tx)
        .insertInto('foreign_switch')
        .values({
          id: switchId,
          quote_id: quote.id,
          card_id: quote.cardId,
          provider_id: provider.id,
          pin_id: null,
          hold_id: switchTransfer.hold(switchId),
          state: 'held',
          failure_code: null,
          pay_minor: quote.payMinor,
          pay_currency: quote.payCurrency,
          face_value_minor: quote.faceValueMinor,
          face_currency: quote.faceCurrency,
          cost_minor: null,
          email,
          locale,
          created_at_ms: nowMs,
          hold_expires_at_ms: hold.expiresAtMs,
          updated_at_ms: nowMs,
          completed_at_ms: null,
        })
        .execute();
      return ok(null);
    });
  } catch (error) {
    if (error instanceof Refused) return fail(error.code, error.param);
    throw error;
  }
}

/** Carries a switch on from whatever state it is in. */
async function resume(ctx: ForeignContext, switchId: string): Promise<Outcome<SwitchResult>> {
  const first = await loadSwitch(ctx, ctx.db.kysely, switchId);
  assert(first !== undefined, 'the switch exists');
  if (first.state === 'held') {
    await ctx.faults.afterHold?.(switchId);
    const reserved = await reserveStep(ctx, switchId);
    if (!reserved.ok) return reserved;
  }
  const second = await loadSwitch(ctx, ctx.db.kysely, switchId);
  assert(second !== undefined, 'the switch exists');
  if (second.state === 'reserved') {
    await ctx.faults.afterReserve?.(switchId);
    return postStep(ctx, switchId);
  }
  return answerOf(ctx, second, { pin: null, replayed: true, lowStock: null });
}

async function answerOf(
  ctx: ForeignContext,
  row: ForeignSwitchTable,
  extra: { pin: string | null; replayed: boolean; lowStock: LowStockAlert | null },
  executor: Executor = ctx.db.kysely,
): Promise<Outcome<SwitchResult>> {
  if (row.state === 'failed') {
    return fail((row.failure_code ?? 'foreign_pool_empty') as ErrorCode, 'quote');
  }
  if (row.state === 'expired') return fail('fx_quote_expired', 'quote');
  const provider = await loadProvider(executor, row.provider_id);
  const quote = await loadQuoteRow(ctx, executor, row.quote_id);
  const pinRow =
    row.pin_id === null
      ? undefined
      : await foreignTables(executor)
          .selectFrom('foreign_pin')
          .select('pin_last4')
          .where('id', '=', row.pin_id)
          .executeTakeFirst();
  const balance = await cardBalance(ctx.cards, executor, row.card_id);
  return ok({
    switchId: row.id,
    quoteId: row.quote_id,
    cardId: row.card_id,
    providerId: row.provider_id,
    providerName: provider?.name ?? row.provider_id,
    state: row.state,
    faceValueMinor: row.face_value_minor,
    faceCurrency: currencyOf(row.face_currency),
    payMinor: row.pay_minor,
    payCurrency: currencyOf(row.pay_currency),
    rateText: quote?.rate_text ?? '',
    pin: extra.pin,
    pinLast4: pinRow?.pin_last4 ?? null,
    emailedTo: row.email,
    balanceMinor: balance.ok ? balance.value.balanceMinor : 0n,
    replayed: extra.replayed,
    lowStock: extra.lowStock,
  });
}

function benignExpiry(result: TransferResult | undefined): boolean {
  return (
    result === 'ok' ||
    result === 'exists' ||
    result === 'pending_transfer_already_expired' ||
    result === 'pending_transfer_already_voided'
  );
}

/**
 * The hold ran out: expire it (with the worker's own transfer id, so the two collide into one),
 * give a reserved PIN back to the pool, and end the switch as `expired`.
 */
async function releaseExpired(
  ctx: ForeignContext,
  tx: Executor,
  row: ForeignSwitchTable,
  nowMs: bigint,
): Promise<void> {
  const [expired] = await ctx.ledger.transfer(
    tx,
    [
      {
        id: switchTransfer.expire(row.hold_id),
        pendingId: row.hold_id,
        code: 'expiry',
        flags: TransferFlags.expirePending,
      },
    ],
    nowMs,
  );
  assert(benignExpiry(expired), `the switch's hold expires (${expired ?? 'none'})`);
  await giveBackPin(tx, row);
  await endSwitch(tx, row.id, 'expired', 'fx_quote_expired', nowMs);
}

async function giveBackPin(tx: Executor, row: ForeignSwitchTable): Promise<void> {
  if (row.pin_id === null) return;
  await foreignTables(tx)
    .updateTable('foreign_pin')
    .set({ state: 'available', switch_id: null, card_id: null, reserved_at_ms: null })
    .where('id', '=', row.pin_id)
    .where('state', '=', 'reserved')
    .where('switch_id', '=', row.id)
    .execute();
}

async function endSwitch(
  tx: Executor,
  switchId: string,
  state: 'failed' | 'expired',
  code: ErrorCode,
  nowMs: bigint,
): Promise<void> {
  const done = await foreignTables(tx)
    .updateTable('foreign_switch')
    .set({ state, failure_code: code, updated_at_ms: nowMs })
    .where('id', '=', switchId)
    .where('state', 'in', ['held', 'reserved'])
    .executeTakeFirst();
  assert(done.numUpdatedRows === 1n, 'an open switch ends once');
}

/** Step 2: bind one available PIN of the value to the switch, or release the hold. */
async function reserveStep(ctx: ForeignContext, switchId: string): Promise<Outcome<null>> {
  return writeTransaction(ctx.db, async (tx): Promise<Outcome<null>> => {
    const nowMs = ctx.clock.nowMs();
    const row = await loadSwitch(ctx, tx, switchId, { lock: true });
    assert(row !== undefined, 'the switch exists');
    if (row.state !== 'held') return ok(null);
    if (nowMs >= row.hold_expires_at_ms) {
      await releaseExpired(ctx, tx, row, nowMs);
      return fail('fx_quote_expired', 'quote');
    }
    const t = foreignTables(tx);
    let pick = t
      .selectFrom('foreign_pin')
      .select(['id', 'cost_minor'])
      .where('provider_id', '=', row.provider_id)
      .where('face_value_minor', '=', row.face_value_minor)
      .where('state', '=', 'available')
      .orderBy('seq')
      .orderBy('id')
      .limit(1);
    // Two switches racing for the last PINs: each takes a different row, or finds none.
    if (ctx.db.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    const pin = await pick.executeTakeFirst();
    if (pin === undefined) {
      const [voided] = await ctx.ledger.transfer(
        tx,
        [
          {
            id: switchTransfer.void(switchId),
            pendingId: row.hold_id,
            code: 'fx_release',
            flags: TransferFlags.voidPending,
            reference: switchId,
          },
        ],
        nowMs,
      );
      assert(
        voided === 'ok' || voided === 'exists' || benignExpiry(voided),
        `the switch's hold is released (${voided ?? 'none'})`,
      );
      await endSwitch(tx, switchId, 'failed', 'foreign_pool_empty', nowMs);
      return fail('foreign_pool_empty', 'face_value');
    }
    const taken = await t
      .updateTable('foreign_pin')
      .set({ state: 'reserved', switch_id: switchId, card_id: row.card_id, reserved_at_ms: nowMs })
      .where('id', '=', pin.id)
      .where('state', '=', 'available')
      .executeTakeFirst();
    assert(taken.numUpdatedRows === 1n, 'the picked PIN is still available under its lock');
    await t
      .updateTable('foreign_switch')
      .set({ state: 'reserved', pin_id: pin.id, cost_minor: pin.cost_minor, updated_at_ms: nowMs })
      .where('id', '=', switchId)
      .where('state', '=', 'held')
      .execute();
    return ok(null);
  });
}

/** Step 3: the linked pair across the two currencies, the PIN sold and sent. */
async function postStep(ctx: ForeignContext, switchId: string): Promise<Outcome<SwitchResult>> {
  const outcome = await writeTransaction(
    ctx.db,
    async (tx): Promise<{ kind: 'done'; result: Outcome<SwitchResult> } | { kind: 'again' }> => {
      const nowMs = ctx.clock.nowMs();
      const peek = await loadSwitch(ctx, tx, switchId);
      assert(peek !== undefined, 'the switch exists');
      // Lock order: card, then our rows, then the ledger's.
      await lockCard(ctx.cards, tx, peek.card_id);
      const row = await loadSwitch(ctx, tx, switchId, { lock: true });
      assert(row !== undefined, 'the switch exists');
      if (row.state !== 'reserved') return { kind: 'again' };
      assert(row.pin_id !== null && row.cost_minor !== null, 'a reserved switch has its PIN');
      const provider = await loadProvider(tx, row.provider_id);
      assert(provider !== null, 'the provider exists');
      const faceCurrency = currencyOf(row.face_currency);
      const results = await ctx.ledger.transfer(
        tx,
        [
          {
            id: switchTransfer.post(switchId),
            pendingId: row.hold_id,
            code: 'fx_switch',
            reference: switchId,
            flags: TransferFlags.postPending | TransferFlags.linked,
          },
          {
            id: switchTransfer.leg(switchId),
            debitAccountId: fxPositionAccountId(faceCurrency),
            creditAccountId: inventoryAccountId(provider.id),
            amountMinor: row.cost_minor,
            currency: faceCurrency,
            code: 'fx_switch',
            reference: switchId,
          },
        ],
        nowMs,
      );
      const [posted, leg] = results;
      if (posted === 'pending_transfer_expired' || posted === 'pending_transfer_already_expired') {
        await releaseExpired(ctx, tx, row, nowMs);
        return { kind: 'done', result: fail('fx_quote_expired', 'quote') };
      }
      assert(
        (posted === 'ok' || posted === 'exists') && (leg === 'ok' || leg === 'exists'),
        `the switch's linked transfers post (${posted ?? 'none'}, ${leg ?? 'none'})`,
      );
      const pinRow = await foreignTables(tx)
        .selectFrom('foreign_pin')
        .selectAll()
        .where('id', '=', row.pin_id)
        .executeTakeFirst();
      assert(
        pinRow?.state === 'reserved' && pinRow.switch_id === switchId,
        'the reserved PIN is bound to this switch',
      );
      const pin = unsealPin(ctx.keys, pinRow.id, pinRow.pin_sealed);
      // A PIN that no longer opens means the key changed: roll back, money stays held.
      assert(pin !== null, 'the pool PIN opens under the foreign key');
      await foreignTables(tx)
        .updateTable('foreign_pin')
        .set({ state: 'sold', sold_at_ms: nowMs })
        .where('id', '=', pinRow.id)
        .where('state', '=', 'reserved')
        .execute();
      await foreignTables(tx)
        .updateTable('foreign_switch')
        .set({ state: 'completed', completed_at_ms: nowMs, updated_at_ms: nowMs })
        .where('id', '=', switchId)
        .where('state', '=', 'reserved')
        .execute();
      const quote = await loadQuoteRow(ctx, tx, row.quote_id);
      const payCurrency = currencyOf(row.pay_currency);
      const locale: Locale = isLocale(row.locale) ? row.locale : 'en';
      const card = await lockCard(ctx.cards, tx, row.card_id);
      const mailed = await enqueueEmail(ctx.notify, tx, {
        dedupeKey: `foreign:${switchId}:pin`,
        to: row.email,
        locale,
        template: 'foreign_pin',
        data: {
          providerName: provider.name,
          value: formatMoney(row.face_value_minor, faceCurrency),
          pin,
          paid: formatMoney(row.pay_minor, payCurrency),
          rate: describeRate(quote?.rate_text ?? '', faceCurrency, payCurrency),
          cardLast4: card.ok ? card.value.pinLast4 : '',
          reference: switchId,
          at: isoFromMs(nowMs),
        },
      });
      assert(mailed.ok, 'the PIN e-mail is queued');
      const lowStock = await checkStockLevel(ctx, tx, provider, row.face_value_minor, switchId);
      const after = await loadSwitch(ctx, tx, switchId);
      assert(after !== undefined, 'the switch reads back');
      return {
        kind: 'done',
        result: await answerOf(ctx, after, { pin, replayed: false, lowStock }, tx),
      };
    },
  );
  if (outcome.kind === 'done') return outcome.result;
  // Someone else moved the switch on meanwhile (a concurrent resume): answer with its state.
  const row = await loadSwitch(ctx, ctx.db.kysely, switchId);
  assert(row !== undefined, 'the switch exists');
  return answerOf(ctx, row, { pin: null, replayed: true, lowStock: null });
}

export interface ReleaseReport {
  readonly simulate: boolean;
  /** Switches whose hold ran out: released (or, simulating, to be released). */
  readonly switches: readonly {
    readonly switchId: string;
    readonly state: SwitchState;
    readonly pinId: string | null;
  }[];
  /** Open quotes past their time, now marked `expired`. */
  readonly quotesExpired: number;
}

/**
 * The recovery run (the worker's or `onepin foreign recover`): switches stuck `held` or
 * `reserved` after a crash, once their hold has run out, have the hold expired and the PIN
 * given back to the pool; open quotes past their time are marked `expired`. Safe to run again
 * and alongside the worker's hold expiry (the same transfer ids). Simulate lists, writes nothing.
 */
export async function releaseStaleSwitches(
  ctx: ForeignContext,
  options: { readonly simulate?: boolean; readonly limit?: number } = {},
): Promise<ReleaseReport> {
  const nowMs = ctx.clock.nowMs();
  const limit = options.limit ?? 500;
  const stale = await foreignTables(ctx.db.kysely)
    .selectFrom('foreign_switch')
    .select(['id', 'state', 'pin_id', 'card_id'])
    .where('state', 'in', ['held', 'reserved'])
    .where('hold_expires_at_ms', '<=', nowMs)
    .orderBy('hold_expires_at_ms')
    .limit(limit)
    .execute();
  const staleQuotes = await foreignTables(ctx.db.kysely)
    .selectFrom('foreign_quote')
    .select('id')
    .where('state', '=', 'open')
    .where('expires_at_ms', '<=', nowMs)
    .limit(limit)
    .execute();
  if (options.simulate === true) {
    return {
      simulate: true,
      switches: stale.map((s) => ({ switchId: s.id, state: s.state, pinId: s.pin_id })),
      quotesExpired: staleQuotes.length,
    };
  }
  const released: { switchId: string; state: SwitchState; pinId: string | null }[] = [];
  for (const s of stale) {
    const done = await writeTransaction(ctx.db, async (tx) => {
      await lockCard(ctx.cards, tx, s.card_id);
      const row = await loadSwitch(ctx, tx, s.id, { lock: true });
      if (row === undefined || (row.state !== 'held' && row.state !== 'reserved')) return false;
      if (nowMs < row.hold_expires_at_ms) return false;
      await releaseExpired(ctx, tx, row, nowMs);
      return true;
    });
    if (done) released.push({ switchId: s.id, state: 'expired', pinId: s.pin_id });
  }
  let quotesExpired = 0;
  if (staleQuotes.length > 0) {
    const result = await writeTransaction(ctx.db, (tx) =>
      foreignTables(tx)
        .updateTable('foreign_quote')
        .set({ state: 'expired' })
        .where(
          'id',
          'in',
          staleQuotes.map((q) => q.id),
        )
        .where('state', '=', 'open')
        .executeTakeFirst(),
    );
    quotesExpired = Number(result.numUpdatedRows);
  }
  return { simulate: false, switches: released, quotesExpired };
}

/** A card's switches, newest first (for the holder's page). */
export async function listSwitches(
  ctx: ForeignContext,
  cardId: string,
  limit = 20,
): Promise<
  readonly {
    readonly switchId: string;
    readonly providerName: string;
    readonly state: SwitchState;
    readonly faceValueMinor: bigint;
    readonly faceCurrency: Currency;
    readonly payMinor: bigint;
    readonly payCurrency: Currency;
    readonly pinLast4: string | null;
    readonly createdAtMs: bigint;
  }[]
> {
  const rows = await foreignTables(ctx.db.kysely)
    .selectFrom('foreign_switch as s')
    .innerJoin('foreign_provider as p', 'p.id', 's.provider_id')
    .leftJoin('foreign_pin as n', 'n.id', 's.pin_id')
    .select([
      's.id as id',
      'p.name as provider_name',
      's.state as state',
      's.face_value_minor as face_value_minor',
      's.face_currency as face_currency',
      's.pay_minor as pay_minor',
      's.pay_currency as pay_currency',
      'n.pin_last4 as pin_last4',
      's.created_at_ms as created_at_ms',
    ])
    .where('s.card_id', '=', cardId)
    .orderBy('s.created_at_ms', 'desc')
    .orderBy('s.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    switchId: r.id,
    providerName: r.provider_name,
    state: r.state,
    faceValueMinor: r.face_value_minor,
    faceCurrency: currencyOf(r.face_currency),
    payMinor: r.pay_minor,
    payCurrency: currencyOf(r.pay_currency),
    pinLast4: r.pin_last4,
    createdAtMs: r.created_at_ms,
  }));
}
