import type { Kysely } from 'kysely';
import { tablesOf, type Executor } from '../storage/index.ts';

/** The charging module's tables (rating part). */
export interface ChargingTariffTable {
  version: bigint;
  currency: string;
  time_zone: string;
  country_code: string;
  national_prefix: string;
  international_prefixes: string;
  source_name: string;
  source_sha256: string;
  imported_at_ms: bigint;
}

export interface ChargingDestinationTable {
  tariff_version: bigint;
  id: string;
  name: string;
}

export interface ChargingPrefixTable {
  tariff_version: bigint;
  prefix: string;
  destination_id: string;
}

export interface ChargingRateTable {
  tariff_version: bigint;
  id: string;
  connection_fee_minor: bigint;
  first_block_seconds: bigint;
  increment_seconds: bigint;
  price_minor: bigint;
  unit_seconds: bigint;
  minimum_cost_minor: bigint;
  disconnect_fee_minor: bigint;
}

export interface ChargingTimingTable {
  tariff_version: bigint;
  id: string;
  weekdays: string;
  start_minute: bigint;
  end_minute: bigint;
}

export interface ChargingPlanEntryTable {
  tariff_version: bigint;
  plan_id: string;
  destination_id: string;
  rate_id: string;
  timing_id: string;
  weight: bigint;
}

export interface ChargingPlanActivationTable {
  tariff_version: bigint;
  service: string;
  activates_at_ms: bigint;
  plan_id: string;
}

export interface ChargingTables {
  charging_tariff: ChargingTariffTable;
  charging_destination: ChargingDestinationTable;
  charging_prefix: ChargingPrefixTable;
  charging_rate: ChargingRateTable;
  charging_timing: ChargingTimingTable;
  charging_plan_entry: ChargingPlanEntryTable;
  charging_plan_activation: ChargingPlanActivationTable;
}

export function chargingTables(executor: Executor): Kysely<ChargingTables> {
  return tablesOf<ChargingTables>(executor);
}
