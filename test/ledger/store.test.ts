import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  AccountFlags,
  LedgerStore,
  TransferFlags,
  availableBalance,
  ensureSystemAccounts,
  systemAccountId,
  verifyLedger,
  type TransferRequest,
} from '../../src/ledger/index.ts';
import { writeTransaction, type Database } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';

const T0 = 1_767_225_600_000n;

/** Everything a test could change, to prove a failure changed nothing. */
async function snapshot(db: Database): Promise<string> {
  const tables = ['ledger_account', 'ledger_transfer', 'ledger_pending', 'ledger_journal'];
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await sql<
      Record<string, unknown>
    >`select * from ${sql.table(table)} order by 1, 2`.execute(db.kysely);
    parts.push(
      JSON.stringify(rows.rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    );
  }
  return parts.join('\n');
}

for (const target of DATABASES) {
  describe(`ledger store on ${target.name}`, { skip: target.skip }, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    let ledger: LedgerStore;
    const fund = systemAccountId('KRW', 'funding_clearing');

    before(async () => {
      ({ db, dispose } = await target.open());
      ledger = new LedgerStore(db);
      await writeTransaction(db, async (tx) => {
        await ensureSystemAccounts(ledger, tx, 'KRW', T0);
        await ensureSystemAccounts(ledger, tx, 'KRW', T0);
        const results = await ledger.createAccounts(
          tx,
          [
            {
              id: 'acc_card_a',
              currency: 'KRW',
              code: 'card',
              flags: AccountFlags.debitsMustNotExceedCredits,
            },
            {
              id: 'acc_card_b',
              currency: 'KRW',
              code: 'card',
              flags: AccountFlags.debitsMustNotExceedCredits,
            },
            {
              id: 'acc_shop',
              currency: 'KRW',
              code: 'merchant_payable',
              flags: AccountFlags.debitsMustNotExceedCredits,
            },
          ],
          T0,
        );
        assert.deepEqual(results, ['ok', 'ok', 'ok']);
      });
    });
    after(async () => {
      await dispose();
    });

    test('accounts: same id same kind is exists; bad specs are refused and create nothing', async () => {
      const before = await snapshot(db);
      const results = await writeTransaction(db, (tx) =>
        ledger.createAccounts(
          tx,
          [
            {
              id: 'acc_card_a',
              currency: 'KRW',
              code: 'card',
              flags: AccountFlags.debitsMustNotExceedCredits,
            },
            {
              id: 'acc_card_a',
              currency: 'USD',
              code: 'card',
              flags: AccountFlags.debitsMustNotExceedCredits,
            },
            { id: 'acc_card_a', currency: 'KRW', code: 'breakage', flags: 1n },
            { id: 'acc_card_a', currency: 'KRW', code: 'card', flags: 0n },
            { id: 'bad id', currency: 'KRW', code: 'card', flags: 0n },
            { id: 'acc_x', currency: 'XXX', code: 'card', flags: 0n },
            { id: 'acc_x', currency: 'KRW', code: 'nonsense', flags: 0n },
            { id: 'acc_x', currency: 'KRW', code: 'card', flags: 3n },
          ],
          T0,
        ),
      );
      assert.deepEqual(results, [
        'exists',
        'exists_with_different_currency',
        'exists_with_different_code',
        'exists_with_different_flags',
        'id_invalid',
        'currency_invalid',
        'code_invalid',
        'flags_are_mutually_exclusive',
      ]);
      assert.equal(await snapshot(db), before);
    });

    test('sale, idempotent replay, and a different body under the same id', async () => {
      const sale: TransferRequest = {
        id: 'tr_sale_a',
        debitAccountId: fund,
        creditAccountId: 'acc_card_a',
        amountMinor: 10_000n,
        currency: 'KRW',
        code: 'sale',
        reference: 'order_1',
      };
      assert.deepEqual(await ledger.submit([sale], T0), ['ok']);
      const before = await snapshot(db);
      assert.deepEqual(await ledger.submit([sale], T0 + 5n), ['exists']);
      assert.deepEqual(await ledger.submit([{ ...sale, amountMinor: 9_999n }], T0), [
        'exists_with_different_amount',
      ]);
      assert.equal(await snapshot(db), before, 'replays change nothing');
      const card = await ledger.getAccount(db.kysely, 'acc_card_a');
      assert.equal(card && availableBalance(card), 10_000n);
    });

    test('failures change nothing: overdraft, bad amount, unknown account, wrong currency', async () => {
      const before = await snapshot(db);
      const results = await ledger.submit(
        [
          {
            id: 'tr_f1',
            debitAccountId: 'acc_card_a',
            creditAccountId: 'acc_shop',
            amountMinor: 10_001n,
            currency: 'KRW',
            code: 'payment',
          },
          {
            id: 'tr_f2',
            debitAccountId: 'acc_card_a',
            creditAccountId: 'acc_shop',
            amountMinor: 0n,
            currency: 'KRW',
            code: 'payment',
          },
          {
            id: 'tr_f3',
            debitAccountId: 'acc_card_a',
            creditAccountId: 'acc_nope',
            amountMinor: 1n,
            currency: 'KRW',
            code: 'payment',
          },
          {
            id: 'tr_f4',
            debitAccountId: 'acc_card_a',
            creditAccountId: 'acc_shop',
            amountMinor: 1n,
            currency: 'USD',
            code: 'payment',
          },
          {
            id: 'tr_f5',
            debitAccountId: 'acc_card_a',
            creditAccountId: 'acc_shop',
            amountMinor: 2n ** 53n,
            currency: 'KRW',
            code: 'payment',
          },
        ],
        T0,
      );
      assert.deepEqual(results, [
        'exceeds_credits',
        'amount_must_be_positive',
        'credit_account_not_found',
        'transfer_must_have_the_same_currency_as_accounts',
        'amount_exceeds_limit',
      ]);
      assert.equal(await snapshot(db), before);
    });

    test('hold, partial post, void, expiry', async () => {
      const hold = (id: string, amountMinor: bigint, timeoutMs = 0n): TransferRequest => ({
        id,
        debitAccountId: 'acc_card_a',
        creditAccountId: 'acc_shop',
        amountMinor,
        currency: 'KRW',
        code: 'authorization',
        flags: TransferFlags.pending,
        timeoutMs,
      });
      assert.deepEqual(
        await ledger.submit(
          [hold('tr_h1', 3_000n), hold('tr_h2', 2_000n), hold('tr_h3', 1_000n, 60_000n)],
          T0,
        ),
        ['ok', 'ok', 'ok'],
      );
      let card = await ledger.getAccount(db.kysely, 'acc_card_a');
      assert.equal(card && availableBalance(card), 4_000n);
      assert.deepEqual(
        await ledger.submit(
          [
            {
              id: 'tr_c1',
              pendingId: 'tr_h1',
              code: 'capture',
              flags: TransferFlags.postPending,
              amountMinor: 2_500n,
            },
            { id: 'tr_v2', pendingId: 'tr_h2', code: 'void', flags: TransferFlags.voidPending },
            { id: 'tr_c1b', pendingId: 'tr_h1', code: 'capture', flags: TransferFlags.postPending },
            { id: 'tr_e3', pendingId: 'tr_h3', code: 'expiry', flags: TransferFlags.expirePending },
          ],
          T0 + 1_000n,
        ),
        ['ok', 'ok', 'pending_transfer_already_posted', 'pending_transfer_not_expired'],
      );
      assert.equal((await ledger.dueHolds(db.kysely, T0 + 59_999n, 10)).length, 0);
      const due = await ledger.dueHolds(db.kysely, T0 + 60_000n, 10);
      assert.deepEqual(
        due.map((h) => h.transferId),
        ['tr_h3'],
      );
      assert.deepEqual(
        await ledger.submit(
          [{ id: 'tr_c3', pendingId: 'tr_h3', code: 'capture', flags: TransferFlags.postPending }],
          T0 + 60_000n,
        ),
        ['pending_transfer_expired'],
      );
      assert.deepEqual(
        await ledger.submit(
          [{ id: 'tr_e3', pendingId: 'tr_h3', code: 'expiry', flags: TransferFlags.expirePending }],
          T0 + 60_000n,
        ),
        ['ok'],
      );
      card = await ledger.getAccount(db.kysely, 'acc_card_a');
      assert.equal(card && availableBalance(card), 7_500n);
      assert.equal(card?.debitsPending, 0n);
      assert.equal((await ledger.getPending(db.kysely, 'tr_h1'))?.status, 'posted');
      assert.equal((await ledger.getPending(db.kysely, 'tr_h2'))?.status, 'voided');
      assert.equal((await ledger.getPending(db.kysely, 'tr_h3'))?.status, 'expired');
    });

    test('linked transfers fail together and leave nothing behind', async () => {
      const before = await snapshot(db);
      const results = await ledger.submit(
        [
          {
            id: 'tr_l1',
            debitAccountId: 'acc_card_a',
            creditAccountId: 'acc_card_b',
            amountMinor: 7_000n,
            currency: 'KRW',
            code: 'move',
            flags: TransferFlags.linked,
          },
          {
            id: 'tr_l2',
            debitAccountId: 'acc_card_a',
            creditAccountId: 'acc_card_b',
            amountMinor: 1_000n,
            currency: 'KRW',
            code: 'move',
          },
        ],
        T0,
      );
      assert.deepEqual(results, ['linked_event_failed', 'exceeds_credits']);
      assert.equal(await snapshot(db), before);
    });

    test('the SQL refuses an overdraft even if the rules were bypassed', async () => {
      await assert.rejects(
        writeTransaction(db, async (tx) => {
          await sql`update ledger_account set debits_posted = credits_posted + 1 where id = 'acc_card_a'`.execute(
            tx,
          );
        }),
        /ledger_account_debits_must_not_exceed_credits|CHECK constraint failed/,
      );
    });

    test('verify passes, then detects a changed line, a changed total and a removed line', async () => {
      const report = await verifyLedger(db);
      assert.equal(report.ok, true, report.problems.join('\n'));
      assert.ok(report.journalLines > 0);
      for (const c of report.currencies) assert.equal(c.debitsPosted, c.creditsPosted);

      const tamper = async (change: string, undo: string): Promise<string[]> => {
        await sql.raw(change).execute(db.kysely);
        const bad = await verifyLedger(db);
        await sql.raw(undo).execute(db.kysely);
        assert.equal(bad.ok, false);
        return [...bad.problems];
      };
      const p1 = await tamper(
        `update ledger_journal set reference = 'forged' where account_id = 'acc_card_a' and seq = 1`,
        `update ledger_journal set reference = 'order_1' where account_id = 'acc_card_a' and seq = 1`,
      );
      assert.ok(
        p1.some((p) => p.includes('hash mismatch')),
        p1.join('\n'),
      );
      const p2 = await tamper(
        `update ledger_account set credits_posted = credits_posted + 1 where id = 'acc_card_b'`,
        `update ledger_account set credits_posted = credits_posted - 1 where id = 'acc_card_b'`,
      );
      assert.ok(
        p2.some((p) => p.includes('totals differ')),
        p2.join('\n'),
      );
      assert.ok(
        p2.some((p) => p.includes('posted debits')),
        p2.join('\n'),
      );
      const last = await sql<{
        seq: bigint;
      }>`select max(seq) as seq from ledger_journal where account_id = 'acc_shop'`.execute(
        db.kysely,
      );
      const seq = String(last.rows[0]?.seq);
      await sql
        .raw(
          `create table saved_line as select * from ledger_journal where account_id = 'acc_shop' and seq = ${seq}`,
        )
        .execute(db.kysely);
      const p3 = await tamper(
        `delete from ledger_journal where account_id = 'acc_shop' and seq = ${seq}`,
        `insert into ledger_journal select * from saved_line`,
      );
      assert.ok(
        p3.some((p) => p.includes('journal head')),
        p3.join('\n'),
      );
      await sql.raw('drop table saved_line').execute(db.kysely);
      assert.equal((await verifyLedger(db)).ok, true);
    });

    test('200 concurrent holds of 700 on a card of 10,000: exactly 14 accepted', async () => {
      await ledger.submit(
        [
          {
            id: 'tr_sale_b',
            debitAccountId: fund,
            creditAccountId: 'acc_card_b',
            amountMinor: 10_000n - 0n,
            currency: 'KRW',
            code: 'sale',
          },
        ],
        T0,
      );
      const startAvailable = await ledger.getAccount(db.kysely, 'acc_card_b');
      assert.ok(startAvailable);
      const available = availableBalance(startAvailable);
      // acc_card_b may have received value earlier in this file; top it up or down to 10,000.
      assert.equal(available, 10_000n);
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          ledger.submit(
            [
              {
                id: `tr_race_${i}`,
                debitAccountId: 'acc_card_b',
                creditAccountId: 'acc_shop',
                amountMinor: 700n,
                currency: 'KRW',
                code: 'authorization',
                flags: TransferFlags.pending,
              },
            ],
            T0,
          ),
        ),
      );
      const flat = results.flat();
      assert.equal(flat.filter((r) => r === 'ok').length, 14);
      assert.equal(flat.filter((r) => r === 'exceeds_credits').length, 186);
      const card = await ledger.getAccount(db.kysely, 'acc_card_b');
      assert.ok(card);
      assert.equal(card.debitsPending, 9_800n);
      assert.equal(availableBalance(card), 200n);
      assert.equal((await verifyLedger(db)).ok, true);
    });
  });
}
