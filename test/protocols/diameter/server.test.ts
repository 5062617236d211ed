import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  avp,
  encodeMessage,
  firstValue,
  startDiameterServer,
  type Avp,
  type CreditControlHandler,
  type DiameterMessage,
  type DiameterServer,
} from '../../../src/protocols/diameter/index.ts';
import { captureLog } from './support/capture-log.ts';
import { createTestHandler, TOKENS } from './support/test-handler.ts';
import { CLIENT_ORIGIN, TestPeer, ccr, cer, request } from './support/test-peer.ts';

const TEST_TIMEOUT = { timeout: 15_000 };

async function start(
  handler: CreditControlHandler,
  options: { watchdogMs?: number; capabilitiesWaitMs?: number; handlerTimeoutMs?: number } = {},
) {
  const captured = captureLog();
  const server = await startDiameterServer({
    host: '127.0.0.1',
    port: 0,
    originHost: 'ocs.test',
    originRealm: 'test',
    productName: 'OnePIN',
    handler,
    log: captured.log,
    ...options,
  });
  return { server, ...captured };
}

const resultOf = (m: DiameterMessage): number | undefined => firstValue(m.avps, 'Result-Code');
const grantedSeconds = (m: DiameterMessage): number | undefined => {
  const mscc = firstValue(m.avps, 'Multiple-Services-Credit-Control') ?? [];
  const gsu = firstValue(mscc, 'Granted-Service-Unit') ?? [];
  return firstValue(gsu, 'CC-Time');
};

describe('the Diameter server over TCP', TEST_TIMEOUT, () => {
  let server: DiameterServer;
  let logText: () => string;
  let seen: ReturnType<typeof createTestHandler>['seen'];
  const peers: TestPeer[] = [];
  const connect = async (open = true): Promise<TestPeer> => {
    const peer = open ? await TestPeer.open(server.port) : await TestPeer.connect(server.port);
    peers.push(peer);
    return peer;
  };

  before(async () => {
    const test = createTestHandler();
    seen = test.seen;
    const started = await start(test.handler);
    server = started.server;
    logText = started.text;
  });
  after(async () => {
    for (const peer of peers) peer.destroy();
    await server.close();
  });

  test('CER advertising 4 → CEA 2001 with our identity and the request ids', async () => {
    const peer = await connect(false);
    peer.send(cer([avp('Auth-Application-Id', 4)]));
    const cea = await peer.next();
    assert.equal(cea.commandCode, 257);
    assert.equal(cea.flags.request, false);
    assert.equal(cea.hopByHopId, 0x0101);
    assert.equal(cea.endToEndId, 0x0202);
    assert.equal(resultOf(cea), 2001);
    assert.equal(firstValue(cea.avps, 'Origin-Host'), 'ocs.test');
    assert.equal(firstValue(cea.avps, 'Origin-Realm'), 'test');
    assert.equal(firstValue(cea.avps, 'Auth-Application-Id'), 4);
    assert.equal(firstValue(cea.avps, 'Host-IP-Address'), '127.0.0.1');
  });

  test('CER without application 4 → CEA 5010, then the server closes', async () => {
    const peer = await connect(false);
    peer.send(cer([avp('Auth-Application-Id', 1)]));
    const cea = await peer.next();
    assert.equal(resultOf(cea), 5010);
    assert.equal(firstValue(cea.avps, 'Origin-Host'), 'ocs.test');
    await peer.waitClosed();
  });

  test('a request before CER closes the connection without an answer', async () => {
    const peer = await connect(false);
    peer.send(request(280, 0, CLIENT_ORIGIN));
    await peer.waitClosed();
  });

  test('DWR → DWA with the ids copied', async () => {
    const peer = await connect();
    peer.send(request(280, 0, CLIENT_ORIGIN, { hopByHopId: 77, endToEndId: 88 }));
    const dwa = await peer.next();
    assert.deepEqual(
      [dwa.commandCode, dwa.flags.request, dwa.hopByHopId, dwa.endToEndId, resultOf(dwa)],
      [280, false, 77, 88, 2001],
    );
  });

  test('DPR → DPA, then the server closes', async () => {
    const peer = await connect();
    peer.send(request(282, 0, [...CLIENT_ORIGIN, avp('Disconnect-Cause', 0)]));
    const dpa = await peer.next();
    assert.deepEqual([dpa.commandCode, resultOf(dpa)], [282, 2001]);
    await peer.waitClosed();
  });

  test('a CCR round trip: grant min(requested, 60) with FUI, Session-Id first, type and number echoed', async () => {
    const peer = await connect();
    peer.send(ccr({ sessionId: 'switch.test;9;1', requestedSeconds: 600, hopByHopId: 5 }));
    const cca = await peer.next();
    assert.equal(cca.commandCode, 272);
    assert.equal(cca.applicationId, 4);
    assert.equal(cca.flags.error, false);
    assert.equal(cca.hopByHopId, 5);
    assert.deepEqual(cca.avps[0], avp('Session-Id', 'switch.test;9;1'));
    assert.equal(resultOf(cca), 2001);
    assert.equal(firstValue(cca.avps, 'CC-Request-Type'), 1);
    assert.equal(firstValue(cca.avps, 'CC-Request-Number'), 0);
    assert.equal(grantedSeconds(cca), 60);
    const mscc = firstValue(cca.avps, 'Multiple-Services-Credit-Control') ?? [];
    assert.deepEqual(firstValue(mscc, 'Final-Unit-Indication'), [avp('Final-Unit-Action', 0)]);
    assert.equal(
      seen.at(-1)?.peer.originHost,
      'switch.test',
      'the handler learns the peer from CER',
    );
  });

  test('50 pipelined CCRs in one write are each answered, matched by hop-by-hop id', async () => {
    const peer = await connect();
    const batch = Array.from({ length: 50 }, (_, i) =>
      encodeMessage(
        ccr({
          sessionId: `switch.test;50;${i}`,
          requestedSeconds: i + 1,
          hopByHopId: 1_000 + i,
          endToEndId: 2_000 + i,
        }),
      ),
    );
    peer.write(Buffer.concat(batch));
    const answers = new Map<number, DiameterMessage>();
    for (let i = 0; i < 50; i++) {
      const cca = await peer.next();
      answers.set(cca.hopByHopId, cca);
    }
    for (let i = 0; i < 50; i++) {
      const cca = answers.get(1_000 + i);
      assert.ok(cca !== undefined, `answer ${i}`);
      assert.equal(cca.endToEndId, 2_000 + i);
      assert.equal(firstValue(cca.avps, 'Session-Id'), `switch.test;50;${i}`);
      assert.equal(grantedSeconds(cca), Math.min(i + 1, 60));
    }
  });

  test('a CCR split across reads is answered once it is complete', async () => {
    const peer = await connect();
    const bytes = encodeMessage(ccr({ requestedSeconds: 30, hopByHopId: 9 }));
    for (const [from, to] of [
      [0, 3],
      [3, 25],
      [25, bytes.length],
    ] as const) {
      peer.write(bytes.subarray(from, to));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const cca = await peer.next();
    assert.equal(cca.hopByHopId, 9);
    assert.equal(grantedSeconds(cca), 30);
  });

  test('handler-chosen 4012 and 5030 reach the client', async () => {
    const peer = await connect();
    peer.send(ccr({ subscription: TOKENS.noCredit, requestedSeconds: 60, hopByHopId: 1 }));
    peer.send(ccr({ subscription: TOKENS.unknown, requestedSeconds: 60, hopByHopId: 2 }));
    const byId = new Map<number, DiameterMessage>();
    for (let i = 0; i < 2; i++) {
      const cca = await peer.next();
      byId.set(cca.hopByHopId, cca);
    }
    assert.equal(resultOf(byId.get(1)!), 4012);
    assert.equal(resultOf(byId.get(2)!), 5030);
    assert.equal(byId.get(1)!.flags.error, false);
  });

  test('another application → 3007 with the E bit; an unknown command → 3001', async () => {
    const peer = await connect();
    peer.send(
      request(272, 16_777_238, [avp('Session-Id', 's;1'), ...CLIENT_ORIGIN], { hopByHopId: 1 }),
    );
    peer.send(request(999, 0, CLIENT_ORIGIN, { hopByHopId: 2 }));
    const a = await peer.next();
    const b = await peer.next();
    assert.deepEqual(
      [a.hopByHopId, resultOf(a), a.flags.error, a.applicationId],
      [1, 3007, true, 16_777_238],
    );
    assert.deepEqual(a.avps[0], avp('Session-Id', 's;1'));
    assert.deepEqual(
      [b.hopByHopId, resultOf(b), b.flags.error, b.commandCode],
      [2, 3001, true, 999],
    );
  });

  test('an unknown AVP with the M bit → CCA 5001 with Failed-AVP; the handler is not called', async () => {
    const peer = await connect();
    const before = seen.length;
    const unknown: Avp = {
      code: 77_777,
      vendorId: 0,
      mandatory: true,
      protected: false,
      type: 'Unknown',
      value: Uint8Array.from([1, 2, 3, 4]),
    };
    peer.send(ccr({ extra: [unknown], type: 2, number: 3 }));
    const cca = await peer.next();
    assert.equal(resultOf(cca), 5001);
    assert.equal(cca.flags.error, false);
    assert.equal(firstValue(cca.avps, 'CC-Request-Number'), 3);
    assert.deepEqual(firstValue(cca.avps, 'Failed-AVP'), [unknown]);
    assert.equal(seen.length, before);
  });

  test('garbage closes that connection; another connection keeps being served', async () => {
    const good = await connect();
    const bad = await connect();
    bad.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await bad.waitClosed();
    const oversize = await connect();
    oversize.write(Buffer.from([1, 0x7f, 0xff, 0xff]));
    await oversize.waitClosed();
    good.send(ccr({ requestedSeconds: 5 }));
    assert.equal(grantedSeconds(await good.next()), 5);
  });

  test('many connections at once', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => connect()));
    clients.forEach((c, i) => c.send(ccr({ sessionId: `many;${i}`, requestedSeconds: 10 })));
    const answers = await Promise.all(clients.map((c) => c.next()));
    answers.forEach((cca, i) => assert.equal(firstValue(cca.avps, 'Session-Id'), `many;${i}`));
  });

  test('the log carries no subscriber data', () => {
    const text = logText();
    assert.ok(text.length > 0);
    assert.doesNotMatch(text, /tok-ok|tok-nocredit|tok-unknown/);
  });
});

describe('timers and failures', TEST_TIMEOUT, () => {
  test('we send DWR when idle, stay open when answered, and close when not', async () => {
    const { server } = await start(createTestHandler().handler, { watchdogMs: 150 });
    const peer = await TestPeer.open(server.port);
    try {
      const dwr = await peer.next(2_000);
      assert.deepEqual([dwr.commandCode, dwr.flags.request, dwr.applicationId], [280, true, 0]);
      assert.equal(firstValue(dwr.avps, 'Origin-Host'), 'ocs.test');
      peer.send({
        ...dwr,
        flags: { ...dwr.flags, request: false },
        avps: [avp('Result-Code', 2001), ...CLIENT_ORIGIN],
      });
      const second = await peer.next(2_000);
      assert.equal(second.commandCode, 280, 'a second DWR after another idle interval');
      assert.equal(peer.closed, false);
      await peer.waitClosed(2_000); // the second one is left unanswered
    } finally {
      peer.destroy();
      await server.close();
    }
  });

  test('a connection that sends no CER is closed', async () => {
    const { server } = await start(createTestHandler().handler, { capabilitiesWaitMs: 100 });
    const peer = await TestPeer.connect(server.port);
    try {
      await peer.waitClosed(2_000);
    } finally {
      await server.close();
    }
  });

  test('a handler that throws → 5012; one that hangs → 3004 with the E bit', async () => {
    const handler: CreditControlHandler = async (req) => {
      const n = firstValue(req.avps, 'CC-Request-Number');
      if (n === 1) throw new Error('boom');
      return new Promise(() => undefined);
    };
    const { server, entries } = await start(handler, { handlerTimeoutMs: 100 });
    const peer = await TestPeer.open(server.port);
    try {
      peer.send(ccr({ number: 1, hopByHopId: 1 }));
      const failed = await peer.next();
      assert.deepEqual([failed.hopByHopId, resultOf(failed), failed.flags.error], [1, 5012, false]);
      peer.send(ccr({ number: 2, hopByHopId: 2 }));
      const busy = await peer.next();
      assert.deepEqual([busy.hopByHopId, resultOf(busy), busy.flags.error], [2, 3004, true]);
      assert.ok(entries.some((e) => e.level === 'error' && e.msg.includes('handler failed')));
    } finally {
      peer.destroy();
      await server.close();
    }
  });

  test('a handler answer that breaks the rules is replaced by 5012', async () => {
    const handler: CreditControlHandler = async () => ({
      avps: [avp('Result-Code', 2001), avp('Origin-Host', 'spoofed')],
      error: false,
    });
    const { server } = await start(handler);
    const peer = await TestPeer.open(server.port);
    try {
      peer.send(ccr());
      assert.equal(resultOf(await peer.next()), 5012);
    } finally {
      peer.destroy();
      await server.close();
    }
  });

  test('requests beyond the in-flight limit are answered 3004 at once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const inner = createTestHandler().handler;
    const { server } = await start(async (req, peer) => {
      await gate;
      return inner(req, peer);
    });
    const peer = await TestPeer.open(server.port);
    try {
      const { inFlightPerConnectionMax } = (
        await import('../../../src/protocols/diameter/index.ts')
      ).diameterLimits;
      const burst = Array.from({ length: inFlightPerConnectionMax + 1 }, (_, i) =>
        encodeMessage(ccr({ hopByHopId: i, requestedSeconds: 1 })),
      );
      peer.write(Buffer.concat(burst));
      const first = await peer.next();
      assert.deepEqual(
        [first.hopByHopId, resultOf(first), first.flags.error],
        [inFlightPerConnectionMax, 3004, true],
      );
      release();
      for (let i = 0; i < inFlightPerConnectionMax; i++)
        assert.equal(resultOf(await peer.next()), 2001);
    } finally {
      peer.destroy();
      await server.close();
    }
  });

  test('close() sends DPR to open peers and finishes when they answer', async () => {
    const { server } = await start(createTestHandler().handler);
    const peer = await TestPeer.open(server.port);
    const closing = server.close();
    const dpr = await peer.next();
    assert.deepEqual([dpr.commandCode, dpr.flags.request], [282, true]);
    assert.equal(firstValue(dpr.avps, 'Disconnect-Cause'), 0);
    peer.send({
      ...dpr,
      flags: { ...dpr.flags, request: false },
      avps: [avp('Result-Code', 2001), ...CLIENT_ORIGIN],
    });
    await closing;
    await peer.waitClosed();
    assert.equal(server.connectionCount(), 0);
  });
});
