/** The settlement module's tables. */

/** How and when an associate is settled, and where its money goes. */
export interface SettlementProfileTable {
  associate_id: string;
  /** `daily` or `weekly`. */
  cycle: string;
  /** Korean bank code (3 digits, e.g. 004); null = take the associate's own settlement fields. */
  bank_code: string | null;
  account_number: string | null;
  account_holder: string | null;
  updated_at_ms: bigint;
}

/** Commission per associate and service type, overriding the associate's own rate. */
export interface SettlementCommissionTable {
  associate_id: string;
  service_type: string;
  commission_bps: bigint;
  updated_at_ms: bigint;
}

/** One settlement of one associate's payable account (mode, currency) for one cycle. */
export interface SettlementRunTable {
  id: string;
  associate_id: string;
  livemode: bigint;
  currency: string;
  merchant_account_id: string;
  cycle: string;
  period_start_ms: bigint;
  /** Exclusive: the cycle covers entries booked before this instant. */
  period_end_ms: bigint;
  /** Journal sequence numbers of the payable account: the run covers (from_seq, to_seq]. */
  from_seq: bigint;
  to_seq: bigint;
  line_count: bigint;
  gross_minor: bigint;
  fee_minor: bigint;
  net_minor: bigint;
  /** Commission already booked at capture (less what refunds returned) inside the range. */
  booked_fee_minor: bigint;
  /** Set when booked. */
  adjustment_minor: bigint | null;
  carry_in_minor: bigint | null;
  payout_minor: bigint | null;
  carry_out_minor: bigint | null;
  adjustment_transfer_id: string | null;
  payout_transfer_id: string | null;
  /** computed → booked → exported → paid; closed when there was nothing to pay. */
  state: string;
  payout_batch_id: string | null;
  payout_bank_code: string | null;
  payout_account_number: string | null;
  payout_account_holder: string | null;
  paid_reference: string | null;
  created_at_ms: bigint;
  booked_at_ms: bigint | null;
  exported_at_ms: bigint | null;
  paid_at_ms: bigint | null;
}

export interface SettlementLineTable {
  run_id: string;
  line_no: bigint;
  merchant_account_id: string;
  /** The payable account's journal line this settles (each is settled once). */
  journal_seq: bigint;
  transfer_id: string;
  /** capture | refund | other */
  kind: string;
  payment_id: string;
  order_reference: string;
  service_type: string;
  commission_bps: bigint;
  gross_minor: bigint;
  fee_minor: bigint;
  net_minor: bigint;
  occurred_at_ms: bigint;
}

/** One bank-transfer file: the runs it pays. */
export interface SettlementPayoutBatchTable {
  id: string;
  livemode: bigint;
  currency: string;
  until_ms: bigint;
  run_count: bigint;
  total_minor: bigint;
  created_at_ms: bigint;
}

export interface SettlementTables {
  settlement_profile: SettlementProfileTable;
  settlement_commission: SettlementCommissionTable;
  settlement_run: SettlementRunTable;
  settlement_line: SettlementLineTable;
  settlement_payout_batch: SettlementPayoutBatchTable;
}
