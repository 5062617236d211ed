// The merchant API over HTTP (in-process, `inject`), on every database: each /api/v1 route's
// success, every way authentication, signing and idempotency can fail, validation with proof that
// nothing changed, isolation between associates, the payment rules at the edge, charges and their
// lockout, rate limiting, and the worked signature example of docs/api.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ERROR_CATALOG, isoFromMs, type ErrorCode } from '../../src/kernel/index.ts';
import {
  API_SCOPES,
  authorizeWithCard,
  bodyDigest,
  createApiKey,
  createAssociate,
  expireDuePayments,
  merchantAccountId,
  purgeIdempotency,
  revokeApiKey,
  rotateApiKey,
  signatureHeader,
  signingPayload,
  updateAssociate,
  type ApiScope,
  type NewApiKey,
} from '../../src/payments/index.ts';
import { systemAccountId } from '../../src/ledger/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';
import { openTestGateway, type TestCard, type TestGateway } from '../support/gateway.ts';
import { snapshot } from '../support/snapshot.ts';

// ---------------------------------------------------------------------------------------------
// Requests

interface ErrorJson {
  readonly type: string;
  readonly code: string;
  readonly message: string;
  readonly param?: string;
  readonly detail?: string;
  readonly request_id: string;
}

type Json = Record<string, unknown>;

interface Res {
  readonly status: number;
  readonly body: Json & { readonly error?: ErrorJson };
  readonly headers: Record<string, unknown>;
}

type Method = 'GET' | 'POST';

interface SendOptions {
  /** Whose secret and signing secret to use (default: the gateway's associate's test key). */
  readonly key?: NewApiKey;
  /** The raw Authorization header instead of `Bearer <key>`; null sends none. */
  readonly authorization?: string | null;
  readonly body?: unknown;
  /** Bytes to send as they are (for malformed bodies). */
  readonly rawBody?: string;
  /** Default: a fresh key per request; null sends none. */
  readonly idempotencyKey?: string | null;
  /**
   * Default: signed now with the key's signing secret. null: no header. A string: that header.
   * An object: signed with another secret, timestamp or path.
   */
  readonly signature?:
    | null
    | string
    | { readonly secret?: string; readonly timestamp?: number; readonly path?: string };
  /**
   * POSTs move the clock one second first (default), so that two requests a test makes one after
   * the other are signed with different timestamps (see the same-second test below).
   */
  readonly tick?: boolean;
}

let sequence = 0;

function nowS(g: TestGateway): number {
  return Math.floor(Number(g.clock.nowMs()) / 1000);
}

/** What `send` would put in the headers, without sending: for replays. */
function requestOf(
  g: TestGateway,
  method: Method,
  path: string,
  o: SendOptions = {},
): { headers: Record<string, string>; payload: string } {
  const key = o.key ?? g.key;
  if (method === 'POST' && o.tick !== false) g.clock.advance(1_000n);
  const payload = o.rawBody ?? (o.body === undefined ? '' : JSON.stringify(o.body));
  const headers: Record<string, string> = {};
  const authorization = o.authorization === undefined ? `Bearer ${key.secret}` : o.authorization;
  if (authorization !== null) headers.authorization = authorization;
  if (payload !== '') headers['content-type'] = 'application/json';
  if (method === 'POST') {
    sequence += 1;
    const idem = o.idempotencyKey === undefined ? `idem-${sequence}` : o.idempotencyKey;
    if (idem !== null) headers['idempotency-key'] = idem;
    const s = o.signature;
    if (typeof s === 'string') headers['onepin-signature'] = s;
    else if (s !== null) {
      headers['onepin-signature'] = signatureHeader({
        secret: s?.secret ?? key.signingSecret,
        timestamp: s?.timestamp ?? nowS(g),
        method,
        path: s?.path ?? path,
        ...(idem !== null ? { idempotencyKey: idem } : {}),
        body: payload,
      });
    }
  }
  return { headers, payload };
}

async function inject(
  g: TestGateway,
  method: Method,
  path: string,
  request: { headers: Record<string, string>; payload: string },
): Promise<Res> {
  const res = await g.server.inject({
    method,
    url: path,
    headers: request.headers,
    ...(request.payload !== '' ? { payload: request.payload } : {}),
  });
  return {
    status: res.statusCode,
    body: res.body === '' ? {} : res.json<Res['body']>(),
    headers: res.headers,
  };
}

async function send(
  g: TestGateway,
  method: Method,
  path: string,
  o: SendOptions = {},
): Promise<Res> {
  return inject(g, method, path, requestOf(g, method, path, o));
}

function show(res: Res): string {
  return `${res.status} ${JSON.stringify(res.body)}`;
}

function str(value: unknown): string {
  assert.equal(typeof value, 'string', `expected a string, got ${JSON.stringify(value)}`);
  return value as string;
}

function list(res: Res): Json[] {
  assert.equal(res.body.object, 'list', show(res));
  assert.equal(typeof res.body.has_more, 'boolean');
  assert.ok(Array.isArray(res.body.data));
  return res.body.data as Json[];
}

/** Every error answer: the status and code expected, and the full Stripe-style shape. */
function expectError(res: Res, status: number, code: ErrorCode, param?: string): void {
  assert.equal(res.status, status, show(res));
  const error = res.body.error;
  assert.ok(error !== undefined, `an error object: ${show(res)}`);
  assert.equal(error.code, code, show(res));
  assert.equal(error.type, ERROR_CATALOG[code].type);
  assert.equal(error.message, ERROR_CATALOG[code].message);
  assert.match(error.request_id, /^req_[0-9a-f]{16}$/);
  if (param !== undefined) assert.equal(error.param, param, show(res));
  assert.deepEqual(Object.keys(res.body), ['error'], 'nothing beside the error object');
}

// ---------------------------------------------------------------------------------------------
// State: what changed, and fixtures

/**
 * Everything a request could change: ledger and card tables (test/support/snapshot.ts) plus the
 * gateway's tables. Left out on purpose: `idempotency_record` (a refused request stores its
 * answer so that a retry gets the same one) and `api_signature_seen` (a used signature is
 * remembered even when the request is then refused).
 */
const PAYMENT_TABLES = [
  'associate',
  'api_key',
  'payment',
  'payment_part',
  'payment_capture',
  'refund',
  'webhook_event',
  'webhook_delivery',
  'webhook_attempt',
  'payment_flag',
] as const;

async function state(g: TestGateway): Promise<string> {
  const parts = [await snapshot(g.app.db)];
  for (const table of PAYMENT_TABLES) {
    const rows = await sql<Json>`select * from ${sql.table(table)}`.execute(g.app.db.kysely);
    const lines = rows.rows.map((r) =>
      JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
    );
    parts.push(`${table}:${lines.sort().join('\n')}`);
  }
  return parts.join('\n');
}

async function count(g: TestGateway, table: string): Promise<number> {
  const r = await sql<{ n: unknown }>`select count(*) as n from ${sql.table(table)}`.execute(
    g.app.db.kysely,
  );
  return Number(String(r.rows[0]?.n));
}

async function failedAttempts(g: TestGateway, cardId: string): Promise<bigint> {
  const r = await sql<{
    failed_attempts: unknown;
  }>`select failed_attempts from card where id = ${cardId}`.execute(g.app.db.kysely);
  return BigInt(String(r.rows[0]?.failed_attempts));
}

const ORDER = { currency: 'KRW', order_reference: 'order-1' } as const;

async function createdPayment(g: TestGateway, amount = 7000, key?: NewApiKey): Promise<string> {
  const res = await send(g, 'POST', '/api/v1/payments', {
    body: { ...ORDER, amount },
    ...(key !== undefined ? { key } : {}),
  });
  assert.equal(res.status, 201, show(res));
  return str(res.body.id);
}

async function pay(g: TestGateway, paymentId: string, card?: TestCard): Promise<TestCard> {
  const c = card ?? (await g.card());
  const auth = await authorizeWithCard(g.app.payments, {
    paymentId,
    pin: c.pin,
    password: c.password,
  });
  assert.ok(auth.ok, JSON.stringify(!auth.ok && auth.error));
  return c;
}

async function authorizedPayment(g: TestGateway, amount = 7000, key?: NewApiKey): Promise<string> {
  const id = await createdPayment(g, amount, key);
  await pay(g, id);
  return id;
}

async function capturedPayment(g: TestGateway, amount = 7000, key?: NewApiKey): Promise<string> {
  const id = await authorizedPayment(g, amount, key);
  const res = await send(g, 'POST', `/api/v1/payments/${id}/capture`, {
    ...(key !== undefined ? { key } : {}),
  });
  assert.equal(res.status, 200, show(res));
  return id;
}

async function refundOf(g: TestGateway, key?: NewApiKey): Promise<string> {
  const id = await capturedPayment(g, 7000, key);
  const res = await send(g, 'POST', '/api/v1/refunds', {
    body: { payment: id, amount: 1000 },
    ...(key !== undefined ? { key } : {}),
  });
  assert.equal(res.status, 201, show(res));
  return str(res.body.id);
}

async function newestEventId(g: TestGateway, key?: NewApiKey): Promise<string> {
  const res = await send(g, 'GET', '/api/v1/events?limit=1', {
    ...(key !== undefined ? { key } : {}),
  });
  const first = list(res)[0];
  assert.ok(first !== undefined, 'an event exists');
  return str(first.id);
}

async function newestDeliveryId(g: TestGateway, key?: NewApiKey): Promise<string> {
  const res = await send(g, 'GET', '/api/v1/webhook_deliveries?limit=1', {
    ...(key !== undefined ? { key } : {}),
  });
  const first = list(res)[0];
  assert.ok(first !== undefined, 'a webhook delivery exists');
  return str(first.id);
}

async function newKey(
  g: TestGateway,
  options: { readonly scopes?: readonly ApiScope[]; readonly livemode?: boolean } = {},
): Promise<NewApiKey> {
  return writeTransaction(g.app.db, async (tx) => {
    const k = await createApiKey(g.app.payments, tx, {
      associateId: g.associateId,
      livemode: options.livemode ?? false,
      ...(options.scopes !== undefined ? { scopes: options.scopes } : {}),
    });
    assert.ok(k.ok);
    return k.value;
  });
}

// ---------------------------------------------------------------------------------------------
// The routes

interface Prepared {
  readonly path: string;
  readonly body?: unknown;
  /** The object the request should find, when it looks one up. */
  readonly id?: string;
}

interface RouteCase {
  readonly method: Method;
  /** The path as registered, `:id` included: matched against /openapi.json. */
  readonly route: string;
  readonly scope: ApiScope;
  readonly signed: boolean;
  readonly successStatus: number;
  /** A request that succeeds, with whatever it needs created first. */
  prepare(g: TestGateway): Promise<Prepared>;
  /** What the success answer must say. */
  check(body: Json, prepared: Prepared): void;
  /** Another body for the same target (same Idempotency-Key, different request → 409). */
  other?(prepared: Prepared): Prepared;
}

const ROUTES: readonly RouteCase[] = [
  {
    method: 'POST',
    route: '/api/v1/payments',
    scope: 'payments:write',
    signed: true,
    successStatus: 201,
    prepare: async () => ({
      path: '/api/v1/payments',
      body: {
        ...ORDER,
        amount: 7000,
        description: 'Two tickets',
        return_url: 'https://shop.example/return?order=1',
      },
    }),
    check: (b) => {
      assert.equal(b.object, 'payment');
      assert.match(str(b.id), /^pay_/);
      assert.equal(b.status, 'requires_payment');
      assert.equal(b.amount, 7000);
      assert.equal(b.livemode, false);
      assert.equal(b.capture_mode, 'manual');
      assert.equal(b.return_url, 'https://shop.example/return?order=1');
      assert.ok(str(b.hosted_url).endsWith(`/pay/${str(b.id)}`));
      assert.deepEqual(b.parts, []);
    },
    other: (p) => ({ path: p.path, body: { ...ORDER, amount: 7001 } }),
  },
  {
    method: 'GET',
    route: '/api/v1/payments',
    scope: 'payments:read',
    signed: false,
    successStatus: 200,
    prepare: async (g) => ({ path: '/api/v1/payments?limit=1', id: await createdPayment(g) }),
    check: (b, p) => {
      assert.equal(b.object, 'list');
      const data = b.data as Json[];
      assert.equal(data.length, 1);
      assert.equal(data[0]?.id, p.id, 'newest first');
      assert.equal(b.has_more, true);
    },
  },
  {
    method: 'GET',
    route: '/api/v1/payments/:id',
    scope: 'payments:read',
    signed: false,
    successStatus: 200,
    prepare: async (g) => ({ path: `/api/v1/payments/${await authorizedPayment(g)}` }),
    check: (b, p) => {
      assert.equal(b.id, p.path.split('/').at(-1));
      assert.equal(b.status, 'requires_capture');
      assert.equal(b.amount_authorized, 7000);
      assert.equal((b.parts as Json[]).length, 1);
      assert.equal(typeof b.hold_expires_at, 'string');
    },
  },
  {
    method: 'POST',
    route: '/api/v1/payments/:id/capture',
    scope: 'payments:write',
    signed: true,
    successStatus: 200,
    prepare: async (g) => ({
      path: `/api/v1/payments/${await authorizedPayment(g)}/capture`,
      body: { amount: 3000 },
    }),
    check: (b) => {
      assert.equal(b.status, 'partially_captured');
      assert.equal(b.amount_captured, 3000);
      assert.equal(b.fee, 75, '2.5% of 3,000');
    },
    other: (p) => ({ path: p.path, body: { amount: 3001 } }),
  },
  {
    method: 'POST',
    route: '/api/v1/payments/:id/void',
    scope: 'payments:write',
    signed: true,
    successStatus: 200,
    prepare: async (g) => ({ path: `/api/v1/payments/${await authorizedPayment(g)}/void` }),
    check: (b) => {
      assert.equal(b.status, 'voided');
      assert.equal(b.amount_captured, 0);
      assert.deepEqual(
        (b.parts as Json[]).map((p) => p.status),
        ['voided'],
      );
    },
    // The same key sent to void another payment: a different request under one key.
    other: (p) => ({ path: p.path.replace(/pay_[0-9a-z]+/, 'pay_0000000000000000000000') }),
  },
  {
    method: 'POST',
    route: '/api/v1/refunds',
    scope: 'refunds:write',
    signed: true,
    successStatus: 201,
    prepare: async (g) => ({
      path: '/api/v1/refunds',
      body: { payment: await capturedPayment(g), amount: 2000, reason: 'requested_by_customer' },
    }),
    check: (b, p) => {
      assert.equal(b.object, 'refund');
      assert.match(str(b.id), /^ref_/);
      assert.equal(b.payment, (p.body as Json).payment);
      assert.equal(b.amount, 2000);
      assert.equal(b.fee_returned, 50, '2.5% of 2,000 goes back to the associate');
      assert.equal(b.status, 'succeeded');
    },
    other: (p) => ({ path: p.path, body: { ...(p.body as Json), amount: 2001 } }),
  },
  {
    method: 'GET',
    route: '/api/v1/refunds',
    scope: 'payments:read',
    signed: false,
    successStatus: 200,
    prepare: async (g) => ({ path: '/api/v1/refunds?limit=5', id: await refundOf(g) }),
    check: (b, p) => {
      assert.equal((b.data as Json[])[0]?.id, p.id, 'newest first');
    },
  },
  {
    method: 'GET',
    route: '/api/v1/refunds/:id',
    scope: 'payments:read',
    signed: false,
    successStatus: 200,
    prepare: async (g) => ({ path: `/api/v1/refunds/${await refundOf(g)}` }),
    check: (b, p) => {
      assert.equal(b.id, p.path.split('/').at(-1));
      assert.equal(b.amount, 1000);
    },
  },
  {
    method: 'POST',
    route: '/api/v1/charges',
    scope: 'charges:write',
    signed: true,
    successStatus: 201,
    prepare: async (g) => {
      const card = await g.card();
      return {
        path: '/api/v1/charges',
        body: { ...ORDER, amount: 4000, pin: card.pin, password: card.password },
      };
    },
    check: (b) => {
      assert.equal(b.status, 'succeeded');
      assert.equal(b.capture_mode, 'auto');
      assert.equal(b.amount_captured, 4000);
      assert.equal(b.fee, 100);
    },
    other: (p) => ({ path: p.path, body: { ...(p.body as Json), amount: 4001 } }),
  },
  {
    method: 'GET',
    route: '/api/v1/events',
    scope: 'events:read',
    signed: false,
    successStatus: 200,
    prepare: async (g) => {
      await authorizedPayment(g);
      return { path: '/api/v1/events?type=payment.authorized&limit=2' };
    },
    check: (b) => {
      const data = b.data as Json[];
      assert.ok(data.length >= 1);
      for (const e of data) assert.equal(e.type, 'payment.authorized');
    },
  },
  {
    method: 'GET',
    route: '/api/v1/events/:id',
    scope: 'events:read',
    signed: false,
    successStatus: 200,
    prepare: async (g) => {
      await authorizedPayment(g);
      return { path: `/api/v1/events/${await newestEventId(g)}` };
    },
    check: (b, p) => {
      assert.equal(b.id, p.path.split('/').at(-1));
      assert.equal(b.object, 'event');
      assert.equal(b.type, 'payment.authorized');
      assert.equal((b.data as { object: Json }).object.object, 'payment');
    },
  },
  {
    method: 'GET',
    route: '/api/v1/webhook_deliveries',
    scope: 'events:read',
    signed: false,
    successStatus: 200,
    prepare: async (g) => {
      await authorizedPayment(g);
      const event = await newestEventId(g);
      return { path: `/api/v1/webhook_deliveries?event=${event}`, id: event };
    },
    check: (b, p) => {
      const data = b.data as Json[];
      assert.equal(data.length, 1);
      assert.equal(data[0]?.object, 'webhook_delivery');
      assert.equal(data[0]?.event, p.id);
      assert.equal(data[0]?.status, 'pending');
    },
  },
  {
    method: 'GET',
    route: '/api/v1/webhook_deliveries/:id',
    scope: 'events:read',
    signed: false,
    successStatus: 200,
    prepare: async (g) => {
      await authorizedPayment(g);
      const id = await newestDeliveryId(g);
      return { path: `/api/v1/webhook_deliveries/${id}`, id };
    },
    check: (b, p) => {
      assert.equal(b.id, p.id);
      assert.equal(b.attempts, 0);
      assert.deepEqual(b.attempt_log, []);
    },
  },
  {
    method: 'POST',
    route: '/api/v1/events/:id/redeliver',
    scope: 'payments:write',
    signed: true,
    successStatus: 201,
    prepare: async (g) => {
      await authorizedPayment(g);
      const id = await newestEventId(g);
      return { path: `/api/v1/events/${id}/redeliver`, id };
    },
    check: (b, p) => {
      assert.equal(b.object, 'webhook_delivery');
      assert.equal(b.event, p.id);
      assert.equal(b.status, 'pending');
      assert.equal(b.attempts, 0);
    },
    other: (p) => ({ path: p.path.replace(/evt_[0-9a-z]+/, 'evt_0000000000000000000000') }),
  },
];

function label(r: RouteCase): string {
  return `${r.method} ${r.route}`;
}

function sendPrepared(
  g: TestGateway,
  r: RouteCase,
  p: Prepared,
  o: SendOptions = {},
): Promise<Res> {
  return send(g, r.method, p.path, { ...(p.body !== undefined ? { body: p.body } : {}), ...o });
}

// ---------------------------------------------------------------------------------------------

test('docs/api.md: the worked signature example is what signatureHeader computes', () => {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const cell = (name: string): string => {
    const match = new RegExp(`^\\| ${name} +\\| \`([^\`]+)\` +\\|$`, 'm').exec(doc);
    assert.ok(match?.[1] !== undefined, `docs/api.md has a "${name}" row in the example table`);
    return match[1];
  };
  const input = {
    secret: cell('signing secret'),
    timestamp: Number.parseInt(cell('timestamp'), 10),
    nonce: cell('nonce'),
    method: cell('method'),
    path: cell('path'),
    idempotencyKey: cell('idempotency key'),
    body: cell('body'),
  };
  const digest = bodyDigest(input.body);
  const payload = signingPayload(input);
  const header = signatureHeader(input);
  assert.equal(cell('body digest'), digest);
  assert.ok(doc.includes(`\n${payload}\n`), `the string to sign, ${payload}, is shown`);
  assert.ok(doc.includes(`OnePIN-Signature: ${header}`), `the header, ${header}, is shown`);
  assert.ok(doc.includes(`v1=${header.split('v1=')[1] ?? '?'}`));
});

for (const target of DATABASES) {
  describe(`merchant API on ${target.name}`, { skip: target.skip }, () => {
    let g: TestGateway;
    let revoked: NewApiKey;
    let rotatedAway: NewApiKey;
    const lacking = new Map<ApiScope, NewApiKey>();
    /** The other associate's payment (captured, partly refunded), its refund and an event. */
    let theirs: { payment: string; refund: string; event: string; delivery: string };

    before(async () => {
      // A trusted associate so /charges works; the gateway's "other" associate is untrusted.
      // The rate limit is out of the way here and tested on its own gateway below.
      g = await openTestGateway(target, { trusted: true, rateLimitPerMinute: 1_000_000 });
      revoked = await newKey(g);
      const r = await writeTransaction(g.app.db, (tx) =>
        revokeApiKey(g.app.payments, tx, revoked.key.id),
      );
      assert.ok(r.ok);
      const old = await newKey(g);
      const rotated = await writeTransaction(g.app.db, (tx) =>
        rotateApiKey(g.app.payments, tx, old.key.id, 60_000n),
      );
      assert.ok(rotated.ok);
      g.clock.advance(60_000n);
      rotatedAway = old;
      for (const scope of API_SCOPES) {
        lacking.set(scope, await newKey(g, { scopes: API_SCOPES.filter((s) => s !== scope) }));
      }
      // The other associate gets a webhook URL too, so that it has deliveries to hide.
      const hooked = await writeTransaction(g.app.db, (tx) =>
        updateAssociate(g.app.payments, tx, g.otherKey.key.associateId, {
          webhookUrl: 'http://127.0.0.1:9/other-hook',
        }),
      );
      assert.ok(hooked.ok);
      const refund = await refundOf(g, g.otherKey);
      const got = await send(g, 'GET', `/api/v1/refunds/${refund}`, { key: g.otherKey });
      theirs = {
        payment: str(got.body.payment),
        refund,
        event: await newestEventId(g, g.otherKey),
        delivery: await newestDeliveryId(g, g.otherKey),
      };
    });
    after(async () => {
      await g.server.close();
      await g.dispose();
    });

    test('the route table covers every operation in /openapi.json', async () => {
      const res = await g.server.inject({ method: 'GET', url: '/openapi.json' });
      const doc = res.json<{ paths: Record<string, Record<string, unknown>> }>();
      // The charging routes take no Idempotency-Key (the request number is their key); their
      // own battery of auth, scope, signature and replay tests is test/http/charging-api.test.ts.
      const documented = Object.entries(doc.paths)
        .filter(([path]) => !path.startsWith('/api/v1/charging/'))
        .flatMap(([path, ops]) =>
          Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
        );
      assert.deepEqual(documented.sort(), ROUTES.map(label).sort());
    });

    for (const r of ROUTES) {
      describe(label(r), () => {
        test('succeeds', async () => {
          const p = await r.prepare(g);
          const res = await sendPrepared(g, r, p);
          assert.equal(res.status, r.successStatus, show(res));
          assert.equal(res.headers['idempotent-replayed'], undefined);
          r.check(res.body, p);
        });

        const authFailures: readonly {
          readonly name: string;
          readonly options: () => SendOptions;
          readonly status: number;
          readonly code: ErrorCode;
        }[] = [
          {
            name: 'no API key',
            options: () => ({ authorization: null }),
            status: 401,
            code: 'api_key_invalid',
          },
          {
            name: 'a malformed Authorization header',
            options: () => ({ authorization: `Basic ${g.key.secret}` }),
            status: 401,
            code: 'api_key_invalid',
          },
          {
            name: 'a malformed key',
            options: () => ({ authorization: 'Bearer sk_test_tooshort' }),
            status: 401,
            code: 'api_key_invalid',
          },
          {
            name: 'an unknown key',
            options: () => ({ authorization: `Bearer sk_test_${'A'.repeat(40)}` }),
            status: 401,
            code: 'api_key_invalid',
          },
          {
            name: 'a revoked key',
            options: () => ({ key: revoked }),
            status: 401,
            code: 'api_key_invalid',
          },
          {
            name: 'a key past its rotation overlap',
            options: () => ({ key: rotatedAway }),
            status: 401,
            code: 'api_key_invalid',
          },
          {
            name: `a key without ${r.scope}`,
            options: () => ({ key: lacking.get(r.scope) ?? g.key }),
            status: 403,
            code: 'scope_missing',
          },
        ];
        for (const f of authFailures) {
          test(`${f.name} → ${f.status} ${f.code}, nothing changed`, async () => {
            const p = await r.prepare(g);
            const before = await state(g);
            const res = await sendPrepared(g, r, p, f.options());
            expectError(res, f.status, f.code);
            assert.equal(await state(g), before);
          });
        }

        if (!r.signed) return;

        const signatureFailures: readonly {
          readonly name: string;
          readonly options: (p: Prepared) => SendOptions;
          readonly code: ErrorCode;
        }[] = [
          { name: 'no signature', options: () => ({ signature: null }), code: 'signature_missing' },
          {
            name: 'an empty signature',
            options: () => ({ signature: '' }),
            code: 'signature_missing',
          },
          {
            name: 'a malformed signature',
            options: () => ({ signature: `t=${nowS(g) + 1},v1=not-hex` }),
            code: 'signature_invalid',
          },
          {
            name: 'a signature without a timestamp',
            options: () => ({ signature: `v1=${'a'.repeat(64)}` }),
            code: 'signature_invalid',
          },
          {
            name: 'a signature made with another secret',
            options: () => ({ signature: { secret: g.otherKey.signingSecret } }),
            code: 'signature_invalid',
          },
          {
            name: 'a signature over another path',
            options: () => ({ signature: { path: '/api/v1/payments/pay_x/capture' } }),
            code: 'signature_invalid',
          },
          {
            name: 'a signature 301 s old',
            options: () => ({ signature: { timestamp: nowS(g) + 1 - 301 } }),
            code: 'signature_expired',
          },
          {
            name: 'a signature 301 s in the future',
            options: () => ({ signature: { timestamp: nowS(g) + 1 + 301 } }),
            code: 'signature_expired',
          },
        ];
        for (const f of signatureFailures) {
          test(`${f.name} → 401 ${f.code}, nothing changed`, async () => {
            const p = await r.prepare(g);
            const before = await state(g);
            const res = await sendPrepared(g, r, p, f.options(p));
            expectError(res, 401, f.code);
            assert.equal(await state(g), before);
          });
        }

        test('a signature made 300 s ago is still accepted; 301 s is not (clock moved)', async () => {
          const p1 = await r.prepare(g);
          const req1 = requestOf(
            g,
            r.method,
            p1.path,
            p1.body !== undefined ? { body: p1.body } : {},
          );
          g.clock.advance(300_000n);
          const ok = await inject(g, r.method, p1.path, req1);
          assert.equal(ok.status, r.successStatus, show(ok));
          const p2 = await r.prepare(g);
          const req2 = requestOf(
            g,
            r.method,
            p2.path,
            p2.body !== undefined ? { body: p2.body } : {},
          );
          g.clock.advance(301_000n);
          const before = await state(g);
          expectError(await inject(g, r.method, p2.path, req2), 401, 'signature_expired');
          assert.equal(await state(g), before);
          // And from the other side: a clock 301 s behind the signer's.
          const p3 = await r.prepare(g);
          const req3 = requestOf(
            g,
            r.method,
            p3.path,
            p3.body !== undefined ? { body: p3.body } : {},
          );
          g.clock.advance(-301_000n);
          try {
            expectError(await inject(g, r.method, p3.path, req3), 401, 'signature_expired');
          } finally {
            g.clock.advance(301_000n);
          }
        });

        test('a replayed signature → 401 signature_replayed; under a new Idempotency-Key it no longer matches', async () => {
          const p = await r.prepare(g);
          const first = requestOf(
            g,
            r.method,
            p.path,
            p.body !== undefined ? { body: p.body } : {},
          );
          const ok = await inject(g, r.method, p.path, first);
          assert.equal(ok.status, r.successStatus, show(ok));
          const before = await state(g);
          const again = await inject(g, r.method, p.path, first);
          expectError(again, 401, 'signature_replayed');
          const renamed = {
            ...first,
            headers: { ...first.headers, 'idempotency-key': `replay-${sequence}` },
          };
          // The key is part of what is signed: a captured request cannot act again under a new one.
          expectError(await inject(g, r.method, p.path, renamed), 401, 'signature_invalid');
          assert.equal(await state(g), before);
        });

        test('no Idempotency-Key → 400 idempotency_key_required, nothing changed', async () => {
          const p = await r.prepare(g);
          const before = await state(g);
          expectError(
            await sendPrepared(g, r, p, { idempotencyKey: null }),
            400,
            'idempotency_key_required',
            'Idempotency-Key',
          );
          expectError(
            await sendPrepared(g, r, p, { idempotencyKey: 'has a space' }),
            400,
            'idempotency_key_required',
            'Idempotency-Key',
          );
          expectError(
            await sendPrepared(g, r, p, { idempotencyKey: 'k'.repeat(256) }),
            400,
            'idempotency_key_required',
            'Idempotency-Key',
          );
          assert.equal(await state(g), before);
        });

        test('the same key and body again → the same answer, replayed, one effect', async () => {
          const p = await r.prepare(g);
          const key = `same-${sequence}`;
          const before = await state(g);
          const first = await sendPrepared(g, r, p, { idempotencyKey: key });
          assert.equal(first.status, r.successStatus, show(first));
          assert.equal(first.headers['idempotent-replayed'], undefined);
          const afterFirst = await state(g);
          assert.notEqual(afterFirst, before, 'the first request had an effect');
          const second = await sendPrepared(g, r, p, { idempotencyKey: key });
          assert.equal(second.status, r.successStatus, show(second));
          assert.equal(second.headers['idempotent-replayed'], 'true');
          assert.deepEqual(second.body, first.body);
          assert.equal(await state(g), afterFirst, 'the replay changed nothing');
        });

        test('the same key with a different request → 409 idempotency_conflict, no effect', async () => {
          const p = await r.prepare(g);
          const key = `conflict-${sequence}`;
          const first = await sendPrepared(g, r, p, { idempotencyKey: key });
          assert.equal(first.status, r.successStatus, show(first));
          const other = r.other?.(p);
          assert.ok(other !== undefined, 'every signed route has another request to try');
          const before = await state(g);
          expectError(
            await sendPrepared(g, r, other, { idempotencyKey: key }),
            409,
            'idempotency_conflict',
            'Idempotency-Key',
          );
          assert.equal(await state(g), before);
        });
      });
    }

    describe('validation: 400 with the code and the parameter, and nothing changed', () => {
      const createCases: readonly {
        readonly name: string;
        readonly body: Json | string;
        readonly code: ErrorCode;
        readonly param: string;
      }[] = [
        {
          name: 'a fractional amount',
          body: { ...ORDER, amount: 1.5 },
          code: 'amount_invalid',
          param: 'amount',
        },
        {
          name: 'an amount as a string of digits',
          body: { ...ORDER, amount: '1000' },
          code: 'amount_invalid',
          param: 'amount',
        },
        {
          name: 'an amount as a word',
          body: { ...ORDER, amount: 'ten' },
          code: 'amount_invalid',
          param: 'amount',
        },
        {
          name: 'an amount of true',
          body: { ...ORDER, amount: true },
          code: 'amount_invalid',
          param: 'amount',
        },
        {
          name: 'an amount in an array',
          body: { ...ORDER, amount: [500] },
          code: 'amount_invalid',
          param: 'amount',
        },
        {
          name: 'a negative amount',
          body: { ...ORDER, amount: -5 },
          code: 'amount_must_be_positive',
          param: 'amount',
        },
        {
          name: 'a zero amount',
          body: { ...ORDER, amount: 0 },
          code: 'amount_must_be_positive',
          param: 'amount',
        },
        {
          name: 'an amount of 2^53',
          body: { ...ORDER, amount: 2 ** 53 },
          code: 'amount_exceeds_limit',
          param: 'amount',
        },
        {
          name: 'an amount of 1e300',
          body: `{"currency":"KRW","order_reference":"o","amount":1e300}`,
          code: 'amount_exceeds_limit',
          param: 'amount',
        },
        {
          name: 'a missing amount',
          body: { ...ORDER },
          code: 'parameter_invalid',
          param: 'amount',
        },
        {
          name: 'an unknown field',
          body: { ...ORDER, amount: 100, colour: 'red' },
          code: 'parameter_invalid',
          param: 'colour',
        },
        {
          name: 'an unknown currency',
          body: { ...ORDER, amount: 100, currency: 'XYZ' },
          code: 'currency_invalid',
          param: 'currency',
        },
        {
          name: 'a lower-case currency',
          body: { ...ORDER, amount: 100, currency: 'krw' },
          code: 'currency_invalid',
          param: 'currency',
        },
        {
          name: 'a four-letter currency',
          body: { ...ORDER, amount: 100, currency: 'KRWX' },
          code: 'currency_invalid',
          param: 'currency',
        },
        {
          name: 'a return_url on another site',
          body: { ...ORDER, amount: 100, return_url: 'https://evil.example/return' },
          code: 'return_url_not_allowed',
          param: 'return_url',
        },
        {
          name: 'a return_url on a look-alike host',
          body: { ...ORDER, amount: 100, return_url: 'https://shop.example.evil.example/return' },
          code: 'return_url_not_allowed',
          param: 'return_url',
        },
        {
          name: 'a return_url outside the allowed path',
          body: { ...ORDER, amount: 100, return_url: 'https://shop.example/admin' },
          code: 'return_url_not_allowed',
          param: 'return_url',
        },
        {
          name: 'a return_url over plain http',
          body: { ...ORDER, amount: 100, return_url: 'http://shop.example/return' },
          code: 'return_url_not_allowed',
          param: 'return_url',
        },
        {
          name: 'a javascript: return_url',
          body: { ...ORDER, amount: 100, return_url: 'javascript:alert(1)' },
          code: 'return_url_not_allowed',
          param: 'return_url',
        },
        {
          name: 'a missing order_reference',
          body: { amount: 100, currency: 'KRW' },
          code: 'parameter_invalid',
          param: 'order_reference',
        },
        {
          name: 'a hold lifetime under a minute',
          body: { ...ORDER, amount: 100, hold_lifetime_seconds: 59 },
          code: 'parameter_invalid',
          param: 'hold_lifetime_seconds',
        },
        {
          name: 'an unknown capture_mode',
          body: { ...ORDER, amount: 100, capture_mode: 'later' },
          code: 'parameter_invalid',
          param: 'capture_mode',
        },
        {
          name: 'a body that is not JSON',
          body: '{"amount": 100,',
          code: 'parameter_invalid',
          param: 'body',
        },
        { name: 'a JSON array body', body: '[1,2]', code: 'parameter_invalid', param: 'body' },
      ];
      for (const c of createCases) {
        test(`POST /payments with ${c.name} → ${c.code} (${c.param})`, async () => {
          const before = await state(g);
          const res = await send(g, 'POST', '/api/v1/payments', {
            ...(typeof c.body === 'string' ? { rawBody: c.body } : { body: c.body }),
          });
          expectError(res, 400, c.code, c.param);
          assert.equal(await state(g), before);
        });
      }

      test('capture, refund and charge amounts are checked the same way', async () => {
        const id = await capturedPayment(g, 7000);
        const auth = await authorizedPayment(g, 7000);
        const card = await g.card();
        const charge = { ...ORDER, pin: card.pin, password: card.password };
        const before = await state(g);
        const cases: readonly [string, Json, ErrorCode, string][] = [
          [`/api/v1/payments/${auth}/capture`, { amount: 1.5 }, 'amount_invalid', 'amount'],
          [`/api/v1/payments/${auth}/capture`, { amount: '100' }, 'amount_invalid', 'amount'],
          [`/api/v1/payments/${auth}/capture`, { amount: 0 }, 'amount_must_be_positive', 'amount'],
          [
            `/api/v1/payments/${auth}/capture`,
            { amount: 1, extra: 1 },
            'parameter_invalid',
            'extra',
          ],
          ['/api/v1/refunds', { payment: id, amount: -1 }, 'amount_must_be_positive', 'amount'],
          ['/api/v1/refunds', { payment: id, amount: '100' }, 'amount_invalid', 'amount'],
          ['/api/v1/refunds', { payment: id, reason: 'bored' }, 'parameter_invalid', 'reason'],
          ['/api/v1/refunds', { amount: 100 }, 'parameter_invalid', 'payment'],
          ['/api/v1/charges', { ...charge, amount: 2 ** 53 }, 'amount_exceeds_limit', 'amount'],
          ['/api/v1/charges', { ...charge, amount: '1000' }, 'amount_invalid', 'amount'],
        ];
        const wrong: string[] = [];
        for (const [path, body, code, param] of cases) {
          const res = await send(g, 'POST', path, { body });
          if (res.status !== 400 || res.body.error?.code !== code || res.body.error.param !== param)
            wrong.push(
              `${path} ${JSON.stringify(body)} → ${show(res)} (expected ${code} on ${param})`,
            );
        }
        assert.deepEqual(wrong, []);
        assert.equal(await state(g), before);
        assert.equal(await failedAttempts(g, card.id), 0n, 'no credentials were tried');
      });

      test('list parameters: limit 1–100, a known starting_after', async () => {
        for (const path of ['/api/v1/payments', '/api/v1/refunds', '/api/v1/events']) {
          expectError(await send(g, 'GET', `${path}?limit=0`), 400, 'parameter_invalid', 'limit');
          expectError(await send(g, 'GET', `${path}?limit=101`), 400, 'parameter_invalid', 'limit');
          expectError(await send(g, 'GET', `${path}?limit=ten`), 400, 'parameter_invalid', 'limit');
          expectError(
            await send(g, 'GET', `${path}?starting_after=pay_unknown`),
            400,
            'parameter_invalid',
            'starting_after',
          );
        }
      });

      test('an id longer than 64 characters → 400 parameter_invalid (id)', async () => {
        expectError(
          await send(g, 'GET', `/api/v1/payments/pay_${'x'.repeat(70)}`),
          400,
          'parameter_invalid',
          'id',
        );
      });
    });

    describe("another associate's objects are not found (404, never 403)", () => {
      test('payments: retrieve, capture, void, refund', async () => {
        expectError(
          await send(g, 'GET', `/api/v1/payments/${theirs.payment}`),
          404,
          'payment_not_found',
          'id',
        );
        const before = await state(g);
        expectError(
          await send(g, 'POST', `/api/v1/payments/${theirs.payment}/capture`),
          404,
          'payment_not_found',
          'id',
        );
        expectError(
          await send(g, 'POST', `/api/v1/payments/${theirs.payment}/void`),
          404,
          'payment_not_found',
          'id',
        );
        expectError(
          await send(g, 'POST', '/api/v1/refunds', { body: { payment: theirs.payment } }),
          404,
          'payment_not_found',
          'payment',
        );
        assert.equal(await state(g), before);
      });

      test('webhook deliveries: retrieve, list, redeliver', async () => {
        expectError(
          await send(g, 'GET', `/api/v1/webhook_deliveries/${theirs.delivery}`),
          404,
          'webhook_delivery_not_found',
          'id',
        );
        const mine = list(await send(g, 'GET', `/api/v1/webhook_deliveries?event=${theirs.event}`));
        assert.deepEqual(mine, []);
        const all = list(await send(g, 'GET', '/api/v1/webhook_deliveries?limit=100'));
        assert.ok(!all.some((d) => d.id === theirs.delivery));
        const before = await state(g);
        expectError(
          await send(g, 'POST', `/api/v1/events/${theirs.event}/redeliver`),
          404,
          'event_not_found',
          'id',
        );
        assert.equal(await state(g), before);
      });

      test('refunds and events: retrieve, and lists never show them', async () => {
        expectError(
          await send(g, 'GET', `/api/v1/refunds/${theirs.refund}`),
          404,
          'refund_not_found',
          'id',
        );
        expectError(
          await send(g, 'GET', `/api/v1/events/${theirs.event}`),
          404,
          'event_not_found',
          'id',
        );
        const refunds = list(await send(g, 'GET', `/api/v1/refunds?payment=${theirs.payment}`));
        assert.deepEqual(refunds, []);
        const mine = list(await send(g, 'GET', '/api/v1/payments?limit=100'));
        assert.ok(!mine.some((p) => p.id === theirs.payment));
        const events = list(await send(g, 'GET', '/api/v1/events?limit=100'));
        assert.ok(!events.some((e) => e.id === theirs.event));
        // Their own key does see them.
        const own = await send(g, 'GET', `/api/v1/events/${theirs.event}`, { key: g.otherKey });
        assert.equal(own.status, 200, show(own));
      });

      test('test and live data are apart: a live key does not see test payments', async () => {
        const live = await newKey(g, { livemode: true });
        const id = await createdPayment(g);
        expectError(
          await send(g, 'GET', `/api/v1/payments/${id}`, { key: live }),
          404,
          'payment_not_found',
        );
        assert.deepEqual(list(await send(g, 'GET', '/api/v1/payments', { key: live })), []);
        const liveId = await createdPayment(g, 1000, live);
        const got = await send(g, 'GET', `/api/v1/payments/${liveId}`, { key: live });
        assert.equal(got.body.livemode, true);
        // A test card cannot pay a live payment.
        const card = await g.card();
        const auth = await authorizeWithCard(g.app.payments, {
          paymentId: liveId,
          pin: card.pin,
          password: card.password,
        });
        assert.ok(!auth.ok);
        assert.equal(auth.error.code, 'card_mode_mismatch');
      });
    });

    describe('payment rules at the edge', () => {
      test('capture more than authorized → 400 amount_exceeds_capturable, nothing changed', async () => {
        const id = await authorizedPayment(g, 7000);
        const before = await state(g);
        expectError(
          await send(g, 'POST', `/api/v1/payments/${id}/capture`, { body: { amount: 7001 } }),
          400,
          'amount_exceeds_capturable',
          'amount',
        );
        assert.equal(await state(g), before);
        const part = await send(g, 'POST', `/api/v1/payments/${id}/capture`, {
          body: { amount: 5000 },
        });
        assert.equal(part.status, 200, show(part));
        expectError(
          await send(g, 'POST', `/api/v1/payments/${id}/capture`, { body: { amount: 2001 } }),
          400,
          'amount_exceeds_capturable',
          'amount',
        );
      });

      test('capture before the holder paid → 409 payment_state_invalid', async () => {
        const id = await createdPayment(g);
        expectError(
          await send(g, 'POST', `/api/v1/payments/${id}/capture`),
          409,
          'payment_state_invalid',
        );
      });

      test('refund more than captured → 400 amount_exceeds_refundable, nothing changed', async () => {
        const id = await authorizedPayment(g, 7000);
        const cap = await send(g, 'POST', `/api/v1/payments/${id}/capture`, {
          body: { amount: 4000 },
        });
        assert.equal(cap.status, 200, show(cap));
        const before = await state(g);
        expectError(
          await send(g, 'POST', '/api/v1/refunds', { body: { payment: id, amount: 4001 } }),
          400,
          'amount_exceeds_refundable',
          'amount',
        );
        assert.equal(await state(g), before);
        const r = await send(g, 'POST', '/api/v1/refunds', { body: { payment: id, amount: 3000 } });
        assert.equal(r.status, 201, show(r));
        expectError(
          await send(g, 'POST', '/api/v1/refunds', { body: { payment: id, amount: 1001 } }),
          400,
          'amount_exceeds_refundable',
          'amount',
        );
      });

      test('refund of an uncaptured payment → 409 payment_state_invalid', async () => {
        const id = await authorizedPayment(g);
        expectError(
          await send(g, 'POST', '/api/v1/refunds', { body: { payment: id } }),
          409,
          'payment_state_invalid',
        );
      });

      test('void after void → 409 payment_state_invalid; capture after void too', async () => {
        const id = await authorizedPayment(g);
        const voided = await send(g, 'POST', `/api/v1/payments/${id}/void`);
        assert.equal(voided.status, 200, show(voided));
        const before = await state(g);
        expectError(
          await send(g, 'POST', `/api/v1/payments/${id}/void`),
          409,
          'payment_state_invalid',
        );
        expectError(
          await send(g, 'POST', `/api/v1/payments/${id}/capture`),
          409,
          'payment_state_invalid',
        );
        assert.equal(await state(g), before);
      });

      test('lifecycle: two cards, partial captures, commission, refund, events', async () => {
        const a = await g.card();
        const b = await g.card();
        const id = await createdPayment(g, 15000);
        await pay(g, id, a);
        let got = await send(g, 'GET', `/api/v1/payments/${id}`);
        assert.equal(got.body.status, 'requires_payment', 'the first card covered 10,000');
        assert.equal(got.body.amount_authorized, 10000);
        await pay(g, id, b);
        got = await send(g, 'GET', `/api/v1/payments/${id}`);
        assert.equal(got.body.status, 'requires_capture');
        assert.deepEqual(
          (got.body.parts as Json[]).map((p) => [p.amount, p.status]),
          [
            [10000, 'authorized'],
            [5000, 'authorized'],
          ],
        );
        const c1 = await send(g, 'POST', `/api/v1/payments/${id}/capture`, {
          body: { amount: 12000 },
        });
        assert.equal(c1.body.status, 'partially_captured', show(c1));
        assert.equal(c1.body.fee, 300);
        const c2 = await send(g, 'POST', `/api/v1/payments/${id}/capture`);
        assert.equal(c2.body.status, 'succeeded', show(c2));
        assert.equal(c2.body.amount_captured, 15000);
        assert.equal(c2.body.fee, 375);
        const refund = await send(g, 'POST', '/api/v1/refunds', {
          body: { payment: id, amount: 5000, reason: 'duplicate' },
        });
        assert.equal(refund.status, 201, show(refund));
        assert.equal(refund.body.fee_returned, 125);
        assert.equal(refund.body.reason, 'duplicate');
        got = await send(g, 'GET', `/api/v1/payments/${id}`);
        assert.equal(got.body.amount_refunded, 5000);
        assert.equal(got.body.fee, 250, 'the commission net of what went back');
        assert.equal(got.body.status, 'succeeded');
        const refunds = list(await send(g, 'GET', `/api/v1/refunds?payment=${id}`));
        assert.deepEqual(
          refunds.map((r) => r.id),
          [refund.body.id],
        );
        const events = list(await send(g, 'GET', '/api/v1/events?limit=10'));
        const about = events.filter((e) => {
          const o = (e.data as { object: Json }).object;
          return o.id === id || o.payment === id;
        });
        assert.deepEqual(
          about.map((e) => e.type),
          ['refund.succeeded', 'payment.captured', 'payment.captured', 'payment.authorized'],
        );
      });

      test('a refund after the associate was paid out → 409 associate_balance_insufficient', async () => {
        // An associate of its own, so that emptying its payable account touches no other test.
        const key = await writeTransaction(g.app.db, async (tx) => {
          const a = await createAssociate(g.app.payments, tx, {
            name: 'Paid-out Shop',
            category: 'shopping',
            commissionBps: 250n,
          });
          assert.ok(a.ok);
          const k = await createApiKey(g.app.payments, tx, {
            associateId: a.value.id,
            livemode: false,
          });
          assert.ok(k.ok);
          return k.value;
        });
        const id = await capturedPayment(g, 7000, key);
        // A payout (not an API call yet): everything we owe the associate leaves its account.
        const account = merchantAccountId(key.key.associateId, false, 'KRW');
        await writeTransaction(g.app.db, async (tx) => {
          const totals = await g.app.ledger.getAccount(tx, account);
          assert.ok(totals !== undefined);
          const owed = totals.creditsPosted - totals.debitsPosted - totals.debitsPending;
          assert.equal(owed, 7000n - 175n);
          const results = await g.app.ledger.transfer(
            tx,
            [
              {
                id: `payout_${id}`,
                debitAccountId: account,
                creditAccountId: systemAccountId('KRW', 'payout_clearing'),
                amountMinor: owed,
                currency: 'KRW',
                code: 'payout',
              },
            ],
            g.clock.nowMs(),
          );
          assert.deepEqual(results, ['ok']);
        });
        const before = await state(g);
        expectError(
          await send(g, 'POST', '/api/v1/refunds', { key, body: { payment: id, amount: 1000 } }),
          409,
          'associate_balance_insufficient',
        );
        assert.equal(await state(g), before);
      });

      test('void of a partly captured payment releases the rest and it succeeds', async () => {
        const id = await authorizedPayment(g, 7000);
        await send(g, 'POST', `/api/v1/payments/${id}/capture`, { body: { amount: 2000 } });
        const voided = await send(g, 'POST', `/api/v1/payments/${id}/void`);
        assert.equal(voided.status, 200, show(voided));
        assert.equal(voided.body.status, 'succeeded');
        assert.equal(voided.body.amount_captured, 2000);
      });

      test('an authorization expires after hold_lifetime_seconds; then capture is refused', async () => {
        const res = await send(g, 'POST', '/api/v1/payments', {
          body: { ...ORDER, amount: 3000, hold_lifetime_seconds: 60 },
        });
        const id = str(res.body.id);
        await pay(g, id);
        const got = await send(g, 'GET', `/api/v1/payments/${id}`);
        assert.equal(got.body.hold_expires_at, isoFromMs(g.clock.nowMs() + 60_000n));
        g.clock.advance(61_000n);
        expectError(
          await send(g, 'POST', `/api/v1/payments/${id}/capture`),
          409,
          'payment_state_invalid',
        );
        assert.ok((await expireDuePayments(g.app.payments)) >= 1);
        const after = await send(g, 'GET', `/api/v1/payments/${id}`);
        assert.equal(after.body.status, 'expired');
        const events = list(await send(g, 'GET', '/api/v1/events?type=payment.expired'));
        assert.ok(events.some((e) => (e.data as { object: Json }).object.id === id));
      });

      test('pagination: limit, starting_after and has_more walk every payment once', async () => {
        for (let i = 0; i < 3; i += 1) await createdPayment(g);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 1_000; page += 1) {
          const q = cursor === undefined ? '' : `&starting_after=${cursor}`;
          const res = await send(g, 'GET', `/api/v1/payments?limit=7${q}`);
          const data = list(res);
          assert.ok(data.length <= 7);
          seen.push(...data.map((p) => str(p.id)));
          if (res.body.has_more !== true) break;
          cursor = str(data.at(-1)?.id);
        }
        const rows = await sql<{
          id: string;
        }>`select id from payment where associate_id = ${g.associateId} and livemode = 0`.execute(
          g.app.db.kysely,
        );
        assert.equal(new Set(seen).size, seen.length, 'no payment twice');
        assert.deepEqual([...seen].sort(), rows.rows.map((r) => r.id).sort());
      });
    });

    describe('idempotency', () => {
      test('an answer is kept at least 24 hours (the worker purge does not drop it)', async () => {
        const key = `day-${sequence}`;
        const body = { ...ORDER, amount: 1234 };
        const first = await send(g, 'POST', '/api/v1/payments', { body, idempotencyKey: key });
        assert.equal(first.status, 201, show(first));
        g.clock.advance(25n * 3_600_000n);
        await purgeIdempotency(g.app.payments);
        const again = await send(g, 'POST', '/api/v1/payments', { body, idempotencyKey: key });
        assert.equal(again.headers['idempotent-replayed'], 'true');
        assert.deepEqual(again.body, first.body);
      });

      test('a refused request stores its answer: the retry gets the same refusal', async () => {
        const id = await authorizedPayment(g, 7000);
        const key = `refused-${sequence}`;
        const first = await send(g, 'POST', `/api/v1/payments/${id}/capture`, {
          body: { amount: 9000 },
          idempotencyKey: key,
        });
        expectError(first, 400, 'amount_exceeds_capturable');
        const again = await send(g, 'POST', `/api/v1/payments/${id}/capture`, {
          body: { amount: 9000 },
          idempotencyKey: key,
        });
        assert.equal(again.headers['idempotent-replayed'], 'true');
        assert.deepEqual(again.body, first.body);
      });

      test('keys belong to one associate: the same key elsewhere is a new request', async () => {
        const key = `shared-${sequence}`;
        const body = { ...ORDER, amount: 500 };
        const mine = await send(g, 'POST', '/api/v1/payments', { body, idempotencyKey: key });
        const theirsRes = await send(g, 'POST', '/api/v1/payments', {
          body,
          idempotencyKey: key,
          key: g.otherKey,
        });
        assert.equal(mine.status, 201);
        assert.equal(theirsRes.status, 201, show(theirsRes));
        assert.equal(theirsRes.headers['idempotent-replayed'], undefined);
        assert.notEqual(theirsRes.body.id, mine.body.id);
      });

      test('two identical requests at once → one payment, the same answer to both', async () => {
        const key = `race-${sequence}`;
        const body = { ...ORDER, amount: 2222 };
        const payments = await count(g, 'payment');
        g.clock.advance(1_000n);
        // Signed one second apart so that both pass the replay check and race on the key.
        const a = requestOf(g, 'POST', '/api/v1/payments', {
          body,
          idempotencyKey: key,
          tick: false,
        });
        const b = requestOf(g, 'POST', '/api/v1/payments', {
          body,
          idempotencyKey: key,
          tick: false,
          signature: { timestamp: nowS(g) - 1 },
        });
        const [ra, rb] = await Promise.all([
          inject(g, 'POST', '/api/v1/payments', a),
          inject(g, 'POST', '/api/v1/payments', b),
        ]);
        assert.equal(ra.status, 201, show(ra));
        assert.equal(rb.status, 201, show(rb));
        assert.deepEqual(ra.body, rb.body);
        assert.equal([ra, rb].filter((r) => r.headers['idempotent-replayed'] === 'true').length, 1);
        assert.equal(await count(g, 'payment'), payments + 1);
      });

      test('two different captures with the same body in the same second both go through', async () => {
        // Two partial captures of 1,000 under two Idempotency-Keys are two requests. The
        // signature covers neither the key nor a nonce, so both carry the same signature.
        const id = await authorizedPayment(g, 7000);
        g.clock.advance(1_000n);
        const path = `/api/v1/payments/${id}/capture`;
        const one = await send(g, 'POST', path, { body: { amount: 1000 }, tick: false });
        assert.equal(one.status, 200, show(one));
        const two = await send(g, 'POST', path, { body: { amount: 1000 }, tick: false });
        assert.equal(two.status, 200, show(two));
        assert.equal(two.body.amount_captured, 2000);
      });
    });

    describe('charges (server to server, PIN + password)', () => {
      test('an associate that is not a trusted channel → 403 associate_not_trusted', async () => {
        const card = await g.card();
        const before = await state(g);
        const res = await send(g, 'POST', '/api/v1/charges', {
          key: g.otherKey,
          body: { ...ORDER, amount: 1000, pin: card.pin, password: '9999' },
        });
        expectError(res, 403, 'associate_not_trusted');
        assert.equal(await state(g), before, 'not even a failed attempt is counted');
      });

      test('the right password charges at once; the card pays the amount', async () => {
        const card = await g.card();
        const res = await send(g, 'POST', '/api/v1/charges', {
          body: { ...ORDER, amount: 2500, pin: card.pin, password: card.password },
        });
        assert.equal(res.status, 201, show(res));
        assert.equal(res.body.status, 'succeeded');
        assert.equal(res.body.amount_captured, 2500);
        assert.deepEqual(
          (res.body.parts as Json[]).map((p) => [p.amount, p.status]),
          [[2500, 'captured']],
        );
        // Both events are written in one transaction at one instant: their order is not fixed.
        const events = list(await send(g, 'GET', '/api/v1/events?limit=2'));
        assert.deepEqual(events.map((e) => e.type).sort(), [
          'payment.authorized',
          'payment.captured',
        ]);
      });

      test('a wrong password counts toward the lockout shared with the hosted page', async () => {
        const card = await g.card();
        const payments = await count(g, 'payment');
        const wrong = { ...ORDER, amount: 1000, pin: card.pin, password: '9999' };
        for (let i = 1; i <= 2; i += 1) {
          expectError(
            await send(g, 'POST', '/api/v1/charges', { body: wrong }),
            401,
            'credentials_invalid',
          );
          assert.equal(await failedAttempts(g, card.id), BigInt(i));
        }
        // Two more on the hosted page's path...
        const other = await createdPayment(g, 1000);
        for (let i = 0; i < 2; i += 1) {
          const r = await authorizeWithCard(g.app.payments, {
            paymentId: other,
            pin: card.pin,
            password: '9999',
          });
          assert.ok(!r.ok);
        }
        assert.equal(await failedAttempts(g, card.id), 4n);
        // ...and the fifth, over the API, locks the card for every channel.
        expectError(await send(g, 'POST', '/api/v1/charges', { body: wrong }), 423, 'card_locked');
        expectError(
          await send(g, 'POST', '/api/v1/charges', {
            body: { ...wrong, password: card.password },
          }),
          423,
          'card_locked',
        );
        assert.equal(await count(g, 'payment'), payments + 1, 'only the hosted-page payment');
      });

      test('a malformed PIN → 400 pin_malformed', async () => {
        const card = await g.card();
        expectError(
          await send(g, 'POST', '/api/v1/charges', {
            body: { ...ORDER, amount: 1000, pin: '12', password: card.password },
          }),
          400,
          'pin_malformed',
          'pin',
        );
      });

      test('more than the balance → 402 insufficient_funds, nothing changed', async () => {
        const card = await g.card();
        const before = await state(g);
        const res = await send(g, 'POST', '/api/v1/charges', {
          body: { ...ORDER, amount: 10001, pin: card.pin, password: card.password },
        });
        expectError(res, 402, 'insufficient_funds');
        assert.equal(await state(g), before);
      });

      test('a currency the card does not hold → 400 currency_mismatch', async () => {
        const card = await g.card();
        const res = await send(g, 'POST', '/api/v1/charges', {
          body: { ...ORDER, currency: 'USD', amount: 100, pin: card.pin, password: card.password },
        });
        expectError(res, 400, 'currency_mismatch');
      });

      test('a live card with a test key → 402 card_mode_mismatch', async () => {
        const card = await g.card({ livemode: true });
        const res = await send(g, 'POST', '/api/v1/charges', {
          body: { ...ORDER, amount: 100, pin: card.pin, password: card.password },
        });
        expectError(res, 402, 'card_mode_mismatch');
      });
    });

    describe('keys', () => {
      test('rotation: the old and the new key both work until the overlap ends', async () => {
        const old = await newKey(g);
        const rotated = await writeTransaction(g.app.db, (tx) =>
          rotateApiKey(g.app.payments, tx, old.key.id, 10_000n),
        );
        assert.ok(rotated.ok);
        const fresh = rotated.value;
        assert.equal((await send(g, 'GET', '/api/v1/payments', { key: old })).status, 200);
        assert.equal((await send(g, 'GET', '/api/v1/payments', { key: fresh })).status, 200);
        const signed = await send(g, 'POST', '/api/v1/payments', {
          key: old,
          body: { ...ORDER, amount: 100 },
        });
        assert.equal(signed.status, 201, show(signed));
        g.clock.advance(10_000n);
        expectError(await send(g, 'GET', '/api/v1/payments', { key: old }), 401, 'api_key_invalid');
        assert.equal((await send(g, 'GET', '/api/v1/payments', { key: fresh })).status, 200);
      });

      test('a key past its overlap stays dead: rotating it again does not bring it back', async () => {
        const old = await newKey(g);
        const first = await writeTransaction(g.app.db, (tx) =>
          rotateApiKey(g.app.payments, tx, old.key.id, 10_000n),
        );
        assert.ok(first.ok);
        g.clock.advance(10_000n);
        expectError(await send(g, 'GET', '/api/v1/payments', { key: old }), 401, 'api_key_invalid');
        const again = await writeTransaction(g.app.db, (tx) =>
          rotateApiKey(g.app.payments, tx, old.key.id, 3_600_000n),
        );
        assert.ok(!again.ok, 'an expired key cannot be rotated (it is no active key)');
        assert.equal(again.error.code, 'api_key_not_found');
        expectError(await send(g, 'GET', '/api/v1/payments', { key: old }), 401, 'api_key_invalid');
      });

      test("a disabled associate's keys → 401 api_key_invalid", async () => {
        const key = await writeTransaction(g.app.db, async (tx) => {
          const a = await createAssociate(g.app.payments, tx, {
            name: 'Closing Shop',
            category: 'shopping',
            commissionBps: 100n,
          });
          assert.ok(a.ok);
          const k = await createApiKey(g.app.payments, tx, {
            associateId: a.value.id,
            livemode: false,
          });
          assert.ok(k.ok);
          return k.value;
        });
        assert.equal((await send(g, 'GET', '/api/v1/payments', { key })).status, 200);
        const disabled = await writeTransaction(g.app.db, (tx) =>
          updateAssociate(g.app.payments, tx, key.key.associateId, { status: 'disabled' }),
        );
        assert.ok(disabled.ok);
        expectError(await send(g, 'GET', '/api/v1/payments', { key }), 401, 'api_key_invalid');
        expectError(
          await send(g, 'POST', '/api/v1/payments', { key, body: { ...ORDER, amount: 100 } }),
          401,
          'api_key_invalid',
        );
      });

      test("each key signs with its own secret: the new key's secret does not sign for the old", async () => {
        const old = await newKey(g);
        const rotated = await writeTransaction(g.app.db, (tx) =>
          rotateApiKey(g.app.payments, tx, old.key.id, 60_000n),
        );
        assert.ok(rotated.ok);
        expectError(
          await send(g, 'POST', '/api/v1/payments', {
            key: old,
            body: { ...ORDER, amount: 100 },
            signature: { secret: rotated.value.signingSecret },
          }),
          401,
          'signature_invalid',
        );
      });
    });

    test('an unknown path under /api/v1 → 404 route_not_found with the error shape', async () => {
      expectError(await send(g, 'GET', '/api/v1/nothing-here'), 404, 'route_not_found');
      expectError(await send(g, 'POST', '/api/v1/payments/pay_x/refund'), 404, 'route_not_found');
    });
  });

  describe(`rate limiting on ${target.name}`, { skip: target.skip }, () => {
    let g: TestGateway;
    before(async () => {
      g = await openTestGateway(target, { rateLimitPerMinute: 5 });
    });
    after(async () => {
      await g.server.close();
      await g.dispose();
    });

    test('the sixth request in a minute → 429 rate_limited with Retry-After; per key', async () => {
      for (let i = 0; i < 5; i += 1) {
        const res = await send(g, 'GET', '/api/v1/payments');
        assert.equal(res.status, 200, show(res));
      }
      const limited = await send(g, 'GET', '/api/v1/payments');
      expectError(limited, 429, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After is set');
      const before = await state(g);
      expectError(
        await send(g, 'POST', '/api/v1/payments', { body: { ...ORDER, amount: 100 } }),
        429,
        'rate_limited',
      );
      assert.equal(await state(g), before);
      const other = await send(g, 'GET', '/api/v1/payments', { key: g.otherKey });
      assert.equal(other.status, 200, 'another key has its own budget');
    });
  });
}
