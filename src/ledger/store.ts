import type { Kysely } from 'kysely';
import { assert } from '../kernel/index.ts';
import { isValidCallerId } from '../kernel/index.ts';
import { isCurrency } from '../kernel/index.ts';
import { limits } from '../kernel/index.ts';
import { tablesOf, writeTransaction, type Database, type Executor } from '../storage/index.ts';
import { isAccountCode } from './chart.ts';
import { accountInvariantHolds, applyBatch, type LedgerState } from './engine.ts';
import { GENESIS_HASH, journalHash } from './journal-hash.ts';
import type { AccountResult, TransferResult } from './result-codes.ts';
import type { LedgerTables } from './tables.ts';
import type {
  Account,
  PendingHold,
  PendingStatus,
  Posting,
  StoredTransfer,
  TransferRequest,
} from './types.ts';

/** Ids per IN (…) list: well under both engines' bound-parameter limits. */
const IN_CHUNK = 900;
/** Rows per multi-row INSERT. */
const INSERT_CHUNK = 200;

export interface AccountSpec {
  readonly id: string;
  readonly currency: string;
  readonly code: string;
  readonly flags: bigint;
  readonly ownerRef?: string;
}

type AccountRow = LedgerTables['ledger_account'];
type PendingRow = LedgerTables['ledger_pending'];
type TransferRow = LedgerTables['ledger_transfer'];

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function accountFromRow(row: AccountRow): Account {
  assert(isCurrency(row.currency), 'stored currency is known');
  return {
    id: row.id,
    currency: row.currency,
    code: row.code,
    flags: row.flags,
    ownerRef: row.owner_ref,
    debitsPending: row.debits_pending,
    debitsPosted: row.debits_posted,
    creditsPending: row.credits_pending,
    creditsPosted: row.credits_posted,
    createdAtMs: row.created_at_ms,
  };
}

function pendingFromRow(row: PendingRow): PendingHold {
  return {
    transferId: row.transfer_id,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amountMinor: row.amount_minor,
    currency: row.currency,
    status: row.status as PendingStatus,
    expiresAtMs: row.expires_at_ms,
    amountPostedMinor: row.amount_posted_minor,
    resolvedBy: row.resolved_by,
  };
}

function transferFromRow(row: TransferRow): StoredTransfer {
  return {
    id: row.id,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amountMinor: row.amount_minor,
    currency: row.currency,
    code: row.code,
    flags: Number(row.flags),
    pendingId: row.pending_id,
    timeoutMs: row.timeout_ms,
    reference: row.reference,
    createdAtMs: row.created_at_ms,
  };
}

/**
 * The ledger on top of the database: loads what a batch can touch (locking accounts in id order,
 * then holds, so concurrent batches never deadlock), lets the pure engine decide, writes the
 * plan and reads it back to check it.
 */
export class LedgerStore {
  constructor(private readonly db: Database) {}

  private t(executor: Executor): Kysely<LedgerTables> {
    return tablesOf<LedgerTables>(executor);
  }

  /** Applies a batch in its own write transaction. */
  async submit(requests: readonly TransferRequest[], nowMs: bigint): Promise<TransferResult[]> {
    return writeTransaction(this.db, (tx) => this.transfer(tx, requests, nowMs));
  }

  /** Applies a batch inside the caller's write transaction. */
  async transfer(
    tx: Executor,
    requests: readonly TransferRequest[],
    nowMs: bigint,
  ): Promise<TransferResult[]> {
    assert(requests.length <= limits.batchSizeMax, 'batch within batchSizeMax');
    if (requests.length === 0) return [];
    const state = await this.loadState(tx, requests);
    const before = new Map(state.accounts);
    const plan = applyBatch(state, requests, nowMs);
    const journal = await this.writeAccounts(tx, plan.accounts, before, plan.postings, nowMs);
    await this.insertTransfers(tx, plan.transfers);
    await this.insertJournal(tx, journal);
    await this.writePendings(tx, plan.newPendings, plan.resolvedPendings);
    await this.checkWritten(tx, plan.accounts);
    return [...plan.results];
  }

  private async loadState(
    tx: Executor,
    requests: readonly TransferRequest[],
  ): Promise<LedgerState> {
    const db = this.t(tx);
    const pendingIds = [...new Set(requests.flatMap((r) => (r.pendingId ? [r.pendingId] : [])))];
    const accountIds = new Set<string>();
    for (const r of requests) {
      if (r.debitAccountId !== undefined) accountIds.add(r.debitAccountId);
      if (r.creditAccountId !== undefined) accountIds.add(r.creditAccountId);
    }
    for (const part of chunks(pendingIds, IN_CHUNK)) {
      const rows = await db
        .selectFrom('ledger_pending')
        .select(['debit_account_id', 'credit_account_id'])
        .where('transfer_id', 'in', part)
        .execute();
      for (const row of rows) {
        accountIds.add(row.debit_account_id);
        accountIds.add(row.credit_account_id);
      }
    }
    const accounts = new Map<string, Account>();
    const lock = this.db.dialect === 'postgres';
    for (const part of chunks([...accountIds].sort(), IN_CHUNK)) {
      let query = db.selectFrom('ledger_account').selectAll().where('id', 'in', part).orderBy('id');
      if (lock) query = query.forUpdate();
      for (const row of await query.execute()) accounts.set(row.id, accountFromRow(row));
    }
    const pendings = new Map<string, PendingHold>();
    for (const part of chunks(pendingIds.sort(), IN_CHUNK)) {
      let query = db
        .selectFrom('ledger_pending')
        .selectAll()
        .where('transfer_id', 'in', part)
        .orderBy('transfer_id');
      if (lock) query = query.forUpdate();
      for (const row of await query.execute()) pendings.set(row.transfer_id, pendingFromRow(row));
    }
    const transfers = new Map<string, StoredTransfer>();
    const transferIds = [...new Set([...requests.map((r) => r.id), ...pendingIds])];
    for (const part of chunks(transferIds, IN_CHUNK)) {
      const rows = await db
        .selectFrom('ledger_transfer')
        .selectAll()
        .where('id', 'in', part)
        .execute();
      for (const row of rows) transfers.set(row.id, transferFromRow(row));
    }
    return { accounts, transfers, pendings };
  }

  /** Writes the new totals (guarded) and returns the journal lines, hash-chained per account. */
  private async writeAccounts(
    tx: Executor,
    changed: ReadonlyMap<string, Account>,
    before: ReadonlyMap<string, Account>,
    postings: readonly Posting[],
    nowMs: bigint,
  ): Promise<LedgerTables['ledger_journal'][]> {
    if (changed.size === 0) return [];
    const db = this.t(tx);
    const heads = new Map<string, { seq: bigint; hash: string }>();
    const ids = [...changed.keys()].sort();
    for (const part of chunks(ids, IN_CHUNK)) {
      const rows = await db
        .selectFrom('ledger_account')
        .select(['id', 'journal_seq', 'journal_hash'])
        .where('id', 'in', part)
        .execute();
      for (const row of rows) heads.set(row.id, { seq: row.journal_seq, hash: row.journal_hash });
    }
    const journalRows: LedgerTables['ledger_journal'][] = [];
    for (const p of postings) {
      const head = heads.get(p.accountId);
      assert(head !== undefined, 'journal head loaded');
      const seq = head.seq + 1n;
      const hash = journalHash({
        accountId: p.accountId,
        seq,
        transferId: p.transferId,
        code: p.code,
        reference: p.reference,
        delta: p.delta,
        after: p.after,
        createdAtMs: nowMs,
        prevHash: head.hash,
      });
      journalRows.push({
        account_id: p.accountId,
        seq,
        transfer_id: p.transferId,
        code: p.code,
        reference: p.reference,
        d_debits_pending: p.delta.debitsPending,
        d_debits_posted: p.delta.debitsPosted,
        d_credits_pending: p.delta.creditsPending,
        d_credits_posted: p.delta.creditsPosted,
        debits_pending: p.after.debitsPending,
        debits_posted: p.after.debitsPosted,
        credits_pending: p.after.creditsPending,
        credits_posted: p.after.creditsPosted,
        created_at_ms: nowMs,
        prev_hash: head.hash,
        hash,
      });
      heads.set(p.accountId, { seq, hash });
    }
    for (const id of ids) {
      const account = changed.get(id);
      const old = before.get(id);
      const head = heads.get(id);
      assert(
        account !== undefined && old !== undefined && head !== undefined,
        'changed account known',
      );
      assert(accountInvariantHolds(account), `account ${id} keeps its rules before write`);
      // Guarded update: the row must still hold the totals the plan started from.
      const result = await db
        .updateTable('ledger_account')
        .set({
          debits_pending: account.debitsPending,
          debits_posted: account.debitsPosted,
          credits_pending: account.creditsPending,
          credits_posted: account.creditsPosted,
          journal_seq: head.seq,
          journal_hash: head.hash,
        })
        .where('id', '=', id)
        .where('debits_pending', '=', old.debitsPending)
        .where('debits_posted', '=', old.debitsPosted)
        .where('credits_pending', '=', old.creditsPending)
        .where('credits_posted', '=', old.creditsPosted)
        .executeTakeFirst();
      assert(result.numUpdatedRows === 1n, `account ${id} changed under its lock`);
    }
    return journalRows;
  }

  private async insertTransfers(tx: Executor, transfers: readonly StoredTransfer[]): Promise<void> {
    const db = this.t(tx);
    for (const part of chunks(transfers, INSERT_CHUNK)) {
      await db
        .insertInto('ledger_transfer')
        .values(
          part.map((t) => ({
            id: t.id,
            debit_account_id: t.debitAccountId,
            credit_account_id: t.creditAccountId,
            amount_minor: t.amountMinor,
            currency: t.currency,
            code: t.code,
            flags: BigInt(t.flags),
            pending_id: t.pendingId,
            timeout_ms: t.timeoutMs,
            reference: t.reference,
            created_at_ms: t.createdAtMs,
          })),
        )
        .execute();
    }
  }

  /** Journal lines reference their transfers, so they are written after them. */
  private async insertJournal(
    tx: Executor,
    journal: readonly LedgerTables['ledger_journal'][],
  ): Promise<void> {
    for (const part of chunks(journal, INSERT_CHUNK / 2)) {
      await this.t(tx).insertInto('ledger_journal').values(part).execute();
    }
  }

  private async writePendings(
    tx: Executor,
    created: readonly PendingHold[],
    resolved: readonly PendingHold[],
  ): Promise<void> {
    const db = this.t(tx);
    const createdIds = new Set(created.map((p) => p.transferId));
    // A hold created and resolved in the same batch is inserted in its final state.
    const finalById = new Map(resolved.map((p) => [p.transferId, p]));
    const inserts = created.map((p) => finalById.get(p.transferId) ?? p);
    for (const part of chunks(inserts, INSERT_CHUNK)) {
      await db
        .insertInto('ledger_pending')
        .values(
          part.map((p) => ({
            transfer_id: p.transferId,
            debit_account_id: p.debitAccountId,
            credit_account_id: p.creditAccountId,
            amount_minor: p.amountMinor,
            currency: p.currency,
            status: p.status,
            expires_at_ms: p.expiresAtMs,
            amount_posted_minor: p.amountPostedMinor,
            resolved_by: p.resolvedBy,
          })),
        )
        .execute();
    }
    for (const p of finalById.values()) {
      if (createdIds.has(p.transferId)) continue;
      const result = await db
        .updateTable('ledger_pending')
        .set({
          status: p.status,
          amount_posted_minor: p.amountPostedMinor,
          resolved_by: p.resolvedBy,
        })
        .where('transfer_id', '=', p.transferId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      assert(result.numUpdatedRows === 1n, `hold ${p.transferId} resolves exactly once`);
    }
  }

  /** The second side of the paired assertions: read back what was written and check it. */
  private async checkWritten(tx: Executor, changed: ReadonlyMap<string, Account>): Promise<void> {
    const db = this.t(tx);
    for (const part of chunks([...changed.keys()], IN_CHUNK)) {
      const rows = await db
        .selectFrom('ledger_account')
        .selectAll()
        .where('id', 'in', part)
        .execute();
      assert(rows.length === part.length, 'every changed account reads back');
      for (const row of rows) {
        const stored = accountFromRow(row);
        const planned = changed.get(row.id);
        assert(planned !== undefined, 'read back a planned account');
        assert(
          stored.debitsPending === planned.debitsPending &&
            stored.debitsPosted === planned.debitsPosted &&
            stored.creditsPending === planned.creditsPending &&
            stored.creditsPosted === planned.creditsPosted,
          `account ${row.id} reads back as planned`,
        );
        assert(accountInvariantHolds(stored), `account ${row.id} keeps its rules after write`);
      }
    }
  }

  /** Creates accounts; the same id with the same kind is `exists`. */
  async createAccounts(
    tx: Executor,
    specs: readonly AccountSpec[],
    nowMs: bigint,
  ): Promise<AccountResult[]> {
    const db = this.t(tx);
    const results: AccountResult[] = [];
    const existing = new Map<string, Account>();
    for (const part of chunks(
      specs.map((s) => s.id),
      IN_CHUNK,
    )) {
      const rows = await db
        .selectFrom('ledger_account')
        .selectAll()
        .where('id', 'in', part)
        .execute();
      for (const row of rows) existing.set(row.id, accountFromRow(row));
    }
    const inserts: AccountRow[] = [];
    for (const spec of specs) {
      const result = checkAccountSpec(spec, existing.get(spec.id));
      results.push(result);
      if (result !== 'ok') continue;
      assert(isCurrency(spec.currency), 'currency checked');
      const account: Account = {
        id: spec.id,
        currency: spec.currency,
        code: spec.code,
        flags: spec.flags,
        ownerRef: spec.ownerRef ?? null,
        debitsPending: 0n,
        debitsPosted: 0n,
        creditsPending: 0n,
        creditsPosted: 0n,
        createdAtMs: nowMs,
      };
      existing.set(spec.id, account);
      inserts.push({
        id: account.id,
        currency: account.currency,
        code: account.code,
        flags: account.flags,
        owner_ref: account.ownerRef,
        debits_pending: 0n,
        debits_posted: 0n,
        credits_pending: 0n,
        credits_posted: 0n,
        journal_seq: 0n,
        journal_hash: GENESIS_HASH,
        created_at_ms: nowMs,
      });
    }
    for (const part of chunks(inserts, INSERT_CHUNK)) {
      await db.insertInto('ledger_account').values(part).execute();
    }
    return results;
  }

  async getAccount(executor: Executor, id: string): Promise<Account | undefined> {
    const row = await this.t(executor)
      .selectFrom('ledger_account')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : accountFromRow(row);
  }

  async getTransfer(executor: Executor, id: string): Promise<StoredTransfer | undefined> {
    const row = await this.t(executor)
      .selectFrom('ledger_transfer')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : transferFromRow(row);
  }

  async getPending(executor: Executor, id: string): Promise<PendingHold | undefined> {
    const row = await this.t(executor)
      .selectFrom('ledger_pending')
      .selectAll()
      .where('transfer_id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : pendingFromRow(row);
  }

  /** Pending holds whose timeout has passed, oldest first. */
  async dueHolds(executor: Executor, nowMs: bigint, limit: number): Promise<PendingHold[]> {
    const rows = await this.t(executor)
      .selectFrom('ledger_pending')
      .selectAll()
      .where('status', '=', 'pending')
      .where('expires_at_ms', '>', 0n)
      .where('expires_at_ms', '<=', nowMs)
      .orderBy('expires_at_ms')
      .limit(limit)
      .execute();
    return rows.map(pendingFromRow);
  }
}

function checkAccountSpec(spec: AccountSpec, old: Account | undefined): AccountResult {
  if (!isValidCallerId(spec.id)) return 'id_invalid';
  if (!isCurrency(spec.currency)) return 'currency_invalid';
  if (!isAccountCode(spec.code)) return 'code_invalid';
  if ((spec.flags & 3n) === 3n || spec.flags < 0n || spec.flags > 3n)
    return 'flags_are_mutually_exclusive';
  if (old === undefined) return 'ok';
  if (old.currency !== spec.currency) return 'exists_with_different_currency';
  if (old.code !== spec.code) return 'exists_with_different_code';
  if (old.flags !== spec.flags) return 'exists_with_different_flags';
  return 'exists';
}
