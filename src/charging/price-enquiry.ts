import { fail, ok, type Outcome } from '../kernel/index.ts';
import type { ChargingContext } from './context.ts';
import { describeRate } from './describe-rate.ts';
import { CHARGING_LIMITS } from './limits.ts';
import { loadTariff } from './load-tariff.ts';
import { priceOf, type Price } from './rating-rules.ts';
import { isService } from './types.ts';

export interface PriceEnquiry {
  /** Checked here: callers may pass what a request said (call, voicemail, sms, content). */
  readonly service: string;
  readonly number: string;
  /** Seconds of a call (units for sms and content). */
  readonly seconds: number;
  readonly atMs: bigint;
}

export interface PriceAnswer extends Price {
  /** "108 KRW/min, billed 60/6, connection 50 KRW". */
  readonly rateDescription: string;
}

/**
 * "What would N seconds to this number cost?" (RFC 8506 PRICE_ENQUIRY): rates with the tariff
 * in force, checks no balance and reserves nothing.
 */
export async function priceEnquiry(
  ctx: ChargingContext,
  query: PriceEnquiry,
): Promise<Outcome<PriceAnswer>> {
  if (!isService(query.service)) {
    return fail('parameter_invalid', 'service', 'call, voicemail, sms or content');
  }
  if (
    !Number.isSafeInteger(query.seconds) ||
    query.seconds < 0 ||
    query.seconds > CHARGING_LIMITS.billableSecondsMax
  ) {
    return fail(
      'parameter_invalid',
      'seconds',
      `a whole number from 0 to ${CHARGING_LIMITS.billableSecondsMax}`,
    );
  }
  const service = query.service;
  const tariff = await loadTariff(ctx, { service, atMs: query.atMs });
  if (!tariff.ok) return tariff;
  const price = priceOf(tariff.value, { ...query, service });
  if (!price.ok) return price;
  return ok({
    ...price.value,
    rateDescription: describeRate(price.value.rate, price.value.currency),
  });
}
