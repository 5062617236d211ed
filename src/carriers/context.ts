import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CardsContext } from '../cards/index.ts';
import { assert, newId, type Clock } from '../kernel/index.ts';
import type { LedgerStore } from '../ledger/index.ts';
import type { NotifyContext } from '../notify/index.ts';
import { tablesOf, type Database, type Executor } from '../storage/index.ts';
import { DEFAULT_SMS_LIMITS, type SmsLimits } from './rules.ts';
import type { CarriersTables } from './tables.ts';

/** What the carrier channel needs. Built once by the composition root (src/main/app.ts). */
export interface CarriersContext {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly cards: CardsContext;
  readonly notify: NotifyContext;
  readonly clock: Clock;
  /** 32 bytes outside the database: seals the provisioned PINs (AES-256-GCM). */
  readonly pinKey: Buffer;
  readonly smsLimits: SmsLimits;
  /** How long a registration code works (10 minutes). */
  readonly codeTtlMs: bigint;
}

export function createCarriersContext(options: {
  readonly db: Database;
  readonly ledger: LedgerStore;
  readonly cards: CardsContext;
  readonly notify: NotifyContext;
  readonly clock: Clock;
  readonly pinKey: Buffer;
  readonly smsLimits?: Partial<SmsLimits>;
}): CarriersContext {
  assert(options.pinKey.length === 32, 'the carrier PIN key has 32 bytes');
  return {
    db: options.db,
    ledger: options.ledger,
    cards: options.cards,
    notify: options.notify,
    clock: options.clock,
    pinKey: options.pinKey,
    smsLimits: { ...DEFAULT_SMS_LIMITS, ...options.smsLimits },
    codeTtlMs: 600_000n,
  };
}

export function carrierTables(executor: Executor): Kysely<CarriersTables> {
  return tablesOf<CarriersTables>(executor);
}

/** `<prefix>_…` ids with the kernel's randomness (its prefix list has no carrier prefixes). */
export function carrierId(prefix: 'car' | 'csl' | 'ccr' | 'cbi'): string {
  return `${prefix}_${newId('otc').slice('otc_'.length)}`;
}

/** Seals a PIN for the card (AES-256-GCM, the card id as associated data). */
export function sealPin(
  key: Buffer,
  cardId: string,
  pin: string,
): { nonce: string; sealed: string } {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(`carrier_pin:${cardId}`));
  const body = Buffer.concat([cipher.update(pin, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { nonce: nonce.toString('base64url'), sealed: body.toString('base64url') };
}

export function openPin(key: Buffer, cardId: string, s: { nonce: string; sealed: string }): string {
  const body = Buffer.from(s.sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(s.nonce, 'base64url'));
  decipher.setAAD(Buffer.from(`carrier_pin:${cardId}`));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([
    decipher.update(body.subarray(0, body.length - 16)),
    decipher.final(),
  ]).toString('utf8');
}
