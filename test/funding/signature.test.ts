import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_CARDS, luhnValid } from '../../src/acquirer/index.ts';
import {
  DECLINE_CODES,
  isFinalStatus,
  mapDecline,
  sandboxProvider,
  verifyWebhookSignature,
  webhookSignatureHeader,
} from '../../src/funding/index.ts';
import { show } from './support.ts';

const SECRET = 'whsec_pure_tests';
const NOW_MS = 1_767_225_600_000n;
const NOW_S = NOW_MS / 1_000n;
const BODY = '{"id":"evt_1","type":"payment.succeeded"}';
const header = (overrides: { secret?: string; timestampS?: bigint; rawBody?: string } = {}) =>
  webhookSignatureHeader({ secret: SECRET, timestampS: NOW_S, rawBody: BODY, ...overrides });

describe('webhook signature (pure)', () => {
  const valid = header();
  const v1 = valid.split('v1=')[1] ?? '';
  const cases: readonly {
    readonly name: string;
    readonly header: string | undefined;
    readonly body?: string;
    readonly nowMs?: bigint;
    readonly expect: 'ok' | 'signature_missing' | 'signature_invalid' | 'signature_expired';
  }[] = [
    { name: 'valid', header: valid, expect: 'ok' },
    { name: 'valid at +300 s', header: valid, nowMs: NOW_MS + 300_999n, expect: 'ok' },
    {
      name: 'valid at -300 s (clock behind)',
      header: valid,
      nowMs: NOW_MS - 300_000n,
      expect: 'ok',
    },
    { name: 'old: 301 s', header: valid, nowMs: NOW_MS + 301_000n, expect: 'signature_expired' },
    {
      name: 'from the future: 301 s',
      header: valid,
      nowMs: NOW_MS - 301_000n,
      expect: 'signature_expired',
    },
    {
      name: 'tampered body',
      header: valid,
      body: BODY.replace('succeeded', 'refunded'),
      expect: 'signature_invalid',
    },
    {
      name: 'tampered body, one byte added',
      header: valid,
      body: `${BODY} `,
      expect: 'signature_invalid',
    },
    {
      name: 'wrong secret',
      header: header({ secret: 'whsec_other' }),
      expect: 'signature_invalid',
    },
    { name: 'timestamp changed', header: `t=${NOW_S + 1n},v1=${v1}`, expect: 'signature_invalid' },
    { name: 'missing', header: undefined, expect: 'signature_missing' },
    { name: 'empty', header: '  ', expect: 'signature_missing' },
    { name: 'no v1', header: `t=${NOW_S}`, expect: 'signature_invalid' },
    { name: 'no t', header: `v1=${v1}`, expect: 'signature_invalid' },
    { name: 'v1 not hex', header: `t=${NOW_S},v1=${'z'.repeat(64)}`, expect: 'signature_invalid' },
    { name: 'v1 too short', header: `t=${NOW_S},v1=${v1.slice(2)}`, expect: 'signature_invalid' },
    { name: 't not a number', header: `t=abc,v1=${v1}`, expect: 'signature_invalid' },
    {
      name: 'huge header',
      header: `t=${NOW_S},v1=${v1},x=${'a'.repeat(2_000)}`,
      expect: 'signature_invalid',
    },
    {
      name: 'two v1 (secret rotation), second matches',
      header: `t=${NOW_S},v1=${'0'.repeat(64)},v1=${v1}`,
      expect: 'ok',
    },
    { name: 'spaces around parts', header: `t=${NOW_S}, v1=${v1}`, expect: 'ok' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const result = verifyWebhookSignature({
        secret: SECRET,
        rawBody: c.body ?? BODY,
        header: c.header,
        nowMs: c.nowMs ?? NOW_MS,
      });
      if (c.expect === 'ok') {
        assert.ok(result.ok, show(result));
        assert.equal(result.value.timestampS, NOW_S);
      } else {
        assert.ok(!result.ok);
        assert.equal(result.error.code, c.expect);
      }
    });
  }
});

describe('provider.verifyWebhook reads the event only after the signature', () => {
  const provider = sandboxProvider({
    baseUrl: 'http://127.0.0.1:9',
    apiKey: 'sk_unused_here',
    webhookSecret: SECRET,
  });
  const payment = {
    id: 'acq_x',
    reference: 'ord_1',
    method: 'card',
    amount: 10_000,
    currency: 'KRW',
    status: 'succeeded',
    decline_code: null,
    instrument: { kind: 'card', brand: 'visa', last4: '4242' },
    refunded_amount: 0,
    redirect_url: 'http://127.0.0.1:9/pay/acq_x',
  };
  const signed = (body: string) => provider.verifyWebhook(body, header({ rawBody: body }), NOW_MS);

  test('a well-formed, signed event is read with bigint amounts', () => {
    const body = JSON.stringify({
      id: 'evt_1',
      type: 'payment.succeeded',
      created: 1_767_225_600,
      payment,
    });
    const event = signed(body);
    assert.ok(event.ok, show(event));
    assert.equal(event.value.type, 'payment.succeeded');
    assert.equal(event.value.createdMs, NOW_MS);
    assert.equal(event.value.payment.amountMinor, 10_000n);
    assert.deepEqual(event.value.payment.instrument, {
      kind: 'card',
      brand: 'visa',
      last4: '4242',
    });
  });

  const malformed: readonly [string, unknown][] = [
    ['a float amount', { ...payment, amount: 10_000.5 }],
    ['an amount past 2^53', { ...payment, amount: 2 ** 53 + 2 }],
    ['an amount as a string', { ...payment, amount: '10000' }],
    ['a negative refunded amount', { ...payment, refunded_amount: -1 }],
    ['refunded more than paid', { ...payment, refunded_amount: 10_001 }],
    ['an unknown status', { ...payment, status: 'paid' }],
    ['an unknown currency', { ...payment, currency: 'XXX' }],
  ];
  for (const [name, bad] of malformed) {
    test(`refuses ${name}`, () => {
      const body = JSON.stringify({
        id: 'evt_1',
        type: 'payment.succeeded',
        created: 1,
        payment: bad,
      });
      const event = signed(body);
      assert.ok(!event.ok);
      assert.equal(event.error.code, 'parameter_invalid');
    });
  }

  test('refuses a body that is not JSON, and an unknown event type', () => {
    const notJson = signed('{not json');
    assert.ok(!notJson.ok);
    assert.equal(notJson.error.code, 'parameter_invalid');
    const unknown = signed(
      JSON.stringify({ id: 'evt_1', type: 'payment.exploded', created: 1, payment }),
    );
    assert.ok(!unknown.ok);
    assert.equal(unknown.error.code, 'parameter_invalid');
  });

  test('a bad signature wins over a bad body', () => {
    const result = provider.verifyWebhook('{not json', header({ rawBody: 'other' }), NOW_MS);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'signature_invalid');
  });
});

describe('decline codes and statuses (pure)', () => {
  test('mapDecline maps every known code, and unknown ones to funding_failed', () => {
    const table = [
      ['card_declined', 'funding_declined'],
      ['insufficient_funds', 'funding_insufficient_funds'],
      ['expired_card', 'funding_declined'],
      ['incorrect_cvc', 'funding_declined'],
      ['do_not_honor', 'funding_failed'],
      [undefined, 'funding_failed'],
    ] as const;
    for (const [code, expected] of table) assert.equal(mapDecline(code), expected, String(code));
    for (const code of DECLINE_CODES) assert.notEqual(mapDecline(code), 'funding_failed');
  });

  test('final statuses', () => {
    assert.deepEqual(
      (
        [
          'requires_action',
          'awaiting_deposit',
          'processing',
          'succeeded',
          'declined',
          'canceled',
          'expired',
        ] as const
      ).filter(isFinalStatus),
      ['succeeded', 'declined', 'canceled', 'expired'],
    );
  });

  test('every test card number passes the Luhn check; one changed digit does not', () => {
    assert.equal(TEST_CARDS.size, 7);
    for (const number of TEST_CARDS.keys()) {
      assert.ok(luhnValid(number), number);
      const changed = `${number.slice(0, -1)}${(Number(number.slice(-1)) + 1) % 10}`;
      assert.ok(!luhnValid(changed), changed);
    }
  });
});
