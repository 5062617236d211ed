import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { changeCardState, spend } from '../../../src/cards/index.ts';
import { expireSilentSessions } from '../../../src/charging/index.ts';
import { MS_PER_SECOND } from '../../../src/kernel/index.ts';
import { systemAccountId } from '../../../src/ledger/index.ts';
import {
  PER_SECOND_NUMBER,
  openChargingWorld,
  type ChargingWorld,
} from '../../charging/session-support.ts';
import { DATABASES } from '../../support/databases.ts';
import {
  HANDLER_TIMEOUT_MS,
  OCS_HOST,
  OCS_REALM,
  startChargingServer,
  type ChargingServer,
} from './support/charging-server.ts';
import {
  answer,
  freeDiameterUnavailable,
  removeExtension,
  runScenario,
  type ScenarioRun,
} from './support/free-diameter.ts';

/**
 * The freeDiameter matrix against the real charging engine: freeDiameterd (with our scenario
 * extension, fd/onepin_ccr_client.c) is the switch; the server under test runs
 * createChargingHandler on a SessionsContext with the session-test tariff. Every case checks the
 * exact debits on the card. Capabilities exchange (5010 without application 4) and watchdogs are
 * covered by freediameter.test.ts with the stand-in handler. Skipped with the reason when
 * freeDiameter is not installed; required under CI.
 */
const unavailable = freeDiameterUnavailable();
const KRW = 410;
const JAPAN = '+81312345678';
/** The per-second number, as the switch writes it (no spaces: scenario words are split on them). */
const LOCAL = PER_SECOND_NUMBER;

after(() => removeExtension());

type Answer = Record<string, unknown>;
interface Mscc {
  readonly index: number;
  readonly rating_group?: number;
  readonly result?: number;
  readonly validity_time?: number;
  readonly granted: boolean;
  readonly granted_time?: number;
  readonly granted_units?: number;
  readonly final_unit_action?: number;
}
const mscc = (a: Answer): Mscc[] => a.mscc as Mscc[];
const cost = (minor: number) => ({ digits: minor, exponent: 0, currency: KRW });

let runs = 0;

for (const target of DATABASES) {
  describe(
    `charging over Diameter with freeDiameter (${target.name})`,
    { skip: unavailable || target.skip, timeout: 180_000 },
    () => {
      let w: ChargingWorld;
      let s: ChargingServer;
      const tokens: string[] = [];
      const card = async (balance: bigint) => {
        const c = await w.card(balance);
        tokens.push(c.token);
        return c;
      };

      /** Runs a scenario, then waits (bounded) until freeDiameter has disconnected. */
      async function run(steps: string[]): Promise<ScenarioRun> {
        runs += 1;
        const r = await runScenario({
          // A new identity per run keeps freeDiameter's Session-Ids unique across runs.
          identity: `fd${runs}.test`,
          serverPort: s.server.port,
          serverHost: OCS_HOST,
          serverRealm: OCS_REALM,
          // freeDiameter waits for each answer a little longer than our handler may take.
          steps: [`timeout ${HANDLER_TIMEOUT_MS + 5_000}`, 'wait-open 10000', ...steps],
          timeoutMs: 60_000,
        });
        for (let waitedMs = 0; s.server.connectionCount() > 0 && waitedMs < 3_000; waitedMs += 20) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.equal(r.timedOut, false, r.output);
        return r;
      }

      before(async () => {
        w = await openChargingWorld(target, { defaultRequestSeconds: 60, grantCapSeconds: 120 });
        s = await startChargingServer(w);
      });
      after(async () => {
        await s.close();
        const log = s.logText();
        for (const token of tokens) assert.ok(!log.includes(token), 'a token reached the log');
        await w.verify();
        await w.dispose();
      });

      test('initial / update / terminate with exact debits: per second and the Japan rate', async () => {
        const a = await card(1_000n);
        const b = await card(5_000n);
        const r = await run([
          `ccr i1 s1 initial rsu-time=60 sub=${a.token} called=${LOCAL}`,
          'ccr u1 s1 update usu-time=45 rsu-time=60',
          'ccr t1 s1 terminate usu-time=10',
          `ccr i2 s2 initial rsu-time=30 sub=${b.token} called=tel:${JAPAN}`,
          'ccr u2 s2 update usu-time=30 rsu-time=60',
          'ccr t2 s2 terminate usu-time=40',
        ]);
        const i1 = answer(r, 'i1');
        assert.deepEqual(
          [
            i1.result,
            i1.error_bit,
            i1.e2e_match,
            i1.session_match,
            i1.ccfh,
            i1.cc_session_failover,
          ],
          [2001, false, true, true, 0, 0],
        );
        assert.deepEqual(mscc(i1), [
          {
            index: 0,
            rating_group: 1,
            result: 2001,
            validity_time: 900,
            granted: true,
            granted_time: 60,
          },
        ]);
        const u1 = answer(r, 'u1');
        assert.deepEqual([u1.cc_request_type, u1.cc_request_number, u1.cost], [2, 1, cost(45)]);
        assert.equal(mscc(u1)[0]?.granted_time, 60);
        const t1 = answer(r, 't1');
        assert.deepEqual([t1.result, t1.cost, t1.mscc], [2001, cost(55), []]);
        assert.equal(await w.available(a.id), 945n, '55 s at 1 won a second');

        // Japan: connection 100, 60/60 at 600 a minute, minimum 200, disconnect 20.
        assert.equal(mscc(answer(r, 'i2'))[0]?.granted_time, 30);
        const u2 = answer(r, 'u2');
        assert.deepEqual([u2.cost, mscc(u2)[0]?.granted_time], [cost(720), 60]);
        // 100 s bill as 2 minutes: 100 + 1200 + 20.
        assert.deepEqual(answer(r, 't2').cost, cost(1_320));
        assert.equal(await w.available(b.id), 3_680n);
      });

      test('used beyond the grant is charged; no RSU on an update grants nothing', async () => {
        const c = await card(1_000n);
        const r = await run([
          `ccr i s1 initial rsu-time=40 sub=${c.token} called=${LOCAL}`,
          'ccr over s1 update usu-time=70 rsu-time=30',
          'ccr norsu s1 update usu-time=20',
          'ccr t s1 terminate usu-time=5',
        ]);
        const over = answer(r, 'over');
        assert.deepEqual(
          [over.result, over.cost, mscc(over)[0]?.granted_time],
          [2001, cost(70), 30],
        );
        const norsu = answer(r, 'norsu');
        assert.deepEqual(
          [norsu.result, norsu.cost, mscc(norsu)],
          [2001, cost(90), [{ index: 0, rating_group: 1, result: 2001, granted: false }]],
        );
        assert.deepEqual(answer(r, 't').cost, cost(95));
        assert.equal(await w.available(c.id), 905n);
      });

      test('4012 on initial; a zero grant with final-unit indication on update', async () => {
        const broke = await card(0n);
        const last = await card(30n);
        const r = await run([
          `ccr nocredit s1 initial rsu-time=30 sub=${broke.token} called=${LOCAL}`,
          `ccr i s2 initial rsu-time=30 sub=${last.token} called=${LOCAL}`,
          'ccr zero s2 update usu-time=30 rsu-time=30',
          'ccr t s2 terminate usu-time=0',
        ]);
        const nocredit = answer(r, 'nocredit');
        assert.deepEqual([nocredit.result, nocredit.error_bit, nocredit.mscc], [4012, false, []]);
        assert.equal(await w.available(broke.id), 0n);
        assert.deepEqual(mscc(answer(r, 'i'))[0], {
          index: 0,
          rating_group: 1,
          result: 2001,
          validity_time: 900,
          granted: true,
          granted_time: 30,
          final_unit_action: 0,
        });
        const zero = answer(r, 'zero');
        assert.equal(zero.result, 2001);
        assert.deepEqual(
          [mscc(zero)[0]?.granted_time, mscc(zero)[0]?.final_unit_action],
          [0, 0],
          'GSU CC-Time 0 with Final-Unit-Action TERMINATE',
        );
        assert.deepEqual(answer(r, 't').cost, cost(30));
        assert.equal(await w.available(last.id), 0n);
      });

      test('5030 for an unknown subscriber, 4010 for a locked card', async () => {
        const c = await card(500n);
        const locked = await changeCardState(w.app.cards, {
          cardId: c.id,
          transition: 'lock_operator',
          reason: 'interop test',
        });
        assert.ok(locked.ok);
        const r = await run([
          `ccr unknown s1 initial rsu-time=30 sub=st_${'Q'.repeat(43)} called=${LOCAL}`,
          `ccr nosub s2 initial rsu-time=30 sub=821012345678 sub-type=0 called=${LOCAL}`,
          `ccr locked s3 initial rsu-time=30 sub=${c.token} called=${LOCAL}`,
        ]);
        assert.deepEqual([answer(r, 'unknown').result, answer(r, 'unknown').mscc], [5030, []]);
        assert.equal(answer(r, 'nosub').result, 5030);
        assert.deepEqual([answer(r, 'locked').result, answer(r, 'locked').mscc], [4010, []]);
        assert.equal(await w.available(c.id), 500n);
      });

      test('a retransmitted update (T flag) is answered the same and debits once', async () => {
        const c = await card(1_000n);
        const before = s.seen.length;
        const r = await run([
          `ccr i s1 initial rsu-time=30 sub=${c.token} called=${LOCAL}`,
          'ccr u s1 update usu-time=30 rsu-time=30',
          'ccr again s1 update usu-time=30 rsu-time=30 retransmit=1',
          'ccr t s1 terminate usu-time=10',
        ]);
        const { label: _u, ...u } = answer(r, 'u');
        const { label: _again, ...again } = answer(r, 'again');
        assert.deepEqual(again, u, 'the same answer');
        assert.deepEqual(
          [again.cc_request_number, again.e2e_match, again.cost],
          [1, true, cost(30)],
        );
        const seen = s.seen.slice(before);
        assert.deepEqual(
          seen.map((q) => [q.requestType, q.requestNumber, q.retransmitted]),
          [
            ['initial', 0, false],
            ['update', 1, false],
            ['update', 1, true],
            ['terminate', 2, false],
          ],
        );
        assert.deepEqual(answer(r, 't').cost, cost(40));
        assert.equal(await w.available(c.id), 960n, '40 s, not 70');
      });

      test('the session timer releases a silent session’s reservation', async () => {
        const c = await card(1_000n);
        let expired = -1;
        let availableAfterTimer = -1n;
        s.setHook(async (ccr) => {
          if (ccr.requestType !== 'update') return;
          w.clock.advance(BigInt(w.charging.policy.sessionTimeoutSeconds + 1) * MS_PER_SECOND);
          expired = await expireSilentSessions(w.charging, 10);
          availableAfterTimer = await w.available(c.id);
        });
        try {
          const r = await run([
            `ccr i s1 initial rsu-time=100 sub=${c.token} called=${LOCAL}`,
            'ccr late s1 update usu-time=100 rsu-time=30',
          ]);
          assert.equal(mscc(answer(r, 'i'))[0]?.granted_time, 100);
          assert.equal(expired, 1, 'the worker’s timer ended the session');
          assert.equal(availableAfterTimer, 1_000n, 'its 100 reserved are released');
          assert.deepEqual([answer(r, 'late').result, answer(r, 'late').mscc], [5002, []]);
          assert.equal(await w.available(c.id), 1_000n, 'nothing charged after the timer');
        } finally {
          s.setHook(null);
        }
      });

      test('the worked example: 75 s of credit, two calls and a web payment share it', async () => {
        const c = await card(75n);
        const base = s.seen.length;
        let webPayment: bigint | null = null;
        // Between call 1's end and call 2's report, a web payment of 1 won takes its share.
        s.setHook(async (_ccr, index) => {
          if (index !== base + 4) return;
          const spent = await spend(w.app.cards, {
            cardId: c.id,
            creditAccountId: systemAccountId('KRW', 'fee_revenue'),
            amountMinor: 1n,
            currency: 'KRW',
            transferId: `web_interop_${c.id}`,
            code: 'test_spend',
          });
          assert.ok(spent.ok);
          webPayment = spent.value.availableMinor;
        });
        try {
          const r = await run([
            `ccr i1 call1 initial rsu-time=30 sub=${c.token} called=${LOCAL}`,
            'ccr u1 call1 update usu-time=30 rsu-time=30',
            `ccr i2 call2 initial rsu-time=30 sub=${c.token} called=${LOCAL}`,
            'ccr t1 call1 terminate usu-time=20',
            'ccr u2 call2 update usu-time=15 rsu-time=30',
            'ccr u3 call2 update usu-time=9 rsu-time=30',
            'ccr t2 call2 terminate usu-time=0',
            `ccr i3 call3 initial rsu-time=30 sub=${c.token} called=${LOCAL}`,
          ]);
          const grant = (label: string) => mscc(answer(r, label))[0];
          assert.deepEqual(
            [grant('i1')?.granted_time, grant('i1')?.final_unit_action],
            [30, undefined],
          );
          assert.deepEqual([grant('u1')?.granted_time, answer(r, 'u1').cost], [30, cost(30)]);
          assert.deepEqual(
            [grant('i2')?.granted_time, grant('i2')?.final_unit_action],
            [15, 0],
            'call 2 gets the remaining 15 s, as its final units',
          );
          assert.deepEqual(answer(r, 't1').cost, cost(50), 'call 1: 30 + 20 s');
          assert.equal(webPayment, 9n, 'the web payment leaves 9 not reserved');
          assert.deepEqual(
            [grant('u2')?.granted_time, grant('u2')?.final_unit_action, answer(r, 'u2').cost],
            [9, 0, cost(15)],
          );
          assert.deepEqual(
            [answer(r, 'u3').result, grant('u3')?.granted_time, grant('u3')?.final_unit_action],
            [2001, 0, 0],
          );
          assert.deepEqual(answer(r, 't2').cost, cost(24));
          assert.equal(answer(r, 'i3').result, 4012);
          assert.equal(await w.available(c.id), 0n);
        } finally {
          s.setHook(null);
        }
      });

      test('pipelined requests on one connection', async () => {
        const c = await card(1_000n);
        const count = 10;
        const before = s.seen.length;
        const r = await run([
          ...Array.from(
            { length: count },
            (_, n) =>
              `send i${n} call${n} initial rsu-time=${n + 1} sub=${c.token} called=${LOCAL}`,
          ),
          'wait-answers',
          ...Array.from({ length: count }, (_, n) => `send t${n} call${n} terminate usu-time=${n}`),
          'wait-answers',
        ]);
        for (let n = 0; n < count; n++) {
          const i = answer(r, `i${n}`);
          assert.deepEqual([i.result, i.e2e_match, i.session_match], [2001, true, true]);
          assert.equal(mscc(i)[0]?.granted_time, n + 1);
          assert.deepEqual(answer(r, `t${n}`).cost, cost(n));
        }
        assert.equal(s.seen.length - before, 2 * count);
        // 0 + 1 + … + 9 = 45 s used in all.
        assert.equal(await w.available(c.id), 955n);
      });

      test('events: direct debits, a refund, a balance check and a price enquiry', async () => {
        const c = await card(5_000n);
        const poor = await card(700n);
        const r = await run([
          `ccr vm e1 event action=direct-debiting context=voicemail@onepin rsu-time=90 sub=${c.token}`,
          `ccr sms e2 event action=direct-debiting context=32274@3gpp.org rsu-units=1 sub=${c.token} called=+821012345678`,
          `ccr item e3 event action=direct-debiting context=content@onepin rsu-units=2 mscc=0 sub=${c.token}`,
          'ccr refund e3 event action=refund-account context=content@onepin rsu-units=1 mscc=0',
          `ccr enough e4 event action=check-balance rsu-time=60 sub=${c.token} called=${JAPAN}`,
          `ccr short e5 event action=check-balance rsu-time=60 sub=${poor.token} called=${JAPAN}`,
          `ccr price e6 event action=price-enquiry rsu-time=90 called=${JAPAN}`,
          `ccr cannot e7 event action=direct-debiting context=content@onepin rsu-units=2 sub=${poor.token}`,
        ]);
        const vm = answer(r, 'vm');
        assert.deepEqual(
          [vm.result, vm.cc_request_type, vm.cost, mscc(vm)[0]?.granted_time],
          [2001, 4, cost(45), 90],
          'voicemail: 90 s at 30 won a minute',
        );
        const sms = answer(r, 'sms');
        assert.deepEqual([sms.cost, mscc(sms)[0]?.granted_units], [cost(20), 1]);
        const item = answer(r, 'item');
        assert.deepEqual([item.cost, item.granted_units, item.mscc], [cost(1_000), 2, []]);
        const refund = answer(r, 'refund');
        assert.deepEqual([refund.result, refund.cc_request_number], [2001, 1]);
        assert.deepEqual(
          [answer(r, 'enough').check_balance, answer(r, 'enough').result],
          [0, 2001],
        );
        assert.equal(answer(r, 'short').check_balance, 1, 'NO_CREDIT: a minute to Japan costs 720');
        assert.deepEqual([answer(r, 'price').result, answer(r, 'price').cost], [2001, cost(1_320)]);
        assert.equal(answer(r, 'cannot').result, 4012);
        // 5000 - 45 - 20 - 1000 + 500 (one item back).
        assert.equal(await w.available(c.id), 4_435n);
        assert.equal(await w.available(poor.id), 700n);
      });

      test('a Service-Context-Id we do not serve and a number we cannot rate → 5031 with Failed-AVP', async () => {
        const c = await card(100n);
        const r = await run([
          `ccr data s1 initial rsu-time=30 context=32251@3gpp.org sub=${c.token} called=${LOCAL}`,
          `ccr letters s2 initial rsu-time=30 sub=${c.token} called=sip:someone@example.com`,
          `ccr nonumber s3 initial rsu-time=30 sub=${c.token}`,
        ]);
        assert.deepEqual([answer(r, 'data').result, answer(r, 'data').failed_avp], [5031, 461]);
        assert.deepEqual(
          [answer(r, 'letters').result, answer(r, 'letters').failed_avp],
          [5031, 832],
        );
        assert.deepEqual(
          [answer(r, 'nonumber').result, answer(r, 'nonumber').failed_avp],
          [5031, 832],
        );
        assert.equal(await w.available(c.id), 100n);
      });
    },
  );
}
