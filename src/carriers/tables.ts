export interface CarrierTable {
  id: string;
  name: string;
  currency: string;
  commission_bps: bigint;
  account_id: string;
  key_id: string | null;
  key_hash: string | null;
  created_at_ms: bigint;
}

export interface CarrierPinTable {
  card_id: string;
  serial: string;
  carrier_id: string;
  pin_nonce: string;
  pin_sealed: string;
  face_value_minor: bigint;
  provisioned_at_ms: bigint;
}

export type CarrierSaleState = 'reported' | 'loaded' | 'registered';

export interface CarrierSaleTable {
  id: string;
  carrier_id: string;
  report_id: string;
  card_id: string;
  serial: string;
  phone: string;
  price_minor: bigint;
  sold_at_ms: bigint;
  transfer_id: string | null;
  sms_id: string | null;
  state: CarrierSaleState;
  created_at_ms: bigint;
  loaded_at_ms: bigint | null;
  registered_at_ms: bigint | null;
}

export interface CarrierCodeRequestTable {
  id: string;
  card_id: string;
  phone: string;
  prefix: string;
  ip: string;
  sms_id: string;
  created_at_ms: bigint;
}

export interface CarrierBillingImportTable {
  id: string;
  carrier_id: string;
  period: string;
  file_digest: string;
  file_name: string;
  line_count: bigint;
  gross_minor: bigint;
  commission_minor: bigint;
  net_minor: bigint;
  net_transfer_id: string | null;
  commission_transfer_id: string | null;
  imported_at_ms: bigint;
}

export interface CarrierReconciliationLineTable {
  import_id: string;
  seq: bigint;
  kind: string;
  serial: string | null;
  ours_minor: bigint | null;
  theirs_minor: bigint | null;
  note: string;
}

export interface CarriersTables {
  carrier: CarrierTable;
  carrier_pin: CarrierPinTable;
  carrier_sale: CarrierSaleTable;
  carrier_code_request: CarrierCodeRequestTable;
  carrier_billing_import: CarrierBillingImportTable;
  carrier_reconciliation_line: CarrierReconciliationLineTable;
}
