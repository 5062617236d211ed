export {
  addAgent,
  agentOfKey,
  agentSigningSecret,
  getAgent,
  issueAgentKey,
  listAgents,
  type Agent,
} from './agents.ts';
export {
  approveConsignment,
  getConsignment,
  listConsignments,
  proposeConsignment,
  rejectConsignment,
  returnStock,
  type Consignment,
  type ConsignmentState,
} from './consign.ts';
export type { AgentsContext } from './context.ts';
export { AGENTS_MIGRATIONS } from './migrations.ts';
export { PRINT_RUN_HEADER, exportPrintRun, issuePrintRun } from './print-run.ts';
export {
  agentStatement,
  overdueAgents,
  recordRemittance,
  type AgentStatement,
  type Remittance,
} from './remit.ts';
export {
  RANGE_SIZE_MAX,
  commissionFor,
  dueAt,
  formatCommission,
  formatRange,
  parseCommission,
  parseRange,
  parseRanges,
  rangesOverlap,
  remittanceStatus,
  ruleFor,
  type CommissionRule,
  type SerialRange,
} from './rules.ts';
export { posSale, type AgentSale, type PosSaleResult } from './sales.ts';
