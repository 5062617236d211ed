import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { AddressObject } from 'mailparser';
import {
  EMAIL_ATTEMPTS_MAX,
  EMAIL_RETRY_DELAYS_MS,
  GIFT_DESIGN_LOOKS,
  deliverDueEmails,
  enqueueEmail,
  getEmail,
  redactSmtpUrl,
  retryEmail,
  smtpTransport,
  type EmailData,
  type Locale,
  type TemplateName,
} from '../../src/notify/index.ts';
import { writeTransaction, type Database } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';
import { GIFT_PIN, SAMPLE, notifyContext, startSmtp, type Received } from './support.ts';

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

describe('smtpTransport', () => {
  test('accepts smtp:// and smtps:// only, and never shows the password', () => {
    assert.throws(() => smtpTransport('http://mail.example.com'), /smtp:\/\/ or smtps:\/\//);
    assert.throws(() => smtpTransport('not a url'), /not a URL/);
    assert.doesNotThrow(() => smtpTransport('smtps://user:secret@mail.example.com:465'));
    assert.equal(
      redactSmtpUrl('smtp://user:secret@mail.example.com:587'),
      'smtp://user:***@mail.example.com:587',
    );
  });
});

for (const target of DATABASES) {
  describe(`e-mail through a real SMTP server (${target.name})`, { skip: target.skip }, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    let ctx: ReturnType<typeof notifyContext>;
    let keyCounter = 0;

    before(async () => {
      ({ db, dispose } = await target.open());
    });
    after(async () => {
      await dispose();
    });
    beforeEach(async () => {
      await sql`delete from notify_email`.execute(db.kysely);
      ctx = notifyContext(db);
    });

    async function enqueue<K extends TemplateName>(
      to: string,
      locale: Locale,
      template: K,
      data: EmailData[K],
    ): Promise<string> {
      keyCounter += 1;
      const r = await writeTransaction(db, (tx) =>
        enqueueEmail(ctx, tx, { dedupeKey: `smtp:${keyCounter}`, to, locale, template, data }),
      );
      assert.ok(r.ok);
      return r.value.id;
    }

    function only(received: readonly Received[], to: string): Received {
      const found = received.filter((r) => r.envelopeTo.includes(to));
      assert.equal(found.length, 1, `one mail reached ${to}`);
      const [mail] = found;
      assert.ok(mail !== undefined);
      return mail;
    }

    test('an order receipt and a gift, in both languages, arrive as sent', async () => {
      const smtp = await startSmtp();
      try {
        const receiptId = await enqueue(
          'kim@example.com',
          'en',
          'order_receipt',
          SAMPLE.order_receipt,
        );
        await enqueue('kim.ko@example.com', 'ko', 'order_receipt', SAMPLE.order_receipt);
        const giftId = await enqueue('joon@example.com', 'en', 'gift', SAMPLE.gift);
        await enqueue('joon.ko@example.com', 'ko', 'gift', { ...SAMPLE.gift, design: 'thanks' });

        const report = await deliverDueEmails(ctx, smtpTransport(smtp.url));
        assert.deepEqual(report, { attempted: 4, sent: 4, retrying: 0, failed: 0, held: 0 });
        assert.equal(smtp.received.length, 4);

        const receiptMail = only(smtp.received, 'kim@example.com');
        assert.equal(receiptMail.user, 'mailer@onepin', 'logged in with the URL credentials');
        const receipt = receiptMail.parsed;
        assert.deepEqual(addresses(receipt.to), ['kim@example.com']);
        assert.equal(receipt.from?.value[0]?.address, 'no-reply@onepin.example');
        assert.equal(receipt.from?.value[0]?.name, 'OnePIN');
        assert.equal(receipt.subject, 'Your OnePIN order ord_7h2k');
        assert.equal(receipt.messageId, `<${receiptId}@onepin.example>`);
        assert.match(receipt.text ?? '', /Thank you for your order/);
        assert.match(receipt.text ?? '', /Total: 70,000 won/);
        assert.match(String(receipt.html), /<html lang="en">/);
        const stored = await getEmail(ctx, db.kysely, receiptId);
        assert.equal(stored?.status, 'sent');
        assert.equal(stored.messageId, receipt.messageId);

        const receiptKo = only(smtp.received, 'kim.ko@example.com').parsed;
        assert.equal(receiptKo.subject, '[원핀] 주문 영수증 (ord_7h2k)');
        assert.match(receiptKo.text ?? '', /주문해 주셔서 감사합니다/);
        assert.match(String(receiptKo.html), /<html lang="ko">/);

        const gift = only(smtp.received, 'joon@example.com').parsed;
        assert.equal(gift.subject, 'Kim Minji sent you a OnePIN gift card');
        assert.equal(gift.messageId, `<${giftId}@onepin.example>`);
        const birthday = GIFT_DESIGN_LOOKS.birthday;
        for (const body of [gift.text ?? '', String(gift.html)]) {
          assert.ok(body.includes(GIFT_PIN), 'the PIN is in the mail');
          assert.ok(body.includes(SAMPLE.gift.claimUrl), 'the claim URL is in the mail');
          assert.ok(body.includes(birthday.heading.en) && body.includes(birthday.emoji));
        }
        assert.ok(String(gift.html).includes(`background:${birthday.background}`));
        assert.ok(String(gift.html).includes(`href="${SAMPLE.gift.claimUrl}"`));

        const giftKo = only(smtp.received, 'joon.ko@example.com').parsed;
        assert.equal(giftKo.subject, '[원핀] Kim Minji님이 선물카드를 보냈어요');
        const thanks = GIFT_DESIGN_LOOKS.thanks;
        assert.ok((giftKo.text ?? '').includes(thanks.heading.ko));
        assert.ok(String(giftKo.html).includes(`background:${thanks.background}`));
        assert.ok((giftKo.text ?? '').includes(GIFT_PIN));
        assert.match(giftKo.text ?? '', /선물카드 등록하기/);
      } finally {
        await smtp.close();
      }
    });

    test('a server that refuses: attempts counted, retried per backoff, then failed; a working server later sends once', async () => {
      const refusing = await startSmtp({ rejectRecipients: true });
      const id = await enqueue(
        'kim@example.com',
        'en',
        'password_changed',
        SAMPLE.password_changed,
      );
      try {
        const transport = smtpTransport(refusing.url);
        for (let attempt = 1; attempt <= EMAIL_ATTEMPTS_MAX; attempt += 1) {
          const nowMs = ctx.clock.nowMs();
          const report = await deliverDueEmails(ctx, transport);
          assert.equal(report.attempted, 1);
          const mail = await getEmail(ctx, db.kysely, id);
          assert.ok(mail !== undefined);
          assert.equal(mail.attempts, attempt);
          assert.match(mail.lastError ?? '', /550|Mailbox unavailable/);
          assert.ok(!(mail.lastError ?? '').includes('p@ss'), 'no credentials in the error');
          if (attempt < EMAIL_ATTEMPTS_MAX) {
            assert.equal(mail.status, 'queued');
            const delay = EMAIL_RETRY_DELAYS_MS[attempt - 1] ?? 0n;
            assert.equal(mail.nextAttemptAtMs, nowMs + delay);
            ctx.clock.advance(delay);
          } else {
            assert.equal(mail.status, 'failed');
            assert.equal(report.failed, 1);
          }
        }
        assert.equal(refusing.rcptAttempts.length, EMAIL_ATTEMPTS_MAX);
        assert.equal(refusing.received.length, 0);
      } finally {
        await refusing.close();
      }

      const working = await startSmtp();
      try {
        const retried = await retryEmail(ctx, id);
        assert.ok(retried.ok);
        const transport = smtpTransport(working.url);
        assert.equal((await deliverDueEmails(ctx, transport)).sent, 1);
        assert.equal((await deliverDueEmails(ctx, transport)).attempted, 0);
        assert.equal(working.received.length, 1);
        assert.equal(
          working.received[0]?.parsed.subject,
          'The password of card ending 3345 was changed',
        );
        assert.equal((await getEmail(ctx, db.kysely, id))?.status, 'sent');
      } finally {
        await working.close();
      }
    });

    test('a server that is not there is a failed attempt, not an exception', async () => {
      const gone = await startSmtp();
      const url = gone.url;
      await gone.close();
      const id = await enqueue(
        'kim@example.com',
        'ko',
        'password_changed',
        SAMPLE.password_changed,
      );
      const report = await deliverDueEmails(ctx, smtpTransport(url));
      assert.deepEqual(report, { attempted: 1, sent: 0, retrying: 1, failed: 0, held: 0 });
      const mail = await getEmail(ctx, db.kysely, id);
      assert.match(mail?.lastError ?? '', /ECONNREFUSED/);
    });
  });
}
