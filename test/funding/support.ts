import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  startSandboxAcquirer,
  type SandboxAcquirer,
  type SandboxAcquirerOptions,
} from '../../src/acquirer/index.ts';
import {
  sandboxProvider,
  type CreatePaymentInput,
  type FundingProvider,
  type ProviderPayment,
} from '../../src/funding/index.ts';

/** Helpers for the funding tests: an in-process acquirer, a webhook catcher, form posts. */
export const API_KEY = 'sk_test_acquirer_for_tests';
export const WEBHOOK_SECRET = 'whsec_test_acquirer_for_tests';
/** Every wait in these tests is bounded by this. */
export const WAIT_MAX_MS = 5_000;
/** How long to wait before concluding that a webhook will not come. */
export const QUIET_MS = 300;

export interface CaughtWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: {
    readonly id: string;
    readonly type: string;
    readonly payment: { readonly id: string };
  };
}

/** A small HTTP server that records webhooks; it can be told to fail the first N deliveries. */
export class WebhookCatcher {
  readonly received: CaughtWebhook[] = [];
  /** Deliveries answered 500 before the catcher starts answering 204. */
  failNext = 0;
  attempts = 0;
  /** The event id of every attempt, failed ones included. */
  readonly attemptEventIds: string[] = [];
  #server: Server;
  url = '';

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<WebhookCatcher> {
    const catcher = new WebhookCatcher(createServer());
    catcher.#server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        catcher.attempts += 1;
        const raw = Buffer.concat(chunks).toString('utf8');
        catcher.attemptEventIds.push((JSON.parse(raw) as { id: string }).id);
        if (catcher.failNext > 0) {
          catcher.failNext -= 1;
          response.writeHead(500).end();
          return;
        }
        catcher.received.push({
          headers: request.headers,
          body: raw,
          json: JSON.parse(raw) as CaughtWebhook['json'],
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => catcher.#server.listen(0, '127.0.0.1', resolve));
    const { port } = catcher.#server.address() as AddressInfo;
    catcher.url = `http://127.0.0.1:${port}/hooks/acquirer`;
    return catcher;
  }

  for(paymentId: string): CaughtWebhook[] {
    return this.received.filter((hook) => hook.json.payment.id === paymentId);
  }

  /** Waits (bounded) until `count` webhooks for the payment have arrived. */
  async waitFor(paymentId: string, count = 1): Promise<CaughtWebhook[]> {
    await waitUntil(
      () => this.for(paymentId).length >= count,
      `${count} webhook(s) for ${paymentId}`,
    );
    return this.for(paymentId);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** JSON for assertion messages; bigints are shown as `123n`. */
export function show(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

export async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MAX_MS;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Like waitUntil, for a condition that needs a round trip. */
export async function eventually(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MAX_MS;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface Harness {
  readonly acquirer: SandboxAcquirer;
  readonly provider: FundingProvider;
  readonly hooks: WebhookCatcher;
  close(): Promise<void>;
}

export async function startHarness(
  overrides: Partial<SandboxAcquirerOptions> = {},
): Promise<Harness> {
  const hooks = await WebhookCatcher.start();
  const acquirer = await startSandboxAcquirer({
    host: '127.0.0.1',
    port: 0,
    dataFile: ':memory:',
    apiKey: API_KEY,
    webhookSecret: WEBHOOK_SECRET,
    slowAnswerMs: 300,
    webhookRetryDelaysMs: [50, 100],
    ...overrides,
  });
  const provider = sandboxProvider({
    baseUrl: acquirer.url,
    apiKey: API_KEY,
    webhookSecret: WEBHOOK_SECRET,
    timeoutMs: 5_000,
  });
  return {
    acquirer,
    provider,
    hooks,
    close: async () => {
      await acquirer.close();
      await hooks.close();
    },
  };
}

let counter = 0;
export function uniqueReference(prefix = 'ord'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now()}_${counter}`;
}

export function cardInput(
  hooks: WebhookCatcher,
  overrides: Partial<CreatePaymentInput> = {},
): CreatePaymentInput {
  return {
    reference: uniqueReference(),
    method: 'card',
    amountMinor: 10_000n,
    currency: 'KRW',
    description: 'OnePIN card 10,000 KRW',
    returnUrl: 'http://shop.test/orders/return',
    notifyUrl: hooks.url,
    ...overrides,
  };
}

export async function create(
  provider: FundingProvider,
  input: CreatePaymentInput,
): Promise<ProviderPayment> {
  const created = await provider.createPayment(input);
  assert.ok(created.ok, show(created));
  return created.value;
}

export async function fetchPayment(
  provider: FundingProvider,
  id: string,
): Promise<ProviderPayment> {
  const got = await provider.getPayment({ id });
  assert.ok(got.ok, show(got));
  assert.ok(got.value !== null, 'the payment exists');
  return got.value;
}

export interface PageAnswer {
  readonly status: number;
  readonly location: string | null;
  readonly body: string;
  readonly headers: Headers;
}

/** A form post the way a browser without JavaScript sends it; redirects are not followed. */
export async function postForm(url: string, fields: Record<string, string>): Promise<PageAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    body: new URLSearchParams(fields),
    redirect: 'manual',
    signal: AbortSignal.timeout(WAIT_MAX_MS),
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    body: await response.text(),
    headers: response.headers,
  };
}

export async function getPage(url: string): Promise<PageAnswer> {
  const response = await fetch(url, {
    redirect: 'manual',
    signal: AbortSignal.timeout(WAIT_MAX_MS),
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    body: await response.text(),
    headers: response.headers,
  };
}

/** Fills in the hosted card page with a test card. */
export function payByCard(
  payment: ProviderPayment,
  number: string,
  overrides: Partial<Record<'expiry' | 'cvc' | 'name', string>> = {},
): Promise<PageAnswer> {
  assert.ok(payment.redirectUrl, 'card payments carry the card page URL');
  return postForm(payment.redirectUrl, {
    number,
    expiry: '12/39',
    cvc: '123',
    name: 'Hong Gildong',
    ...overrides,
  });
}

/** The acquirer's API with a raw fetch (for what the provider does not expose). */
export async function api(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  apiKey = API_KEY,
): Promise<{ readonly status: number; readonly json: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(WAIT_MAX_MS),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** A port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
