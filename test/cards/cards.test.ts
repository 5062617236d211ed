import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  activateCard,
  authenticate,
  cardBalance,
  cardStatement,
  changeCardState,
  changePassword,
  expireDueCards,
  getCard,
  issueCards,
  rekeyPass,
  rechargeCard,
  sellCard,
  spend,
  type IssuedCard,
} from '../../src/cards/index.ts';
import { MS_PER_DAY, limits } from '../../src/kernel/index.ts';
import { TransferFlags, systemAccountId, verifyLedger } from '../../src/ledger/index.ts';
import { expireDueHolds } from '../../src/jobs/index.ts';
import { wireApp, type App } from '../../src/main/app.ts';
import { DATABASES } from '../support/databases.ts';
import { openTestApp, type TestApp } from '../support/app.ts';
import { snapshot } from '../support/snapshot.ts';
import { randomBytes } from 'node:crypto';

const SHOP = 'acc_shop_test';

for (const target of DATABASES) {
  describe(`cards on ${target.name}`, { skip: target.skip }, () => {
    let t: TestApp;
    let app: App;
    let stock: IssuedCard[];
    let next = 0;
    /** A fresh card from stock, sold, with its activation secret. */
    const soldCard = async (): Promise<{ card: IssuedCard; secret: string; id: string }> => {
      const card = stock[next++];
      assert.ok(card, 'stock left');
      const sold = await sellCard(app.cards, {
        serial: card.serial,
        channel: 'web',
        activationKind: 'claim_link',
      });
      assert.ok(sold.ok, JSON.stringify(!sold.ok && sold.error));
      return { card, secret: sold.value.activationSecret, id: sold.value.card.id };
    };
    const activeCard = async (
      password = '2580',
    ): Promise<{ card: IssuedCard; id: string; password: string }> => {
      const { card, secret, id } = await soldCard();
      const active = await activateCard(app.cards, {
        pin: card.pin,
        activationSecret: secret,
        password,
      });
      assert.ok(active.ok, JSON.stringify(!active.ok && active.error));
      return { card, id, password };
    };

    before(async () => {
      t = await openTestApp(target);
      app = t.app;
      const issued = await issueCards(app.cards, { denominationId: 'den_krw_10000', count: 40 });
      assert.ok(issued.ok);
      stock = [...issued.value.cards];
      await app.ledger.submit([], 0n);
      const { writeTransaction } = await import('../../src/storage/index.ts');
      await writeTransaction(app.db, (tx) =>
        app.ledger.createAccounts(
          tx,
          [{ id: SHOP, currency: 'KRW', code: 'merchant_payable', flags: 1n }],
          t.clock.nowMs(),
        ),
      );
    });
    after(async () => {
      const report = await verifyLedger(app.db);
      assert.equal(report.ok, true, report.problems.join('\n'));
      await t.dispose();
    });

    test('issuance: bad counts and unknown denominations change nothing', async () => {
      const before = await snapshot(app.db);
      for (const count of [0, -1, 1.5, limits.issueCountMax + 1, Number.NaN]) {
        const r = await issueCards(app.cards, { denominationId: 'den_krw_10000', count });
        assert.equal(!r.ok && r.error.code, 'count_invalid', `count ${count}`);
      }
      const r = await issueCards(app.cards, { denominationId: 'den_nope', count: 1 });
      assert.equal(!r.ok && r.error.code, 'denomination_invalid');
      assert.equal(await snapshot(app.db), before);
    });

    test('issued stock: no value, consecutive serials, PIN only as a keyed hash', async () => {
      const serials = stock.map((c) => BigInt(c.serial));
      for (let i = 1; i < serials.length; i += 1)
        assert.equal(serials[i], (serials[i - 1] ?? 0n) + 1n);
      const first = stock[0];
      assert.ok(first);
      const card = await getCard(app.cards, app.db.kysely, { serial: first.serial });
      assert.ok(card.ok);
      assert.equal(card.value.state, 'issued');
      assert.equal(card.value.accountId, null);
      assert.equal(card.value.pinLast4, first.pin.slice(-4));
      const dump = await snapshot(app.db);
      for (const c of stock) assert.ok(!dump.includes(c.pin), 'no PIN in the database');
      const balance = await cardBalance(app.cards, app.db.kysely, card.value.id);
      assert.equal(balance.ok && balance.value.balanceMinor, 0n);
      // Stock cannot be spent or recharged.
      const spent = await spend(app.cards, {
        cardId: card.value.id,
        creditAccountId: SHOP,
        amountMinor: 1n,
        currency: 'KRW',
        transferId: 'tr_stock',
        code: 'payment',
      });
      assert.equal(!spent.ok && spent.error.code, 'card_not_active');
    });

    test('sale loads value once; a second sale is refused and changes nothing', async () => {
      const { card, id } = await soldCard();
      const balance = await cardBalance(app.cards, app.db.kysely, id);
      assert.equal(balance.ok && balance.value.balanceMinor, 10_000n);
      assert.equal(balance.ok && balance.value.state, 'sold');
      const before = await snapshot(app.db);
      const again = await sellCard(app.cards, {
        serial: card.serial,
        channel: 'web',
        activationKind: 'otp',
      });
      assert.equal(!again.ok && again.error.code, 'card_state_invalid');
      const unknown = await sellCard(app.cards, {
        serial: '999999999999',
        channel: 'web',
        activationKind: 'otp',
      });
      assert.equal(!unknown.ok && unknown.error.code, 'card_not_found');
      assert.equal(await snapshot(app.db), before);
    });

    test('activation needs the secret; malformed input costs no attempt; the secret works once', async () => {
      const { card, secret } = await soldCard();
      const before = await snapshot(app.db);
      const malformed = await activateCard(app.cards, {
        pin: '1234',
        activationSecret: secret,
        password: '2580',
      });
      assert.equal(!malformed.ok && malformed.error.code, 'pin_malformed');
      const typo = card.pin.slice(0, 19) + String((Number(card.pin[19]) + 1) % 10);
      const badCheck = await activateCard(app.cards, {
        pin: typo,
        activationSecret: secret,
        password: '2580',
      });
      assert.equal(!badCheck.ok && badCheck.error.code, 'pin_check_digit_invalid');
      const weak = await activateCard(app.cards, {
        pin: card.pin,
        activationSecret: secret,
        password: '1111',
      });
      assert.equal(!weak.ok && weak.error.code, 'password_too_weak');
      const notDigits = await activateCard(app.cards, {
        pin: card.pin,
        activationSecret: secret,
        password: 'abcd',
      });
      assert.equal(!notDigits.ok && notDigits.error.code, 'password_invalid');
      assert.equal(await snapshot(app.db), before, 'nothing changed, no attempt counted');
      const wrong = await activateCard(app.cards, {
        pin: card.pin,
        activationSecret: 'not-the-secret',
        password: '2580',
      });
      assert.equal(!wrong.ok && wrong.error.code, 'activation_secret_invalid');
      const good = await activateCard(app.cards, {
        pin: card.pin,
        activationSecret: secret,
        password: '2580',
      });
      assert.ok(good.ok);
      assert.equal(good.value.state, 'active');
      assert.equal(good.value.failedAttempts, 0);
      const twice = await activateCard(app.cards, {
        pin: card.pin,
        activationSecret: secret,
        password: '3690',
      });
      assert.equal(!twice.ok && twice.error.code, 'activation_secret_invalid', 'uniform answer');
    });

    test('an expired activation secret is refused', async () => {
      const { card, secret } = await soldCard();
      t.clock.advance(limits.activationSecretTtlMs);
      const late = await activateCard(app.cards, {
        pin: card.pin,
        activationSecret: secret,
        password: '2580',
      });
      assert.equal(!late.ok && late.error.code, 'activation_secret_invalid');
    });

    test('wrong passwords lock the card after pinAttemptsMax; unknown PINs answer the same', async () => {
      const { card } = await activeCard();
      for (let i = 1; i < limits.pinAttemptsMax; i += 1) {
        const r = await authenticate(app.cards, { pin: card.pin, password: '9753' });
        assert.equal(!r.ok && r.error.code, 'credentials_invalid');
      }
      const unknownPin = stock[stock.length - 1];
      assert.ok(unknownPin);
      const unknown = await authenticate(app.cards, {
        pin: '0000-0000-0000-0000-0000',
        password: '2580',
      });
      assert.equal(!unknown.ok && unknown.error.code, 'credentials_invalid');
      const last = await authenticate(app.cards, { pin: card.pin, password: '9753' });
      assert.equal(!last.ok && last.error.code, 'card_locked');
      const right = await authenticate(app.cards, { pin: card.pin, password: '2580' });
      assert.equal(!right.ok && right.error.code, 'card_locked');
      const unlocked = await changeCardState(app.cards, {
        serial: card.serial,
        transition: 'unlock',
        reason: 'holder called',
      });
      assert.ok(unlocked.ok);
      assert.equal(unlocked.value.state, 'active');
      assert.equal(unlocked.value.failedAttempts, 0);
      const ok = await authenticate(app.cards, { pin: card.pin, password: '2580' });
      assert.ok(ok.ok);
    });

    test('refusals take at least the same floor whether or not the PIN exists', async () => {
      const { card } = await activeCard();
      const time = async (pin: string): Promise<number> => {
        const started = performance.now();
        const r = await authenticate(app.cards, { pin, password: '9753' });
        assert.equal(!r.ok && r.error.code, 'credentials_invalid');
        return performance.now() - started;
      };
      // A lower bound only: both answers wait for the floor (slow machines only add time).
      assert.ok((await time('0000-0000-0000-0000-0000')) >= limits.authFailureFloorMs - 1);
      assert.ok((await time(card.pin)) >= limits.authFailureFloorMs - 1);
    });

    test('concurrent wrong passwords are all counted: the card locks', async () => {
      const { card, id } = await activeCard();
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          authenticate(app.cards, { pin: card.pin, password: '9753' }),
        ),
      );
      assert.ok(results.every((r) => !r.ok));
      const after = await getCard(app.cards, app.db.kysely, { id });
      assert.ok(after.ok);
      assert.equal(after.value.state, 'locked');
      assert.ok(after.value.failedAttempts >= limits.pinAttemptsMax);
    });

    test('password change needs the current password', async () => {
      const { card } = await activeCard('2580');
      const wrong = await changePassword(app.cards, {
        pin: card.pin,
        password: '1357',
        newPassword: '8642',
      });
      assert.equal(!wrong.ok && wrong.error.code, 'credentials_invalid');
      const weak = await changePassword(app.cards, {
        pin: card.pin,
        password: '2580',
        newPassword: '1234',
      });
      assert.equal(!weak.ok && weak.error.code, 'password_too_weak');
      const good = await changePassword(app.cards, {
        pin: card.pin,
        password: '2580',
        newPassword: '8642',
      });
      assert.ok(good.ok);
      assert.ok((await authenticate(app.cards, { pin: card.pin, password: '8642' })).ok);
      const old = await authenticate(app.cards, { pin: card.pin, password: '2580' });
      assert.equal(!old.ok && old.error.code, 'credentials_invalid');
    });

    test('recharge: limits, replay, conflicts; refusals change nothing', async () => {
      const { id } = await activeCard();
      const ok = await rechargeCard(app.cards, {
        cardId: id,
        amountMinor: 20_000n,
        currency: 'KRW',
        transferId: 'rch_1',
      });
      assert.ok(ok.ok);
      assert.equal(ok.value.availableMinor, 30_000n);
      const replay = await rechargeCard(app.cards, {
        cardId: id,
        amountMinor: 20_000n,
        currency: 'KRW',
        transferId: 'rch_1',
      });
      assert.ok(replay.ok);
      assert.equal(replay.value.replayed, true);
      assert.equal(replay.value.availableMinor, 30_000n);
      const before = await snapshot(app.db);
      const cases = [
        [{ amountMinor: 20_001n, transferId: 'rch_1' }, 'idempotency_conflict'],
        [{ amountMinor: 0n, transferId: 'rch_2' }, 'amount_must_be_positive'],
        [{ amountMinor: -5n, transferId: 'rch_2' }, 'amount_must_be_positive'],
        [{ amountMinor: 2n ** 53n, transferId: 'rch_2' }, 'amount_exceeds_limit'],
        [
          { amountMinor: limits.rechargeMaxMinor.KRW + 1n, transferId: 'rch_2' },
          'recharge_exceeds_limit',
        ],
        [{ amountMinor: 1_000n, transferId: 'rch_2', currency: 'USD' }, 'currency_mismatch'],
        [{ amountMinor: 1_000n, transferId: 'rch_2', cardId: 'card_nope' }, 'card_not_found'],
      ] as const;
      for (const [over, code] of cases) {
        const r = await rechargeCard(app.cards, { cardId: id, currency: 'KRW', ...over });
        assert.equal(
          !r.ok && r.error.code,
          code,
          JSON.stringify(over, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
        );
      }
      // Up to the maximum balance, then one won more is refused.
      for (let i = 0; i < 2; i += 1) {
        const r = await rechargeCard(app.cards, {
          cardId: id,
          amountMinor: 985_000n,
          currency: 'KRW',
          transferId: `rch_fill_${i}`,
        });
        assert.ok(r.ok);
      }
      const full = await rechargeCard(app.cards, {
        cardId: id,
        amountMinor: 1n,
        currency: 'KRW',
        transferId: 'rch_over',
      });
      assert.equal(!full.ok && full.error.code, 'balance_exceeds_limit');
      assert.notEqual(await snapshot(app.db), before);
    });

    test('spend: holds and debits within the balance; locked and suspended cards do not spend', async () => {
      const { card, id } = await activeCard();
      const hold = await spend(app.cards, {
        cardId: id,
        creditAccountId: SHOP,
        amountMinor: 7_000n,
        currency: 'KRW',
        transferId: 'auth_1',
        code: 'authorization',
        holdTimeoutMs: 60_000n,
      });
      assert.ok(hold.ok);
      assert.equal(hold.value.availableMinor, 3_000n);
      const before = await snapshot(app.db);
      const over = await spend(app.cards, {
        cardId: id,
        creditAccountId: SHOP,
        amountMinor: 3_001n,
        currency: 'KRW',
        transferId: 'auth_2',
        code: 'authorization',
        holdTimeoutMs: 60_000n,
      });
      assert.equal(!over.ok && over.error.code, 'insufficient_funds');
      assert.equal(await snapshot(app.db), before);
      const debit = await spend(app.cards, {
        cardId: id,
        creditAccountId: SHOP,
        amountMinor: 3_000n,
        currency: 'KRW',
        transferId: 'vm_1',
        code: 'voicemail',
      });
      assert.ok(debit.ok);
      assert.equal(debit.value.availableMinor, 0n);
      const posted = await app.ledger.submit(
        [
          {
            id: 'cap_1',
            pendingId: 'auth_1',
            code: 'capture',
            flags: TransferFlags.postPending,
            amountMinor: 5_000n,
          },
        ],
        t.clock.nowMs(),
      );
      assert.deepEqual(posted, ['ok']);
      const balance = await cardBalance(app.cards, app.db.kysely, id);
      assert.equal(balance.ok && balance.value.balanceMinor, 2_000n);
      await changeCardState(app.cards, {
        serial: card.serial,
        transition: 'suspend',
        reason: 'holder asked',
      });
      const suspended = await spend(app.cards, {
        cardId: id,
        creditAccountId: SHOP,
        amountMinor: 1n,
        currency: 'KRW',
        transferId: 'vm_2',
        code: 'voicemail',
      });
      assert.equal(!suspended.ok && suspended.error.code, 'card_not_active');
      await changeCardState(app.cards, {
        serial: card.serial,
        transition: 'resume',
        reason: 'holder asked',
      });
      await changeCardState(app.cards, {
        serial: card.serial,
        transition: 'lock_operator',
        reason: 'fraud check',
      });
      const locked = await spend(app.cards, {
        cardId: id,
        creditAccountId: SHOP,
        amountMinor: 1n,
        currency: 'KRW',
        transferId: 'vm_3',
        code: 'voicemail',
      });
      assert.equal(!locked.ok && locked.error.code, 'card_locked');
      const close = await changeCardState(app.cards, {
        serial: card.serial,
        transition: 'close',
        reason: 'x',
      });
      assert.equal(!close.ok && close.error.code, 'card_state_invalid');
    });

    test('statement: newest first, balance after each entry, filters and pages', async () => {
      const { id } = await activeCard();
      t.clock.advance(1_000n);
      await rechargeCard(app.cards, {
        cardId: id,
        amountMinor: 5_000n,
        currency: 'KRW',
        transferId: 'st_r1',
      });
      t.clock.advance(1_000n);
      await spend(app.cards, {
        cardId: id,
        creditAccountId: SHOP,
        amountMinor: 2_500n,
        currency: 'KRW',
        transferId: 'st_p1',
        code: 'payment',
        reference: 'order 9',
      });
      t.clock.advance(1_000n);
      await spend(app.cards, {
        cardId: id,
        creditAccountId: SHOP,
        amountMinor: 1_000n,
        currency: 'KRW',
        transferId: 'st_h1',
        code: 'authorization',
        holdTimeoutMs: 60_000n,
      });
      const all = await cardStatement(app.cards, app.db.kysely, id);
      assert.ok(all.ok);
      assert.deepEqual(
        all.value.entries.map((e) => e.kind),
        ['authorization', 'payment', 'recharge', 'sale'],
      );
      assert.deepEqual(
        all.value.entries.map((e) => e.amountMinor),
        [-1_000n, -2_500n, 5_000n, 10_000n],
      );
      assert.deepEqual(
        all.value.entries.map((e) => e.balanceAfterMinor),
        [11_500n, 12_500n, 15_000n, 10_000n],
      );
      assert.equal(all.value.entries[0]?.heldAfterMinor, 1_000n);
      assert.equal(all.value.entries[1]?.counterparty.code, 'merchant_payable');
      assert.equal(all.value.entries[1]?.reference, 'order 9');
      assert.equal(all.value.balanceMinor, 11_500n);
      assert.equal(all.value.nextCursor, null);
      const page1 = await cardStatement(app.cards, app.db.kysely, id, { limit: 3 });
      assert.ok(page1.ok && page1.value.nextCursor !== null);
      const page2 = await cardStatement(app.cards, app.db.kysely, id, {
        limit: 3,
        cursor: page1.value.nextCursor,
      });
      assert.ok(page2.ok);
      assert.deepEqual(
        page2.value.entries.map((e) => e.kind),
        ['sale'],
      );
      const kinds = await cardStatement(app.cards, app.db.kysely, id, {
        kinds: ['recharge', 'payment'],
      });
      assert.deepEqual(kinds.ok && kinds.value.entries.map((e) => e.kind), ['payment', 'recharge']);
      const now = t.clock.nowMs();
      const period = await cardStatement(app.cards, app.db.kysely, id, {
        fromMs: now - 2_000n,
        toMs: now,
      });
      assert.deepEqual(period.ok && period.value.entries.map((e) => e.kind), [
        'payment',
        'recharge',
      ]);
      const badPeriod = await cardStatement(app.cards, app.db.kysely, id, {
        fromMs: now,
        toMs: now,
      });
      assert.equal(!badPeriod.ok && badPeriod.error.code, 'period_invalid');
      const badLimit = await cardStatement(app.cards, app.db.kysely, id, {
        limit: limits.pageSizeMax + 1,
      });
      assert.equal(!badLimit.ok && badLimit.error.code, 'parameter_invalid');
      const badCursor = await cardStatement(app.cards, app.db.kysely, id, { cursor: 'abc' });
      assert.equal(!badCursor.ok && badCursor.error.code, 'parameter_invalid');
    });

    test('expiry: the balance goes to breakage; held value follows once released', async () => {
      const { id } = await activeCard();
      await spend(app.cards, {
        cardId: id,
        creditAccountId: SHOP,
        amountMinor: 4_000n,
        currency: 'KRW',
        transferId: 'exp_hold',
        code: 'authorization',
        holdTimeoutMs: limits.holdTimeoutMaxMs,
      });
      const card = await getCard(app.cards, app.db.kysely, { id });
      assert.ok(card.ok && card.value.expiresAtMs !== null);
      const breakage = systemAccountId('KRW', 'breakage');
      const before = (await app.ledger.getAccount(app.db.kysely, breakage))?.creditsPosted ?? 0n;
      t.clock.set(card.value.expiresAtMs);
      const report = await expireDueCards(app.cards, 1_000);
      assert.ok(report.expired >= 1);
      const expired = await cardBalance(app.cards, app.db.kysely, id);
      assert.ok(expired.ok);
      assert.equal(expired.value.state, 'expired');
      assert.equal(expired.value.balanceMinor, 0n);
      assert.equal(expired.value.heldMinor, 4_000n);
      const spent = await spend(app.cards, {
        cardId: id,
        creditAccountId: SHOP,
        amountMinor: 1n,
        currency: 'KRW',
        transferId: 'exp_after',
        code: 'payment',
      });
      assert.equal(!spent.ok && spent.error.code, 'card_not_active');
      // The hold outlives nothing here: by the card's expiry its own timeout has passed too, so
      // the worker's hold expiry releases it, and the next card pass sweeps the released value.
      t.clock.advance(limits.holdTimeoutMaxMs);
      assert.ok((await expireDueHolds(app, t.clock.nowMs())) >= 1);
      t.clock.advance(1n);
      await expireDueCards(app.cards, 1_000);
      const swept = await cardBalance(app.cards, app.db.kysely, id);
      assert.equal(swept.ok && swept.value.balanceMinor, 0n);
      const afterBreakage =
        (await app.ledger.getAccount(app.db.kysely, breakage))?.creditsPosted ?? 0n;
      assert.ok(afterBreakage - before >= 10_000n, 'the whole face value ended in breakage');
      t.clock.set(1_767_225_600_000n + 30n * MS_PER_DAY);
    });

    test('key rotation: wrapped hashes keep old cards working, use re-hashes them', async () => {
      const { card, password } = await activeCard();
      const ring = app.cards.keys;
      const rotated = {
        ...ring,
        pinKeys: [...ring.pinKeys, { id: 'k2', secret: randomBytes(32) }],
      };
      const app2 = wireApp(app.db, rotated, t.clock);
      let total = 0;
      for (let i = 0; i < 100; i += 1) {
        const n = await rekeyPass(app2.cards, 7);
        total += n;
        if (n === 0) break;
      }
      assert.ok(total >= stock.length, 'every card re-keyed');
      const chains = await sql<{
        pin_key_id: string;
      }>`select distinct pin_key_id from card`.execute(app.db.kysely);
      assert.deepEqual(
        chains.rows.map((r) => r.pin_key_id),
        ['k2/k1'],
      );
      const ok = await authenticate(app2.cards, { pin: card.pin, password });
      assert.ok(ok.ok);
      const row = await sql<{
        pin_key_id: string;
      }>`select pin_key_id from card where serial = ${card.serial}`.execute(app.db.kysely);
      assert.equal(row.rows[0]?.pin_key_id, 'k2');
      const stale = await authenticate(app.cards, { pin: card.pin, password });
      assert.equal(
        !stale.ok && stale.error.code,
        'credentials_invalid',
        'the old ring alone no longer opens it',
      );
    });
  });
}
