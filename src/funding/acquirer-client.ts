import { fail, ok, type Outcome } from '../kernel/index.ts';

/**
 * One HTTP call to the acquirer with a deadline. Anything that is not an answer we can read
 * (no connection, timeout, 5xx, a refused API key, a body that is not JSON) becomes
 * `funding_unavailable`: the caller did not learn the outcome and may retry, which is safe
 * because every call it makes is idempotent.
 */
export interface AcquirerConnection {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
}

export interface AcquirerAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Larger answers are not the acquirer's: refused unread. */
const ANSWER_CHARS_MAX = 256 * 1024;

export async function callAcquirer(
  connection: AcquirerConnection,
  method: 'GET' | 'POST',
  path: string,
  body?: Readonly<Record<string, unknown>>,
): Promise<Outcome<AcquirerAnswer>> {
  let response: Response;
  let raw: string;
  try {
    response = await fetch(`${connection.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${connection.apiKey}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(connection.timeoutMs),
    });
    raw = await response.text();
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'error';
    return fail('funding_unavailable', undefined, `no answer from the acquirer (${reason})`);
  }
  if (response.status >= 500) {
    return fail('funding_unavailable', undefined, `the acquirer answered ${response.status}`);
  }
  if (response.status === 401 || response.status === 403) {
    return fail('funding_unavailable', undefined, 'the acquirer refused our API key');
  }
  if (raw.length > ANSWER_CHARS_MAX) {
    return fail('funding_unavailable', undefined, 'the acquirer answered too much');
  }
  try {
    return ok({ status: response.status, body: JSON.parse(raw) as unknown });
  } catch {
    return fail('funding_unavailable', undefined, 'the acquirer answered something not JSON');
  }
}

/** The acquirer's error code in an error answer, if it sent one. */
export function acquirerErrorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as Record<string, unknown>).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as Record<string, unknown>).code;
  return typeof code === 'string' ? code : undefined;
}

/** The field an error answer blames, if it named one. */
export function acquirerErrorParam(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as Record<string, unknown>).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const param = (error as Record<string, unknown>).param;
  return typeof param === 'string' ? param : undefined;
}
