import type { Kysely } from 'kysely';
import { tablesOf, type Executor } from '../storage/index.ts';

export interface AgentsTables {
  agent: {
    id: string;
    name: string;
    contact: string;
    currency: string;
    commission: string;
    terms_days: bigint;
    receivable_account_id: string;
    key_id: string | null;
    key_hash: string | null;
    key_last4: string | null;
    status: string;
    created_at_ms: bigint;
  };
  agent_consignment: {
    id: string;
    agent_id: string;
    state: string;
    card_count: bigint;
    proposed_by: string;
    proposed_at_ms: bigint;
    decided_by: string | null;
    decided_at_ms: bigint | null;
  };
  agent_consignment_range: { consignment_id: string; serial_first: string; serial_last: string };
  agent_stock: { card_id: string; serial: string; agent_id: string; consignment_id: string };
  agent_print_run: {
    issue_batch_id: string;
    design: string;
    card_count: bigint;
    exported_by: string;
    exported_at_ms: bigint;
  };
  agent_sale: {
    id: string;
    agent_id: string;
    reference: string;
    card_id: string;
    serial: string;
    denomination_id: string;
    face_minor: bigint;
    commission_minor: bigint;
    currency: string;
    state: string;
    sold_at_ms: bigint;
    due_at_ms: bigint;
  };
  agent_remittance: {
    id: string;
    agent_id: string;
    reference: string;
    amount_minor: bigint;
    currency: string;
    recorded_by: string;
    paid_at_ms: bigint;
  };
  /**
   * Read-only: the columns of the cards module's `card` table that stock checks read (serial
   * ranges, states). Stock moves go through the cards module (`moveStock`).
   */
  card: {
    id: string;
    serial: string;
    state: string;
    state_reason: string;
    state_changed_at_ms: bigint;
    denomination_id: string;
    face_value_minor: bigint;
    currency: string;
  };
}

export function agentTables(executor: Executor): Kysely<AgentsTables> {
  return tablesOf<AgentsTables>(executor);
}
