import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cardStatement, type Card, type StatementEntry } from '../../cards/index.ts';
import {
  CHARGING_HOLD_CODES,
  CHARGING_REFUND_CODE,
  usageByReference,
  type UsageRecord,
} from '../../charging/index.ts';
import {
  formatMoney,
  limits,
  ok,
  type Currency,
  type ErrorCode,
  type Outcome,
} from '../../kernel/index.ts';
import { getAssociate, type Associate } from '../../payments/index.ts';
import { statusOf } from '../shared/errors.ts';
import { sessionCard } from './card-routes.ts';
import type { Locale, TextFn } from './i18n.ts';
import type { FieldError } from './site-messages.ts';
import type { SiteKit } from './site-web.ts';
import { SITE_TIME_ZONE_LABEL, siteDateTime } from './site-time.ts';
import { chartSvg, spendingChart, type SpendingChart } from './statement-chart.ts';
import { CSV_BOM, csvAmount, csvLine } from './statement-csv.ts';
import {
  KIND_FILTERS,
  filtersQuery,
  parseStatementFilters,
  type StatementFilters,
} from './statement-query.ts';
import {
  SERVICE_COLOURS,
  chargedServiceType,
  displayNumber,
  formatDuration,
  postedOutflowMinor,
  serviceTypeOf,
  statementLine,
  usageMoney,
  type ServiceType,
  type StatementLine,
} from './statement-services.ts';

/** Entries per statement page; "older" follows the cursor. */
export const STATEMENT_PAGE_SIZE = 25;
/** Entries read for the chart and the CSV file: the newest this many of the filtered period. */
export const STATEMENT_SCAN_MAX = 5_000;
const SCAN_PAGES_MAX = Math.ceil(STATEMENT_SCAN_MAX / limits.pageSizeMax) + 1;

/** Ledger codes that have a label; other codes (from newer modules) are shown as they are. */
const KNOWN_KINDS: readonly string[] = [
  'sale',
  'recharge',
  'authorization',
  'capture',
  'void',
  'expiry',
  'payment',
  'refund',
  'balance_refund',
  'balance_refund_void',
  'breakage',
  'call',
  'voicemail',
  'sms',
  'content',
  ...CHARGING_HOLD_CODES,
  CHARGING_REFUND_CODE,
  // The voicemail box's monthly fee (src/charging/voicemail.ts).
  'voicemail_fee',
  // Switching part of the balance into a foreign PIN (src/foreign/switch.ts).
  'fx_hold',
  'fx_switch',
  'fx_release',
];

/** What "Calls and services" lists besides the services' own codes: holds and refunds. */
const SERVICE_EXTRA_KINDS: readonly string[] = [
  ...CHARGING_HOLD_CODES,
  CHARGING_REFUND_CODE,
  'voicemail_fee',
];

const RECHARGE_KIND = 'recharge';

interface Scan {
  readonly entries: readonly StatementEntry[];
  readonly truncated: boolean;
}

function kindsOf(filters: StatementFilters): readonly string[] | undefined {
  if (filters.kind === null) return undefined;
  const kinds: readonly string[] = KIND_FILTERS[filters.kind];
  // A call's line stands on its first reservation, so the service filter must read holds too.
  return filters.kind === 'service' ? [...kinds, ...SERVICE_EXTRA_KINDS] : kinds;
}

/** Every entry of the filtered period, newest first, up to `STATEMENT_SCAN_MAX`. */
async function scanStatement(
  site: SiteKit,
  card: Card,
  filters: StatementFilters,
): Promise<Outcome<Scan>> {
  const entries: StatementEntry[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < SCAN_PAGES_MAX; pages += 1) {
    const kinds = kindsOf(filters);
    const page = await cardStatement(site.cards, site.payments.db.kysely, card.id, {
      limit: Math.min(limits.pageSizeMax, STATEMENT_SCAN_MAX - entries.length),
      ...(filters.fromMs !== null ? { fromMs: filters.fromMs } : {}),
      ...(filters.toMs !== null ? { toMs: filters.toMs } : {}),
      ...(kinds !== undefined ? { kinds } : {}),
      ...(cursor !== null ? { cursor } : {}),
    });
    if (!page.ok) return page;
    entries.push(...page.value.entries);
    cursor = page.value.nextCursor;
    if (cursor === null) return ok({ entries, truncated: false });
    if (entries.length >= STATEMENT_SCAN_MAX) return ok({ entries, truncated: true });
  }
  return ok({ entries, truncated: true });
}

/**
 * The entries as the holder sees them (see `statementLine`): one line per call, its other
 * ledger entries left out. Without the charging context every entry is a line of its own.
 */
async function linesOf(
  site: SiteKit,
  card: Card,
  entries: readonly StatementEntry[],
): Promise<StatementLine[]> {
  const charging = site.charging;
  if (charging === undefined) return entries.map((entry) => ({ type: 'entry', entry }));
  const usage = await usageByReference(
    charging,
    site.payments.db.kysely,
    entries.filter((e) => e.counterparty.code === 'service_revenue').map((e) => e.reference),
    { cardId: card.id },
  );
  const lines: StatementLine[] = [];
  for (const entry of entries) {
    const line = statementLine(entry, (reference) => usage.get(reference));
    if (line !== null) lines.push(line);
  }
  return lines;
}

interface StatementView {
  readonly currency: Currency;
  readonly balanceMinor: bigint;
  readonly heldMinor: bigint;
  readonly lines: readonly StatementLine[];
  readonly nextCursor: string | null;
}

/**
 * One page of lines: `STATEMENT_PAGE_SIZE` of them from the cursor on, reading further pages of
 * entries when a call's hidden entries leave the page short. The next cursor is the seq of the
 * page's last line, so the next page starts just after it, hidden entries included.
 */
async function statementPage(
  site: SiteKit,
  card: Card,
  filters: StatementFilters,
): Promise<Outcome<StatementView>> {
  const kinds = kindsOf(filters);
  const lines: StatementLine[] = [];
  let cursor = filters.cursor;
  let head: { currency: Currency; balanceMinor: bigint; heldMinor: bigint } | null = null;
  const view = (nextCursor: string | null): Outcome<StatementView> =>
    ok({
      currency: head?.currency ?? card.currency,
      balanceMinor: head?.balanceMinor ?? 0n,
      heldMinor: head?.heldMinor ?? 0n,
      lines,
      nextCursor,
    });
  for (let pages = 0; pages < SCAN_PAGES_MAX; pages += 1) {
    const page = await cardStatement(site.cards, site.payments.db.kysely, card.id, {
      // The first read is a page and one line more; later reads go on past hidden entries.
      limit: pages === 0 ? STATEMENT_PAGE_SIZE + 1 : limits.pageSizeMax,
      ...(filters.fromMs !== null ? { fromMs: filters.fromMs } : {}),
      ...(filters.toMs !== null ? { toMs: filters.toMs } : {}),
      ...(kinds !== undefined ? { kinds } : {}),
      ...(cursor !== null ? { cursor } : {}),
    });
    if (!page.ok) return page;
    head ??= page.value;
    for (const line of await linesOf(site, card, page.value.entries)) {
      if (lines.length === STATEMENT_PAGE_SIZE) {
        return view(lines.at(-1)?.entry.seq.toString() ?? null);
      }
      lines.push(line);
    }
    cursor = page.value.nextCursor;
    if (cursor === null) return view(null);
  }
  // Very many hidden entries in a row: stop reading here and let "older" carry on.
  return view(cursor);
}

/** The associates named by the entries, each read once. */
async function associatesOf(
  site: SiteKit,
  entries: readonly StatementEntry[],
): Promise<Map<string, Associate>> {
  const ids = new Set<string>();
  for (const e of entries) {
    if (e.counterparty.code === 'merchant_payable' && e.counterparty.ownerRef !== null)
      ids.add(e.counterparty.ownerRef);
  }
  const out = new Map<string, Associate>();
  for (const id of ids) {
    const associate = await getAssociate(site.payments.db.kysely, id);
    if (associate !== undefined) out.set(id, associate);
  }
  return out;
}

/** How an entry is described to the holder: the associate's name or our service. */
function describe(
  entry: StatementEntry,
  type: ServiceType,
  associates: ReadonlyMap<string, Associate>,
  t: TextFn,
): string {
  const { code, ownerRef } = entry.counterparty;
  if (code === 'merchant_payable') {
    const associate = ownerRef === null ? undefined : associates.get(ownerRef);
    return associate?.name ?? t('service.associateUnknown');
  }
  switch (type) {
    case 'calling':
      return t('service.calling');
    case 'contents':
      return code === 'service_revenue' ? t('service.content') : t('service.other');
    case 'voicemail':
      return t('service.voicemail');
    case 'purchase':
      return entry.kind === RECHARGE_KIND ? t('service.recharge') : t('service.purchase');
    case 'refund':
      return t('service.balanceRefund');
    case 'expiry':
      return t('service.expiry');
    // Associate categories come only with an associate (above); anything else is ours.
    case 'shopping':
    case 'pc_communication':
    case 'public_inquiry':
    case 'other':
      return t('service.other');
  }
}

function kindLabel(kind: string, t: TextFn): string {
  return KNOWN_KINDS.includes(kind) ? t(`kind.${kind}`) : kind;
}

function signedMoney(amountMinor: bigint, currency: Currency): string {
  return amountMinor > 0n
    ? `+${formatMoney(amountMinor, currency)}`
    : formatMoney(amountMinor, currency);
}

interface DescribedEntry {
  readonly entry: StatementEntry;
  readonly type: ServiceType;
  readonly description: string;
}

const USAGE_SERVICES: readonly string[] = ['call', 'voicemail', 'sms', 'content'];

/** "Call to Korea mobile (010-1234-5678)", "Text message to Japan (+8190…)", "Voicemail". */
function describeUsage(usage: UsageRecord, t: TextFn): string {
  const service = USAGE_SERVICES.includes(usage.service) ? usage.service : 'other';
  const number = displayNumber(usage.e164);
  return number === ''
    ? t(`usage.${service}.plain`, { destination: usage.destinationName })
    : t(`usage.${service}`, { destination: usage.destinationName, number });
}

/**
 * "1:35 (billed 1:36)", "2 messages", "1 item"; "ended by time-out" when the timer ended it;
 * "in progress (1:00 so far)" while it goes on.
 */
function usageAmount(usage: UsageRecord, t: TextFn): string {
  if (usage.state === 'open') {
    return t('usage.inProgress', { duration: formatDuration(usage.usedSeconds) });
  }
  let text: string;
  if (usage.service === 'sms' || usage.service === 'content') {
    const units = usage.billedSeconds;
    text = t(`usage.units.${usage.service}.${units === 1 ? 'one' : 'other'}`, { count: units });
  } else {
    const used = formatDuration(usage.usedSeconds);
    text =
      usage.billedSeconds === usage.usedSeconds
        ? used
        : t('usage.billed', { duration: used, billed: formatDuration(usage.billedSeconds) });
  }
  if (usage.state === 'expired') text = `${text} · ${t('usage.expired')}`;
  return text;
}

/** A statement line ready for the page and the file. */
interface LineView {
  readonly seq: string;
  readonly atMs: bigint;
  readonly description: string;
  /** Duration or units of a call line; '' otherwise. */
  readonly usage: string;
  readonly type: ServiceType;
  readonly kind: string;
  readonly amountMinor: bigint;
  readonly heldMinor: bigint;
  readonly balanceAfterMinor: bigint;
  readonly reference: string;
  /** For the CSV: the call's destination, number, seconds (units) used and billed. */
  readonly destination: string;
  readonly number: string;
  readonly usedSeconds: string;
  readonly billedSeconds: string;
}

function lineViews(
  lines: readonly StatementLine[],
  associates: ReadonlyMap<string, Associate>,
  t: TextFn,
): LineView[] {
  return lines.map((line): LineView => {
    const { entry } = line;
    const base = { seq: entry.seq.toString(), atMs: entry.atMs, reference: entry.reference };
    if (line.type === 'entry') {
      const type = serviceTypeOf(entry, (id) => associates.get(id)?.category);
      return {
        ...base,
        description: describe(entry, type, associates, t),
        usage: '',
        type,
        kind: kindLabel(entry.kind, t),
        amountMinor: entry.amountMinor,
        heldMinor: entry.heldChangeMinor,
        balanceAfterMinor: entry.balanceAfterMinor,
        destination: '',
        number: '',
        usedSeconds: '',
        billedSeconds: '',
      };
    }
    const { usage } = line;
    const details = {
      usage: usageAmount(usage, t),
      type: chargedServiceType(usage.service),
      destination: usage.destinationName,
      number: displayNumber(usage.e164),
      usedSeconds: String(usage.usedSeconds),
      billedSeconds: String(usage.billedSeconds),
    };
    if (line.type === 'refund') {
      return {
        ...base,
        ...details,
        description: t('usage.refundOf', { what: describeUsage(usage, t) }),
        kind: kindLabel(CHARGING_REFUND_CODE, t),
        amountMinor: entry.amountMinor,
        heldMinor: entry.heldChangeMinor,
        balanceAfterMinor: entry.balanceAfterMinor,
      };
    }
    // One line for the whole call: what it took (and, while it goes on, what is held for it).
    const money = usageMoney(usage);
    return {
      ...base,
      ...details,
      description: describeUsage(usage, t),
      kind: usage.state === 'open' ? kindLabel('reservation', t) : kindLabel(usage.service, t),
      amountMinor: money.amountMinor,
      heldMinor: money.heldMinor,
      balanceAfterMinor: money.balanceAfterMinor,
    };
  });
}

function describeAll(
  entries: readonly StatementEntry[],
  associates: ReadonlyMap<string, Associate>,
  t: TextFn,
): DescribedEntry[] {
  return entries.map((entry) => {
    const type = serviceTypeOf(entry, (id) => associates.get(id)?.category);
    return { entry, type, description: describe(entry, type, associates, t) };
  });
}

/** The chart, its legend and its table alternative, ready for the template. */
function chartView(
  chart: SpendingChart,
  currency: Currency,
  t: TextFn,
  truncated: boolean,
): Record<string, unknown> {
  const seriesLabel = (type: ServiceType): string => t(`serviceType.${type}`);
  const first = chart.buckets[0]?.key ?? '';
  const last = chart.buckets.at(-1)?.key ?? '';
  const money = (v: bigint): string => formatMoney(v, currency);
  return {
    empty: chart.spentMinor === 0n,
    truncated,
    granularity: t(`chart.per.${chart.granularity}`),
    svg:
      chart.buckets.length === 0
        ? ''
        : chartSvg(chart, currency, {
            title: t('chart.title'),
            description: t('chart.description', {
              per: t(`chart.per.${chart.granularity}`),
              first,
              last,
              spent: money(chart.spentMinor),
            }),
            seriesLabel,
          }),
    legend: chart.series.map((type) => ({
      type,
      label: seriesLabel(type),
      colour: SERVICE_COLOURS[type],
      total: money(chart.spentBySeries[type] ?? 0n),
    })),
    columns: chart.series.map((type) => ({ type, label: seriesLabel(type) })),
    rows: chart.buckets
      .filter((b) => b.spentMinor !== 0n || b.inMinor !== 0n)
      .map((b) => ({
        key: b.key,
        cells: chart.series.map((type) => money(b.spentBySeries[type] ?? 0n)),
        spent: money(b.spentMinor),
        in: money(b.inMinor),
      })),
    totals: {
      cells: chart.series.map((type) => money(chart.spentBySeries[type] ?? 0n)),
      spent: money(chart.spentMinor),
      in: money(chart.inMinor),
    },
  };
}

function filterErrors(
  site: SiteKit,
  locale: Locale,
  errors: StatementFilters['errors'],
): { fields: Record<string, FieldError>; form: string | null } {
  const t = site.textOf(locale);
  const fields: Record<string, FieldError> = {};
  const wording = (field: 'from' | 'to' | 'kind', code: ErrorCode): string => {
    if (code !== 'parameter_invalid') return site.messageOf(code, locale);
    return field === 'kind' ? t('statement.kindInvalid') : t('statement.dateInvalid');
  };
  for (const field of ['from', 'to', 'kind'] as const) {
    const code = errors[field];
    if (code !== undefined)
      fields[field] = { code, message: wording(field, code), id: `${field}-error` };
  }
  return {
    fields,
    form: errors.cursor !== undefined ? t('statement.cursorInvalid') : null,
  };
}

/**
 * The usage statement (FIG. 3 "statement"): every entry of the card with filters by period and
 * kind, keyset pages of older entries, a chart of spending by service type, and the same
 * entries as a CSV file.
 */
export function registerStatementRoutes(app: FastifyInstance, site: SiteKit): void {
  const hidden = { schema: { hide: true } } as const;

  async function showStatement(
    request: FastifyRequest,
    reply: FastifyReply,
    card: Card,
    filters: StatementFilters,
  ): Promise<FastifyReply> {
    const locale = site.localeOf(request);
    const t = site.textOf(locale);
    const kindOptions = [
      { value: '', label: t('statement.kindAll') },
      ...Object.keys(KIND_FILTERS).map((k) => ({ value: k, label: t(`kindFilter.${k}`) })),
    ].map((o) => ({ ...o, selected: o.value === filters.values.kind }));
    const base = {
      titleKey: 'statement.title',
      last4: card.pinLast4,
      values: filters.values,
      kindOptions,
      timeZone: SITE_TIME_ZONE_LABEL,
      csvHref: `/card/statement.csv${filtersQuery(filters.values)}`,
    };
    const invalid = filterErrors(site, locale, filters.errors);
    if (Object.keys(invalid.fields).length > 0 || invalid.form !== null) {
      return site.render(
        request,
        reply,
        'site/statement.eta',
        { ...base, errors: invalid.fields, formError: invalid.form, rows: [], chart: null },
        { status: 400 },
      );
    }
    const page = await statementPage(site, card, filters);
    const refused = async (code: ErrorCode): Promise<FastifyReply> =>
      site.render(
        request,
        reply,
        'site/statement.eta',
        {
          ...base,
          errors: code === 'period_invalid' ? site.fieldErrors(locale, { from: code }) : {},
          formError: code === 'period_invalid' ? null : site.messageOf(code, locale),
          rows: [],
          chart: null,
        },
        { status: statusOf(code) },
      );
    if (!page.ok) return refused(page.error.code);
    const scan = await scanStatement(site, card, filters);
    if (!scan.ok) return refused(scan.error.code);
    const statement = page.value;
    const associates = await associatesOf(site, [
      ...statement.lines.map((l) => l.entry),
      ...scan.value.entries,
    ]);
    const currency = statement.currency;
    const rows = lineViews(statement.lines, associates, t).map((v) => ({
      seq: v.seq,
      time: siteDateTime(v.atMs),
      description: v.description,
      usage: v.usage,
      serviceType: t(`serviceType.${v.type}`),
      kind: v.kind,
      amount: signedMoney(v.amountMinor, currency),
      direction: v.amountMinor > 0n ? 'in' : 'out',
      held: v.heldMinor === 0n ? null : signedMoney(v.heldMinor, currency),
      balanceAfter: formatMoney(v.balanceAfterMinor, currency),
    }));
    const chart = spendingChart(
      describeAll(scan.value.entries, associates, t).map((d) => ({
        atMs: d.entry.atMs,
        serviceType: d.type,
        outflowMinor: postedOutflowMinor(d.entry),
      })),
      { fromMs: filters.fromMs, toMs: filters.toMs },
    );
    return site.render(request, reply, 'site/statement.eta', {
      ...base,
      errors: {},
      formError: null,
      balance: formatMoney(statement.balanceMinor, currency),
      held: formatMoney(statement.heldMinor, currency),
      rows,
      olderHref:
        statement.nextCursor === null
          ? null
          : `/card/statement${filtersQuery(filters.values, statement.nextCursor)}`,
      newestHref: filters.cursor === null ? null : `/card/statement${filtersQuery(filters.values)}`,
      chart: chartView(chart, currency, t, scan.value.truncated),
    });
  }

  app.get('/card/statement', hidden, async (request, reply) => {
    const card = await sessionCard(site, request);
    if (card === null) return reply.redirect('/card', 303);
    const filters = parseStatementFilters(request.query as Record<string, unknown>);
    return showStatement(request, reply, card, filters);
  });

  app.get('/card/statement.csv', hidden, async (request, reply) => {
    const card = await sessionCard(site, request);
    if (card === null) return reply.redirect('/card', 303);
    const parsed = parseStatementFilters(request.query as Record<string, unknown>);
    // Bad filters get the statement page with the fields marked, not a file.
    const { from, to, kind } = parsed.errors;
    if (from !== undefined || to !== undefined || kind !== undefined)
      return showStatement(request, reply, card, parsed);
    // The file always starts at the newest entry of the period: a cursor does not apply.
    const scan = await scanStatement(site, card, { ...parsed, cursor: null });
    if (!scan.ok) return showStatement(request, reply, card, parsed);
    const t = site.textOf(site.localeOf(request));
    const associates = await associatesOf(site, scan.value.entries);
    const lines = await linesOf(site, card, scan.value.entries);
    const currency = card.currency;
    let body = CSV_BOM;
    body += csvLine([
      t('csv.time', { zone: SITE_TIME_ZONE_LABEL }),
      t('csv.description'),
      t('csv.serviceType'),
      t('csv.kind'),
      t('csv.amount'),
      t('csv.held'),
      t('csv.balanceAfter'),
      t('csv.currency'),
      t('csv.reference'),
      t('csv.destination'),
      t('csv.number'),
      t('csv.usedSeconds'),
      t('csv.billedSeconds'),
    ]);
    for (const v of lineViews(lines, associates, t)) {
      body += csvLine([
        siteDateTime(v.atMs),
        v.description,
        t(`serviceType.${v.type}`),
        v.kind,
        csvAmount(v.amountMinor, currency),
        csvAmount(v.heldMinor, currency),
        csvAmount(v.balanceAfterMinor, currency),
        currency,
        v.reference,
        v.destination,
        v.number,
        v.usedSeconds,
        v.billedSeconds,
      ]);
    }
    request.log.info(
      { card: card.id, rows: lines.length, truncated: scan.value.truncated },
      'holder statement download',
    );
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="onepin-statement-${card.pinLast4}.csv"`)
      .send(body);
  });
}
