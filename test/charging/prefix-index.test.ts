import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { buildPrefixIndex, matchDestination, prefixMatches } from '../../src/charging/index.ts';

describe('prefix index: longest match first', () => {
  const index = buildPrefixIndex([
    ['', 'ANY'],
    ['82', 'KR'],
    ['822', 'KR_SEOUL'],
    ['8210', 'KR_MOBILE'],
    ['821012', 'KR_MOBILE_SPECIAL'],
    ['1', 'US_CA'],
    ['1212', 'US_NYC'],
  ]);
  const cases: [e164: string, prefix: string, destination: string][] = [
    ['821012345678', '821012', 'KR_MOBILE_SPECIAL'],
    ['821099998888', '8210', 'KR_MOBILE'],
    ['8221234567', '822', 'KR_SEOUL'],
    ['82311234567', '82', 'KR'],
    ['12125550100', '1212', 'US_NYC'],
    ['13105550100', '1', 'US_CA'],
    ['442079460000', '', 'ANY'],
    ['82', '82', 'KR'], // the whole number may be the prefix
  ];
  for (const [e164, prefix, destination] of cases) {
    test(`${e164} → ${destination} (${prefix === '' ? '*any' : prefix})`, () => {
      assert.deepEqual(matchDestination(index, e164), { prefix, destinationId: destination });
    });
  }

  test('all matches, longest first, for fallback', () => {
    assert.deepEqual(
      [...prefixMatches(index, '821012345678')].map((m) => m.destinationId),
      ['KR_MOBILE_SPECIAL', 'KR_MOBILE', 'KR', 'ANY'],
    );
  });

  test('no match without a catch-all', () => {
    const noAny = buildPrefixIndex([['82', 'KR']]);
    assert.equal(matchDestination(noAny, '12125550100'), null);
  });

  test('a prefix belongs to one destination only', () => {
    assert.throws(
      () =>
        buildPrefixIndex([
          ['82', 'A'],
          ['82', 'B'],
        ]),
      /one destination/,
    );
  });

  test('agrees with a scan of every prefix (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[1-9][0-9]{0,5}$/), { minLength: 1, maxLength: 60 }),
        fc.stringMatching(/^[1-9][0-9]{4,14}$/),
        (prefixes, e164) => {
          const idx = buildPrefixIndex(prefixes.map((p, i) => [p, `D${i}`] as const));
          let best: string | null = null;
          for (const p of prefixes) {
            if (e164.startsWith(p) && (best === null || p.length > best.length)) best = p;
          }
          const got = matchDestination(idx, e164);
          assert.equal(got?.prefix ?? null, best);
          if (best !== null) assert.equal(got?.destinationId, `D${prefixes.indexOf(best)}`);
        },
      ),
    );
  });

  test('100,000 prefixes: built and matched quickly, deterministically', () => {
    // A deterministic pseudo-random generator, so the test is the same on every run.
    let seed = 12345;
    const next = (): number => {
      // 32-bit LCG in exact integer arithmetic (Math.imul), high bits only.
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed >>> 8;
    };
    const prefixes = new Map<string, string>();
    for (let attempt = 0; prefixes.size < 100_000; attempt += 1) {
      assert.ok(attempt < 1_000_000, 'the generator keeps producing new prefixes');
      const length = 3 + (next() % 8);
      let p = String(1 + (next() % 9));
      while (p.length < length) p += String(next() % 10);
      prefixes.set(p, `D${prefixes.size % 5_000}`);
    }
    const started = performance.now();
    const big = buildPrefixIndex(prefixes);
    const numbers: string[] = [];
    for (let i = 0; i < 100_000; i += 1) {
      let n = String(1 + (next() % 9));
      while (n.length < 12) n += String(next() % 10);
      numbers.push(n);
    }
    let matched = 0;
    for (const n of numbers) if (matchDestination(big, n) !== null) matched += 1;
    const elapsedMs = performance.now() - started;
    assert.equal(big.size, 100_000);
    assert.ok(matched > 0);
    // Generous bound for slow CI machines; locally this takes well under a second.
    assert.ok(elapsedMs < 5_000, `took ${elapsedMs.toFixed(0)} ms`);
    // Spot check against a scan.
    for (const n of numbers.slice(0, 200)) {
      let best: string | null = null;
      for (let len = Math.min(n.length, 10); len >= 3 && best === null; len -= 1) {
        if (prefixes.has(n.slice(0, len))) best = n.slice(0, len);
      }
      assert.equal(matchDestination(big, n)?.prefix ?? null, best);
    }
  });
});
