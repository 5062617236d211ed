// Webhook delivery end to end: a real HTTP receiver on 127.0.0.1, events emitted by real API
// calls, signatures checked with the `standardwebhooks` package, retries driven by the manual
// clock, the delivery log over the API, redelivery, and two passes racing for the same rows.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, mock, test } from 'node:test';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { runWorkerPass } from '../../src/jobs/index.ts';
import type { ManualClock } from '../../src/kernel/index.ts';
import {
  WEBHOOK_RETRY_DELAYS_MS,
  WEBHOOK_RETRY_WINDOW_MS,
  authorizeWithCard,
  deliverDueWebhooks,
  emitEvent,
  nextAttemptAtMs,
  updateAssociate,
  webhookSecretOf,
} from '../../src/payments/index.ts';
import { paymentTables } from '../../src/payments/context.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { DATABASES, type TestDatabase } from '../support/databases.ts';
import { openTestGateway, type TestGateway } from '../support/gateway.ts';

const SECOND_MS = 1_000n;
const MINUTE_MS = 60_000n;
const HOUR_MS = 3_600_000n;

interface Received {
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The receiver's time (the manual clock) when the request arrived. */
  readonly atMs: bigint;
}

/** What the receiver answers to its n-th request (1-based): a status, or never. */
type Answer = (n: number) => number | 'hang' | Promise<number>;

interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  close(): Promise<void>;
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function startReceiver(clock: ManualClock, answer: Answer): Promise<Receiver> {
  const requests: Received[] = [];
  let closed = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const n = requests.push({
        headers: flatten(req.headers),
        body: Buffer.concat(chunks).toString('utf8'),
        atMs: clock.nowMs(),
      });
      void Promise.resolve(answer(n)).then((status) => {
        if (status === 'hang') return;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error === undefined ? resolve() : reject(error))),
      );
    },
  };
}

/**
 * Verifies as the receiver would at `atMs`: the package checks the timestamp against Date.now(),
 * so Date.now is the receiver's (manual) clock for the length of the call.
 */
function verifyAt(secret: string, atMs: bigint, body: string, headers: Record<string, string>) {
  const now = mock.method(Date, 'now', () => Number(atMs));
  try {
    return new Webhook(secret).verify(body, headers);
  } finally {
    now.mock.restore();
  }
}

interface Harness {
  readonly g: TestGateway;
  readonly receiver: Receiver;
  readonly secret: string;
}

async function withHarness(
  target: TestDatabase,
  answer: Answer,
  work: (h: Harness) => Promise<void>,
): Promise<void> {
  const g = await openTestGateway(target);
  const receiver = await startReceiver(g.clock, answer);
  try {
    await writeTransaction(g.app.db, async (tx) => {
      const updated = await updateAssociate(g.app.payments, tx, g.associateId, {
        webhookUrl: receiver.url,
      });
      assert.ok(updated.ok);
    });
    await work({ g, receiver, secret: webhookSecretOf(g.app.payments, g.associateId) });
  } finally {
    await receiver.close();
    await g.server.close();
    await g.dispose();
  }
}

/** An event written the way the payment code writes them, for tests that need many. */
async function emit(g: TestGateway, n = 1): Promise<string[]> {
  return writeTransaction(g.app.db, async (tx) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const event = await emitEvent(g.app.payments, tx, {
        associateId: g.associateId,
        livemode: false,
        type: 'payment.captured',
        object: { id: `pay_test_${i}`, object: 'payment' },
      });
      ids.push(event.id);
    }
    return ids;
  });
}

async function deliveriesOf(g: TestGateway, eventId: string) {
  return paymentTables(g.app.db.kysely)
    .selectFrom('webhook_delivery')
    .selectAll()
    .where('event_id', '=', eventId)
    .orderBy('created_at_ms')
    .orderBy('id')
    .execute();
}

/** Delivery log rows as the API shows them. */
type DeliveryBody = Record<string, unknown> & {
  attempt_log?: { attempt: number; at: string; status_code: number | null; error: string | null }[];
};

test('the retry schedule: 5 s, 5 min, 30 min … and a last try at 3 days', () => {
  const first = 1_000_000n;
  const times = [first];
  for (let made = 1; made <= 30; made += 1) {
    const last = times[times.length - 1] ?? first;
    const next = nextAttemptAtMs({ attemptsMade: made, firstAttemptAtMs: first, nowMs: last });
    if (next === null) break;
    times.push(next);
  }
  const offsets = times.map((t) => t - first);
  assert.deepEqual(offsets, [
    0n,
    5n * SECOND_MS,
    5n * MINUTE_MS + 5n * SECOND_MS,
    35n * MINUTE_MS + 5n * SECOND_MS,
    2n * HOUR_MS + 35n * MINUTE_MS + 5n * SECOND_MS,
    7n * HOUR_MS + 35n * MINUTE_MS + 5n * SECOND_MS,
    17n * HOUR_MS + 35n * MINUTE_MS + 5n * SECOND_MS,
    27n * HOUR_MS + 35n * MINUTE_MS + 5n * SECOND_MS,
    41n * HOUR_MS + 35n * MINUTE_MS + 5n * SECOND_MS,
    61n * HOUR_MS + 35n * MINUTE_MS + 5n * SECOND_MS,
    WEBHOOK_RETRY_WINDOW_MS,
  ]);
  // A worker that was down past the window gives up at once instead of retrying late.
  assert.equal(
    nextAttemptAtMs({ attemptsMade: 2, firstAttemptAtMs: first, nowMs: first + 4n * 86_400_000n }),
    null,
  );
  assert.equal(WEBHOOK_RETRY_DELAYS_MS[0], 5n * SECOND_MS);
});

for (const target of DATABASES) {
  describe(`webhooks (${target.name})`, { skip: target.skip }, () => {
    test('real events are delivered once, signed so standardwebhooks verifies them', async () => {
      await withHarness(
        target,
        () => 200,
        async ({ g, receiver, secret }) => {
          const card = await g.card();
          const created = await g.call('POST', '/api/v1/payments', {
            body: { amount: 7000, currency: 'KRW', order_reference: 'order-wh-1' },
          });
          assert.equal(created.status, 201, JSON.stringify(created.body));
          const paymentId = String(created.body.id);
          const auth = await authorizeWithCard(g.app.payments, {
            paymentId,
            pin: card.pin,
            password: card.password,
          });
          assert.ok(auth.ok, JSON.stringify(!auth.ok && auth.error));
          const captured = await g.call('POST', `/api/v1/payments/${paymentId}/capture`, {});
          assert.equal(captured.status, 200, JSON.stringify(captured.body));

          // Committed events wait in the outbox until a pass sends them.
          assert.equal(receiver.requests.length, 0);
          const report = await deliverDueWebhooks(g.app.payments, { timeoutMs: 5_000 });
          assert.deepEqual(report, { attempted: 2, succeeded: 2, retrying: 0, failed: 0 });
          assert.equal(receiver.requests.length, 2);
          const again = await deliverDueWebhooks(g.app.payments);
          assert.equal(again.attempted, 0, 'a delivered event is not sent again');
          assert.equal(receiver.requests.length, 2);

          const types = new Set<string>();
          for (const r of receiver.requests) {
            const id = r.headers['webhook-id'] ?? '';
            assert.match(id, /^evt_/);
            assert.equal(r.headers['content-type'], 'application/json');
            assert.equal(r.headers['webhook-timestamp'], String(Number(r.atMs / SECOND_MS)));
            const stored = await paymentTables(g.app.db.kysely)
              .selectFrom('webhook_event')
              .select('payload')
              .where('id', '=', id)
              .executeTakeFirstOrThrow();
            assert.equal(r.body, stored.payload, 'the stored payload, byte for byte');

            const verified = verifyAt(secret, r.atMs, r.body, r.headers) as {
              id: string;
              type: string;
              data: { object: { id: string } };
            };
            assert.equal(verified.id, id);
            assert.equal(verified.data.object.id, paymentId);
            types.add(verified.type);

            // The manual check from docs/webhooks.md gives the same signature.
            const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
            const mac = createHmac('sha256', key)
              .update(`${id}.${r.headers['webhook-timestamp'] ?? ''}.${r.body}`)
              .digest('base64');
            assert.equal(r.headers['webhook-signature'], `v1,${mac}`);

            const tampered = r.body.replace('"livemode":false', '"livemode":true');
            assert.notEqual(tampered, r.body);
            assert.throws(
              () => verifyAt(secret, r.atMs, tampered, r.headers),
              WebhookVerificationError,
            );
            assert.throws(
              () => verifyAt(secret, r.atMs, r.body, { ...r.headers, 'webhook-id': 'evt_other' }),
              WebhookVerificationError,
            );
            const otherSecret = webhookSecretOf(g.app.payments, g.otherKey.key.associateId);
            assert.throws(
              () => verifyAt(otherSecret, r.atMs, r.body, r.headers),
              WebhookVerificationError,
            );
            // A replay more than five minutes later is refused by the timestamp check.
            assert.throws(
              () => verifyAt(secret, r.atMs + 6n * MINUTE_MS, r.body, r.headers),
              /too old/,
            );
          }
          assert.deepEqual([...types].sort(), ['payment.authorized', 'payment.captured']);
        },
      );
    });

    test('500, 500, then 200: three attempts, one webhook-id, spaced 5 s then 5 min', async () => {
      await withHarness(
        target,
        (n) => (n <= 2 ? 500 : 200),
        async ({ g, receiver, secret }) => {
          const [eventId] = await emit(g);
          assert.ok(eventId !== undefined);
          const startMs = g.clock.nowMs();

          assert.equal((await deliverDueWebhooks(g.app.payments)).retrying, 1);
          assert.equal((await deliverDueWebhooks(g.app.payments)).attempted, 0, 'not due yet');
          g.clock.advance(5n * SECOND_MS - 1n);
          assert.equal((await deliverDueWebhooks(g.app.payments)).attempted, 0, 'still not due');
          g.clock.advance(1n);
          assert.equal((await deliverDueWebhooks(g.app.payments)).retrying, 1);
          g.clock.advance(5n * MINUTE_MS - 1n);
          assert.equal((await deliverDueWebhooks(g.app.payments)).attempted, 0);
          g.clock.advance(1n);
          assert.deepEqual(await deliverDueWebhooks(g.app.payments), {
            attempted: 1,
            succeeded: 1,
            retrying: 0,
            failed: 0,
          });

          assert.equal(receiver.requests.length, 3);
          assert.deepEqual(
            receiver.requests.map((r) => r.headers['webhook-id']),
            [eventId, eventId, eventId],
          );
          assert.deepEqual(
            receiver.requests.map((r) => r.atMs - startMs),
            [0n, 5n * SECOND_MS, 5n * MINUTE_MS + 5n * SECOND_MS],
          );
          for (const r of receiver.requests) verifyAt(secret, r.atMs, r.body, r.headers);

          const list = await g.call('GET', `/api/v1/webhook_deliveries?event=${eventId}`);
          assert.equal(list.status, 200, JSON.stringify(list.body));
          const data = list.body.data as DeliveryBody[];
          assert.equal(data.length, 1);
          const [delivery] = data;
          assert.ok(delivery !== undefined);
          assert.equal(delivery.object, 'webhook_delivery');
          assert.equal(delivery.event, eventId);
          assert.equal(delivery.url, receiver.url);
          assert.equal(delivery.status, 'succeeded');
          assert.equal(delivery.attempts, 3);
          assert.equal(delivery.last_status_code, 200);
          assert.equal(delivery.last_error, null);
          assert.equal(delivery.next_attempt_at, null);
          assert.equal(delivery.delivered_at, new Date(Number(g.clock.nowMs())).toISOString());

          const detail = await g.call('GET', `/api/v1/webhook_deliveries/${String(delivery.id)}`);
          assert.equal(detail.status, 200, JSON.stringify(detail.body));
          const log = (detail.body as DeliveryBody).attempt_log ?? [];
          assert.deepEqual(
            log.map((a) => [a.attempt, a.status_code, a.error]),
            [
              [1, 500, 'HTTP 500'],
              [2, 500, 'HTTP 500'],
              [3, 200, null],
            ],
          );
          assert.deepEqual(
            log.map((a) => BigInt(Date.parse(a.at)) - startMs),
            [0n, 5n * SECOND_MS, 5n * MINUTE_MS + 5n * SECOND_MS],
          );
        },
      );
    });

    test('a receiver that always fails is given up on 3 days after the first attempt', async () => {
      await withHarness(
        target,
        () => 503,
        async ({ g, receiver, secret }) => {
          const [eventId] = await emit(g);
          assert.ok(eventId !== undefined);
          const startMs = g.clock.nowMs();
          let status = 'pending';
          for (let pass = 0; pass < 40 && status === 'pending'; pass += 1) {
            await deliverDueWebhooks(g.app.payments);
            const [row] = await deliveriesOf(g, eventId);
            assert.ok(row !== undefined);
            status = row.status;
            if (row.next_attempt_at_ms !== null) g.clock.set(row.next_attempt_at_ms);
          }
          assert.equal(status, 'failed');
          const [row] = await deliveriesOf(g, eventId);
          assert.ok(row !== undefined);
          assert.equal(row.attempts, 11n);
          assert.equal(row.next_attempt_at_ms, null);
          assert.equal(row.last_status_code, 503n);
          assert.equal(receiver.requests.length, 11);
          assert.ok(receiver.requests.every((r) => r.headers['webhook-id'] === eventId));
          const last = receiver.requests[receiver.requests.length - 1];
          assert.ok(last !== undefined);
          assert.equal(last.atMs - startMs, WEBHOOK_RETRY_WINDOW_MS);
          // Every retry is signed afresh with its own timestamp, so each verifies when it arrives.
          for (const r of receiver.requests) verifyAt(secret, r.atMs, r.body, r.headers);
          assert.equal((await deliverDueWebhooks(g.app.payments)).attempted, 0);
          g.clock.advance(30n * 86_400_000n);
          assert.equal((await deliverDueWebhooks(g.app.payments)).attempted, 0, 'failed is final');
        },
      );
    });

    test('a receiver that never answers hits the timeout and is retried', async () => {
      await withHarness(
        target,
        () => 'hang',
        async ({ g, receiver }) => {
          const [eventId] = await emit(g);
          assert.ok(eventId !== undefined);
          const started = performance.now();
          const report = await deliverDueWebhooks(g.app.payments, { timeoutMs: 200 });
          const tookMs = performance.now() - started;
          assert.deepEqual(report, { attempted: 1, succeeded: 0, retrying: 1, failed: 0 });
          assert.ok(tookMs < 5_000, `the pass took ${tookMs} ms`);
          assert.equal(receiver.requests.length, 1);
          const [row] = await deliveriesOf(g, eventId);
          assert.ok(row !== undefined);
          assert.equal(row.status, 'pending');
          assert.equal(row.last_status_code, null);
          assert.match(row.last_error ?? '', /timeout/);
          assert.equal(row.next_attempt_at_ms, g.clock.nowMs() + 5n * SECOND_MS);
          const attempt = await paymentTables(g.app.db.kysely)
            .selectFrom('webhook_attempt')
            .selectAll()
            .where('delivery_id', '=', row.id)
            .executeTakeFirstOrThrow();
          assert.ok(attempt.duration_ms >= 150n, `duration ${attempt.duration_ms} ms`);
        },
      );
    });

    test('a refused connection is logged, not thrown', async () => {
      await withHarness(
        target,
        () => 200,
        async ({ g, receiver }) => {
          await receiver.close();
          const [eventId] = await emit(g);
          assert.ok(eventId !== undefined);
          const report = await deliverDueWebhooks(g.app.payments, { timeoutMs: 2_000 });
          assert.deepEqual(report, { attempted: 1, succeeded: 0, retrying: 1, failed: 0 });
          const [row] = await deliveriesOf(g, eventId);
          assert.match(row?.last_error ?? '', /connection failed/);
        },
      );
    });

    test('redelivery: a new delivery of the same event, idempotent, and only for its owner', async () => {
      await withHarness(
        target,
        () => 200,
        async ({ g, receiver, secret }) => {
          const [eventId] = await emit(g);
          assert.ok(eventId !== undefined);
          assert.equal((await deliverDueWebhooks(g.app.payments)).succeeded, 1);

          g.clock.advance(MINUTE_MS);
          const path = `/api/v1/events/${eventId}/redeliver`;
          const first = await g.call('POST', path, { idempotencyKey: 'redeliver-1' });
          assert.equal(first.status, 201, JSON.stringify(first.body));
          assert.equal(first.body.object, 'webhook_delivery');
          assert.equal(first.body.event, eventId);
          assert.equal(first.body.status, 'pending');
          assert.equal(first.body.attempts, 0);
          assert.equal(first.body.url, receiver.url);
          // A signature is good once, so the retry is signed a second later, as a client would.
          g.clock.advance(SECOND_MS);
          const replay = await g.call('POST', path, { idempotencyKey: 'redeliver-1' });
          assert.equal(replay.status, 201);
          assert.equal(replay.headers['idempotent-replayed'], 'true');
          assert.equal(replay.body.id, first.body.id);
          assert.equal((await deliveriesOf(g, eventId)).length, 2, 'the replay made no delivery');

          assert.deepEqual(await deliverDueWebhooks(g.app.payments), {
            attempted: 1,
            succeeded: 1,
            retrying: 0,
            failed: 0,
          });
          assert.equal(receiver.requests.length, 2);
          const [one, two] = receiver.requests;
          assert.ok(one !== undefined && two !== undefined);
          assert.equal(two.headers['webhook-id'], eventId, 'the same event id as the first time');
          assert.equal(two.body, one.body);
          verifyAt(secret, two.atMs, two.body, two.headers);

          const list = await g.call('GET', `/api/v1/webhook_deliveries?event=${eventId}&limit=1`);
          assert.equal(list.status, 200);
          assert.equal((list.body.data as DeliveryBody[])[0]?.id, first.body.id, 'newest first');
          assert.equal(list.body.has_more, true);
          const page2 = await g.call(
            'GET',
            `/api/v1/webhook_deliveries?event=${eventId}&limit=1&starting_after=${String(first.body.id)}`,
          );
          assert.equal(page2.status, 200);
          assert.equal((page2.body.data as DeliveryBody[]).length, 1);
          assert.equal(page2.body.has_more, false);

          // Another associate sees none of it.
          const theirs = await g.call('POST', path, { key: g.otherKey });
          assert.equal(theirs.status, 404);
          assert.equal(theirs.body.error?.code, 'event_not_found');
          const theirDetail = await g.call(
            'GET',
            `/api/v1/webhook_deliveries/${String(first.body.id)}`,
            { key: g.otherKey },
          );
          assert.equal(theirDetail.status, 404);
          assert.equal(theirDetail.body.error?.code, 'webhook_delivery_not_found');
          const theirList = await g.call('GET', `/api/v1/webhook_deliveries?event=${eventId}`, {
            key: g.otherKey,
          });
          assert.equal(theirList.status, 200);
          assert.deepEqual(theirList.body.data, []);

          const unknown = await g.call('POST', '/api/v1/events/evt_nope/redeliver');
          assert.equal(unknown.status, 404);
          const unsigned = await g.call('POST', path, { sign: false });
          assert.equal(unsigned.status, 401);
          g.clock.advance(SECOND_MS);
          const noKey = await g.call('POST', path, { idempotencyKey: null });
          assert.equal(noKey.status, 400);
          assert.equal(noKey.body.error?.code, 'idempotency_key_required');
          assert.equal((await deliveriesOf(g, eventId)).length, 2);
        },
      );
    });

    test('two passes at once deliver each event exactly once', async () => {
      const slowOk: Answer = () => new Promise((resolve) => setTimeout(() => resolve(200), 5));
      await withHarness(target, slowOk, async ({ g, receiver }) => {
        const ids = await emit(g, 40);
        const reports = await Promise.all([
          deliverDueWebhooks(g.app.payments, { concurrency: 8 }),
          deliverDueWebhooks(g.app.payments, { concurrency: 8 }),
        ]);
        assert.equal(
          reports.reduce((sum, r) => sum + r.succeeded, 0),
          40,
          JSON.stringify(reports),
        );
        const seen = receiver.requests.map((r) => r.headers['webhook-id']);
        assert.equal(seen.length, 40);
        assert.deepEqual(new Set(seen), new Set(ids));
        const rows = await paymentTables(g.app.db.kysely)
          .selectFrom('webhook_delivery')
          .select(['status', 'attempts'])
          .execute();
        assert.ok(rows.every((r) => r.status === 'succeeded' && r.attempts === 1n));
      });
    });

    // Row locks exist only on PostgreSQL, so this test is defined there alone (SQLite serializes
    // writers, which the concurrent-passes test above covers).
    if (target.name === 'postgres') {
      test('a delivery locked by another claimer is skipped, not waited for', async () => {
        await withHarness(
          target,
          () => 200,
          async ({ g, receiver }) => {
            const [locked, ...others] = await emit(g, 3);
            assert.ok(locked !== undefined);
            await g.app.db.kysely.transaction().execute(async (trx) => {
              await paymentTables(trx)
                .selectFrom('webhook_delivery')
                .select('id')
                .where('event_id', '=', locked)
                .forUpdate()
                .execute();
              // Without SKIP LOCKED the pass would queue behind this transaction's row lock.
              let timer: NodeJS.Timeout | undefined;
              const blocked = new Promise<'blocked'>((resolve) => {
                timer = setTimeout(() => resolve('blocked'), 3_000);
              });
              const report = await Promise.race([deliverDueWebhooks(g.app.payments), blocked]);
              clearTimeout(timer);
              assert.deepEqual(report, { attempted: 2, succeeded: 2, retrying: 0, failed: 0 });
            });
            assert.deepEqual(
              new Set(receiver.requests.map((r) => r.headers['webhook-id'])),
              new Set(others),
            );
            assert.equal((await deliverDueWebhooks(g.app.payments)).succeeded, 1);
            assert.equal(receiver.requests[2]?.headers['webhook-id'], locked);
          },
        );
      });
    }

    test('the worker pass delivers what is due', async () => {
      await withHarness(
        target,
        () => 204,
        async ({ g, receiver }) => {
          await emit(g, 2);
          const log = { info: () => undefined, error: () => undefined };
          const report = await runWorkerPass({ ...g.app, log });
          assert.deepEqual(report.webhooks, { attempted: 2, succeeded: 2, retrying: 0, failed: 0 });
          assert.equal(receiver.requests.length, 2);
        },
      );
    });
  });
}
