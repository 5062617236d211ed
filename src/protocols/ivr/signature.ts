import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio's request signature (`X-Twilio-Signature`, also sent by SignalWire and other
 * TwiML-compatible platforms): base64 of HMAC-SHA1, keyed with the account's auth token, over
 * the full URL the platform requested (scheme, host, path and query) followed by every POST
 * parameter as name + value, sorted by name (byte order; repeated names by value), no separators.
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: readonly (readonly [string, string])[],
): string {
  const sorted = [...params].sort(([a, av], [b, bv]) =>
    a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1,
  );
  const data = url + sorted.map(([name, value]) => name + value).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * The URL forms a platform may have signed: as given, and with the scheme's default port added
 * or removed (Twilio signs what it requested, and proxies disagree about default ports).
 */
function urlVariants(url: string): string[] {
  const match = /^(https?):\/\/([^/?#:]+)(?::([0-9]+))?(.*)$/s.exec(url);
  if (match === null) return [url];
  const [, scheme = '', host = '', port, rest = ''] = match;
  const defaultPort = scheme === 'https' ? '443' : '80';
  if (port === undefined) return [url, `${scheme}://${host}:${defaultPort}${rest}`];
  return port === defaultPort ? [url, `${scheme}://${host}${rest}`] : [url];
}

/** True when `signature` is the platform's signature of this request (constant-time compare). */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: readonly (readonly [string, string])[],
  signature: string | undefined,
): boolean {
  if (signature === undefined || signature === '' || authToken === '') return false;
  const given = Buffer.from(signature, 'utf8');
  let match = false;
  for (const variant of urlVariants(url)) {
    const expected = Buffer.from(twilioSignature(authToken, variant, params), 'utf8');
    if (expected.length === given.length && timingSafeEqual(expected, given)) match = true;
  }
  return match;
}
