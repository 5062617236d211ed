// The mails of a real web purchase, through a real SMTP server: a buyer in Korean buys a card
// through the sandbox acquirer and sends it as a gift; one delivery pass hands the outbox to an
// SMTP peer on loopback; the receipt and the gift mail are parsed as a mail client would, and
// the claim link in the parsed mail claims the card on our server. On both databases.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressObject } from 'mailparser';
import { authenticate, cardBalance, getCard } from '../../src/cards/index.ts';
import { verifyLedger } from '../../src/ledger/index.ts';
import {
  GIFT_DESIGN_LOOKS,
  deliverDueEmails,
  messageIdOf,
  smtpTransport,
} from '../../src/notify/index.ts';
import { DATABASES } from '../support/databases.ts';
import { csrfOf } from '../http/pages-support.ts';
import { startSmtp, type Received, type TestSmtp } from '../notify/support.ts';
import { HttpClient } from './http-client.ts';
import {
  APPROVE,
  BUYER,
  localPath,
  openSalesWorld,
  payAtAcquirer,
  pinsOn,
  submit,
  type SalesWorld,
} from './support.ts';

const RECIPIENT = 'jisoo@example.com';
/** HTML-special characters and Korean: the mail must show them as text, never as markup. */
const MESSAGE = '생일 축하해, 지수야! <b>"Tom & Jerry"</b> <script>alert(1)</script>';

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/** The SMTP URL without the login: the peer takes mail without one (authOptional). */
function withoutLogin(url: string): string {
  const parsed = new URL(url);
  return `smtp://${parsed.hostname}:${parsed.port}`;
}

function oneTo(smtp: TestSmtp, to: string): Received {
  const mails = smtp.received.filter((m) => m.envelopeTo.includes(to));
  assert.equal(mails.length, 1, `one mail to ${to}, got ${mails.length}`);
  const [mail] = mails;
  assert.ok(mail);
  return mail;
}

for (const target of DATABASES) {
  describe(
    `web-sales mail through a real SMTP server (${target.name})`,
    { skip: target.skip },
    () => {
      let world: SalesWorld;
      let smtp: TestSmtp;
      before(async () => {
        world = await openSalesWorld(target);
        smtp = await startSmtp();
      });
      after(async () => {
        await smtp.close();
        await world.close();
      });

      test('receipt and gift arrive in Korean, and the parsed claim link claims the card', async () => {
        // Buy one 10,000 card in Korean and pay with the approving test card.
        const buyer = world.browser();
        const posted = await submit(buyer, '/buy?lang=ko', '/buy', {
          ...BUYER,
          method: 'card',
          qty_den_krw_10000: '1',
        });
        assert.equal(posted.status, 303, posted.body.slice(0, 300));
        const payUrl = posted.location ?? '';
        assert.ok(payUrl.startsWith(world.acquirer.url), `to the acquirer: ${payUrl}`);
        const back = await payAtAcquirer(payUrl, APPROVE);
        assert.ok(back, 'the acquirer sends the browser back');
        const returned = await buyer.get(localPath(world, back));
        assert.equal(returned.status, 303);
        const orderPath = returned.location ?? '';
        const orderId = /ord_[a-z0-9]+/.exec(orderPath)?.[0];
        assert.ok(orderId, `an order page: ${orderPath}`);
        const page = await buyer.get(orderPath);
        assert.equal(page.status, 200);
        assert.match(page.body, /주문 내역/, 'the order page is in Korean');
        const [pin] = pinsOn(page);
        assert.ok(pin, 'the PIN is shown once');
        const cardId = /\/cards\/(card_[a-z0-9]+)\/gift/.exec(page.body)?.[1];
        assert.ok(cardId);

        // Send it as a gift, in the birthday design, with a message full of markup.
        const giftPath = `${orderPath}/cards/${cardId}/gift`;
        const sent = await submit(buyer, giftPath, giftPath, {
          sender_name: '김민지',
          recipient_name: '박지수',
          recipient_email: RECIPIENT,
          design: 'birthday',
          message: MESSAGE,
          deliver_on: '',
        });
        assert.equal(sent.status, 303, sent.body.slice(0, 300));

        // One delivery pass through the SMTP server: both mails go, nothing is left.
        const transport = smtpTransport(withoutLogin(smtp.url));
        const report = await deliverDueEmails(world.app.notify, transport);
        assert.deepEqual(
          {
            attempted: report.attempted,
            sent: report.sent,
            retrying: report.retrying,
            failed: report.failed,
          },
          { attempted: 2, sent: 2, retrying: 0, failed: 0 },
        );
        assert.equal(smtp.received.length, 2);
        const again = await deliverDueEmails(world.app.notify, transport);
        assert.equal(again.attempted, 0, 'a sent mail is not sent twice');
        assert.equal(smtp.received.length, 2);

        // The receipt: to the buyer, in Korean, with the order id and the total.
        const receipt = oneTo(smtp, BUYER.email);
        assert.equal(receipt.user, undefined, 'no login was needed');
        assert.deepEqual(addresses(receipt.parsed.to), [BUYER.email]);
        assert.deepEqual(addresses(receipt.parsed.from), ['no-reply@onepin.example']);
        assert.equal(receipt.parsed.subject, `[원핀] 주문 영수증 (${orderId})`);
        const receiptText = receipt.parsed.text ?? '';
        const receiptHtml = typeof receipt.parsed.html === 'string' ? receipt.parsed.html : '';
        for (const body of [receiptText, receiptHtml]) {
          assert.ok(body.includes(orderId), 'the order id is in the receipt');
          assert.ok(body.includes('10,000 KRW'), 'the total is in the receipt');
          assert.match(body, /[가-힣]/, 'the receipt is in Korean');
        }
        assert.ok(
          !receiptText.replace(/[\s-]/g, '').includes(pin),
          'a receipt never carries a PIN',
        );
        assert.match(receipt.parsed.messageId ?? '', /^<eml_[a-z0-9]+@onepin\.example>$/);

        // The gift: to the recipient, in the buyer's language, with the claim link, the PIN, the
        // message (escaped in HTML) and the chosen design.
        const gift = oneTo(smtp, RECIPIENT);
        assert.deepEqual(addresses(gift.parsed.to), [RECIPIENT]);
        assert.equal(gift.parsed.subject, '[원핀] 김민지님이 선물카드를 보냈어요');
        const giftText = gift.parsed.text ?? '';
        const giftHtml = typeof gift.parsed.html === 'string' ? gift.parsed.html : '';
        assert.ok(giftHtml !== '', 'the gift has an HTML body');
        assert.match(giftText, /박지수님, 안녕하세요/);
        const claimUrl = /https?:\/\/\S+\/claim\/gft_[a-z0-9]+\/[A-Za-z0-9_-]+/.exec(giftText)?.[0];
        assert.ok(claimUrl, 'a claim link in the text body');
        assert.ok(
          claimUrl.startsWith(`${world.url}/claim/`),
          `the link points at our server: ${claimUrl}`,
        );
        assert.ok(giftHtml.includes(`href="${claimUrl}"`), 'the same link is the HTML button');
        const pinInMail = /PIN 번호: ([0-9 -]+)/.exec(giftText)?.[1]?.replace(/[\s-]/g, '');
        assert.equal(pinInMail, pin, 'the PIN in the mail is the card’s');
        assert.ok(giftHtml.replace(/[\s-]/g, '').includes(pin), 'and in the HTML body');
        assert.ok(giftText.includes(MESSAGE), 'the message as written in the text body');
        assert.ok(
          !giftHtml.includes('<script>') && !giftHtml.includes('<b>'),
          'no markup from the message',
        );
        assert.ok(
          giftHtml.includes('&lt;b&gt;') &&
            giftHtml.includes('Tom &amp; Jerry') &&
            giftHtml.includes('&lt;script&gt;'),
          'the message is escaped in HTML',
        );
        assert.ok(giftHtml.includes('생일 축하해, 지수야!'), 'Korean text of the message survives');
        const look = GIFT_DESIGN_LOOKS.birthday;
        assert.ok(giftHtml.includes(look.heading.ko), 'the design’s Korean heading');
        assert.ok(
          giftHtml.includes(look.emoji) && giftHtml.includes(look.background),
          'the design’s look',
        );
        assert.ok(giftText.includes(look.heading.ko));
        const giftMessageId = gift.parsed.messageId ?? '';
        const giftEmailId = /^<(eml_[a-z0-9]+)@/.exec(giftMessageId)?.[1] ?? '';
        assert.equal(giftMessageId, messageIdOf(giftEmailId, world.app.notify.from));
        assert.notEqual(giftMessageId, receipt.parsed.messageId);

        // The recipient opens the parsed link against our server and claims with the PIN from the
        // mail; the card is not active before, and is after.
        const before = await getCard(world.app.cards, world.app.db.kysely, { id: cardId });
        assert.ok(before.ok);
        assert.equal(before.value.state, 'sold');
        const reader = new HttpClient(world.url);
        const claimPage = await reader.get(claimUrl);
        assert.equal(claimPage.status, 200, claimPage.body.slice(0, 300));
        assert.match(claimPage.body, /김민지/, 'the claim page names the sender');
        assert.ok(claimPage.body.includes('&lt;b&gt;'), 'and shows the message escaped');
        const claimed = await reader.post(claimUrl, {
          _csrf: csrfOf(claimPage),
          pin: pinInMail ?? '',
          password: '3691',
          password_confirm: '3691',
        });
        assert.equal(claimed.status, 200, claimed.body.slice(0, 400));
        assert.ok(
          claimed.body.includes(pin.slice(-4)),
          'the claim names the card’s last four digits',
        );
        const card = await getCard(world.app.cards, world.app.db.kysely, { id: cardId });
        assert.ok(card.ok);
        assert.equal(card.value.state, 'active');
        const theirs = await authenticate(world.app.cards, { pin, password: '3691' });
        assert.ok(theirs.ok, 'the PIN and the new password open the card');
        assert.equal(theirs.value.id, cardId);
        const balance = await cardBalance(world.app.cards, world.app.db.kysely, cardId);
        assert.ok(balance.ok);
        assert.equal(balance.value.balanceMinor, 10_000n);
        const twice = await reader.get(claimUrl);
        assert.match(twice.body, /already claimed|이미 등록/);
        const ledger = await verifyLedger(world.app.db);
        assert.ok(ledger.ok, ledger.problems.join('\n'));
      });
    },
  );
}
