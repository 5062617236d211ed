// Usage records (issue #5 item 7): listUsage, usageByReference, the settlement export, and the
// `onepin usage` commands, on both databases.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Command } from 'commander';
import { sql } from 'kysely';
import { getCard } from '../../src/cards/index.ts';
import {
  USAGE_CSV_COLUMNS,
  debitEvent,
  expireSilentSessions,
  exportUsageCsv,
  listUsage,
  refundCharge,
  startSession,
  terminateSession,
  updateSession,
  usageByReference,
  type ChargingAnswer,
  type UsageRecord,
} from '../../src/charging/index.ts';
import type { Outcome } from '../../src/kernel/index.ts';
import { addChargingCommands } from '../../src/main/cli-charging.ts';
import { DATABASES } from '../support/databases.ts';
import { openChargingWorld, type ChargingWorld } from './session-support.ts';

const SECOND = 1_000n;
const DAY = 86_400_000n;
/** 2026-03-05T00:00:00Z (09:00 KST). Each test works on a day of its own from here. */
const MARCH_5 = 1_772_668_800_000n;
const MOBILE_RATE = '108 KRW/min, billed 60/6, connection 50 KRW';

function value<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) assert.fail(`expected a value, got ${JSON.stringify(outcome.error)}`);
  return outcome.value;
}
function errorOf(outcome: Outcome<unknown>): { code: string; param: string | undefined } | null {
  return outcome.ok ? null : { code: outcome.error.code, param: outcome.error.param };
}

/** What cli.ts turns into `error: …` and exit code 2. */
class CliFailure extends Error {}

let counter = 0;
const sid = (): string => `usage-${++counter}`;
const key = (clientSessionId: string) => ({ origin: 'test', clientSessionId });

for (const target of DATABASES) {
  describe(`usage records (${target.name})`, { skip: target.skip }, () => {
    let w: ChargingWorld;
    let dir: string;
    before(async () => {
      w = await openChargingWorld(target, { defaultRequestSeconds: 60, grantCapSeconds: 120 });
      dir = mkdtempSync(join(tmpdir(), 'onepin-usage-'));
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await w.verify();
      await w.dispose();
    });

    async function only(cardId: string): Promise<UsageRecord> {
      const page = value(await listUsage(w.charging, { cardId }));
      assert.equal(page.records.length, 1);
      assert.equal(page.nextCursor, null);
      const [record] = page.records;
      assert.ok(record);
      return record;
    }

    /** A call of 95 s to a Korean mobile: 60 s granted, then 35 s more; costs 223 won. */
    async function mobileCall(
      card: { token: string },
      clientSessionId: string,
    ): Promise<ChargingAnswer> {
      value(
        await startSession(w.charging, {
          ...key(clientSessionId),
          requestNumber: 0,
          subscriber: { token: card.token },
          service: 'call',
          number: '010-1234-5678',
          requestedSeconds: 60,
        }),
      );
      w.clock.advance(60n * SECOND);
      value(
        await updateSession(w.charging, {
          ...key(clientSessionId),
          requestNumber: 1,
          usedSeconds: 60,
          requestedSeconds: 60,
        }),
      );
      w.clock.advance(35n * SECOND);
      return value(
        await terminateSession(w.charging, {
          ...key(clientSessionId),
          requestNumber: 2,
          usedSeconds: 35,
        }),
      );
    }

    test('a call’s record after its initial, update and terminate requests', async () => {
      w.clock.set(MARCH_5);
      const card = await w.card(10_000n);
      const call = sid();
      const started = value(
        await startSession(w.charging, {
          ...key(call),
          requestNumber: 0,
          subscriber: { token: card.token },
          service: 'call',
          number: '010-1234-5678',
          requestedSeconds: 60,
        }),
      );
      const expected: UsageRecord = {
        sessionId: started.sessionId,
        kind: 'session',
        service: 'call',
        cardId: card.id,
        origin: 'test',
        clientSessionId: call,
        startedAtMs: MARCH_5,
        endedAtMs: null,
        state: 'open',
        endReason: null,
        called: '010-1234-5678',
        e164: '821012345678',
        prefix: '8210',
        destinationId: 'KR_MOBILE',
        destinationName: 'Korea mobile',
        rateId: 'RT_MOBILE',
        tariffVersion: 1,
        rateDescription: MOBILE_RATE,
        usedSeconds: 0,
        billedSeconds: 0,
        costMinor: 0n,
        collectedMinor: 0n,
        uncollectedMinor: 0n,
        refundedMinor: 0n,
        reservedMinor: 158n,
        balanceBeforeMinor: 10_000n,
        balanceAfterMinor: null,
        currency: 'KRW',
      };
      assert.deepEqual(await only(card.id), expected);

      w.clock.advance(60n * SECOND);
      value(
        await updateSession(w.charging, {
          ...key(call),
          requestNumber: 1,
          usedSeconds: 60,
          requestedSeconds: 60,
        }),
      );
      assert.deepEqual(await only(card.id), {
        ...expected,
        usedSeconds: 60,
        billedSeconds: 60,
        costMinor: 158n,
        collectedMinor: 158n,
        reservedMinor: 108n,
      });

      w.clock.advance(35n * SECOND);
      value(
        await terminateSession(w.charging, { ...key(call), requestNumber: 2, usedSeconds: 35 }),
      );
      assert.deepEqual(await only(card.id), {
        ...expected,
        endedAtMs: MARCH_5 + 95n * SECOND,
        state: 'closed',
        endReason: 'terminated',
        usedSeconds: 95,
        billedSeconds: 96,
        costMinor: 223n,
        collectedMinor: 223n,
        reservedMinor: 0n,
        balanceAfterMinor: 9_777n,
      });
      assert.equal(await w.available(card.id), 9_777n);
    });

    test('events and a refund; an overrun the card could not pay is uncollected', async () => {
      w.clock.set(MARCH_5 + DAY);
      const card = await w.card(1_000n);
      const sms = value(
        await debitEvent(w.charging, {
          ...key(sid()),
          requestNumber: 0,
          subscriber: { cardId: card.id },
          service: 'sms',
          number: '+81 90 1234 5678',
          units: 2,
        }),
      );
      w.clock.advance(SECOND);
      const contentKey = key(sid());
      const content = value(
        await debitEvent(w.charging, {
          ...contentKey,
          requestNumber: 0,
          subscriber: { cardId: card.id },
          service: 'content',
          units: 1,
        }),
      );
      w.clock.advance(SECOND);
      value(await refundCharge(w.charging, { ...contentKey, requestNumber: 1 }));
      const page = value(await listUsage(w.charging, { cardId: card.id }));
      assert.deepEqual(
        page.records.map((r) => r.sessionId),
        [content.sessionId, sms.sessionId],
      );
      const [c, s] = page.records;
      assert.ok(c && s);
      assert.deepEqual(
        {
          kind: s.kind,
          state: s.state,
          endReason: s.endReason,
          called: s.called,
          e164: s.e164,
          prefix: s.prefix,
          destinationId: s.destinationId,
          rateId: s.rateId,
          rateDescription: s.rateDescription,
          usedSeconds: s.usedSeconds,
          billedSeconds: s.billedSeconds,
          costMinor: s.costMinor,
          collectedMinor: s.collectedMinor,
          balanceBeforeMinor: s.balanceBeforeMinor,
          balanceAfterMinor: s.balanceAfterMinor,
          startedAtMs: s.startedAtMs,
          endedAtMs: s.endedAtMs,
        },
        {
          kind: 'event',
          state: 'closed',
          endReason: 'event',
          called: '+81 90 1234 5678',
          e164: '819012345678',
          prefix: '',
          destinationId: 'ANY',
          rateId: 'RT_SMS',
          rateDescription: '20 KRW/s, billed 1/1',
          usedSeconds: 2,
          billedSeconds: 2,
          costMinor: 40n,
          collectedMinor: 40n,
          balanceBeforeMinor: 1_000n,
          balanceAfterMinor: 960n,
          startedAtMs: MARCH_5 + DAY,
          endedAtMs: MARCH_5 + DAY,
        },
      );
      assert.equal(c.called, '');
      assert.equal(c.e164, '');
      assert.equal(c.destinationName, 'Anywhere');
      assert.equal(c.costMinor, 500n);
      assert.equal(c.refundedMinor, 500n);
      assert.equal(c.balanceBeforeMinor, 960n);
      assert.equal(c.balanceAfterMinor, 960n, 'after the refund');

      // 100 won left; a 5-minute call at 1 won a second on a 60 s grant overruns by 240 s.
      const poor = await w.card(100n);
      const overrun = sid();
      value(
        await startSession(w.charging, {
          ...key(overrun),
          requestNumber: 0,
          subscriber: { cardId: poor.id },
          service: 'call',
          number: '02-123-4567',
          requestedSeconds: 60,
        }),
      );
      w.clock.advance(300n * SECOND);
      value(
        await terminateSession(w.charging, { ...key(overrun), requestNumber: 1, usedSeconds: 300 }),
      );
      const o = await only(poor.id);
      assert.deepEqual(
        [o.usedSeconds, o.costMinor, o.collectedMinor, o.uncollectedMinor, o.balanceAfterMinor],
        [300, 300n, 100n, 200n, 0n],
      );
    });

    test('a silent session ended by the timer', async () => {
      w.clock.set(MARCH_5 + 2n * DAY);
      const card = await w.card(5_000n);
      value(
        await startSession(w.charging, {
          ...key(sid()),
          requestNumber: 0,
          subscriber: { token: card.token },
          service: 'voicemail',
          number: '010-5555-0000',
          requestedSeconds: 120,
        }),
      );
      assert.equal((await only(card.id)).reservedMinor, 60n);
      assert.equal(await w.available(card.id), 4_940n);
      w.clock.advance(BigInt(w.charging.policy.sessionTimeoutSeconds) * SECOND);
      assert.ok((await expireSilentSessions(w.charging, 100)) >= 1);
      const r = await only(card.id);
      assert.deepEqual(
        [r.state, r.endReason, r.endedAtMs, r.usedSeconds, r.costMinor, r.reservedMinor],
        ['expired', 'timer', MARCH_5 + 2n * DAY + 1_800n * SECOND, 0, 0n, 0n],
      );
      assert.equal(r.balanceAfterMinor, 5_000n);
      assert.equal(await w.available(card.id), 5_000n);
    });

    test('keyset pages newest first, filters by period, service and kind', async () => {
      const t0 = MARCH_5 + 3n * DAY;
      w.clock.set(t0);
      const card = await w.card(10_000n);
      const ids: string[] = [];
      // Seven events: two share each millisecond, so the id breaks the tie.
      for (let i = 0; i < 7; i += 1) {
        if (i % 2 === 0) w.clock.advance(SECOND);
        const answer = value(
          await debitEvent(w.charging, {
            ...key(sid()),
            requestNumber: 0,
            subscriber: { cardId: card.id },
            service: i === 3 ? 'content' : 'sms',
            number: '010-1234-5678',
            units: 1,
          }),
        );
        ids.push(answer.sessionId);
      }
      const newestFirst = [...ids.keys()]
        .map((i) => ({ id: ids[i] ?? '', at: Math.floor((i + 2) / 2) }))
        .sort((a, b) => (a.at !== b.at ? b.at - a.at : a.id < b.id ? 1 : -1))
        .map((x) => x.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      const sizes: number[] = [];
      for (let pages = 0; pages < 10; pages += 1) {
        const page: { records: readonly UsageRecord[]; nextCursor: string | null } = value(
          await listUsage(w.charging, {
            cardId: card.id,
            limit: 3,
            ...(cursor !== null ? { cursor } : {}),
          }),
        );
        sizes.push(page.records.length);
        seen.push(...page.records.map((r) => r.sessionId));
        cursor = page.nextCursor;
        if (cursor === null) break;
      }
      assert.deepEqual(sizes, [3, 3, 1]);
      assert.deepEqual(seen, newestFirst);

      const period = value(
        await listUsage(w.charging, {
          cardId: card.id,
          fromMs: t0 + 2n * SECOND,
          toMs: t0 + 4n * SECOND,
        }),
      );
      assert.deepEqual(
        period.records.map((r) => r.sessionId),
        newestFirst.filter((id) => [2, 3, 4, 5].includes(ids.indexOf(id))),
      );
      const content = value(
        await listUsage(w.charging, { cardId: card.id, services: ['content'] }),
      );
      assert.deepEqual(
        content.records.map((r) => r.sessionId),
        [ids[3]],
      );
      const sessions = value(await listUsage(w.charging, { cardId: card.id, kinds: ['session'] }));
      assert.equal(sessions.records.length, 0);
      // Without a card: every card's records, still newest first.
      const all = value(await listUsage(w.charging, { limit: 2 }));
      assert.deepEqual(
        all.records.map((r) => r.sessionId),
        newestFirst.slice(0, 2),
      );
    });

    test('usageByReference: only cs_ references, only the card asked about', async () => {
      w.clock.set(MARCH_5 + 4n * DAY);
      const a = await w.card(1_000n);
      const b = await w.card(1_000n);
      const ofA = value(
        await debitEvent(w.charging, {
          ...key(sid()),
          requestNumber: 0,
          subscriber: { cardId: a.id },
          service: 'sms',
          units: 1,
        }),
      );
      const ofB = value(
        await debitEvent(w.charging, {
          ...key(sid()),
          requestNumber: 0,
          subscriber: { cardId: b.id },
          service: 'sms',
          units: 1,
        }),
      );
      const refs = [ofA.sessionId, ofB.sessionId, ofA.sessionId, 'ref-x', "cs_x' or 1=1", ''];
      const both = await usageByReference(w.charging, w.app.db.kysely, refs);
      assert.deepEqual([...both.keys()].sort(), [ofA.sessionId, ofB.sessionId].sort());
      const onlyA = await usageByReference(w.charging, w.app.db.kysely, refs, { cardId: a.id });
      assert.deepEqual([...onlyA.keys()], [ofA.sessionId]);
      assert.equal(onlyA.get(ofA.sessionId)?.costMinor, 20n);
      assert.equal((await usageByReference(w.charging, w.app.db.kysely, [])).size, 0);
    });

    test('the settlement export: exact CSV, the period’s ended records only, totals', async () => {
      const day = MARCH_5 + 5n * DAY;
      w.clock.set(day - 10n * SECOND);
      const card = await w.card(10_000n);
      // Started before the period, ended in it: exported.
      const callId = 'usage,"quoted"-call';
      const call = await mobileCall(card, callId);
      // An event in the period.
      w.clock.set(day + 3_600n * SECOND);
      const sms = value(
        await debitEvent(w.charging, {
          ...key(sid()),
          requestNumber: 0,
          subscriber: { cardId: card.id },
          service: 'sms',
          number: '010-1234-5678',
          units: 3,
        }),
      );
      // Still open at the end of the period: not exported.
      value(
        await startSession(w.charging, {
          ...key(sid()),
          requestNumber: 0,
          subscriber: { cardId: card.id },
          service: 'call',
          number: '02-123-4567',
          requestedSeconds: 30,
        }),
      );
      // Ended exactly at the end of the period: the next period's.
      w.clock.set(day + DAY);
      value(
        await debitEvent(w.charging, {
          ...key(sid()),
          requestNumber: 0,
          subscriber: { cardId: card.id },
          service: 'sms',
          units: 1,
        }),
      );

      const done = value(await exportUsageCsv(w.charging, { fromMs: day, toMs: day + DAY }));
      assert.equal(done.records, 2);
      const lines = (done.csv ?? '').split('\r\n');
      assert.deepEqual(lines, [
        USAGE_CSV_COLUMNS.join(','),
        `${call.sessionId},session,call,${card.id},test,"usage,""quoted""-call",closed,terminated,2026-03-09T23:59:50.000Z,2026-03-10T00:01:25.000Z,010-1234-5678,821012345678,8210,KR_MOBILE,Korea mobile,1,RT_MOBILE,"${MOBILE_RATE}",95,96,223,223,0,0,10000,9777,KRW`,
        `${sms.sessionId},event,sms,${card.id},test,${sms.clientSessionId},closed,event,2026-03-10T01:00:00.000Z,2026-03-10T01:00:00.000Z,010-1234-5678,821012345678,,ANY,Anywhere,1,RT_SMS,"20 KRW/s, billed 1/1",3,3,60,60,0,0,9777,9717,KRW`,
        '',
      ]);
      assert.equal(
        lines[0],
        'session_id,kind,service,card_id,origin,client_session_id,state,end_reason,started_at,ended_at,called,e164,prefix,destination_id,destination_name,tariff_version,rate_id,rate_description,used_seconds,billed_seconds,cost_minor,collected_minor,uncollected_minor,refunded_minor,balance_before_minor,balance_after_minor,currency',
      );
      assert.deepEqual(done.totals, [
        {
          service: 'call',
          currency: 'KRW',
          records: 1,
          usedSeconds: 95,
          billedSeconds: 96,
          costMinor: 223n,
          collectedMinor: 223n,
          uncollectedMinor: 0n,
          refundedMinor: 0n,
        },
        {
          service: 'sms',
          currency: 'KRW',
          records: 1,
          usedSeconds: 3,
          billedSeconds: 3,
          costMinor: 60n,
          collectedMinor: 60n,
          uncollectedMinor: 0n,
          refundedMinor: 0n,
        },
      ]);

      // Streamed: the same text in chunks, and no copy kept.
      const chunks: string[] = [];
      const streamed = value(
        await exportUsageCsv(w.charging, {
          fromMs: day,
          toMs: day + DAY,
          write: (chunk) => {
            chunks.push(chunk);
          },
        }),
      );
      assert.equal(streamed.csv, null);
      assert.equal(chunks.join(''), done.csv);
      assert.deepEqual(streamed.totals, done.totals);

      // An empty period: the header alone.
      const empty = value(
        await exportUsageCsv(w.charging, { fromMs: MARCH_5 - DAY, toMs: MARCH_5 }),
      );
      assert.equal(empty.csv, `${USAGE_CSV_COLUMNS.join(',')}\r\n`);
      assert.deepEqual([empty.records, empty.totals], [0, []]);
    });

    test('the export reads page after page (more records than one query returns)', async () => {
      const day = MARCH_5 + 7n * DAY;
      w.clock.set(day);
      const card = await w.card(10_000n);
      const n = 503;
      // One millisecond for all: only the id orders them, across the page boundary.
      // Voicemail messages of 1 s: 1 won each.
      for (let i = 0; i < n; i += 1) {
        value(
          await debitEvent(w.charging, {
            ...key(`bulk-${i}`),
            requestNumber: 0,
            subscriber: { cardId: card.id },
            service: 'voicemail',
            units: 1,
          }),
        );
      }
      const done = value(await exportUsageCsv(w.charging, { fromMs: day, toMs: day + 1n }));
      const lines = (done.csv ?? '').split('\r\n').slice(1, -1);
      assert.equal(done.records, n);
      assert.equal(lines.length, n);
      const ids = lines.map((l) => l.split(',')[0] ?? '');
      assert.deepEqual(ids, [...ids].sort(), 'ordered by id within the millisecond');
      assert.equal(new Set(ids).size, n);
      assert.equal(done.totals.length, 1);
      assert.equal(done.totals[0]?.collectedMinor, BigInt(n));
    });

    test('bad queries are refused with a code and change nothing', async () => {
      const rows = async () =>
        (
          await sql<{ n: number | bigint }>`select count(*) as n from charging_session`.execute(
            w.app.db.kysely,
          )
        ).rows[0]?.n;
      const before = await rows();
      const cases: [Outcome<unknown>, string, string][] = [
        [await listUsage(w.charging, { limit: 0 }), 'parameter_invalid', 'limit'],
        [await listUsage(w.charging, { limit: 501 }), 'parameter_invalid', 'limit'],
        [await listUsage(w.charging, { limit: 1.5 }), 'parameter_invalid', 'limit'],
        [await listUsage(w.charging, { cardId: '' }), 'parameter_invalid', 'card'],
        [await listUsage(w.charging, { cardId: 'c'.repeat(65) }), 'parameter_invalid', 'card'],
        [await listUsage(w.charging, { fromMs: 5n, toMs: 5n }), 'period_invalid', 'from'],
        [await listUsage(w.charging, { fromMs: -1n }), 'parameter_invalid', 'from'],
        [await listUsage(w.charging, { services: ['fax'] }), 'parameter_invalid', 'service'],
        [await listUsage(w.charging, { kinds: ['call'] }), 'parameter_invalid', 'kind'],
        [await listUsage(w.charging, { cursor: 'nope' }), 'parameter_invalid', 'cursor'],
        [await listUsage(w.charging, { cursor: 'cs_unknown' }), 'parameter_invalid', 'cursor'],
        [await exportUsageCsv(w.charging, { fromMs: 10n, toMs: 9n }), 'period_invalid', 'from'],
        [await exportUsageCsv(w.charging, { fromMs: -1n, toMs: 9n }), 'parameter_invalid', 'from'],
      ];
      for (const [outcome, code, param] of cases) {
        assert.deepEqual(errorOf(outcome), { code, param });
      }
      assert.equal(await rows(), before);
    });

    describe('onepin usage', () => {
      async function run(t: TestContext, ...args: string[]): Promise<string[]> {
        const printed: string[] = [];
        t.mock.method(console, 'log', (...parts: unknown[]) => {
          printed.push(parts.map(String).join(' '));
        });
        const program = new Command('onepin')
          .exitOverride()
          .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
        addChargingCommands(program, {
          withApp: (work) => work(w.app),
          failure: (message) => new CliFailure(message),
        });
        await program.parseAsync(args, { from: 'user' });
        return printed;
      }
      async function refusal(t: TestContext, ...args: string[]): Promise<string> {
        const error = await run(t, ...args).then(
          () => assert.fail('expected a refusal'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof Error);
        return error.message;
      }

      test('list by serial or id, as text and JSON, with pages', async (t) => {
        const day = MARCH_5 + 10n * DAY;
        w.clock.set(day);
        const card = await w.card(10_000n);
        const call = await mobileCall(card, sid());
        w.clock.advance(SECOND);
        const sms = value(
          await debitEvent(w.charging, {
            ...key(sid()),
            requestNumber: 0,
            subscriber: { cardId: card.id },
            service: 'sms',
            units: 2,
          }),
        );
        const { serial } = value(await getCard(w.app.cards, w.app.db.kysely, { id: card.id }));
        const text = await run(t, 'usage', 'list', '--card', serial);
        assert.deepEqual(text, [
          `2026-03-15T00:01:36.000Z  ${sms.sessionId}  sms  Anywhere  2 units (billed 2)  40 KRW  closed:event  balance 9,777 KRW → 9,737 KRW`,
          `2026-03-15T00:00:00.000Z  ${call.sessionId}  call  010-1234-5678 → +821012345678 Korea mobile (KR_MOBILE, prefix 8210)  95 s (billed 96)  223 KRW  closed:terminated  balance 10,000 KRW → 9,777 KRW`,
        ]);
        const paged = await run(t, 'usage', 'list', '--card', card.id, '--limit', '1');
        assert.equal(paged.length, 2);
        assert.equal(paged[1], `more: --cursor ${sms.sessionId}`);
        const next = await run(
          t,
          'usage',
          'list',
          '--card',
          card.id,
          '--limit',
          '1',
          '--cursor',
          sms.sessionId,
        );
        assert.match(next[0] ?? '', new RegExp(call.sessionId));
        assert.equal(next.length, 1);
        const json = JSON.parse(
          (await run(t, 'usage', 'list', '--card', card.id, '--service', 'call', '--json'))[0] ??
            '',
        ) as { card_id: string; data: Record<string, unknown>[]; next_cursor: string | null };
        assert.equal(json.card_id, card.id);
        assert.equal(json.next_cursor, null);
        assert.deepEqual(json.data, [
          {
            session_id: call.sessionId,
            kind: 'session',
            service: 'call',
            card_id: card.id,
            origin: 'test',
            client_session_id: call.clientSessionId,
            state: 'closed',
            end_reason: 'terminated',
            started_at: '2026-03-15T00:00:00.000Z',
            ended_at: '2026-03-15T00:01:35.000Z',
            called: '010-1234-5678',
            e164: '821012345678',
            prefix: '8210',
            destination_id: 'KR_MOBILE',
            destination_name: 'Korea mobile',
            rate_id: 'RT_MOBILE',
            tariff_version: 1,
            rate_description: MOBILE_RATE,
            used_seconds: 95,
            billed_seconds: 96,
            cost_minor: 223,
            collected_minor: 223,
            uncollected_minor: 0,
            refunded_minor: 0,
            reserved_minor: 0,
            balance_before_minor: 10_000,
            balance_after_minor: 9_777,
            currency: 'KRW',
          },
        ]);
        // KST days: 2026-03-15 starts at 2026-03-14T15:00Z, so both records are on the 15th.
        const period = await run(
          t,
          'usage',
          'list',
          '--card',
          card.id,
          '--from',
          '2026-03-15',
          '--to',
          '2026-03-16',
        );
        assert.equal(period.length, 2);
        const none = await run(t, 'usage', 'list', '--card', card.id, '--to', '2026-03-15');
        assert.deepEqual(none, [`no usage records for card ${serial}`]);
      });

      test('export to a new file, totals printed; refusals', async (t) => {
        const day = MARCH_5 + 11n * DAY;
        w.clock.set(day);
        const card = await w.card(10_000n);
        const call = await mobileCall(card, sid());
        const out = join(dir, 'march.csv');
        const printed = await run(
          t,
          'usage',
          'export',
          '--from',
          '2026-03-16T00:00:00Z',
          '--to',
          '2026-03-17T00:00:00Z',
          '--out',
          out,
        );
        assert.deepEqual(printed, [
          `wrote 1 usage records ended from 2026-03-16T00:00:00.000Z to 2026-03-17T00:00:00.000Z to ${out}`,
          '  call       KRW  1 records, 95 used, 96 billed; cost 223, collected 223, uncollected 0, refunded 0',
        ]);
        const file = readFileSync(out, 'utf8');
        assert.equal(
          file,
          `${USAGE_CSV_COLUMNS.join(',')}\r\n${call.sessionId},session,call,${card.id},test,${call.clientSessionId},closed,terminated,2026-03-16T00:00:00.000Z,2026-03-16T00:01:35.000Z,010-1234-5678,821012345678,8210,KR_MOBILE,Korea mobile,1,RT_MOBILE,"${MOBILE_RATE}",95,96,223,223,0,0,10000,9777,KRW\r\n`,
        );
        if (process.platform !== 'win32') assert.equal(statSync(out).mode & 0o777, 0o600);

        // A file that exists is never overwritten.
        writeFileSync(join(dir, 'kept.csv'), 'keep me');
        assert.match(
          await refusal(
            t,
            'usage',
            'export',
            '--from',
            '2026-03-16',
            '--to',
            '2026-03-17',
            '--out',
            join(dir, 'kept.csv'),
          ),
          /kept\.csv exists: an export never overwrites a file/,
        );
        assert.equal(readFileSync(join(dir, 'kept.csv'), 'utf8'), 'keep me');
        // A backwards period: refused, no file left behind.
        const backwards = join(dir, 'backwards.csv');
        assert.match(
          await refusal(
            t,
            'usage',
            'export',
            '--from',
            '2026-03-17',
            '--to',
            '2026-03-16',
            '--out',
            backwards,
          ),
          /period_invalid/,
        );
        assert.throws(() => statSync(backwards), /ENOENT/);
        assert.match(
          await refusal(t, 'usage', 'export', '--from', '16/03/2026', '--to', '2026-03-17'),
          /--from must be a date like 2026-03-01/,
        );
        assert.match(await refusal(t, 'usage', 'list', '--card', 'card_nope'), /card_not_found/);
        assert.match(
          await refusal(t, 'usage', 'list', '--card', card.id, '--service', 'fax'),
          /parameter_invalid/,
        );
        assert.match(
          await refusal(t, 'usage', 'list', '--card', card.id, '--limit', '0'),
          /a whole number from 1 to 500/,
        );
      });
    });
  });
}
