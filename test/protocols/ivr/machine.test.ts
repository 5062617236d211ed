import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dammCheckDigit } from '../../../src/cards/pin.ts';
import {
  awaiting,
  decide,
  ivrSettings,
  planLeg,
  startCall,
  type CallEvent,
  type CallState,
  type Decision,
  type IvrSettings,
  type Money,
  type SessionResult,
  type Verb,
} from '../../../src/protocols/ivr/index.ts';

const S = ivrSettings();
const PIN19 = '1234567890123456789';
const PIN = PIN19 + String(dammCheckDigit(PIN19));
const BAD_CHECK = PIN19 + String((dammCheckDigit(PIN19) + 1) % 10);
const TOKEN = `st_${'a'.repeat(43)}`;
const krw = (minor: bigint): Money => ({ minor, currency: 'KRW' });

function state(partial: Partial<CallState>): CallState {
  return {
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
    ...partial,
  };
}

const DIGITS = (digits: string): CallEvent => ({ type: 'digits', digits });
const TIMEOUT: CallEvent = { type: 'timeout' };

/** A compact picture of the verbs: `say:ko:menu`, `gather(1,5,'')[…]`, `dial(+82…,300)`, … */
function shape(verbs: readonly Verb[]): string[] {
  return verbs.map((v) => {
    switch (v.kind) {
      case 'say':
        return `say:${v.lang}:${v.message.key}`;
      case 'gather':
        return `gather(${v.numDigits ?? '-'},${v.timeoutSeconds},'${v.finishOnKey}')[${shape(v.prompts).join(' ')}]`;
      case 'dial':
        return `dial(${v.number},${v.timeLimitSeconds})`;
      case 'play':
        return `play(${v.url})`;
      case 'pause':
        return `pause(${v.seconds})`;
      case 'redirect':
        return 'redirect';
      case 'hangup':
        return 'hangup';
    }
  });
}

function run(s: CallState, event: CallEvent, settings: IvrSettings = S): Decision {
  return decide(s, event, settings);
}

const session = (over: Partial<Extract<SessionResult, { ok: true }>>): CallEvent => ({
  type: 'session',
  result: {
    ok: true,
    status: 'ok',
    grantedSeconds: 300,
    finalUnit: false,
    cost: krw(0n),
    balance: krw(9_700n),
    e164: '821012345678',
    ...over,
  },
});

const inCall = (call: Partial<NonNullable<CallState['call']>> = {}): CallState =>
  state({
    step: 'in-call',
    token: TOKEN,
    callSeq: 2,
    call: {
      number: '+821012345678',
      request: 1,
      grant: 300,
      used: 0,
      leg: 300,
      final: false,
      warn: false,
      ...call,
    },
  });

describe('the first menu: language and "buy a card"', () => {
  test('a new call hears the menu in Korean then English, one key, 5 s', () => {
    const d = startCall(S);
    assert.equal(d.state.step, 'language');
    assert.equal(d.effect, null);
    assert.deepEqual(shape(d.verbs), [
      "gather(1,5,'')[say:ko:menu pause(1) say:en:menu]",
      'redirect',
    ]);
    assert.equal(awaiting(d.state.step), 'gather');
  });

  test('1 is Korean, 2 is English: on to the PIN (20 keys, # ends, 6 s)', () => {
    const ko = run(state({}), DIGITS('1'));
    assert.equal(ko.state.step, 'pin');
    assert.equal(ko.state.lang, 'ko');
    assert.deepEqual(shape(ko.verbs), ["gather(20,6,'#')[say:ko:enter-pin]", 'redirect']);
    const en = run(state({ tries: 2 }), DIGITS('2'));
    assert.equal(en.state.lang, 'en');
    assert.equal(en.state.tries, 0);
    assert.deepEqual(shape(en.verbs), ["gather(20,6,'#')[say:en:enter-pin]", 'redirect']);
  });

  test('9 says how to buy a card in both languages and returns to the menu', () => {
    const d = run(state({}), DIGITS('9'));
    assert.equal(d.state.step, 'language');
    assert.equal(d.state.tries, 1);
    assert.equal(d.effect, null);
    assert.deepEqual(shape(d.verbs), [
      "gather(1,5,'')[say:ko:buy-card say:ko:menu pause(1) say:en:buy-card say:en:menu]",
      'redirect',
    ]);
  });

  test('9 on the last turn of the menu says how to buy, then goodbye', () => {
    const d = run(state({ tries: 2 }), DIGITS('9'));
    assert.equal(d.state.step, 'ended');
    assert.deepEqual(shape(d.verbs), [
      'say:ko:buy-card',
      'say:ko:goodbye',
      'pause(1)',
      'say:en:buy-card',
      'say:en:goodbye',
      'hangup',
    ]);
  });

  test('an invalid key asks again; the third ends the call', () => {
    const once = run(state({}), DIGITS('5'));
    assert.equal(once.state.tries, 1);
    assert.deepEqual(shape(once.verbs), [
      "gather(1,5,'')[say:ko:invalid-choice say:ko:menu pause(1) say:en:invalid-choice say:en:menu]",
      'redirect',
    ]);
    const last = run(state({ tries: 2 }), DIGITS('#'));
    assert.equal(last.state.step, 'ended');
    assert.deepEqual(shape(last.verbs), [
      'say:ko:invalid-choice',
      'say:ko:too-many-tries',
      'say:ko:goodbye',
      'hangup',
    ]);
    assert.equal(last.effect, null);
  });

  test('silence asks again; after the third the call goes on in Korean', () => {
    const once = run(state({}), TIMEOUT);
    assert.equal(once.state.step, 'language');
    assert.equal(once.state.tries, 1);
    assert.match(shape(once.verbs)[0] ?? '', /^gather\(1,5,''\)\[say:ko:no-input say:ko:menu/);
    const last = run(state({ tries: 2 }), TIMEOUT);
    assert.equal(last.state.step, 'pin');
    assert.equal(last.state.lang, 'ko');
    assert.equal(last.state.tries, 0);
  });

  test('an empty Digits is a timeout', () => {
    assert.deepEqual(run(state({}), DIGITS('')), run(state({}), TIMEOUT));
  });
});

describe('PIN and password', () => {
  test('a well-formed PIN is kept for the password prompt (no number limit, # ends)', () => {
    const d = run(state({ step: 'pin', tries: 1 }), DIGITS(PIN));
    assert.equal(d.state.step, 'password');
    assert.equal(d.state.pin, PIN);
    assert.equal(d.state.tries, 0);
    assert.deepEqual(shape(d.verbs), ["gather(-,6,'#')[say:ko:enter-password]", 'redirect']);
  });

  for (const [name, digits] of [
    ['19 digits', PIN19],
    ['a wrong check digit', BAD_CHECK],
    ['a star', `${PIN19}*`],
    ['65 keys', '1'.repeat(65)],
  ] as const) {
    test(`a malformed PIN (${name}) asks again without authenticating`, () => {
      const d = run(state({ step: 'pin', lang: 'en' }), DIGITS(digits));
      assert.equal(d.state.step, 'pin');
      assert.equal(d.state.tries, 1);
      assert.equal(d.effect, null);
      assert.equal(d.state.pin, null);
      const key = digits.length > 64 ? 'invalid-choice' : 'pin-malformed';
      assert.deepEqual(shape(d.verbs), [
        `gather(20,6,'#')[say:en:${key} say:en:enter-pin]`,
        'redirect',
      ]);
    });
  }

  test('silence at the PIN asks again, then goodbye', () => {
    const once = run(state({ step: 'pin' }), TIMEOUT);
    assert.deepEqual(shape(once.verbs), [
      "gather(20,6,'#')[say:ko:no-input say:ko:enter-pin]",
      'redirect',
    ]);
    const last = run(state({ step: 'pin', tries: 2 }), TIMEOUT);
    assert.equal(last.state.step, 'ended');
    assert.deepEqual(shape(last.verbs), ['say:ko:no-input', 'say:ko:goodbye', 'hangup']);
    assert.equal(last.effect, null);
  });

  test('the password is authenticated with the PIN; it is never put in the state', () => {
    const d = run(state({ step: 'password', pin: PIN }), DIGITS('2580'));
    assert.equal(d.state.step, 'authenticating');
    assert.deepEqual(d.effect, { kind: 'authenticate', pin: PIN, password: '2580' });
    assert.equal(JSON.stringify(d.state).includes('2580'), false);
    assert.deepEqual(d.verbs, []);
  });

  test('silence at the password asks again, then goodbye and the PIN is dropped', () => {
    const once = run(state({ step: 'password', pin: PIN, tries: 1 }), TIMEOUT);
    assert.equal(once.state.pin, PIN);
    assert.equal(once.state.tries, 2);
    const last = run(state({ step: 'password', pin: PIN, tries: 2 }), TIMEOUT);
    assert.equal(last.state.step, 'ended');
    assert.equal(last.state.pin, null);
  });

  test('authenticated: the balance, then the destination prompt; the PIN is gone', () => {
    const d = run(state({ step: 'authenticating', pin: PIN, authFailures: 2 }), {
      type: 'authenticated',
      result: { ok: true, token: TOKEN, balance: krw(10_000n) },
    });
    assert.equal(d.state.step, 'destination');
    assert.equal(d.state.pin, null);
    assert.equal(d.state.token, TOKEN);
    assert.equal(d.state.authFailures, 0);
    assert.deepEqual(shape(d.verbs), [
      "gather(-,6,'#')[say:ko:balance say:ko:enter-number]",
      'redirect',
    ]);
    const gather = d.verbs[0];
    assert.ok(gather?.kind === 'gather');
    assert.deepEqual(gather.prompts[0], {
      kind: 'say',
      lang: 'ko',
      message: { key: 'balance', balance: krw(10_000n) },
    });
  });

  test('wrong PIN or password: back to the PIN; the third in a call ends it', () => {
    const wrong: CallEvent = {
      type: 'authenticated',
      result: { ok: false, reason: 'credentials' },
    };
    const first = run(state({ step: 'authenticating', pin: PIN }), wrong);
    assert.equal(first.state.step, 'pin');
    assert.equal(first.state.pin, null);
    assert.equal(first.state.authFailures, 1);
    assert.deepEqual(shape(first.verbs), [
      "gather(20,6,'#')[say:ko:auth-failed say:ko:enter-pin]",
      'redirect',
    ]);
    const third = run(state({ step: 'authenticating', pin: PIN, authFailures: 2 }), wrong);
    assert.equal(third.state.step, 'ended');
    assert.deepEqual(shape(third.verbs), [
      'say:ko:auth-failed',
      'say:ko:too-many-tries',
      'say:ko:goodbye',
      'hangup',
    ]);
  });

  for (const [reason, key] of [
    ['locked', 'card-locked'],
    ['not-active', 'card-not-active'],
    ['expired', 'card-expired'],
    ['error', 'technical-problem'],
  ] as const) {
    test(`authentication refused (${reason}): say so and hang up`, () => {
      const d = run(state({ step: 'authenticating', pin: PIN, lang: 'en' }), {
        type: 'authenticated',
        result: { ok: false, reason },
      });
      assert.equal(d.state.step, 'ended');
      assert.deepEqual(shape(d.verbs), [`say:en:${key}`, 'say:en:goodbye', 'hangup']);
      assert.equal(d.effect, null);
    });
  }
});

describe('destination, minutes and the start of the call', () => {
  const dest = state({ step: 'destination', token: TOKEN, callSeq: 1 });

  test('a number is rated against the balance', () => {
    const d = run(dest, DIGITS('01012345678'));
    assert.equal(d.state.step, 'rating');
    assert.deepEqual(d.effect, { kind: 'check-balance', token: TOKEN, number: '01012345678' });
  });

  test('silence asks again; after the third, goodbye and the token is revoked', () => {
    const once = run(dest, TIMEOUT);
    assert.deepEqual(shape(once.verbs), [
      "gather(-,6,'#')[say:ko:no-input say:ko:enter-number]",
      'redirect',
    ]);
    const last = run({ ...dest, tries: 2 }, TIMEOUT);
    assert.equal(last.state.step, 'ended');
    assert.equal(last.state.token, null);
    assert.deepEqual(last.effect, { kind: 'revoke', token: TOKEN });
    assert.deepEqual(shape(last.verbs), ['say:ko:no-input', 'say:ko:goodbye', 'hangup']);
    const after = run(last.state, { type: 'revoked' });
    assert.deepEqual(after.verbs, []);
    assert.equal(after.effect, null);
  });

  const rating = { ...dest, step: 'rating' as const, number: '01012345678' };

  test('affordable: "you have N minutes", then the session starts', () => {
    const d = run(rating, {
      type: 'balance',
      result: { ok: true, balance: krw(10_000n), maxSeconds: 5_526 },
    });
    assert.equal(d.state.step, 'starting');
    assert.deepEqual(shape(d.verbs), ['say:ko:minutes']);
    assert.deepEqual(d.verbs[0], {
      kind: 'say',
      lang: 'ko',
      message: { key: 'minutes', seconds: 5_526 },
    });
    assert.deepEqual(d.effect, { kind: 'start', token: TOKEN, callSeq: 1, number: '01012345678' });
  });

  test('not affordable: "not enough", and the recharge offer', () => {
    for (const result of [
      { ok: true, balance: krw(100n), maxSeconds: 0 } as const,
      { ok: false, reason: 'no-credit' } as const,
    ]) {
      const d = run(rating, { type: 'balance', result });
      assert.equal(d.state.step, 'no-credit');
      assert.equal(d.state.number, null);
      assert.equal(d.effect, null);
      assert.deepEqual(shape(d.verbs), [
        "gather(1,5,'')[say:ko:no-credit say:ko:recharge-offer]",
        'redirect',
      ]);
    }
  });

  test('a number that cannot be called: ask again (3 tries), then goodbye', () => {
    const bad: CallEvent = { type: 'balance', result: { ok: false, reason: 'number' } };
    const once = run(rating, bad);
    assert.equal(once.state.step, 'destination');
    assert.equal(once.state.tries, 1);
    assert.deepEqual(shape(once.verbs), [
      "gather(-,6,'#')[say:ko:number-invalid say:ko:enter-number]",
      'redirect',
    ]);
    const last = run({ ...rating, tries: 2 }, bad);
    assert.equal(last.state.step, 'ended');
    assert.deepEqual(last.effect, { kind: 'revoke', token: TOKEN });
    assert.deepEqual(shape(last.verbs), [
      'say:ko:number-invalid',
      'say:ko:too-many-tries',
      'say:ko:goodbye',
      'hangup',
    ]);
  });

  test('the card refused or the token gone: say so, revoke, hang up', () => {
    for (const [reason, key] of [
      ['locked', 'card-locked'],
      ['expired', 'card-expired'],
      ['subscriber', 'technical-problem'],
    ] as const) {
      const d = run(rating, { type: 'balance', result: { ok: false, reason } });
      assert.deepEqual(shape(d.verbs), [`say:ko:${key}`, 'say:ko:goodbye', 'hangup']);
      assert.deepEqual(d.effect, { kind: 'revoke', token: TOKEN });
    }
  });

  const starting = { ...rating, step: 'starting' as const };

  test('granted: connect with the grant as the time limit', () => {
    const d = run(starting, session({ grantedSeconds: 300 }));
    assert.equal(d.state.step, 'in-call');
    assert.equal(awaiting(d.state.step), 'dial');
    assert.deepEqual(d.state.call, {
      number: '+821012345678',
      request: 1,
      grant: 300,
      used: 0,
      leg: 300,
      final: false,
      warn: false,
    });
    assert.deepEqual(shape(d.verbs), ['say:ko:connecting', 'dial(+821012345678,300)']);
  });

  test('a final grant longer than the warning is split: the leg ends a minute early', () => {
    const d = run(starting, session({ grantedSeconds: 150, finalUnit: true }));
    assert.deepEqual(shape(d.verbs), ['say:ko:connecting', 'dial(+821012345678,90)']);
    assert.equal(d.state.call?.warn, true);
  });

  test('a final grant within the warning is dialled whole (the minutes were just said)', () => {
    const d = run(starting, session({ grantedSeconds: 50, finalUnit: true }));
    assert.deepEqual(shape(d.verbs), ['say:ko:connecting', 'dial(+821012345678,50)']);
    assert.equal(d.state.call?.warn, false);
  });

  test('refused at the start: no credit, a bad number, or a technical problem', () => {
    assert.equal(
      run(starting, { type: 'session', result: { ok: false, reason: 'no-credit' } }).state.step,
      'no-credit',
    );
    assert.equal(
      run(starting, { type: 'session', result: { ok: false, reason: 'number' } }).state.step,
      'destination',
    );
    const broken = run(starting, { type: 'session', result: { ok: false, reason: 'error' } });
    assert.deepEqual(shape(broken.verbs), ['say:ko:technical-problem', 'say:ko:goodbye', 'hangup']);
  });

  test('no credit: 1 tells how to recharge, anything else says goodbye; silence asks again', () => {
    const offer = state({ step: 'no-credit', token: TOKEN, lang: 'en' });
    const info = run(offer, DIGITS('1'));
    assert.deepEqual(shape(info.verbs), ['say:en:recharge-info', 'say:en:goodbye', 'hangup']);
    assert.deepEqual(info.effect, { kind: 'revoke', token: TOKEN });
    assert.deepEqual(shape(run(offer, DIGITS('3')).verbs), ['say:en:goodbye', 'hangup']);
    const quiet = run(offer, TIMEOUT);
    assert.equal(quiet.state.step, 'no-credit');
    assert.equal(quiet.state.tries, 1);
    assert.equal(run({ ...offer, tries: 2 }, TIMEOUT).state.step, 'ended');
  });
});

describe('during the call: legs, grants, the warning and the end', () => {
  const ended = (
    status: 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled',
    durationSeconds: number,
    callerHungUp = false,
  ): CallEvent => ({ type: 'dial-ended', status, durationSeconds, callerHungUp });

  test('the far end hangs up within the leg: terminate with the bridged seconds', () => {
    const d = run(inCall(), ended('completed', 95));
    assert.equal(d.state.step, 'terminating');
    assert.equal(d.state.ending, 'hangup');
    assert.deepEqual(d.effect, {
      kind: 'terminate',
      callSeq: 2,
      requestNumber: 1,
      usedSeconds: 95,
    });
  });

  for (const [status, ending] of [
    ['busy', 'busy'],
    ['no-answer', 'no-answer'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
  ] as const) {
    test(`a leg that never connected (${status}) is free: terminate with 0 s`, () => {
      const d = run(inCall(), ended(status, 12));
      assert.equal(d.state.ending, ending);
      assert.deepEqual(d.effect, {
        kind: 'terminate',
        callSeq: 2,
        requestNumber: 1,
        usedSeconds: 0,
      });
    });
  }

  test('the caller hangs up: terminate, then revoke and nothing more to say', () => {
    const d = run(inCall(), ended('completed', 40, true));
    assert.equal(d.state.ending, 'caller');
    assert.deepEqual(d.effect, {
      kind: 'terminate',
      callSeq: 2,
      requestNumber: 1,
      usedSeconds: 40,
    });
    const closed = run(d.state, session({ cost: krw(40n), balance: krw(60n) }));
    assert.deepEqual(shape(closed.verbs), ['hangup']);
    assert.deepEqual(closed.effect, { kind: 'revoke', token: TOKEN });
  });

  test('the leg ran to its time limit and more may be granted: update', () => {
    const d = run(inCall(), ended('completed', 301));
    assert.equal(d.state.step, 'updating');
    assert.deepEqual(d.effect, { kind: 'update', callSeq: 2, requestNumber: 1, usedSeconds: 301 });
  });

  test('the last grant ran out: terminate for lack of credit', () => {
    const d = run(inCall({ grant: 40, leg: 40, final: true }), ended('completed', 40));
    assert.equal(d.state.ending, 'credit');
    assert.deepEqual(d.effect, {
      kind: 'terminate',
      callSeq: 2,
      requestNumber: 1,
      usedSeconds: 40,
    });
  });

  test('the first part of a split final grant ran out: the warning, then the last minute', () => {
    const d = run(inCall({ grant: 150, leg: 90, final: true, warn: true }), ended('completed', 90));
    assert.equal(d.effect, null);
    assert.deepEqual(shape(d.verbs), ['say:ko:time-left', 'dial(+821012345678,60)']);
    assert.deepEqual(d.verbs[0], {
      kind: 'say',
      lang: 'ko',
      message: { key: 'time-left', seconds: 60 },
    });
    assert.deepEqual(d.state.call, {
      number: '+821012345678',
      request: 1,
      grant: 150,
      used: 90,
      leg: 60,
      final: true,
      warn: false,
    });
    // The last minute's leg ends: both legs are reported together.
    const done = run(d.state, ended('completed', 60));
    assert.deepEqual(done.effect, {
      kind: 'terminate',
      callSeq: 2,
      requestNumber: 1,
      usedSeconds: 150,
    });
    assert.equal(done.state.ending, 'credit');
    // Hung up during the last minute: the same, with what was used.
    const early = run(d.state, ended('completed', 10));
    assert.deepEqual(early.effect, {
      kind: 'terminate',
      callSeq: 2,
      requestNumber: 1,
      usedSeconds: 100,
    });
    assert.equal(early.state.ending, 'hangup');
  });

  test('a platform that overran the first part leaves a shorter last leg, or none', () => {
    const d = run(
      inCall({ grant: 150, leg: 90, final: true, warn: true }),
      ended('completed', 100),
    );
    assert.deepEqual(shape(d.verbs), ['say:ko:time-left', 'dial(+821012345678,50)']);
    const none = run(
      inCall({ grant: 150, leg: 90, final: true, warn: true }),
      ended('completed', 150),
    );
    assert.deepEqual(none.effect, {
      kind: 'terminate',
      callSeq: 2,
      requestNumber: 1,
      usedSeconds: 150,
    });
  });

  test('a warning tone, when configured, is played before the words', () => {
    const toned = ivrSettings({ warningToneUrl: 'https://media.example/beep.wav' });
    const d = run(
      inCall({ grant: 150, leg: 90, final: true, warn: true }),
      ended('completed', 90),
      toned,
    );
    assert.deepEqual(shape(d.verbs), [
      'play(https://media.example/beep.wav)',
      'say:ko:time-left',
      'dial(+821012345678,60)',
    ]);
  });

  const updating = (call: Partial<NonNullable<CallState['call']>> = {}): CallState => ({
    ...inCall({ used: 300, ...call }),
    step: 'updating',
  });

  test('a new grant continues the call with the next leg and request number', () => {
    const d = run(updating(), session({ grantedSeconds: 300 }));
    assert.equal(d.state.step, 'in-call');
    assert.deepEqual(d.state.call, {
      number: '+821012345678',
      request: 2,
      grant: 300,
      used: 0,
      leg: 300,
      final: false,
      warn: false,
    });
    assert.deepEqual(shape(d.verbs), ['dial(+821012345678,300)']);
  });

  test('a short final grant is announced before its leg; a long one is split', () => {
    const short = run(updating(), session({ grantedSeconds: 45, finalUnit: true }));
    assert.deepEqual(shape(short.verbs), ['say:ko:time-left', 'dial(+821012345678,45)']);
    const long = run(updating(), session({ grantedSeconds: 200, finalUnit: true }));
    assert.deepEqual(shape(long.verbs), ['dial(+821012345678,140)']);
    assert.equal(long.state.call?.warn, true);
  });

  test('with the warning off, a final grant is one leg and nothing is said', () => {
    const off = ivrSettings({ warningSeconds: 0 });
    const d = run(updating(), session({ grantedSeconds: 45, finalUnit: true }), off);
    assert.deepEqual(shape(d.verbs), ['dial(+821012345678,45)']);
    assert.equal(d.state.call?.warn, false);
  });

  test('a zero grant ends the call: terminate with nothing more used', () => {
    const d = run(
      updating(),
      session({ status: 'credit_limit_reached', grantedSeconds: 0, finalUnit: true }),
    );
    assert.equal(d.state.step, 'terminating');
    assert.equal(d.state.ending, 'credit');
    assert.deepEqual(d.effect, { kind: 'terminate', callSeq: 2, requestNumber: 2, usedSeconds: 0 });
  });

  test('the card refused during the call: the used time is charged, say so, goodbye', () => {
    const d = run(
      updating(),
      session({
        status: 'service_denied',
        grantedSeconds: null,
        cost: krw(300n),
        balance: krw(0n),
      }),
    );
    assert.deepEqual(shape(d.verbs), [
      'say:ko:card-not-active',
      'say:ko:call-cost',
      'say:ko:goodbye',
      'hangup',
    ]);
    assert.deepEqual(d.effect, { kind: 'revoke', token: TOKEN });
  });

  test('the session is gone (timer ran out): a technical problem', () => {
    const d = run(updating(), { type: 'session', result: { ok: false, reason: 'error' } });
    assert.deepEqual(shape(d.verbs), ['say:ko:technical-problem', 'say:ko:goodbye', 'hangup']);
  });

  const terminating = (ending: NonNullable<CallState['ending']>): CallState => ({
    ...inCall({ used: 95 }),
    step: 'terminating',
    ending,
  });

  test('after the call: the cost and the balance, then "press # for another call"', () => {
    const d = run(terminating('hangup'), session({ cost: krw(223n), balance: krw(9_777n) }));
    assert.equal(d.state.step, 'after-call');
    assert.equal(d.state.callSeq, 3);
    assert.equal(d.state.call, null);
    assert.equal(d.state.token, TOKEN);
    assert.deepEqual(shape(d.verbs), [
      "gather(1,5,'')[say:ko:call-cost say:ko:another-call]",
      'redirect',
    ]);
    const gather = d.verbs[0];
    assert.ok(gather?.kind === 'gather');
    assert.deepEqual(gather.prompts[0], {
      kind: 'say',
      lang: 'ko',
      message: { key: 'call-cost', cost: krw(223n), balance: krw(9_777n) },
    });
  });

  for (const [ending, key] of [
    ['busy', 'line-busy'],
    ['no-answer', 'no-answer'],
    ['failed', 'call-failed'],
    ['credit', 'credit-used-up'],
  ] as const) {
    test(`after a call that ended with ${ending}: say why first`, () => {
      const d = run(terminating(ending), session({}));
      assert.deepEqual(shape(d.verbs), [
        `gather(1,5,'')[say:ko:${key} say:ko:call-cost say:ko:another-call]`,
        'redirect',
      ]);
    });
  }

  test('# makes another call without authenticating again; anything else ends', () => {
    const after = state({ step: 'after-call', token: TOKEN, callSeq: 3 });
    const again = run(after, DIGITS('#'));
    assert.equal(again.state.step, 'destination');
    assert.equal(again.state.callSeq, 3);
    assert.equal(again.effect, null);
    assert.deepEqual(shape(again.verbs), ["gather(-,6,'#')[say:ko:enter-number]", 'redirect']);
    const bye = run(after, DIGITS('1'));
    assert.deepEqual(shape(bye.verbs), ['say:ko:goodbye', 'hangup']);
    assert.deepEqual(bye.effect, { kind: 'revoke', token: TOKEN });
    assert.equal(run(after, TIMEOUT).state.tries, 1);
    assert.equal(run({ ...after, tries: 2 }, TIMEOUT).state.step, 'ended');
  });
});

describe('events that do not belong to the step', () => {
  const cases: readonly [CallState, CallEvent][] = [
    [state({}), { type: 'revoked' }],
    [
      state({ step: 'pin' }),
      { type: 'dial-ended', status: 'completed', durationSeconds: 1, callerHungUp: false },
    ],
    [state({ step: 'password', pin: null }), DIGITS('2580')],
    [state({ step: 'destination', token: TOKEN }), { type: 'revoked' }],
    [inCall(), DIGITS('1')],
    [inCall(), TIMEOUT],
    [state({ step: 'authenticating' }), DIGITS('1')],
    [state({ step: 'rating', token: TOKEN, number: '1' }), session({})],
  ];
  for (const [s, e] of cases) {
    test(`${s.step} + ${e.type}: a technical problem ends the call`, () => {
      const d = run(s, e);
      assert.equal(d.state.step, 'ended');
      assert.deepEqual(shape(d.verbs).slice(-3), [
        'say:ko:technical-problem',
        'say:ko:goodbye',
        'hangup',
      ]);
    });
  }

  test('after the end, anything gets a hang-up', () => {
    assert.deepEqual(shape(run(state({ step: 'ended' }), TIMEOUT).verbs), ['hangup']);
  });
});

test('planLeg: the warning splits only a final grant longer than the warning', () => {
  const w60 = ivrSettings({ warningSeconds: 60 });
  assert.deepEqual(planLeg(300, false, w60), { leg: 300, warn: false });
  assert.deepEqual(planLeg(300, true, w60), { leg: 240, warn: true });
  assert.deepEqual(planLeg(61, true, w60), { leg: 1, warn: true });
  assert.deepEqual(planLeg(60, true, w60), { leg: 60, warn: false });
  assert.deepEqual(planLeg(1, true, w60), { leg: 1, warn: false });
  const off = ivrSettings({ warningSeconds: 0 });
  assert.deepEqual(planLeg(300, true, off), { leg: 300, warn: false });
});

test('the settings refuse nonsense', () => {
  assert.throws(() => ivrSettings({ promptTries: 0 }), /promptTries/);
  assert.throws(() => ivrSettings({ warningSeconds: -1 }), /warningSeconds/);
  assert.throws(() => ivrSettings({ digitsTimeoutSeconds: 1.5 }), /digitsTimeoutSeconds/);
  assert.throws(() => ivrSettings({ warningToneUrl: 'beep.wav' }), /warningToneUrl/);
  assert.equal(ivrSettings({ warningSeconds: 30 }).warningSeconds, 30);
});
