import Fastify from 'fastify';
import { assert, systemClock, type Clock } from '../kernel/index.ts';
import { Acquirer } from './acquirer.ts';
import { registerApi } from './api-routes.ts';
import { registerPages } from './pages.ts';
import { AcquirerStore } from './store.ts';
import { WebhookSender } from './webhooks.ts';

/**
 * The sandbox acquirer: a separate process that stands in for the card company and the bank,
 * so a OnePIN purchase runs end to end offline. It is an "external system" that happens to live
 * in our repository: it shares only src/kernel with OnePIN, and OnePIN reaches it only over
 * HTTP (src/funding's `sandboxProvider`).
 */
export interface SandboxAcquirerOptions {
  readonly host: string;
  /** 0 picks a free port; `url` tells which. */
  readonly port: number;
  /** Its own SQLite file (':memory:' for tests that need no restart). */
  readonly dataFile: string;
  /** What merchants send as `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string;
  /** Signs webhooks (`Acquirer-Signature`). */
  readonly webhookSecret: string;
  /** How long the "slow answer" test card keeps the browser waiting (3000 ms by default). */
  readonly slowAnswerMs?: number;
  /** Where browsers reach the acquirer, when not at the listening address. */
  readonly publicUrl?: string;
  readonly clock?: Clock;
  /** How long a virtual account waits for its transfer (3 days by default). */
  readonly bankDueMs?: bigint;
  /** How long a card page may stay unpaid before the payment expires (1 hour by default). */
  readonly cardPageTtlMs?: bigint;
  /** Waits before the 2nd, 3rd, … webhook attempt; the list's length bounds the retries. */
  readonly webhookRetryDelaysMs?: readonly number[];
  readonly webhookTimeoutMs?: number;
  /** Fastify log level ('info', 'warn', …); no logging when absent. */
  readonly logLevel?: string;
}

export interface SandboxAcquirer {
  readonly url: string;
  close(): Promise<void>;
}

export const SLOW_ANSWER_DEFAULT_MS = 3_000;
export const BANK_DUE_DEFAULT_MS = 3n * 86_400_000n;
export const CARD_PAGE_TTL_DEFAULT_MS = 3_600_000n;
export const WEBHOOK_RETRY_DELAYS_DEFAULT_MS: readonly number[] = [500, 2_000, 5_000];
export const WEBHOOK_TIMEOUT_DEFAULT_MS = 5_000;
/** Bounds that keep a misconfigured sandbox from retrying or waiting for long. */
const WEBHOOK_ATTEMPTS_MAX = 10;
const SLOW_ANSWER_MAX_MS = 60_000;
const SECRET_CHARS_MIN = 8;
const API_BODY_LIMIT = 16 * 1024;

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startSandboxAcquirer(
  options: SandboxAcquirerOptions,
): Promise<SandboxAcquirer> {
  const slowAnswerMs = options.slowAnswerMs ?? SLOW_ANSWER_DEFAULT_MS;
  const retryDelaysMs = options.webhookRetryDelaysMs ?? WEBHOOK_RETRY_DELAYS_DEFAULT_MS;
  assert(options.apiKey.length >= SECRET_CHARS_MIN, 'the API key has at least 8 characters');
  assert(options.webhookSecret.length >= SECRET_CHARS_MIN, 'the webhook secret is 8+ characters');
  assert(
    Number.isInteger(slowAnswerMs) && slowAnswerMs >= 0 && slowAnswerMs <= SLOW_ANSWER_MAX_MS,
    'slowAnswerMs within 0..60000',
  );
  assert(retryDelaysMs.length < WEBHOOK_ATTEMPTS_MAX, 'a bounded number of webhook attempts');
  assert(
    retryDelaysMs.every((ms) => Number.isInteger(ms) && ms >= 0 && ms <= SLOW_ANSWER_MAX_MS),
    'webhook retry delays within 0..60000 ms',
  );

  const clock = options.clock ?? systemClock;
  const store = new AcquirerStore(options.dataFile);
  const webhooks = new WebhookSender({
    store,
    secret: options.webhookSecret,
    clock,
    retryDelaysMs,
    timeoutMs: options.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_DEFAULT_MS,
  });
  // Known once the server listens (port 0 picks a free port).
  let baseUrl = options.publicUrl?.replace(/\/+$/, '') ?? '';
  const acquirer = new Acquirer(store, webhooks, {
    clock,
    baseUrl: () => baseUrl,
    bankDueMs: options.bankDueMs ?? BANK_DUE_DEFAULT_MS,
    cardPageTtlMs: options.cardPageTtlMs ?? CARD_PAGE_TTL_DEFAULT_MS,
    slowAnswerMs,
  });
  const closing = new AbortController();
  const app = Fastify({
    logger: options.logLevel === undefined ? false : { level: options.logLevel },
    bodyLimit: API_BODY_LIMIT,
  });
  await registerApi(app, { acquirer, apiKey: options.apiKey });
  await registerPages(app, { acquirer, closing: closing.signal });

  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  if (baseUrl === '') baseUrl = `http://${displayHost(options.host)}:${port}`;

  let closed: Promise<void> | null = null;
  return {
    url: baseUrl,
    close: () => {
      closed ??= (async () => {
        // Slow answers and webhook retries stop waiting first, so closing is quick.
        closing.abort();
        await webhooks.close();
        await app.close();
        store.close();
      })();
      return closed;
    },
  };
}
