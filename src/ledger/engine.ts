import { assert } from '../kernel/index.ts';
import { isValidCallerId } from '../kernel/index.ts';
import { limits } from '../kernel/index.ts';
import { isCurrency } from '../kernel/index.ts';
import { AccountFlags } from './chart.ts';
import { firstByPrecedence, type TransferResult } from './result-codes.ts';
import {
  TransferFlags,
  type Account,
  type AccountTotals,
  type PendingHold,
  type Posting,
  type StoredTransfer,
  type TransferRequest,
} from './types.ts';

/**
 * The ledger's rules as a pure function: given the accounts, transfers and holds a batch can
 * touch, decide every transfer's result and the changes to make. No I/O and no clock: the
 * storage layer loads the state, calls `applyBatch`, and writes what it returns.
 */
export interface LedgerState {
  readonly accounts: Map<string, Account>;
  /** Existing transfers among the batch's ids. */
  readonly transfers: Map<string, StoredTransfer>;
  /** Pending holds among the batch's pending ids. */
  readonly pendings: Map<string, PendingHold>;
}

export interface BatchPlan {
  readonly results: readonly TransferResult[];
  readonly transfers: readonly StoredTransfer[];
  readonly newPendings: readonly PendingHold[];
  readonly resolvedPendings: readonly PendingHold[];
  readonly postings: readonly Posting[];
  /** Accounts whose totals changed, as they are after the batch. */
  readonly accounts: ReadonlyMap<string, Account>;
}

const CODE_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
const RESOLVING =
  TransferFlags.postPending | TransferFlags.voidPending | TransferFlags.expirePending;
const KNOWN_FLAGS = TransferFlags.linked | TransferFlags.pending | RESOLVING;

function has(flags: number, flag: number): boolean {
  return (flags & flag) !== 0;
}

function bitCount(n: number): number {
  let count = 0;
  for (let v = n; v !== 0; v &= v - 1) count += 1;
  return count;
}

const ZERO: AccountTotals = {
  debitsPending: 0n,
  debitsPosted: 0n,
  creditsPending: 0n,
  creditsPosted: 0n,
};

function addTotals(a: AccountTotals, d: AccountTotals): AccountTotals {
  return {
    debitsPending: a.debitsPending + d.debitsPending,
    debitsPosted: a.debitsPosted + d.debitsPosted,
    creditsPending: a.creditsPending + d.creditsPending,
    creditsPosted: a.creditsPosted + d.creditsPosted,
  };
}

/**
 * Validation that needs nothing but the request itself, in the order of TRANSFER_RESULTS: each
 * check may assume that every check listed before it passed.
 */
function checkShape(req: TransferRequest): TransferResult | null {
  const flags = req.flags ?? 0;
  if (!isValidCallerId(req.id)) return 'id_invalid';
  if ((flags & ~KNOWN_FLAGS) !== 0) return 'reserved_flag';
  if (bitCount(flags & (TransferFlags.pending | RESOLVING)) > 1) {
    return 'flags_are_mutually_exclusive';
  }
  const resolving = has(flags, RESOLVING);
  if (!resolving && req.pendingId !== undefined) return 'pending_id_must_be_empty';
  if (resolving && (req.pendingId === undefined || req.pendingId === '')) {
    return 'pending_id_must_not_be_empty';
  }
  if (resolving && req.pendingId === req.id) return 'pending_id_must_be_different';
  if (req.timeoutMs !== undefined && req.timeoutMs !== 0n && !has(flags, TransferFlags.pending)) {
    return 'timeout_reserved_for_pending_transfer';
  }
  if (
    req.timeoutMs !== undefined &&
    (req.timeoutMs < 0n || req.timeoutMs > limits.holdTimeoutMaxMs)
  ) {
    return 'timeout_exceeds_limit';
  }
  if (!resolving) {
    if (req.debitAccountId === undefined || req.debitAccountId === '') {
      return 'debit_account_id_must_not_be_empty';
    }
    if (req.creditAccountId === undefined || req.creditAccountId === '') {
      return 'credit_account_id_must_not_be_empty';
    }
    if (req.debitAccountId === req.creditAccountId) return 'accounts_must_be_different';
  }
  const voiding = has(flags, TransferFlags.voidPending | TransferFlags.expirePending);
  if (voiding) {
    if (req.amountMinor !== undefined) return 'amount_must_be_empty';
  } else {
    // A post may leave the amount out (the whole hold); everything else must carry one.
    if (req.amountMinor === undefined && !resolving) return 'amount_must_be_positive';
    if (req.amountMinor !== undefined && req.amountMinor <= 0n) return 'amount_must_be_positive';
    if (req.amountMinor !== undefined && req.amountMinor > limits.amountMaxMinor) {
      return 'amount_exceeds_limit';
    }
  }
  if (!resolving && (req.currency === undefined || !isCurrency(req.currency))) {
    return 'currency_invalid';
  }
  if (resolving && req.currency !== undefined && !isCurrency(req.currency)) {
    return 'currency_invalid';
  }
  if (!CODE_PATTERN.test(req.code)) return 'code_invalid';
  if ((req.reference ?? '').length > limits.referenceLengthMax) return 'reference_too_long';
  return null;
}

/** Same id seen before: the same body is `exists`, anything else names the first difference. */
export function compareExisting(req: TransferRequest, old: StoredTransfer): TransferResult {
  const flags = req.flags ?? 0;
  if (flags !== old.flags) return 'exists_with_different_flags';
  if ((req.pendingId ?? null) !== old.pendingId) return 'exists_with_different_pending_id';
  if ((req.timeoutMs ?? 0n) !== old.timeoutMs) return 'exists_with_different_timeout';
  if (req.debitAccountId !== undefined && req.debitAccountId !== old.debitAccountId) {
    return 'exists_with_different_debit_account_id';
  }
  if (req.creditAccountId !== undefined && req.creditAccountId !== old.creditAccountId) {
    return 'exists_with_different_credit_account_id';
  }
  if (req.amountMinor !== undefined && req.amountMinor !== old.amountMinor) {
    return 'exists_with_different_amount';
  }
  if (req.currency !== undefined && req.currency !== old.currency)
    return 'exists_with_different_currency';
  if (req.code !== old.code) return 'exists_with_different_code';
  if ((req.reference ?? '') !== old.reference) return 'exists_with_different_reference';
  return 'exists';
}

/** Every balance rule the totals `after` would break, for one account. */
function brokenRules(account: Account, after: AccountTotals): TransferResult[] {
  const broken: TransferResult[] = [];
  if (after.debitsPending + after.debitsPosted > limits.totalMaxMinor)
    broken.push('overflows_debits');
  if (after.creditsPending + after.creditsPosted > limits.totalMaxMinor) {
    broken.push('overflows_credits');
  }
  if (
    (account.flags & AccountFlags.debitsMustNotExceedCredits) !== 0n &&
    after.debitsPending + after.debitsPosted > after.creditsPosted
  ) {
    broken.push('exceeds_credits');
  }
  if (
    (account.flags & AccountFlags.creditsMustNotExceedDebits) !== 0n &&
    after.creditsPending + after.creditsPosted > after.debitsPosted
  ) {
    broken.push('exceeds_debits');
  }
  return broken;
}

/** The first rule (by precedence) that either side of a transfer would break. */
function balanceRule(
  debit: Account,
  debitDelta: AccountTotals,
  credit: Account,
  creditDelta: AccountTotals,
): TransferResult | null {
  return firstByPrecedence([
    ...brokenRules(debit, addTotals(debit, debitDelta)),
    ...brokenRules(credit, addTotals(credit, creditDelta)),
  ]);
}

/** The account rules every write must keep; checked by the engine and again after writing. */
export function accountInvariantHolds(account: Account): boolean {
  const nonNegative =
    account.debitsPending >= 0n &&
    account.debitsPosted >= 0n &&
    account.creditsPending >= 0n &&
    account.creditsPosted >= 0n;
  return nonNegative && brokenRules(account, account).length === 0;
}

interface Decision {
  readonly result: TransferResult;
  readonly transfer?: StoredTransfer;
  readonly debitDelta?: AccountTotals;
  readonly creditDelta?: AccountTotals;
  readonly newPending?: PendingHold;
  readonly resolvedPending?: PendingHold;
}

function decide(state: LedgerState, req: TransferRequest, nowMs: bigint): Decision {
  const shape = checkShape(req);
  if (shape !== null) return { result: shape };
  const existing = state.transfers.get(req.id);
  if (existing !== undefined) return { result: compareExisting(req, existing) };

  const flags = req.flags ?? 0;
  const reference = req.reference ?? '';
  if (!has(flags, RESOLVING)) {
    const debit = state.accounts.get(req.debitAccountId ?? '');
    const credit = state.accounts.get(req.creditAccountId ?? '');
    if (debit === undefined) return { result: 'debit_account_not_found' };
    if (credit === undefined) return { result: 'credit_account_not_found' };
    if (debit.currency !== credit.currency)
      return { result: 'accounts_must_have_the_same_currency' };
    if (req.currency !== debit.currency)
      return { result: 'transfer_must_have_the_same_currency_as_accounts' };
    const amount = req.amountMinor ?? 0n;
    const pending = has(flags, TransferFlags.pending);
    const debitDelta = pending
      ? { ...ZERO, debitsPending: amount }
      : { ...ZERO, debitsPosted: amount };
    const creditDelta = pending
      ? { ...ZERO, creditsPending: amount }
      : { ...ZERO, creditsPosted: amount };
    const bad = balanceRule(debit, debitDelta, credit, creditDelta);
    if (bad !== null) return { result: bad };
    const timeoutMs = req.timeoutMs ?? 0n;
    const transfer: StoredTransfer = {
      id: req.id,
      debitAccountId: debit.id,
      creditAccountId: credit.id,
      amountMinor: amount,
      currency: debit.currency,
      code: req.code,
      flags,
      pendingId: null,
      timeoutMs,
      reference,
      createdAtMs: nowMs,
    };
    const newPending: PendingHold | undefined = pending
      ? {
          transferId: req.id,
          debitAccountId: debit.id,
          creditAccountId: credit.id,
          amountMinor: amount,
          currency: debit.currency,
          status: 'pending',
          expiresAtMs: timeoutMs === 0n ? 0n : nowMs + timeoutMs,
          amountPostedMinor: 0n,
          resolvedBy: null,
        }
      : undefined;
    return {
      result: 'ok',
      transfer,
      debitDelta,
      creditDelta,
      ...(newPending ? { newPending } : {}),
    };
  }

  const hold = state.pendings.get(req.pendingId ?? '');
  if (hold === undefined) {
    return {
      result: state.transfers.has(req.pendingId ?? '')
        ? 'pending_transfer_not_pending'
        : 'pending_transfer_not_found',
    };
  }
  if (req.debitAccountId !== undefined && req.debitAccountId !== hold.debitAccountId) {
    return { result: 'pending_transfer_has_different_debit_account_id' };
  }
  if (req.creditAccountId !== undefined && req.creditAccountId !== hold.creditAccountId) {
    return { result: 'pending_transfer_has_different_credit_account_id' };
  }
  if (req.currency !== undefined && req.currency !== hold.currency) {
    return { result: 'pending_transfer_has_different_currency' };
  }
  if (hold.status === 'posted') return { result: 'pending_transfer_already_posted' };
  if (hold.status === 'voided') return { result: 'pending_transfer_already_voided' };
  if (hold.status === 'expired') return { result: 'pending_transfer_already_expired' };
  const timedOut = hold.expiresAtMs !== 0n && nowMs >= hold.expiresAtMs;
  const expiring = has(flags, TransferFlags.expirePending);
  if (!expiring && timedOut) return { result: 'pending_transfer_expired' };
  if (expiring && !timedOut) return { result: 'pending_transfer_not_expired' };
  const posting = has(flags, TransferFlags.postPending);
  const amountPosted = posting ? (req.amountMinor ?? hold.amountMinor) : 0n;
  if (amountPosted > hold.amountMinor) return { result: 'exceeds_pending_transfer_amount' };

  const debit = state.accounts.get(hold.debitAccountId);
  const credit = state.accounts.get(hold.creditAccountId);
  assert(debit !== undefined && credit !== undefined, 'accounts of a pending hold are loaded');
  const debitDelta = { ...ZERO, debitsPending: -hold.amountMinor, debitsPosted: amountPosted };
  const creditDelta = { ...ZERO, creditsPending: -hold.amountMinor, creditsPosted: amountPosted };
  const bad = balanceRule(debit, debitDelta, credit, creditDelta);
  if (bad !== null) return { result: bad };
  const transfer: StoredTransfer = {
    id: req.id,
    debitAccountId: hold.debitAccountId,
    creditAccountId: hold.creditAccountId,
    amountMinor: posting ? amountPosted : hold.amountMinor,
    currency: hold.currency,
    code: req.code,
    flags,
    pendingId: hold.transferId,
    timeoutMs: 0n,
    reference,
    createdAtMs: nowMs,
  };
  const resolvedPending: PendingHold = {
    ...hold,
    status: posting ? 'posted' : expiring ? 'expired' : 'voided',
    amountPostedMinor: amountPosted,
    resolvedBy: req.id,
  };
  return { result: 'ok', transfer, debitDelta, creditDelta, resolvedPending };
}

/**
 * Applies a batch in order. A linked chain (transfers flagged `linked` followed by the first
 * one that is not) succeeds or fails as one: on failure the failing transfer keeps its result,
 * the others get `linked_event_failed`, and nothing of the chain is kept.
 */
export function applyBatch(
  state: LedgerState,
  requests: readonly TransferRequest[],
  nowMs: bigint,
): BatchPlan {
  assert(requests.length <= limits.batchSizeMax, 'batch within batchSizeMax');
  const results: TransferResult[] = [];
  const transfers: StoredTransfer[] = [];
  const newPendings: PendingHold[] = [];
  const resolvedPendings: PendingHold[] = [];
  const postings: Posting[] = [];
  const changed = new Map<string, Account>();

  let chainStart = -1;
  let undo: (() => void)[] = [];
  let mark = { transfers: 0, newPendings: 0, resolvedPendings: 0, postings: 0 };

  const setAccount = (account: Account): void => {
    const before = state.accounts.get(account.id);
    const changedBefore = changed.get(account.id);
    undo.push(() => {
      if (before !== undefined) state.accounts.set(account.id, before);
      if (changedBefore === undefined) changed.delete(account.id);
      else changed.set(account.id, changedBefore);
    });
    state.accounts.set(account.id, account);
    changed.set(account.id, account);
  };
  const setPending = (hold: PendingHold): void => {
    const before = state.pendings.get(hold.transferId);
    undo.push(() => {
      if (before === undefined) state.pendings.delete(hold.transferId);
      else state.pendings.set(hold.transferId, before);
    });
    state.pendings.set(hold.transferId, hold);
  };
  const addTransfer = (transfer: StoredTransfer): void => {
    undo.push(() => state.transfers.delete(transfer.id));
    state.transfers.set(transfer.id, transfer);
  };

  for (let index = 0; index < requests.length; index += 1) {
    const req = requests[index];
    assert(req !== undefined, 'request present');
    const linked = has(req.flags ?? 0, TransferFlags.linked);
    if (chainStart < 0) {
      undo = [];
      mark = {
        transfers: transfers.length,
        newPendings: newPendings.length,
        resolvedPendings: resolvedPendings.length,
        postings: postings.length,
      };
      if (linked) chainStart = index;
    }
    const inChain = chainStart >= 0;
    const chainOpen = linked && index === requests.length - 1;
    const decision: Decision = chainOpen
      ? { result: 'linked_event_chain_open' }
      : decide(state, req, nowMs);

    if (decision.result === 'ok') {
      const { transfer, debitDelta, creditDelta } = decision;
      assert(
        transfer !== undefined && debitDelta !== undefined && creditDelta !== undefined,
        'ok has effects',
      );
      const debit = state.accounts.get(transfer.debitAccountId);
      const credit = state.accounts.get(transfer.creditAccountId);
      assert(debit !== undefined && credit !== undefined, 'ok has accounts');
      const debitAfter: Account = { ...debit, ...addTotals(debit, debitDelta) };
      const creditAfter: Account = { ...credit, ...addTotals(credit, creditDelta) };
      assert(
        accountInvariantHolds(debitAfter) && accountInvariantHolds(creditAfter),
        'rules hold after ok',
      );
      setAccount(debitAfter);
      setAccount(creditAfter);
      addTransfer(transfer);
      transfers.push(transfer);
      postings.push(
        {
          accountId: debit.id,
          transferId: transfer.id,
          code: transfer.code,
          reference: transfer.reference,
          delta: debitDelta,
          after: debitAfter,
        },
        {
          accountId: credit.id,
          transferId: transfer.id,
          code: transfer.code,
          reference: transfer.reference,
          delta: creditDelta,
          after: creditAfter,
        },
      );
      if (decision.newPending !== undefined) {
        setPending(decision.newPending);
        newPendings.push(decision.newPending);
      }
      if (decision.resolvedPending !== undefined) {
        setPending(decision.resolvedPending);
        resolvedPendings.push(decision.resolvedPending);
      }
      results.push('ok');
    } else if (decision.result === 'exists') {
      results.push('exists');
    } else {
      results.push(decision.result);
      if (inChain) {
        // Roll the chain back: undo state changes newest first and drop its effects.
        for (let u = undo.length - 1; u >= 0; u -= 1) undo[u]?.();
        undo = [];
        transfers.length = mark.transfers;
        newPendings.length = mark.newPendings;
        resolvedPendings.length = mark.resolvedPendings;
        postings.length = mark.postings;
        for (let k = chainStart; k < index; k += 1) results[k] = 'linked_event_failed';
        // The rest of the chain fails without being looked at.
        let k = index;
        while (k < requests.length - 1 && has(requests[k]?.flags ?? 0, TransferFlags.linked)) {
          k += 1;
          results.push(
            k === requests.length - 1 && has(requests[k]?.flags ?? 0, TransferFlags.linked)
              ? 'linked_event_chain_open'
              : 'linked_event_failed',
          );
        }
        index = k;
        chainStart = -1;
        continue;
      }
    }
    if (!linked) chainStart = -1;
  }
  assert(results.length === requests.length, 'one result per request');
  return { results, transfers, newPendings, resolvedPendings, postings, accounts: changed };
}
