import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  commissionFor,
  parseCommission,
  parseRange,
  parseRanges,
  remittanceStatus,
  ruleFor,
} from '../../src/agents/index.ts';

describe('agent rules', () => {
  it('parses serial ranges', () => {
    const cases: [string, string | null][] = [
      ['1-100', '000000000001-000000000100'],
      ['42', '000000000042-000000000042'],
      ['000000000005-000000000005', '000000000005-000000000005'],
      ['10-9', null],
      ['a-9', null],
      ['1-2-3', null],
      ['1-100001', null],
      ['1-100000', '000000000001-000000100000'],
    ];
    for (const [text, want] of cases) {
      const r = parseRange(text);
      assert.equal(r.ok ? `${r.value.first}-${r.value.last}` : null, want, text);
    }
  });
  it('refuses overlapping ranges in one request', () => {
    const r = parseRanges(['1-10', '10-20']);
    assert.equal(r.ok ? 'ok' : r.code, 'serial_range_overlap');
    const s = parseRanges(['11-20', '1-10']);
    assert.ok(s.ok);
    assert.deepEqual(
      s.value.map((x) => x.first),
      ['000000000001', '000000000011'],
    );
    const e = parseRanges([]);
    assert.equal(e.ok ? 'ok' : e.code, 'serial_range_invalid');
  });
  it('computes commission per denomination', () => {
    const cases: [string, bigint, bigint][] = [
      ['500', 10_000n, 500n],
      ['500bps', 10_000n, 500n],
      ['333', 10_001n, 333n], // 333.03 rounds down
      ['10000', 5_000n, 5_000n],
      ['fixed:300', 10_000n, 300n],
      ['fixed:300', 200n, 200n],
      ['0', 10_000n, 0n],
    ];
    for (const [text, face, want] of cases) {
      const rule = parseCommission(text);
      assert.ok(rule.ok, text);
      assert.equal(commissionFor(rule.value, face), want, text);
    }
    for (const bad of ['10001', 'fixed:', '5%', '-1'])
      assert.equal(parseCommission(bad).ok, false, bad);
    const rules = { '*': { kind: 'bps', bps: 100 }, den_a: { kind: 'bps', bps: 700 } } as const;
    assert.deepEqual(ruleFor(rules, 'den_a'), { kind: 'bps', bps: 700 });
    assert.deepEqual(ruleFor(rules, 'den_b'), { kind: 'bps', bps: 100 });
    assert.deepEqual(ruleFor({}, 'den_b'), { kind: 'bps', bps: 0 });
  });
  it('settles the oldest sales first when computing overdue', () => {
    const lines = [
      { netMinor: 900n, dueAtMs: 100n },
      { netMinor: 900n, dueAtMs: 200n },
      { netMinor: 900n, dueAtMs: 300n },
    ];
    assert.deepEqual(remittanceStatus(lines, 0n, 250n), {
      owedMinor: 2700n,
      overdueMinor: 1800n,
      oldestOverdueDueAtMs: 100n,
    });
    assert.deepEqual(remittanceStatus(lines, 1000n, 250n), {
      owedMinor: 1700n,
      overdueMinor: 800n,
      oldestOverdueDueAtMs: 200n,
    });
    assert.deepEqual(remittanceStatus(lines, 1800n, 250n), {
      owedMinor: 900n,
      overdueMinor: 0n,
      oldestOverdueDueAtMs: null,
    });
  });
});
