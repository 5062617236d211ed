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
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const portText = env.PORT === undefined || env.PORT === '' ? '3000' : env.PORT;
  const port = /^[0-9]{1,5}$/.test(portText) ? Number.parseInt(portText, 10) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number from 0 to 65535, got "${portText}"`);
  }
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
  };
}

/** A host as it goes in a URL: wildcard addresses become localhost, IPv6 gets brackets. */
export function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
