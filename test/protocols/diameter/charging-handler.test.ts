import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { changeCardState } from '../../../src/cards/index.ts';
import { importTariff } from '../../../src/charging/index.ts';
import {
  avp,
  calledNumber,
  encodeMessage,
  serviceOfContext,
  subscriberToken,
  type Avp,
  type DiameterMessage,
} from '../../../src/protocols/diameter/index.ts';
import { sql } from 'kysely';
import {
  PER_SECOND_NUMBER,
  SESSION_TARIFF,
  openChargingWorld,
  type ChargingWorld,
} from '../../charging/session-support.ts';
import { DATABASES } from '../../support/databases.ts';
import { snapshot } from '../../support/snapshot.ts';
import { chargingCcr, viewCca, type ChargingCcrSpec } from './support/charging-messages.ts';
import { startChargingServer, type ChargingServer } from './support/charging-server.ts';
import { TestPeer } from './support/test-peer.ts';

const TEST_TIMEOUT = { timeout: 60_000 };
const KRW = 410;
const JAPAN = '+81 3 1234 5678';
const VENDOR_3GPP = 10_415;

let counter = 0;
/** A fresh RFC 6733 Session-Id. */
const sid = (): string => `switch.test;${Date.now() % 100_000};${++counter}`;

describe('reading CCRs in charging terms', () => {
  test('Service-Context-Id → service, with the 3GPP extension prefix; others unknown', () => {
    assert.equal(serviceOfContext('32276@3gpp.org'), 'call');
    assert.equal(serviceOfContext('32260@3gpp.org'), 'call');
    assert.equal(serviceOfContext('10.450.05.8.32276@3gpp.org'), 'call');
    assert.equal(serviceOfContext('extensions.05.450.8.32260@3GPP.ORG'), 'call');
    assert.equal(serviceOfContext('32274@3gpp.org'), 'sms');
    assert.equal(serviceOfContext('voicemail@onepin'), 'voicemail');
    assert.equal(serviceOfContext('content@onepin'), 'content');
    assert.equal(serviceOfContext('32251@3gpp.org'), null, 'PS data is not ours');
    assert.equal(serviceOfContext('132276@3gpp.org'), null, 'a longer number is another context');
    assert.equal(serviceOfContext(''), null);
  });

  test('Called-Party-Address → the dialled number', () => {
    assert.equal(calledNumber('tel:+81-3-1234-5678;phone-context=+81'), '+81-3-1234-5678');
    assert.equal(calledNumber('sip:+821012345678@ims.example;user=phone'), '+821012345678');
    assert.equal(calledNumber('SIPS:0212345678@x'), '0212345678');
    assert.equal(calledNumber(' 02-123-4567 '), '02-123-4567');
  });

  test('the subscriber is the first Subscription-Id that holds a token, of any type', () => {
    const token = `st_${'A'.repeat(43)}`;
    assert.equal(
      subscriberToken([
        { type: 'e164', data: '821012345678' },
        { type: 'private', data: token },
      ]),
      token,
    );
    assert.equal(subscriberToken([{ type: 'e164', data: '821012345678' }]), null);
    assert.equal(subscriberToken([]), null);
  });
});

/** Sends one CCR and returns its answer (one request at a time on the peer). */
async function ask(peer: TestPeer, spec: ChargingCcrSpec): Promise<DiameterMessage> {
  peer.send(chargingCcr(spec));
  return peer.next();
}

async function sessionRows(w: ChargingWorld): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from charging_session`.execute(
    w.app.db.kysely,
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** Everything money-related and the usage records, to prove a request changed nothing. */
async function state(w: ChargingWorld): Promise<string> {
  return `${await snapshot(w.app.db)}\nsessions:${await sessionRows(w)}`;
}

for (const target of DATABASES) {
  describe(
    `the charging handler over TCP (${target.name})`,
    { skip: target.skip, ...TEST_TIMEOUT },
    () => {
      let w: ChargingWorld;
      let s: ChargingServer;
      let peer: TestPeer;
      const tokens: string[] = [];
      const card = async (balance: bigint) => {
        const c = await w.card(balance);
        tokens.push(c.token);
        return c;
      };

      before(async () => {
        w = await openChargingWorld(target, { defaultRequestSeconds: 60, grantCapSeconds: 120 });
        s = await startChargingServer(w);
        peer = await TestPeer.open(s.server.port);
      });
      after(async () => {
        peer.destroy();
        await s.close();
        const log = s.logText();
        for (const token of tokens) assert.ok(!log.includes(token), 'a token reached the log');
        await w.verify();
        await w.dispose();
      });

      test('initial / update / terminate in MSCC form: echoed rating group, grants, exact debits', async () => {
        const c = await card(1_000n);
        const id = sid();
        const i = viewCca(
          await ask(peer, {
            sessionId: id,
            type: 'initial',
            number: 0,
            token: c.token,
            called: `sip:${PER_SECOND_NUMBER}@ims.example;user=phone`,
            rsu: { time: 30 },
            ratingGroup: 7,
            serviceIdentifier: 3,
          }),
        );
        assert.deepEqual(i, {
          result: 2001,
          requestType: 1,
          requestNumber: 0,
          errorBit: false,
          mscc: [
            {
              ratingGroup: 7,
              serviceIdentifiers: [3],
              result: 2001,
              granted: { time: 30 },
              validityTime: 900,
            },
          ],
        });
        assert.equal(await w.available(c.id), 970n, '30 s reserved at 1 won a second');

        const u = viewCca(
          await ask(peer, {
            sessionId: id,
            type: 'update',
            number: 1,
            usu: [{ time: 30 }],
            rsu: {},
            ratingGroup: 7,
            serviceIdentifier: 3,
          }),
        );
        assert.deepEqual(u.mscc, [
          {
            ratingGroup: 7,
            serviceIdentifiers: [3],
            result: 2001,
            granted: { time: 60 },
            validityTime: 900,
          },
        ]);
        assert.deepEqual(u.cost, { minor: 30n, currency: KRW }, 'the cost so far');
        assert.equal(await w.available(c.id), 910n, '30 charged, the default 60 s reserved');

        const t = viewCca(
          await ask(peer, {
            sessionId: id,
            type: 'terminate',
            number: 2,
            usu: [{ time: 10 }, { time: 5 }],
            ratingGroup: 7,
          }),
        );
        assert.deepEqual(t, {
          result: 2001,
          requestType: 3,
          requestNumber: 2,
          errorBit: false,
          cost: { minor: 45n, currency: KRW },
          mscc: [],
        });
        assert.equal(await w.available(c.id), 955n, 'two USUs summed: 45 s in all');
      });

      test('top-level units when the client does not use MSCC; no RSU on update → no grant', async () => {
        const c = await card(1_000n);
        const id = sid();
        const base = { sessionId: id, mscc: false } as const;
        const i = viewCca(
          await ask(peer, {
            ...base,
            type: 'initial',
            number: 0,
            token: c.token,
            called: PER_SECOND_NUMBER,
            rsu: { time: 20 },
          }),
        );
        assert.deepEqual(
          { result: i.result, granted: i.granted, validity: i.validityTime, mscc: i.mscc },
          { result: 2001, granted: { time: 20 }, validity: 900, mscc: [] },
        );
        const u = viewCca(
          await ask(peer, { ...base, type: 'update', number: 1, usu: [{ time: 20 }] }),
        );
        assert.deepEqual(u, {
          result: 2001,
          requestType: 2,
          requestNumber: 1,
          errorBit: false,
          cost: { minor: 20n, currency: KRW },
          mscc: [],
        });
        assert.equal(await w.available(c.id), 980n, 'committed, nothing reserved again');
        const t = viewCca(
          await ask(peer, { ...base, type: 'terminate', number: 2, usu: [{ time: 0 }] }),
        );
        assert.deepEqual(t.cost, { minor: 20n, currency: KRW });
        assert.equal(await w.available(c.id), 980n);
      });

      test('a tel: URI, the 3GPP context prefix and the Japan rate: fees and the first block', async () => {
        const c = await card(1_000n);
        const id = sid();
        const context = '10.450.05.8.32260@3gpp.org';
        const i = viewCca(
          await ask(peer, {
            sessionId: id,
            type: 'initial',
            number: 0,
            token: c.token,
            context,
            called: 'tel:+81-3-1234-5678;phone-context=+81',
            rsu: { time: 30 },
          }),
        );
        assert.equal(i.result, 2001);
        assert.deepEqual(i.mscc[0]?.granted, { time: 30 });
        // cost(30) = max(100 + 600, 200) + 20: the whole first minute and both fees are reserved.
        assert.equal(await w.available(c.id), 280n);
        const t = viewCca(
          await ask(peer, {
            sessionId: id,
            type: 'terminate',
            number: 1,
            context,
            usu: [{ time: 25 }],
          }),
        );
        assert.deepEqual(t.cost, { minor: 720n, currency: KRW });
        assert.equal(await w.available(c.id), 280n);
      });

      test('more than one MSCC: the first is served, the others get 5031 and are not charged', async () => {
        const c = await card(1_000n);
        const id = sid();
        const second: Avp[] = [
          avp('Requested-Service-Unit', [avp('CC-Time', 40)]),
          avp('Rating-Group', 2),
        ];
        const i = viewCca(
          await ask(peer, {
            sessionId: id,
            type: 'initial',
            number: 0,
            token: c.token,
            called: PER_SECOND_NUMBER,
            rsu: { time: 10 },
            moreMscc: [second],
          }),
        );
        assert.equal(i.result, 2001);
        assert.deepEqual(i.mscc, [
          {
            ratingGroup: 1,
            serviceIdentifiers: [],
            result: 2001,
            granted: { time: 10 },
            validityTime: 900,
          },
          { ratingGroup: 2, serviceIdentifiers: [], result: 5031 },
        ]);
        const u = viewCca(
          await ask(peer, {
            sessionId: id,
            type: 'update',
            number: 1,
            usu: [{ time: 10 }],
            moreMscc: [[avp('Used-Service-Unit', [avp('CC-Time', 500)]), avp('Rating-Group', 2)]],
          }),
        );
        assert.deepEqual(u.mscc, [
          { ratingGroup: 1, serviceIdentifiers: [], result: 2001 },
          { ratingGroup: 2, serviceIdentifiers: [], result: 5031 },
        ]);
        assert.deepEqual(u.cost, { minor: 10n, currency: KRW });
        await ask(peer, { sessionId: id, type: 'terminate', number: 2 });
        assert.equal(await w.available(c.id), 990n);
      });

      test('a repeated update (T flag) gets the same CCA and debits once', async () => {
        const c = await card(1_000n);
        const id = sid();
        await ask(peer, {
          sessionId: id,
          type: 'initial',
          number: 0,
          token: c.token,
          called: PER_SECOND_NUMBER,
          rsu: { time: 30 },
        });
        const update = {
          sessionId: id,
          type: 'update',
          number: 1,
          usu: [{ time: 30 }],
          rsu: { time: 30 },
        } as const;
        const first = await ask(peer, { ...update, endToEndId: 77 });
        const after1 = await w.available(c.id);
        const again = await ask(peer, { ...update, endToEndId: 77, retransmit: true });
        assert.equal(await w.available(c.id), after1, 'charged once');
        assert.equal(after1, 940n);
        assert.deepEqual(again.avps, first.avps, 'the same answer, AVP for AVP');
        assert.deepEqual(Buffer.from(encodeMessage(again)), Buffer.from(encodeMessage(first)));
        await ask(peer, { sessionId: id, type: 'terminate', number: 2, usu: [{ time: 0 }] });
        assert.equal(await w.available(c.id), 970n);
      });

      test('an update the card cannot pay for: 2001 with a zero grant and FUI TERMINATE', async () => {
        const c = await card(30n);
        const id = sid();
        const i = viewCca(
          await ask(peer, {
            sessionId: id,
            type: 'initial',
            number: 0,
            token: c.token,
            called: PER_SECOND_NUMBER,
            rsu: { time: 30 },
          }),
        );
        assert.deepEqual(i.mscc[0]?.granted, { time: 30 });
        assert.equal(i.mscc[0]?.finalUnitAction, 0, 'the last units the card pays for');
        const u = viewCca(
          await ask(peer, {
            sessionId: id,
            type: 'update',
            number: 1,
            usu: [{ time: 30 }],
            rsu: { time: 30 },
          }),
        );
        assert.equal(u.result, 2001);
        assert.deepEqual(
          {
            granted: u.mscc[0]?.granted,
            fui: u.mscc[0]?.finalUnitAction,
            result: u.mscc[0]?.result,
          },
          { granted: { time: 0 }, fui: 0, result: 2001 },
        );
        assert.equal(await w.available(c.id), 0n);
        const t = viewCca(
          await ask(peer, { sessionId: id, type: 'terminate', number: 2, usu: [{ time: 0 }] }),
        );
        assert.deepEqual(t.cost, { minor: 30n, currency: KRW });
      });

      test('4012 on initial, 5030 without a known token, 4010 for a locked card', async () => {
        const broke = await card(0n);
        const start = (token: string | undefined, extra: Partial<ChargingCcrSpec> = {}) =>
          ask(peer, {
            sessionId: sid(),
            type: 'initial',
            number: 0,
            ...(token === undefined ? {} : { token }),
            called: PER_SECOND_NUMBER,
            rsu: { time: 30 },
            ...extra,
          });
        const noCredit = viewCca(await start(broke.token));
        assert.deepEqual(
          [noCredit.result, noCredit.errorBit, noCredit.mscc, noCredit.granted],
          [4012, false, [], undefined],
        );
        assert.equal(viewCca(await start(undefined)).result, 5030);
        assert.equal(viewCca(await start(`st_${'A'.repeat(43)}`)).result, 5030, 'never issued');
        assert.equal(viewCca(await start('821012345678', { subscriptionType: 0 })).result, 5030);
        const before = await state(w);

        const c = await card(500n);
        const id = sid();
        assert.equal(
          viewCca(await start(c.token, { sessionId: id, subscriptionType: 0 })).result,
          2001,
        );
        const locked = await changeCardState(w.app.cards, {
          cardId: c.id,
          transition: 'lock_operator',
          reason: 'test',
        });
        assert.ok(locked.ok);
        assert.equal(viewCca(await start(c.token)).result, 4010);
        // The open call reports its used units: committed, then refused (RFC 8506 §5.1.2).
        const u = viewCca(
          await ask(peer, {
            sessionId: id,
            type: 'update',
            number: 1,
            usu: [{ time: 12 }],
            rsu: { time: 30 },
          }),
        );
        assert.deepEqual([u.result, u.mscc, u.cost?.minor], [4010, [], 12n]);
        assert.equal(
          viewCca(await ask(peer, { sessionId: id, type: 'terminate', number: 2 })).result,
          5002,
        );
        assert.notEqual(await state(w), before);
      });

      test('events: direct debits, a refund, balance checks and a price enquiry', async () => {
        const c = await card(5_000n);
        const vm = viewCca(
          await ask(peer, {
            sessionId: sid(),
            type: 'event',
            number: 0,
            action: 'direct-debiting',
            context: 'voicemail@onepin',
            token: c.token,
            rsu: { time: 90 },
          }),
        );
        assert.deepEqual(
          { result: vm.result, mscc: vm.mscc, cost: vm.cost },
          {
            result: 2001,
            mscc: [{ ratingGroup: 1, serviceIdentifiers: [], result: 2001, granted: { time: 90 } }],
            cost: { minor: 45n, currency: KRW },
          },
          'voicemail: 90 s at 30 won a minute',
        );
        const sms = viewCca(
          await ask(peer, {
            sessionId: sid(),
            type: 'event',
            number: 0,
            action: 'direct-debiting',
            context: '32274@3gpp.org',
            token: c.token,
            called: '+821012345678',
          }),
        );
        assert.deepEqual(sms.mscc[0]?.granted, { units: 1n }, 'one message when none is named');
        assert.deepEqual(sms.cost, { minor: 20n, currency: KRW });
        const contentId = sid();
        const content = viewCca(
          await ask(peer, {
            sessionId: contentId,
            type: 'event',
            number: 0,
            action: 'direct-debiting',
            context: 'content@onepin',
            token: c.token,
            rsu: { units: 2n },
            mscc: false,
          }),
        );
        assert.deepEqual(
          [content.granted, content.cost?.minor, content.mscc],
          [{ units: 2n }, 1_000n, []],
        );
        assert.equal(await w.available(c.id), 3_935n);

        const refund = viewCca(
          await ask(peer, {
            sessionId: contentId,
            type: 'event',
            number: 1,
            action: 'refund-account',
            context: 'content@onepin',
            rsu: { units: 1n },
            mscc: false,
          }),
        );
        assert.equal(refund.result, 2001);
        assert.equal(await w.available(c.id), 4_435n, 'one item given back');
        const tooMuch = viewCca(
          await ask(peer, {
            sessionId: contentId,
            type: 'event',
            number: 2,
            action: 'refund-account',
            context: 'content@onepin',
            rsu: { units: 2n },
            mscc: false,
          }),
        );
        assert.deepEqual([tooMuch.result, tooMuch.failedAvp], [5004, { code: 437, vendorId: 0 }]);

        const check = (token: string) =>
          ask(peer, {
            sessionId: sid(),
            type: 'event',
            number: 0,
            action: 'check-balance',
            token,
            called: JAPAN,
            rsu: { time: 60 },
          });
        assert.deepEqual(
          [viewCca(await check(c.token)).checkBalance, viewCca(await check(c.token)).result],
          [0, 2001],
          'ENOUGH_CREDIT',
        );
        const poor = await card(700n);
        assert.equal(
          viewCca(await check(poor.token)).checkBalance,
          1,
          'NO_CREDIT: a minute costs 720',
        );
        assert.equal(await w.available(poor.id), 700n, 'a balance check reserves nothing');

        const price = viewCca(
          await ask(peer, {
            sessionId: sid(),
            type: 'event',
            number: 0,
            action: 'price-enquiry',
            called: JAPAN,
            rsu: { time: 90 },
          }),
        );
        assert.deepEqual([price.result, price.cost], [2001, { minor: 1_320n, currency: KRW }]);
        const noUnits = viewCca(
          await ask(peer, {
            sessionId: sid(),
            type: 'event',
            number: 0,
            action: 'price-enquiry',
            called: JAPAN,
          }),
        );
        assert.deepEqual([noUnits.result, noUnits.failedAvp], [5005, { code: 437, vendorId: 0 }]);
        const cannot = viewCca(
          await ask(peer, {
            sessionId: sid(),
            type: 'event',
            number: 0,
            action: 'direct-debiting',
            context: 'content@onepin',
            token: poor.token,
            rsu: { units: 2n },
          }),
        );
        assert.equal(cannot.result, 4012);
        assert.equal(await w.available(poor.id), 700n);
        assert.equal(await w.available(c.id), 4_435n);
      });

      test('a Service-Context-Id OnePIN does not serve → 5031 naming it', async () => {
        const c = await card(100n);
        const before = await state(w);
        const a = viewCca(
          await ask(peer, {
            sessionId: sid(),
            type: 'initial',
            number: 0,
            token: c.token,
            context: '32251@3gpp.org',
            called: PER_SECOND_NUMBER,
            rsu: { time: 10 },
          }),
        );
        assert.deepEqual([a.result, a.failedAvp], [5031, { code: 461, vendorId: 0 }]);
        assert.equal(await state(w), before);
      });
    },
  );

  describe(
    `bad input over a real socket (${target.name})`,
    { skip: target.skip, ...TEST_TIMEOUT },
    () => {
      let w: ChargingWorld;
      let s: ChargingServer;
      const peers: TestPeer[] = [];
      const open = async (): Promise<TestPeer> => {
        const p = await TestPeer.open(s.server.port);
        peers.push(p);
        return p;
      };
      let token: string;
      let cardId: string;

      before(async () => {
        w = await openChargingWorld(target);
        // Without the catch-all destination, a Seoul fixed line matches no destination.
        const report = await importTariff(w.charging, {
          text: SESSION_TARIFF.replace('plan,RP_CALL,ANY,RT_SEC,ALWAYS,10\n', ''),
          sourceName: 'no-catch-all.csv',
        });
        assert.ok(report.stored, JSON.stringify(report.errors));
        s = await startChargingServer(w);
        const c = await w.card(5_000n);
        token = c.token;
        cardId = c.id;
      });
      after(async () => {
        for (const p of peers) p.destroy();
        await s.close();
        assert.ok(!s.logText().includes(token), 'the token reached the log');
        await w.verify();
        await w.dispose();
      });

      /** Runs `act`, checks nothing changed, returns what it returned. */
      async function unchanged<T>(act: () => Promise<T>): Promise<T> {
        const before = await state(w);
        const available = await w.available(cardId);
        const result = await act();
        assert.equal(await w.available(cardId), available);
        assert.equal(await state(w), before);
        return result;
      }

      const initial = (extra: Partial<ChargingCcrSpec> = {}): ChargingCcrSpec => ({
        sessionId: sid(),
        type: 'initial',
        number: 0,
        token,
        called: JAPAN,
        rsu: { time: 30 },
        ...extra,
      });

      test('an unknown AVP with the M bit → 5001 with Failed-AVP', async () => {
        const peer = await open();
        const unknown: Avp = {
          code: 77_777,
          vendorId: 0,
          mandatory: true,
          protected: false,
          type: 'Unknown',
          value: Uint8Array.from([1, 2, 3, 4]),
        };
        const a = await unchanged(async () =>
          viewCca(await ask(peer, initial({ extra: [unknown] }))),
        );
        assert.deepEqual([a.result, a.failedAvp], [5001, { code: 77_777, vendorId: 0 }]);
      });

      test('an unknown AVP without the M bit is ignored: the request is served', async () => {
        const peer = await open();
        const ignored: Avp = {
          code: 77_778,
          vendorId: 0,
          mandatory: false,
          protected: false,
          type: 'Unknown',
          value: Uint8Array.from([9]),
        };
        const id = sid();
        const a = viewCca(await ask(peer, initial({ sessionId: id, extra: [ignored] })));
        assert.equal(a.result, 2001);
        assert.equal(
          viewCca(await ask(peer, { sessionId: id, type: 'terminate', number: 1 })).result,
          2001,
        );
      });

      test('wrong lengths: an AVP that overruns its message → 5014; an unaligned message → 5015', async () => {
        const peer = await open();
        const bytes = Buffer.from(encodeMessage(chargingCcr(initial())));
        // The first AVP (Session-Id) claims more bytes than the message has.
        bytes.writeUIntBE(0xffff, 20 + 5, 3);
        const overrun = await unchanged(async () => {
          peer.write(bytes);
          return viewCca(await peer.next());
        });
        assert.equal(overrun.result, 5014);

        const peer2 = await open();
        const whole = Buffer.from(
          encodeMessage(chargingCcr(initial({ sessionId: 'x;1;1', extra: [] }))),
        );
        const unaligned = await unchanged(async () => {
          // One stray byte the length counts, so the message is not a multiple of 4.
          const odd = Buffer.concat([whole, Buffer.from([0])]);
          odd.writeUIntBE(odd.length, 1, 3);
          peer2.write(odd);
          return viewCca(await peer2.next()).result;
        });
        assert.equal(unaligned, 5015);
      });

      test('a truncated frame charges nothing; the connection can be dropped', async () => {
        const peer = await open();
        const bytes = encodeMessage(chargingCcr(initial()));
        await unchanged(async () => {
          peer.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
          // Bounded: give the server a moment to (not) act on half a message.
          await new Promise((resolve) => setTimeout(resolve, 100));
          peer.destroy();
          for (let i = 0; i < 100 && s.server.connectionCount() > peers.length - 1; i++) {
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        });
      });

      test('out-of-order and conflicting request numbers → 5004 naming CC-Request-Number', async () => {
        const peer = await open();
        const id = sid();
        assert.equal(viewCca(await ask(peer, initial({ sessionId: id }))).result, 2001);
        const two = viewCca(
          await ask(peer, {
            sessionId: id,
            type: 'update',
            number: 2,
            usu: [{ time: 10 }],
            rsu: { time: 10 },
          }),
        );
        assert.equal(two.result, 2001, 'a later number is accepted (numbers may skip)');
        const older = await unchanged(async () =>
          viewCca(
            await ask(peer, {
              sessionId: id,
              type: 'update',
              number: 1,
              usu: [{ time: 5 }],
              rsu: { time: 10 },
            }),
          ),
        );
        assert.deepEqual(
          [older.result, older.failedAvp, older.requestNumber],
          [5004, { code: 415, vendorId: 0 }, 1],
        );
        const conflict = await unchanged(async () =>
          viewCca(
            await ask(peer, {
              sessionId: id,
              type: 'update',
              number: 2,
              usu: [{ time: 99 }],
              rsu: { time: 10 },
            }),
          ),
        );
        assert.deepEqual([conflict.result, conflict.failedAvp], [5004, { code: 415, vendorId: 0 }]);
        assert.equal(
          viewCca(await ask(peer, { sessionId: id, type: 'terminate', number: 3 })).result,
          2001,
        );
      });

      test('an unknown session → 5002', async () => {
        const peer = await open();
        const a = await unchanged(async () =>
          viewCca(
            await ask(peer, {
              sessionId: 'nobody;1;1',
              type: 'update',
              number: 1,
              usu: [{ time: 30 }],
              rsu: { time: 30 },
            }),
          ),
        );
        assert.equal(a.result, 5002);
        const t = await unchanged(async () =>
          viewCca(await ask(peer, { sessionId: 'nobody;1;2', type: 'terminate', number: 1 })),
        );
        assert.equal(t.result, 5002);
      });

      test('rating failures → 5031 with Failed-AVP Called-Party-Address', async () => {
        const peer = await open();
        for (const called of [PER_SECOND_NUMBER, 'sip:call-me-maybe@example.com', undefined]) {
          const spec: ChargingCcrSpec = {
            sessionId: sid(),
            type: 'initial',
            number: 0,
            token,
            rsu: { time: 30 },
            ...(called === undefined ? {} : { called }),
          };
          const a = await unchanged(async () => viewCca(await ask(peer, spec)));
          assert.deepEqual(
            [a.result, a.failedAvp],
            [5031, { code: 832, vendorId: VENDOR_3GPP }],
            `called ${String(called)}`,
          );
        }
      });

      test('values out of range → 5004 with the AVP at fault', async () => {
        const peer = await open();
        const longId = viewCca(
          await unchanged(async () =>
            ask(peer, initial({ sessionId: `switch.test;${'x'.repeat(300)}` })),
          ),
        );
        assert.deepEqual([longId.result, longId.failedAvp], [5004, { code: 263, vendorId: 0 }]);
        const id = sid();
        assert.equal(viewCca(await ask(peer, initial({ sessionId: id }))).result, 2001);
        const huge = await unchanged(async () =>
          viewCca(
            await ask(peer, {
              sessionId: id,
              type: 'update',
              number: 1,
              usu: [{ time: 4_000_000_000 }],
              rsu: { time: 30 },
            }),
          ),
        );
        assert.deepEqual([huge.result, huge.failedAvp], [5004, { code: 446, vendorId: 0 }]);
        const bigAsk = await unchanged(async () =>
          viewCca(
            await ask(peer, {
              sessionId: id,
              type: 'update',
              number: 1,
              usu: [{ time: 1 }],
              rsu: { time: 100_000 },
            }),
          ),
        );
        assert.deepEqual([bigAsk.result, bigAsk.failedAvp], [5004, { code: 437, vendorId: 0 }]);
        assert.equal(
          viewCca(await ask(peer, { sessionId: id, type: 'terminate', number: 1 })).result,
          2001,
        );
      });

      test('after all that, a new connection is served', async () => {
        const peer = await open();
        const id = sid();
        const before = await w.available(cardId);
        const a = viewCca(await ask(peer, initial({ sessionId: id })));
        assert.equal(a.result, 2001);
        assert.equal(await w.available(cardId), before - 720n);
        await ask(peer, { sessionId: id, type: 'terminate', number: 1, usu: [{ time: 60 }] });
        assert.equal(await w.available(cardId), before - 720n);
      });
    },
  );
}
