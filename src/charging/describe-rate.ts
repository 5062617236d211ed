import { formatMoney, type Currency } from '../kernel/index.ts';
import { formatClock } from './timing-rules.ts';
import type { Rate, Timing } from './types.ts';

function per(unitSeconds: number): string {
  if (unitSeconds === 1) return 's';
  if (unitSeconds === 60) return 'min';
  if (unitSeconds === 3_600) return 'h';
  return `${unitSeconds} s`;
}

/** "108 KRW/min, billed 60/6, connection 50 KRW, minimum 100 KRW": for people and statements. */
export function describeRate(rate: Rate, currency: Currency): string {
  const parts = [
    `${formatMoney(rate.priceMinor, currency)}/${per(rate.unitSeconds)}`,
    `billed ${rate.firstBlockSeconds}/${rate.incrementSeconds}`,
  ];
  if (rate.connectionFeeMinor > 0n) {
    parts.push(`connection ${formatMoney(rate.connectionFeeMinor, currency)}`);
  }
  if (rate.minimumCostMinor > 0n) {
    parts.push(`minimum ${formatMoney(rate.minimumCostMinor, currency)}`);
  }
  if (rate.disconnectFeeMinor > 0n) {
    parts.push(`disconnect ${formatMoney(rate.disconnectFeeMinor, currency)}`);
  }
  return parts.join(', ');
}

/** "mon;tue;wed;thu;fri 08:00–20:00", "every day 00:00–24:00". */
export function describeTiming(timing: Timing): string {
  const days = timing.weekdays === null ? 'every day' : timing.weekdays.join(';');
  return `${days} ${formatClock(timing.startMinute)}–${formatClock(timing.endMinute)}`;
}
