import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import {
  activateCard,
  cardBalance,
  changeCardState,
  expireDueCards,
  issueCards,
  rechargeCard,
  sellCard,
  spend,
  upsertDenomination,
} from '../../src/cards/index.ts';
import { MS_PER_DAY, limits } from '../../src/kernel/index.ts';
import { TransferFlags, verifyLedger } from '../../src/ledger/index.ts';
import { expireDueHolds } from '../../src/jobs/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';
import { openTestApp, type TestApp } from '../support/app.ts';

/**
 * Random command sequences run on the real service and on a small in-memory model. After every
 * step each card's state, balance and held amount match the model, every currency sums to zero
 * and no card is negative; `verify` passes at the end. The seed is printed; set
 * ONEPIN_MODEL_SEED (and ONEPIN_MODEL_PATH) to replay a failure.
 */
type Cmd =
  | { t: 'issue'; denomination: number }
  | { t: 'sell'; i: number }
  | { t: 'activate'; i: number; good: boolean }
  | { t: 'recharge'; i: number; amount: bigint }
  | { t: 'hold'; i: number; amount: bigint }
  | { t: 'post'; h: number; amount: bigint | null }
  | { t: 'void'; h: number }
  | { t: 'advance'; ms: bigint }
  | { t: 'expireHolds' }
  | { t: 'expireCards' }
  | { t: 'lock'; i: number }
  | { t: 'unlock'; i: number };

/** Denominations the model sells: two of the catalogue's, and two short-lived ones of its own. */
const DENOMS = [
  { id: 'den_krw_5000', face: 5_000n, validity: { kind: 'days_after_sale', days: 1_825n } },
  { id: 'den_krw_50000', face: 50_000n, validity: { kind: 'days_after_sale', days: 1_825n } },
  { id: 'den_model_short', face: 10_000n, validity: { kind: 'days_after_sale', days: 1n } },
  {
    id: 'den_model_first_use',
    face: 20_000n,
    validity: { kind: 'days_after_first_use', days: 1n },
  },
] as const;
const HOLD_TIMEOUT = 3_600_000n;
const VALIDITY = 1_825n * MS_PER_DAY;

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    arbitrary: fc.record({
      t: fc.constant('issue' as const),
      denomination: fc.nat(DENOMS.length - 1),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant('sell' as const), i: fc.nat(20) }), weight: 4 },
  {
    arbitrary: fc.record({
      t: fc.constant('activate' as const),
      i: fc.nat(20),
      good: fc.boolean(),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('recharge' as const),
      i: fc.nat(20),
      amount: fc.bigInt(1n, 1_200_000n),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('hold' as const),
      i: fc.nat(20),
      amount: fc.bigInt(1n, 30_000n),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('post' as const),
      h: fc.nat(30),
      amount: fc.option(fc.bigInt(1n, 20_000n), { freq: 2 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ t: fc.constant('void' as const), h: fc.nat(30) }), weight: 2 },
  {
    arbitrary: fc.record({
      t: fc.constant('advance' as const),
      ms: fc.oneof(
        { arbitrary: fc.bigInt(1n, 2n * HOLD_TIMEOUT), weight: 4 },
        { arbitrary: fc.bigInt(1n, 2n * MS_PER_DAY), weight: 2 },
        { arbitrary: fc.bigInt(1n, VALIDITY + MS_PER_DAY), weight: 1 },
      ),
    }),
    weight: 2,
  },
  { arbitrary: fc.constant({ t: 'expireHolds' as const }), weight: 2 },
  { arbitrary: fc.constant({ t: 'expireCards' as const }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('lock' as const), i: fc.nat(20) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('unlock' as const), i: fc.nat(20) }), weight: 1 },
);

interface ModelCard {
  serial: string;
  pin: string;
  id: string;
  face: bigint;
  validity: (typeof DENOMS)[number]['validity'];
  state: 'issued' | 'sold' | 'active' | 'locked' | 'expired';
  secret: string | null;
  secretExpiresAt: bigint;
  hasPassword: boolean;
  attempts: number;
  posted: bigint;
  expiresAt: bigint | null;
  breakageDue: boolean;
  used: boolean;
}
interface ModelHold {
  id: string;
  card: number;
  amount: bigint;
  expiresAt: bigint;
  status: 'pending' | 'posted' | 'voided' | 'expired';
}

function heldOf(holds: ModelHold[], card: number): bigint {
  return holds
    .filter((h) => h.card === card && h.status === 'pending')
    .reduce((s, h) => s + h.amount, 0n);
}

/** How many commands of each kind succeeded, to show the generator reaches deep states. */
export const reached = new Map<string, number>();
function count(kind: string, ok: boolean): void {
  if (ok) reached.set(kind, (reached.get(kind) ?? 0) + 1);
}

async function runSequence(t: TestApp, cmds: readonly Cmd[]): Promise<void> {
  const { app, clock } = t;
  const cards: ModelCard[] = [];
  const holds: ModelHold[] = [];
  let n = 0;
  const pick = (i: number): number | null => (cards.length === 0 ? null : i % cards.length);
  const live = (c: ModelCard): boolean => c.expiresAt === null || clock.nowMs() < c.expiresAt;

  for (const c of cmds) {
    n += 1;
    const now = clock.nowMs();
    switch (c.t) {
      case 'issue': {
        const d = DENOMS[c.denomination] ?? DENOMS[0];
        const r = await issueCards(app.cards, { denominationId: d.id, count: 1 });
        assert.ok(r.ok);
        const issued = r.value.cards[0];
        assert.ok(issued);
        cards.push({
          serial: issued.serial,
          pin: issued.pin,
          id: issued.cardId,
          face: d.face,
          validity: d.validity,
          state: 'issued',
          secret: null,
          secretExpiresAt: 0n,
          hasPassword: false,
          attempts: 0,
          posted: 0n,
          expiresAt: null,
          breakageDue: false,
          used: false,
        });
        break;
      }
      case 'sell': {
        const i = pick(c.i);
        if (i === null) break;
        const m = cards[i]!;
        const r = await sellCard(app.cards, {
          serial: m.serial,
          channel: 'web',
          activationKind: 'claim_link',
        });
        count('sell', r.ok);
        assert.equal(r.ok, m.state === 'issued', `sell ${m.state}`);
        if (r.ok) {
          Object.assign(m, {
            state: 'sold',
            secret: r.value.activationSecret,
            secretExpiresAt: now + limits.activationSecretTtlMs,
            posted: m.face,
            // "After first use" cards are bounded by five years after sale until first use.
            expiresAt:
              now + (m.validity.kind === 'days_after_sale' ? m.validity.days : 1_825n) * MS_PER_DAY,
          });
        }
        break;
      }
      case 'activate': {
        const i = pick(c.i);
        if (i === null) break;
        const m = cards[i]!;
        const r = await activateCard(app.cards, {
          pin: m.pin,
          activationSecret: c.good && m.secret !== null ? m.secret : 'wrong-secret',
          password: '2580',
        });
        const expect = m.state === 'sold' && c.good && m.secret !== null && now < m.secretExpiresAt;
        count('activate', r.ok);
        assert.equal(r.ok, expect, `activate ${m.state} good=${c.good}`);
        if (r.ok)
          Object.assign(m, { state: 'active', secret: null, hasPassword: true, attempts: 0 });
        else if (m.state !== 'locked') {
          // Every failed activation counts, whatever the state (the answer is uniform), and
          // locks a card that can be locked once the limit is reached.
          m.attempts += 1;
          if (m.attempts >= limits.pinAttemptsMax && (m.state === 'sold' || m.state === 'active')) {
            m.state = 'locked';
          }
        }
        break;
      }
      case 'recharge': {
        const i = pick(c.i);
        if (i === null) break;
        const m = cards[i]!;
        const r = await rechargeCard(app.cards, {
          cardId: m.id,
          amountMinor: c.amount,
          currency: 'KRW',
          transferId: `m_r_${n}`,
        });
        const expect =
          m.state === 'active' &&
          live(m) &&
          c.amount <= limits.rechargeMaxMinor.KRW &&
          m.posted + c.amount <= limits.cardBalanceMaxMinor.KRW;
        count('recharge', r.ok);
        assert.equal(r.ok, expect, `recharge ${m.state} ${c.amount}`);
        if (r.ok) m.posted += c.amount;
        break;
      }
      case 'hold': {
        const i = pick(c.i);
        if (i === null) break;
        const m = cards[i]!;
        const r = await spend(app.cards, {
          cardId: m.id,
          creditAccountId: 'acc_model_shop',
          amountMinor: c.amount,
          currency: 'KRW',
          transferId: `m_h_${n}`,
          code: 'authorization',
          holdTimeoutMs: HOLD_TIMEOUT,
        });
        const expect = m.state === 'active' && live(m) && c.amount <= m.posted - heldOf(holds, i);
        count('hold', r.ok);
        assert.equal(r.ok, expect, `hold ${m.state} ${c.amount}`);
        if (r.ok) {
          holds.push({
            id: `m_h_${n}`,
            card: i,
            amount: c.amount,
            expiresAt: now + HOLD_TIMEOUT,
            status: 'pending',
          });
          if (m.validity.kind === 'days_after_first_use' && !m.used) {
            const fromUse = now + m.validity.days * MS_PER_DAY;
            m.expiresAt = m.expiresAt !== null && m.expiresAt < fromUse ? m.expiresAt : fromUse;
          }
          m.used = true;
        }
        break;
      }
      case 'post':
      case 'void': {
        if (holds.length === 0) break;
        const h = holds[c.h % holds.length]!;
        const amount = c.t === 'post' ? c.amount : null;
        const [result] = await app.ledger.submit(
          [
            {
              id: `m_${c.t}_${n}`,
              pendingId: h.id,
              code: c.t === 'post' ? 'capture' : 'void',
              flags: c.t === 'post' ? TransferFlags.postPending : TransferFlags.voidPending,
              ...(amount !== null ? { amountMinor: amount } : {}),
            },
          ],
          now,
        );
        const expect =
          h.status === 'pending' && now < h.expiresAt && (amount === null || amount <= h.amount);
        count(amount !== null && amount < h.amount ? 'post_partial' : c.t, result === 'ok');
        assert.equal(result === 'ok', expect, `${c.t} ${h.status} → ${result ?? 'none'}`);
        if (result === 'ok') {
          const m = cards[h.card]!;
          if (c.t === 'post') {
            m.posted -= amount ?? h.amount;
            h.status = 'posted';
          } else h.status = 'voided';
        }
        break;
      }
      case 'advance':
        clock.advance(c.ms);
        break;
      case 'expireHolds': {
        count('hold_expired', (await expireDueHolds(app, now)) > 0);
        for (const h of holds)
          if (h.status === 'pending' && h.expiresAt <= now) h.status = 'expired';
        break;
      }
      case 'expireCards': {
        const expiry = await expireDueCards(app.cards, 10_000);
        count('card_expired', expiry.expired > 0);
        for (const [i, m] of cards.entries()) {
          const due =
            (m.state === 'sold' || m.state === 'active' || m.state === 'locked') &&
            m.expiresAt !== null &&
            m.expiresAt <= now;
          if (due) m.state = 'expired';
          if (m.state === 'expired' && (due || m.breakageDue)) {
            const held = heldOf(holds, i);
            m.posted = held; // everything not held goes to breakage
            m.breakageDue = held > 0n;
          }
        }
        break;
      }
      case 'lock':
      case 'unlock': {
        const i = pick(c.i);
        if (i === null) break;
        const m = cards[i]!;
        const r = await changeCardState(app.cards, {
          serial: m.serial,
          transition: c.t === 'lock' ? 'lock_operator' : 'unlock',
          reason: 'model',
        });
        const expect =
          c.t === 'lock' ? m.state === 'sold' || m.state === 'active' : m.state === 'locked';
        assert.equal(r.ok, expect, `${c.t} ${m.state}`);
        if (r.ok) {
          m.state = c.t === 'lock' ? 'locked' : m.hasPassword ? 'active' : 'sold';
          if (c.t === 'unlock') m.attempts = 0;
        }
        break;
      }
    }
    // After every step: each card matches the model, the books balance, nothing is negative.
    for (const [i, m] of cards.entries()) {
      const b = await cardBalance(app.cards, app.db.kysely, m.id);
      assert.ok(b.ok);
      assert.equal(b.value.state, m.state, `card ${i} state after step ${n} (${c.t})`);
      assert.equal(b.value.heldMinor, heldOf(holds, i), `card ${i} held after step ${n} (${c.t})`);
      assert.equal(
        b.value.balanceMinor,
        m.posted - heldOf(holds, i),
        `card ${i} balance after step ${n} (${c.t})`,
      );
      assert.ok(b.value.balanceMinor >= 0n);
    }
    const sums = await sql<{ currency: string; dp: bigint; cp: bigint; dq: bigint; cq: bigint }>`
      select currency, sum(debits_posted) as dp, sum(credits_posted) as cp,
             sum(debits_pending) as dq, sum(credits_pending) as cq
      from ledger_account group by currency`.execute(app.db.kysely);
    for (const s of sums.rows) {
      assert.equal(BigInt(s.dp), BigInt(s.cp), `${s.currency} posted sums to zero`);
      assert.equal(BigInt(s.dq), BigInt(s.cq), `${s.currency} pending sums to zero`);
    }
  }
  const report = await verifyLedger(app.db);
  assert.equal(report.ok, true, report.problems.join('\n'));
}

const seedFromEnv = process.env.ONEPIN_MODEL_SEED;
const pathFromEnv = process.env.ONEPIN_MODEL_PATH;

for (const target of DATABASES) {
  describe(`model-based test on ${target.name}`, { skip: target.skip }, () => {
    test('random command sequences agree with the model', async () => {
      const seed = seedFromEnv !== undefined ? Number(seedFromEnv) : Date.now() % 2_147_483_647;
      console.log(`model test seed on ${target.name}: ${seed} (replay: ONEPIN_MODEL_SEED=${seed})`);
      await fc.assert(
        fc.asyncProperty(
          fc.array(cmd, { minLength: 30, maxLength: 90, size: 'max' }),
          async (cmds) => {
            const t = await openTestApp(target);
            try {
              await writeTransaction(t.app.db, async (tx) => {
                await t.app.ledger.createAccounts(
                  tx,
                  [{ id: 'acc_model_shop', currency: 'KRW', code: 'merchant_payable', flags: 1n }],
                  t.clock.nowMs(),
                );
                for (const d of DENOMS) {
                  const added = await upsertDenomination(
                    tx,
                    {
                      id: d.id,
                      amountMinor: d.face,
                      currency: 'KRW',
                      name: d.id,
                      design: 'model',
                      validity: d.validity,
                      onSale: true,
                    },
                    t.clock.nowMs(),
                  );
                  assert.ok(added.ok);
                }
              });
              await runSequence(t, cmds);
            } finally {
              await t.dispose();
            }
          },
        ),
        {
          seed,
          numRuns: target.name === 'sqlite' ? 80 : 15,
          ...(pathFromEnv !== undefined ? { path: pathFromEnv } : {}),
          endOnFailure: target.name !== 'sqlite',
        },
      );
      console.log(`model test reached: ${JSON.stringify(Object.fromEntries(reached))}`);
      for (const kind of [
        'sell',
        'activate',
        'recharge',
        'hold',
        'post',
        'post_partial',
        'void',
        'card_expired',
        'hold_expired',
      ]) {
        assert.ok((reached.get(kind) ?? 0) > 0, `the generator never reached a successful ${kind}`);
      }
    });
  });
}
