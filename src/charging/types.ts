import type { Currency } from '../kernel/index.ts';
import type { PrefixIndex } from './prefix-index.ts';

/** What a rating plan prices. Events (sms, content) count units where calls count seconds. */
export const SERVICES = ['call', 'voicemail', 'sms', 'content'] as const;
export type Service = (typeof SERVICES)[number];

export function isService(value: unknown): value is Service {
  return typeof value === 'string' && (SERVICES as readonly string[]).includes(value);
}

/**
 * How a dialled string becomes E.164 digits. Korea by default: national `0` → `82`, and the
 * carriers' international access codes (001, 002, 005, 006, 008) as well as `00` and `+`.
 */
export interface NumberingPlan {
  readonly countryCode: string;
  readonly nationalPrefix: string;
  readonly internationalPrefixes: readonly string[];
}

export const KOREA_NUMBERING: NumberingPlan = {
  countryCode: '82',
  nationalPrefix: '0',
  internationalPrefixes: ['00', '001', '002', '005', '006', '008', '+'],
};

/**
 * A price for time (or units). All money is bigint minor units of the tariff's currency; the
 * price is `priceMinor` per `unitSeconds`, kept as that fraction so per-second prices below one
 * minor unit (100 won a minute billed per second) stay exact. See cost-rules.ts.
 */
export interface Rate {
  readonly id: string;
  readonly connectionFeeMinor: bigint;
  /** Seconds always billed once a call connects (the "60" of 60/6). At least 1. */
  readonly firstBlockSeconds: number;
  /** Seconds each later block adds (the "6" of 60/6). At least 1. */
  readonly incrementSeconds: number;
  readonly priceMinor: bigint;
  readonly unitSeconds: number;
  /** The least an answered call costs, connection fee included, disconnect fee excluded. */
  readonly minimumCostMinor: bigint;
  /** Added to every answered call; 0 when the tariff has none. */
  readonly disconnectFeeMinor: bigint;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A time-of-week window in the tariff's time zone. `endMinute` is exclusive and may be 1440
 * (24:00). When `endMinute < startMinute` the window wraps midnight: it matches from the start
 * to midnight and from midnight to the end, on each listed day (the weekday is the local day of
 * the moment being rated).
 */
export interface Timing {
  readonly id: string;
  /** null: every day. */
  readonly weekdays: readonly Weekday[] | null;
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface Destination {
  readonly id: string;
  readonly name: string;
  /** E.164 digit prefixes; the empty prefix (written `*any` in CSV) matches every number. */
  readonly prefixes: readonly string[];
}

/** One line of a rating plan: this destination, at this timing, costs this rate. */
export interface PlanEntry {
  readonly destinationId: string;
  readonly rateId: string;
  readonly timingId: string;
  /** Of the entries whose timing matches, the highest weight wins. */
  readonly weight: number;
}

export interface RatingPlan {
  readonly id: string;
  readonly entries: readonly PlanEntry[];
}

/** From `activatesAtMs` on (until a later activation), `service` is rated by `planId`. */
export interface PlanActivation {
  readonly service: Service;
  readonly activatesAtMs: bigint;
  readonly planId: string;
}

/** Everything a tariff file says, before indexing. */
export interface TariffDraft {
  readonly currency: Currency;
  readonly timeZone: string;
  readonly numbering: NumberingPlan;
  readonly destinations: readonly Destination[];
  readonly rates: readonly Rate[];
  readonly timings: readonly Timing[];
  readonly plans: readonly RatingPlan[];
  readonly activations: readonly PlanActivation[];
}

/** A stored tariff version, indexed for rating. Immutable once built. */
export interface Tariff extends TariffDraft {
  readonly version: number;
  readonly index: PrefixIndex;
  readonly destinationById: ReadonlyMap<string, Destination>;
  readonly rateById: ReadonlyMap<string, Rate>;
  readonly timingById: ReadonlyMap<string, Timing>;
  /** Plan id → destination id → entries, highest weight first. */
  readonly entriesByPlan: ReadonlyMap<string, ReadonlyMap<string, readonly PlanEntry[]>>;
  /** Per service, activations in ascending time. */
  readonly activationsByService: ReadonlyMap<Service, readonly PlanActivation[]>;
}
