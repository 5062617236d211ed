import type { Service } from '../../charging/index.ts';
import type { Ccr, MsccRequest, ServiceUnits, SubscriptionId } from './ccr.ts';

/**
 * How a CCR reads in the charging engine's terms: which service, which subscriber, which number,
 * how many units. Pure functions; the handler (charging-handler.ts) turns the result into engine
 * calls and the engine's answers into CCAs.
 */

/**
 * Service-Context-Id → OnePIN service. 3GPP contexts may carry the `extensions.MNC.MCC.Release.`
 * prefix (TS 32.299 §7.1.12), so a context also matches when the value ends in `.` + it.
 */
export const SERVICE_CONTEXTS: readonly { readonly context: string; readonly service: Service }[] =
  [
    { context: '32276@3gpp.org', service: 'call' }, // CS voice call (TS 32.276)
    { context: '32260@3gpp.org', service: 'call' }, // IMS, VoLTE (TS 32.260)
    { context: '32274@3gpp.org', service: 'sms' }, // SMS (TS 32.274)
    { context: 'voicemail@onepin', service: 'voicemail' },
    { context: 'content@onepin', service: 'content' },
  ];

/** The service a Service-Context-Id stands for, or null when OnePIN does not serve it (5031). */
export function serviceOfContext(serviceContextId: string): Service | null {
  const value = serviceContextId.toLowerCase();
  for (const { context, service } of SERVICE_CONTEXTS) {
    if (value === context || value.endsWith(`.${context}`)) return service;
  }
  return null;
}

/** Subscriber tokens as the IVR issues them (src/charging/subscriber-tokens.ts). */
const TOKEN_PREFIX = 'st_';

/**
 * The subscriber token of the request: the data of the first Subscription-Id (of any type;
 * END_USER_PRIVATE is what the IVR gives) that is a token. Null when there is none (5030).
 */
export function subscriberToken(ids: readonly SubscriptionId[]): string | null {
  return ids.find((id) => id.data.startsWith(TOKEN_PREFIX))?.data ?? null;
}

/**
 * The dialled number inside a Called-Party-Address: a `tel:`, `sip:` or `sips:` scheme, an
 * `@host` part and `;parameters` are dropped (`sip:+8131234567@ims.example;user=phone` →
 * `+8131234567`). Rating normalizes what is left.
 */
export function calledNumber(address: string): string {
  let text = address.trim().replace(/^(tel|sips?):/i, '');
  const at = text.indexOf('@');
  if (at >= 0) text = text.slice(0, at);
  const semicolon = text.indexOf(';');
  if (semicolon >= 0) text = text.slice(0, semicolon);
  return text;
}

/**
 * The units a request is about. A client that uses MSCC is served in its first MSCC (the one
 * OnePIN rates); any further MSCCs are `others`, answered 5031 at MSCC level with nothing granted
 * or charged. A client without MSCC is served at the top level (RSU/USU), and answered so.
 */
export interface ServedUnits {
  readonly form: 'mscc' | 'top';
  /** The MSCC served (form 'mscc'): its Rating-Group and Service-Identifiers are echoed. */
  readonly mscc?: MsccRequest;
  readonly others: readonly MsccRequest[];
  /** Absent: no Requested-Service-Unit (RFC 8506 §8.16, no new grant on an update). */
  readonly requested?: ServiceUnits;
  readonly used: readonly ServiceUnits[];
}

export function servedUnits(ccr: Ccr): ServedUnits {
  const [first, ...others] = ccr.mscc;
  if (first === undefined) {
    return {
      form: 'top',
      others: [],
      used: ccr.used,
      ...(ccr.requested === undefined ? {} : { requested: ccr.requested }),
    };
  }
  return {
    form: 'mscc',
    mscc: first,
    others,
    used: first.used,
    ...(first.requested === undefined ? {} : { requested: first.requested }),
  };
}

/** Seconds used since the last report: every Used-Service-Unit's CC-Time, summed. */
export function usedSeconds(units: ServedUnits): number {
  return units.used.reduce((sum, used) => sum + (used.ccTime ?? 0), 0);
}

/**
 * Seconds asked for by a session request: the RSU's CC-Time; 0 (the policy's default) for an RSU
 * without units; null without an RSU (an update then commits and grants nothing).
 */
export function requestedSeconds(units: ServedUnits): number | null {
  if (units.requested === undefined) return null;
  return units.requested.ccTime ?? 0;
}

/** How an event counts its units, so the answer grants them the same way. */
export type UnitKind = 'time' | 'specific';

/**
 * The units of an event (direct debit, refund, balance check, price enquiry): the RSU's CC-Time,
 * else its CC-Service-Specific-Units, else the same from the Used-Service-Units (summed). Null
 * when the request names none.
 */
export function eventUnits(units: ServedUnits): { count: number; kind: UnitKind } | null {
  const asked = units.requested;
  if (asked?.ccTime !== undefined) return { count: asked.ccTime, kind: 'time' };
  if (asked?.ccServiceSpecificUnits !== undefined) {
    return { count: unitCount(asked.ccServiceSpecificUnits), kind: 'specific' };
  }
  const times = units.used.filter((u) => u.ccTime !== undefined);
  if (times.length > 0) return { count: usedSeconds(units), kind: 'time' };
  const specific = units.used.filter((u) => u.ccServiceSpecificUnits !== undefined);
  if (specific.length > 0) {
    const total = specific.reduce((sum, u) => sum + (u.ccServiceSpecificUnits ?? 0n), 0n);
    return { count: unitCount(total), kind: 'specific' };
  }
  return null;
}

/** An Unsigned64 count as a number; beyond 2^53 it stays too large for the engine's checks. */
function unitCount(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}
