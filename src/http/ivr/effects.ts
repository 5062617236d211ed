import {
  checkBalance,
  issueSubscriberToken,
  revokeSubscriberToken,
  startSession,
  terminateSession,
  updateSession,
  type ChargingAnswer,
  type SessionsContext,
} from '../../charging/index.ts';
import type { DomainError, ErrorCode, Outcome } from '../../kernel/index.ts';
import type { CallEvent, Effect, Refusal, SessionResult } from '../../protocols/index.ts';

/** Charging sessions of the IVR are keyed `ivr` + `<CallSid>:<n>` (n = the n-th call made). */
export const IVR_ORIGIN = 'ivr';

export function ivrSessionId(callSid: string, callSeq: number): string {
  return `${callSid}:${callSeq}`;
}

const REFUSALS: Partial<Readonly<Record<ErrorCode, Refusal>>> = {
  credentials_invalid: 'credentials',
  pin_malformed: 'credentials',
  pin_check_digit_invalid: 'credentials',
  card_locked: 'locked',
  card_not_active: 'not-active',
  card_expired: 'expired',
  credit_limit_reached: 'no-credit',
  number_invalid: 'number',
  destination_not_found: 'number',
  rate_not_found: 'number',
  subscriber_unknown: 'subscriber',
};

/** What the caller hears for an engine refusal; anything else is a technical problem. */
export function refusalOf(error: DomainError): Refusal {
  return REFUSALS[error.code] ?? 'error';
}

function sessionResult(outcome: Outcome<ChargingAnswer>): SessionResult {
  if (!outcome.ok) return { ok: false, reason: refusalOf(outcome.error) };
  const a = outcome.value;
  return {
    ok: true,
    status: a.status,
    grantedSeconds: a.grantedSeconds,
    finalUnit: a.finalUnit,
    cost: { minor: a.costMinor, currency: a.currency },
    balance: { minor: a.balanceMinor, currency: a.currency },
    e164: a.rating.e164,
  };
}

/**
 * Performs one effect the machine asked for, through the same engine as every other channel,
 * and returns its result as the machine's next event. Failures that are not the caller's
 * (an unexpected code) are reported to `onProblem` (code only, never a secret).
 */
export async function performEffect(
  ctx: SessionsContext,
  callSid: string,
  effect: Effect,
  onProblem: (what: string, error: DomainError) => void,
): Promise<CallEvent> {
  const watch = <T>(what: string, outcome: Outcome<T>): Outcome<T> => {
    if (!outcome.ok && refusalOf(outcome.error) === 'error') onProblem(what, outcome.error);
    return outcome;
  };
  switch (effect.kind) {
    case 'authenticate': {
      const issued = watch(
        'authenticate',
        await issueSubscriberToken(ctx, {
          pin: effect.pin,
          password: effect.password,
          channel: IVR_ORIGIN,
        }),
      );
      return {
        type: 'authenticated',
        result: issued.ok
          ? {
              ok: true,
              token: issued.value.token,
              balance: { minor: issued.value.balanceMinor, currency: issued.value.currency },
            }
          : { ok: false, reason: refusalOf(issued.error) },
      };
    }
    case 'check-balance': {
      const balance = watch(
        'check balance',
        await checkBalance(ctx, {
          subscriber: { token: effect.token },
          service: 'call',
          number: effect.number,
        }),
      );
      return {
        type: 'balance',
        result: balance.ok
          ? {
              ok: true,
              balance: { minor: balance.value.balanceMinor, currency: balance.value.currency },
              maxSeconds: balance.value.maxSeconds ?? 0,
            }
          : { ok: false, reason: refusalOf(balance.error) },
      };
    }
    case 'start':
      return {
        type: 'session',
        result: sessionResult(
          watch(
            'start session',
            await startSession(ctx, {
              origin: IVR_ORIGIN,
              clientSessionId: ivrSessionId(callSid, effect.callSeq),
              requestNumber: 0,
              subscriber: { token: effect.token },
              service: 'call',
              number: effect.number,
              requestedSeconds: null,
            }),
          ),
        ),
      };
    case 'update':
    case 'terminate': {
      const input = {
        origin: IVR_ORIGIN,
        clientSessionId: ivrSessionId(callSid, effect.callSeq),
        requestNumber: effect.requestNumber,
        usedSeconds: effect.usedSeconds,
      };
      const outcome =
        effect.kind === 'update'
          ? await updateSession(ctx, { ...input, requestedSeconds: 0 })
          : await terminateSession(ctx, input);
      return { type: 'session', result: sessionResult(watch(effect.kind, outcome)) };
    }
    case 'revoke':
      await revokeSubscriberToken(ctx, effect.token);
      return { type: 'revoked' };
  }
}
