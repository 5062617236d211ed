import { activateCard, formatPin, renewActivationSecret } from '../cards/index.ts';
import { fail, formatMoney, isoFromMs, newId, ok, type Outcome } from '../kernel/index.ts';
import { enqueueEmail } from '../notify/index.ts';
import { writeTransaction, type Executor } from '../storage/index.ts';
import { salesTables, type SalesContext } from './context.ts';
import { unsealPin, unsealSecret } from './fulfil.ts';
import { upsertHolder } from './holders.ts';
import { orderForBuyer, type Locale, type Order } from './order-row.ts';
import {
  GIFT_CLAIM_TTL_MS,
  GIFT_DELIVERY_DAYS_MAX,
  GIFT_DESIGNS,
  GIFT_MESSAGE_LENGTH_MAX,
  cleanName,
  isEmail,
  type GiftDesign,
} from './rules.ts';

/**
 * After payment the buyer takes each card: its PIN is shown once, then the buyer keeps it
 * (registers a password: the card is active) or gives it (a gift e-mail with a claim link).
 * The sealed PIN and claim secret are erased when the card is handed over.
 */
export interface OrderCard {
  readonly cardId: string;
  readonly serial: string;
  readonly last4: string;
  readonly faceValueMinor: bigint;
  /** 'self', 'gift' or null while waiting for the buyer's choice. */
  readonly handover: 'self' | 'gift' | null;
  /** In the clear only on the one response that reveals it. */
  readonly pin: string | null;
}

export interface BuyerView {
  readonly order: Order;
  readonly cards: readonly OrderCard[];
  /** True on the one response that shows the PINs. */
  readonly revealedNow: boolean;
}

/**
 * The buyer's view of an order. The first view after fulfilment reveals the PINs and records
 * that it did (a conditional update: of two racing requests only one reveals); later views show
 * the last four digits only.
 */
export async function buyerView(
  ctx: SalesContext,
  input: { readonly orderId: string; readonly key: string },
): Promise<Outcome<BuyerView>> {
  const order = await orderForBuyer(ctx, ctx.db.kysely, input);
  if (order === null) return fail('order_not_found');
  let reveal = false;
  if (order.status === 'fulfilled' && order.kind === 'purchase' && !order.pinsShown) {
    const result = await salesTables(ctx.db.kysely)
      .updateTable('sales_order')
      .set({ pins_shown_at_ms: ctx.clock.nowMs() })
      .where('id', '=', order.id)
      .where('pins_shown_at_ms', 'is', null)
      .executeTakeFirst();
    reveal = result.numUpdatedRows === 1n;
  }
  const rows = await salesTables(ctx.db.kysely)
    .selectFrom('sales_order_card')
    .selectAll()
    .where('order_id', '=', order.id)
    .orderBy('serial')
    .execute();
  const cards = rows.map((r): OrderCard => ({
    cardId: r.card_id,
    serial: r.serial,
    last4: r.pin_last4,
    faceValueMinor: r.face_value_minor,
    handover: r.handover === 'self' || r.handover === 'gift' ? r.handover : null,
    pin: reveal ? unsealPin(ctx, r.card_id, r.pin_sealed) : null,
  }));
  return ok({ order: reveal ? { ...order, pinsShown: true } : order, cards, revealedNow: reveal });
}

async function waitingCard(
  ctx: SalesContext,
  executor: Executor,
  order: Order,
  cardId: string,
): Promise<Outcome<{ pin: string; secret: string; faceValueMinor: bigint; serial: string }>> {
  const row = await salesTables(executor)
    .selectFrom('sales_order_card')
    .selectAll()
    .where('order_id', '=', order.id)
    .where('card_id', '=', cardId)
    .executeTakeFirst();
  if (row === undefined) return fail('card_not_found', 'card');
  if (row.handover !== null) return fail('card_state_invalid', 'card', 'already handed over');
  const pin = unsealPin(ctx, row.card_id, row.pin_sealed);
  const secret = unsealSecret(ctx, row.card_id, row.secret_sealed);
  if (pin === null || secret === null) return fail('order_state_invalid');
  return ok({ pin, secret, faceValueMinor: row.face_value_minor, serial: row.serial });
}

async function markHandedOver(
  ctx: SalesContext,
  tx: Executor,
  cardId: string,
  how: 'self' | 'gift',
): Promise<boolean> {
  const result = await salesTables(tx)
    .updateTable('sales_order_card')
    .set({
      handover: how,
      handed_over_at_ms: ctx.clock.nowMs(),
      pin_sealed: null,
      secret_sealed: null,
    })
    .where('card_id', '=', cardId)
    .where('handover', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** "For user": the buyer registers the card's password and the card is active at once. */
export async function keepForSelf(
  ctx: SalesContext,
  input: {
    readonly orderId: string;
    readonly key: string;
    readonly cardId: string;
    readonly password: string;
    readonly passwordConfirm: string;
  },
): Promise<Outcome<{ readonly last4: string }>> {
  const order = await orderForBuyer(ctx, ctx.db.kysely, input);
  if (order === null) return fail('order_not_found');
  if (order.status !== 'fulfilled') return fail('order_state_invalid');
  if (input.password !== input.passwordConfirm) return fail('password_invalid', 'password_confirm');
  const waiting = await waitingCard(ctx, ctx.db.kysely, order, input.cardId);
  if (!waiting.ok) return waiting;
  const activated = await activateCard(ctx.cards, {
    pin: waiting.value.pin,
    activationSecret: waiting.value.secret,
    password: input.password,
  });
  if (!activated.ok) return activated;
  await writeTransaction(ctx.db, (tx) => markHandedOver(ctx, tx, input.cardId, 'self'));
  return ok({ last4: activated.value.pinLast4 });
}

export interface GiftInput {
  readonly orderId: string;
  readonly key: string;
  readonly cardId: string;
  readonly senderName: string;
  readonly recipientName: string;
  readonly recipientEmail: string;
  readonly design: string;
  readonly message: string;
  /** `YYYY-MM-DD` (delivered at 09:00 Korea time that day), or '' for now. */
  readonly deliverOn: string;
  readonly locale: Locale;
}

const KST_OFFSET_MS = 9n * 3_600_000n;
const DELIVERY_HOUR_MS = 9n * 3_600_000n;

/** `YYYY-MM-DD` → 09:00 KST of that day as UTC ms; null when malformed. */
function deliveryMs(text: string): bigint | null {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (m === null) return null;
  const utcMidnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const check = new Date(utcMidnight);
  if (Number.isNaN(utcMidnight) || check.getUTCDate() !== Number(m[3])) return null;
  return BigInt(utcMidnight) - KST_OFFSET_MS + DELIVERY_HOUR_MS;
}

export function isGiftDesign(text: string): text is GiftDesign {
  return (GIFT_DESIGNS as readonly string[]).includes(text);
}

/**
 * "For gift": the card goes by e-mail, on a chosen day, in a chosen design, with a message.
 * The claim link carries a fresh activation secret that lives from the delivery on; the
 * recipient opens it, types the PIN (in the same e-mail) and chooses a password.
 */
export async function sendAsGift(
  ctx: SalesContext,
  input: GiftInput,
): Promise<Outcome<{ readonly giftId: string; readonly deliverAtMs: bigint }>> {
  const order = await orderForBuyer(ctx, ctx.db.kysely, input);
  if (order === null) return fail('order_not_found');
  if (order.status !== 'fulfilled') return fail('order_state_invalid');
  const sender = cleanName(input.senderName);
  if (sender === null) return fail('name_invalid', 'sender_name');
  const recipient = cleanName(input.recipientName);
  if (recipient === null) return fail('name_invalid', 'recipient_name');
  const email = input.recipientEmail.trim();
  if (!isEmail(email)) return fail('email_invalid', 'recipient_email');
  const design = input.design;
  if (!isGiftDesign(design)) return fail('design_invalid', 'design');
  const message = input.message.trim();
  if (message.length > GIFT_MESSAGE_LENGTH_MAX) return fail('parameter_invalid', 'message');
  const nowMs = ctx.clock.nowMs();
  let deliverAtMs = nowMs;
  if (input.deliverOn.trim() !== '') {
    const at = deliveryMs(input.deliverOn.trim());
    const latest = nowMs + GIFT_DELIVERY_DAYS_MAX * 86_400_000n;
    // "Today" in Korea may already be past 09:00: that day means as soon as possible.
    const todayKst =
      nowMs + KST_OFFSET_MS - ((nowMs + KST_OFFSET_MS) % 86_400_000n) - KST_OFFSET_MS;
    if (at === null || at < todayKst || at > latest)
      return fail('delivery_date_invalid', 'deliver_on');
    deliverAtMs = at > nowMs ? at : nowMs;
  }
  const waiting = await waitingCard(ctx, ctx.db.kysely, order, input.cardId);
  if (!waiting.ok) return waiting;
  const giftId = newId('gft');
  const claimExpiresAtMs = deliverAtMs + GIFT_CLAIM_TTL_MS;
  return writeTransaction(ctx.db, async (tx) => {
    const renewed = await renewActivationSecret(ctx.cards, tx, {
      cardId: input.cardId,
      kind: 'claim_link',
      expiresAtMs: claimExpiresAtMs,
    });
    if (!renewed.ok) return renewed;
    if (!(await markHandedOver(ctx, tx, input.cardId, 'gift')))
      return fail('card_state_invalid', 'card', 'already handed over');
    await salesTables(tx)
      .insertInto('sales_gift')
      .values({
        id: giftId,
        order_id: order.id,
        card_id: input.cardId,
        sender_name: sender,
        recipient_name: recipient,
        recipient_email: email,
        design: input.design,
        message,
        locale: input.locale,
        deliver_at_ms: deliverAtMs,
        claim_expires_at_ms: claimExpiresAtMs,
        claimed_at_ms: null,
        created_at_ms: nowMs,
      })
      .execute();
    const mailed = await enqueueEmail(ctx.notify, tx, {
      dedupeKey: `gift:${giftId}`,
      to: email,
      locale: input.locale,
      template: 'gift',
      sendAfterMs: deliverAtMs,
      data: {
        senderName: sender,
        recipientName: recipient,
        message,
        design,
        amount: formatMoney(waiting.value.faceValueMinor, order.currency),
        pin: formatPin(waiting.value.pin),
        serial: waiting.value.serial,
        claimUrl: claimUrl(ctx, giftId, renewed.value.secret),
        claimExpiresAt: isoFromMs(claimExpiresAtMs),
        siteUrl: ctx.publicUrl,
      },
    });
    if (!mailed.ok) throw new Error(`gift e-mail refused: ${mailed.error.code}`);
    return ok({ giftId, deliverAtMs });
  });
}

export function claimUrl(ctx: SalesContext, giftId: string, secret: string): string {
  return `${ctx.publicUrl}/claim/${giftId}/${secret}`;
}

export interface GiftView {
  readonly giftId: string;
  readonly senderName: string;
  readonly recipientName: string;
  readonly design: GiftDesign;
  readonly message: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly claimed: boolean;
  readonly expired: boolean;
}

/** What the claim page shows: the gift, never the card's PIN. */
export async function giftView(ctx: SalesContext, giftId: string): Promise<Outcome<GiftView>> {
  if (!/^gft_[a-z0-9]{1,40}$/.test(giftId)) return fail('activation_secret_invalid');
  const row = await salesTables(ctx.db.kysely)
    .selectFrom('sales_gift')
    .innerJoin('sales_order_card', 'sales_order_card.card_id', 'sales_gift.card_id')
    .innerJoin('sales_order', 'sales_order.id', 'sales_gift.order_id')
    .select([
      'sales_gift.id',
      'sales_gift.sender_name',
      'sales_gift.recipient_name',
      'sales_gift.design',
      'sales_gift.message',
      'sales_gift.claimed_at_ms',
      'sales_gift.claim_expires_at_ms',
      'sales_order_card.face_value_minor',
      'sales_order.currency',
    ])
    .where('sales_gift.id', '=', giftId)
    .executeTakeFirst();
  if (row === undefined) return fail('activation_secret_invalid');
  return ok({
    giftId: row.id,
    senderName: row.sender_name,
    recipientName: row.recipient_name,
    design: isGiftDesign(row.design) ? row.design : 'classic',
    message: row.message,
    amountMinor: row.face_value_minor,
    currency: row.currency,
    claimed: row.claimed_at_ms !== null,
    expired: ctx.clock.nowMs() >= row.claim_expires_at_ms,
  });
}

/**
 * The recipient claims: the link's secret + the PIN + a new password activate the card (the
 * cards module checks the secret, counts wrong ones and lets it work once). The recipient's
 * details replace the buyer's on the card.
 */
export async function claimGift(
  ctx: SalesContext,
  input: {
    readonly giftId: string;
    readonly secret: string;
    readonly pin: string;
    readonly password: string;
    readonly passwordConfirm: string;
  },
): Promise<Outcome<{ readonly last4: string }>> {
  const gift = await salesTables(ctx.db.kysely)
    .selectFrom('sales_gift')
    .selectAll()
    .where('id', '=', input.giftId)
    .executeTakeFirst();
  if (gift?.claimed_at_ms !== null) return fail('activation_secret_invalid');
  if (input.password !== input.passwordConfirm) return fail('password_invalid', 'password_confirm');
  const activated = await activateCard(ctx.cards, {
    pin: input.pin,
    activationSecret: input.secret,
    password: input.password,
  });
  if (!activated.ok) return activated;
  if (activated.value.id !== gift.card_id) {
    // The secret matched another card's PIN: impossible unless secrets collide; refuse loudly.
    return fail('activation_secret_invalid');
  }
  await writeTransaction(ctx.db, async (tx) => {
    await salesTables(tx)
      .updateTable('sales_gift')
      .set({ claimed_at_ms: ctx.clock.nowMs() })
      .where('id', '=', gift.id)
      .execute();
    await upsertHolder(ctx, tx, {
      cardId: gift.card_id,
      name: gift.recipient_name,
      email: gift.recipient_email,
      phone: null,
      locale: gift.locale === 'ko' ? 'ko' : 'en',
    });
  });
  return ok({ last4: activated.value.pinLast4 });
}
