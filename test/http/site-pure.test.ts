// The holder site's pure parts: language negotiation, dictionaries, dates, filters, the chart
// model, CSV cells and the service types of statement entries.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { directorySections } from '../../src/http/site/directory.ts';
import {
  MissingTextError,
  localeFromAcceptLanguage,
  mergeDictionaries,
  textFunction,
} from '../../src/http/site/i18n.ts';
import { siteDateTime, startOfNextSiteDay, startOfSiteDay } from '../../src/http/site/site-time.ts';
import { chartSvg, spendingChart } from '../../src/http/site/statement-chart.ts';
import { csvAmount, csvCell, csvLine } from '../../src/http/site/statement-csv.ts';
import { filtersQuery, parseStatementFilters } from '../../src/http/site/statement-query.ts';
import { postedOutflowMinor, serviceTypeOf } from '../../src/http/site/statement-services.ts';
import { SITE_TEXT } from '../../src/http/site/text/index.ts';

const DAY_MS = 86_400_000n;
/** 2026-03-01 00:00 KST. */
const MARCH_1_KST_MS = 1_772_290_800_000n;

describe('language', () => {
  test('Accept-Language: the supported language with the highest q, English by default', () => {
    const cases: [string | undefined, 'ko' | 'en'][] = [
      [undefined, 'en'],
      ['', 'en'],
      ['ko', 'ko'],
      ['ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7', 'ko'],
      ['en-GB,en;q=0.9,ko;q=0.8', 'en'],
      ['ja, ko;q=0.3', 'ko'],
      ['ja, zh', 'en'],
      ['en;q=0.2, KO;q=0.5', 'ko'],
      ['ko;q=0, en;q=0.1', 'en'],
      ['ko;q=banana', 'ko'],
      [`${'x,'.repeat(100)}ko`, 'en'],
    ];
    for (const [header, expected] of cases) {
      assert.equal(localeFromAcceptLanguage(header), expected, String(header));
    }
  });

  test('text: placeholders are filled; a missing key or value throws unless lenient', () => {
    const dictionary = { hello: { en: 'Hello {name}', ko: '{name}님 안녕하세요' } };
    const strict = textFunction(dictionary, 'ko', { strict: true });
    assert.equal(strict('hello', { name: '민수' }), '민수님 안녕하세요');
    assert.throws(() => strict('nope'), MissingTextError);
    assert.throws(() => strict('hello'), MissingTextError);
    assert.throws(() => strict('toString'), MissingTextError, 'no inherited keys');
    const lenient = textFunction(dictionary, 'en', { strict: false });
    assert.equal(lenient('nope'), 'nope');
    assert.equal(lenient('hello'), 'Hello {name}');
  });

  test('dictionaries: a key defined twice is refused', () => {
    assert.throws(
      () => mergeDictionaries({ a: { en: 'a', ko: '가' } }, { a: { en: 'b', ko: '나' } }),
      /defined twice/,
    );
  });

  test('every word of the site exists in both languages with the same placeholders', () => {
    const placeholders = (text: string) =>
      [...text.matchAll(/\{([a-zA-Z0-9_]+)\}/g)].map((m) => m[1]).sort();
    for (const [key, words] of Object.entries(SITE_TEXT)) {
      assert.ok(words.en.trim() !== '', `${key}: English`);
      assert.ok(words.ko.trim() !== '', `${key}: Korean`);
      assert.deepEqual(placeholders(words.ko), placeholders(words.en), `${key}: placeholders`);
    }
  });
});

describe('dates in Korean time', () => {
  test('calendar days are read strictly and start at midnight KST', () => {
    assert.equal(startOfSiteDay('2026-03-01'), MARCH_1_KST_MS);
    assert.equal(startOfNextSiteDay('2026-03-01'), MARCH_1_KST_MS + DAY_MS);
    assert.equal(siteDateTime(MARCH_1_KST_MS), '2026-03-01 00:00');
    assert.equal(siteDateTime(MARCH_1_KST_MS - 1n), '2026-02-28 23:59');
    for (const bad of [
      '2026-02-29',
      '2026-13-01',
      '2026-00-10',
      '26-03-01',
      '2026-3-1',
      '1999-12-31',
      '2100-01-01',
      ' 2026-03-01',
      '',
    ]) {
      assert.equal(startOfSiteDay(bad), null, bad);
    }
    assert.notEqual(startOfSiteDay('2028-02-29'), null, 'a leap day');
  });

  test('statement filters: inclusive days, known kinds, numeric cursors', () => {
    const ok = parseStatementFilters({
      from: '2026-03-01',
      to: '2026-03-01',
      kind: 'payment',
      cursor: '42',
    });
    assert.deepEqual(ok.errors, {});
    assert.equal(ok.fromMs, MARCH_1_KST_MS);
    assert.equal(ok.toMs, MARCH_1_KST_MS + DAY_MS);
    assert.equal(ok.kind, 'payment');
    assert.equal(ok.cursor, '42');
    const none = parseStatementFilters({});
    assert.deepEqual(none.errors, {});
    assert.equal(none.fromMs, null);
    assert.equal(none.kind, null);
    const bad = parseStatementFilters({
      from: '2026-03-05',
      to: '2026-03-01',
      kind: 'capture',
      cursor: '-1',
    });
    assert.deepEqual(bad.errors, {
      from: 'period_invalid',
      kind: 'parameter_invalid',
      cursor: 'parameter_invalid',
    });
    assert.deepEqual(parseStatementFilters({ from: ['2026-03-01', 'x'] }).values.from, '');
    assert.equal(
      filtersQuery({ from: '2026-03-01', to: '', kind: 'sale' }, '7'),
      '?from=2026-03-01&kind=sale&cursor=7',
    );
    assert.equal(filtersQuery({ from: '', to: '', kind: '' }), '');
  });
});

describe('statement chart', () => {
  const at = (day: number, hour = 12) =>
    MARCH_1_KST_MS + BigInt(day) * DAY_MS + BigInt(hour) * 3_600_000n;

  test('stacks spending per day by service type and keeps money in apart', () => {
    const chart = spendingChart(
      [
        { atMs: at(0), serviceType: 'purchase', outflowMinor: -10_000n },
        { atMs: at(1), serviceType: 'shopping', outflowMinor: 3_000n },
        { atMs: at(1, 23), serviceType: 'contents', outflowMinor: 1_000n },
        { atMs: at(3), serviceType: 'shopping', outflowMinor: 500n },
        { atMs: at(3), serviceType: 'other', outflowMinor: 0n },
      ],
      { fromMs: null, toMs: null },
    );
    assert.equal(chart.granularity, 'day');
    assert.deepEqual(
      chart.buckets.map((b) => b.key),
      ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'],
    );
    assert.deepEqual(chart.series, ['shopping', 'contents']);
    assert.equal(chart.spentMinor, 4_500n);
    assert.equal(chart.inMinor, 10_000n);
    assert.equal(chart.maxBucketMinor, 4_000n);
    assert.deepEqual(chart.buckets[1]?.spentBySeries, { shopping: 3_000n, contents: 1_000n });
    assert.equal(chart.buckets[2]?.spentMinor, 0n);
    const svg = chartSvg(chart, 'KRW', {
      title: 'Spending <by> type',
      description: 'd',
      seriesLabel: (s) => s,
    });
    assert.match(svg, /^<svg [^>]*role="img"/);
    assert.match(svg, /<title id="chart-title">Spending &lt;by&gt; type<\/title>/);
    assert.equal((svg.match(/<rect /g) ?? []).length, 3);
    assert.ok(!svg.includes('style='), 'no inline styles (the CSP forbids them)');
  });

  test('long periods are drawn per month, then per year', () => {
    const monthly = spendingChart([{ atMs: at(40), serviceType: 'calling', outflowMinor: 100n }], {
      fromMs: startOfSiteDay('2026-01-15'),
      toMs: startOfNextSiteDay('2026-06-02'),
    });
    assert.equal(monthly.granularity, 'month');
    assert.deepEqual(
      monthly.buckets.map((b) => b.key),
      ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'],
    );
    assert.equal(monthly.buckets[3]?.spentMinor, 100n, 'April 10');
    const yearly = spendingChart([], {
      fromMs: startOfSiteDay('2020-12-31'),
      toMs: startOfNextSiteDay('2026-01-01'),
    });
    assert.equal(yearly.granularity, 'year');
    assert.deepEqual(
      yearly.buckets.map((b) => b.key),
      ['2020', '2021', '2022', '2023', '2024', '2025', '2026'],
    );
    const century = spendingChart([], {
      fromMs: startOfSiteDay('2000-01-01'),
      toMs: startOfNextSiteDay('2099-12-31'),
    });
    assert.equal(century.buckets.length, 100);
    assert.equal(spendingChart([], { fromMs: null, toMs: null }).buckets.length, 0);
  });

  test('service types come from the counterparty; holds move no posted value', () => {
    const categoryOf = (id: string) => (id === 'asc_1' ? ('contents' as const) : undefined);
    const of = (code: string, kind: string, ownerRef: string | null = null) =>
      serviceTypeOf({ kind, counterparty: { code, ownerRef } }, categoryOf);
    assert.equal(of('merchant_payable', 'capture', 'asc_1'), 'contents');
    assert.equal(of('merchant_payable', 'capture', 'asc_gone'), 'other');
    assert.equal(of('merchant_payable', 'refund', 'asc_1'), 'refund');
    assert.equal(of('service_revenue', 'call'), 'calling');
    assert.equal(of('service_revenue', 'voicemail'), 'voicemail');
    assert.equal(of('funding_clearing', 'sale'), 'purchase');
    assert.equal(of('agent_receivable', 'sale'), 'purchase');
    assert.equal(of('refund_payable', 'balance_refund'), 'refund');
    assert.equal(of('breakage', 'breakage'), 'expiry');
    assert.equal(of('adjustment', 'x'), 'other');
    assert.equal(postedOutflowMinor({ amountMinor: -1_000n, heldChangeMinor: 1_000n }), 0n, 'hold');
    assert.equal(
      postedOutflowMinor({ amountMinor: 0n, heldChangeMinor: -1_000n }),
      1_000n,
      'capture',
    );
    assert.equal(
      postedOutflowMinor({ amountMinor: 400n, heldChangeMinor: -1_000n }),
      600n,
      'partial',
    );
    assert.equal(postedOutflowMinor({ amountMinor: 1_000n, heldChangeMinor: -1_000n }), 0n, 'void');
    assert.equal(postedOutflowMinor({ amountMinor: 5_000n, heldChangeMinor: 0n }), -5_000n, 'in');
  });
});

describe('statement CSV', () => {
  test('RFC 4180 quoting and formula-safe cells', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\r\nlines'), '"two\r\nlines"');
    assert.equal(csvCell('=1+2'), "'=1+2");
    assert.equal(csvCell('+82 10'), "'+82 10");
    assert.equal(csvCell('-cmd'), "'-cmd");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\tx'), "'\tx");
    assert.equal(csvCell('=HYPERLINK("x","y")'), `"'=HYPERLINK(""x"",""y"")"`);
    assert.equal(csvCell('-5000'), '-5000', 'our own numbers stay numbers');
    assert.equal(csvCell('-12.50'), '-12.50');
    assert.equal(csvCell('-1e5'), "'-1e5");
    assert.equal(csvLine(['a', 'b,c']), 'a,"b,c"\r\n');
  });

  test('amounts are plain decimals in the currency’s unit', () => {
    assert.equal(csvAmount(-5_000n, 'KRW'), '-5000');
    assert.equal(csvAmount(0n, 'KRW'), '0');
    assert.equal(csvAmount(1_250n, 'USD'), '12.50');
    assert.equal(csvAmount(-5n, 'USD'), '-0.05');
  });
});

test('the directory places every payments category in one of the four sections', () => {
  const sections = directorySections([
    { name: 'Voice', category: 'voicemail' },
    { name: 'Call', category: 'calling' },
    { name: 'PC', category: 'pc_communication' },
    { name: 'Art', category: 'contents' },
    { name: 'Shop', category: 'shopping' },
    { name: 'Gov', category: 'public_inquiry' },
  ]);
  assert.deepEqual(
    sections.map((s) => [s.id, s.entries.map((e) => e.name)]),
    [
      ['contents', ['Art', 'PC']],
      ['shopping', ['Shop']],
      ['calling', ['Call', 'Voice']],
      ['public_inquiry', ['Gov']],
    ],
  );
});
