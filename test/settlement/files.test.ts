// After a run: the statement (CSV, PDF), the bank-transfer payout file, marking paid, and the
// reconciliation of the runs against the ledger, with planted differences.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { inflateSync } from 'node:zlib';
import { systemAccountId } from '../../src/ledger/index.ts';
import {
  createPayoutBatch,
  getRun,
  markPaid,
  payoutFileOf,
  reconcile,
  runLines,
  setProfile,
  statementCsv,
  statementPdf,
} from '../../src/settlement/index.ts';
import { writeTransaction } from '../../src/storage/index.ts';
import { DATABASES } from '../support/databases.ts';
import { kst, openSettlementWorld } from './support.ts';

/** The text-drawing operators of every content stream of a PDF, inflated. */
function pdfText(pdf: Buffer): string {
  const text = pdf.toString('latin1');
  const out: string[] = [];
  const re = /stream\r?\n/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    try {
      out.push(inflateSync(pdf.subarray(start, end)).toString('latin1'));
    } catch {
      // not a deflated stream (fonts, images): skip
    }
  }
  // pdfkit writes glyphs as hex strings in TJ arrays: [<4865> 20 <6c6c6f>] TJ → Hello
  return out
    .join('\n')
    .replace(/>\s*-?[0-9.]+\s*</g, '') // kerning inside a TJ array splits the hex strings
    .replace(/<([0-9a-f]+)>/gi, (_m, hex: string) => Buffer.from(hex, 'hex').toString('latin1'));
}

for (const target of DATABASES) {
  describe(
    `settlement statements, payout file and reconciliation on ${target.name}`,
    { skip: target.skip },
    () => {
      test('statement, payout file, mark paid, reconcile; planted differences are reported', async () => {
        const w = await openSettlementWorld(target);
        try {
          w.at('2026-01-01 12:00');
          const a = await w.pay(10_000);
          w.at('2026-01-01 13:00');
          const b = await w.pay(2_345);
          w.at('2026-01-02 09:00');
          const { run } = (await w.run()).runs[0] ?? assert.fail('a run');
          const lines = await runLines(w.g.app.db.kysely, run.id);

          const csv = statementCsv(run, lines);
          const records = csv.split('\r\n');
          assert.equal(
            records[0],
            'line,date_kst,kind,payment,order_reference,service_type,commission_bps,gross_minor,fee_minor,net_minor,gross,fee,net',
          );
          assert.match(
            records[1] ?? '',
            new RegExp(
              `^1,2026-01-01 12:00,capture,${a},order-\\d+,shopping,250,10000,250,9750,"10,000 KRW",250 KRW,"9,750 KRW"$`,
            ),
          );
          assert.match(
            records[2] ?? '',
            new RegExp(
              `^2,2026-01-01 13:00,capture,${b},order-\\d+,shopping,250,2345,58,2287,"2,345 KRW",58 KRW,"2,287 KRW"$`,
            ),
          );
          assert.equal(
            records[3],
            `total,,,${run.id},,,,12345,308,12037,"12,345 KRW",308 KRW,"12,037 KRW"`,
          );
          assert.equal(records[4], `carried_in,,,${run.id},,,,,,0,,,0 KRW`);
          assert.equal(records[5], `payout,,,${run.id},,,,,,12037,,,"12,037 KRW"`);
          assert.equal(records[6], `carried_out,,,${run.id},,,,,,0,,,0 KRW`);
          assert.equal(records[7], '');
          assert.equal(records.length, 8);

          const pdf = await statementPdf(run, lines, {
            associateId: w.associateId,
            associateName: 'Test Shop 상점',
            bankAccount: { bankCode: '004', accountNumber: '123-456-789012', holder: 'Test Shop' },
          });
          assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
          assert.match(pdf.subarray(-8).toString(), /%%EOF/);
          const text = pdfText(pdf);
          for (const needle of [
            'OnePIN settlement statement',
            run.id,
            '10,000 KRW',
            '12,037 KRW',
            '****9012',
            'Test Shop ??',
          ])
            assert.ok(text.includes(needle), `the PDF shows ${needle}`);
          assert.ok(!text.includes('789012'), 'the full account number is not printed');

          // No bank account yet: the payout waits, the run stays booked.
          const none = await createPayoutBatch(w.ctx, {
            untilMs: kst('2026-01-02 00:00'),
            currency: 'KRW',
            livemode: false,
          });
          assert.equal(none.batch, null);
          assert.deepEqual(
            none.skipped.map((s) => [s.run.id, s.reason]),
            [[run.id, 'settlement_bank_account_missing']],
          );
          const bank = await writeTransaction(w.g.app.db, (tx) =>
            setProfile(w.ctx, tx, w.associateId, {
              bankCode: '004',
              accountNumber: '123-456-789012',
              holder: 'Test Shop',
            }),
          );
          assert.ok(bank.ok);
          const bad = await writeTransaction(w.g.app.db, (tx) =>
            setProfile(w.ctx, tx, w.associateId, { bankCode: '4' }),
          );
          assert.equal(!bad.ok && bad.error.param, 'bank_code');

          const simulated = await createPayoutBatch(w.ctx, {
            untilMs: kst('2026-01-02 00:00'),
            currency: 'KRW',
            livemode: false,
            simulate: true,
          });
          assert.equal(simulated.simulated, true);
          assert.equal(
            (await getRun(w.g.app.db.kysely, run.id))?.state,
            'booked',
            'simulate marks nothing',
          );
          const file = await createPayoutBatch(w.ctx, {
            untilMs: kst('2026-01-02 00:00'),
            currency: 'KRW',
            livemode: false,
          });
          assert.ok(file.batch);
          assert.equal(file.csv, simulated.csv);
          assert.equal(
            file.csv,
            'bank_code,account_number,account_holder,amount,currency,memo,run_id,associate_id,associate_name\r\n' +
              `004,123-456-789012,Test Shop,12037,KRW,ONEPIN 20260101,${run.id},${w.associateId},Test Shop\r\n`,
          );
          assert.equal(file.batch.totalMinor, 12_037n);
          assert.equal((await getRun(w.g.app.db.kysely, run.id))?.state, 'exported');
          const again = await createPayoutBatch(w.ctx, {
            untilMs: kst('2026-01-02 00:00'),
            currency: 'KRW',
            livemode: false,
          });
          assert.equal(again.batch, null, 'an exported run is not in the next file');
          const rewritten = await payoutFileOf(w.ctx, file.batch.id);
          assert.ok(rewritten.ok);
          assert.equal(rewritten.value.csv, file.csv, 'the same file can be written again');

          const paid = await markPaid(w.ctx, { runId: run.id, reference: 'KB-20260102-0001' });
          assert.ok(paid.ok);
          assert.equal(paid.value.state, 'paid');
          assert.ok((await markPaid(w.ctx, { runId: run.id, reference: 'KB-20260102-0001' })).ok);
          const other = await markPaid(w.ctx, { runId: run.id, reference: 'KB-OTHER' });
          assert.equal(!other.ok && other.error.code, 'settlement_state_invalid');
          const missing = await markPaid(w.ctx, { runId: 'stl_nope', reference: 'X1' });
          assert.equal(!missing.ok && missing.error.code, 'settlement_run_not_found');
          await w.verify();

          const clean = await reconcile(w.ctx, 'KRW');
          assert.deepEqual(clean.differences, []);
          assert.deepEqual(
            [
              clean.bookedMinor,
              clean.paidMinor,
              clean.outstandingMinor,
              clean.ledgerPayoutsMinor,
              clean.ledgerPayoutCount,
              clean.clearingBalanceMinor,
            ],
            [12_037n, 12_037n, 0n, 12_037n, 1, 12_037n],
          );
          assert.equal(clean.runs.paid, 1);

          // Planted: a payout into clearing that no run made, and a run row whose payout was changed.
          const rogue = await w.g.app.ledger.submit(
            [
              {
                id: 'stlpay_rogue',
                debitAccountId: systemAccountId('KRW', 'adjustment'),
                creditAccountId: w.clearingId,
                amountMinor: 500n,
                currency: 'KRW',
                code: 'settlement_payout',
                reference: 'stl_rogue',
              },
            ],
            w.g.clock.nowMs(),
          );
          assert.deepEqual(rogue, ['ok']);
          await sql`update settlement_run set payout_minor = 12000 where id = ${run.id}`.execute(
            w.g.app.db.kysely,
          );
          const dirty = await reconcile(w.ctx, 'KRW');
          assert.deepEqual(dirty.differences, [
            `${run.id}: payout 12000 but the ledger moved 12037 (${run.payoutTransferId ?? ''})`,
            'stlpay_rogue: a payout of 500 with no settlement run (stl_rogue)',
          ]);
          await w.verify();
        } finally {
          await w.close();
        }
      });
    },
  );
}

test('a long statement runs over several PDF pages, every line on one of them', async () => {
  const base = {
    id: 'stl_asc_x_live_krw_20260111',
    associateId: 'asc_x',
    livemode: true,
    currency: 'KRW',
    merchantAccountId: 'acc_asc_x_live_krw',
    cycle: 'weekly',
    periodStartMs: kst('2026-01-05 00:00'),
    periodEndMs: kst('2026-01-12 00:00'),
    fromSeq: 0n,
    toSeq: 150n,
    lineCount: 150,
    grossMinor: 150_000n,
    feeMinor: 3_750n,
    netMinor: 146_250n,
    bookedFeeMinor: 3_750n,
    adjustmentMinor: 0n,
    carryInMinor: 0n,
    payoutMinor: 146_250n,
    carryOutMinor: 0n,
    adjustmentTransferId: null,
    payoutTransferId: 'stlpay_x',
    state: 'booked',
    payoutBatchId: null,
    payoutAccount: null,
    paidReference: null,
    createdAtMs: kst('2026-01-12 09:00'),
    bookedAtMs: kst('2026-01-12 09:00'),
    exportedAtMs: null,
    paidAtMs: null,
  } as const;
  const lines = Array.from({ length: 150 }, (_, i) => ({
    runId: base.id,
    lineNo: i + 1,
    journalSeq: BigInt(i + 1),
    transferId: `cap_${i}`,
    kind: 'capture' as const,
    paymentId: `pay_${String(i).padStart(4, '0')}`,
    orderReference: `order-${i}`,
    serviceType: 'shopping',
    commissionBps: 250n,
    grossMinor: 1_000n,
    feeMinor: 25n,
    netMinor: 975n,
    occurredAtMs: kst('2026-01-06 10:00'),
  }));
  const pdf = await statementPdf(base, lines, {
    associateId: 'asc_x',
    associateName: 'Shop',
    bankAccount: null,
  });
  const pages = pdf.toString('latin1').match(/\/Type \/Page\n/g) ?? [];
  assert.ok(pages.length >= 3, `${pages.length} pages`);
  const text = pdfText(pdf);
  for (const needle of ['pay_0000', 'pay_0075', 'pay_0149', '146,250 KRW'])
    assert.ok(text.includes(needle), `the PDF shows ${needle}`);
});

const SYSTEM_FONT = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/DejaVuSans.ttf',
].find((path) => existsSync(path));

test(
  'with --font the PDF embeds that font and keeps the text as given',
  { skip: SYSTEM_FONT === undefined ? 'no DejaVuSans.ttf on this machine' : false },
  async () => {
    assert.ok(SYSTEM_FONT !== undefined);
    const pdf = await statementPdf(
      {
        id: 'stl_asc_x_live_krw_20260101',
        associateId: 'asc_x',
        livemode: true,
        currency: 'KRW',
        merchantAccountId: 'acc_asc_x_live_krw',
        cycle: 'daily',
        periodStartMs: kst('2026-01-01 00:00'),
        periodEndMs: kst('2026-01-02 00:00'),
        fromSeq: 0n,
        toSeq: 1n,
        lineCount: 0,
        grossMinor: 0n,
        feeMinor: 0n,
        netMinor: 0n,
        bookedFeeMinor: 0n,
        adjustmentMinor: null,
        carryInMinor: null,
        payoutMinor: null,
        carryOutMinor: null,
        adjustmentTransferId: null,
        payoutTransferId: null,
        state: 'computed',
        payoutBatchId: null,
        payoutAccount: null,
        paidReference: null,
        createdAtMs: kst('2026-01-02 09:00'),
        bookedAtMs: null,
        exportedAtMs: null,
        paidAtMs: null,
      },
      [],
      { associateId: 'asc_x', associateName: 'Ünïcode Shop', bankAccount: null },
      { fontPath: SYSTEM_FONT },
    );
    const raw = pdf.toString('latin1');
    assert.match(raw, /\/FontFile2/);
    assert.match(raw, /DejaVuSans/);
    assert.doesNotMatch(raw, /\/BaseFont \/Helvetica/);
  },
);
