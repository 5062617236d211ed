import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './api.d.ts';

/** Headers the document requires on every POST and `authMiddleware` sets: callers never pass them. */
type MiddlewareHeaders = 'idempotency-key' | 'onepin-signature';

type WithoutMiddlewareHeaders<Operation> = Operation extends {
  readonly parameters: { readonly header: infer Header };
}
  ? Omit<Operation, 'parameters'> & {
      parameters: Omit<Operation['parameters'], 'header'> & {
        header?: Omit<Header, MiddlewareHeaders>;
      };
    }
  : Operation;

/** The generated paths, as callers see them once the middleware takes care of those headers. */
export type ClientPaths = {
  [Path in keyof paths]: {
    [Method in keyof paths[Path]]: WithoutMiddlewareHeaders<paths[Path][Method]>;
  };
};

/**
 * The OnePIN merchant API as a typed client: openapi-fetch over the paths generated from the
 * gateway's OpenAPI document (src/api.d.ts), with one middleware that authenticates every call.
 */
export type OnePin = ReturnType<typeof createClient<ClientPaths>>;
export type Payment =
  paths['/api/v1/payments/{id}']['get']['responses'][200]['content']['application/json'];

const REQUEST_TIMEOUT_MS = 10_000;
const ATTEMPTS_MAX = 3;
/** Answers worth another try with the same Idempotency-Key; anything else is final. */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/** The Idempotency-Key of the logical operation the current call belongs to. */
const currentOperation = new AsyncLocalStorage<string>();

/**
 * `OnePIN-Signature: t=<unix s>,n=<nonce>,v1=<hex HMAC-SHA256>`, keyed with the API key's signing
 * secret over `t.nonce.METHOD.path.Idempotency-Key.sha256hex(body)` (the gateway's docs/api.md,
 * "Request signing").
 */
export function signatureHeader(input: {
  readonly secret: string;
  readonly timestampS: number;
  readonly nonce: string;
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string;
  readonly body: string;
}): string {
  const digest = createHash('sha256').update(input.body).digest('hex');
  const payload = [
    input.timestampS,
    input.nonce,
    input.method.toUpperCase(),
    input.path,
    input.idempotencyKey,
    digest,
  ].join('.');
  const mac = createHmac('sha256', input.secret).update(payload).digest('hex');
  return `t=${input.timestampS},n=${input.nonce},v1=${mac}`;
}

/** Bearer key on every call; the Idempotency-Key and a fresh signature on every POST. */
export function authMiddleware(keys: {
  readonly apiKey: string;
  readonly signingSecret: string;
}): Middleware {
  return {
    async onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${keys.apiKey}`);
      if (request.method !== 'POST') return request;
      const url = new URL(request.url);
      const idempotencyKey = currentOperation.getStore();
      if (idempotencyKey === undefined)
        throw new Error(`POST ${url.pathname} must run inside operation(key, …)`);
      request.headers.set('Idempotency-Key', idempotencyKey);
      request.headers.set(
        'OnePIN-Signature',
        signatureHeader({
          secret: keys.signingSecret,
          timestampS: Math.floor(Date.now() / 1000),
          // A new nonce per attempt: a retry is never mistaken for a replay.
          nonce: randomBytes(12).toString('base64url'),
          method: request.method,
          path: `${url.pathname}${url.search}`,
          idempotencyKey,
          body: await request.clone().text(),
        }),
      );
      return request;
    },
  };
}

export function createOnePin(config: {
  readonly gatewayUrl: string;
  readonly apiKey: string;
  readonly signingSecret: string;
}): OnePin {
  const client = createClient<ClientPaths>({
    baseUrl: config.gatewayUrl,
    fetch: (request: Request) =>
      fetch(new Request(request, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })),
  });
  client.use(authMiddleware(config));
  return client;
}

/**
 * Runs one logical operation (create the payment for order X, capture order X, …): every attempt
 * carries the same Idempotency-Key, so a retry after a lost answer can never pay or capture twice,
 * and a new signature (new nonce and timestamp), so it is never refused as a replay.
 */
export async function operation<T extends { readonly response: Response }>(
  idempotencyKey: string,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await currentOperation.run(idempotencyKey, call);
      if (!RETRYABLE_STATUSES.has(result.response.status) || attempt === ATTEMPTS_MAX)
        return result;
    } catch (error) {
      if (attempt === ATTEMPTS_MAX) throw error;
    }
    await sleep(1_000 * 2 ** (attempt - 1));
  }
}

/** The gateway's error answer in one line, for logs and pages. */
export function describeFailure(error: unknown, response: Response): string {
  const body = error as { error?: { code?: string; message?: string } } | undefined;
  return body?.error?.code !== undefined
    ? `${body.error.code}: ${body.error.message ?? ''}`
    : `HTTP ${response.status}`;
}
