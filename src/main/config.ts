import { resolve } from 'node:path';

/** Settings from the environment, read once at start-up. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Absent: the embedded SQLite file under dataDir. */
  readonly databaseUrl: string | undefined;
  /** Absent: `${dataDir}/keys.json`, generated on first start for the demo. */
  readonly keyFile: string | undefined;
  readonly logLevel: string;
  /** How holders reach the hosted payment page; default http://HOST:PORT. */
  readonly publicUrl: string | undefined;
  /** The card company / bank; absent: `npm start` runs the sandbox acquirer beside us. */
  readonly acquirerUrl: string | undefined;
  readonly acquirerPort: number;
  readonly acquirerApiKey: string;
  readonly acquirerWebhookSecret: string;
  /** Absent: e-mails are held in the outbox and shown at /dev/mailbox. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** Absent: SMS stay queued in the outbox (docs/sms.md). */
  readonly smppUrl: string | undefined;
  /** The sender id of every SMS: a short code, +digits or up to 11 letters. */
  readonly smppSourceAddr: string;
  /** Most submit_sm in flight at once. */
  readonly smppWindow: number;
  /** The Diameter credit-control listener; absent (DIAMETER_PORT unset or empty): off. */
  readonly diameter: DiameterConfig | undefined;
  /** The voice platform's auth token: the IVR webhook then requires X-Twilio-Signature. */
  readonly ivrAuthToken: string | undefined;
}

export interface DiameterConfig {
  /** 0 picks a free port (the start-up line shows which); conventionally 3868. */
  readonly port: number;
  readonly host: string;
  /** Our Diameter identity and realm, sent in every CEA and answer. */
  readonly originHost: string;
  readonly originRealm: string;
}

/** The sandbox acquirer's documented key and secret (docs/sandbox-acquirer.md): no secret. */
export const SANDBOX_ACQUIRER_API_KEY = 'sk_sandbox_acquirer';
export const SANDBOX_ACQUIRER_WEBHOOK_SECRET = 'whsec_sandbox_acquirer';

function portFrom(name: string, text: string | undefined, fallback: string): number {
  const value = text === undefined || text === '' ? fallback : text;
  const port = /^[0-9]{1,5}$/.test(value) ? Number.parseInt(value, 10) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${name} must be a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}

function optional(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

function smppWindowFrom(text: string | undefined): number {
  const value = optional(text) ?? '10';
  const window = /^[0-9]{1,4}$/.test(value) ? Number.parseInt(value, 10) : Number.NaN;
  if (!Number.isInteger(window) || window < 1 || window > 1_000) {
    throw new Error(`SMPP_WINDOW must be a whole number from 1 to 1000, got "${value}"`);
  }
  return window;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = portFrom('PORT', env.PORT, '3000');
  const databaseUrl = env.DATABASE_URL === '' ? undefined : env.DATABASE_URL;
  const keyFile = env.ONEPIN_KEY_FILE === '' ? undefined : env.ONEPIN_KEY_FILE;
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    dataDir: resolve(env.ONEPIN_DATA_DIR ?? './data'),
    databaseUrl,
    keyFile,
    logLevel: env.LOG_LEVEL ?? 'info',
    publicUrl:
      env.ONEPIN_PUBLIC_URL === '' ? undefined : env.ONEPIN_PUBLIC_URL?.replace(/\/+$/, ''),
    acquirerUrl: optional(env.ACQUIRER_URL)?.replace(/\/+$/, ''),
    acquirerPort: portFrom('ACQUIRER_PORT', env.ACQUIRER_PORT, '3100'),
    acquirerApiKey: optional(env.ACQUIRER_API_KEY) ?? SANDBOX_ACQUIRER_API_KEY,
    acquirerWebhookSecret: optional(env.ACQUIRER_WEBHOOK_SECRET) ?? SANDBOX_ACQUIRER_WEBHOOK_SECRET,
    smtpUrl: optional(env.SMTP_URL),
    mailFrom: optional(env.MAIL_FROM) ?? 'OnePIN <no-reply@onepin.example>',
    smppUrl: optional(env.SMPP_URL),
    ivrAuthToken: optional(env.IVR_AUTH_TOKEN),
    smppSourceAddr: optional(env.SMPP_SOURCE_ADDR) ?? 'OnePIN',
    smppWindow: smppWindowFrom(env.SMPP_WINDOW),
    diameter:
      optional(env.DIAMETER_PORT) === undefined
        ? undefined
        : {
            port: portFrom('DIAMETER_PORT', env.DIAMETER_PORT, ''),
            host: optional(env.DIAMETER_HOST) ?? '127.0.0.1',
            originHost: optional(env.DIAMETER_ORIGIN_HOST) ?? 'ocs.onepin.local',
            originRealm: optional(env.DIAMETER_ORIGIN_REALM) ?? 'onepin.local',
          },
  };
}

/** A host as it goes in a URL: wildcard addresses become localhost, IPv6 gets brackets. */
export function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
