/**
 * SMPP_URL: `smpp://SYSTEM_ID:PASSWORD@HOST:PORT?system_type=…&bind=…`. System id and password
 * are percent-encoded like any URL user and password; the port defaults to 2775.
 * `bind` is `transceiver` (default: one session sends and takes receipts), `pair` (a
 * transmitter session and a receiver session, for SMSCs without transceiver binds) or
 * `transmitter` (send only: no receipts arrive, messages stay `submitted`).
 */
export type GatewayBind = 'transceiver' | 'pair' | 'transmitter';

export interface SmppEndpoint {
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  readonly bind: GatewayBind;
}

/** SMPP 3.4 limits the C-Octet strings of a bind (with their NUL). */
const SYSTEM_ID_MAX = 15;
const PASSWORD_MAX = 8;
const SYSTEM_TYPE_MAX = 12;

/** The URL without its password, for logs and start-up messages. */
export function redactSmppUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'smpp://(unparsable)';
  }
}

function printable(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** Reads SMPP_URL; throws an Error that names what is wrong (never the password). */
export function parseSmppUrl(url: string): SmppEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`SMPP_URL is not a URL: ${redactSmppUrl(url)}`);
  }
  if (parsed.protocol !== 'smpp:') throw new Error('SMPP_URL must start with smpp://');
  if (parsed.hostname === '') throw new Error('SMPP_URL must name a host');
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? 2775 : Number.parseInt(parsed.port, 10);
  let systemId: string;
  let password: string;
  try {
    systemId = decodeURIComponent(parsed.username);
    password = decodeURIComponent(parsed.password);
  } catch {
    throw new Error('SMPP_URL: the system id or password is not valid percent-encoding');
  }
  if (systemId === '' || systemId.length > SYSTEM_ID_MAX || !printable(systemId)) {
    throw new Error(`SMPP_URL: the system id must be 1 to ${SYSTEM_ID_MAX} printable characters`);
  }
  if (password.length > PASSWORD_MAX || !printable(password)) {
    throw new Error(`SMPP_URL: the password must be at most ${PASSWORD_MAX} printable characters`);
  }
  const systemType = parsed.searchParams.get('system_type') ?? '';
  if (systemType.length > SYSTEM_TYPE_MAX || !printable(systemType)) {
    throw new Error(`SMPP_URL: system_type must be at most ${SYSTEM_TYPE_MAX} characters`);
  }
  const bind = parsed.searchParams.get('bind') ?? 'transceiver';
  if (bind !== 'transceiver' && bind !== 'pair' && bind !== 'transmitter') {
    throw new Error('SMPP_URL: bind must be transceiver, pair or transmitter');
  }
  for (const key of parsed.searchParams.keys()) {
    if (key !== 'system_type' && key !== 'bind') {
      throw new Error(`SMPP_URL: unknown parameter ${key} (system_type and bind are known)`);
    }
  }
  return { host, port, systemId, password, systemType, bind };
}
