import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FIXED_MESSAGE_KEYS,
  escapeXml,
  messageText,
  renderResponse,
  spokenMoney,
  twilioSignature,
  verifyTwilioSignature,
  type Verb,
} from '../../../src/protocols/ivr/index.ts';

describe('the XML of the verbs', () => {
  test('escapes the five special characters and drops forbidden controls', () => {
    assert.equal(escapeXml(`a&b<c>d"e'f\u0001g\u000bh\n`), 'a&amp;b&lt;c&gt;d&quot;e&apos;fgh\n');
  });

  test('a prompt: Gather with its attributes and Says, then the Redirect for silence', () => {
    const verbs: Verb[] = [
      {
        kind: 'gather',
        numDigits: 1,
        timeoutSeconds: 5,
        finishOnKey: '',
        prompts: [
          { kind: 'say', lang: 'ko', message: { key: 'another-call' } },
          { kind: 'pause', seconds: 1 },
          { kind: 'say', lang: 'en', message: { key: 'another-call' } },
        ],
      },
      { kind: 'redirect' },
    ];
    assert.equal(
      renderResponse(verbs, { gatherUrl: '/ivr/calls/CA1/gather?s=abc&x=1', dialUrl: null }),
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<Response>' +
        '<Gather input="dtmf" action="/ivr/calls/CA1/gather?s=abc&amp;x=1" method="POST" timeout="5" finishOnKey="" numDigits="1" actionOnEmptyResult="true">' +
        '<Say language="ko-KR">다른 곳에 전화하시려면 우물 정자를 눌러 주세요.</Say>' +
        '<Pause length="1"/>' +
        '<Say language="en-US">To make another call, press the pound key.</Say>' +
        '</Gather>' +
        '<Redirect method="POST">/ivr/calls/CA1/gather?s=abc&amp;x=1</Redirect>' +
        '</Response>\n',
    );
  });

  test('a prompt without a key count leaves numDigits out', () => {
    const xml = renderResponse(
      [
        {
          kind: 'gather',
          numDigits: null,
          timeoutSeconds: 6,
          finishOnKey: '#',
          prompts: [{ kind: 'say', lang: 'en', message: { key: 'enter-number' } }],
        },
      ],
      { gatherUrl: '/g', dialUrl: null },
    );
    assert.match(
      xml,
      /<Gather input="dtmf" action="\/g" method="POST" timeout="6" finishOnKey="#" actionOnEmptyResult="true">/,
    );
    assert.equal(xml.includes('numDigits'), false);
  });

  test('a leg: Dial with its time limit, action and caller id; Play, Say, Hangup', () => {
    const xml = renderResponse(
      [
        { kind: 'play', url: 'https://media.example/beep.wav?a=1&b=2' },
        { kind: 'say', lang: 'en', message: { key: 'time-left', seconds: 60 } },
        { kind: 'dial', number: '+821012345678', timeLimitSeconds: 60 },
      ],
      { gatherUrl: null, dialUrl: '/ivr/calls/CA1/dial?s=x', callerId: '+8215880000' },
    );
    assert.equal(
      xml,
      '<?xml version="1.0" encoding="UTF-8"?>\n<Response>' +
        '<Play>https://media.example/beep.wav?a=1&amp;b=2</Play>' +
        '<Say language="en-US">One minute left.</Say>' +
        '<Dial action="/ivr/calls/CA1/dial?s=x" method="POST" timeLimit="60" callerId="+8215880000"><Number>+821012345678</Number></Dial>' +
        '</Response>\n',
    );
    assert.equal(
      renderResponse([{ kind: 'hangup' }], { gatherUrl: null, dialUrl: null }),
      '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Hangup/></Response>\n',
    );
  });

  test('a Gather or Dial without its action URL is a defect', () => {
    assert.throws(
      () => renderResponse([{ kind: 'redirect' }], { gatherUrl: null, dialUrl: null }),
      /Redirect needs an action URL/,
    );
    assert.throws(
      () =>
        renderResponse([{ kind: 'dial', number: '+1', timeLimitSeconds: 1 }], {
          gatherUrl: '/g',
          dialUrl: null,
        }),
      /Dial needs an action URL/,
    );
  });
});

describe('the prompts', () => {
  test('every fixed prompt has Korean and English words, all different', () => {
    assert.equal(FIXED_MESSAGE_KEYS.length, 25);
    const seen = new Set<string>();
    for (const key of FIXED_MESSAGE_KEYS) {
      const ko = messageText({ key }, 'ko');
      const en = messageText({ key }, 'en');
      assert.match(ko, /[가-힣]/, `${key} in Korean`);
      assert.match(en, /^[\x20-\x7e]+$/, `${key} in English`);
      for (const text of [ko, en]) {
        assert.ok(!seen.has(text), `${key}: "${text}" is used twice`);
        seen.add(text);
      }
    }
  });

  test('amounts are spoken as digits with the currency', () => {
    assert.equal(spokenMoney({ minor: 9_777n, currency: 'KRW' }, 'ko'), '9777원');
    assert.equal(spokenMoney({ minor: 9_777n, currency: 'KRW' }, 'en'), '9777 won');
    assert.equal(spokenMoney({ minor: 500n, currency: 'JPY' }, 'ko'), '500엔');
    assert.equal(spokenMoney({ minor: 1_205n, currency: 'USD' }, 'en'), '12.05 USD');
    assert.equal(spokenMoney({ minor: -7n, currency: 'USD' }, 'en'), '-0.07 USD');
    assert.equal(
      messageText(
        {
          key: 'call-cost',
          cost: { minor: 223n, currency: 'KRW' },
          balance: { minor: 9_777n, currency: 'KRW' },
        },
        'ko',
      ),
      '통화 요금은 223원이고, 남은 잔액은 9777원입니다.',
    );
    assert.equal(
      messageText({ key: 'balance', balance: { minor: 10_000n, currency: 'KRW' } }, 'en'),
      'Your balance is 10000 won.',
    );
  });

  test('minutes are whole minutes, rounded down; the warning in minutes or seconds', () => {
    const minutes = (seconds: number, lang: 'ko' | 'en'): string =>
      messageText({ key: 'minutes', seconds }, lang);
    assert.equal(minutes(5_526, 'ko'), '통화 가능 시간은 92분입니다.');
    assert.equal(minutes(5_526, 'en'), 'You have 92 minutes.');
    assert.equal(minutes(119, 'en'), 'You have 1 minute.');
    assert.equal(minutes(59, 'en'), 'You have less than one minute.');
    assert.equal(minutes(59, 'ko'), '통화 가능 시간은 1분 미만입니다.');
    const left = (seconds: number, lang: 'ko' | 'en'): string =>
      messageText({ key: 'time-left', seconds }, lang);
    assert.equal(left(60, 'ko'), '통화 가능 시간이 1분 남았습니다.');
    assert.equal(left(120, 'en'), '2 minutes left.');
    assert.equal(left(30, 'ko'), '통화 가능 시간이 30초 남았습니다.');
    assert.equal(left(90, 'en'), '90 seconds left.');
  });
});

describe("the platform's request signature (X-Twilio-Signature)", () => {
  // Twilio's documented example (security guide): token 12345, this URL and these fields.
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = [
    ['CallSid', 'CA1234567890ABCDE'],
    ['Caller', '+14158675310'],
    ['Digits', '1234'],
    ['From', '+14158675310'],
    ['To', '+18005551212'],
  ] as const;

  test("matches Twilio's published example, whatever the order of the fields", () => {
    assert.equal(twilioSignature('12345', url, params), 'GvWf1cFY/Q7PnoempGyD5oXAezc=');
    assert.equal(
      twilioSignature('12345', url, [...params].reverse()),
      'GvWf1cFY/Q7PnoempGyD5oXAezc=',
    );
    assert.ok(verifyTwilioSignature('12345', url, params, 'GvWf1cFY/Q7PnoempGyD5oXAezc='));
  });

  test('a wrong token, URL, field or a missing header does not verify', () => {
    const good = 'GvWf1cFY/Q7PnoempGyD5oXAezc=';
    assert.equal(verifyTwilioSignature('12346', url, params, good), false);
    assert.equal(verifyTwilioSignature('12345', `${url}&x=1`, params, good), false);
    assert.equal(verifyTwilioSignature('12345', url, [...params, ['Digits', '9']], good), false);
    assert.equal(verifyTwilioSignature('12345', url, params, undefined), false);
    assert.equal(verifyTwilioSignature('12345', url, params, ''), false);
    assert.equal(verifyTwilioSignature('', url, params, good), false);
  });

  test('the default port may be there or not in what the platform signed', () => {
    const withPort = twilioSignature('t', 'https://ivr.example:443/ivr/voice', params);
    assert.ok(verifyTwilioSignature('t', 'https://ivr.example/ivr/voice', params, withPort));
    const without = twilioSignature('t', 'https://ivr.example/ivr/voice', params);
    assert.ok(verifyTwilioSignature('t', 'https://ivr.example:443/ivr/voice', params, without));
    const other = twilioSignature('t', 'https://ivr.example:8443/ivr/voice', params);
    assert.equal(verifyTwilioSignature('t', 'https://ivr.example/ivr/voice', params, other), false);
  });

  test('repeated fields are signed in value order', () => {
    assert.equal(
      twilioSignature('t', 'https://x.example/', [
        ['a', '2'],
        ['a', '1'],
      ]),
      twilioSignature('t', 'https://x.example/', [
        ['a', '1'],
        ['a', '2'],
      ]),
    );
  });
});
