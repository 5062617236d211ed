import { fail, ok, type Outcome } from '../kernel/index.ts';
import type { SessionsContext } from './context.ts';
import type { RatingSummary } from './session-answer.ts';
import { sessionTables } from './session-tables.ts';
import { clientKeyOf, ratingSummary } from './sessions.ts';
import { usageFromRow, type UsageRecord } from './usage.ts';

/**
 * A session's or event's usage record as the client that started it may read it: the usage
 * record (usage.ts) plus the session state the client drives (its open grant, the next request
 * number it may send, the session timer).
 */
export interface SessionRecord extends UsageRecord {
  readonly rating: RatingSummary;
  /** The open grant (0 once the session ended); `reservedMinor` is what is held for it. */
  readonly grantedSeconds: number;
  /** The lowest request number the session still accepts. */
  readonly nextRequestNumber: number;
  readonly lastRequestAtMs: bigint;
  /** When a silent open session will be ended by its timer; null once ended. */
  readonly timerAtMs: bigint | null;
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
    ...usageFromRow(row),
    rating: ratingSummary(row),
    grantedSeconds: Number(row.granted_seconds),
    nextRequestNumber: Number(row.next_request_number),
    lastRequestAtMs: row.last_request_at_ms,
    timerAtMs: row.timer_at_ms,
  });
}
