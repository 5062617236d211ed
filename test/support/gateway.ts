import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/http/index.ts';
import {
  createApiKey,
  createAssociate,
  signatureHeader,
  type NewApiKey,
} from '../../src/payments/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { activeTestCard, openTestApp, type TestApp } from './app.ts';
import type { TestDatabase } from './databases.ts';

export interface TestCard {
  readonly id: string;
  readonly pin: string;
  readonly password: string;
  readonly serial: string;
}

export interface TestGateway extends TestApp {
  readonly server: FastifyInstance;
  readonly associateId: string;
  readonly key: NewApiKey;
  /** A second associate, to prove one cannot see the other's payments. */
  readonly otherKey: NewApiKey;
  card(options?: {
    readonly denomination?: string;
    readonly livemode?: boolean;
  }): Promise<TestCard>;
  call(
    method: 'GET' | 'POST',
    path: string,
    options?: {
      readonly body?: unknown;
      readonly idempotencyKey?: string | null;
      readonly sign?: boolean;
      readonly key?: NewApiKey;
      readonly headers?: Record<string, string>;
    },
  ): Promise<{
    status: number;
    body: Record<string, unknown> & { error?: { code: string; param?: string } };
    headers: Record<string, unknown>;
  }>;
}

let counter = 0;

/** A database, an associate with test keys, and the HTTP server in-process (inject). */
export async function openTestGateway(
  target: TestDatabase,
  options: {
    readonly trusted?: boolean;
    readonly commissionBps?: bigint;
    readonly rateLimitPerMinute?: number;
  } = {},
): Promise<TestGateway> {
  const t = await openTestApp(target);
  const { app } = t;
  const { associateId, key, otherKey } = await writeTransaction(app.db, async (tx) => {
    const a = await createAssociate(app.payments, tx, {
      name: 'Test Shop',
      category: 'shopping',
      commissionBps: options.commissionBps ?? 250n,
      webhookUrl: 'http://127.0.0.1:9/hook',
      returnUrls: ['https://shop.example/return'],
      trusted: options.trusted ?? false,
    });
    assert.ok(a.ok);
    const k = await createApiKey(app.payments, tx, { associateId: a.value.id, livemode: false });
    assert.ok(k.ok);
    const b = await createAssociate(app.payments, tx, {
      name: 'Other Shop',
      category: 'contents',
      commissionBps: 100n,
    });
    assert.ok(b.ok);
    const k2 = await createApiKey(app.payments, tx, { associateId: b.value.id, livemode: false });
    assert.ok(k2.ok);
    return { associateId: a.value.id, key: k.value, otherKey: k2.value };
  });
  // The server as src/main/server.ts builds it, real-time charging included.
  const server = await buildServer({
    db: app.db,
    payments: app.payments,
    cards: app.cards,
    charging: app.charging,
    logLevel: 'silent',
    ...(options.rateLimitPerMinute !== undefined
      ? { rateLimitPerMinute: options.rateLimitPerMinute }
      : {}),
  });
  return {
    ...t,
    server,
    associateId,
    key,
    otherKey,
    async card(o = {}) {
      return activeTestCard(app, {
        denominationId: o.denomination ?? 'den_krw_10000',
        livemode: o.livemode ?? false,
      });
    },
    call: signedCaller(server, t.clock, key),
  };
}

/**
 * `call()` against any server: the API key as Bearer, an Idempotency-Key on every POST (unless
 * null), and a signature over it (unless `sign: false`), exactly as openTestGateway's `call()`.
 */
export function signedCaller(
  server: FastifyInstance,
  clock: TestApp['clock'],
  defaultKey: NewApiKey,
): TestGateway['call'] {
  return async (method, path, o = {}) => {
    const useKey = o.key ?? defaultKey;
    const payload = o.body === undefined ? '' : JSON.stringify(o.body);
    const headers: Record<string, string> = {
      authorization: `Bearer ${useKey.secret}`,
      ...(o.headers ?? {}),
    };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const idempotencyKey =
      method === 'POST' && o.idempotencyKey !== null
        ? (o.idempotencyKey ?? `idem_${++counter}_${Date.now()}`)
        : undefined;
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    if (method === 'POST' && o.sign !== false) {
      headers['onepin-signature'] = signatureHeader({
        secret: useKey.signingSecret,
        timestamp: Math.floor(Number(clock.nowMs()) / 1000),
        method,
        path,
        ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
        body: payload,
      });
    }
    const res = await server.inject({
      method,
      url: path,
      headers,
      ...(payload !== '' ? { payload } : {}),
    });
    return {
      status: res.statusCode,
      body:
        res.body === ''
          ? {}
          : res.json<Record<string, unknown> & { error?: { code: string; param?: string } }>(),
      headers: res.headers,
    };
  };
}
