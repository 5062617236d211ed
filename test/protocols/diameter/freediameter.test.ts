import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDiameterServer, type DiameterServer } from '../../../src/protocols/diameter/index.ts';
import { captureLog, type LogEntry } from './support/capture-log.ts';
import {
  answer,
  freeDiameterUnavailable,
  removeExtension,
  runScenario,
  type ScenarioRun,
} from './support/free-diameter.ts';
import { createTestHandler, TOKENS, type SeenRequest } from './support/test-handler.ts';

/**
 * Interop with freeDiameter 1.2 as the credit-control client: freeDiameterd loads our own
 * extension (fd/onepin_ccr_client.c), connects to the server under test, runs a scenario and
 * writes what it decoded from every answer. Skipped with a reason when freeDiameter is not
 * installed; under CI its absence fails the run.
 */
const unavailable = freeDiameterUnavailable();
const HOST = 'ocs.test';
const REALM = 'test';

interface Started {
  readonly server: DiameterServer;
  readonly entries: LogEntry[];
  readonly seen: SeenRequest[];
  readonly logText: () => string;
}

async function startServer(watchdogMs?: number): Promise<Started> {
  const { handler, seen } = createTestHandler();
  const { log, entries, text } = captureLog();
  const server = await startDiameterServer({
    host: '127.0.0.1',
    port: 0,
    originHost: HOST,
    originRealm: REALM,
    productName: 'OnePIN',
    handler,
    log,
    ...(watchdogMs === undefined ? {} : { watchdogMs }),
  });
  return { server, entries, seen, logText: text };
}

/** Runs a scenario, then waits (bounded) until the server has seen freeDiameter go away. */
async function run(
  server: DiameterServer,
  steps: string[],
  twTimerSeconds?: number,
): Promise<ScenarioRun> {
  const result = await runScenario({
    serverPort: server.port,
    serverHost: HOST,
    serverRealm: REALM,
    steps,
    ...(twTimerSeconds === undefined ? {} : { twTimerSeconds }),
  });
  for (let waitedMs = 0; server.connectionCount() > 0 && waitedMs < 3_000; waitedMs += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return result;
}

// The compiled extension is shared by every run in this file.
after(() => removeExtension());

const step = (r: ScenarioRun, name: string): Record<string, unknown> | undefined =>
  r.lines.find((line) => line.step === name);
const events = (entries: LogEntry[], msg: string): LogEntry[] =>
  entries.filter((e) => e.msg === msg);

describe('interop with freeDiameter', { skip: unavailable, timeout: 120_000 }, () => {
  let s: Started;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.server.close();
  });

  test('capabilities exchange: freeDiameter opens the connection, and disconnects with DPR', async () => {
    const r = await run(s.server, ['wait-open 10000', 'peer-state opened']);
    assert.equal(r.timedOut, false, r.output);
    assert.deepEqual(
      step(r, 'wait-open'),
      { step: 'wait-open', open: true, state: 'STATE_OPEN' },
      r.output,
    );
    const accepted = events(s.entries, 'diameter capabilities-accepted').at(-1);
    assert.ok(accepted !== undefined);
    assert.equal((accepted.fields as { peerHost?: string }).peerHost, 'fd.test');
    assert.ok(events(s.entries, 'diameter disconnect').length > 0, 'the DPR was answered');
  });

  test('CCR-I/U/T and an event round trip, decoded by freeDiameter', async () => {
    const r = await run(s.server, [
      'wait-open 10000',
      'ccr i s1 initial rsu-time=600 sub=tok-a',
      'ccr u s1 update rsu-time=30 usu-time=60',
      'ccr t s1 terminate usu-time=20',
      'ccr e s2 event action=direct-debiting rsu-money=1500 currency=410 sub=tok-a',
    ]);
    const i = answer(r, 'i');
    assert.equal(i.result, 2001);
    assert.equal(i.error_bit, false);
    assert.equal(i.e2e_match, true);
    assert.equal(i.session_match, true);
    assert.equal(i.origin_host, HOST);
    assert.equal(i.cc_request_type, 1);
    assert.equal(i.cc_request_number, 0);
    assert.equal(i.ccfh, 0, 'CCFH TERMINATE');
    assert.equal(i.cc_session_failover, 0, 'NOT_SUPPORTED');
    assert.deepEqual(i.mscc, [
      {
        index: 0,
        rating_group: 1,
        result: 2001,
        validity_time: 900,
        granted: true,
        granted_time: 60,
        final_unit_action: 0,
      },
    ]);
    assert.deepEqual(i.cost, { digits: 0, exponent: 0, currency: 410 });

    const u = answer(r, 'u');
    assert.deepEqual([u.cc_request_type, u.cc_request_number], [2, 1]);
    assert.deepEqual(u.mscc, [
      {
        index: 0,
        rating_group: 1,
        result: 2001,
        validity_time: 900,
        granted: true,
        granted_time: 30,
      },
    ]);
    assert.deepEqual(u.cost, { digits: 60, exponent: 0, currency: 410 });

    const t = answer(r, 't');
    assert.deepEqual([t.result, t.cc_request_type, t.cc_request_number], [2001, 3, 2]);
    assert.deepEqual(
      t.mscc,
      [{ index: 0, rating_group: 1, result: 2001, granted: false }],
      'no grant on CCR-T',
    );
    assert.deepEqual(t.cost, { digits: 80, exponent: 0, currency: 410 }, 'used 60 + 20');

    const e = answer(r, 'e');
    assert.deepEqual([e.result, e.cc_request_type, e.cc_request_number], [2001, 4, 0]);

    const s1 = s.seen.filter((q) => q.sessionId.startsWith('fd.test;'));
    assert.ok(s1.every((q) => q.peer.originHost === 'fd.test'));
  });

  test('handler-chosen 4012 and 5030 reach freeDiameter intact', async () => {
    const r = await run(s.server, [
      'wait-open 10000',
      `ccr nocredit s1 initial rsu-time=60 sub=${TOKENS.noCredit}`,
      `ccr unknown s2 initial rsu-time=60 sub=${TOKENS.unknown}`,
    ]);
    const noCredit = answer(r, 'nocredit');
    assert.deepEqual(
      [noCredit.result, noCredit.error_bit, noCredit.cc_request_type, noCredit.mscc],
      [4012, false, 1, []],
    );
    const unknown = answer(r, 'unknown');
    assert.deepEqual([unknown.result, unknown.error_bit, unknown.mscc], [5030, false, []]);
  });

  test('pipelined requests on one connection are all answered and matched', async () => {
    const count = 30;
    const sends = Array.from(
      { length: count },
      (_, n) => `send p${n} pipe${n} initial rsu-time=${n + 1} sub=tok-p`,
    );
    const before = s.seen.length;
    const r = await run(s.server, [
      'wait-open 10000',
      ...sends,
      'send dup-first dup initial rsu-time=10 sub=tok-p',
      'send dup-again dup initial rsu-time=10 sub=tok-p retransmit=1',
      'wait-answers',
    ]);
    assert.ok(step(r, 'wait-answers') !== undefined, r.output);
    for (let n = 0; n < count; n++) {
      const a = answer(r, `p${n}`);
      assert.equal(a.result, 2001);
      assert.equal(a.e2e_match, true);
      assert.equal(a.session_match, true);
      assert.deepEqual(
        (a.mscc as { granted_time?: number }[])[0]?.granted_time,
        Math.min(n + 1, 60),
      );
    }
    const served = s.seen.slice(before);
    assert.equal(served.length, count + 2);
    assert.equal(new Set(served.map((q) => q.peer.connectionId)).size, 1, 'one connection');
    const dup = served.filter((q) => q.requestNumber === 0 && q.retransmitted);
    assert.equal(dup.length, 1, 'the T flag reaches the handler');
    assert.equal(
      answer(r, 'dup-again').e2e_match,
      true,
      'a retransmission keeps its end-to-end id',
    );
  });

  test('a CER without application 4 is refused with 5010', async () => {
    const r = await run(s.server, ['app 1', 'wait-open 3000']);
    assert.equal(step(r, 'wait-open')?.open, false, r.output);
    const refused = events(s.entries, 'diameter capabilities-refused').at(-1);
    assert.ok(refused !== undefined, 'the server logged the refusal');
    assert.equal((refused.fields as { resultCode?: number }).resultCode, 5010);
  });

  test('the log carries no subscriber tokens', () => {
    assert.doesNotMatch(s.logText(), /tok-a|tok-p|tok-nocredit|tok-unknown/);
  });
});

describe('interop with freeDiameter: watchdogs', { skip: unavailable, timeout: 120_000 }, () => {
  test("freeDiameter's DWR is answered (Tw = 6 s ± 2 s jitter) and the connection stays open", async () => {
    const s = await startServer();
    try {
      const r = await run(
        s.server,
        [
          'wait-open 10000',
          'sleep 9000',
          'peer-state idle',
          'ccr after s1 initial rsu-time=5 sub=tok-w',
        ],
        6,
      );
      assert.equal(r.lines.find((l) => l.step === 'peer-state')?.state, 'STATE_OPEN', r.output);
      assert.equal(answer(r, 'after').result, 2001);
      assert.ok(
        events(s.entries, 'diameter watchdog').length >= 1,
        'a DWR from freeDiameter was answered',
      );
    } finally {
      await s.server.close();
    }
  });

  test('our DWR is answered by freeDiameter, so we keep the connection', async () => {
    const s = await startServer(400);
    try {
      const r = await run(s.server, [
        'wait-open 10000',
        'sleep 2500',
        'ccr after s1 initial rsu-time=5 sub=tok-w',
      ]);
      assert.equal(answer(r, 'after').result, 2001);
      assert.equal(events(s.entries, 'diameter watchdog unanswered; closing').length, 0);
      assert.equal(events(s.entries, 'diameter connection opened').length, 1, 'never reconnected');
    } finally {
      await s.server.close();
    }
  });
});
