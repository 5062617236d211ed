import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  SMS_ATTEMPTS_MAX,
  SMS_RETRY_DELAYS_MS,
  SMS_SEND_LEASE_MS,
  deliverDueSms,
  enqueueSms,
  getSms,
  recordSmsReceipt,
  type EnqueueSmsInput,
  type SmsTransport,
} from '../../src/notify/index.ts';
import {
  createSmppGateway,
  type ClientTuning,
  type SmppGateway,
} from '../../src/protocols/smpp/index.ts';
import { writeTransaction, type Database } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';
import { startSmsc, waitUntil, type TestSmsc } from '../protocols/smpp/support/smsc.ts';
import { notifyContext, rawText } from './support.ts';

const TO = '+821012345678';
const PIN_TEXT =
  'OnePIN PIN 4929 1837 6650 2918 3345 — 웹에서 비밀번호를 등록하면 사용할 수 있습니다.';
const FAST: ClientTuning = {
  responseTimeoutMs: 2_000,
  connectTimeoutMs: 2_000,
  reconnect: { initialMs: 10, maxMs: 40 },
  throttle: { initialMs: 5, maxMs: 20 },
  submitDeadlineMs: 10_000,
  random: () => 0,
};

for (const target of DATABASES) {
  describe(`SMS outbox with a real SMSC (${target.name})`, { skip: target.skip }, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    let ctx: ReturnType<typeof notifyContext>;
    let smsc: TestSmsc;
    const gateways: SmppGateway[] = [];
    let refCounter = 0;

    before(async () => {
      ({ db, dispose } = await target.open());
      smsc = await startSmsc();
    });
    after(async () => {
      await smsc.close();
      await dispose();
    });
    beforeEach(async () => {
      await sql`delete from notify_sms_part`.execute(db.kysely);
      await sql`delete from notify_sms_receipt`.execute(db.kysely);
      await sql`delete from notify_sms`.execute(db.kysely);
      ctx = notifyContext(db);
      smsc.submits.length = 0;
      smsc.onSubmit = () => ({ kind: 'ok' });
      smsc.autoReceipt = null;
    });
    afterEach(async () => {
      for (const g of gateways.splice(0)) await g.close();
      smsc.dropAll();
    });

    /** A gateway whose receipts go into this test's outbox, as src/main/server.ts wires it. */
    function gateway(options: { password?: string; tuning?: ClientTuning } = {}): SmppGateway {
      const g = createSmppGateway({
        url: smsc.url(options.password === undefined ? {} : { password: options.password }),
        sourceAddr: '1588',
        tuning: { ...FAST, ...options.tuning },
        onReceipt: (r) => recordSmsReceipt(ctx, r),
      });
      gateways.push(g);
      g.start();
      return g;
    }

    async function enqueue(input: Partial<EnqueueSmsInput> = {}) {
      refCounter += 1;
      return writeTransaction(db, (tx) =>
        enqueueSms(ctx, tx, {
          to: TO,
          text: PIN_TEXT,
          purpose: 'carrier_pin',
          reference: `sale:${refCounter}`,
          ...input,
        }),
      );
    }

    async function created(input: Partial<EnqueueSmsInput> = {}): Promise<string> {
      const r = await enqueue(input);
      assert.ok(r.ok && r.value.created);
      return r.value.id;
    }

    async function smsRows(): Promise<Record<string, unknown>[]> {
      return (
        await sql<Record<string, unknown>>`select * from notify_sms order by id`.execute(db.kysely)
      ).rows;
    }

    test('enqueue checks its input; bad input adds nothing', async () => {
      const bad: readonly [Partial<EnqueueSmsInput>, string, string][] = [
        [{ to: '01012345678' }, 'phone_invalid', 'to'],
        [{ to: '+0101234' }, 'phone_invalid', 'to'],
        [{ text: '' }, 'parameter_invalid', 'text'],
        [{ text: 'a'.repeat(801) }, 'parameter_invalid', 'text'],
        [{ text: 'bell\u0007' }, 'parameter_invalid', 'text'],
        [{ text: 'half \ud83d' }, 'parameter_invalid', 'text'],
        [{ purpose: 'Carrier PIN' }, 'parameter_invalid', 'purpose'],
        [{ reference: 'has space' }, 'parameter_invalid', 'reference'],
        [{ expiresAtMs: ctx.clock.nowMs() }, 'parameter_invalid', 'expiresAtMs'],
      ];
      for (const [input, code, param] of bad) {
        const r = await enqueue(input);
        assert.ok(!r.ok, `${code} ${param}`);
        assert.deepEqual([r.error.code, r.error.param], [code, param]);
      }
      assert.deepEqual(await smsRows(), []);
    });

    test('one SMS per purpose and reference; the text is sealed at rest', async () => {
      const first = await enqueue({ reference: 'sale:s1' });
      const again = await enqueue({ reference: 'sale:s1' });
      assert.ok(first.ok && again.ok);
      assert.deepEqual(again.value, { id: first.value.id, created: false });
      const otherText = await enqueue({ reference: 'sale:s1', text: 'another PIN' });
      assert.ok(!otherText.ok);
      assert.equal(otherText.error.code, 'idempotency_conflict');
      const otherNumber = await enqueue({ reference: 'sale:s1', to: '+821099998888' });
      assert.ok(!otherNumber.ok);
      assert.equal(otherNumber.error.code, 'idempotency_conflict');
      const rows = await smsRows();
      assert.equal(rows.length, 1);
      const raw = rawText(rows[0] ?? {});
      assert.ok(!raw.includes('4929'), 'the PIN is not readable in the row');
      assert.ok(!raw.includes('비밀번호'));
      assert.equal(rows[0]?.status, 'queued');
    });

    test('without SMPP, due SMS stay queued and are counted as waiting', async () => {
      const id = await created();
      const report = await deliverDueSms(ctx, null);
      assert.deepEqual(report, {
        attempted: 0,
        submitted: 0,
        retrying: 0,
        failed: 0,
        expired: 0,
        waiting: 1,
      });
      const sms = await getSms(db.kysely, id);
      assert.deepEqual([sms?.status, sms?.attempts], ['queued', 0]);
    });

    test('enqueue → worker pass → the SMSC has it → receipt → delivered', async () => {
      const id = await created();
      const g = gateway();
      const report = await deliverDueSms(ctx, g.transport);
      assert.deepEqual(report, {
        attempted: 1,
        submitted: 1,
        retrying: 0,
        failed: 0,
        expired: 0,
        waiting: 0,
      });
      assert.equal(smsc.submits.length, 1);
      const s = smsc.submits[0];
      assert.ok(s !== undefined);
      assert.deepEqual(
        [s.text, s.dataCoding, s.destination, s.source, s.sourceTon, s.registeredDelivery],
        [PIN_TEXT, 8, '821012345678', '1588', 3, 1],
      );
      const submitted = await getSms(db.kysely, id);
      assert.equal(submitted?.status, 'submitted');
      assert.equal(submitted?.partsTotal, 1);
      assert.deepEqual(
        submitted?.parts.map((p) => [p.part, p.messageId, p.outcome]),
        [[1, s.messageId, null]],
      );
      assert.equal(await smsc.sendReceipt(s.messageId ?? ''), 0);
      const delivered = await getSms(db.kysely, id);
      assert.equal(delivered?.status, 'delivered');
      assert.deepEqual(
        delivered?.parts.map((p) => [p.outcome, p.receiptStat, p.receiptError]),
        [['delivered', 'DELIVRD', '000']],
      );
      assert.equal(delivered?.finishedAtMs, ctx.clock.nowMs());
    });

    test('a 3-part SMS is delivered only when every part is; an undelivered part fails it', async () => {
      const long = 'Your OnePIN gift card is ready. '.repeat(13); // 416 GSM characters
      const ok = await created({ text: long });
      const bad = await created({ text: long, to: '+821055556666' });
      const g = gateway();
      await deliverDueSms(ctx, g.transport);
      assert.equal(smsc.submits.length, 6);
      const partsOf = async (id: string) => (await getSms(db.kysely, id))?.parts ?? [];
      const okParts = await partsOf(ok);
      const badParts = await partsOf(bad);
      assert.equal(okParts.length, 3);
      const textOf = (dest: string) =>
        smsc.submits
          .filter((s) => s.destination === dest)
          .sort((a, b) => (a.concat?.seq ?? 0) - (b.concat?.seq ?? 0))
          .map((s) => s.text)
          .join('');
      assert.equal(textOf('821012345678'), long);
      assert.equal(textOf('821055556666'), long);
      for (const [i, p] of okParts.entries()) {
        await smsc.sendReceipt(p.messageId);
        assert.equal((await getSms(db.kysely, ok))?.status, i < 2 ? 'submitted' : 'delivered');
      }
      await smsc.sendReceipt(badParts[0]?.messageId ?? '');
      await smsc.sendReceipt(badParts[1]?.messageId ?? '', { stat: 'UNDELIV', err: '034' });
      const failed = await getSms(db.kysely, bad);
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.lastError, 'part 2 receipt UNDELIV err:034');
      // A late DELIVRD for the failed part changes nothing: a final outcome stays.
      await smsc.sendReceipt(badParts[1]?.messageId ?? '');
      assert.equal((await getSms(db.kysely, bad))?.parts[1]?.outcome, 'failed');
    });

    test('an expired receipt marks the SMS expired', async () => {
      const id = await created();
      const g = gateway();
      await deliverDueSms(ctx, g.transport);
      const part = (await getSms(db.kysely, id))?.parts[0];
      await smsc.sendReceipt(part?.messageId ?? '', {
        stat: 'EXPIRED',
        tlvs: true,
        messageState: 3,
      });
      assert.equal((await getSms(db.kysely, id))?.status, 'expired');
    });

    test('a receipt that comes before its part is recorded waits for it', async () => {
      smsc.autoReceipt = {};
      const id = await created();
      // The SMSC answers and sends the receipt at once, racing the worker's write of the part.
      const g = gateway();
      await deliverDueSms(ctx, g.transport);
      await waitUntil(() => smsc.submits[0]?.messageId !== null, 'the submit answered');
      // Bounded: the receipt is applied either way (directly or from the waiting table).
      for (let i = 0; i < 200 && (await getSms(db.kysely, id))?.status !== 'delivered'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal((await getSms(db.kysely, id))?.status, 'delivered');
      // The explicit order: receipt first, then the part.
      const second = await created();
      smsc.autoReceipt = null;
      const expectedId = smsc.nextMessageId();
      assert.equal(
        await recordSmsReceipt(ctx, {
          messageId: expectedId,
          outcome: 'delivered',
          stat: 'DELIVRD',
          error: null,
        }),
        'waiting',
      );
      await deliverDueSms(ctx, g.transport);
      const view = await getSms(db.kysely, second);
      assert.equal(view?.parts[0]?.messageId, expectedId);
      assert.equal(view?.status, 'delivered');
      const waiting = await sql`select * from notify_sms_receipt`.execute(db.kysely);
      assert.deepEqual(waiting.rows, []);
    });

    test('a worker that dies mid-send: after the lease, only the parts not acknowledged go again', async () => {
      const long = 'z'.repeat(400); // 3 parts
      const id = await created({ text: long });
      // First worker: part 1 answered; parts 2 and 3 reach the SMSC but are never answered.
      smsc.onSubmit = (s) => (s.concat?.seq === 1 ? { kind: 'ok' } : { kind: 'drop' });
      const first = gateway({ tuning: { responseTimeoutMs: 100, submitAttemptsMax: 1 } });
      let dead = false;
      const dying: SmsTransport = {
        send(sms) {
          const inner = first.transport.send({
            ...sms,
            onPartAccepted: (a) =>
              dead ? new Promise<void>(() => undefined) : sms.onPartAccepted(a),
          });
          inner.catch(() => undefined);
          // The worker process dies during the send: this pass never records anything.
          return new Promise(() => undefined);
        },
      };
      void deliverDueSms(ctx, dying);
      await waitUntil(() => smsc.submits.length === 3, 'three parts at the SMSC');
      for (let i = 0; i < 200 && (await getSms(db.kysely, id))?.parts.length !== 1; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      dead = true;
      await first.close();
      const held = await getSms(db.kysely, id);
      assert.equal(held?.status, 'sending');
      assert.deepEqual(
        held?.parts.map((p) => p.part),
        [1],
      );

      // Another worker, before the lease lapses: nothing to take.
      smsc.onSubmit = () => ({ kind: 'ok' });
      const second = gateway();
      assert.equal((await deliverDueSms(ctx, second.transport)).attempted, 0);
      ctx.clock.advance(SMS_SEND_LEASE_MS);
      const report = await deliverDueSms(ctx, second.transport);
      assert.equal(report.submitted, 1);
      const seqs = smsc.submits.map((s) => s.concat?.seq);
      // Part 1 once (acknowledged); parts 2 and 3 twice (never acknowledged the first time).
      assert.deepEqual(seqs.filter((q) => q === 1).length, 1);
      assert.deepEqual(seqs.filter((q) => q === 2).length, 2);
      assert.deepEqual(seqs.filter((q) => q === 3).length, 2);
      assert.ok(smsc.submits.every((s) => s.concat?.ref === smsc.submits[0]?.concat?.ref));
      const done = await getSms(db.kysely, id);
      assert.deepEqual([done?.status, done?.attempts], ['submitted', 2]);
      assert.deepEqual(
        done?.parts.map((p) => p.part),
        [1, 2, 3],
      );
    });

    test('a refused number fails at once; an SMSC we cannot bind to is retried later', async () => {
      smsc.onSubmit = () => ({ kind: 'status', status: 0x0b });
      const refused = await created();
      const g = gateway();
      const r1 = await deliverDueSms(ctx, g.transport);
      assert.deepEqual([r1.attempted, r1.failed], [1, 1]);
      const view = await getSms(db.kysely, refused);
      assert.equal(view?.status, 'failed');
      assert.match(view?.lastError ?? '', /ESME_RINVDSTADR \(0x0B\)/);

      const later = await created();
      const unbound = gateway({ password: 'wrong', tuning: { submitDeadlineMs: 100 } });
      const r2 = await deliverDueSms(ctx, unbound.transport);
      assert.deepEqual([r2.attempted, r2.retrying], [1, 1]);
      const waiting = await getSms(db.kysely, later);
      assert.equal(waiting?.status, 'queued');
      assert.equal(waiting?.nextAttemptAtMs, ctx.clock.nowMs() + (SMS_RETRY_DELAYS_MS[0] ?? 0n));
      assert.match(waiting?.lastError ?? '', /ESME_RINVPASWD/);
      assert.equal(SMS_ATTEMPTS_MAX, 6);
    });

    test('an SMS not sent before its expiry time expires unsent', async () => {
      const id = await created({ expiresAtMs: ctx.clock.nowMs() + 60_000n });
      ctx.clock.advance(60_000n);
      const g = gateway();
      const report = await deliverDueSms(ctx, g.transport);
      assert.deepEqual([report.attempted, report.expired], [0, 1]);
      assert.equal((await getSms(db.kysely, id))?.status, 'expired');
      assert.equal(smsc.submits.length, 0);
    });

    test('two passes at once send each SMS once', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 8; i += 1) ids.push(await created({ to: `+8210000000${10 + i}` }));
      const g = gateway();
      const [a, b] = await Promise.all([
        deliverDueSms(ctx, g.transport),
        deliverDueSms(ctx, g.transport),
      ]);
      assert.equal(a.submitted + b.submitted, 8);
      assert.equal(smsc.submits.length, 8);
      assert.equal(new Set(smsc.submits.map((s) => s.destination)).size, 8);
      for (const id of ids) assert.equal((await getSms(db.kysely, id))?.status, 'submitted');
    });
  });
}
