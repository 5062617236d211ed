import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runWorkerPass, startWorker } from '../../src/jobs/index.ts';
import { enqueueSms, getSms, recordSmsReceipt } from '../../src/notify/index.ts';
import { createSmppGateway } from '../../src/protocols/smpp/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';
import { openTestApp, type TestApp } from '../support/app.ts';
import { startSmsc, waitUntil, type TestSmsc } from '../protocols/smpp/support/smsc.ts';

/** The worker's SMS step, as src/main/server.ts wires it: with and without SMPP_URL. */
for (const target of DATABASES) {
  describe(`worker pass sends the SMS outbox (${target.name})`, { skip: target.skip }, () => {
    let t: TestApp;
    let smsc: TestSmsc;

    before(async () => {
      t = await openTestApp(target);
      smsc = await startSmsc();
    });
    after(async () => {
      await smsc.close();
      await t.dispose();
    });

    test('no SMPP: the SMS waits, and the worker says so once', async () => {
      const queued = await writeTransaction(t.app.db, (tx) =>
        enqueueSms(t.app.notify, tx, {
          to: '+821012345678',
          text: '인증번호 482913',
          purpose: 'one_time_code',
          reference: 'otc:1',
        }),
      );
      assert.ok(queued.ok);
      const messages: string[] = [];
      const log = {
        info: (_o: object, msg: string) => void messages.push(msg),
        error: (_o: object, msg: string) => void messages.push(msg),
      };
      const report = await runWorkerPass({ ...t.app, log, smsTransport: null });
      assert.deepEqual(report.sms, {
        attempted: 0,
        submitted: 0,
        retrying: 0,
        failed: 0,
        expired: 0,
        waiting: 1,
      });
      let passes = 0;
      const clock = {
        nowMs: () => {
          passes += 1;
          return t.clock.nowMs();
        },
      };
      const worker = startWorker({ ...t.app, clock, log, smsTransport: null }, 5);
      try {
        await waitUntil(() => passes >= 6, 'six worker passes', 20_000);
      } finally {
        await worker.stop();
      }
      assert.deepEqual(
        messages.filter((m) => m.includes('SMS')),
        ['SMS are waiting: no SMPP_URL, they stay queued'],
      );
      assert.equal((await getSms(t.app.db.kysely, queued.value.id))?.status, 'queued');

      // With SMPP configured, the next pass sends it and the receipt settles it.
      const gateway = createSmppGateway({
        url: smsc.url(),
        sourceAddr: 'OnePIN',
        onReceipt: (r) => recordSmsReceipt(t.app.notify, r),
      });
      gateway.start();
      try {
        const sent = await runWorkerPass({ ...t.app, log, smsTransport: gateway.transport });
        assert.equal(sent.sms?.submitted, 1);
        assert.deepEqual(
          smsc.submits.map((s) => [s.text, s.dataCoding]),
          [['인증번호 482913', 8]],
        );
        assert.equal(await smsc.sendReceipt(smsc.submits[0]?.messageId ?? ''), 0);
        assert.equal((await getSms(t.app.db.kysely, queued.value.id))?.status, 'delivered');
      } finally {
        await gateway.close();
      }
    });
  });
}
