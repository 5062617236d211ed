import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkKeyRing, type KeyRing, type SecretKey } from '../cards/index.ts';
import type { PaymentKeys } from '../payments/index.ts';
import type { Config } from './config.ts';

/**
 * The key file: JSON with base64 secrets, kept outside the database (and, in production,
 * outside the data directory, on a secrets mount). Format:
 * { "pinKeys": [{ "id": "k1", "secret": "…" }], "passwordKey": {…}, "activationKey": {…},
 *   "apiSigningKey": {…}, "webhookKey": {…} }
 */
interface KeyFileJson {
  pinKeys: { id: string; secret: string }[];
  passwordKey: { id: string; secret: string };
  activationKey: { id: string; secret: string };
  apiSigningKey?: { id: string; secret: string };
  webhookKey?: { id: string; secret: string };
}

/** The keys cannot be loaded: the process must not start (the CLI exits 2). */
export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
}

export interface LoadedKeys {
  readonly ring: KeyRing;
  readonly payment: PaymentKeys;
  readonly path: string;
  /** True when this start generated the file (demo only). */
  readonly generated: boolean;
}

function decode(k: { id: string; secret: string }): SecretKey {
  return { id: k.id, secret: Buffer.from(k.secret, 'base64') };
}

function encode(k: SecretKey): { id: string; secret: string } {
  return { id: k.id, secret: k.secret.toString('base64') };
}

export function parseKeyFile(text: string): KeyRing {
  const json = JSON.parse(text) as Partial<KeyFileJson>;
  if (
    !Array.isArray(json.pinKeys) ||
    json.passwordKey === undefined ||
    json.activationKey === undefined
  ) {
    throw new KeyFileError('key file must have pinKeys, passwordKey and activationKey');
  }
  const ring: KeyRing = {
    pinKeys: json.pinKeys.map(decode),
    passwordKey: decode(json.passwordKey),
    activationKey: decode(json.activationKey),
  };
  checkKeyRing(ring);
  return ring;
}

/** The gateway's keys from a key file; null when the file predates them. */
export function parsePaymentKeys(text: string): PaymentKeys | null {
  const json = JSON.parse(text) as Partial<KeyFileJson>;
  if (json.apiSigningKey === undefined || json.webhookKey === undefined) return null;
  const keys = { apiSigningKey: decode(json.apiSigningKey), webhookKey: decode(json.webhookKey) };
  if (keys.apiSigningKey.secret.length < 32 || keys.webhookKey.secret.length < 32) {
    throw new KeyFileError('apiSigningKey and webhookKey need at least 256 bits');
  }
  return keys;
}

export function serializeKeyRing(ring: KeyRing, payment: PaymentKeys): string {
  const json: KeyFileJson = {
    pinKeys: ring.pinKeys.map(encode),
    passwordKey: encode(ring.passwordKey),
    activationKey: encode(ring.activationKey),
    apiSigningKey: encode(payment.apiSigningKey),
    webhookKey: encode(payment.webhookKey),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function freshPaymentKeys(): PaymentKeys {
  return { apiSigningKey: freshKey('s1'), webhookKey: freshKey('w1') };
}

function freshKey(id: string): SecretKey {
  return { id, secret: randomBytes(32) };
}

/**
 * Writes atomically (temp file + rename), readable by the owner only. The gateway keys are kept
 * from the file being replaced, or made fresh when there are none.
 */
export function writeKeyFile(path: string, ring: KeyRing, payment?: PaymentKeys): void {
  checkKeyRing(ring);
  const kept =
    payment ??
    (existsSync(path) ? parsePaymentKeys(readFileSync(path, 'utf8')) : null) ??
    freshPaymentKeys();
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp`;
  writeFileSync(temp, serializeKeyRing(ring, kept), { mode: 0o600 });
  renameSync(temp, path);
}

/**
 * Loads the key ring. With an explicit ONEPIN_KEY_FILE the file must exist. Without one, the
 * embedded demo uses `${dataDir}/keys.json` and creates it on first start; PostgreSQL (production)
 * refuses to start without an explicit key file.
 */
export function loadKeys(config: Config): LoadedKeys {
  if (config.keyFile !== undefined) {
    if (!existsSync(config.keyFile)) {
      throw new KeyFileError(`ONEPIN_KEY_FILE ${config.keyFile} does not exist`);
    }
    const text = readFileSync(config.keyFile, 'utf8');
    const payment = parsePaymentKeys(text);
    if (payment === null) {
      throw new KeyFileError(
        `ONEPIN_KEY_FILE ${config.keyFile} has no apiSigningKey and webhookKey (see docs/operations.md)`,
      );
    }
    return { ring: parseKeyFile(text), payment, path: config.keyFile, generated: false };
  }
  if (config.databaseUrl !== undefined && !config.databaseUrl.startsWith('sqlite:')) {
    throw new KeyFileError(
      'refusing to start: DATABASE_URL is set but ONEPIN_KEY_FILE is not. Production must supply its own key file (see docs/operations.md).',
    );
  }
  const path = join(config.dataDir, 'keys.json');
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    const ring = parseKeyFile(text);
    let payment = parsePaymentKeys(text);
    if (payment === null) {
      // A demo key file from before the gateway: add its keys once.
      payment = freshPaymentKeys();
      writeKeyFile(path, ring, payment);
    }
    return { ring, payment, path, generated: false };
  }
  const ring: KeyRing = {
    pinKeys: [freshKey('k1')],
    passwordKey: freshKey('p1'),
    activationKey: freshKey('a1'),
  };
  const payment = freshPaymentKeys();
  writeKeyFile(path, ring, payment);
  return { ring, payment, path, generated: true };
}

/** Adds a new PIN key and makes it current; older keys stay so that old cards keep working. */
export function addPinKey(ring: KeyRing): KeyRing {
  const used = new Set(ring.pinKeys.map((k) => k.id));
  let n = ring.pinKeys.length + 1;
  while (used.has(`k${n}`)) n += 1;
  return { ...ring, pinKeys: [...ring.pinKeys, freshKey(`k${n}`)] };
}
