import { createHash } from 'node:crypto';
import { fail, ok, type Currency, type Outcome } from '../kernel/index.ts';
import type { Executor } from '../storage/index.ts';
import type { Rate } from './types.ts';
import { sessionTables } from './session-tables.ts';

export type ChargingRequestType = 'initial' | 'update' | 'terminate' | 'event';

/**
 * How a request that was processed ended. `ok`; `credit_limit_reached` (an update whose used
 * units were committed but whose card can pay no more: the zero grant); `service_denied` (the
 * used units were committed, but the card is no longer active: locked, expired).
 */
export type ChargingStatus = 'ok' | 'credit_limit_reached' | 'service_denied';

export interface RatingSummary {
  readonly service: string;
  readonly e164: string;
  readonly prefix: string;
  readonly destinationId: string;
  readonly destinationName: string;
  readonly rateId: string;
  readonly tariffVersion: number;
}

/** The answer to a charging request: stored, and given again to a duplicate. */
export interface ChargingAnswer {
  /** Ours (`cs_…`): the usage record's id. */
  readonly sessionId: string;
  readonly clientSessionId: string;
  readonly requestType: ChargingRequestType;
  readonly requestNumber: number;
  readonly status: ChargingStatus;
  readonly state: 'open' | 'closed' | 'expired';
  /** Seconds (units for events) granted by this answer; null when it grants nothing. */
  readonly grantedSeconds: number | null;
  /** The card cannot pay beyond this grant: the client ends the service when it is used. */
  readonly finalUnit: boolean;
  readonly validityTimeSeconds: number | null;
  /** Taken from (negative: given back to) the card by this request. */
  readonly chargedMinor: bigint;
  /** Held for the session after this request. */
  readonly reservedMinor: bigint;
  /** The session's totals so far. */
  readonly usedSeconds: number;
  readonly costMinor: bigint;
  readonly uncollectedMinor: bigint;
  readonly refundedMinor: bigint;
  /** The card's available balance after this request. */
  readonly balanceMinor: bigint;
  readonly currency: Currency;
  readonly rating: RatingSummary;
  /** True when this is a stored answer given again. */
  readonly replayed: boolean;
}

const BIGINT_FIELDS = [
  'chargedMinor',
  'reservedMinor',
  'costMinor',
  'uncollectedMinor',
  'refundedMinor',
  'balanceMinor',
] as const;

function answerToJson(answer: ChargingAnswer): string {
  return JSON.stringify(answer, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

function answerFromJson(text: string): ChargingAnswer {
  const raw = JSON.parse(text) as Record<string, unknown>;
  for (const field of BIGINT_FIELDS) raw[field] = BigInt(raw[field] as string);
  return raw as unknown as ChargingAnswer;
}

export function rateToJson(rate: Rate): string {
  return JSON.stringify(rate, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

export function rateFromJson(text: string): Rate {
  const raw = JSON.parse(text) as Record<string, string | number>;
  return {
    id: String(raw.id),
    connectionFeeMinor: BigInt(raw.connectionFeeMinor ?? 0),
    firstBlockSeconds: Number(raw.firstBlockSeconds),
    incrementSeconds: Number(raw.incrementSeconds),
    priceMinor: BigInt(raw.priceMinor ?? 0),
    unitSeconds: Number(raw.unitSeconds),
    minimumCostMinor: BigInt(raw.minimumCostMinor ?? 0),
    disconnectFeeMinor: BigInt(raw.disconnectFeeMinor ?? 0),
  };
}

/** A digest of what a request asked, to tell a duplicate from a different request. */
export function requestDigest(fields: Record<string, string | number | null | undefined>): string {
  const text = JSON.stringify(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The stored answer to (session, request number): the same request again gets it with
 * `replayed`; a different request under the same number is `request_conflict`.
 */
export async function recallAnswer(
  executor: Executor,
  clientKey: string,
  requestNumber: number,
  digest: string,
): Promise<Outcome<ChargingAnswer> | null> {
  const row = await sessionTables(executor)
    .selectFrom('charging_request')
    .select(['request_hash', 'answer_json'])
    .where('client_key', '=', clientKey)
    .where('request_number', '=', BigInt(requestNumber))
    .executeTakeFirst();
  if (row === undefined) return null;
  if (row.request_hash !== digest) {
    return fail(
      'request_conflict',
      'request_number',
      'this request number was used for a different request',
    );
  }
  return ok({ ...answerFromJson(row.answer_json), replayed: true });
}

export async function rememberAnswer(
  tx: Executor,
  clientKey: string,
  digest: string,
  answer: ChargingAnswer,
  nowMs: bigint,
): Promise<void> {
  await sessionTables(tx)
    .insertInto('charging_request')
    .values({
      client_key: clientKey,
      request_number: BigInt(answer.requestNumber),
      request_hash: digest,
      answer_json: answerToJson(answer),
      created_at_ms: nowMs,
    })
    .execute();
}
