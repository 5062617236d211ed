import type { Kysely } from 'kysely';
import { tablesOf, type Executor } from '../storage/index.ts';

/** The charging module's tables (sessions part); see migration 0009_charging_sessions. */
export interface ChargingTokenTable {
  /** SHA-256 of the token, hex: the token itself is never stored. */
  token_hash: string;
  card_id: string;
  /** Who asked for it: `ivr`, `api`. */
  channel: string;
  created_at_ms: bigint;
  expires_at_ms: bigint;
}

export interface ChargingSessionTable {
  id: string;
  /** `origin|client session id`: unique, the key requests are matched on. */
  client_key: string;
  client_session_id: string;
  /** `diameter` or `http:<associate id>` or `ivr`. */
  origin: string;
  kind: 'session' | 'event';
  card_id: string;
  account_id: string;
  currency: string;
  service: string;
  /** The number as the switch sent it ('' for an event without one). */
  called: string;
  e164: string;
  prefix: string;
  destination_id: string;
  destination_name: string;
  tariff_version: bigint;
  rate_id: string;
  /** The Rate the session was rated with, fixed at its start (bigints as strings). */
  rate_json: string;
  state: 'open' | 'closed' | 'expired';
  next_request_number: bigint;
  hold_seq: bigint;
  hold_id: string | null;
  hold_minor: bigint;
  granted_seconds: bigint;
  used_seconds: bigint;
  /** cost(used_seconds): what the session has cost so far. */
  cost_minor: bigint;
  /** What was taken from the card; the rest of the cost is uncollected (an overrun). */
  collected_minor: bigint;
  uncollected_minor: bigint;
  refunded_minor: bigint;
  balance_before_minor: bigint;
  balance_after_minor: bigint | null;
  started_at_ms: bigint;
  last_request_at_ms: bigint;
  /** When a silent open session releases its reservation (Tcc); null once ended. */
  timer_at_ms: bigint | null;
  ended_at_ms: bigint | null;
  end_reason: string | null;
}

export interface ChargingRequestTable {
  client_key: string;
  request_number: bigint;
  request_hash: string;
  answer_json: string;
  created_at_ms: bigint;
}

export interface ChargingSessionTables {
  charging_token: ChargingTokenTable;
  charging_session: ChargingSessionTable;
  charging_request: ChargingRequestTable;
}

export function sessionTables(executor: Executor): Kysely<ChargingSessionTables> {
  return tablesOf<ChargingSessionTables>(executor);
}
