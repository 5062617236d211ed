import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_CATALOGUE,
  activateCard,
  countCardsByState,
  formatPin,
  issueCards,
  sellCard,
  upsertDenomination,
} from '../cards/index.ts';
import { currentTariff, importTariff } from '../charging/index.ts';
import { assert, formatMoney } from '../kernel/index.ts';
import { ensureSystemAccounts } from '../ledger/index.ts';
import { writeTransaction } from '../storage/index.ts';
import type { App } from './app.ts';

export interface DemoCard {
  readonly serial: string;
  readonly pin: string;
  readonly password: string | null;
  readonly activationCode: string | null;
  readonly balance: string;
  readonly state: string;
}

/**
 * Loads the default catalogue and a handful of demo cards: four active (with passwords), one
 * sold and waiting for activation, one still in stock. Their PINs go to a file readable only by
 * the owner, because this is the one place they exist in the clear.
 */
export async function seedDemo(
  app: App,
  dataDir: string,
): Promise<{ cards: DemoCard[]; file: string } | null> {
  const counts = await countCardsByState(app.db.kysely);
  if (Object.keys(counts).length > 0) return null;
  const nowMs = app.clock.nowMs();
  await writeTransaction(app.db, async (tx) => {
    await ensureSystemAccounts(app.ledger, tx, 'KRW', nowMs);
    for (const d of DEFAULT_CATALOGUE) {
      const result = await upsertDenomination(tx, d, nowMs);
      assert(result.ok, 'default catalogue is valid');
    }
  });
  // The sample calling-card tariff, so that calls (IVR, Diameter, the charging API) can be
  // rated on a fresh demo; an operator replaces it with `onepin tariffs import`.
  if ((await currentTariff(app.charging)) === null) {
    const sample = new URL('../../examples/tariffs/korea-calling-card.csv', import.meta.url);
    const report = await importTariff(app.charging, {
      text: readFileSync(sample, 'utf8'),
      sourceName: 'korea-calling-card.csv',
    });
    assert(report.stored, 'the sample tariff is valid');
  }
  // Demo passwords are digits, neither repeated nor consecutive, as the password rules ask.
  const plan = [
    { denominationId: 'den_krw_10000', password: '4826' },
    { denominationId: 'den_krw_30000', password: '7391' },
    { denominationId: 'den_krw_50000', password: '5038' },
    { denominationId: 'den_krw_100000', password: '2947' },
    { denominationId: 'den_krw_20000', password: null },
    { denominationId: 'den_krw_5000', password: 'stock' },
  ] as const;
  const cards: DemoCard[] = [];
  for (const step of plan) {
    const issued = await issueCards(app.cards, {
      denominationId: step.denominationId,
      count: 1,
      // Demo cards are test cards: they pay the demo shop's test-mode payments.
      livemode: false,
    });
    assert(issued.ok, 'demo issuance');
    const card = issued.value.cards[0];
    assert(card !== undefined, 'one demo card');
    if (step.password === 'stock') {
      cards.push({
        serial: card.serial,
        pin: formatPin(card.pin),
        password: null,
        activationCode: null,
        balance: formatMoney(0n, 'KRW'),
        state: 'issued',
      });
      continue;
    }
    const sold = await sellCard(app.cards, {
      serial: card.serial,
      channel: 'demo',
      activationKind: 'otp',
      reference: 'demo seed',
    });
    assert(sold.ok, 'demo sale');
    let state = 'sold';
    if (step.password !== null) {
      const active = await activateCard(app.cards, {
        pin: card.pin,
        activationSecret: sold.value.activationSecret,
        password: step.password,
      });
      assert(active.ok, 'demo activation');
      state = 'active';
    }
    cards.push({
      serial: card.serial,
      pin: formatPin(card.pin),
      password: step.password,
      activationCode: step.password === null ? sold.value.activationSecret : null,
      balance: formatMoney(sold.value.card.faceValueMinor, 'KRW'),
      state,
    });
  }
  const file = join(dataDir, 'demo-cards.txt');
  const lines = [
    '# OnePIN demo cards. These PINs exist in the clear only in this file.',
    '# serial        PIN                        password  activation  balance       state',
    ...cards.map(
      (c) =>
        `${c.serial}  ${c.pin}  ${(c.password ?? '-').padEnd(8)}  ${(c.activationCode ?? '-').padEnd(10)}  ${c.balance.padEnd(12)}  ${c.state}`,
    ),
    '',
  ];
  writeFileSync(file, lines.join('\n'), { mode: 0o600 });
  return { cards, file };
}
