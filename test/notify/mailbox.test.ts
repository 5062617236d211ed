import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { mailboxPlugin, MAILBOX_PATH } from '../../src/http/mailbox/plugin.ts';
import { deliverDueEmails, enqueueEmail, type EnqueueEmailInput } from '../../src/notify/index.ts';
import { writeTransaction, type Database } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';
import { GIFT_PIN, SAMPLE, notifyContext } from './support.ts';

for (const target of DATABASES) {
  describe(`dev mailbox pages (${target.name})`, { skip: target.skip }, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    let app: FastifyInstance;
    let ctx: ReturnType<typeof notifyContext>;
    let giftId = '';
    let receiptId = '';
    const hostile = '<script>alert("x")</script>';

    async function enqueue(input: EnqueueEmailInput<'gift'> | EnqueueEmailInput<'order_receipt'>) {
      const r = await writeTransaction(db, (tx) => enqueueEmail(ctx, tx, input));
      assert.ok(r.ok);
      return r.value.id;
    }

    before(async () => {
      ({ db, dispose } = await target.open());
      ctx = notifyContext(db);
      receiptId = await enqueue({
        dedupeKey: 'order:ord_7h2k:receipt',
        to: 'kim@example.com',
        locale: 'en',
        template: 'order_receipt',
        data: SAMPLE.order_receipt,
      });
      ctx.clock.advance(1_000n);
      giftId = await enqueue({
        dedupeKey: 'order:ord_7h2k:gift:1',
        to: 'joon@example.com',
        locale: 'ko',
        template: 'gift',
        data: { ...SAMPLE.gift, message: `Enjoy! ${hostile}` },
      });
      await deliverDueEmails(ctx, null);
      app = Fastify({ logger: false });
      await app.register(mailboxPlugin({ notify: ctx }));
      await app.ready();
    });
    after(async () => {
      await app.close();
      await dispose();
    });

    test('the list shows each mail: address, subject, time, status; newest first', async () => {
      const res = await app.inject({ method: 'GET', url: MAILBOX_PATH });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.equal(res.headers['cache-control'], 'no-store');
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /script-src 'none'/);
      assert.match(csp, /frame-ancestors 'none'/);
      const body = res.body;
      assert.ok(body.includes('kim@example.com') && body.includes('joon@example.com'));
      assert.ok(body.includes('Your OnePIN order ord_7h2k'));
      assert.ok(body.includes('[원핀] Kim Minji님이 선물카드를 보냈어요'));
      assert.ok(body.includes(`href="${MAILBOX_PATH}/${giftId}"`));
      assert.ok(body.indexOf(giftId) < body.indexOf(receiptId), 'newest first');
      assert.ok(body.includes('<span class="status held">held</span>'));
      assert.ok(body.includes('2026-01-01T00:00:00.000Z'));
      // The list never shows a body.
      assert.ok(!body.includes(GIFT_PIN));
    });

    test('the list filters by address and reports a malformed one', async () => {
      const res = await app.inject({
        method: 'GET',
        url: `${MAILBOX_PATH}?to=${encodeURIComponent('joon@example.com')}`,
      });
      assert.equal(res.statusCode, 200);
      assert.ok(res.body.includes(giftId) && !res.body.includes(receiptId));
      assert.ok(res.body.includes('value="joon@example.com"'));
      const bad = await app.inject({ method: 'GET', url: `${MAILBOX_PATH}?to=joon` });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /not a whole e-mail address/);
      assert.ok(!bad.body.includes(giftId));
      const byStatus = await app.inject({ method: 'GET', url: `${MAILBOX_PATH}?status=sent` });
      assert.equal(byStatus.statusCode, 200);
      assert.match(byStatus.body, /No e-mails yet/);
    });

    test('one mail: facts, clickable links (the claim link), the HTML in a sandboxed frame, the text', async () => {
      const res = await app.inject({ method: 'GET', url: `${MAILBOX_PATH}/${giftId}` });
      assert.equal(res.statusCode, 200);
      const body = res.body;
      assert.ok(body.includes('[원핀] Kim Minji님이 선물카드를 보냈어요'));
      assert.ok(body.includes('joon@example.com'));
      assert.ok(body.includes('OnePIN &lt;no-reply@onepin.example&gt;'));
      assert.ok(
        body.includes(
          `<a href="${SAMPLE.gift.claimUrl}" target="_blank" rel="noopener noreferrer">`,
        ),
        'the claim link is clickable',
      );
      assert.ok(
        body.includes(
          `<iframe class="mail-frame" title="The e-mail's HTML body" src="${MAILBOX_PATH}/${giftId}/body" sandbox="allow-popups allow-popups-to-escape-sandbox"`,
        ),
      );
      assert.ok(body.includes(GIFT_PIN), 'the text body is shown');
      assert.ok(!body.includes(hostile), 'the gift message is escaped');
      assert.ok(body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    });

    test('the frame: the mail HTML alone, sandboxed, frameable only by the mailbox', async () => {
      const res = await app.inject({ method: 'GET', url: `${MAILBOX_PATH}/${giftId}/body` });
      assert.equal(res.statusCode, 200);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /sandbox allow-popups allow-popups-to-escape-sandbox/);
      assert.match(csp, /frame-ancestors 'self'/);
      assert.doesNotMatch(csp, /script-src/);
      assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.match(
        res.body,
        /^<!doctype html>\s*<html lang="ko">\s*<head[^>]*><base target="_blank">/,
      );
      assert.ok(res.body.includes(`href="${SAMPLE.gift.claimUrl}"`));
      assert.ok(!res.body.includes(hostile));
    });

    test('an unknown mail is a 404 page', async () => {
      for (const id of ['eml_doesnotexist', 'nope', '%3Cscript%3E']) {
        const res = await app.inject({ method: 'GET', url: `${MAILBOX_PATH}/${id}` });
        assert.equal(res.statusCode, 404, id);
        assert.match(res.body, /E-mail not found/);
        assert.ok(!res.body.includes('<script>'));
        const frame = await app.inject({ method: 'GET', url: `${MAILBOX_PATH}/${id}/body` });
        assert.equal(frame.statusCode, 404);
      }
    });

    test('the stylesheets are served', async () => {
      for (const path of ['pages.css', 'mailbox.css']) {
        const res = await app.inject({ method: 'GET', url: `${MAILBOX_PATH}/assets/${path}` });
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /text\/css/);
      }
    });

    test('only this machine may look, unless told otherwise; disabled, there is no mailbox', async () => {
      const remote = await app.inject({
        method: 'GET',
        url: `${MAILBOX_PATH}/${giftId}`,
        remoteAddress: '203.0.113.7',
      });
      assert.equal(remote.statusCode, 404);
      assert.ok(!remote.body.includes(GIFT_PIN));
      const v6 = await app.inject({ method: 'GET', url: MAILBOX_PATH, remoteAddress: '::1' });
      assert.equal(v6.statusCode, 200);

      const open = Fastify({ logger: false });
      await open.register(mailboxPlugin({ notify: ctx, localOnly: false }));
      const shared = await open.inject({
        method: 'GET',
        url: MAILBOX_PATH,
        remoteAddress: '203.0.113.7',
      });
      assert.equal(shared.statusCode, 200);
      await open.close();

      const off = Fastify({ logger: false });
      await off.register(mailboxPlugin({ notify: ctx, enabled: false }));
      const none = await off.inject({ method: 'GET', url: MAILBOX_PATH });
      assert.equal(none.statusCode, 404);
      await off.close();
    });
  });
}
