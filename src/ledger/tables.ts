/** The ledger's tables. No other module reads them; they go through the ledger's index.ts. */
export interface LedgerAccountTable {
  id: string;
  currency: string;
  code: string;
  flags: bigint;
  owner_ref: string | null;
  debits_pending: bigint;
  debits_posted: bigint;
  credits_pending: bigint;
  credits_posted: bigint;
  journal_seq: bigint;
  journal_hash: string;
  created_at_ms: bigint;
}

export interface LedgerTransferTable {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount_minor: bigint;
  currency: string;
  code: string;
  flags: bigint;
  pending_id: string | null;
  timeout_ms: bigint;
  reference: string;
  created_at_ms: bigint;
}

export interface LedgerPendingTable {
  transfer_id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount_minor: bigint;
  currency: string;
  status: string;
  expires_at_ms: bigint;
  amount_posted_minor: bigint;
  resolved_by: string | null;
}

export interface LedgerJournalTable {
  account_id: string;
  seq: bigint;
  transfer_id: string;
  code: string;
  reference: string;
  d_debits_pending: bigint;
  d_debits_posted: bigint;
  d_credits_pending: bigint;
  d_credits_posted: bigint;
  debits_pending: bigint;
  debits_posted: bigint;
  credits_pending: bigint;
  credits_posted: bigint;
  created_at_ms: bigint;
  prev_hash: string;
  hash: string;
}

export interface LedgerTables {
  ledger_account: LedgerAccountTable;
  ledger_transfer: LedgerTransferTable;
  ledger_pending: LedgerPendingTable;
  ledger_journal: LedgerJournalTable;
}
