import { normalizePin } from '../../cards/index.ts';
import type { Language, Message, Money } from './messages.ts';
import type { IvrSettings } from './settings.ts';

/**
 * The calling-card menu as a pure state machine: `decide(state, event, settings)` returns the
 * next state, the verbs to send to the voice platform and at most one effect (authenticate,
 * check the balance, a charging request, revoke the token) that the caller performs and feeds
 * back as the next event. No I/O, no clock: the webhook does those.
 *
 *   language ─1/2→ pin → password → [authenticate] → destination → [check balance] → [start]
 *            ─9→ how to buy a card → language
 *   [authenticate] wrong → pin (authTries a call)   [check balance] too little → no-credit
 *   [start] → in-call (Dial legs; [update] between grants) → [terminate] → after-call
 *   after-call ─#→ destination (no new authentication)
 *
 * Every prompt is a Gather with a timeout; a timeout or invalid input asks again, at most
 * `promptTries` times in all, then the call ends (silence at the language menu goes on in Korean).
 */

/** Where the call is. The `*ing` steps wait for an effect's result within one request. */
export type CallStep =
  | 'language'
  | 'pin'
  | 'password'
  | 'authenticating'
  | 'destination'
  | 'rating'
  | 'starting'
  | 'no-credit'
  | 'in-call'
  | 'updating'
  | 'terminating'
  | 'after-call'
  | 'ended';

/** The outgoing call being charged: one charging session, one or more Dial legs. */
export interface ActiveCall {
  /** What we dial: the rated number in E.164 with `+`. */
  readonly number: string;
  /** The next charging request number of the session (the initial request was 0). */
  readonly request: number;
  /** Seconds of the grant the session holds now. */
  readonly grant: number;
  /** Seconds of this grant used by earlier legs (reported with the next update/terminate). */
  readonly used: number;
  /** The time limit of the leg being dialled. */
  readonly leg: number;
  /** The grant is the card's last (final-unit indication). */
  readonly final: boolean;
  /** This leg ends `warningSeconds` before the grant does: the warning comes next. */
  readonly warn: boolean;
}

/** Why a call's charging session is being closed (what to say afterwards). */
export type Ending = 'caller' | 'hangup' | 'busy' | 'no-answer' | 'failed' | 'credit';

/** The per-call state, JSON-safe (the webhook seals it into the action URLs). */
export interface CallState {
  readonly step: CallStep;
  readonly lang: Language;
  /** Unanswered or invalid answers to the current prompt. */
  readonly tries: number;
  /** Wrong PIN/password pairs in this call. */
  readonly authFailures: number;
  /** Which outgoing call of this access call (0, 1, … after "press # for another call"). */
  readonly callSeq: number;
  /** The PIN, only between the PIN and the password prompts. */
  readonly pin: string | null;
  /** The subscriber token after authentication (revoked when the call ends). */
  readonly token: string | null;
  /** The number being rated or started (as the caller keyed it). */
  readonly number: string | null;
  readonly call: ActiveCall | null;
  readonly ending: Ending | null;
}

/** Why an effect did not succeed, in the terms the caller hears. */
export type Refusal =
  | 'credentials'
  | 'locked'
  | 'not-active'
  | 'expired'
  | 'no-credit'
  | 'number'
  | 'subscriber'
  | 'error';

export type AuthResult =
  | { readonly ok: true; readonly token: string; readonly balance: Money }
  | { readonly ok: false; readonly reason: Refusal };

export type BalanceResult =
  | { readonly ok: true; readonly balance: Money; readonly maxSeconds: number }
  | { readonly ok: false; readonly reason: Refusal };

export type SessionResult =
  | {
      readonly ok: true;
      readonly status: 'ok' | 'credit_limit_reached' | 'service_denied';
      readonly grantedSeconds: number | null;
      readonly finalUnit: boolean;
      /** The session's cost so far and the card's available balance after the request. */
      readonly cost: Money;
      readonly balance: Money;
      /** The rated number, E.164 without `+`. */
      readonly e164: string;
    }
  | { readonly ok: false; readonly reason: Refusal };

export type DialStatus = 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

export type CallEvent =
  /** A Gather's action with Digits. */
  | { readonly type: 'digits'; readonly digits: string }
  /** A Gather's action (or the Redirect after it) without Digits. */
  | { readonly type: 'timeout' }
  /** A Dial's action: how the leg ended and how long it was bridged. */
  | {
      readonly type: 'dial-ended';
      readonly status: DialStatus;
      readonly durationSeconds: number;
      /** The caller (the card holder) hung up. */
      readonly callerHungUp: boolean;
    }
  | { readonly type: 'authenticated'; readonly result: AuthResult }
  | { readonly type: 'balance'; readonly result: BalanceResult }
  | { readonly type: 'session'; readonly result: SessionResult }
  | { readonly type: 'revoked' };

export type Effect =
  | { readonly kind: 'authenticate'; readonly pin: string; readonly password: string }
  | { readonly kind: 'check-balance'; readonly token: string; readonly number: string }
  | {
      readonly kind: 'start';
      readonly token: string;
      readonly callSeq: number;
      readonly number: string;
    }
  | {
      readonly kind: 'update' | 'terminate';
      readonly callSeq: number;
      readonly requestNumber: number;
      readonly usedSeconds: number;
    }
  | { readonly kind: 'revoke'; readonly token: string };

export interface SayVerb {
  readonly kind: 'say';
  readonly lang: Language;
  readonly message: Message;
}

export interface PauseVerb {
  readonly kind: 'pause';
  readonly seconds: number;
}

/** TwiML-style verbs; the renderer adds the action URLs (see render.ts). */
export type Verb =
  | SayVerb
  | {
      readonly kind: 'gather';
      /** Submit after this many keys; null: only the finish key or the timeout ends input. */
      readonly numDigits: number | null;
      readonly timeoutSeconds: number;
      /** '' = none (then # is an ordinary key). */
      readonly finishOnKey: string;
      /** Spoken while the platform listens (a key press interrupts them). */
      readonly prompts: readonly (SayVerb | PauseVerb)[];
    }
  /** After a Gather: reached only when the platform does not post an empty result itself. */
  | { readonly kind: 'redirect' }
  | { readonly kind: 'dial'; readonly number: string; readonly timeLimitSeconds: number }
  | { readonly kind: 'play'; readonly url: string }
  | PauseVerb
  | { readonly kind: 'hangup' };

export interface Decision {
  readonly state: CallState;
  /** Spoken before whatever the next decision adds (when there is an effect). */
  readonly verbs: readonly Verb[];
  readonly effect: Effect | null;
}

/** What the platform must post to next: a Gather's action, a Dial's action, or nothing. */
export type AwaitKind = 'gather' | 'dial' | null;

export function awaiting(step: CallStep): AwaitKind {
  if (isGatherStep(step)) return 'gather';
  return step === 'in-call' ? 'dial' : null;
}

/** Digits of a PIN typed on a keypad (the PIN has 20 with its check digit). */
const PIN_KEYS = 20;
/** Longer input is cut by the platform's own limits; we refuse it as invalid. */
const DIGITS_MAX = 64;

function say(lang: Language, message: Message): SayVerb {
  return { kind: 'say', lang, message };
}

function decision(
  state: CallState,
  verbs: readonly Verb[],
  effect: Effect | null = null,
): Decision {
  return { state, verbs, effect };
}

type GatherStep = 'language' | 'pin' | 'password' | 'destination' | 'no-credit' | 'after-call';

/** Each prompt: how many keys, which timeout, the finish key ('' = none) and what it asks. */
const PROMPTS: Readonly<
  Record<
    GatherStep,
    {
      readonly numDigits: number | null;
      readonly timeout: 'menuTimeoutSeconds' | 'digitsTimeoutSeconds' | 'shortMenuTimeoutSeconds';
      readonly finishOnKey: string;
      readonly asks: Message;
    }
  >
> = {
  language: { numDigits: 1, timeout: 'menuTimeoutSeconds', finishOnKey: '', asks: { key: 'menu' } },
  pin: {
    numDigits: PIN_KEYS,
    timeout: 'digitsTimeoutSeconds',
    finishOnKey: '#',
    asks: { key: 'enter-pin' },
  },
  password: {
    numDigits: null,
    timeout: 'digitsTimeoutSeconds',
    finishOnKey: '#',
    asks: { key: 'enter-password' },
  },
  destination: {
    numDigits: null,
    timeout: 'digitsTimeoutSeconds',
    finishOnKey: '#',
    asks: { key: 'enter-number' },
  },
  'no-credit': {
    numDigits: 1,
    timeout: 'shortMenuTimeoutSeconds',
    finishOnKey: '',
    asks: { key: 'recharge-offer' },
  },
  'after-call': {
    numDigits: 1,
    timeout: 'shortMenuTimeoutSeconds',
    finishOnKey: '',
    asks: { key: 'another-call' },
  },
};

function isGatherStep(step: CallStep): step is GatherStep {
  return Object.hasOwn(PROMPTS, step);
}

/** The prompt of a Gather step, with what to say first (both languages on the first menu). */
function ask(state: CallState, settings: IvrSettings, lead: readonly Message[]): Decision {
  const step = state.step;
  if (!isGatherStep(step)) throw new Error(`ivr: ${step} has no prompt`);
  const prompt = PROMPTS[step];
  const messages = [...lead, prompt.asks];
  const prompts: (SayVerb | PauseVerb)[] =
    step === 'language'
      ? [
          ...messages.map((m) => say('ko', m)),
          { kind: 'pause', seconds: 1 },
          ...messages.map((m) => say('en', m)),
        ]
      : messages.map((m) => say(state.lang, m));
  return decision(state, [
    {
      kind: 'gather',
      numDigits: prompt.numDigits,
      timeoutSeconds: settings[prompt.timeout],
      finishOnKey: prompt.finishOnKey,
      prompts,
    },
    { kind: 'redirect' },
  ]);
}

/** Ends the call: what to say, goodbye, hang up; the token (if any) is revoked first. */
function end(state: CallState, messages: readonly Message[], farewell = true): Decision {
  const lang = state.lang;
  const verbs: Verb[] = [
    ...messages.map((m) => say(lang, m)),
    ...(farewell ? [say(lang, { key: 'goodbye' })] : []),
    { kind: 'hangup' },
  ];
  const ended: CallState = {
    ...state,
    step: 'ended',
    tries: 0,
    pin: null,
    token: null,
    number: null,
    call: null,
    ending: null,
  };
  return decision(
    ended,
    verbs,
    state.token === null ? null : { kind: 'revoke', token: state.token },
  );
}

/** A prompt answered wrongly or not at all: ask again, or end after `promptTries` in all. */
function retry(state: CallState, settings: IvrSettings, lead: readonly Message[]): Decision {
  const tries = state.tries + 1;
  if (tries >= settings.promptTries) {
    const tooMany: Message[] = lead.some((m) => m.key === 'no-input')
      ? []
      : [{ key: 'too-many-tries' }];
    return end(state, [...lead, ...tooMany]);
  }
  return ask({ ...state, tries }, settings, lead);
}

function refusalMessage(reason: Refusal): Message {
  switch (reason) {
    case 'locked':
      return { key: 'card-locked' };
    case 'not-active':
      return { key: 'card-not-active' };
    case 'expired':
      return { key: 'card-expired' };
    case 'no-credit':
      return { key: 'no-credit' };
    case 'number':
      return { key: 'number-invalid' };
    case 'credentials':
      return { key: 'auth-failed' };
    case 'subscriber':
    case 'error':
      return { key: 'technical-problem' };
  }
}

/** The time limit of the next Dial leg for a grant, and whether the warning splits it. */
export function planLeg(
  grant: number,
  final: boolean,
  settings: IvrSettings,
): { readonly leg: number; readonly warn: boolean } {
  if (final && settings.warningSeconds > 0 && grant > settings.warningSeconds) {
    return { leg: grant - settings.warningSeconds, warn: true };
  }
  return { leg: grant, warn: false };
}

function warning(lang: Language, seconds: number, settings: IvrSettings): Verb[] {
  return [
    ...(settings.warningToneUrl === null
      ? []
      : [{ kind: 'play', url: settings.warningToneUrl } as const]),
    say(lang, { key: 'time-left', seconds }),
  ];
}

/** The first Dial leg of a newly granted session, or the next one after an update. */
function dialGrant(
  state: CallState,
  settings: IvrSettings,
  call: Omit<ActiveCall, 'leg' | 'warn' | 'used'>,
  lead: readonly Verb[],
  continuing: boolean,
): Decision {
  const plan = planLeg(call.grant, call.final, settings);
  const active: ActiveCall = { ...call, used: 0, leg: plan.leg, warn: plan.warn };
  // A final grant too short to split is announced before its leg (on the first leg the
  // "you have N minutes" said just before already told the caller).
  const warnNow = continuing && call.final && !plan.warn && settings.warningSeconds > 0;
  return decision(
    { ...state, step: 'in-call', tries: 0, number: null, call: active, ending: null },
    [
      ...lead,
      ...(warnNow ? warning(state.lang, call.grant, settings) : []),
      { kind: 'dial', number: active.number, timeLimitSeconds: active.leg },
    ],
  );
}

function terminate(state: CallState, call: ActiveCall, used: number, ending: Ending): Decision {
  return decision({ ...state, step: 'terminating', call: { ...call, used }, ending }, [], {
    kind: 'terminate',
    callSeq: state.callSeq,
    requestNumber: call.request,
    usedSeconds: used,
  });
}

const ENDING_MESSAGE: Readonly<Record<Ending, Message | null>> = {
  caller: null,
  hangup: null,
  busy: { key: 'line-busy' },
  'no-answer': { key: 'no-answer' },
  failed: { key: 'call-failed' },
  credit: { key: 'credit-used-up' },
};

function unexpected(state: CallState): Decision {
  return end(state, [{ key: 'technical-problem' }]);
}

/** A new call to the access number: the first menu. */
export function startCall(settings: IvrSettings): Decision {
  const state: CallState = {
    step: 'language',
    lang: 'ko',
    tries: 0,
    authFailures: 0,
    callSeq: 0,
    pin: null,
    token: null,
    number: null,
    call: null,
    ending: null,
  };
  return ask(state, settings, []);
}

export function decide(state: CallState, event: CallEvent, settings: IvrSettings): Decision {
  if (event.type === 'digits' && (event.digits === '' || event.digits.length > DIGITS_MAX)) {
    // An empty result is a timeout; an absurdly long one is not an answer to any prompt.
    if (event.digits === '') return decide(state, { type: 'timeout' }, settings);
    if (awaiting(state.step) === 'gather')
      return retry(state, settings, [{ key: 'invalid-choice' }]);
  }
  switch (state.step) {
    case 'language':
      if (event.type === 'timeout') {
        // Nobody chose after the last try: the carrier's home language, and on to the PIN.
        if (state.tries + 1 >= settings.promptTries) {
          return ask({ ...state, step: 'pin', lang: 'ko', tries: 0 }, settings, []);
        }
        return retry(state, settings, [{ key: 'no-input' }]);
      }
      if (event.type !== 'digits') return unexpected(state);
      if (event.digits === '1' || event.digits === '2') {
        const lang: Language = event.digits === '1' ? 'ko' : 'en';
        return ask({ ...state, step: 'pin', lang, tries: 0 }, settings, []);
      }
      if (event.digits === '9') {
        // How to buy a card (the sale itself is on the web); then the menu again. It counts as
        // a turn of the menu, so the menu cannot be looped forever.
        const tries = state.tries + 1;
        if (tries >= settings.promptTries) {
          return decision({ ...state, step: 'ended' }, [
            say('ko', { key: 'buy-card' }),
            say('ko', { key: 'goodbye' }),
            { kind: 'pause', seconds: 1 },
            say('en', { key: 'buy-card' }),
            say('en', { key: 'goodbye' }),
            { kind: 'hangup' },
          ]);
        }
        return ask({ ...state, tries }, settings, [{ key: 'buy-card' }]);
      }
      return retry(state, settings, [{ key: 'invalid-choice' }]);

    case 'pin': {
      if (event.type === 'timeout') return retry(state, settings, [{ key: 'no-input' }]);
      if (event.type !== 'digits') return unexpected(state);
      const pin = normalizePin(event.digits);
      if (!pin.ok || !/^[0-9]+$/.test(event.digits)) {
        return retry(state, settings, [{ key: 'pin-malformed' }]);
      }
      return ask({ ...state, step: 'password', tries: 0, pin: pin.pin }, settings, []);
    }

    case 'password':
      if (event.type === 'timeout') return retry(state, settings, [{ key: 'no-input' }]);
      if (event.type !== 'digits' || state.pin === null) return unexpected(state);
      return decision({ ...state, step: 'authenticating' }, [], {
        kind: 'authenticate',
        pin: state.pin,
        password: event.digits,
      });

    case 'authenticating': {
      if (event.type !== 'authenticated') return unexpected(state);
      const result = event.result;
      const cleared: CallState = { ...state, pin: null, tries: 0 };
      if (result.ok) {
        return ask(
          { ...cleared, step: 'destination', token: result.token, authFailures: 0 },
          settings,
          [{ key: 'balance', balance: result.balance }],
        );
      }
      if (result.reason === 'credentials') {
        const authFailures = state.authFailures + 1;
        if (authFailures >= settings.authTries) {
          return end({ ...cleared, authFailures }, [
            { key: 'auth-failed' },
            { key: 'too-many-tries' },
          ]);
        }
        return ask({ ...cleared, step: 'pin', authFailures }, settings, [{ key: 'auth-failed' }]);
      }
      return end(cleared, [refusalMessage(result.reason)]);
    }

    case 'destination':
      if (event.type === 'timeout') return retry(state, settings, [{ key: 'no-input' }]);
      if (event.type !== 'digits' || state.token === null) return unexpected(state);
      return decision({ ...state, step: 'rating', number: event.digits }, [], {
        kind: 'check-balance',
        token: state.token,
        number: event.digits,
      });

    case 'rating': {
      if (event.type !== 'balance' || state.token === null || state.number === null) {
        return unexpected(state);
      }
      const result = event.result;
      const back: CallState = { ...state, step: 'destination', number: null };
      if (result.ok && result.maxSeconds > 0) {
        return decision(
          { ...state, step: 'starting' },
          [say(state.lang, { key: 'minutes', seconds: result.maxSeconds })],
          { kind: 'start', token: state.token, callSeq: state.callSeq, number: state.number },
        );
      }
      if (result.ok || result.reason === 'no-credit') {
        return ask({ ...back, step: 'no-credit', tries: 0 }, settings, [{ key: 'no-credit' }]);
      }
      if (result.reason === 'number') return retry(back, settings, [{ key: 'number-invalid' }]);
      return end(back, [refusalMessage(result.reason)]);
    }

    case 'starting': {
      if (event.type !== 'session') return unexpected(state);
      const result = event.result;
      const back: CallState = { ...state, step: 'destination', number: null };
      if (result.ok && result.status === 'ok' && (result.grantedSeconds ?? 0) > 0) {
        return dialGrant(
          back,
          settings,
          {
            number: `+${result.e164}`,
            request: 1,
            grant: result.grantedSeconds ?? 0,
            final: result.finalUnit,
          },
          [say(state.lang, { key: 'connecting' })],
          false,
        );
      }
      if (result.ok || result.reason === 'no-credit') {
        return ask({ ...back, step: 'no-credit', tries: 0 }, settings, [{ key: 'no-credit' }]);
      }
      if (result.reason === 'number') return retry(back, settings, [{ key: 'number-invalid' }]);
      return end(back, [refusalMessage(result.reason)]);
    }

    case 'no-credit':
      if (event.type === 'timeout') return retry(state, settings, [{ key: 'no-input' }]);
      if (event.type !== 'digits') return unexpected(state);
      return end(state, event.digits === '1' ? [{ key: 'recharge-info' }] : []);

    case 'in-call': {
      const call = state.call;
      if (event.type !== 'dial-ended' || call === null) return unexpected(state);
      const bridged = event.status === 'completed' ? event.durationSeconds : 0;
      const used = call.used + bridged;
      if (event.callerHungUp) return terminate(state, call, used, 'caller');
      if (event.status !== 'completed') {
        const ending: Ending =
          event.status === 'busy' ? 'busy' : event.status === 'no-answer' ? 'no-answer' : 'failed';
        return terminate(state, call, used, ending);
      }
      if (bridged < call.leg) return terminate(state, call, used, 'hangup');
      // The leg ran to its time limit.
      if (call.warn) {
        const remaining = call.grant - used;
        if (remaining <= 0) return terminate(state, call, used, 'credit');
        const next: ActiveCall = { ...call, used, leg: remaining, warn: false };
        return decision({ ...state, call: next }, [
          ...warning(state.lang, remaining, settings),
          { kind: 'dial', number: call.number, timeLimitSeconds: remaining },
        ]);
      }
      if (call.final) return terminate(state, call, used, 'credit');
      return decision({ ...state, step: 'updating', call: { ...call, used } }, [], {
        kind: 'update',
        callSeq: state.callSeq,
        requestNumber: call.request,
        usedSeconds: used,
      });
    }

    case 'updating': {
      const call = state.call;
      if (event.type !== 'session' || call === null) return unexpected(state);
      const result = event.result;
      if (!result.ok) return end(state, [refusalMessage(result.reason)]);
      const after: ActiveCall = { ...call, request: call.request + 1, used: 0 };
      if (result.status === 'service_denied') {
        // The card was refused during the call (locked, expired): the used time is charged and
        // the session is closed.
        return end(state, [
          { key: 'card-not-active' },
          { key: 'call-cost', cost: result.cost, balance: result.balance },
        ]);
      }
      const granted = result.grantedSeconds ?? 0;
      if (result.status === 'credit_limit_reached' || granted === 0) {
        return terminate({ ...state, call: after }, after, 0, 'credit');
      }
      return dialGrant(
        state,
        settings,
        { number: call.number, request: after.request, grant: granted, final: result.finalUnit },
        [],
        true,
      );
    }

    case 'terminating': {
      if (event.type !== 'session' || state.ending === null) return unexpected(state);
      const result = event.result;
      const ending = state.ending;
      if (!result.ok) return end(state, [refusalMessage(result.reason)]);
      if (ending === 'caller') return end(state, [], false);
      const said = ENDING_MESSAGE[ending];
      return ask(
        {
          ...state,
          step: 'after-call',
          tries: 0,
          callSeq: state.callSeq + 1,
          call: null,
          ending: null,
        },
        settings,
        [
          ...(said === null ? [] : [said]),
          { key: 'call-cost', cost: result.cost, balance: result.balance },
        ],
      );
    }

    case 'after-call':
      if (event.type === 'timeout') return retry(state, settings, [{ key: 'no-input' }]);
      if (event.type !== 'digits') return unexpected(state);
      if (event.digits === '#')
        return ask({ ...state, step: 'destination', tries: 0 }, settings, []);
      return end(state, []);

    case 'ended':
      // The revoke's result, or anything after the end: nothing more to say.
      return decision(state, event.type === 'revoked' ? [] : [{ kind: 'hangup' }]);
  }
}
