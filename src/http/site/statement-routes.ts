import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cardStatement, type Card, type StatementEntry } from '../../cards/index.ts';
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
  postedOutflowMinor,
  serviceTypeOf,
  type ServiceType,
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
];

const RECHARGE_KIND = 'recharge';

interface Scan {
  readonly entries: readonly StatementEntry[];
  readonly truncated: boolean;
}

function kindsOf(filters: StatementFilters): readonly string[] | undefined {
  return filters.kind === null ? undefined : KIND_FILTERS[filters.kind];
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
    const kinds = kindsOf(filters);
    const page = await cardStatement(site.cards, site.payments.db.kysely, card.id, {
      limit: STATEMENT_PAGE_SIZE,
      ...(filters.fromMs !== null ? { fromMs: filters.fromMs } : {}),
      ...(filters.toMs !== null ? { toMs: filters.toMs } : {}),
      ...(kinds !== undefined ? { kinds } : {}),
      ...(filters.cursor !== null ? { cursor: filters.cursor } : {}),
    });
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
    const associates = await associatesOf(site, [...statement.entries, ...scan.value.entries]);
    const currency = statement.currency;
    const rows = describeAll(statement.entries, associates, t).map((d) => ({
      seq: d.entry.seq.toString(),
      time: siteDateTime(d.entry.atMs),
      description: d.description,
      serviceType: t(`serviceType.${d.type}`),
      kind: kindLabel(d.entry.kind, t),
      amount: signedMoney(d.entry.amountMinor, currency),
      direction: d.entry.amountMinor > 0n ? 'in' : 'out',
      held: d.entry.heldChangeMinor === 0n ? null : signedMoney(d.entry.heldChangeMinor, currency),
      balanceAfter: formatMoney(d.entry.balanceAfterMinor, currency),
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
    ]);
    for (const d of describeAll(scan.value.entries, associates, t)) {
      body += csvLine([
        siteDateTime(d.entry.atMs),
        d.description,
        t(`serviceType.${d.type}`),
        kindLabel(d.entry.kind, t),
        csvAmount(d.entry.amountMinor, currency),
        csvAmount(d.entry.heldChangeMinor, currency),
        csvAmount(d.entry.balanceAfterMinor, currency),
        currency,
        d.entry.reference,
      ]);
    }
    request.log.info(
      { card: card.id, rows: scan.value.entries.length, truncated: scan.value.truncated },
      'holder statement download',
    );
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="onepin-statement-${card.pinLast4}.csv"`)
      .send(body);
  });
}
