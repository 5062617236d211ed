// Prepaid voicemail mailboxes on both databases: the monthly fee through the ledger (first month
// at opening, the next ones by the worker, exactly once), suspension and resume, closing, and
// deposits and retrievals charged as voicemail events against the same card.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { changeCardState, rechargeCard } from '../../src/cards/index.ts';
import {
  addCalendarMonths,
  chargeDueMailboxFees,
  closeMailbox,
  getMailbox,
  importTariff,
  listMailboxes,
  mailboxSubscriber,
  openMailbox,
  resumeMailbox,
  startSession,
  terminateSession,
  voicemailDeposit,
  voicemailRetrieval,
  type ChargingAnswer,
  type Mailbox,
  type MailboxFeeReport,
  type VoicemailContext,
  type VoicemailPolicy,
} from '../../src/charging/index.ts';
import { runWorkerPass } from '../../src/jobs/index.ts';
import { MS_PER_DAY, derivedId, type Outcome } from '../../src/kernel/index.ts';
import { DATABASES, type TestDatabase } from '../support/databases.ts';
import { snapshot } from '../support/snapshot.ts';
import { SESSION_TARIFF, openChargingWorld, type ChargingWorld } from './session-support.ts';

const SEOUL = 'Asia/Seoul';
const HOUR_MS = 3_600_000n;
const at = (iso: string): bigint => BigInt(Date.parse(iso));
const NONE: MailboxFeeReport = { charged: 0, reopened: 0, suspended: 0, closed: 0 };

function value<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) assert.fail(`expected a value, got ${JSON.stringify(outcome.error)}`);
  return outcome.value;
}
function code(outcome: Outcome<unknown>): string | null {
  return outcome.ok ? null : outcome.error.code;
}

interface World extends ChargingWorld {
  readonly vm: VoicemailContext;
  /** The fee transfers in the ledger, oldest first. */
  fees(): Promise<{ id: string; amount: bigint; reference: string; debit: string }[]>;
  mailboxRows(): Promise<number>;
  /** Everything a refused request must leave as it was: ledger, cards and mailboxes. */
  state(): Promise<string>;
  pass(): Promise<MailboxFeeReport>;
}

/** A fresh database at `startIso`, with the session tariff and a voicemail policy. */
async function openWorld(
  target: TestDatabase,
  startIso: string,
  policy: Partial<VoicemailPolicy> = {},
): Promise<World> {
  const w = await openChargingWorld(target);
  w.clock.set(at(startIso));
  const vm: VoicemailContext = {
    ...w.charging,
    voicemail: { graceDays: 10, retryIntervalSeconds: 3_600, ...policy },
  };
  const fees = async () => {
    const rows = await sql<{
      id: string;
      amount_minor: string | bigint;
      reference: string;
      debit_account_id: string;
    }>`select id, amount_minor, reference, debit_account_id from ledger_transfer where code = 'voicemail_fee' order by created_at_ms, id`.execute(
      w.app.db.kysely,
    );
    return rows.rows.map((r) => ({
      id: r.id,
      amount: BigInt(r.amount_minor),
      reference: r.reference,
      debit: r.debit_account_id,
    }));
  };
  const mailboxRows = async () => {
    const r = await sql<{
      n: string | number | bigint;
    }>`select count(*) as n from voicemail_mailbox`.execute(w.app.db.kysely);
    return Number(r.rows[0]?.n);
  };
  return {
    ...w,
    vm,
    fees,
    mailboxRows,
    async state() {
      const rows = await sql<Record<string, unknown>>`select * from voicemail_mailbox`.execute(
        w.app.db.kysely,
      );
      const mailboxes = rows.rows
        .map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)))
        .sort()
        .join('\n');
      return `${await snapshot(w.app.db)}\nvoicemail_mailbox:${mailboxes}`;
    },
    pass: () => chargeDueMailboxFees(vm, 100),
  };
}

async function closeWorld(w: World): Promise<void> {
  await w.verify();
  await w.dispose();
}

for (const target of DATABASES) {
  describe(`voicemail mailboxes (${target.name})`, { skip: target.skip }, () => {
    test('opening takes the first month exactly; the worker takes each next month once, even twice at once', async () => {
      const w = await openWorld(target, '2026-01-31T10:00:00+09:00');
      try {
        const card = await w.card(9_000n);
        const opened = value(
          await openMailbox(w.vm, { subscriber: { token: card.token }, number: '010-1234-5678' }),
        );
        assert.match(opened.id, /^vm_[0-9a-z]{22}$/);
        assert.equal(opened.cardId, card.id);
        assert.equal(opened.number, '821012345678');
        assert.equal(opened.language, 'ko');
        assert.equal(opened.feeMinor, 1_100n);
        assert.equal(opened.currency, 'KRW');
        assert.equal(opened.state, 'open');
        assert.equal(opened.openedAtMs, at('2026-01-31T10:00:00+09:00'));
        // 31 January → 28 February (Seoul calendar).
        assert.equal(opened.paidUntilMs, at('2026-02-28T10:00:00+09:00'));
        assert.equal(opened.nextChargeAtMs, at('2026-02-28T10:00:00+09:00'));
        assert.equal(opened.monthsCharged, 1);
        assert.equal(opened.chargedMinor, 1_100n);
        assert.equal(opened.closesAtMs, null);
        assert.equal(await w.available(card.id), 7_900n);
        const first = await w.fees();
        assert.equal(first.length, 1);
        assert.equal(first[0]?.amount, 1_100n);
        assert.equal(first[0]?.reference, opened.id);
        assert.equal(first[0]?.id, derivedId('vmf', `${opened.id}.${opened.openedAtMs}`));

        assert.deepEqual(await w.pass(), NONE);
        w.clock.set(opened.paidUntilMs - 1n);
        assert.deepEqual(await w.pass(), NONE);
        assert.equal(await w.available(card.id), 7_900n);

        // Due: two workers at once take one month between them.
        w.clock.set(opened.paidUntilMs);
        const [a, b] = await Promise.all([w.pass(), w.pass()]);
        assert.equal((a?.charged ?? 0) + (b?.charged ?? 0), 1);
        assert.equal((a?.suspended ?? 0) + (b?.suspended ?? 0), 0);
        assert.deepEqual(await w.pass(), NONE);
        assert.equal(await w.available(card.id), 6_800n);
        const second = value(await getMailbox(w.vm, opened.id));
        // Counted from the opening day: 31 March, not 28 March.
        assert.equal(second.paidUntilMs, at('2026-03-31T10:00:00+09:00'));
        assert.equal(second.monthsCharged, 2);
        assert.equal(second.chargedMinor, 2_200n);
        const fees = await w.fees();
        assert.equal(fees.length, 2);
        assert.equal(fees[1]?.id, derivedId('vmf', `${opened.id}.${opened.paidUntilMs}`));
        assert.equal(fees[1]?.amount, 1_100n);

        // The server's worker pass does it too (through the app's own charging context).
        w.clock.set(at('2026-03-31T10:00:00+09:00'));
        const log = { info: () => undefined, error: () => undefined };
        const report = await runWorkerPass({ ...w.app, log });
        assert.deepEqual(report.voicemail, { charged: 1, reopened: 0, suspended: 0, closed: 0 });
        const again = await runWorkerPass({ ...w.app, log });
        assert.deepEqual(again.voicemail, NONE);
        const third = value(await getMailbox(w.vm, opened.id));
        assert.equal(third.paidUntilMs, at('2026-04-30T10:00:00+09:00'));
        assert.equal(await w.available(card.id), 5_700n);
        assert.equal((await w.fees()).length, 3);

        // A worker that was down for two months catches up one month a pass, with no gap.
        w.clock.set(at('2026-06-15T12:00:00+09:00'));
        assert.equal((await w.pass()).charged, 1);
        assert.equal((await w.pass()).charged, 1);
        assert.deepEqual(await w.pass(), NONE);
        const caughtUp = value(await getMailbox(w.vm, opened.id));
        assert.equal(caughtUp.paidUntilMs, at('2026-06-30T10:00:00+09:00'));
        assert.equal(caughtUp.monthsCharged, 5);
        assert.equal(await w.available(card.id), 9_000n - 5n * 1_100n);
      } finally {
        await closeWorld(w);
      }
    });

    test('a card that cannot pay: suspended, deposits refused, retried, resumed after a recharge', async () => {
      const w = await openWorld(target, '2026-01-15T09:00:00+09:00');
      try {
        const card = await w.card(1_500n);
        const box = value(
          await openMailbox(w.vm, { subscriber: { cardId: card.id }, number: '+82 10 5555 0001' }),
        );
        assert.equal(await w.available(card.id), 400n);
        const paidUntil = at('2026-02-15T09:00:00+09:00');
        assert.equal(box.paidUntilMs, paidUntil);

        w.clock.set(paidUntil);
        assert.deepEqual(await w.pass(), { charged: 0, reopened: 0, suspended: 1, closed: 0 });
        const suspended = value(await getMailbox(w.vm, box.id));
        assert.equal(suspended.state, 'suspended');
        assert.equal(suspended.failedCharges, 1);
        assert.equal(suspended.suspendedAtMs, paidUntil);
        assert.equal(suspended.nextChargeAtMs, paidUntil + HOUR_MS);
        assert.equal(suspended.closesAtMs, paidUntil + 10n * MS_PER_DAY);
        assert.equal(await w.available(card.id), 400n);
        assert.equal((await w.fees()).length, 1);

        // Deposits and retrievals are refused while suspended, and charge nothing.
        const before = await w.state();
        const deposit = await voicemailDeposit(w.vm, {
          mailboxId: box.id,
          clientSessionId: 'call-s1',
          seconds: 30,
        });
        assert.equal(code(deposit), 'mailbox_suspended');
        assert.equal(
          code(
            await voicemailRetrieval(w.vm, {
              mailboxId: box.id,
              clientSessionId: 'call-s2',
              seconds: 30,
            }),
          ),
          'mailbox_suspended',
        );
        assert.equal(code(await mailboxSubscriber(w.vm, box.id)), 'mailbox_suspended');
        // Resuming without a recharge: the card's refusal, nothing changed.
        assert.equal(code(await resumeMailbox(w.vm, box.id)), 'credit_limit_reached');
        assert.equal(await w.state(), before);

        // Not retried before its time; retried (and failing again) an hour later.
        assert.deepEqual(await w.pass(), NONE);
        w.clock.set(paidUntil + HOUR_MS);
        assert.deepEqual(await w.pass(), { charged: 0, reopened: 0, suspended: 1, closed: 0 });
        assert.equal(value(await getMailbox(w.vm, box.id)).failedCharges, 2);

        // The holder recharges and resumes: a new month from now, the suspended days free.
        const recharged = await rechargeCard(w.app.cards, {
          cardId: card.id,
          amountMinor: 2_000n,
          currency: 'KRW',
          transferId: 'test_recharge_vm1',
        });
        assert.ok(recharged.ok);
        const resumeAt = at('2026-02-20T18:30:00+09:00');
        w.clock.set(resumeAt);
        const resumed = value(await resumeMailbox(w.vm, box.id));
        assert.equal(resumed.state, 'open');
        assert.equal(resumed.failedCharges, 0);
        assert.equal(resumed.paidUntilMs, at('2026-03-20T18:30:00+09:00'));
        assert.equal(resumed.nextChargeAtMs, at('2026-03-20T18:30:00+09:00'));
        assert.equal(resumed.monthsCharged, 2);
        assert.equal(resumed.closesAtMs, null);
        assert.equal(await w.available(card.id), 1_300n);
        const fees = await w.fees();
        assert.equal(fees.length, 2);
        assert.equal(fees[1]?.id, derivedId('vmf', `${box.id}.${resumeAt}`));
        // Resuming an open mailbox changes nothing.
        const open = await w.state();
        assert.deepEqual(value(await resumeMailbox(w.vm, box.id)), resumed);
        assert.equal(await w.state(), open);
        // Deposits go through again: 30 s at 30 won a minute.
        const ok = value(
          await voicemailDeposit(w.vm, {
            mailboxId: box.id,
            clientSessionId: 'call-s3',
            seconds: 30,
          }),
        );
        assert.equal(ok.chargedMinor, 15n);
        assert.equal(await w.available(card.id), 1_285n);
      } finally {
        await closeWorld(w);
      }
    });

    test('the worker reopens a suspended mailbox once the card can pay, and closes one at the end of the grace period', async () => {
      const w = await openWorld(target, '2026-04-30T08:00:00+09:00');
      try {
        const payer = await w.card(1_200n);
        const never = await w.card(1_100n);
        const a = value(
          await openMailbox(w.vm, { subscriber: { cardId: payer.id }, number: '010-7000-0001' }),
        );
        const b = value(
          await openMailbox(w.vm, { subscriber: { cardId: never.id }, number: '010-7000-0002' }),
        );
        // 30 April → 30 May → (30 June).
        const paidUntil = at('2026-05-30T08:00:00+09:00');
        assert.equal(a.paidUntilMs, paidUntil);
        w.clock.set(paidUntil);
        assert.deepEqual(await w.pass(), { charged: 0, reopened: 0, suspended: 2, closed: 0 });

        const recharged = await rechargeCard(w.app.cards, {
          cardId: payer.id,
          amountMinor: 1_000n,
          currency: 'KRW',
          transferId: 'test_recharge_vm2',
        });
        assert.ok(recharged.ok);
        w.clock.set(paidUntil + HOUR_MS);
        assert.deepEqual(await w.pass(), { charged: 1, reopened: 1, suspended: 1, closed: 0 });
        const reopened = value(await getMailbox(w.vm, a.id));
        assert.equal(reopened.state, 'open');
        assert.equal(reopened.paidUntilMs, at('2026-06-30T09:00:00+09:00'));
        assert.equal(await w.available(payer.id), 0n);

        // b: retried every hour up to the end of the grace period (10 days), then closed.
        const graceEnd = paidUntil + 10n * MS_PER_DAY;
        w.clock.set(graceEnd - 1n);
        assert.deepEqual(await w.pass(), { charged: 0, reopened: 0, suspended: 1, closed: 0 });
        assert.equal(value(await getMailbox(w.vm, b.id)).nextChargeAtMs, graceEnd);
        // Past the grace period the holder can no longer resume it, even after a recharge.
        const recharge = await rechargeCard(w.app.cards, {
          cardId: never.id,
          amountMinor: 5_000n,
          currency: 'KRW',
          transferId: 'test_recharge_vm3',
        });
        assert.ok(recharge.ok);
        w.clock.set(graceEnd);
        const before = await w.state();
        assert.equal(code(await resumeMailbox(w.vm, b.id)), 'mailbox_closed');
        assert.equal(await w.state(), before);
        assert.deepEqual(await w.pass(), { charged: 0, reopened: 0, suspended: 0, closed: 1 });
        const closed = value(await getMailbox(w.vm, b.id));
        assert.equal(closed.state, 'closed');
        assert.equal(closed.closeReason, 'unpaid');
        assert.equal(closed.closedAtMs, graceEnd);
        assert.equal(closed.nextChargeAtMs, null);
        assert.equal(await w.available(never.id), 5_000n);
        assert.deepEqual(await w.pass(), NONE);
        // Its number is free again.
        const fresh = value(
          await openMailbox(w.vm, { subscriber: { cardId: never.id }, number: '010-7000-0002' }),
        );
        assert.notEqual(fresh.id, b.id);
        assert.equal(await w.available(never.id), 3_900n);
        assert.equal((await w.fees()).length, 4);
      } finally {
        await closeWorld(w);
      }
    });

    test('a locked card is not charged: the mailbox is suspended', async () => {
      const w = await openWorld(target, '2026-02-01T12:00:00+09:00');
      try {
        const card = await w.card(9_000n);
        const box = value(
          await openMailbox(w.vm, { subscriber: { cardId: card.id }, number: '010-3333-4444' }),
        );
        const locked = await changeCardState(w.app.cards, {
          cardId: card.id,
          transition: 'lock_operator',
          reason: 'test',
        });
        assert.ok(locked.ok);
        w.clock.set(box.paidUntilMs);
        assert.deepEqual(await w.pass(), { charged: 0, reopened: 0, suspended: 1, closed: 0 });
        assert.equal(code(await resumeMailbox(w.vm, box.id)), 'card_locked');
        assert.equal(await w.available(card.id), 7_900n);
      } finally {
        await closeWorld(w);
      }
    });

    test('closing: nothing more is charged, use is refused, the number is free', async () => {
      const w = await openWorld(target, '2026-03-10T10:00:00+09:00');
      try {
        const card = await w.card(5_000n);
        const box = value(
          await openMailbox(w.vm, {
            subscriber: { cardId: card.id },
            number: '01099998888',
            language: 'en',
            feeMinor: 2_000n,
          }),
        );
        assert.equal(box.language, 'en');
        assert.equal(box.feeMinor, 2_000n);
        assert.equal(await w.available(card.id), 3_000n);
        w.clock.advance(HOUR_MS);
        const closed = value(await closeMailbox(w.vm, { mailboxId: box.id, by: 'holder' }));
        assert.equal(closed.state, 'closed');
        assert.equal(closed.closeReason, 'holder');
        assert.equal(closed.closedAtMs, at('2026-03-10T11:00:00+09:00'));
        assert.equal(closed.nextChargeAtMs, null);
        // Closing again answers the closed mailbox as it is.
        w.clock.advance(HOUR_MS);
        assert.deepEqual(
          value(await closeMailbox(w.vm, { mailboxId: box.id, by: 'operator' })),
          closed,
        );

        w.clock.set(box.paidUntilMs + MS_PER_DAY);
        assert.deepEqual(await w.pass(), NONE);
        assert.equal(await w.available(card.id), 3_000n);
        const before = await w.state();
        assert.equal(
          code(
            await voicemailDeposit(w.vm, { mailboxId: box.id, clientSessionId: 'c1', seconds: 10 }),
          ),
          'mailbox_closed',
        );
        assert.equal(code(await resumeMailbox(w.vm, box.id)), 'mailbox_closed');
        assert.equal(await w.state(), before);

        const again = value(
          await openMailbox(w.vm, { subscriber: { cardId: card.id }, number: '010-9999-8888' }),
        );
        assert.equal(again.number, box.number);
        assert.equal(again.feeMinor, 1_100n);
        const listed = value(await listMailboxes(w.vm, { cardId: card.id }));
        assert.deepEqual(
          listed.map((m: Mailbox) => [m.id, m.state]),
          [
            [again.id, 'open'],
            [box.id, 'closed'],
          ],
        );
        assert.deepEqual(
          value(await listMailboxes(w.vm, { state: 'closed' })).map((m) => m.id),
          [box.id],
        );
        assert.deepEqual(
          value(await listMailboxes(w.vm, { number: '+821099998888', state: 'open' })).map(
            (m) => m.id,
          ),
          [again.id],
        );
      } finally {
        await closeWorld(w);
      }
    });

    test('per-minute deposits and retrievals, a session, and per-message charging', async () => {
      const w = await openWorld(target, '2026-01-05T10:00:00+09:00');
      try {
        const card = await w.card(5_000n);
        const box = value(
          await openMailbox(w.vm, { subscriber: { cardId: card.id }, number: '010-1111-2222' }),
        );
        assert.equal(await w.available(card.id), 3_900n);
        // The session tariff's voicemail rate: 30 won a minute, billed by the second.
        const deposit = value(
          await voicemailDeposit(w.vm, {
            mailboxId: box.id,
            clientSessionId: 'sid-1',
            seconds: 90,
          }),
        );
        assert.equal(deposit.chargedMinor, 45n);
        assert.equal(deposit.usedSeconds, 90);
        assert.equal(deposit.rating.service, 'voicemail');
        assert.equal(deposit.balanceMinor, 3_855n);
        // The platform retries the same call: answered from memory, not charged again.
        const retry = value(
          await voicemailDeposit(w.vm, {
            mailboxId: box.id,
            clientSessionId: 'sid-1',
            seconds: 90,
          }),
        );
        assert.equal(retry.replayed, true);
        assert.equal(retry.sessionId, deposit.sessionId);
        // The same call id for a retrieval is a different event.
        const retrieval = value(
          await voicemailRetrieval(w.vm, {
            mailboxId: box.id,
            clientSessionId: 'sid-1',
            seconds: 61,
          }),
        );
        assert.equal(retrieval.chargedMinor, 31n);
        assert.equal(await w.available(card.id), 3_824n);

        // Deposit time charged as it goes: a voicemail session on the mailbox's card.
        const sub = value(await mailboxSubscriber(w.vm, box.id));
        const started: ChargingAnswer = value(
          await startSession(w.vm, {
            origin: 'ivr',
            clientSessionId: 'vm-session-1',
            requestNumber: 0,
            subscriber: { cardId: sub.cardId },
            service: 'voicemail',
            number: `+${sub.number}`,
            requestedSeconds: 120,
          }),
        );
        assert.equal(started.reservedMinor, 60n);
        const ended = value(
          await terminateSession(w.vm, {
            origin: 'ivr',
            clientSessionId: 'vm-session-1',
            requestNumber: 1,
            usedSeconds: 100,
          }),
        );
        assert.equal(ended.costMinor, 50n);
        assert.equal(await w.available(card.id), 3_774n);

        // Not enough credit: all or nothing.
        const poor = await w.card(1_110n);
        const small = value(
          await openMailbox(w.vm, { subscriber: { cardId: poor.id }, number: '010-1111-3333' }),
        );
        const before = await w.state();
        assert.equal(
          code(
            await voicemailDeposit(w.vm, {
              mailboxId: small.id,
              clientSessionId: 'sid-poor',
              seconds: 60,
            }),
          ),
          'credit_limit_reached',
        );
        assert.equal(await w.state(), before);

        // Per message: a tariff pricing a voicemail message at 50 won, counted one per message.
        const perMessage = SESSION_TARIFF.replace(
          'rate,RT_VM,0,1,1,30,60,0',
          'rate,RT_VM,0,1,1,50,1,0',
        );
        const imported = await importTariff(w.charging, {
          text: perMessage,
          sourceName: 'msg.csv',
        });
        assert.ok(imported.stored);
        const byMessage: VoicemailContext = { ...w.vm, voicemail: { chargeBy: 'message' } };
        const message = value(
          await voicemailDeposit(byMessage, {
            mailboxId: box.id,
            clientSessionId: 'sid-2',
            seconds: 300,
          }),
        );
        assert.equal(message.chargedMinor, 50n);
        assert.equal(message.usedSeconds, 1);
        assert.equal(await w.available(card.id), 3_724n);
      } finally {
        await closeWorld(w);
      }
    });

    test('bad input changes nothing: unknown card, bad number, duplicate, poor card, bad fee', async () => {
      const w = await openWorld(target, '2026-01-20T10:00:00+09:00');
      try {
        const card = await w.card(5_000n);
        const other = await w.card(5_000n);
        const poor = await w.card(1_099n);
        const box = value(
          await openMailbox(w.vm, { subscriber: { cardId: card.id }, number: '010-2222-0000' }),
        );
        const before = await w.state();
        const rows = await w.mailboxRows();
        assert.equal(rows, 1);
        const cases: [string, Promise<Outcome<unknown>>][] = [
          [
            'subscriber_unknown',
            openMailbox(w.vm, { subscriber: { cardId: 'card_nope' }, number: '010-2222-0001' }),
          ],
          [
            'subscriber_unknown',
            openMailbox(w.vm, {
              subscriber: { token: `st_${'a'.repeat(43)}` },
              number: '010-2222-0001',
            }),
          ],
          [
            'number_invalid',
            openMailbox(w.vm, { subscriber: { cardId: other.id }, number: 'call me' }),
          ],
          ['number_invalid', openMailbox(w.vm, { subscriber: { cardId: other.id }, number: '12' })],
          [
            'number_invalid',
            openMailbox(w.vm, { subscriber: { cardId: other.id }, number: '+0101234567' }),
          ],
          [
            'mailbox_exists',
            openMailbox(w.vm, { subscriber: { cardId: other.id }, number: '+82 10 2222 0000' }),
          ],
          [
            'mailbox_exists',
            openMailbox(w.vm, { subscriber: { cardId: card.id }, number: '01022220000' }),
          ],
          [
            'credit_limit_reached',
            openMailbox(w.vm, { subscriber: { cardId: poor.id }, number: '010-2222-0003' }),
          ],
          [
            'parameter_invalid',
            openMailbox(w.vm, {
              subscriber: { cardId: other.id },
              number: '010-2222-0004',
              feeMinor: -1n,
            }),
          ],
          [
            'parameter_invalid',
            openMailbox(w.vm, {
              subscriber: { cardId: other.id },
              number: '010-2222-0004',
              language: 'fr' as 'en',
            }),
          ],
          ['mailbox_not_found', getMailbox(w.vm, 'vm_nope')],
          ['mailbox_not_found', resumeMailbox(w.vm, 'vm_0000000000000000000000')],
          ['mailbox_not_found', closeMailbox(w.vm, { mailboxId: 'x', by: 'operator' })],
          [
            'mailbox_not_found',
            voicemailDeposit(w.vm, { mailboxId: 'vm_x', clientSessionId: 'c', seconds: 5 }),
          ],
          [
            'parameter_invalid',
            voicemailDeposit(w.vm, { mailboxId: box.id, clientSessionId: 'c', seconds: 0 }),
          ],
          [
            'parameter_invalid',
            voicemailRetrieval(w.vm, { mailboxId: box.id, clientSessionId: 'c', seconds: 1.5 }),
          ],
          [
            'parameter_invalid',
            voicemailDeposit(w.vm, { mailboxId: box.id, clientSessionId: '', seconds: 5 }),
          ],
          ['parameter_invalid', listMailboxes(w.vm, { limit: 0 })],
          ['number_invalid', listMailboxes(w.vm, { number: 'abc' })],
        ];
        for (const [expected, pending] of cases) {
          assert.equal(code(await pending), expected);
        }
        assert.equal(await w.mailboxRows(), 1);
        assert.equal(await w.state(), before);
        assert.equal(await w.available(poor.id), 1_099n);
        assert.equal(await w.available(other.id), 5_000n);
        assert.equal(await w.available(card.id), 3_900n);
        assert.equal((await w.fees()).length, 1);
      } finally {
        await closeWorld(w);
      }
    });

    test('four workers at once over ten due mailboxes: each month taken once', async () => {
      const w = await openWorld(target, '2026-01-31T10:00:00+09:00');
      try {
        const cards: { id: string }[] = [];
        for (let i = 0; i < 10; i += 1) {
          const card = await w.card(5_000n);
          cards.push(card);
          value(
            await openMailbox(w.vm, {
              subscriber: { cardId: card.id },
              number: `010-5000-${String(i).padStart(4, '0')}`,
            }),
          );
        }
        w.clock.set(at('2026-02-28T10:00:00+09:00'));
        const reports = await Promise.all([w.pass(), w.pass(), w.pass(), w.pass()]);
        assert.equal(
          reports.reduce((sum, r) => sum + r.charged, 0),
          10,
        );
        assert.deepEqual(await w.pass(), NONE);
        assert.equal((await w.fees()).length, 20);
        for (const card of cards) assert.equal(await w.available(card.id), 2_800n);
        for (const box of value(await listMailboxes(w.vm))) {
          assert.equal(box.monthsCharged, 2);
          assert.equal(box.paidUntilMs, at('2026-03-31T10:00:00+09:00'));
        }
      } finally {
        await closeWorld(w);
      }
    });

    test('two cards opening the same number at once: one mailbox, one fee', async () => {
      const w = await openWorld(target, '2026-01-20T10:00:00+09:00');
      try {
        const cards = [await w.card(5_000n), await w.card(5_000n), await w.card(5_000n)];
        const outcomes = await Promise.all(
          cards.map((c) =>
            openMailbox(w.vm, { subscriber: { cardId: c.id }, number: '010-4444-0000' }),
          ),
        );
        assert.deepEqual(outcomes.map(code).sort(), ['mailbox_exists', 'mailbox_exists', null]);
        assert.equal(await w.mailboxRows(), 1);
        assert.equal((await w.fees()).length, 1);
        let total = 0n;
        for (const c of cards) total += await w.available(c.id);
        assert.equal(total, 15_000n - 1_100n);
        assert.equal(
          addCalendarMonths(at('2026-01-20T10:00:00+09:00'), 1, SEOUL),
          at('2026-02-20T10:00:00+09:00'),
        );
      } finally {
        await closeWorld(w);
      }
    });
  });
}
