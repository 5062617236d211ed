import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { fail, isoFromMs, limits, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { beforeCursor, type Executor } from '../storage/index.ts';
import type { ChargingContext } from './context.ts';
import { billedSeconds } from './cost-rules.ts';
import { describeRate } from './describe-rate.ts';
import { rateFromJson } from './session-answer.ts';
import { sessionTables, type ChargingSessionTable } from './session-tables.ts';
import { isService } from './types.ts';

/**
 * Usage records (CDRs): one per charging session or event, read from `charging_session`. For
 * the operator (`onepin usage list`), the holder's statement (which enriches its ledger entries
 * with them) and settlement (`exportUsageCsv`). Reading only: nothing here changes anything.
 */

export const USAGE_KINDS = ['session', 'event'] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

export interface UsageRecord {
  /** Ours (`cs_…`); the `reference` of every ledger transfer of the session. */
  readonly sessionId: string;
  readonly kind: UsageKind;
  readonly service: string;
  readonly cardId: string;
  /** `diameter`, `ivr`, `http:<associate id>`. */
  readonly origin: string;
  /** The client's own session id (Session-Id on Diameter). */
  readonly clientSessionId: string;
  readonly startedAtMs: bigint;
  /** null while the session is open. */
  readonly endedAtMs: bigint | null;
  readonly state: 'open' | 'closed' | 'expired';
  /** `terminated`, `timer`, `service_denied`, `event`; null while open. */
  readonly endReason: string | null;
  /** The number as the switch sent it ('' for an event without one). */
  readonly called: string;
  readonly e164: string;
  readonly prefix: string;
  readonly destinationId: string;
  readonly destinationName: string;
  readonly rateId: string;
  readonly tariffVersion: number;
  /** "108 KRW/min, billed 60/6, connection 50 KRW": the rate the session was rated with. */
  readonly rateDescription: string;
  /** Seconds used (units for sms and content), as committed so far. */
  readonly usedSeconds: number;
  /** `usedSeconds` rounded up to the rate's first block and increments. */
  readonly billedSeconds: number;
  readonly costMinor: bigint;
  /** What was taken from the card; `uncollected` is the part of the cost it could not pay. */
  readonly collectedMinor: bigint;
  readonly uncollectedMinor: bigint;
  readonly refundedMinor: bigint;
  /** Held for the session's current grant (0 once it has ended). */
  readonly reservedMinor: bigint;
  /** The card's available balance when the session started. */
  readonly balanceBeforeMinor: bigint;
  /** The available balance when it ended (and after a later refund); null while open. */
  readonly balanceAfterMinor: bigint | null;
  readonly currency: Currency;
}

export function usageFromRow(row: ChargingSessionTable): UsageRecord {
  const rate = rateFromJson(row.rate_json);
  const currency = row.currency as Currency;
  const used = Number(row.used_seconds);
  return {
    sessionId: row.id,
    kind: row.kind,
    service: row.service,
    cardId: row.card_id,
    origin: row.origin,
    clientSessionId: row.client_session_id,
    startedAtMs: row.started_at_ms,
    endedAtMs: row.ended_at_ms,
    state: row.state,
    endReason: row.end_reason,
    called: row.called,
    e164: row.e164,
    prefix: row.prefix,
    destinationId: row.destination_id,
    destinationName: row.destination_name,
    rateId: row.rate_id,
    tariffVersion: Number(row.tariff_version),
    rateDescription: describeRate(rate, currency),
    usedSeconds: used,
    billedSeconds: billedSeconds(rate, used),
    costMinor: row.cost_minor,
    collectedMinor: row.collected_minor,
    uncollectedMinor: row.uncollected_minor,
    refundedMinor: row.refunded_minor,
    reservedMinor: row.hold_minor,
    balanceBeforeMinor: row.balance_before_minor,
    balanceAfterMinor: row.balance_after_minor,
    currency,
  };
}

/**
 * The ledger transfer that stands for the whole session in a card's statement: the first
 * reservation of a session (`<id>.h1`), the debit of an event (`<id>.d`). Every other transfer
 * of the session (later reservations, their posting or release, overruns) carries the same
 * reference, so a statement can show one line per call at the time it started. Refunds
 * (`charging_refund`) are movements of their own.
 */
export function usageAnchorTransferId(record: Pick<UsageRecord, 'sessionId' | 'kind'>): string {
  return record.kind === 'event' ? `${record.sessionId}.d` : `${record.sessionId}.h1`;
}

/** Ledger codes a charging session writes on the card besides the service's own. */
export const CHARGING_HOLD_CODES = [
  'reservation',
  'reservation_release',
  'reservation_expiry',
] as const;
export const CHARGING_REFUND_CODE = 'charging_refund';

const SESSION_ID = /^cs_[a-z0-9]{1,60}$/;
const CARD_ID_MAX = limits.idLengthMax;

export interface UsageQuery {
  readonly cardId?: string;
  /** Sessions that started at or after this instant. */
  readonly fromMs?: bigint;
  /** … and before this one. */
  readonly toMs?: bigint;
  readonly services?: readonly string[];
  readonly kinds?: readonly string[];
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
  /** Default `limits.pageSizeDefault`, at most `limits.pageSizeMax`. */
  readonly limit?: number;
}

export interface UsagePage {
  readonly records: readonly UsageRecord[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

function checkPeriod(fromMs: bigint | undefined, toMs: bigint | undefined): Outcome<null> {
  if (fromMs !== undefined && fromMs < 0n) return fail('parameter_invalid', 'from');
  if (toMs !== undefined && toMs < 0n) return fail('parameter_invalid', 'to');
  if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) {
    return fail('period_invalid', 'from', 'the period ends before it starts');
  }
  return ok(null);
}

/**
 * Usage records newest first (by start, then id), for one card and/or a period of starts,
 * optionally only some services or kinds; keyset pages, where the cursor is the id of the last
 * record of the previous page, so pages follow each other exactly while new calls arrive.
 */
export async function listUsage(ctx: ChargingContext, q: UsageQuery): Promise<Outcome<UsagePage>> {
  const limit = q.limit ?? limits.pageSizeDefault;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > limits.pageSizeMax) {
    return fail('parameter_invalid', 'limit', `1 to ${limits.pageSizeMax}`);
  }
  if (q.cardId !== undefined && (q.cardId.length === 0 || q.cardId.length > CARD_ID_MAX)) {
    return fail('parameter_invalid', 'card');
  }
  const period = checkPeriod(q.fromMs, q.toMs);
  if (!period.ok) return period;
  const services = q.services ?? [];
  if (!services.every(isService)) {
    return fail('parameter_invalid', 'service', 'call, voicemail, sms or content');
  }
  const kinds = q.kinds ?? [];
  if (!kinds.every((k) => (USAGE_KINDS as readonly string[]).includes(k))) {
    return fail('parameter_invalid', 'kind', 'session or event');
  }
  const t = sessionTables(ctx.db.kysely);
  let query = t
    .selectFrom('charging_session')
    .selectAll()
    .orderBy('started_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (q.cardId !== undefined) query = query.where('card_id', '=', q.cardId);
  if (q.fromMs !== undefined) query = query.where('started_at_ms', '>=', q.fromMs);
  if (q.toMs !== undefined) query = query.where('started_at_ms', '<', q.toMs);
  if (services.length > 0) query = query.where('service', 'in', [...services]);
  if (kinds.length > 0) query = query.where('kind', 'in', kinds as UsageKind[]);
  if (q.cursor !== undefined) {
    const cursor = SESSION_ID.test(q.cursor)
      ? await t
          .selectFrom('charging_session')
          .select(['id', 'started_at_ms'])
          .where('id', '=', q.cursor)
          .executeTakeFirst()
      : undefined;
    if (cursor === undefined) return fail('parameter_invalid', 'cursor');
    query = query.where(
      beforeCursor('started_at_ms', 'id', { created_at_ms: cursor.started_at_ms, id: cursor.id }),
    );
  }
  const rows = await query.execute();
  const records = rows.slice(0, limit).map(usageFromRow);
  const last = records.at(-1);
  return ok({
    records,
    nextCursor: rows.length > limit && last !== undefined ? last.sessionId : null,
  });
}

/**
 * The usage records named by ledger references (`cs_…`; other references are ignored), for a
 * statement to describe its entries. With `cardId`, only that card's records: a reference is
 * text anyone paying could have written, so a statement must never show another card's calls.
 */
export async function usageByReference(
  _ctx: ChargingContext,
  executor: Executor,
  references: readonly string[],
  options: { readonly cardId?: string } = {},
): Promise<Map<string, UsageRecord>> {
  const ids = [...new Set(references.filter((r) => SESSION_ID.test(r)))];
  const out = new Map<string, UsageRecord>();
  for (let i = 0; i < ids.length; i += limits.pageSizeMax) {
    let query = sessionTables(executor)
      .selectFrom('charging_session')
      .selectAll()
      .where('id', 'in', ids.slice(i, i + limits.pageSizeMax));
    if (options.cardId !== undefined) query = query.where('card_id', '=', options.cardId);
    for (const row of await query.execute()) out.set(row.id, usageFromRow(row));
  }
  return out;
}

// ---- Settlement export ----

/** The export's columns, in order (the header row). */
export const USAGE_CSV_COLUMNS = [
  'session_id',
  'kind',
  'service',
  'card_id',
  'origin',
  'client_session_id',
  'state',
  'end_reason',
  'started_at',
  'ended_at',
  'called',
  'e164',
  'prefix',
  'destination_id',
  'destination_name',
  'tariff_version',
  'rate_id',
  'rate_description',
  'used_seconds',
  'billed_seconds',
  'cost_minor',
  'collected_minor',
  'uncollected_minor',
  'refunded_minor',
  'balance_before_minor',
  'balance_after_minor',
  'currency',
] as const;

/** Rows read per query while exporting. */
const EXPORT_PAGE_ROWS = limits.pageSizeMax;
const NEEDS_QUOTES = /[",\r\n]/;

/** One RFC 4180 field: quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function usageCsvLine(r: UsageRecord): string {
  return csvRecord([
    r.sessionId,
    r.kind,
    r.service,
    r.cardId,
    r.origin,
    r.clientSessionId,
    r.state,
    r.endReason ?? '',
    isoFromMs(r.startedAtMs),
    r.endedAtMs === null ? '' : isoFromMs(r.endedAtMs),
    r.called,
    r.e164,
    r.prefix,
    r.destinationId,
    r.destinationName,
    String(r.tariffVersion),
    r.rateId,
    r.rateDescription,
    String(r.usedSeconds),
    String(r.billedSeconds),
    r.costMinor.toString(),
    r.collectedMinor.toString(),
    r.uncollectedMinor.toString(),
    r.refundedMinor.toString(),
    r.balanceBeforeMinor.toString(),
    r.balanceAfterMinor === null ? '' : r.balanceAfterMinor.toString(),
    r.currency,
  ]);
}

export interface UsageTotals {
  readonly service: string;
  readonly currency: Currency;
  readonly records: number;
  readonly usedSeconds: number;
  readonly billedSeconds: number;
  readonly costMinor: bigint;
  readonly collectedMinor: bigint;
  readonly uncollectedMinor: bigint;
  readonly refundedMinor: bigint;
}

export interface UsageExport {
  /** The whole file (header included) when no `write` was given; null when it was streamed. */
  readonly csv: string | null;
  readonly records: number;
  /** Per service and currency, sorted by service then currency. */
  readonly totals: readonly UsageTotals[];
}

export interface UsageExportQuery {
  /** Records that ended at or after this instant … */
  readonly fromMs: bigint;
  /** … and before this one. */
  readonly toMs: bigint;
  /** Receives the file in chunks (header first); without it the file is returned as `csv`. */
  readonly write?: (chunk: string) => void | Promise<void>;
}

function afterKey(endedAtMs: bigint, id: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref('ended_at_ms')}, ${sql.ref('id')}) > (${endedAtMs}, ${id})`;
}

function addTotals(map: Map<string, UsageTotals>, r: UsageRecord): void {
  const key = `${r.service}|${r.currency}`;
  const t = map.get(key) ?? {
    service: r.service,
    currency: r.currency,
    records: 0,
    usedSeconds: 0,
    billedSeconds: 0,
    costMinor: 0n,
    collectedMinor: 0n,
    uncollectedMinor: 0n,
    refundedMinor: 0n,
  };
  map.set(key, {
    ...t,
    records: t.records + 1,
    usedSeconds: t.usedSeconds + r.usedSeconds,
    billedSeconds: t.billedSeconds + r.billedSeconds,
    costMinor: t.costMinor + r.costMinor,
    collectedMinor: t.collectedMinor + r.collectedMinor,
    uncollectedMinor: t.uncollectedMinor + r.uncollectedMinor,
    refundedMinor: t.refundedMinor + r.refundedMinor,
  });
}

/**
 * The settlement file for a period: every session that ended (closed or expired) and every
 * event, with `fromMs ≤ ended < toMs`, oldest first (by end, then id), one RFC 4180 line each
 * after a header row; money in minor units, times ISO 8601 UTC. Open sessions are left for the
 * period they end in. Read in keyset pages, so a month of calls never sits in memory when
 * `write` is given. Returns the totals per service and currency.
 */
export async function exportUsageCsv(
  ctx: ChargingContext,
  q: UsageExportQuery,
): Promise<Outcome<UsageExport>> {
  const period = checkPeriod(q.fromMs, q.toMs);
  if (!period.ok) return period;
  let collected = '';
  const emit = async (chunk: string): Promise<void> => {
    if (q.write === undefined) collected += chunk;
    else await q.write(chunk);
  };
  await emit(csvRecord(USAGE_CSV_COLUMNS));
  const totals = new Map<string, UsageTotals>();
  let count = 0;
  let after: { endedAtMs: bigint; id: string } | null = null;
  for (;;) {
    let query = sessionTables(ctx.db.kysely)
      .selectFrom('charging_session')
      .selectAll()
      .where('state', 'in', ['closed', 'expired'])
      .where('ended_at_ms', '>=', q.fromMs)
      .where('ended_at_ms', '<', q.toMs)
      .orderBy('ended_at_ms')
      .orderBy('id')
      .limit(EXPORT_PAGE_ROWS);
    if (after !== null) query = query.where(afterKey(after.endedAtMs, after.id));
    const rows = await query.execute();
    let chunk = '';
    for (const row of rows) {
      const record = usageFromRow(row);
      chunk += usageCsvLine(record);
      addTotals(totals, record);
    }
    if (chunk !== '') await emit(chunk);
    count += rows.length;
    const last = rows.at(-1);
    if (rows.length < EXPORT_PAGE_ROWS || last === undefined || last.ended_at_ms === null) break;
    after = { endedAtMs: last.ended_at_ms, id: last.id };
  }
  return ok({
    csv: q.write === undefined ? collected : null,
    records: count,
    totals: [...totals.values()].sort((a, b) =>
      a.service === b.service ? (a.currency < b.currency ? -1 : 1) : a.service < b.service ? -1 : 1,
    ),
  });
}
