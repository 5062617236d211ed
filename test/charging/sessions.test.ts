import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spend } from '../../src/cards/index.ts';
import {
  checkBalance,
  debitEvent,
  expireSilentSessions,
  refundCharge,
  startSession,
  terminateSession,
  updateSession,
  type ChargingAnswer,
} from '../../src/charging/index.ts';
import type { Outcome } from '../../src/kernel/index.ts';
import { systemAccountId } from '../../src/ledger/index.ts';
import { DATABASES } from '../support/databases.ts';
import { snapshot } from '../support/snapshot.ts';
import { PER_SECOND_NUMBER, openChargingWorld, type ChargingWorld } from './session-support.ts';

function value(outcome: Outcome<ChargingAnswer>): ChargingAnswer {
  if (!outcome.ok) assert.fail(`expected an answer, got ${JSON.stringify(outcome.error)}`);
  return outcome.value;
}
function code(outcome: Outcome<unknown>): string | null {
  return outcome.ok ? null : outcome.error.code;
}

let sessionCounter = 0;
const sid = (): string => `test-${++sessionCounter}`;
const key = (clientSessionId: string) => ({ origin: 'test', clientSessionId });

for (const target of DATABASES) {
  describe(`charging sessions (${target.name})`, { skip: target.skip }, () => {
    let w: ChargingWorld;
    before(async () => {
      w = await openChargingWorld(target, { defaultRequestSeconds: 60, grantCapSeconds: 120 });
    });
    after(async () => {
      await w.verify();
      await w.dispose();
    });

    test('the worked example: 75 s of credit, two calls and a web payment share it', async () => {
      const card = await w.card(75n);
      const subscriber = { token: card.token };
      const call1 = sid();
      const call2 = sid();
      const i1 = value(
        await startSession(w.charging, {
          ...key(call1),
          requestNumber: 0,
          subscriber,
          service: 'call',
          number: PER_SECOND_NUMBER,
          requestedSeconds: 30,
        }),
      );
      assert.equal(i1.grantedSeconds, 30);
      assert.equal(i1.finalUnit, false);
      assert.equal(i1.reservedMinor, 30n);
      assert.equal(i1.balanceMinor, 45n);
      const u1 = value(
        await updateSession(w.charging, {
          ...key(call1),
          requestNumber: 1,
          usedSeconds: 30,
          requestedSeconds: 30,
        }),
      );
      assert.equal(u1.chargedMinor, 30n);
      assert.equal(u1.grantedSeconds, 30);
      assert.equal(u1.balanceMinor, 15n, '45 left, 30 of it reserved');
      const i2 = value(
        await startSession(w.charging, {
          ...key(call2),
          requestNumber: 0,
          subscriber,
          service: 'call',
          number: PER_SECOND_NUMBER,
          requestedSeconds: 30,
        }),
      );
      assert.equal(i2.grantedSeconds, 15, 'call 2 gets the remaining 15 s');
      assert.equal(i2.finalUnit, true);
      // Call 1 ends after 20 s of its second grant: 20 debited, 10 released.
      const t1 = value(
        await terminateSession(w.charging, { ...key(call1), requestNumber: 2, usedSeconds: 20 }),
      );
      assert.equal(t1.chargedMinor, 20n);
      assert.equal(t1.costMinor, 50n);
      assert.equal(t1.state, 'closed');
      assert.equal(t1.reservedMinor, 0n);
      // A web payment takes 1 won of the 10 not reserved by call 2.
      const webSpent = await spend(w.app.cards, {
        cardId: card.id,
        creditAccountId: systemAccountId('KRW', 'fee_revenue'),
        amountMinor: 1n,
        currency: 'KRW',
        transferId: `web_${card.id}`,
        code: 'test_spend',
      });
      assert.ok(webSpent.ok, 'a web payment shares the same available balance');
      assert.equal(webSpent.value.availableMinor, 9n);
      // Call 2 reports its 15 s and gets only what is left (9 s now), as the final units.
      const u2 = value(
        await updateSession(w.charging, {
          ...key(call2),
          requestNumber: 1,
          usedSeconds: 15,
          requestedSeconds: 30,
        }),
      );
      assert.equal(u2.chargedMinor, 15n);
      assert.equal(u2.grantedSeconds, 9);
      assert.equal(u2.finalUnit, true);
      const u3 = value(
        await updateSession(w.charging, {
          ...key(call2),
          requestNumber: 2,
          usedSeconds: 9,
          requestedSeconds: 30,
        }),
      );
      assert.equal(u3.grantedSeconds, 0, 'the zero grant with the final-unit indication');
      assert.equal(u3.finalUnit, true);
      assert.equal(u3.status, 'credit_limit_reached');
      const t2 = value(
        await terminateSession(w.charging, { ...key(call2), requestNumber: 3, usedSeconds: 0 }),
      );
      assert.equal(t2.costMinor, 24n);
      assert.equal(await w.available(card.id), 0n);
      // A third call cannot start.
      const i3 = await startSession(w.charging, {
        ...key(sid()),
        requestNumber: 0,
        subscriber,
        service: 'call',
        number: PER_SECOND_NUMBER,
        requestedSeconds: null,
      });
      assert.equal(code(i3), 'credit_limit_reached');
    });

    test('connection fee, first block and minimum are reserved by the initial grant only', async () => {
      const card = await w.card(1_000n);
      const s = sid();
      // Japan: connection 100, 60/60 at 600/min, minimum 200, disconnect 20.
      const i = value(
        await startSession(w.charging, {
          ...key(s),
          requestNumber: 0,
          subscriber: { cardId: card.id },
          service: 'call',
          number: '+81 3 1234 5678',
          requestedSeconds: 30,
        }),
      );
      assert.equal(i.rating.destinationId, 'JP');
      assert.equal(i.grantedSeconds, 30);
      // cost(30) = max(100 + 600, 200) + 20 = 720: the whole first minute is reserved.
      assert.equal(i.reservedMinor, 720n);
      const u = value(
        await updateSession(w.charging, {
          ...key(s),
          requestNumber: 1,
          usedSeconds: 30,
          requestedSeconds: 60,
        }),
      );
      assert.equal(u.chargedMinor, 720n);
      // The paid-for rest of the first minute (30 s) comes free; more would cost 600.
      assert.equal(u.grantedSeconds, 30);
      assert.equal(u.finalUnit, true);
      assert.equal(u.reservedMinor, 0n);
      const t = value(
        await terminateSession(w.charging, { ...key(s), requestNumber: 2, usedSeconds: 25 }),
      );
      assert.equal(t.costMinor, 720n);
      assert.equal(t.chargedMinor, 0n);
      assert.equal(await w.available(card.id), 280n);
    });

    test('used beyond the grant is charged; what the card cannot cover is uncollected', async () => {
      const card = await w.card(100n);
      const s = sid();
      value(
        await startSession(w.charging, {
          ...key(s),
          requestNumber: 0,
          subscriber: { token: card.token },
          service: 'call',
          number: PER_SECOND_NUMBER,
          requestedSeconds: 40,
        }),
      );
      const u = value(
        await updateSession(w.charging, {
          ...key(s),
          requestNumber: 1,
          usedSeconds: 70,
          requestedSeconds: 40,
        }),
      );
      assert.equal(u.chargedMinor, 70n, '40 from the reservation, 30 directly');
      assert.equal(u.grantedSeconds, 30);
      const t = value(
        await terminateSession(w.charging, { ...key(s), requestNumber: 2, usedSeconds: 45 }),
      );
      assert.equal(t.costMinor, 115n);
      assert.equal(t.chargedMinor, 30n);
      assert.equal(t.uncollectedMinor, 15n);
      assert.equal(await w.available(card.id), 0n);
    });

    test('an update without a request commits and grants nothing; an unanswered call is free', async () => {
      const card = await w.card(500n);
      const s = sid();
      value(
        await startSession(w.charging, {
          ...key(s),
          requestNumber: 0,
          subscriber: { token: card.token },
          service: 'call',
          number: '010-1234-5678',
          requestedSeconds: null,
        }),
      );
      const u = value(
        await updateSession(w.charging, {
          ...key(s),
          requestNumber: 1,
          usedSeconds: 0,
          requestedSeconds: null,
        }),
      );
      assert.equal(u.grantedSeconds, null);
      assert.equal(u.reservedMinor, 0n);
      assert.equal(u.chargedMinor, 0n);
      const t = value(
        await terminateSession(w.charging, { ...key(s), requestNumber: 2, usedSeconds: 0 }),
      );
      assert.equal(t.costMinor, 0n);
      assert.equal(await w.available(card.id), 500n);
    });

    test('a duplicate is answered from memory and charged once; a conflicting one is refused', async () => {
      const card = await w.card(1_000n);
      const s = sid();
      const start = {
        ...key(s),
        requestNumber: 0,
        subscriber: { token: card.token },
        service: 'call',
        number: PER_SECOND_NUMBER,
        requestedSeconds: 100,
      };
      const first = value(await startSession(w.charging, start));
      const again = value(await startSession(w.charging, start));
      assert.equal(again.replayed, true);
      assert.deepEqual({ ...again, replayed: false }, first);
      const update = { ...key(s), requestNumber: 1, usedSeconds: 100, requestedSeconds: 100 };
      const results = await Promise.all([1, 2, 3, 4].map(() => updateSession(w.charging, update)));
      const answers = results.map(value);
      assert.equal(answers.filter((a) => !a.replayed).length, 1);
      assert.equal(await w.available(card.id), 800n, '100 charged once, 100 reserved');
      const conflict = await updateSession(w.charging, { ...update, usedSeconds: 5 });
      assert.equal(code(conflict), 'request_conflict');
      const reused = await updateSession(w.charging, { ...update, requestNumber: 0 });
      assert.equal(code(reused), 'request_conflict', 'number 0 was the initial request');
      // Numbers may skip (a lost request), but never go back to one not answered.
      value(await updateSession(w.charging, { ...update, requestNumber: 3, usedSeconds: 0 }));
      const older = await updateSession(w.charging, { ...update, requestNumber: 2 });
      assert.equal(code(older), 'request_number_invalid');
      assert.equal(await w.available(card.id), 800n);
      value(await terminateSession(w.charging, { ...key(s), requestNumber: 4, usedSeconds: 0 }));
    });

    test('the session timer releases a silent reservation', async () => {
      const card = await w.card(1_000n);
      const s = sid();
      value(
        await startSession(w.charging, {
          ...key(s),
          requestNumber: 0,
          subscriber: { token: card.token },
          service: 'call',
          number: PER_SECOND_NUMBER,
          requestedSeconds: 100,
        }),
      );
      assert.equal(await w.available(card.id), 900n);
      w.clock.advance(BigInt(w.charging.policy.sessionTimeoutSeconds) * 1_000n);
      assert.ok((await expireSilentSessions(w.charging, 100)) >= 1);
      assert.equal(await w.available(card.id), 1_000n);
      const late = await updateSession(w.charging, {
        ...key(s),
        requestNumber: 1,
        usedSeconds: 10,
        requestedSeconds: 10,
      });
      assert.equal(code(late), 'session_not_found');
      assert.equal(await w.available(card.id), 1_000n);
    });

    test('a card that is locked or unknown is refused and nothing changes', async () => {
      const before = await snapshot(w.app.db);
      const unknown = await startSession(w.charging, {
        ...key(sid()),
        requestNumber: 0,
        subscriber: { token: 'st_' + 'x'.repeat(43) },
        service: 'call',
        number: PER_SECOND_NUMBER,
        requestedSeconds: null,
      });
      assert.equal(code(unknown), 'subscriber_unknown');
      const bad = await startSession(w.charging, {
        ...key(sid()),
        requestNumber: 0,
        subscriber: { token: 'not-a-token' },
        service: 'call',
        number: 'call me',
        requestedSeconds: null,
      });
      assert.equal(code(bad), 'number_invalid');
      const noSession = await updateSession(w.charging, {
        ...key('nobody'),
        requestNumber: 1,
        usedSeconds: 1,
        requestedSeconds: 1,
      });
      assert.equal(code(noSession), 'session_not_found');
      const negative = await updateSession(w.charging, {
        ...key('nobody'),
        requestNumber: 1,
        usedSeconds: -1,
      });
      assert.equal(code(negative), 'parameter_invalid');
      assert.equal(await snapshot(w.app.db), before);
    });

    test('events: a voicemail message and a content item are debited; a refund gives back at most the charge', async () => {
      const card = await w.card(1_000n);
      const vm = sid();
      const message = value(
        await debitEvent(w.charging, {
          ...key(vm),
          requestNumber: 0,
          subscriber: { token: card.token },
          service: 'voicemail',
          units: 90,
        }),
      );
      assert.equal(message.chargedMinor, 45n, '90 s at 30 won a minute');
      assert.equal(message.state, 'closed');
      const item = sid();
      value(
        await debitEvent(w.charging, {
          ...key(item),
          requestNumber: 0,
          subscriber: { token: card.token },
          service: 'content',
          units: 1,
        }),
      );
      assert.equal(await w.available(card.id), 455n);
      const tooMuch = await debitEvent(w.charging, {
        ...key(sid()),
        requestNumber: 0,
        subscriber: { token: card.token },
        service: 'content',
        units: 2,
      });
      assert.equal(code(tooMuch), 'credit_limit_reached');
      const over = await refundCharge(w.charging, { ...key(item), requestNumber: 1, units: 2 });
      assert.equal(code(over), 'refund_exceeds_charge');
      const refund = value(await refundCharge(w.charging, { ...key(item), requestNumber: 1 }));
      assert.equal(refund.chargedMinor, -500n);
      const again = value(await refundCharge(w.charging, { ...key(item), requestNumber: 1 }));
      assert.equal(again.replayed, true);
      assert.equal(await w.available(card.id), 955n);
      const balance = await checkBalance(w.charging, {
        subscriber: { token: card.token },
        service: 'call',
        number: '010-1234-5678',
      });
      assert.ok(balance.ok);
      assert.equal(balance.value.balanceMinor, 955n);
      assert.equal(balance.value.enoughCredit, true);
      // 955 − 50 connection = 905 to spend at 1.8 won a second, billed 60 then 6 s at a time:
      // 498 s costs ⌈896.4⌉ + 50 = 947; 504 s would cost 958.
      assert.equal(balance.value.maxSeconds, 498);
    });
  });
}
