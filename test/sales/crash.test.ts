// Crash safety of web sales, with real processes: `npm start` (our server and worker) and the
// sandbox acquirer run as their own processes, and our server is killed with SIGKILL at the
// worst moments — after the order was made but before the charge is known to us, and while the
// acquirer's webhook is being turned into cards. Restarted on the same data, the completer must
// finish every paid order exactly once, the books must balance, and a further restart must do
// nothing more. Also: a SIGKILL of `npm start` must not leave its sandbox acquirer child behind.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WEBHOOK_RETRY_DELAYS_DEFAULT_MS } from '../../src/acquirer/index.ts';
import { writeKeyFile } from '../../src/main/keys-file.ts';
import { testKeyRing, testPaymentKeys } from '../support/app.ts';
import { DATABASES } from '../support/databases.ts';
import { csrfOf } from '../http/pages-support.ts';
import { api } from '../funding/support.ts';
import { childEnv, createPgDatabase, runCli, sqliteAll, type Child } from '../main/helpers.ts';
import {
  childPidsOf,
  freePort,
  isAlive,
  killNow,
  postgresPeek,
  sqlitePeek,
  startAcquirerProcess,
  startServerProcess,
  waitUntil,
  type Peek,
} from './crash-support.ts';
import { HttpClient } from './http-client.ts';
import { APPROVE, BUYER, payAtAcquirer, pinsOn } from './support.ts';

const ACQ_KEY = 'sk_test_crash_acquirer';
const ACQ_SECRET = 'whsec_test_crash_acquirer';
/** The brief's bound: a restarted server finishes a paid order within this. */
const COMPLETE_WAIT_MS = 20_000;
/** The acquirer gives up on a webhook after its first try and its retries (each refused fast). */
const WEBHOOK_GIVE_UP_WAIT_MS = 20_000;
/** A process told to go (SIGTERM) or killed must be gone within this. */
const EXIT_WAIT_MS = 15_000;
/** How long an orphaned acquirer child may live on after its parent was killed. */
const ORPHAN_WAIT_MS = 5_000;
/** Polling for the moment the webhook is being processed: as fast as a read allows. */
const RACE_POLL_MS = 2;

const pgAdmin = process.env.ONEPIN_TEST_DATABASE_URL;

interface OrderRow extends Record<string, unknown> {
  readonly status: string;
  readonly amount_minor: number | string;
  readonly next_check_at_ms: number | string;
}

for (const target of DATABASES) {
  describe(`web sales survive a killed server (${target.name})`, { skip: target.skip }, () => {
    let root = '';
    let dataDir = '';
    const children: Child[] = [];
    let acquirerUrl = '';
    let port = 0;
    let peekHandle: Peek | null = null;
    const peek = {
      all: <T extends Record<string, unknown>>(sqlText: string, ...params: unknown[]) => {
        assert.ok(peekHandle, 'the database is open');
        return peekHandle.all<T>(sqlText, ...params);
      },
      run: (sqlText: string, ...params: unknown[]) => {
        assert.ok(peekHandle, 'the database is open');
        return peekHandle.run(sqlText, ...params);
      },
    };
    let databaseEnv: Record<string, string> = {};
    let dropDatabase: (() => Promise<void>) | null = null;
    let server: { child: Child; url: string } | null = null;

    const serverEnv = (): Record<string, string> => ({
      PORT: String(port),
      ONEPIN_DATA_DIR: dataDir,
      ACQUIRER_URL: acquirerUrl,
      ACQUIRER_API_KEY: ACQ_KEY,
      ACQUIRER_WEBHOOK_SECRET: ACQ_SECRET,
      ...databaseEnv,
    });

    async function start(): Promise<{ child: Child; url: string }> {
      assert.equal(server, null, 'one server at a time');
      const started = await startServerProcess(serverEnv());
      children.push(started.child);
      server = started;
      return started;
    }

    /** SIGKILL: no shutdown code runs, exactly as a crash or an OOM kill. */
    async function crash(): Promise<void> {
      assert.ok(server, 'a server to kill');
      const { child } = server;
      server = null;
      await killNow(child);
      assert.equal(child.process.signalCode, 'SIGKILL');
    }

    before(async () => {
      root = mkdtempSync(join(tmpdir(), 'onepin-crash-'));
      dataDir = join(root, 'data');
      mkdirSync(dataDir);
      if (target.name === 'postgres') {
        assert.ok(pgAdmin);
        const created = await createPgDatabase(pgAdmin);
        dropDatabase = created.drop;
        // A server on PostgreSQL is production-shaped: it wants its own key file.
        const keyFile = join(root, 'secrets', 'keys.json');
        writeKeyFile(keyFile, testKeyRing(), testPaymentKeys());
        databaseEnv = { DATABASE_URL: created.url, ONEPIN_KEY_FILE: keyFile };
        peekHandle = await postgresPeek(created.url);
      } else {
        peekHandle = sqlitePeek(join(dataDir, 'onepin.sqlite'));
      }
      const acquirer = await startAcquirerProcess({
        dataFile: join(dataDir, 'sandbox-acquirer.sqlite'),
        apiKey: ACQ_KEY,
        webhookSecret: ACQ_SECRET,
      });
      children.push(acquirer.child);
      acquirerUrl = acquirer.url;
      port = await freePort();
      if (target.name === 'postgres') {
        // The embedded database gets the catalogue on first start; PostgreSQL gets it by hand.
        const loaded = await runCli(['catalogue', 'load-defaults'], childEnv(serverEnv()));
        assert.equal(loaded.code, 0, loaded.stderr);
      }
    });

    after(async () => {
      // Everything this suite started goes, whatever happened above.
      for (const child of children.reverse()) await killNow(child);
      if (peekHandle !== null) await peekHandle.close();
      if (dropDatabase !== null) await dropDatabase();
      if (root !== '') rmSync(root, { recursive: true, force: true });
    });

    async function orderRow(orderId: string): Promise<OrderRow> {
      const [row] = await peek.all<OrderRow>(
        'select status, amount_minor, next_check_at_ms from sales_order where id = ?',
        orderId,
      );
      assert.ok(row, `order ${orderId} exists`);
      return row;
    }

    async function count(sqlText: string, ...params: unknown[]): Promise<number> {
      const [row] = await peek.all<{ n: unknown }>(sqlText, ...params);
      return Number(row?.n ?? Number.NaN);
    }

    /** Places an order over HTTP as a browser would; returns the way to the card page. */
    async function placeOrder(
      url: string,
      quantities: Record<string, string>,
    ): Promise<{ client: HttpClient; orderId: string; payUrl: string }> {
      const client = new HttpClient(url);
      const form = await client.get('/buy');
      assert.equal(form.status, 200, form.body.slice(0, 300));
      const key = /name="order_key" value="([^"]+)"/.exec(form.body)?.[1];
      assert.ok(key, 'the form carries an order key');
      const fields: Record<string, string> = {
        _csrf: csrfOf(form),
        order_key: key,
        ...BUYER,
        method: 'card',
      };
      for (const [d, n] of Object.entries(quantities)) fields[`qty_${d}`] = n;
      const posted = await client.post('/buy', fields);
      assert.equal(posted.status, 303, posted.body.slice(0, 300));
      const payUrl = posted.location ?? '';
      assert.ok(payUrl.startsWith(`${acquirerUrl}/pay/acq_`), `to the card page: ${payUrl}`);
      const orderId = (client.jar.get('onepin_order') ?? '').split('.')[0] ?? '';
      assert.match(orderId, /^ord_[a-z0-9]+$/);
      return { client, orderId, payUrl };
    }

    /** The cards sold for an order, with their state and the value on their ledger account. */
    async function orderCards(orderId: string) {
      return peek.all<{
        card_id: string;
        state: string;
        face: unknown;
        value: unknown;
        secret: unknown;
        last4: string;
      }>(
        `select oc.card_id, c.state, c.face_value_minor as face, oc.pin_last4 as last4,
                case when oc.secret_sealed is null then 0 else 1 end as secret,
                a.credits_posted - a.debits_posted as value
           from sales_order_card oc
           join card c on c.id = oc.card_id
           left join ledger_account a on a.id = c.account_id
          where oc.order_id = ?
          order by oc.card_id`,
        orderId,
      );
    }

    /** Asserts the order was fulfilled with exactly its cards, each sold and carrying its value. */
    async function assertFulfilledOnce(orderId: string, cards: number, amountMinor: number) {
      const row = await orderRow(orderId);
      assert.equal(row.status, 'fulfilled');
      assert.equal(Number(row.amount_minor), amountMinor);
      const sold = await orderCards(orderId);
      assert.equal(sold.length, cards, 'exactly the cards ordered');
      assert.equal(new Set(sold.map((c) => c.card_id)).size, cards, 'no card twice');
      for (const c of sold) {
        assert.equal(c.state, 'sold', `${c.card_id} is sold (waiting for its buyer)`);
        assert.equal(Number(c.secret), 1, 'the card can be handed over');
        assert.equal(Number(c.value), Number(c.face), 'the card holds its face value');
      }
      assert.equal(
        sold.reduce((sum, c) => sum + Number(c.value), 0),
        amountMinor,
        'the value sold is what was paid',
      );
      assert.equal(
        await count(
          `select count(*) as n from notify_email where dedupe_key = ?`,
          `order_receipt:${orderId}`,
        ),
        1,
        'one receipt',
      );
      // Charged once at the acquirer, never refunded.
      const charged = await api(
        acquirerUrl,
        'GET',
        `/v1/payments?reference=${orderId}`,
        undefined,
        ACQ_KEY,
      );
      assert.equal(charged.status, 200);
      const payment = charged.json as { status: string; amount: number; refunded_amount: number };
      assert.equal(payment.status, 'succeeded');
      assert.equal(payment.amount, amountMinor);
      assert.equal(payment.refunded_amount, 0);
    }

    async function ledgerVerifies(): Promise<void> {
      assert.equal(server, null, 'verify runs on a stopped server');
      const verified = await runCli(['ledger', 'verify'], childEnv(serverEnv()));
      assert.equal(verified.code, 0, `${verified.stdout}\n${verified.stderr}`);
      assert.match(verified.stdout, /ledger verify: OK/);
    }

    test('killed between the charge and the issue: the restarted completer issues once', async (t) => {
      const timer = Date.now();
      const { url } = await start();
      t.diagnostic(`server up in ${Date.now() - timer} ms`);
      const cardsAtStart = await count('select count(*) as n from card');
      const { client, orderId, payUrl } = await placeOrder(url, {
        den_krw_10000: '2',
        den_krw_5000: '1',
      });
      assert.equal((await orderRow(orderId)).status, 'awaiting_payment');

      // Our server dies; the holder pays on the card company's page meanwhile.
      await crash();
      const back = await payAtAcquirer(payUrl, APPROVE);
      assert.ok(back?.includes('status=succeeded'), `the acquirer approved: ${String(back)}`);

      // Every webhook delivery is refused (nobody listens): the acquirer gives up. Only the
      // completer, asking the acquirer, can find out now.
      const attemptsMax = WEBHOOK_RETRY_DELAYS_DEFAULT_MS.length + 1;
      await waitUntil('the acquirer gives up its webhook', WEBHOOK_GIVE_UP_WAIT_MS, () => {
        const rows = sqliteAll<{ attempts: number; delivered: number | null }>(
          join(dataDir, 'sandbox-acquirer.sqlite'),
          `select e.attempts, e.delivered_at_ms as delivered from acq_events e
             join acq_payments p on p.id = e.payment_id where p.reference = ?`,
          orderId,
        );
        const [event] = rows;
        return rows.length === 1 && event !== undefined && event.attempts >= attemptsMax
          ? event
          : null;
      }).then((event) => assert.equal(event.delivered, null, 'never delivered'));
      assert.equal((await orderRow(orderId)).status, 'awaiting_payment', 'we know nothing yet');
      assert.equal(
        await count('select count(*) as n from sales_order_card where order_id = ?', orderId),
        0,
      );
      // Time passes while we are down: the order is due for its next check.
      assert.equal(
        await peek.run('update sales_order set next_check_at_ms = 0 where id = ?', orderId),
        1,
      );

      const restartedAt = Date.now();
      await start();
      const started = Date.now();
      await waitUntil('the completer fulfils the order', COMPLETE_WAIT_MS, async () =>
        (await orderRow(orderId)).status === 'fulfilled' ? true : null,
      );
      t.diagnostic(
        `restart took ${started - restartedAt} ms; fulfilled ${Date.now() - started} ms after`,
      );
      await assertFulfilledOnce(orderId, 3, 25_000);
      assert.equal(
        await count('select count(*) as n from card'),
        cardsAtStart + 3,
        'no other card issued',
      );

      // The buyer's browser still holds the order: the PINs are shown (once) after the crash.
      const page = await client.get(`/orders/${orderId}`);
      assert.equal(page.status, 200, page.body.slice(0, 300));
      const pins = pinsOn(page);
      assert.equal(pins.length, 3);
      assert.deepEqual(
        pins.map((p) => p.slice(-4)).sort(),
        (await orderCards(orderId)).map((c) => c.last4).sort(),
      );

      // Once more: killed and restarted with the order and its receipt made due again. A whole
      // worker pass runs (the receipt is held again, which the e-mail step does after the
      // completer), and nothing more is issued, sold or mailed.
      await crash();
      const transfers = await count('select count(*) as n from ledger_transfer');
      await peek.run(
        `update notify_email set status = 'queued', next_attempt_at_ms = 0 where dedupe_key = ?`,
        `order_receipt:${orderId}`,
      );
      await peek.run('update sales_order set next_check_at_ms = 0 where id = ?', orderId);
      await start();
      await waitUntil('a worker pass after the second restart', COMPLETE_WAIT_MS, async () =>
        (await count(
          `select count(*) as n from notify_email where dedupe_key = ? and status = 'held'`,
          `order_receipt:${orderId}`,
        )) === 1
          ? true
          : null,
      );
      await assertFulfilledOnce(orderId, 3, 25_000);
      assert.equal(await count('select count(*) as n from card'), cardsAtStart + 3);
      assert.equal(
        await count('select count(*) as n from ledger_transfer'),
        transfers,
        'no new money moved',
      );
      await crash();
      await ledgerVerifies();
    });

    test('killed while the webhook is being processed: finished once after a restart', async (t) => {
      const { url } = await start();
      const cardsAtStart = await count('select count(*) as n from card');
      // Ten cards make the fulfilment long enough to be caught in the middle.
      const { orderId, payUrl } = await placeOrder(url, { den_krw_10000: '5', den_krw_5000: '5' });
      const paying = payAtAcquirer(payUrl, APPROVE);
      // Kill the moment the webhook (or the return) has started to turn the payment into cards.
      const seen = await waitUntil('the payment reaches our server', COMPLETE_WAIT_MS, async () => {
        const status = (await orderRow(orderId)).status;
        if (status === 'awaiting_payment') {
          await new Promise((r) => setTimeout(r, RACE_POLL_MS));
          return null;
        }
        return status;
      });
      await crash();
      const back = await paying;
      assert.ok(back?.includes('status=succeeded'), `the acquirer approved: ${String(back)}`);
      const recorded = await count(
        'select count(*) as n from sales_order_card where order_id = ?',
        orderId,
      );
      t.diagnostic(`killed at status ${seen}; ${recorded} of 10 cards recorded for the order then`);

      // Time passes while we are down: a waiting check and a fulfilment's lease both run out.
      await peek.run(
        'update sales_order set next_check_at_ms = 0, lease_until_ms = 0 where id = ?',
        orderId,
      );
      await start();
      await waitUntil('the order is fulfilled after the restart', COMPLETE_WAIT_MS, async () =>
        (await orderRow(orderId)).status === 'fulfilled' ? true : null,
      );
      await assertFulfilledOnce(orderId, 10, 75_000);
      // A crash between issuing and recording leaves unsold stock: allowed, but it holds no value.
      const extra = await peek.all<{ state: string; account_id: string | null }>(
        `select state, account_id from card where created_at_ms >= (select created_at_ms from sales_order where id = ?)
           and id not in (select card_id from sales_order_card)`,
        orderId,
      );
      for (const card of extra) {
        assert.equal(card.state, 'issued', 'an orphan of the crash is never sold');
        assert.equal(card.account_id, null, 'and carries no value');
      }
      assert.equal(await count('select count(*) as n from card'), cardsAtStart + 10 + extra.length);
      t.diagnostic(`${extra.length} unsold card(s) left by the crash`);
      await crash();
      await ledgerVerifies();
    });
  });
}

describe(
  'npm start and its sandbox acquirer child',
  { skip: process.platform !== 'linux' ? 'reads /proc' : false },
  () => {
    test('a SIGKILL of the server leaves no acquirer holding its port; a restart works', async (t) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'onepin-orphan-'));
      const started: Child[] = [];
      const orphans: number[] = [];
      t.after(async () => {
        for (const pid of orphans) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
        for (const child of started) await killNow(child);
        rmSync(dataDir, { recursive: true, force: true });
      });
      const env = {
        PORT: String(await freePort()),
        ACQUIRER_PORT: String(await freePort()),
        ONEPIN_DATA_DIR: dataDir,
      };
      const first = await startServerProcess(env);
      started.push(first.child);
      const pid = first.child.process.pid;
      assert.ok(pid !== undefined);
      const kids = childPidsOf(pid, 'sandbox-acquirer');
      orphans.push(...kids);
      assert.equal(kids.length, 1, 'npm start runs the sandbox acquirer as its child');
      await killNow(first.child);
      // The child must notice that its parent is gone and stop, freeing ACQUIRER_PORT.
      const deadline = Date.now() + ORPHAN_WAIT_MS;
      while (kids.some(isAlive) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      assert.ok(
        !kids.some(isAlive),
        `the sandbox acquirer (pid ${kids.join(', ')}) outlived its killed parent by ${ORPHAN_WAIT_MS} ms and still holds port ${env.ACQUIRER_PORT}`,
      );
      const second = await startServerProcess(env);
      started.push(second.child);
      orphans.push(...childPidsOf(second.child.process.pid ?? 0, 'sandbox-acquirer'));
      // The start-up lines come one by one: wait (bounded) for the acquirer's.
      const acquirerLine = new RegExp(`go to http://127\\.0\\.0\\.1:${env.ACQUIRER_PORT}`);
      await waitUntil('the acquirer start-up line', 10_000, () =>
        acquirerLine.test(second.child.stdout) ? true : null,
      );
      assert.match(second.child.stdout, acquirerLine);
      // A polite stop takes the child along.
      second.child.process.kill('SIGTERM');
      const exit = await second.child.waitExit(EXIT_WAIT_MS);
      assert.equal(exit.code, 0);
      await waitUntil('the acquirer child stops with its parent', EXIT_WAIT_MS, () =>
        orphans.some(isAlive) ? null : true,
      );
    });
  },
);
