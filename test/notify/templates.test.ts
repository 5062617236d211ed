import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  EMAIL_ATTEMPTS_MAX,
  EMAIL_RETRY_DELAYS_MS,
  GIFT_DESIGNS,
  GIFT_DESIGN_LOOKS,
  LOCALES,
  SUBJECT_CHARS_MAX,
  TEMPLATE_NAMES,
  checkEmailData,
  deriveEmailBodyKey,
  nextEmailAttemptAtMs,
  normalizeEmailAddress,
  renderEmail,
  type EmailData,
  type TemplateName,
} from '../../src/notify/index.ts';
import { openBody, sealBody } from '../../src/notify/body-seal.ts';
import { GIFT_PIN, PUBLIC_URL, SAMPLE } from './support.ts';

function render<K extends TemplateName>(template: K, locale: 'ko' | 'en', data: EmailData[K]) {
  return renderEmail({ template, locale, data, publicUrl: PUBLIC_URL });
}

describe('templates', () => {
  test('every template renders in Korean and English: subject, text and HTML', () => {
    assert.equal(TEMPLATE_NAMES.length, 11);
    for (const template of TEMPLATE_NAMES) {
      for (const locale of LOCALES) {
        const mail = renderEmail({
          template,
          locale,
          data: SAMPLE[template],
          publicUrl: PUBLIC_URL,
        });
        const where = `${template}/${locale}`;
        assert.ok(mail.subject.length > 0 && !/[\r\n]/.test(mail.subject), where);
        assert.match(mail.html, new RegExp(`^<!doctype html>\\s*<html lang="${locale}">`), where);
        assert.ok(mail.html.includes('</html>'), where);
        // No remote content and no script in any mail.
        assert.doesNotMatch(mail.html, /<script|<img|<link|<iframe|src=/i, where);
        assert.ok(mail.text.endsWith('\n') && !mail.text.includes('<'), where);
        assert.doesNotMatch(mail.text, /undefined|\[object Object\]/, where);
        assert.doesNotMatch(mail.html, /undefined|\[object Object\]/, where);
        // The footer names the site in both forms.
        assert.ok(mail.text.includes(PUBLIC_URL) && mail.html.includes(PUBLIC_URL), where);
        if (locale === 'ko') assert.match(mail.text, /[가-힣]/, where);
        else assert.doesNotMatch(mail.text.split('\n--\n')[0] ?? '', /[가-힣]/, where);
      }
    }
  });

  test('the gift mail shows the card in its design, the PIN, and a prominent claim link', () => {
    for (const design of GIFT_DESIGNS) {
      for (const locale of LOCALES) {
        const look = GIFT_DESIGN_LOOKS[design];
        const mail = render('gift', locale, { ...SAMPLE.gift, design });
        assert.ok(mail.html.includes(`background:${look.background}`), `${design} colours`);
        assert.ok(mail.html.includes(look.emoji) && mail.text.includes(look.emoji));
        assert.ok(
          mail.html.includes(look.heading[locale]) && mail.text.includes(look.heading[locale]),
        );
        assert.ok(mail.html.includes(GIFT_PIN) && mail.text.includes(GIFT_PIN));
        const claim = SAMPLE.gift.claimUrl.replace('&', '&amp;');
        assert.ok(mail.html.includes(`<a href="${claim}"`), 'the claim link is a link');
        assert.ok(mail.text.includes(SAMPLE.gift.claimUrl));
        // Secrets stay out of the stored, listed subject.
        assert.ok(!mail.subject.includes(GIFT_PIN) && !mail.subject.includes('4929'));
      }
    }
    const en = render('gift', 'en', SAMPLE.gift);
    assert.match(en.text, /Open the claim link[\s\S]*Type the PIN[\s\S]*Choose a password/);
    const ko = render('gift', 'ko', SAMPLE.gift);
    assert.match(ko.text, /등록 링크를 엽니다[\s\S]*PIN 번호를 입력합니다[\s\S]*비밀번호/);
  });

  test('a foreign PIN is in the body, never in the subject', () => {
    for (const locale of LOCALES) {
      const mail = render('foreign_pin', locale, SAMPLE.foreign_pin);
      assert.ok(!mail.subject.includes(SAMPLE.foreign_pin.pin));
      assert.ok(mail.text.includes(SAMPLE.foreign_pin.pin));
      assert.ok(mail.html.includes(SAMPLE.foreign_pin.pin));
      assert.ok(mail.text.includes(SAMPLE.foreign_pin.rate));
    }
  });

  test('one-time codes stay out of the subject', () => {
    for (const locale of LOCALES) {
      const mail = render('one_time_code', locale, SAMPLE.one_time_code);
      assert.ok(!mail.subject.includes(SAMPLE.one_time_code.code));
      assert.ok(mail.text.includes(SAMPLE.one_time_code.code));
    }
  });

  test('a hostile gift message and names are escaped in HTML', () => {
    const hostile = {
      ...SAMPLE.gift,
      senderName: '<img src=x onerror=alert(1)>Mallory',
      recipientName: 'Bob" onmouseover="alert(2)',
      message: '</p><script>alert("pin")</script><a href="javascript:alert(3)">click</a>',
    };
    for (const locale of LOCALES) {
      const mail = render('gift', locale, hostile);
      assert.doesNotMatch(mail.html, /<script|<img|javascript:alert\(3\)">|onmouseover="/i);
      assert.ok(mail.html.includes('&lt;script&gt;alert(&quot;pin&quot;)&lt;/script&gt;'));
      assert.ok(mail.html.includes('&lt;img src=x onerror=alert(1)&gt;Mallory'));
      // The plain text keeps the words as typed; it is never read as HTML.
      assert.ok(mail.text.includes(hostile.message));
    }
  });

  test('CR/LF and other control characters in a name never reach the subject', () => {
    const injected = {
      ...SAMPLE.gift,
      senderName: 'Eve\r\nBcc: victim@example.com\r\n\r\nX-Evil: 1\u0000\t\u2028end',
    };
    for (const locale of LOCALES) {
      const { subject } = render('gift', locale, injected);
      // eslint-disable-next-line no-control-regex -- control characters are what must be absent
      assert.doesNotMatch(subject, /[\u0000-\u001f\u007f\u2028\u2029]/);
      assert.ok(subject.includes('Eve Bcc: victim@example.com X-Evil: 1 end'));
    }
    const long = render('gift', 'en', { ...SAMPLE.gift, senderName: '가'.repeat(500) });
    assert.equal([...long.subject].length, SUBJECT_CHARS_MAX);
    assert.ok(long.subject.endsWith('…'));
  });

  test('template data is checked field by field', () => {
    assert.ok(checkEmailData('gift', SAMPLE.gift).ok);
    const cases: [TemplateName, unknown, string][] = [
      ['gift', null, 'data'],
      ['gift', [], 'data'],
      ['gift', { ...SAMPLE.gift, design: 'neon' }, 'data.design'],
      ['gift', { ...SAMPLE.gift, claimUrl: 'javascript:alert(1)' }, 'data.claimUrl'],
      ['gift', { ...SAMPLE.gift, claimUrl: 'https://user:pw@evil.example/' }, 'data.claimUrl'],
      ['gift', { ...SAMPLE.gift, pin: 4929 }, 'data.pin'],
      ['gift', { ...SAMPLE.gift, message: 'x'.repeat(2_001) }, 'data.message'],
      ['gift', { ...SAMPLE.gift, extra: 'x' }, 'data.extra'],
      ['order_receipt', { ...SAMPLE.order_receipt, lines: [] }, 'data.lines'],
      ['order_receipt', { ...SAMPLE.order_receipt, lines: [{ name: 'x' }] }, 'data.lines'],
      ['order_receipt', { ...SAMPLE.order_receipt, method: 'cash' }, 'data.method'],
      ['balance_refund', { ...SAMPLE.balance_refund, step: 'done' }, 'data.step'],
      ['password_changed', { cardLast4: '1234' }, 'data.at'],
    ];
    for (const [template, data, param] of cases) {
      const result = checkEmailData(template, data);
      assert.ok(!result.ok, param);
      assert.equal(result.error.code, 'parameter_invalid');
      assert.equal(result.error.param, param);
    }
  });
});

describe('addresses', () => {
  test('a strict check: what people type, nothing exotic', () => {
    const good: [string, string][] = [
      ['kim@example.com', 'kim@example.com'],
      ['Kim.Min+gift@Mail.Example.CO.KR', 'Kim.Min+gift@mail.example.co.kr'],
      [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
    ];
    for (const [input, stored] of good) assert.equal(normalizeEmailAddress(input), stored);
    const bad = [
      '',
      'kim',
      'kim@',
      '@example.com',
      'kim@example',
      'kim@@example.com',
      'a@b@example.com',
      'kim@example.c',
      'kim@exa_mple.com',
      'kim@-example.com',
      'kim.@example.com',
      '.kim@example.com',
      'k..im@example.com',
      '"kim"@example.com',
      'kim @example.com',
      ' kim@example.com',
      'kim@example.com\r\nBcc: x@example.com',
      'kim@[127.0.0.1]',
      `${'a'.repeat(65)}@example.com`,
      `kim@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com`,
    ];
    for (const input of bad)
      assert.equal(normalizeEmailAddress(input), null, JSON.stringify(input));
  });
});

describe('retry schedule', () => {
  test('backs off per the named delays, then gives up', () => {
    const nowMs = 1_000_000n;
    assert.equal(EMAIL_ATTEMPTS_MAX, EMAIL_RETRY_DELAYS_MS.length + 1);
    const expected = [60_000n, 300_000n, 1_800_000n, 7_200_000n, 21_600_000n, 43_200_000n];
    expected.forEach((delay, i) => {
      assert.equal(nextEmailAttemptAtMs({ attemptsMade: i + 1, nowMs }), nowMs + delay);
    });
    assert.equal(nextEmailAttemptAtMs({ attemptsMade: EMAIL_ATTEMPTS_MAX, nowMs }), null);
    assert.throws(() => nextEmailAttemptAtMs({ attemptsMade: 0, nowMs }));
  });
});

describe('body sealing', () => {
  test('AES-256-GCM: opens with the key and row id only; a fresh nonce every time', () => {
    const key = randomBytes(32);
    const body = { text: `PIN ${GIFT_PIN}`, html: `<p>${GIFT_PIN}</p>` };
    const a = sealBody(key, 'eml_a', body);
    const b = sealBody(key, 'eml_a', body);
    assert.notEqual(a.nonce, b.nonce);
    assert.notEqual(a.sealed, b.sealed);
    assert.equal(Buffer.from(a.nonce, 'base64').length, 12);
    assert.ok(!Buffer.from(a.sealed, 'base64').toString('latin1').includes('4929'));
    assert.deepEqual(openBody(key, 'eml_a', a), body);
    assert.throws(() => openBody(randomBytes(32), 'eml_a', a), 'another key');
    assert.throws(() => openBody(key, 'eml_b', a), 'another row');
    const bytes = Buffer.from(a.sealed, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    assert.throws(() =>
      openBody(key, 'eml_a', { nonce: a.nonce, sealed: bytes.toString('base64') }),
    );
    assert.throws(() => sealBody(randomBytes(16), 'eml_a', body), 'a 128-bit key is refused');
  });

  test('a derived body key is 32 bytes, stable, and depends on its root', () => {
    const root = randomBytes(32);
    const key = deriveEmailBodyKey(root);
    assert.equal(key.length, 32);
    assert.deepEqual(deriveEmailBodyKey(root), key);
    assert.notDeepEqual(deriveEmailBodyKey(randomBytes(32)), key);
    assert.notDeepEqual(key, root);
    assert.throws(() => deriveEmailBodyKey(randomBytes(16)));
  });
});
