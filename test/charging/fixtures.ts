import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildTariff, parseTariffCsv, type Rate, type Tariff } from '../../src/charging/index.ts';

export const SAMPLE_TARIFF_FILE = fileURLToPath(
  new URL('../../examples/tariffs/korea-calling-card.csv', import.meta.url),
);

export function sampleTariffText(): string {
  return readFileSync(SAMPLE_TARIFF_FILE, 'utf8');
}

/** Parses a tariff text that must be valid, and indexes it as `version`. */
export function tariffFrom(text: string, version = 1): Tariff {
  const parsed = parseTariffCsv(text);
  if (parsed.draft === null) {
    throw new Error(`fixture tariff is invalid: ${JSON.stringify(parsed.errors)}`);
  }
  return buildTariff(version, parsed.draft);
}

/** A rate with no fees, priced `priceMinor` per `unitSeconds`, billed first/increment. */
export function rateOf(
  pattern: `${number}/${number}`,
  priceMinor: bigint,
  unitSeconds: number,
  extra: Partial<
    Pick<Rate, 'connectionFeeMinor' | 'minimumCostMinor' | 'disconnectFeeMinor' | 'id'>
  > = {},
): Rate {
  const [first, increment] = pattern.split('/').map((s) => Number.parseInt(s, 10));
  return {
    id: extra.id ?? `RT_${pattern}`,
    connectionFeeMinor: extra.connectionFeeMinor ?? 0n,
    firstBlockSeconds: first ?? 1,
    incrementSeconds: increment ?? 1,
    priceMinor,
    unitSeconds,
    minimumCostMinor: extra.minimumCostMinor ?? 0n,
    disconnectFeeMinor: extra.disconnectFeeMinor ?? 0n,
  };
}

/** ISO time with offset → UTC ms. */
export function at(iso: string): bigint {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new Error(`bad fixture time ${iso}`);
  return BigInt(ms);
}
