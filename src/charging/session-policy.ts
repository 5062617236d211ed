import { assert } from '../kernel/index.ts';
import { CHARGING_LIMITS } from './limits.ts';

/**
 * The grant policy: how much time one answer grants and how long a silent session keeps its
 * reservation. Defaults follow the telecom charging notes §3.4 (RSU 300 s, at most 600 s a
 * grant, Validity-Time 900 s, Tcc = 2 × Validity-Time).
 */
export interface ChargingPolicy {
  /** Granted when the request asks for "the default" (an RSU without units, or none over HTTP). */
  readonly defaultRequestSeconds: number;
  /** The most one grant gives, whatever was asked. */
  readonly grantCapSeconds: number;
  /** Validity-Time sent with every grant: the client reports within this even with units left. */
  readonly validityTimeSeconds: number;
  /** Tcc: a session with no request for this long releases its reservation. */
  readonly sessionTimeoutSeconds: number;
  /** How long a subscriber token (issued after PIN + password) stands for the card. */
  readonly tokenLifetimeSeconds: number;
}

export const DEFAULT_CHARGING_POLICY: ChargingPolicy = {
  defaultRequestSeconds: 300,
  grantCapSeconds: 600,
  validityTimeSeconds: 900,
  sessionTimeoutSeconds: 1_800,
  tokenLifetimeSeconds: 12 * 3_600,
};

/** A reservation outlives its session timer by this much, so the timer (not the ledger) ends it. */
export const HOLD_MARGIN_MS = 60_000n;

export function assertPolicy(policy: ChargingPolicy): void {
  for (const [name, value] of Object.entries(policy)) {
    assert(Number.isSafeInteger(value) && value >= 1, `${name} is a whole number ≥ 1`);
  }
  assert(
    policy.grantCapSeconds <= CHARGING_LIMITS.billableSecondsMax,
    'a grant fits a billable duration',
  );
  assert(
    policy.defaultRequestSeconds <= policy.grantCapSeconds,
    'the default request is within the cap',
  );
  assert(
    policy.sessionTimeoutSeconds >= policy.validityTimeSeconds,
    'the session timer outlasts the validity time',
  );
}
