import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  startSandboxAcquirer,
  type SandboxAcquirer,
  type SandboxAcquirerOptions,
} from '../../src/acquirer/index.ts';
import { sandboxProvider, type FundingProvider } from '../../src/funding/index.ts';
import { ManualClock } from '../../src/kernel/index.ts';
import {
  API_KEY,
  WEBHOOK_SECRET,
  WebhookCatcher,
  api,
  cardInput,
  create,
  eventually,
  fetchPayment,
  payByCard,
  show,
} from './support.ts';

/** The acquirer keeps its payments in its own SQLite file: a restart loses nothing. */
describe('sandbox acquirer: restart with the same data file', () => {
  let dir: string;
  let hooks: WebhookCatcher;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onepin-acquirer-'));
    hooks = await WebhookCatcher.start();
  });
  after(async () => {
    await hooks.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(
    extra: Partial<SandboxAcquirerOptions> = {},
  ): Promise<{ acquirer: SandboxAcquirer; provider: FundingProvider }> {
    const acquirer = await startSandboxAcquirer({
      host: '127.0.0.1',
      port: 0,
      dataFile: join(dir, 'nested', 'acquirer.sqlite'),
      apiKey: API_KEY,
      webhookSecret: WEBHOOK_SECRET,
      ...extra,
    });
    const provider = sandboxProvider({
      baseUrl: acquirer.url,
      apiKey: API_KEY,
      webhookSecret: WEBHOOK_SECRET,
    });
    return { acquirer, provider };
  }

  test('payments, refunds and open virtual accounts survive a restart', async () => {
    const first = await start();
    const card = await create(first.provider, cardInput(hooks, { amountMinor: 20_000n }));
    assert.equal((await payByCard(card, '4242424242424242')).status, 303);
    const refund = await first.provider.refund({
      paymentId: card.id,
      amountMinor: 5_000n,
      reference: 'rf_1',
    });
    assert.ok(refund.ok, show(refund));
    const bankInput = { ...cardInput(hooks, { amountMinor: 40_000n }), method: 'bank' } as const;
    const bank = await create(first.provider, bankInput);
    const waiting = await create(first.provider, cardInput(hooks));
    await first.acquirer.close();
    await first.acquirer.close(); // closing twice is harmless

    const second = await start();
    try {
      const again = await fetchPayment(second.provider, card.id);
      assert.equal(again.status, 'succeeded');
      assert.equal(again.amountMinor, 20_000n);
      assert.equal(again.refundedMinor, 5_000n);
      assert.deepEqual(again.instrument, { kind: 'card', brand: 'visa', last4: '4242' });
      const byReference = await second.provider.getPayment({ reference: card.reference });
      assert.ok(byReference.ok && byReference.value?.id === card.id);

      // Idempotency holds across the restart: same reference → same payment and refund.
      const replay = await create(
        second.provider,
        cardInput(hooks, { amountMinor: 20_000n, reference: card.reference }),
      );
      assert.equal(replay.id, card.id);
      const refundAgain = await second.provider.refund({
        paymentId: card.id,
        amountMinor: 5_000n,
        reference: 'rf_1',
      });
      assert.ok(refundAgain.ok && refund.ok && refundAgain.value.id === refund.value.id);

      // The virtual account still takes its transfer; the card page still takes its card.
      assert.ok(bank.virtualAccount);
      const deposit = await api(second.acquirer.url, 'POST', '/v1/sandbox/deposits', {
        account_number: bank.virtualAccount.number,
        amount: 40_000,
      });
      assert.equal(deposit.status, 201, show(deposit.json));
      const stillWaiting = await fetchPayment(second.provider, waiting.id);
      assert.equal(stillWaiting.status, 'requires_action');
      assert.ok(
        stillWaiting.redirectUrl?.startsWith(second.acquirer.url),
        'the page lives at the new address',
      );
      assert.equal((await payByCard(stillWaiting, '4242424242424242')).status, 303);
      assert.equal((await fetchPayment(second.provider, waiting.id)).status, 'succeeded');
    } finally {
      await second.acquirer.close();
    }
  });

  test('closing during a slow answer is quick; the approval becomes final after the restart', async () => {
    const clock = new ManualClock();
    const first = await start({ clock, slowAnswerMs: 30_000 });
    const payment = await create(first.provider, cardInput(hooks));
    const answering = payByCard(payment, '4000 0000 0000 3220');
    await eventually(
      async () => (await fetchPayment(first.provider, payment.id)).status === 'processing',
      'processing',
    );
    const started = Date.now();
    await first.acquirer.close();
    assert.ok(Date.now() - started < 5_000, 'close does not wait for the slow answer');
    const answer = await answering;
    assert.equal(answer.status, 503);
    assert.equal(answer.location, null);

    const second = await start({ clock, slowAnswerMs: 30_000 });
    try {
      assert.equal((await fetchPayment(second.provider, payment.id)).status, 'processing');
      clock.advance(30_000n);
      const settled = await fetchPayment(second.provider, payment.id);
      assert.equal(settled.status, 'succeeded');
      assert.equal(settled.instrument?.last4, '3220');
      const [hook] = await hooks.waitFor(payment.id);
      assert.equal(hook?.json.type, 'payment.succeeded');
    } finally {
      await second.acquirer.close();
    }
  });
});
