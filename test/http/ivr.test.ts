import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { changePassword } from '../../src/cards/index.ts';
import { buildServer } from '../../src/http/index.ts';
import { openChargingWorld, type ChargingWorld } from '../charging/session-support.ts';
import { DATABASES } from '../support/databases.ts';

/**
 * Call scripts: what a TwiML voice platform would post, through the real HTTP server
 * (in-process), against a real charging world; the answers are read back as verbs.
 */

const AUTH_TOKEN = 'ivr_test_auth_token';
const PUBLIC_URL = 'https://ivr.example.test';
/** Long enough that it cannot turn up by chance in a sealed state. */
const PASSWORD = '73914682';
const TOKEN_PATTERN = /st_[A-Za-z0-9_-]{43}/;

interface Turn {
  readonly status: number;
  readonly xml: string;
  readonly says: readonly { readonly lang: string; readonly text: string }[];
  readonly gather: Readonly<Record<string, string>> | null;
  readonly redirect: string | null;
  readonly dial: {
    readonly number: string;
    readonly attrs: Readonly<Record<string, string>>;
  } | null;
  readonly hangup: boolean;
  readonly body: Record<string, unknown> | null;
}

function unescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z]+)="([^"]*)"/g)) out[m[1] ?? ''] = unescape(m[2] ?? '');
  return out;
}

function parse(status: number, text: string): Turn {
  const isXml = text.startsWith('<?xml');
  const gather = /<Gather ([^>]*)>/.exec(text);
  const redirect = /<Redirect method="POST">([^<]*)<\/Redirect>/.exec(text);
  const dial = /<Dial ([^>]*)><Number>([^<]*)<\/Number><\/Dial>/.exec(text);
  return {
    status,
    xml: text,
    says: [...text.matchAll(/<Say language="([^"]+)">([^<]*)<\/Say>/g)].map((m) => ({
      lang: m[1] ?? '',
      text: unescape(m[2] ?? ''),
    })),
    gather: gather === null ? null : attributes(gather[1] ?? ''),
    redirect: redirect === null ? null : unescape(redirect[1] ?? ''),
    dial: dial === null ? null : { number: dial[2] ?? '', attrs: attributes(dial[1] ?? '') },
    hangup: text.includes('<Hangup/>'),
    body: isXml || text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
  };
}

function twilioSignature(url: string, fields: Record<string, string>): string {
  const data =
    url +
    Object.keys(fields)
      .sort()
      .map((k) => k + (fields[k] ?? ''))
      .join('');
  return createHmac('sha1', AUTH_TOKEN).update(data, 'utf8').digest('base64');
}

/** One caller on the access number, as the platform would report them. */
class Call {
  readonly sid = `CA${randomBytes(16).toString('hex')}`;
  /** Where the last answer told the platform to post next. */
  next: { readonly kind: 'gather' | 'dial'; readonly url: string } | null = null;
  readonly turns: Turn[] = [];

  constructor(
    readonly server: FastifyInstance,
    readonly secrets: { pin: string; password: string },
    readonly sign: boolean = false,
  ) {}

  async post(
    url: string,
    extra: Record<string, string>,
    options: { readonly signature?: string | null } = {},
  ): Promise<Turn> {
    const fields: Record<string, string> = {
      AccountSid: 'AC00000000000000000000000000000000',
      CallSid: this.sid,
      From: '+821099998888',
      To: '+8215880000',
      CallStatus: 'in-progress',
      Direction: 'inbound',
      ...extra,
    };
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      host: 'ivr.example.test',
    };
    const signature =
      options.signature !== undefined
        ? options.signature
        : this.sign
          ? twilioSignature(PUBLIC_URL + url, fields)
          : null;
    if (signature !== null) headers['x-twilio-signature'] = signature;
    const res = await this.server.inject({
      method: 'POST',
      url,
      headers,
      payload: new URLSearchParams(fields).toString(),
    });
    const turn = parse(res.statusCode, res.body);
    this.check(turn);
    this.turns.push(turn);
    if (turn.status === 200) {
      if (turn.gather !== null) {
        assert.equal(turn.redirect, turn.gather.action, 'silence goes where the digits go');
        this.next = { kind: 'gather', url: turn.gather.action ?? '' };
      } else if (turn.dial !== null) {
        this.next = { kind: 'dial', url: turn.dial.attrs.action ?? '' };
      } else {
        assert.ok(turn.hangup, 'an answer without a prompt or a leg hangs up');
        this.next = null;
      }
    }
    return turn;
  }

  /** Nothing secret in what the platform gets back, not even inside the sealed state. */
  check(turn: Turn): void {
    for (const secret of [this.secrets.pin, this.secrets.password]) {
      assert.equal(turn.xml.includes(secret), false, 'a secret in the answer');
    }
    // (The sealed state is base64url itself, so the token's pattern is looked for around it.)
    const visible = turn.xml.replace(/([?&](?:amp;)?s=)[A-Za-z0-9_-]+/g, '$1');
    assert.equal(TOKEN_PATTERN.test(visible), false, 'a subscriber token in the answer');
    for (const m of turn.xml.matchAll(/[?&](?:amp;)?s=([A-Za-z0-9_-]+)/g)) {
      const raw = Buffer.from(m[1] ?? '', 'base64url').toString('latin1');
      for (const secret of [this.secrets.pin, this.secrets.password, '"pin"', '"token"']) {
        assert.equal(raw.includes(secret), false, 'a secret readable in the sealed state');
      }
      assert.equal(TOKEN_PATTERN.test(raw), false, 'a token readable in the sealed state');
    }
  }

  start(): Promise<Turn> {
    return this.post('/ivr/voice', {});
  }

  /** The caller presses keys (null: the prompt timed out, the action comes without Digits). */
  press(digits: string | null): Promise<Turn> {
    assert.equal(this.next?.kind, 'gather', 'the platform is waiting for keys');
    return this.post(this.next.url, digits === null ? {} : { Digits: digits });
  }

  /** The Dial leg ended: how, and how long it was bridged. */
  legEnded(status: string, duration: number | null, callStatus = 'in-progress'): Promise<Turn> {
    assert.equal(this.next?.kind, 'dial', 'the platform is in a Dial leg');
    return this.post(this.next.url, {
      DialCallStatus: status,
      ...(duration === null ? {} : { DialCallDuration: String(duration) }),
      CallStatus: callStatus,
    });
  }

  /** Language, PIN, password: returns the answer that says the balance. */
  async authenticate(language: '1' | '2' = '1'): Promise<Turn> {
    await this.start();
    await this.press(language);
    await this.press(this.secrets.pin);
    return this.press(this.secrets.password);
  }
}

const texts = (turn: Turn): string[] => turn.says.map((s) => s.text);

for (const target of DATABASES) {
  describe(`calling-card IVR webhook (${target.name})`, { skip: target.skip }, () => {
    let w: ChargingWorld;
    let server: FastifyInstance;
    let signed: FastifyInstance;
    let small: ChargingWorld;
    let smallServer: FastifyInstance;
    const logLines: string[] = [];

    before(async () => {
      w = await openChargingWorld(target);
      const base = {
        db: w.app.db,
        payments: w.app.payments,
        cards: w.app.cards,
        charging: w.charging,
      };
      server = await buildServer({
        ...base,
        logLevel: 'info',
        logStream: { write: (line: string) => void logLines.push(line) },
      });
      signed = await buildServer({
        ...base,
        logLevel: 'silent',
        ivr: { authToken: AUTH_TOKEN, publicUrl: `${PUBLIC_URL}/` },
      });
      small = await openChargingWorld(target, { defaultRequestSeconds: 60, grantCapSeconds: 60 });
      smallServer = await buildServer({
        db: small.app.db,
        payments: small.app.payments,
        cards: small.app.cards,
        charging: small.charging,
        logLevel: 'silent',
        ivr: { settings: { warningSeconds: 30 } },
      });
    });
    after(async () => {
      await server.close();
      await signed.close();
      await smallServer.close();
      await w.verify();
      await small.verify();
      await w.dispose();
      await small.dispose();
    });

    async function holder(world: ChargingWorld, balance: bigint) {
      const card = await world.card(balance);
      const pin = card.pin.replace(/[^0-9]/g, '');
      const changed = await changePassword(world.app.cards, {
        pin,
        password: card.password,
        newPassword: PASSWORD,
      });
      assert.ok(changed.ok);
      return { id: card.id, pin, password: PASSWORD };
    }

    async function cardRow(world: ChargingWorld, id: string) {
      const rows = await sql<{ failed_attempts: unknown; state: string }>`
        select failed_attempts, state from card where id = ${id}`.execute(world.app.db.kysely);
      const row = rows.rows[0];
      assert.ok(row);
      return { failedAttempts: Number(row.failed_attempts), state: row.state };
    }

    async function ivrTokens(world: ChargingWorld): Promise<number> {
      const rows = await sql<{ n: unknown }>`
        select count(*) as n from charging_token where channel = 'ivr'`.execute(
        world.app.db.kysely,
      );
      return Number(rows.rows[0]?.n);
    }

    async function sessionsOf(world: ChargingWorld, cardId: string) {
      const rows = await sql<{
        client_session_id: string;
        used_seconds: unknown;
        cost_minor: unknown;
        state: string;
        e164: string;
      }>`select client_session_id, used_seconds, cost_minor, state, e164 from charging_session
         where card_id = ${cardId} order by started_at_ms, client_session_id`.execute(
        world.app.db.kysely,
      );
      return rows.rows.map((r) => ({
        id: r.client_session_id,
        used: Number(r.used_seconds),
        cost: Number(r.cost_minor),
        state: r.state,
        e164: r.e164,
      }));
    }

    test('(a) Korean: PIN, password, balance, number, minutes, a 95 s call charged exactly, another call, goodbye', async () => {
      const card = await holder(w, 10_000n);
      const call = new Call(server, card);
      const menu = await call.start();
      assert.equal(menu.status, 200);
      assert.deepEqual(
        menu.says.map((s) => s.lang),
        ['ko-KR', 'en-US'],
      );
      assert.deepEqual(
        { ...menu.gather, action: undefined },
        {
          input: 'dtmf',
          action: undefined,
          method: 'POST',
          timeout: '5',
          finishOnKey: '',
          numDigits: '1',
          actionOnEmptyResult: 'true',
        },
      );
      assert.match(
        menu.gather?.action ?? '',
        new RegExp(`^/ivr/calls/${call.sid}/gather\\?s=[A-Za-z0-9_-]+$`),
      );

      const pinPrompt = await call.press('1');
      assert.deepEqual(texts(pinPrompt), [
        '카드 PIN 번호 20자리를 누르신 후 우물 정자를 눌러 주세요.',
      ]);
      assert.equal(pinPrompt.says[0]?.lang, 'ko-KR');
      assert.equal(pinPrompt.gather?.numDigits, '20');
      assert.equal(pinPrompt.gather?.finishOnKey, '#');
      assert.equal(pinPrompt.gather?.timeout, '6');

      const passwordPrompt = await call.press(card.pin);
      assert.deepEqual(texts(passwordPrompt), ['비밀번호를 누르신 후 우물 정자를 눌러 주세요.']);
      assert.equal(passwordPrompt.gather?.numDigits, undefined);

      const balance = await call.press(card.password);
      assert.deepEqual(texts(balance), [
        '잔액은 10000원입니다.',
        '통화하실 전화번호를 누르신 후 우물 정자를 눌러 주세요.',
      ]);
      assert.equal(await ivrTokens(w), 1);

      // A number that cannot be rated is refused and asked again.
      const refused = await call.press('12');
      assert.deepEqual(texts(refused), [
        '걸 수 없는 번호입니다.',
        '통화하실 전화번호를 누르신 후 우물 정자를 눌러 주세요.',
      ]);

      // Korean mobile: 60/6 at 108 won a minute + 50 connection → 92 minutes for 10,000 won.
      const connect = await call.press('01012345678');
      assert.deepEqual(texts(connect), ['통화 가능 시간은 92분입니다.', '연결해 드리겠습니다.']);
      assert.equal(connect.dial?.number, '+821012345678');
      assert.equal(connect.dial?.attrs.timeLimit, '300');
      assert.equal(connect.dial?.attrs.method, 'POST');
      assert.match(
        connect.dial?.attrs.action ?? '',
        new RegExp(`^/ivr/calls/${call.sid}/dial\\?s=`),
      );
      // The grant (300 s = 540 won, 50 + 60/6 blocks) is reserved while the call runs.
      assert.equal(await w.available(card.id), 10_000n - 590n);

      w.clock.advance(95_000n);
      const done = await call.legEnded('completed', 95);
      // 50 + ⌈96 × 108 / 60⌉ = 50 + 173 = 223 won.
      assert.deepEqual(texts(done), [
        '통화 요금은 223원이고, 남은 잔액은 9777원입니다.',
        '다른 곳에 전화하시려면 우물 정자를 눌러 주세요.',
      ]);
      assert.equal(done.gather?.numDigits, '1');
      assert.equal(done.gather?.finishOnKey, '');
      assert.equal(await w.available(card.id), 9_777n);

      // The platform retries the same report: answered again, charged once.
      const again = await call.post(call.turns.at(-2)?.dial?.attrs.action ?? '', {
        DialCallStatus: 'completed',
        DialCallDuration: '95',
      });
      assert.deepEqual(texts(again), texts(done));
      assert.equal(await w.available(card.id), 9_777n);

      // # → another call without authenticating again.
      const another = await call.press('#');
      assert.deepEqual(texts(another), ['통화하실 전화번호를 누르신 후 우물 정자를 눌러 주세요.']);
      const second = await call.press('021234567');
      assert.deepEqual(texts(second), ['통화 가능 시간은 162분입니다.', '연결해 드리겠습니다.']);
      assert.equal(second.dial?.number, '+8221234567');
      w.clock.advance(10_000n);
      const secondDone = await call.legEnded('completed', 10);
      assert.deepEqual(texts(secondDone), [
        '통화 요금은 10원이고, 남은 잔액은 9767원입니다.',
        '다른 곳에 전화하시려면 우물 정자를 눌러 주세요.',
      ]);

      const bye = await call.press('9');
      assert.deepEqual(texts(bye), ['이용해 주셔서 감사합니다. 안녕히 계세요.']);
      assert.ok(bye.hangup);
      assert.equal(call.next, null);
      assert.equal(await w.available(card.id), 9_767n);
      assert.equal(await ivrTokens(w), 0, 'the token is revoked at the end of the call');
      assert.deepEqual(await sessionsOf(w, card.id), [
        { id: `${call.sid}:0`, used: 95, cost: 223, state: 'closed', e164: '821012345678' },
        { id: `${call.sid}:1`, used: 10, cost: 10, state: 'closed', e164: '8221234567' },
      ]);

      // No log line carries a PIN, a password, a token or a sealed state.
      const logs = logLines.join('\n');
      assert.ok(logs.includes(call.sid), 'the calls were logged');
      assert.equal(logs.includes(card.pin), false);
      assert.equal(logs.includes(card.password), false);
      assert.equal(TOKEN_PATTERN.test(logs), false);
      assert.equal(/\?s=[A-Za-z0-9_-]{20}/.test(logs), false);
    });

    test('(b) a wrong password three times ends the call and counts on the card; the fifth locks it', async () => {
      const card = await holder(w, 5_000n);
      const call = new Call(server, card);
      await call.start();
      await call.press('2');
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        await call.press(card.pin);
        const answer = await call.press('86420');
        if (attempt < 3) {
          assert.deepEqual(texts(answer), [
            'The PIN or the password is not correct.',
            'Please enter your 20-digit card PIN, then press the pound key.',
          ]);
        } else {
          assert.deepEqual(texts(answer), [
            'The PIN or the password is not correct.',
            'Too many attempts.',
            'Thank you for calling OnePIN. Goodbye.',
          ]);
          assert.ok(answer.hangup);
        }
      }
      assert.deepEqual(await cardRow(w, card.id), { failedAttempts: 3, state: 'active' });

      const next = new Call(server, card);
      await next.start();
      await next.press('1');
      await next.press(card.pin);
      const fourth = await next.press('86420');
      assert.deepEqual(texts(fourth), [
        'PIN 번호 또는 비밀번호가 맞지 않습니다.',
        '카드 PIN 번호 20자리를 누르신 후 우물 정자를 눌러 주세요.',
      ]);
      await next.press(card.pin);
      const fifth = await next.press('86420');
      assert.deepEqual(texts(fifth), [
        '이 카드는 잠겨 있어 사용할 수 없습니다. 원핀 웹사이트나 고객센터에 문의해 주세요.',
        '이용해 주셔서 감사합니다. 안녕히 계세요.',
      ]);
      assert.ok(fifth.hangup);
      assert.deepEqual(await cardRow(w, card.id), { failedAttempts: 5, state: 'locked' });

      // Even the right password now hears that the card is locked.
      const third = new Call(server, card);
      const locked = await third.authenticate('1');
      assert.equal(
        texts(locked)[0],
        '이 카드는 잠겨 있어 사용할 수 없습니다. 원핀 웹사이트나 고객센터에 문의해 주세요.',
      );
      assert.equal(await w.available(card.id), 5_000n);
      assert.deepEqual(await sessionsOf(w, card.id), []);
    });

    test('(c) a prompt nobody answers is asked again, then the call ends; every prompt has a timeout', async () => {
      const card = await holder(w, 5_000n);
      // The language menu: three silences, then Korean by default.
      const first = new Call(server, card);
      await first.start();
      const quiet1 = await first.press(null);
      assert.deepEqual(texts(quiet1).slice(0, 1), ['입력이 없습니다.']);
      assert.equal(quiet1.says.length, 4);
      await first.press(null);
      const korean = await first.press(null);
      assert.deepEqual(texts(korean), [
        '카드 PIN 번호 20자리를 누르신 후 우물 정자를 눌러 주세요.',
      ]);
      // The PIN: twice asked again, the third silence ends the call.
      for (let n = 0; n < 2; n += 1) {
        assert.deepEqual(texts(await first.press(null)), [
          '입력이 없습니다.',
          '카드 PIN 번호 20자리를 누르신 후 우물 정자를 눌러 주세요.',
        ]);
      }
      const gone = await first.press(null);
      assert.deepEqual(texts(gone), [
        '입력이 없습니다.',
        '이용해 주셔서 감사합니다. 안녕히 계세요.',
      ]);
      assert.ok(gone.hangup);

      // The password (in English).
      const second = new Call(server, card);
      await second.start();
      await second.press('2');
      await second.press(card.pin);
      await second.press(null);
      await second.press(null);
      const noPassword = await second.press(null);
      assert.deepEqual(texts(noPassword), [
        'We did not receive any input.',
        'Thank you for calling OnePIN. Goodbye.',
      ]);
      assert.deepEqual(await cardRow(w, card.id), { failedAttempts: 0, state: 'active' });

      // The destination: the token is revoked when the call ends.
      const third = new Call(server, card);
      await third.authenticate('1');
      assert.equal(await ivrTokens(w), 1);
      await third.press(null);
      await third.press(null);
      const noNumber = await third.press(null);
      assert.ok(noNumber.hangup);
      assert.equal(await ivrTokens(w), 0);

      // After a call: "press # for another call", unanswered.
      const fourth = new Call(server, card);
      await fourth.authenticate('1');
      await fourth.press('021234567');
      await fourth.legEnded('no-answer', null);
      assert.equal(fourth.turns.at(-1)?.says[0]?.text, '상대방이 응답하지 않습니다.');
      assert.equal(
        fourth.turns.at(-1)?.says[1]?.text,
        '통화 요금은 0원이고, 남은 잔액은 5000원입니다.',
      );
      await fourth.press(null);
      await fourth.press(null);
      const noMore = await fourth.press(null);
      assert.ok(noMore.hangup);
      assert.equal(await w.available(card.id), 5_000n, 'an unanswered call is free');
      assert.equal(await ivrTokens(w), 0);
    });

    test('(d) not enough credit for the number: say so, offer how to recharge, nothing charged', async () => {
      const card = await holder(w, 100n);
      const call = new Call(server, card);
      const balance = await call.authenticate('1');
      assert.equal(texts(balance)[0], '잔액은 100원입니다.');
      // Japan via 001: 100 connection + 600 a minute + 20 disconnect > 100 won.
      const poor = await call.press('00181312345678');
      assert.deepEqual(texts(poor), [
        '잔액이 부족하여 이 번호로 통화하실 수 없습니다.',
        '충전 방법을 들으시려면 1번을 눌러 주세요.',
      ]);
      const how = await call.press('1');
      assert.deepEqual(texts(how), [
        '카드 충전은 원핀 웹사이트의 충전 메뉴에서 PIN 번호와 비밀번호로 하실 수 있습니다. 한 번에 천 원부터 백만 원까지 충전됩니다.',
        '이용해 주셔서 감사합니다. 안녕히 계세요.',
      ]);
      assert.ok(how.hangup);
      assert.equal(await w.available(card.id), 100n);
      assert.deepEqual(await sessionsOf(w, card.id), []);
      assert.equal(await ivrTokens(w), 0);
    });

    test('(e) a call longer than one grant goes on through updates, warns, and stops at the final unit', async () => {
      // Grants of at most 60 s, 1 won a second, 230 won: 60 + 60 + 60 + a final 50, of which
      // the last 30 s come after the warning.
      const card = await holder(small, 230n);
      const call = new Call(smallServer, card);
      await call.authenticate('1');
      const connect = await call.press('021234567');
      assert.deepEqual(texts(connect), ['통화 가능 시간은 3분입니다.', '연결해 드리겠습니다.']);
      const limits: string[] = [connect.dial?.attrs.timeLimit ?? ''];
      for (let leg = 0; leg < 3; leg += 1) {
        small.clock.advance(60_000n);
        const next = await call.legEnded('completed', 60);
        assert.ok(next.dial !== null, `leg ${leg + 2} is dialled`);
        assert.equal(next.dial.number, '+8221234567');
        limits.push(next.dial.attrs.timeLimit ?? '');
        if (leg < 2) assert.deepEqual(texts(next), []);
      }
      small.clock.advance(20_000n);
      const warned = await call.legEnded('completed', 20);
      assert.deepEqual(texts(warned), ['통화 가능 시간이 30초 남았습니다.']);
      limits.push(warned.dial?.attrs.timeLimit ?? '');
      assert.deepEqual(limits, ['60', '60', '60', '20', '30']);
      assert.equal(await small.available(card.id), 0n, 'the last grant is reserved');

      small.clock.advance(30_000n);
      const over = await call.legEnded('completed', 30);
      assert.deepEqual(texts(over), [
        '통화 가능 시간이 모두 끝났습니다.',
        '통화 요금은 230원이고, 남은 잔액은 0원입니다.',
        '다른 곳에 전화하시려면 우물 정자를 눌러 주세요.',
      ]);
      assert.deepEqual(await sessionsOf(small, card.id), [
        { id: `${call.sid}:0`, used: 230, cost: 230, state: 'closed', e164: '8221234567' },
      ]);

      // Another call with nothing left: not enough credit.
      await call.press('#');
      const none = await call.press('021234567');
      assert.equal(texts(none)[0], '잔액이 부족하여 이 번호로 통화하실 수 없습니다.');
      const again = await call.press(null);
      assert.equal(again.gather?.numDigits, '1');
      const bye = await call.press('3');
      assert.deepEqual(texts(bye), ['이용해 주셔서 감사합니다. 안녕히 계세요.']);
      assert.ok(bye.hangup);
      assert.equal(await small.available(card.id), 0n);
      assert.equal(await ivrTokens(small), 0);
    });

    test('(e2) the caller hangs up in the middle of a leg: charged what was used, then silence', async () => {
      const card = await holder(small, 500n);
      const call = new Call(smallServer, card);
      await call.authenticate('2');
      const connect = await call.press('021234567');
      assert.deepEqual(texts(connect), ['You have 8 minutes.', 'Connecting your call.']);
      small.clock.advance(60_000n);
      await call.legEnded('completed', 60);
      small.clock.advance(42_000n);
      const gone = await call.legEnded('completed', 42, 'completed');
      assert.deepEqual(texts(gone), []);
      assert.ok(gone.hangup);
      assert.equal(await small.available(card.id), 398n);
      assert.equal(await ivrTokens(small), 0);
    });

    test('(f) the "buy a card" branch says how to buy, then the menu again', async () => {
      const card = await holder(w, 1_000n);
      const call = new Call(server, card);
      await call.start();
      const buy = await call.press('9');
      assert.deepEqual(texts(buy), [
        '원핀 카드는 원핀 웹사이트의 카드 구매 메뉴에서 신용카드나 계좌이체로 구매하실 수 있습니다. 결제가 확인되면 PIN 번호를 화면에 보여 드리고 영수증을 이메일로 보내 드립니다.',
        '안녕하세요, 원핀 카드 전화 서비스입니다. 한국어 안내는 1번, 카드 구매 안내는 9번을 눌러 주세요.',
        'You can buy OnePIN cards on the OnePIN website, under Buy cards, paying by card or bank transfer. Once the payment is confirmed, the PINs are shown on the page and the receipt is sent by e-mail.',
        'Welcome to OnePIN calling. For English, press 2. To hear how to buy a card, press 9.',
      ]);
      assert.equal(buy.gather?.numDigits, '1');
      const english = await call.press('2');
      assert.deepEqual(texts(english), [
        'Please enter your 20-digit card PIN, then press the pound key.',
      ]);
      assert.equal(english.says[0]?.lang, 'en-US');
    });

    test('(g) with IVR_AUTH_TOKEN set, unsigned or wrongly signed requests are refused', async () => {
      const card = await holder(w, 1_000n);
      const unsigned = new Call(signed, card);
      const refused = await unsigned.start();
      assert.equal(refused.status, 403);
      assert.equal(
        (refused.body?.error as { code?: string } | undefined)?.code,
        'ivr_signature_invalid',
      );

      const forged = new Call(signed, card);
      const wrong = await forged.post(
        '/ivr/voice',
        {},
        { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      );
      assert.equal(wrong.status, 403);

      const good = new Call(signed, card, true);
      const menu = await good.start();
      assert.equal(menu.status, 200);
      const pinPrompt = await good.press('1');
      assert.equal(pinPrompt.status, 200);
      // A signed request whose fields were changed on the way.
      const url = good.next?.url ?? '';
      const tampered = await good.post(
        url,
        { Digits: card.pin },
        {
          signature: twilioSignature(PUBLIC_URL + url, {
            AccountSid: 'AC00000000000000000000000000000000',
            CallSid: good.sid,
            From: '+821099998888',
            To: '+8215880000',
            CallStatus: 'in-progress',
            Direction: 'inbound',
            Digits: '1',
          }),
        },
      );
      assert.equal(tampered.status, 403);
      assert.equal(await w.available(card.id), 1_000n);
    });

    test('a sealed state works only for its own call, action and time', async () => {
      const card = await holder(w, 1_000n);
      const call = new Call(server, card);
      await call.start();
      const url = call.next?.url ?? '';
      // Another call cannot use it.
      const other = new Call(server, card);
      const stolen = await other.post(url.replace(call.sid, other.sid), { Digits: '1' });
      assert.equal(stolen.status, 400);
      assert.equal(
        (stolen.body?.error as { code?: string } | undefined)?.code,
        'ivr_state_invalid',
      );
      const mismatch = await other.post(url, { Digits: '1' });
      assert.equal(mismatch.status, 400);
      // Not as a Dial action, not altered.
      const asDial = await call.post(url.replace('/gather?', '/dial?'), {
        DialCallStatus: 'completed',
        DialCallDuration: '1',
      });
      assert.equal(asDial.status, 400);
      const flipped = url.slice(0, -2) + (url.endsWith('A') ? 'B' : 'A') + url.slice(-1);
      assert.equal((await call.post(flipped, { Digits: '1' })).status, 400);
      // Malformed fields.
      assert.equal((await call.post(url, { Digits: '1a' })).status, 400);
      assert.equal((await call.post('/ivr/voice', { CallSid: 'no spaces allowed' })).status, 400);
      // In time it works; ten minutes later it has expired.
      assert.equal((await call.post(url, { Digits: '1' })).status, 200);
      w.clock.advance(10n * 60_000n);
      assert.equal((await call.post(url, { Digits: '1' })).status, 400);
    });

    test('a Dial report must say how long a bridged leg lasted', async () => {
      const card = await holder(w, 1_000n);
      const call = new Call(server, card);
      await call.authenticate('1');
      await call.press('021234567');
      const url = call.next?.url ?? '';
      assert.equal((await call.post(url, { DialCallStatus: 'completed' })).status, 400);
      assert.equal((await call.post(url, { DialCallStatus: 'ringing' })).status, 400);
      assert.equal((await call.post(url, { DialCallStatus: 'constructor' })).status, 400);
      assert.equal(
        (await call.post(url, { DialCallStatus: 'completed', DialCallDuration: '-5' })).status,
        400,
      );
      const busy = await call.legEnded('busy', null);
      assert.equal(busy.says[0]?.text, '상대방이 통화 중입니다.');
      assert.equal(await w.available(card.id), 1_000n);
    });
  });
}
