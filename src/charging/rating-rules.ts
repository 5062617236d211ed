import { fail, ok, type Currency, type Outcome } from '../kernel/index.ts';
import { billedSeconds, costOf } from './cost-rules.ts';
import { normalizeNumber } from './number-rules.ts';
import { prefixMatches } from './prefix-index.ts';
import { localTime, timingMatches } from './timing-rules.ts';
import type { PlanActivation, Rate, Service, Tariff } from './types.ts';

export interface RateQuery {
  readonly service: Service;
  /**
   * As dialled (or as the switch sent it); normalized with the tariff's numbering plan. Absent
   * for an event that has no number (a voicemail message, a content item): only the catch-all
   * destination (`*any`) can rate it.
   */
  readonly number?: string;
  /** The moment the rate is chosen for: a call's start. */
  readonly atMs: bigint;
}

/** What a number costs at a moment: everything a session needs to price and to record. */
export interface Rating {
  readonly tariffVersion: number;
  readonly currency: Currency;
  readonly service: Service;
  readonly e164: string;
  readonly prefix: string;
  readonly destinationId: string;
  readonly destinationName: string;
  readonly planId: string;
  readonly timingId: string;
  readonly rate: Rate;
}

/** The activation in force for `service` at `atMs`: the latest one at or before it. */
export function planInForce(tariff: Tariff, service: Service, atMs: bigint): PlanActivation | null {
  const list = tariff.activationsByService.get(service) ?? [];
  let found: PlanActivation | null = null;
  for (const activation of list) {
    if (activation.activatesAtMs > atMs) break;
    found = activation;
  }
  return found;
}

/**
 * Rates one number. The plan is the one in force for the service at `atMs`. The destination is
 * the longest matching prefix whose destination has an entry in that plan with a timing that
 * holds at `atMs` (in the tariff's time zone); among such entries the highest weight wins. So a
 * plan that prices only `82` still rates `8210…`, and a destination with only a peak rate falls
 * back to a shorter prefix off peak.
 *
 * The rate is fixed at the call's start: a call that runs across a timing boundary keeps the
 * rate it started with (as calling cards usually do), so a grant never needs splitting.
 */
export function rate(tariff: Tariff, query: RateQuery): Outcome<Rating> {
  const activation = planInForce(tariff, query.service, query.atMs);
  if (activation === null) {
    return fail('rating_plan_not_found', 'service', `no ${query.service} plan in force`);
  }
  const e164 =
    query.number === undefined ? ok('') : normalizeNumber(query.number, tariff.numbering);
  if (!e164.ok) return e164;
  const byDestination = tariff.entriesByPlan.get(activation.planId);
  const local = localTime(query.atMs, tariff.timeZone);
  let pricedElsewhere = false;
  for (const match of prefixMatches(tariff.index, e164.value)) {
    const entries = byDestination?.get(match.destinationId);
    if (entries === undefined) continue;
    pricedElsewhere = true;
    for (const entry of entries) {
      const timing = tariff.timingById.get(entry.timingId);
      if (timing === undefined || !timingMatches(timing, local)) continue;
      const found = tariff.rateById.get(entry.rateId);
      const destination = tariff.destinationById.get(match.destinationId);
      if (found === undefined || destination === undefined) continue;
      return ok({
        tariffVersion: tariff.version,
        currency: tariff.currency,
        service: query.service,
        e164: e164.value,
        prefix: match.prefix,
        destinationId: destination.id,
        destinationName: destination.name,
        planId: activation.planId,
        timingId: entry.timingId,
        rate: found,
      });
    }
  }
  return pricedElsewhere
    ? fail('rate_not_found', 'number', `${e164.value}: no timing of the plan holds at that time`)
    : fail(
        'destination_not_found',
        'number',
        `${e164.value === '' ? 'an event without a number' : e164.value} matches no destination of the plan`,
      );
}

export interface Price extends Rating {
  /** Seconds asked about (units for sms and content). */
  readonly seconds: number;
  readonly billedSeconds: number;
  readonly costMinor: bigint;
}

/** `rate` plus the cost of `seconds` at that rate. */
export function priceOf(
  tariff: Tariff,
  query: RateQuery & { readonly seconds: number },
): Outcome<Price> {
  const rated = rate(tariff, query);
  if (!rated.ok) return rated;
  return ok({
    ...rated.value,
    seconds: query.seconds,
    billedSeconds: billedSeconds(rated.value.rate, query.seconds),
    costMinor: costOf(rated.value.rate, query.seconds),
  });
}
