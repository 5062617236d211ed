import PDFDocument from 'pdfkit';
import { formatMoney } from '../kernel/index.ts';
import { csvDocument, maskAccount } from './csv.ts';
import { localDate, localDateTime } from './cycle-rules.ts';
import type { BankAccount } from './profile.ts';
import type { SettlementLine, SettlementRun } from './runs.ts';

/** What a statement shows besides the run: who it is for and where the money goes. */
export interface StatementParty {
  readonly associateId: string;
  readonly associateName: string;
  readonly bankAccount: BankAccount | null;
}

export const STATEMENT_CSV_HEADER = [
  'line',
  'date_kst',
  'kind',
  'payment',
  'order_reference',
  'service_type',
  'commission_bps',
  'gross_minor',
  'fee_minor',
  'net_minor',
  'gross',
  'fee',
  'net',
] as const;

function periodText(run: SettlementRun): string {
  return `${localDate(run.periodStartMs)} to ${localDate(run.periodEndMs - 1n)} (Asia/Seoul)`;
}

/**
 * The statement as RFC 4180 CSV: one record per line (minor units, and the same amounts
 * formatted), then summary records `total`, `carried_in`, `payout` and `carried_out` (the
 * last three only once the run is booked).
 */
export function statementCsv(run: SettlementRun, lines: readonly SettlementLine[]): string {
  const money = (v: bigint): string => formatMoney(v, run.currency);
  const rows: string[][] = lines.map((l) => [
    String(l.lineNo),
    localDateTime(l.occurredAtMs),
    l.kind,
    l.paymentId,
    l.orderReference,
    l.serviceType,
    l.commissionBps.toString(),
    l.grossMinor.toString(),
    l.feeMinor.toString(),
    l.netMinor.toString(),
    money(l.grossMinor),
    money(l.feeMinor),
    money(l.netMinor),
  ]);
  const summary = (label: string, net: bigint, gross = '', fee = ''): string[] => [
    label,
    '',
    '',
    run.id,
    '',
    '',
    '',
    gross,
    fee,
    net.toString(),
    gross === '' ? '' : money(BigInt(gross)),
    fee === '' ? '' : money(BigInt(fee)),
    money(net),
  ];
  rows.push(summary('total', run.netMinor, run.grossMinor.toString(), run.feeMinor.toString()));
  if (run.carryInMinor !== null) rows.push(summary('carried_in', run.carryInMinor));
  if (run.payoutMinor !== null) rows.push(summary('payout', run.payoutMinor));
  if (run.carryOutMinor !== null) rows.push(summary('carried_out', run.carryOutMinor));
  return csvDocument(STATEMENT_CSV_HEADER, rows);
}

/** Text the built-in PDF font (Helvetica, WinAnsi) can show; other characters become '?'. */
export function latinOnly(text: string): string {
  return text.replace(/[^\n\x20-\x7E\u00A0-\u00FF]/g, '?');
}

export interface PdfOptions {
  /**
   * A TrueType/OpenType font file to write the statement with (for Korean names, a CJK font
   * such as Noto Sans CJK or Nanum Gothic). Without it the statement uses the PDF's built-in
   * Helvetica and shows characters outside Latin-1 as '?'.
   */
  readonly fontPath?: string;
}

/** The statement as a PDF (A4), paged when the lines do not fit on one page. */
export async function statementPdf(
  run: SettlementRun,
  lines: readonly SettlementLine[],
  party: StatementParty,
  options: PdfOptions = {},
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 40,
    info: {
      Title: `OnePIN settlement statement ${run.id}`,
      Author: 'OnePIN',
      CreationDate: new Date(Number(run.createdAtMs)),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  let regular = 'Helvetica';
  let bold = 'Helvetica-Bold';
  let clean = latinOnly;
  if (options.fontPath !== undefined) {
    doc.registerFont('statement', options.fontPath);
    regular = 'statement';
    bold = 'statement';
    clean = (text: string) => text;
  }
  const money = (v: bigint): string => formatMoney(v, run.currency);
  const left = doc.page.margins.left;
  const bottom = (): number => doc.page.height - doc.page.margins.bottom;

  doc.font(bold).fontSize(16).text('OnePIN settlement statement', left, 40);
  doc.moveDown(0.5);
  doc.font(regular).fontSize(10);
  const facts: [string, string][] = [
    ['Associate', clean(`${party.associateName} (${party.associateId})`)],
    ['Period', periodText(run)],
    ['Cycle', run.cycle],
    ['Run', run.id],
    ['Mode', run.livemode ? 'live' : 'TEST'],
    [
      'State',
      run.state + (run.paidReference !== null ? ` (bank reference ${run.paidReference})` : ''),
    ],
    [
      'Paid to',
      party.bankAccount === null
        ? 'no bank account on file'
        : clean(
            `bank ${party.bankAccount.bankCode}, account ${maskAccount(party.bankAccount.accountNumber)}, ${party.bankAccount.holder}`,
          ),
    ],
  ];
  for (const [k, v] of facts) {
    const y = doc.y;
    doc.font(bold).text(k, left, y, { width: 90 });
    doc.font(regular).text(v, left + 95, y, { width: 420 });
  }
  doc.moveDown();

  // Columns: no, date, kind, payment / order, gross, fee, net (amounts right-aligned).
  const cols = [
    { title: 'No', x: left, w: 25, right: false },
    { title: 'Date (KST)', x: left + 27, w: 78, right: false },
    { title: 'Kind', x: left + 107, w: 45, right: false },
    { title: 'Payment / order', x: left + 154, w: 150, right: false },
    { title: 'Gross', x: left + 306, w: 72, right: true },
    { title: 'Fee', x: left + 380, w: 60, right: true },
    { title: 'Net', x: left + 442, w: 72, right: true },
  ] as const;
  const row = (cells: readonly string[], font: string): void => {
    if (doc.y + 24 > bottom()) {
      doc.addPage();
      doc.y = doc.page.margins.top;
    }
    const y = doc.y;
    let height = 0;
    cols.forEach((c, i) => {
      doc.font(font).fontSize(8);
      const text = cells[i] ?? '';
      const h = doc.heightOfString(text, { width: c.w });
      doc.text(text, c.x, y, { width: c.w, align: c.right ? 'right' : 'left' });
      if (h > height) height = h;
    });
    doc.y = y + height + 3;
  };
  row(
    cols.map((c) => c.title),
    bold,
  );
  for (const l of lines) {
    row(
      [
        String(l.lineNo),
        localDateTime(l.occurredAtMs),
        l.kind,
        clean(l.orderReference === '' ? l.paymentId : `${l.paymentId}\n${l.orderReference}`),
        money(l.grossMinor),
        `${money(l.feeMinor)}\n${(Number(l.commissionBps) / 100).toFixed(2)}%`,
        money(l.netMinor),
      ],
      regular,
    );
  }
  row(
    [
      '',
      '',
      'Total',
      `${lines.length} line(s)`,
      money(run.grossMinor),
      money(run.feeMinor),
      money(run.netMinor),
    ],
    bold,
  );
  doc.moveDown();
  const summary: [string, string][] = [];
  if (run.carryInMinor !== null)
    summary.push(['Carried from the previous cycle', money(run.carryInMinor)]);
  if (run.payoutMinor !== null) summary.push(['Payout', money(run.payoutMinor)]);
  if (run.carryOutMinor !== null)
    summary.push(['Carried to the next cycle', money(run.carryOutMinor)]);
  if (run.payoutMinor === null) summary.push(['Payout', 'not booked yet']);
  for (const [k, v] of summary) {
    const y = doc.y;
    doc
      .font(bold)
      .fontSize(10)
      .text(k, left + 200, y, { width: 200 });
    doc.font(regular).text(v, left + 400, y, { width: 114, align: 'right' });
  }
  doc.moveDown();
  doc
    .font(regular)
    .fontSize(7)
    .text(
      'Fee per line = gross x rate, rounded down; the batch fee is the exact sum rounded down once, and the units between go to the lines with the largest remainders, so fees + nets = gross to the unit. Refunds are negative lines. A negative amount, or one already used by refunds after the cycle, is carried to the next cycle.',
      left,
      doc.y,
      { width: 514 },
    );
  doc.end();
  await finished;
  return Buffer.concat(chunks);
}
