import assert from 'node:assert/strict';
import { cardBalance, spend } from '../../src/cards/index.ts';
import {
  createSessionsContext,
  importTariff,
  issueSubscriberToken,
  type ChargingPolicy,
  type SessionsContext,
} from '../../src/charging/index.ts';
import { systemAccountId, verifyLedger } from '../../src/ledger/index.ts';
import { activeTestCard, openTestApp, type TestApp } from '../support/app.ts';
import type { TestDatabase } from '../support/databases.ts';

/**
 * A small tariff for session tests (KRW, Asia/Seoul), active from 2025:
 * - calls to anything: 1 won a second, billed 1/1, no fees (the worked example's "seconds");
 * - calls to Korean mobiles (8210…): 60/6 at 108 won a minute, connection 50;
 * - calls to Japan (81…): 60/60 at 600 a minute, connection 100, minimum 200, disconnect 20;
 * - calls to 821588 (a service number): free;
 * - voicemail: 30 won a minute, 1/1; content: 500 won an item; sms: 20 won a message.
 */
export const SESSION_TARIFF = [
  'setting,currency,KRW',
  'setting,time_zone,Asia/Seoul',
  'destination,ANY,*any,Anywhere',
  'destination,KR_MOBILE,8210,Korea mobile',
  'destination,JP,81,Japan',
  'destination,FREE,821588,Service number',
  'rate,RT_SEC,0,1,1,1,1,0',
  'rate,RT_MOBILE,50,60,6,108,60,0',
  'rate,RT_JP,100,60,60,600,60,200,20',
  'rate,RT_FREE,0,1,1,0,60,0',
  'rate,RT_VM,0,1,1,30,60,0',
  'rate,RT_ITEM,0,1,1,500,1,0',
  'rate,RT_SMS,0,1,1,20,1,0',
  'timing,ALWAYS,*any,00:00,24:00',
  'plan,RP_CALL,ANY,RT_SEC,ALWAYS,10',
  'plan,RP_CALL,KR_MOBILE,RT_MOBILE,ALWAYS,10',
  'plan,RP_CALL,JP,RT_JP,ALWAYS,10',
  'plan,RP_CALL,FREE,RT_FREE,ALWAYS,10',
  'plan,RP_VM,ANY,RT_VM,ALWAYS,10',
  'plan,RP_CONTENT,ANY,RT_ITEM,ALWAYS,10',
  'plan,RP_SMS,ANY,RT_SMS,ALWAYS,10',
  'activation,call,2025-01-01T00:00:00+09:00,RP_CALL',
  'activation,voicemail,2025-01-01T00:00:00+09:00,RP_VM',
  'activation,content,2025-01-01T00:00:00+09:00,RP_CONTENT',
  'activation,sms,2025-01-01T00:00:00+09:00,RP_SMS',
  '',
].join('\n');

/** A number that rates at RT_SEC (1 won a second): a Seoul fixed line. */
export const PER_SECOND_NUMBER = '02-123-4567';

export interface ChargingWorld extends TestApp {
  readonly charging: SessionsContext;
  /** An active card whose available balance is exactly `balanceMinor`, and a token for it. */
  card(balanceMinor: bigint): Promise<{ id: string; pin: string; password: string; token: string }>;
  available(cardId: string): Promise<bigint>;
  verify(): Promise<void>;
}

export async function openChargingWorld(
  target: TestDatabase,
  policy: Partial<ChargingPolicy> = {},
): Promise<ChargingWorld> {
  const t = await openTestApp(target);
  const charging = createSessionsContext({ cards: t.app.cards, policy });
  const report = await importTariff(charging, { text: SESSION_TARIFF, sourceName: 'session.csv' });
  assert.ok(report.stored, JSON.stringify(report.errors));
  let n = 0;
  return {
    ...t,
    charging,
    async card(balanceMinor) {
      const card = await activeTestCard(t.app);
      const down = 10_000n - balanceMinor;
      if (down > 0n) {
        n += 1;
        const spent = await spend(t.app.cards, {
          cardId: card.id,
          creditAccountId: systemAccountId('KRW', 'fee_revenue'),
          amountMinor: down,
          currency: 'KRW',
          transferId: `test_down_${n}_${card.id}`,
          code: 'test_spend',
        });
        assert.ok(spent.ok);
      }
      const token = await issueSubscriberToken(charging, {
        pin: card.pin,
        password: card.password,
        channel: 'test',
      });
      assert.ok(token.ok);
      return { ...card, token: token.value.token };
    },
    async available(cardId) {
      const balance = await cardBalance(t.app.cards, t.app.db.kysely, cardId);
      assert.ok(balance.ok);
      return balance.value.balanceMinor;
    },
    async verify() {
      const report = await verifyLedger(t.app.db);
      assert.ok(report.ok, report.problems.join('; '));
    },
  };
}
