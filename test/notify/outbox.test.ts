import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { MS_PER_DAY } from '../../src/kernel/index.ts';
import {
  EMAIL_ATTEMPTS_MAX,
  EMAIL_RETRY_DELAYS_MS,
  EMAIL_SEND_LEASE_MS,
  deliverDueEmails,
  enqueueEmail,
  getEmail,
  listEmails,
  retryEmail,
  type EmailData,
  type EmailTransport,
  type EnqueueEmailInput,
  type OutgoingEmail,
  type TemplateName,
} from '../../src/notify/index.ts';
import { writeTransaction, type Database } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';
import { GIFT_PIN, SAMPLE, notifyContext, rawText } from './support.ts';

/** A transport that keeps what it is given, and fails while `failing` is set. */
class MemoryTransport implements EmailTransport {
  readonly sent: OutgoingEmail[] = [];
  failing = false;
  async send(mail: OutgoingEmail): Promise<{ messageId: string }> {
    await Promise.resolve();
    if (this.failing) throw new Error('connect ECONNREFUSED 127.0.0.1:2525');
    this.sent.push(mail);
    return { messageId: mail.messageId ?? '<none>' };
  }
}

for (const target of DATABASES) {
  describe(`e-mail outbox (${target.name})`, { skip: target.skip }, () => {
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
      // Each test starts from an empty outbox and a fresh clock, on the same database.
      await sql`delete from notify_email`.execute(db.kysely);
      ctx = notifyContext(db);
    });

    async function enqueue<K extends TemplateName>(
      input: Omit<EnqueueEmailInput<K>, 'dedupeKey'> & { readonly dedupeKey?: string },
    ) {
      keyCounter += 1;
      return writeTransaction(db, (tx) =>
        enqueueEmail(ctx, tx, { dedupeKey: `test:${keyCounter}`, ...input }),
      );
    }

    function gift(to = 'joon@example.com', data: Partial<EmailData['gift']> = {}) {
      return enqueue({ to, locale: 'en', template: 'gift', data: { ...SAMPLE.gift, ...data } });
    }

    async function rawRows(): Promise<Record<string, unknown>[]> {
      const result = await sql<Record<string, unknown>>`select * from notify_email`.execute(
        db.kysely,
      );
      return result.rows;
    }

    test('the same dedupe key twice makes one mail; the second answer names the first', async () => {
      const first = await enqueue({
        dedupeKey: 'order:ord_1:receipt',
        to: 'kim@Example.com',
        locale: 'ko',
        template: 'order_receipt',
        data: SAMPLE.order_receipt,
      });
      assert.ok(first.ok);
      assert.equal(first.value.created, true);
      assert.match(first.value.id, /^eml_[a-z0-9]{22}$/);
      const again = await enqueue({
        dedupeKey: 'order:ord_1:receipt',
        to: 'kim@example.com',
        locale: 'ko',
        template: 'order_receipt',
        data: { ...SAMPLE.order_receipt, total: '1 won' },
      });
      assert.deepEqual(again, { ok: true, value: { id: first.value.id, created: false } });
      // The key used for another address is a caller's bug: refused, nothing written.
      const other = await enqueue({
        dedupeKey: 'order:ord_1:receipt',
        to: 'lee@example.com',
        locale: 'ko',
        template: 'order_receipt',
        data: SAMPLE.order_receipt,
      });
      assert.ok(!other.ok);
      assert.equal(other.error.code, 'idempotency_conflict');
      const rows = await rawRows();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.to_address, 'kim@example.com');
    });

    test('a dedupe key is kept even when the transaction that used it rolls back', async () => {
      // Rolled back: the mail and its key vanish together with the order that made them.
      await assert.rejects(
        writeTransaction(db, async (tx) => {
          const r = await enqueueEmail(ctx, tx, {
            dedupeKey: 'order:rolled-back',
            to: 'kim@example.com',
            locale: 'en',
            template: 'password_changed',
            data: SAMPLE.password_changed,
          });
          assert.ok(r.ok);
          throw new Error('the order failed after the mail was queued');
        }),
        /the order failed/,
      );
      assert.equal((await rawRows()).length, 0);
      const retried = await enqueue({
        dedupeKey: 'order:rolled-back',
        to: 'kim@example.com',
        locale: 'en',
        template: 'password_changed',
        data: SAMPLE.password_changed,
      });
      assert.ok(retried.ok && retried.value.created);
    });

    test('bad input is refused with a code and changes nothing', async () => {
      const base = {
        to: 'kim@example.com',
        locale: 'en' as const,
        template: 'gift' as const,
        data: SAMPLE.gift,
      };
      const cases: [Record<string, unknown>, string, string][] = [
        [{ to: 'not-an-address' }, 'email_invalid', 'to'],
        [{ to: 'kim@example.com\r\nBcc: all@example.com' }, 'email_invalid', 'to'],
        [{ to: `${'a'.repeat(250)}@example.com` }, 'email_invalid', 'to'],
        [{ locale: 'fr' }, 'parameter_invalid', 'locale'],
        [{ template: 'newsletter' }, 'parameter_invalid', 'template'],
        [
          { data: { ...SAMPLE.gift, claimUrl: 'javascript:alert(1)' } },
          'parameter_invalid',
          'data.claimUrl',
        ],
        [{ data: { ...SAMPLE.gift, design: 'neon' } }, 'parameter_invalid', 'data.design'],
        [{ dedupeKey: 'has space' }, 'parameter_invalid', 'dedupeKey'],
        [{ dedupeKey: '' }, 'parameter_invalid', 'dedupeKey'],
        [{ dedupeKey: 'x'.repeat(201) }, 'parameter_invalid', 'dedupeKey'],
        [{ sendAfterMs: -1n }, 'parameter_invalid', 'sendAfterMs'],
        [
          { sendAfterMs: ctx.clock.nowMs() + 401n * MS_PER_DAY },
          'parameter_invalid',
          'sendAfterMs',
        ],
      ];
      for (const [change, code, param] of cases) {
        const result = await enqueue({ ...base, ...change });
        assert.ok(
          !result.ok,
          JSON.stringify(change, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
        );
        assert.equal(result.error.code, code);
        assert.equal(result.error.param, param);
      }
      assert.equal((await rawRows()).length, 0);
    });

    test('no SMTP: due mails are held, listed and readable; no body is in the clear at rest', async () => {
      const queued = await gift();
      assert.ok(queued.ok);
      const report = await deliverDueEmails(ctx, null);
      assert.deepEqual(report, { attempted: 0, sent: 0, retrying: 0, failed: 0, held: 1 });

      const page = await listEmails(ctx, db.kysely, { limit: 10 });
      assert.ok(page.ok);
      assert.equal(page.value.data.length, 1);
      const summary = page.value.data[0];
      assert.equal(summary?.status, 'held');
      assert.equal(summary.to, 'joon@example.com');
      assert.equal(summary.subject, 'Kim Minji sent you a OnePIN gift card');
      assert.equal(summary.nextAttemptAtMs, null);
      assert.equal(summary.attempts, 0);

      const mail = await getEmail(ctx, db.kysely, queued.value.id);
      assert.ok(mail !== undefined);
      assert.ok(mail.text.includes(GIFT_PIN) && mail.html.includes(GIFT_PIN));
      assert.ok(mail.text.includes(SAMPLE.gift.claimUrl));
      assert.equal(await getEmail(ctx, db.kysely, 'eml_doesnotexist'), undefined);
      assert.equal(await getEmail(ctx, db.kysely, "x' or 1=1 --"), undefined);

      // What a copy of the database shows: no PIN, in any grouping, in any column.
      const [row] = await rawRows();
      assert.ok(row !== undefined);
      const everything = rawText(row);
      for (const secret of [GIFT_PIN, GIFT_PIN.replace(/ /g, ''), '4929 1837', '6650 2918']) {
        assert.ok(!everything.includes(secret), `the raw row does not contain ${secret}`);
      }
      assert.ok(!everything.includes('Happy birthday, Joon'), 'the gift message is sealed too');
      // A second pass has nothing to do: held mails stay held.
      assert.deepEqual(await deliverDueEmails(ctx, null), {
        attempted: 0,
        sent: 0,
        retrying: 0,
        failed: 0,
        held: 0,
      });
    });

    test('a mail to be delivered later waits until the clock passes its time', async () => {
      const transport = new MemoryTransport();
      const deliverAt = ctx.clock.nowMs() + 3n * MS_PER_DAY;
      const queued = await enqueue({
        to: 'joon@example.com',
        locale: 'ko',
        template: 'gift',
        data: SAMPLE.gift,
        sendAfterMs: deliverAt,
      });
      assert.ok(queued.ok);
      assert.equal((await deliverDueEmails(ctx, transport)).attempted, 0);
      assert.equal((await deliverDueEmails(ctx, null)).held, 0, 'not held early either');
      ctx.clock.set(deliverAt - 1n);
      assert.equal((await deliverDueEmails(ctx, transport)).attempted, 0);
      ctx.clock.set(deliverAt);
      const report = await deliverDueEmails(ctx, transport);
      assert.deepEqual(report, { attempted: 1, sent: 1, retrying: 0, failed: 0, held: 0 });
      assert.equal(transport.sent.length, 1);
      const mail = await getEmail(ctx, db.kysely, queued.value.id);
      assert.equal(mail?.status, 'sent');
      assert.equal(mail.sentAtMs, deliverAt);
      assert.equal(mail.messageId, `<${queued.value.id}@onepin.example>`);
      assert.equal(transport.sent[0]?.from, ctx.from);
      assert.equal(transport.sent[0]?.subject, '[원핀] Kim Minji님이 선물카드를 보냈어요');
    });

    test('failures back off per the schedule, then give up; an operator retry sends once', async () => {
      const transport = new MemoryTransport();
      transport.failing = true;
      const queued = await enqueue({
        to: 'kim@example.com',
        locale: 'en',
        template: 'recharge_receipt',
        data: SAMPLE.recharge_receipt,
      });
      assert.ok(queued.ok);
      const id = queued.value.id;
      for (let attempt = 1; attempt <= EMAIL_ATTEMPTS_MAX; attempt += 1) {
        const nowMs = ctx.clock.nowMs();
        const report = await deliverDueEmails(ctx, transport);
        const mail = await getEmail(ctx, db.kysely, id);
        assert.ok(mail !== undefined);
        assert.equal(mail.attempts, attempt);
        assert.equal(mail.lastError, 'connect ECONNREFUSED 127.0.0.1:2525');
        if (attempt < EMAIL_ATTEMPTS_MAX) {
          assert.deepEqual(report, { attempted: 1, sent: 0, retrying: 1, failed: 0, held: 0 });
          const delay = EMAIL_RETRY_DELAYS_MS[attempt - 1] ?? 0n;
          assert.equal(mail.status, 'queued');
          assert.equal(mail.nextAttemptAtMs, nowMs + delay);
          // Not due a moment before its time.
          ctx.clock.advance(delay - 1n);
          assert.equal((await deliverDueEmails(ctx, transport)).attempted, 0);
          ctx.clock.advance(1n);
        } else {
          assert.deepEqual(report, { attempted: 1, sent: 0, retrying: 0, failed: 1, held: 0 });
          assert.equal(mail.status, 'failed');
          assert.equal(mail.nextAttemptAtMs, null);
        }
      }
      ctx.clock.advance(7n * MS_PER_DAY);
      assert.equal((await deliverDueEmails(ctx, transport)).attempted, 0, 'failed stays failed');

      transport.failing = false;
      const retried = await retryEmail(ctx, id);
      assert.ok(retried.ok);
      assert.equal(retried.value.status, 'queued');
      assert.equal(retried.value.attempts, 0);
      assert.equal(retried.value.lastError, null);
      const report = await deliverDueEmails(ctx, transport);
      assert.deepEqual(report, { attempted: 1, sent: 1, retrying: 0, failed: 0, held: 0 });
      assert.equal(transport.sent.length, 1);
      assert.equal((await deliverDueEmails(ctx, transport)).attempted, 0);

      const again = await retryEmail(ctx, id);
      assert.ok(!again.ok);
      assert.equal(again.error.code, 'email_state_invalid');
      const missing = await retryEmail(ctx, 'eml_nothere');
      assert.ok(!missing.ok);
      assert.equal(missing.error.code, 'email_not_found');
    });

    test('a held mail can be queued again once SMTP is configured', async () => {
      const queued = await gift();
      assert.ok(queued.ok);
      await deliverDueEmails(ctx, null);
      const retried = await retryEmail(ctx, queued.value.id);
      assert.ok(retried.ok);
      const transport = new MemoryTransport();
      assert.equal((await deliverDueEmails(ctx, transport)).sent, 1);
    });

    test('a send that outlives its lease is taken over; the late result is dropped', async () => {
      const queued = await gift();
      assert.ok(queued.ok);
      const sends: OutgoingEmail[] = [];
      let inner: Awaited<ReturnType<typeof deliverDueEmails>> | undefined;
      const slow: EmailTransport = {
        send: async (mail) => {
          sends.push(mail);
          if (sends.length === 1) {
            // The first worker stalls past its lease; a second worker finds the mail due.
            ctx.clock.advance(EMAIL_SEND_LEASE_MS);
            inner = await deliverDueEmails(ctx, slow);
          }
          return { messageId: mail.messageId ?? '' };
        },
      };
      const outer = await deliverDueEmails(ctx, slow);
      assert.deepEqual(inner, { attempted: 1, sent: 1, retrying: 0, failed: 0, held: 0 });
      assert.deepEqual(outer, { attempted: 1, sent: 0, retrying: 0, failed: 0, held: 0 });
      assert.equal(sends.length, 2);
      // At least once, with one Message-ID, so a receiving server can drop the duplicate.
      assert.equal(sends[0]?.messageId, sends[1]?.messageId);
      const mail = await getEmail(ctx, db.kysely, queued.value.id);
      assert.equal(mail?.status, 'sent');
      assert.equal(mail.attempts, 2);
    });

    test('a worker that died during the last attempt leaves the mail failed', async () => {
      const queued = await gift();
      assert.ok(queued.ok);
      const leaseUntil = ctx.clock.nowMs() + 1_000n;
      await sql`update notify_email set status = 'sending', attempts = ${BigInt(EMAIL_ATTEMPTS_MAX)},
                next_attempt_at_ms = ${leaseUntil} where id = ${queued.value.id}`.execute(
        db.kysely,
      );
      const transport = new MemoryTransport();
      assert.equal((await deliverDueEmails(ctx, transport)).attempted, 0, 'the lease holds');
      ctx.clock.set(leaseUntil);
      const report = await deliverDueEmails(ctx, transport);
      assert.deepEqual(report, { attempted: 0, sent: 0, retrying: 0, failed: 1, held: 0 });
      assert.equal(transport.sent.length, 0);
      assert.equal((await getEmail(ctx, db.kysely, queued.value.id))?.status, 'failed');
    });

    test('a body sealed under another key fails alone and does not block the outbox', async () => {
      const stale = await gift('stale@example.com');
      assert.ok(stale.ok);
      ctx.clock.advance(1n);
      const fresh = { ...ctx, bodyKey: randomBytes(32) };
      const current = await writeTransaction(db, (tx) =>
        enqueueEmail(fresh, tx, {
          dedupeKey: 'after-key-change',
          to: 'fresh@example.com',
          locale: 'en',
          template: 'password_changed',
          data: SAMPLE.password_changed,
        }),
      );
      assert.ok(current.ok);
      const transport = new MemoryTransport();
      const report = await deliverDueEmails(fresh, transport);
      assert.deepEqual(report, { attempted: 1, sent: 1, retrying: 0, failed: 1, held: 0 });
      assert.deepEqual(
        transport.sent.map((m) => m.to),
        ['fresh@example.com'],
      );
      const page = await listEmails(fresh, db.kysely, { limit: 10, status: 'failed' });
      assert.ok(page.ok);
      assert.equal(page.value.data[0]?.id, stale.value.id);
      assert.match(page.value.data[0]?.lastError ?? '', /cannot be opened/);
    });

    test('a pass handles at most its limit; concurrent passes send each mail once', async () => {
      for (let i = 0; i < 12; i += 1) assert.ok((await gift(`r${i}@example.com`)).ok);
      const transport = new MemoryTransport();
      assert.equal((await deliverDueEmails(ctx, transport, { limit: 2 })).sent, 2);
      const reports = await Promise.all([
        deliverDueEmails(ctx, transport),
        deliverDueEmails(ctx, transport),
        deliverDueEmails(ctx, transport),
      ]);
      assert.equal(
        reports.reduce((n, r) => n + r.sent, 0),
        10,
      );
      const ids = transport.sent.map((m) => m.messageId);
      assert.equal(new Set(ids).size, 12, 'no mail was sent twice');
      await assert.rejects(
        deliverDueEmails(ctx, transport, { limit: 10_000 }),
        /within its maximum/,
      );
    });

    test('the mailbox list: newest first, keyset pages, filters by address and status', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const to = i % 2 === 0 ? 'even@example.com' : 'odd@example.com';
        const r = await gift(to);
        assert.ok(r.ok);
        ids.push(r.value.id);
        ctx.clock.advance(1_000n);
      }
      const first = await listEmails(ctx, db.kysely, { limit: 2 });
      assert.ok(first.ok);
      assert.deepEqual(
        first.value.data.map((m) => m.id),
        [ids[4], ids[3]],
      );
      assert.equal(first.value.nextCursor, ids[3]);
      const second = await listEmails(ctx, db.kysely, { limit: 2, cursor: ids[3] ?? '' });
      assert.ok(second.ok);
      assert.deepEqual(
        second.value.data.map((m) => m.id),
        [ids[2], ids[1]],
      );
      const third = await listEmails(ctx, db.kysely, { limit: 2, cursor: ids[1] ?? '' });
      assert.ok(third.ok);
      assert.deepEqual(
        third.value.data.map((m) => m.id),
        [ids[0]],
      );
      assert.equal(third.value.nextCursor, null);

      const even = await listEmails(ctx, db.kysely, { limit: 10, to: 'even@EXAMPLE.com' });
      assert.ok(even.ok);
      assert.deepEqual(
        even.value.data.map((m) => m.id),
        [ids[4], ids[2], ids[0]],
      );
      await deliverDueEmails(ctx, null, { limit: 1 });
      const held = await listEmails(ctx, db.kysely, { limit: 10, status: 'held' });
      assert.ok(held.ok);
      assert.deepEqual(
        held.value.data.map((m) => m.id),
        [ids[0]],
      );

      for (const [q, code, param] of [
        [{ limit: 0 }, 'parameter_invalid', 'limit'],
        [{ limit: 101 }, 'parameter_invalid', 'limit'],
        [{ limit: 10, to: 'nobody' }, 'email_invalid', 'to'],
        [{ limit: 10, cursor: 'eml_unknown' }, 'parameter_invalid', 'cursor'],
        [{ limit: 10, status: 'lost' }, 'parameter_invalid', 'status'],
      ] as const) {
        const r = await listEmails(ctx, db.kysely, q as never);
        assert.ok(!r.ok);
        assert.equal(r.error.code, code);
        assert.equal(r.error.param, param);
      }
    });
  });
}
