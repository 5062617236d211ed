import { MS_PER_DAY, formatMoney, type Currency } from '../../kernel/index.ts';
import { SERVICE_COLOURS, SERVICE_TYPES, type ServiceType } from './statement-services.ts';
import { siteDate, siteMonth, startOfSiteDay } from './site-time.ts';

/**
 * The statement's chart of spending by service type over time: stacked bars per day, month or
 * year, drawn on the server as SVG (the site runs no script). Pure: entries and the period come
 * in, a model and markup go out. Colours are SVG attributes, because the CSP forbids inline
 * styles.
 */

/** Days shown one bar each; a longer period is shown per month, then per year. */
export const CHART_DAYS_MAX = 62;
export const CHART_MONTHS_MAX = 36;
/** Statements cover years 2000–2099, so a yearly chart has at most 100 bars. */
export const CHART_BUCKETS_MAX = 100;
/** X-axis labels drawn at most; the others are in the bars' titles and the table. */
const X_LABELS_MAX = 12;
const Y_TICKS = 4n;
/** Bar heights are computed in thousandths of the plot (integer maths on money). */
const SCALE = 1_000n;

export type Granularity = 'day' | 'month' | 'year';

export interface ChartEntry {
  readonly atMs: bigint;
  readonly serviceType: ServiceType;
  /** Posted value out of the card (negative: value in). */
  readonly outflowMinor: bigint;
}

export interface ChartBucket {
  /** "2026-03-01", "2026-03" or "2026". */
  readonly key: string;
  readonly spentBySeries: Readonly<Partial<Record<ServiceType, bigint>>>;
  readonly spentMinor: bigint;
  /** Value that came in (purchases, recharges, refunds), shown in the table only. */
  readonly inMinor: bigint;
}

export interface SpendingChart {
  readonly granularity: Granularity;
  readonly buckets: readonly ChartBucket[];
  /** Service types with spending in the period, in the fixed series order. */
  readonly series: readonly ServiceType[];
  readonly spentBySeries: Readonly<Partial<Record<ServiceType, bigint>>>;
  readonly spentMinor: bigint;
  readonly inMinor: bigint;
  readonly maxBucketMinor: bigint;
}

function bucketKey(ms: bigint, granularity: Granularity): string {
  if (granularity === 'day') return siteDate(ms);
  if (granularity === 'month') return siteMonth(ms);
  return siteMonth(ms).slice(0, 4);
}

function nextMonth(key: string): string {
  const year = Number(key.slice(0, 4));
  const month = Number(key.slice(5, 7));
  return month === 12
    ? `${year + 1}-01`
    : `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}`;
}

function monthsBetween(firstKey: string, lastKey: string): number {
  const months = (k: string) => Number(k.slice(0, 4)) * 12 + Number(k.slice(5, 7));
  return months(lastKey) - months(firstKey) + 1;
}

/** Every bucket key from the first to the last ms of the period, empty ones included. */
function bucketKeys(startMs: bigint, lastMs: bigint, granularity: Granularity): string[] {
  const keys: string[] = [];
  const last = bucketKey(lastMs, granularity);
  if (granularity === 'day') {
    let dayMs = startOfSiteDay(siteDate(startMs)) ?? startMs;
    while (keys.length < CHART_BUCKETS_MAX) {
      const key = siteDate(dayMs);
      keys.push(key);
      if (key >= last) break;
      dayMs += MS_PER_DAY;
    }
  } else if (granularity === 'month') {
    let key = siteMonth(startMs);
    while (keys.length < CHART_BUCKETS_MAX) {
      keys.push(key);
      if (key >= last) break;
      key = nextMonth(key);
    }
  } else {
    let year = Number(bucketKey(startMs, 'year'));
    while (keys.length < CHART_BUCKETS_MAX) {
      const key = String(year);
      keys.push(key);
      if (key >= last) break;
      year += 1;
    }
  }
  return keys;
}

function granularityOf(startMs: bigint, lastMs: bigint): Granularity {
  const days = (lastMs - startMs) / MS_PER_DAY + 1n;
  if (days <= BigInt(CHART_DAYS_MAX)) return 'day';
  return monthsBetween(siteMonth(startMs), siteMonth(lastMs)) <= CHART_MONTHS_MAX
    ? 'month'
    : 'year';
}

/**
 * The chart's model. The period runs from `fromMs` (or the oldest entry) to just before `toMs`
 * (or the newest entry).
 */
export function spendingChart(
  entries: readonly ChartEntry[],
  period: { readonly fromMs: bigint | null; readonly toMs: bigint | null },
): SpendingChart {
  let oldest: bigint | null = null;
  let newest: bigint | null = null;
  for (const e of entries) {
    if (oldest === null || e.atMs < oldest) oldest = e.atMs;
    if (newest === null || e.atMs > newest) newest = e.atMs;
  }
  const startMs = period.fromMs ?? oldest;
  const lastMs = period.toMs !== null ? period.toMs - 1n : newest;
  const empty: SpendingChart = {
    granularity: 'day',
    buckets: [],
    series: [],
    spentBySeries: {},
    spentMinor: 0n,
    inMinor: 0n,
    maxBucketMinor: 0n,
  };
  if (startMs === null || lastMs === null || lastMs < startMs) return empty;

  const granularity = granularityOf(startMs, lastMs);
  const keys = bucketKeys(startMs, lastMs, granularity);
  const spent = new Map<string, Map<ServiceType, bigint>>(keys.map((k) => [k, new Map()]));
  const incoming = new Map<string, bigint>(keys.map((k) => [k, 0n]));
  const bySeries = new Map<ServiceType, bigint>();
  let spentMinor = 0n;
  let inMinor = 0n;
  for (const e of entries) {
    const key = bucketKey(e.atMs, granularity);
    const bucket = spent.get(key);
    if (bucket === undefined) continue;
    if (e.outflowMinor > 0n) {
      bucket.set(e.serviceType, (bucket.get(e.serviceType) ?? 0n) + e.outflowMinor);
      bySeries.set(e.serviceType, (bySeries.get(e.serviceType) ?? 0n) + e.outflowMinor);
      spentMinor += e.outflowMinor;
    } else if (e.outflowMinor < 0n) {
      incoming.set(key, (incoming.get(key) ?? 0n) - e.outflowMinor);
      inMinor -= e.outflowMinor;
    }
  }
  let maxBucketMinor = 0n;
  const buckets = keys.map((key): ChartBucket => {
    const series = spent.get(key) ?? new Map<ServiceType, bigint>();
    let total = 0n;
    for (const v of series.values()) total += v;
    if (total > maxBucketMinor) maxBucketMinor = total;
    return {
      key,
      spentBySeries: Object.fromEntries(series),
      spentMinor: total,
      inMinor: incoming.get(key) ?? 0n,
    };
  });
  return {
    granularity,
    buckets,
    series: SERVICE_TYPES.filter((s) => bySeries.has(s)),
    spentBySeries: Object.fromEntries(bySeries),
    spentMinor,
    inMinor,
    maxBucketMinor,
  };
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The words the SVG carries, in the page's language. */
export interface ChartLabels {
  readonly title: string;
  readonly description: string;
  readonly seriesLabel: (type: ServiceType) => string;
}

const WIDTH = 720;
const HEIGHT = 320;
const LEFT = 96;
const RIGHT = 12;
const TOP = 16;
const BOTTOM = 40;

function axisLabel(key: string, granularity: Granularity): string {
  return granularity === 'day' ? key.slice(5) : key;
}

function px(value: number): string {
  return value.toFixed(1);
}

/** The chart as an `<svg>` element: a title and description, stacked bars, axes. */
export function chartSvg(chart: SpendingChart, currency: Currency, labels: ChartLabels): string {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const n = chart.buckets.length;
  const slot = n === 0 ? plotWidth : plotWidth / n;
  const barWidth = Math.max(2, slot * 0.7);
  const max = chart.maxBucketMinor;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" focusable="false">`,
    `<title id="chart-title">${escapeXml(labels.title)}</title>`,
    `<desc id="chart-desc">${escapeXml(labels.description)}</desc>`,
  ];
  // Grid lines and amounts on the y axis.
  for (let i = 0n; i <= Y_TICKS; i += 1n) {
    const y = TOP + plotHeight - (plotHeight * Number(i)) / Number(Y_TICKS);
    const tickMinor = max === 0n ? 0n : (max * i) / Y_TICKS;
    parts.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${px(y)}" y2="${px(y)}" stroke="#d5dae0" stroke-width="1"/>`,
      `<text x="${LEFT - 6}" y="${px(y + 4)}" text-anchor="end">${escapeXml(formatMoney(tickMinor, currency))}</text>`,
    );
  }
  const labelEvery = Math.max(1, Math.ceil(n / X_LABELS_MAX));
  chart.buckets.forEach((bucket, index) => {
    const x = LEFT + slot * index + (slot - barWidth) / 2;
    let stackedScaled = 0n;
    for (const type of chart.series) {
      const valueMinor = bucket.spentBySeries[type] ?? 0n;
      if (valueMinor === 0n || max === 0n) continue;
      const scaled = (valueMinor * SCALE) / max;
      const bottom = TOP + plotHeight - (plotHeight * Number(stackedScaled)) / Number(SCALE);
      const height = Math.max(1, (plotHeight * Number(scaled)) / Number(SCALE));
      stackedScaled += scaled;
      const tip = `${bucket.key} · ${labels.seriesLabel(type)}: ${formatMoney(valueMinor, currency)}`;
      parts.push(
        `<rect x="${px(x)}" y="${px(bottom - height)}" width="${px(barWidth)}" height="${px(height)}" fill="${SERVICE_COLOURS[type]}" data-series="${type}" data-bucket="${escapeXml(bucket.key)}"><title>${escapeXml(tip)}</title></rect>`,
      );
    }
    if (index % labelEvery === 0) {
      parts.push(
        `<text x="${px(LEFT + slot * index + slot / 2)}" y="${HEIGHT - BOTTOM + 16}" text-anchor="middle">${escapeXml(axisLabel(bucket.key, chart.granularity))}</text>`,
      );
    }
  });
  parts.push(
    `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${TOP + plotHeight}" y2="${TOP + plotHeight}" stroke="#1b1f24" stroke-width="1"/>`,
    '</svg>',
  );
  return parts.join('');
}
