import { fail, ok, type Currency, type Outcome } from '../kernel/index.ts';
import type { SessionsContext } from './context.ts';
import type { RatingSummary } from './session-answer.ts';
import { sessionTables } from './session-tables.ts';
import { clientKeyOf, ratingSummary } from './sessions.ts';

/** A session's or event's usage record, as a client that started it may read it. */
export interface SessionRecord {
  /** Ours (`cs_…`). */
  readonly sessionId: string;
  readonly clientSessionId: string;
  readonly kind: 'session' | 'event';
  readonly state: 'open' | 'closed' | 'expired';
  /** The number as the client sent it ('' for an event without one). */
  readonly called: string;
  readonly rating: RatingSummary;
  readonly currency: Currency;
  /** Seconds (units for events) used and committed so far. */
  readonly usedSeconds: number;
  /** The open grant and what is reserved for it (0 once the session ended). */
  readonly grantedSeconds: number;
  readonly reservedMinor: bigint;
  readonly costMinor: bigint;
  readonly collectedMinor: bigint;
  readonly uncollectedMinor: bigint;
  readonly refundedMinor: bigint;
  /** The card's available balance when the session started, and when it ended (null: open). */
  readonly balanceBeforeMinor: bigint;
  readonly balanceAfterMinor: bigint | null;
  /** The lowest request number the session still accepts. */
  readonly nextRequestNumber: number;
  readonly startedAtMs: bigint;
  readonly lastRequestAtMs: bigint;
  /** When a silent open session will be ended by its timer; null once ended. */
  readonly timerAtMs: bigint | null;
  readonly endedAtMs: bigint | null;
  /** `terminated`, `timer`, `service_denied`, `event`; null while open. */
  readonly endReason: string | null;
}

/**
 * The usage record of one client session of one origin (`http:<associate id>`, `diameter`, …),
 * or `session_not_found`: a client never sees another origin's sessions. Reads only.
 */
export async function getSessionRecord(
  ctx: SessionsContext,
  origin: string,
  clientSessionId: string,
): Promise<Outcome<SessionRecord>> {
  const row = await sessionTables(ctx.db.kysely)
    .selectFrom('charging_session')
    .selectAll()
    .where('client_key', '=', clientKeyOf({ origin, clientSessionId }))
    .executeTakeFirst();
  if (row?.origin !== origin || row.client_session_id !== clientSessionId) {
    return fail('session_not_found', 'session_id');
  }
  return ok({
    sessionId: row.id,
    clientSessionId: row.client_session_id,
    kind: row.kind,
    state: row.state,
    called: row.called,
    rating: ratingSummary(row),
    currency: row.currency as Currency,
    usedSeconds: Number(row.used_seconds),
    grantedSeconds: Number(row.granted_seconds),
    reservedMinor: row.hold_minor,
    costMinor: row.cost_minor,
    collectedMinor: row.collected_minor,
    uncollectedMinor: row.uncollected_minor,
    refundedMinor: row.refunded_minor,
    balanceBeforeMinor: row.balance_before_minor,
    balanceAfterMinor: row.balance_after_minor,
    nextRequestNumber: Number(row.next_request_number),
    startedAtMs: row.started_at_ms,
    lastRequestAtMs: row.last_request_at_ms,
    timerAtMs: row.timer_at_ms,
    endedAtMs: row.ended_at_ms,
    endReason: row.end_reason,
  });
}
