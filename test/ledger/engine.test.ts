import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AccountFlags,
  TRANSFER_RESULTS,
  TransferFlags,
  applyBatch,
  type Account,
  type LedgerState,
  type PendingHold,
  type StoredTransfer,
  type TransferRequest,
  type TransferResult,
} from '../../src/ledger/index.ts';

const NOW = 1_000_000n;

function account(id: string, over: Partial<Account> = {}): Account {
  return {
    id,
    currency: 'KRW',
    code: 'card',
    flags: 0n,
    ownerRef: null,
    debitsPending: 0n,
    debitsPosted: 0n,
    creditsPending: 0n,
    creditsPosted: 0n,
    createdAtMs: 0n,
    ...over,
  };
}

/** A fixed world: a card with 10,000, a merchant, the funding account, a USD account, a hold. */
function world(): LedgerState {
  const accounts = new Map<string, Account>([
    [
      'card',
      account('card', {
        flags: AccountFlags.debitsMustNotExceedCredits,
        creditsPosted: 10_000n,
        debitsPending: 1_000n,
      }),
    ],
    ['shop', account('shop', { code: 'merchant_payable', creditsPending: 1_000n })],
    ['fund', account('fund', { code: 'funding_clearing', debitsPosted: 10_000n })],
    ['usd', account('usd', { currency: 'USD' })],
    ['cap', account('cap', { flags: AccountFlags.creditsMustNotExceedDebits })],
  ]);
  const existing: StoredTransfer = {
    id: 'sale1',
    debitAccountId: 'fund',
    creditAccountId: 'card',
    amountMinor: 10_000n,
    currency: 'KRW',
    code: 'sale',
    flags: 0,
    pendingId: null,
    timeoutMs: 0n,
    reference: 'order-1',
    createdAtMs: 1n,
  };
  const holdTransfer: StoredTransfer = {
    id: 'hold1',
    debitAccountId: 'card',
    creditAccountId: 'shop',
    amountMinor: 1_000n,
    currency: 'KRW',
    code: 'authorization',
    flags: TransferFlags.pending,
    pendingId: null,
    timeoutMs: 60_000n,
    reference: '',
    createdAtMs: 1n,
  };
  const hold: PendingHold = {
    transferId: 'hold1',
    debitAccountId: 'card',
    creditAccountId: 'shop',
    amountMinor: 1_000n,
    currency: 'KRW',
    status: 'pending',
    expiresAtMs: NOW + 60_000n,
    amountPostedMinor: 0n,
    resolvedBy: null,
  };
  return {
    accounts,
    transfers: new Map([
      [existing.id, existing],
      [holdTransfer.id, holdTransfer],
    ]),
    pendings: new Map([[hold.transferId, hold]]),
  };
}

function run(req: TransferRequest, state = world()): TransferResult {
  const plan = applyBatch(state, [req], NOW);
  return plan.results[0] ?? assert.fail('no result');
}

const base = {
  id: 't1',
  debitAccountId: 'card',
  creditAccountId: 'shop',
  amountMinor: 500n,
  currency: 'KRW',
  code: 'payment',
} as const;

/**
 * Each row breaks one more rule than the row after it would notice: the rows are in the order of
 * precedence, and the last is valid. A row that breaks two rules proves which one wins.
 */
const NEW_TRANSFER_TABLE: readonly (readonly [TransferResult, TransferRequest])[] = [
  ['id_invalid', { ...base, id: 'bad id with spaces', flags: 1024 }],
  ['reserved_flag', { ...base, flags: 1024 | TransferFlags.pending | TransferFlags.postPending }],
  [
    'flags_are_mutually_exclusive',
    { ...base, flags: TransferFlags.pending | TransferFlags.postPending, amountMinor: -1n },
  ],
  ['pending_id_must_be_empty', { ...base, pendingId: 'hold1', amountMinor: -1n }],
  ['timeout_reserved_for_pending_transfer', { ...base, timeoutMs: 10n, amountMinor: -1n }],
  [
    'timeout_exceeds_limit',
    { ...base, flags: TransferFlags.pending, timeoutMs: 10n ** 12n, debitAccountId: '' },
  ],
  ['debit_account_id_must_not_be_empty', { ...base, debitAccountId: '', creditAccountId: '' }],
  ['credit_account_id_must_not_be_empty', { ...base, creditAccountId: '', amountMinor: 0n }],
  ['accounts_must_be_different', { ...base, creditAccountId: 'card', amountMinor: 0n }],
  ['amount_must_be_positive', { ...base, amountMinor: 0n, currency: 'XXX' }],
  ['amount_must_be_positive', { ...base, amountMinor: -5n }],
  ['amount_exceeds_limit', { ...base, amountMinor: 2n ** 53n, currency: 'XXX' }],
  ['currency_invalid', { ...base, currency: 'XXX', code: 'Bad Code' }],
  ['code_invalid', { ...base, code: 'Bad Code', reference: 'x'.repeat(200) }],
  ['reference_too_long', { ...base, id: 'sale1', reference: 'x'.repeat(200) }],
  [
    'exists_with_different_flags',
    {
      id: 'sale1',
      debitAccountId: 'x',
      creditAccountId: 'card',
      amountMinor: 1n,
      currency: 'KRW',
      code: 'sale',
      flags: TransferFlags.pending,
    },
  ],
  [
    'exists_with_different_debit_account_id',
    {
      id: 'sale1',
      debitAccountId: 'shop',
      creditAccountId: 'card',
      amountMinor: 1n,
      currency: 'KRW',
      code: 'sale',
    },
  ],
  [
    'exists_with_different_credit_account_id',
    {
      id: 'sale1',
      debitAccountId: 'fund',
      creditAccountId: 'shop',
      amountMinor: 1n,
      currency: 'KRW',
      code: 'sale',
    },
  ],
  [
    'exists_with_different_amount',
    {
      id: 'sale1',
      debitAccountId: 'fund',
      creditAccountId: 'card',
      amountMinor: 1n,
      currency: 'USD',
      code: 'sale',
    },
  ],
  [
    'exists_with_different_currency',
    {
      id: 'sale1',
      debitAccountId: 'fund',
      creditAccountId: 'card',
      amountMinor: 10_000n,
      currency: 'USD',
      code: 'x',
    },
  ],
  [
    'exists_with_different_code',
    {
      id: 'sale1',
      debitAccountId: 'fund',
      creditAccountId: 'card',
      amountMinor: 10_000n,
      currency: 'KRW',
      code: 'x',
      reference: 'other',
    },
  ],
  [
    'exists_with_different_reference',
    {
      id: 'sale1',
      debitAccountId: 'fund',
      creditAccountId: 'card',
      amountMinor: 10_000n,
      currency: 'KRW',
      code: 'sale',
      reference: 'other',
    },
  ],
  [
    'exists',
    {
      id: 'sale1',
      debitAccountId: 'fund',
      creditAccountId: 'card',
      amountMinor: 10_000n,
      currency: 'KRW',
      code: 'sale',
      reference: 'order-1',
    },
  ],
  ['debit_account_not_found', { ...base, debitAccountId: 'nope', creditAccountId: 'nope2' }],
  ['credit_account_not_found', { ...base, creditAccountId: 'nope' }],
  ['accounts_must_have_the_same_currency', { ...base, creditAccountId: 'usd', currency: 'USD' }],
  [
    'transfer_must_have_the_same_currency_as_accounts',
    { ...base, currency: 'USD', amountMinor: 1_000_000n },
  ],
  ['exceeds_credits', { ...base, amountMinor: 9_001n }],
  ['exceeds_debits', { ...base, debitAccountId: 'fund', creditAccountId: 'cap' }],
  ['ok', { ...base, amountMinor: 9_000n }],
];

const post = {
  id: 'p1',
  pendingId: 'hold1',
  code: 'capture',
  flags: TransferFlags.postPending,
} as const;

const RESOLVE_TABLE: readonly (readonly [TransferResult, TransferRequest, LedgerState?])[] = [
  ['pending_id_must_not_be_empty', { id: 'p1', code: 'capture', flags: TransferFlags.postPending }],
  ['pending_id_must_be_different', { ...post, id: 'hold1' }],
  ['amount_must_be_positive', { ...post, amountMinor: 0n }],
  [
    'amount_must_be_empty',
    {
      id: 'v1',
      pendingId: 'hold1',
      code: 'void',
      flags: TransferFlags.voidPending,
      amountMinor: 5n,
    },
  ],
  ['amount_exceeds_limit', { ...post, amountMinor: 2n ** 60n }],
  ['currency_invalid', { ...post, currency: 'ZZZ' }],
  ['pending_transfer_not_found', { ...post, pendingId: 'nope' }],
  ['pending_transfer_not_pending', { ...post, pendingId: 'sale1' }],
  ['pending_transfer_has_different_debit_account_id', { ...post, debitAccountId: 'fund' }],
  ['pending_transfer_has_different_credit_account_id', { ...post, creditAccountId: 'fund' }],
  ['pending_transfer_has_different_currency', { ...post, currency: 'USD' }],
  ['pending_transfer_already_posted', post, withHold({ status: 'posted' })],
  ['pending_transfer_already_voided', post, withHold({ status: 'voided' })],
  ['pending_transfer_already_expired', post, withHold({ status: 'expired' })],
  ['pending_transfer_expired', post, withHold({ expiresAtMs: NOW })],
  [
    'pending_transfer_not_expired',
    { id: 'e1', pendingId: 'hold1', code: 'expiry', flags: TransferFlags.expirePending },
  ],
  ['exceeds_pending_transfer_amount', { ...post, amountMinor: 1_001n }],
  ['ok', { ...post, amountMinor: 400n }],
];

function withHold(over: Partial<PendingHold>): LedgerState {
  const state = world();
  const hold = state.pendings.get('hold1');
  assert.ok(hold);
  state.pendings.set('hold1', { ...hold, ...over });
  return state;
}

describe('ledger rules (pure engine)', () => {
  test('new transfers: invalid cases in order of precedence, then the valid one', () => {
    let lastIndex = -1;
    for (const [expected, req] of NEW_TRANSFER_TABLE) {
      const got = run(req);
      assert.equal(
        got,
        expected,
        `request ${JSON.stringify(req, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
      );
      const index = TRANSFER_RESULTS.indexOf(expected);
      assert.ok(index >= lastIndex || expected === 'ok', `${expected} listed in precedence order`);
      if (expected !== 'ok') lastIndex = index;
    }
  });

  test('resolving transfers: invalid cases in order of precedence, then the valid one', () => {
    for (const [expected, req, state] of RESOLVE_TABLE) {
      assert.equal(run(req, state ?? world()), expected, `${expected}`);
    }
  });

  test('no money moves on any failure', () => {
    for (const [expected, req, state] of [...NEW_TRANSFER_TABLE, ...RESOLVE_TABLE]) {
      if (expected === 'ok') continue;
      const plan = applyBatch(state ?? world(), [req], NOW);
      assert.equal(plan.transfers.length, 0);
      assert.equal(plan.postings.length, 0);
      assert.equal(plan.accounts.size, 0);
    }
  });

  test('partial post moves the posted part and releases the rest', () => {
    const plan = applyBatch(world(), [{ ...post, amountMinor: 400n }], NOW);
    const card = plan.accounts.get('card');
    const shop = plan.accounts.get('shop');
    assert.deepEqual([card?.debitsPending, card?.debitsPosted], [0n, 400n]);
    assert.deepEqual([shop?.creditsPending, shop?.creditsPosted], [0n, 400n]);
    assert.equal(plan.resolvedPendings[0]?.status, 'posted');
    assert.equal(plan.resolvedPendings[0]?.amountPostedMinor, 400n);
  });

  test('void and expire release the whole hold', () => {
    const voided = applyBatch(
      world(),
      [{ id: 'v1', pendingId: 'hold1', code: 'void', flags: TransferFlags.voidPending }],
      NOW,
    );
    assert.equal(voided.results[0], 'ok');
    assert.equal(voided.accounts.get('card')?.debitsPending, 0n);
    assert.equal(voided.resolvedPendings[0]?.status, 'voided');
    const expired = applyBatch(
      withHold({ expiresAtMs: NOW }),
      [{ id: 'e1', pendingId: 'hold1', code: 'expiry', flags: TransferFlags.expirePending }],
      NOW,
    );
    assert.equal(expired.results[0], 'ok');
    assert.equal(expired.resolvedPendings[0]?.status, 'expired');
  });

  test('a hold resolves once even inside one batch', () => {
    const plan = applyBatch(
      world(),
      [post, { id: 'v2', pendingId: 'hold1', code: 'void', flags: TransferFlags.voidPending }],
      NOW,
    );
    assert.deepEqual(plan.results, ['ok', 'pending_transfer_already_posted']);
  });

  test('linked chain: all or nothing', () => {
    const chain: TransferRequest[] = [
      { ...base, id: 'l1', amountMinor: 5_000n, flags: TransferFlags.linked },
      { ...base, id: 'l2', amountMinor: 5_000n, flags: TransferFlags.linked },
      { ...base, id: 'l3', amountMinor: 1n },
      { ...base, id: 'after', amountMinor: 100n },
    ];
    const plan = applyBatch(world(), chain, NOW);
    assert.deepEqual(plan.results, [
      'linked_event_failed',
      'exceeds_credits',
      'linked_event_failed',
      'ok',
    ]);
    assert.equal(plan.transfers.length, 1);
    assert.equal(plan.accounts.get('card')?.debitsPosted, 100n);
    const ok = applyBatch(
      world(),
      [
        { ...base, id: 'a', amountMinor: 100n, flags: TransferFlags.linked },
        { ...base, id: 'b', amountMinor: 200n },
      ],
      NOW,
    );
    assert.deepEqual(ok.results, ['ok', 'ok']);
    assert.equal(ok.accounts.get('card')?.debitsPosted, 300n);
  });

  test('a chain left open at the end of the batch fails whole', () => {
    const plan = applyBatch(
      world(),
      [
        { ...base, id: 'a', flags: TransferFlags.linked },
        { ...base, id: 'b', flags: TransferFlags.linked },
      ],
      NOW,
    );
    assert.deepEqual(plan.results, ['linked_event_failed', 'linked_event_chain_open']);
    assert.equal(plan.transfers.length, 0);
  });

  test('the same id twice in one batch: second is exists', () => {
    const plan = applyBatch(
      world(),
      [
        { ...base, amountMinor: 100n },
        { ...base, amountMinor: 100n },
        { ...base, amountMinor: 101n },
      ],
      NOW,
    );
    assert.deepEqual(plan.results, ['ok', 'exists', 'exists_with_different_amount']);
    assert.equal(plan.accounts.get('card')?.debitsPosted, 100n);
  });
});
