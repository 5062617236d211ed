import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import {
  SmppClient,
  SmppError,
  createSmppGateway,
  smsSubmitParts,
  type DeliveryReceipt,
  type SmppClientOptions,
  type SmppGateway,
  type SubmitRequest,
} from '../../../src/protocols/smpp/index.ts';
import type { SmsPartAccepted, SmsReceipt } from '../../../src/notify/index.ts';
import { PASSWORD, SYSTEM_ID, startSmsc, waitUntil, type TestSmsc } from './support/smsc.ts';

/** Short timers so that every retry path runs in milliseconds; jitter off (random 0). */
const FAST = {
  responseTimeoutMs: 2_000,
  enquireLinkMs: 60_000,
  connectTimeoutMs: 2_000,
  reconnect: { initialMs: 10, maxMs: 40 },
  throttle: { initialMs: 5, maxMs: 20 },
  submitDeadlineMs: 10_000,
  random: () => 0,
} as const;

const TO = '+821012345678';

function request(text: string): SubmitRequest {
  const parts = smsSubmitParts(text, 1);
  return {
    sourceAddr: 'OnePIN',
    sourceTon: 5,
    sourceNpi: 0,
    destination: TO,
    shortMessage: parts.shortMessages[0] ?? Buffer.alloc(0),
    dataCoding: parts.dataCoding,
    esmClass: parts.esmClass,
    registeredDelivery: true,
  };
}

describe('SMPP client against a real SMSC on loopback', () => {
  let smsc: TestSmsc;
  const clients: SmppClient[] = [];
  const gateways: SmppGateway[] = [];

  before(async () => {
    smsc = await startSmsc();
  });
  after(async () => {
    await smsc.close();
  });
  beforeEach(() => {
    smsc.submits.length = 0;
    smsc.binds.length = 0;
    smsc.unbinds.length = 0;
    smsc.onSubmit = () => ({ kind: 'ok' });
    smsc.autoReceipt = null;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const g of gateways.splice(0)) await g.close();
    smsc.dropAll();
  });

  function client(options: Partial<SmppClientOptions> = {}): SmppClient {
    const c = new SmppClient({
      host: '127.0.0.1',
      port: smsc.port,
      systemId: SYSTEM_ID,
      password: PASSWORD,
      systemType: 'OnePIN',
      ...FAST,
      ...options,
    });
    clients.push(c);
    c.start();
    return c;
  }

  function gateway(
    options: { query?: string; onReceipt?: (r: SmsReceipt) => Promise<void> } = {},
  ): SmppGateway {
    const g = createSmppGateway({
      url: smsc.url(options.query === undefined ? {} : { query: options.query }),
      sourceAddr: 'OnePIN',
      tuning: FAST,
      ...(options.onReceipt !== undefined ? { onReceipt: options.onReceipt } : {}),
    });
    gateways.push(g);
    g.start();
    return g;
  }

  /** Sends `text` through the gateway's transport; returns the accepted parts in order. */
  async function send(g: SmppGateway, text: string, reference = 42): Promise<SmsPartAccepted[]> {
    const accepted: SmsPartAccepted[] = [];
    const sent = await g.transport.send({
      id: 'sms_test',
      to: TO,
      text,
      concatReference: reference,
      acceptedParts: new Map(),
      onPartAccepted: (a) => {
        accepted.push(a);
        return Promise.resolve();
      },
    });
    assert.equal(sent.parts, accepted.length);
    return accepted.sort((a, b) => a.part - b.part);
  }

  test('binds as a transceiver with SMPP 3.4, system id and system type', async () => {
    const c = client();
    await c.waitBound(5_000);
    assert.deepEqual(smsc.binds, [
      {
        connection: smsc.binds[0]?.connection,
        command: 'bind_transceiver',
        systemId: SYSTEM_ID,
        systemType: 'OnePIN',
        interfaceVersion: 0x34,
        accepted: true,
      },
    ]);
    assert.equal(c.status().bindsAccepted, 1);
  });

  test('a wrong password is a clear error; the client keeps trying with capped backoff', async () => {
    const c = client({ password: 'wrong' });
    await assert.rejects(c.waitBound(300), (error: unknown) => {
      assert.ok(error instanceof SmppError);
      assert.match(error.message, /the SMSC refused the bind: ESME_RINVPASWD \(0x0E\)/);
      return true;
    });
    await waitUntil(() => c.status().bindsRefused >= 5, 'five refused binds');
    const status = c.status();
    assert.equal(status.bindsAccepted, 0);
    assert.ok(smsc.binds.every((b) => !b.accepted));
    // 10, 20, 40, then capped at 40 (random 0: no jitter).
    assert.deepEqual(status.reconnectDelaysMs.slice(0, 5), [10, 20, 40, 40, 40]);
    // A submit while unbound fails at its deadline, naming the bind error.
    const d = client({ password: 'wrong', submitDeadlineMs: 100 });
    await assert.rejects(d.submit(request('hi')), /not bound: the SMSC refused the bind/);
    await c.close();
    const binds = smsc.binds.length;
    assert.equal(c.state, 'closed');
    await d.close();
    assert.equal(smsc.connections().open, 0);
    // Closed clients do not come back: one more round trip on a fresh client, no new binds.
    const e = client();
    await e.waitBound(5_000);
    assert.equal(smsc.binds.length, binds + 1);
  });

  test('a GSM message: one submit_sm, data_coding 0, TON/NPI, registered delivery', async () => {
    const g = gateway();
    const accepted = await send(g, 'Your OnePIN code is 482913 [valid 10 min]');
    assert.equal(accepted.length, 1);
    assert.equal(smsc.submits.length, 1);
    const s = smsc.submits[0];
    assert.ok(s !== undefined);
    assert.equal(s.text, 'Your OnePIN code is 482913 [valid 10 min]');
    assert.equal(s.dataCoding, 0);
    assert.equal(s.esmClass, 0);
    assert.equal(s.concat, null);
    assert.equal(s.destination, '821012345678');
    assert.deepEqual([s.destTon, s.destNpi], [1, 1]);
    assert.deepEqual([s.source, s.sourceTon, s.sourceNpi], ['OnePIN', 5, 0]);
    assert.equal(s.registeredDelivery, 1);
    assert.equal(accepted[0]?.messageId, s.messageId);
  });

  test('a Korean message: UCS-2, one part', async () => {
    const text = 'OnePIN PIN 4929 1837 6650 2918 3345: 웹에서 비밀번호를 등록하세요.';
    const g = gateway();
    await send(g, text);
    assert.equal(smsc.submits.length, 1);
    assert.equal(smsc.submits[0]?.dataCoding, 8);
    assert.equal(smsc.submits[0]?.text, text);
  });

  test('a 400-character GSM message: 3 parts, one reference, in order, rejoining to the text', async () => {
    const text = Array.from({ length: 400 }, (_, i) => 'abcdefghij€'[i % 11])
      .join('')
      .slice(0, 400);
    const g = gateway();
    const accepted = await send(g, text, 99);
    assert.equal(accepted.length, smsc.submits.length);
    assert.deepEqual(
      smsc.submits.map((s) => s.concat),
      smsc.submits.map((_, i) => ({ ref: 99, total: smsc.submits.length, seq: i + 1 })),
    );
    assert.ok(smsc.submits.every((s) => s.esmClass === 0x40 && s.dataCoding === 0));
    assert.equal(smsc.submits.map((s) => s.text).join(''), text);
    assert.deepEqual(
      accepted.map((a) => a.messageId),
      smsc.submits.map((s) => s.messageId),
    );
    const plain = 'x'.repeat(400);
    smsc.submits.length = 0;
    await send(g, plain, 7);
    assert.equal(smsc.submits.length, 3);
    assert.deepEqual(
      smsc.submits.map((s) => s.text.length),
      [153, 153, 94],
    );
  });

  test('a long Korean message and an emoji message', async () => {
    const korean = '가나다라마바사아자차카타파하'.repeat(11); // 154 characters
    const g = gateway();
    await send(g, korean, 5);
    assert.deepEqual(
      smsc.submits.map((s) => [s.dataCoding, s.concat?.seq, s.text.length]),
      [
        [8, 1, 67],
        [8, 2, 67],
        [8, 3, 20],
      ],
    );
    assert.equal(smsc.submits.map((s) => s.text).join(''), korean);
    smsc.submits.length = 0;
    await send(g, '🎉 선물이 도착했어요 😀');
    assert.equal(smsc.submits[0]?.dataCoding, 8);
    assert.equal(smsc.submits[0]?.text, '🎉 선물이 도착했어요 😀');
  });

  test('window full: the 11th submit waits until an answer frees a slot', async () => {
    smsc.onSubmit = () => ({ kind: 'hold' });
    const c = client({ window: 10 });
    await c.waitBound(5_000);
    const pending = Array.from({ length: 11 }, (_, i) => c.submit(request(`message ${i}`)));
    await waitUntil(() => smsc.submits.length === 10, 'ten submits at the SMSC');
    // An enquire_link goes out after the 11th was queued and comes back: the socket is flowing,
    // and still only ten submits arrived.
    await c.enquireLink();
    assert.equal(smsc.submits.length, 10);
    assert.deepEqual([c.status().outstanding, c.status().queued], [10, 1]);
    smsc.onSubmit = () => ({ kind: 'ok' });
    assert.equal(smsc.release(), 10);
    const ids = await Promise.all(pending);
    assert.equal(smsc.submits.length, 11);
    assert.equal(smsc.submits[10]?.text, 'message 10');
    assert.equal(new Set(ids).size, 11);
  });

  test('no response in time: the submit is sent again and succeeds', async () => {
    smsc.onSubmit = (_s, i) => (i === 0 ? { kind: 'drop' } : { kind: 'ok' });
    const c = client({ responseTimeoutMs: 150 });
    const id = await c.submit(request('again'));
    assert.equal(smsc.submits.length, 2);
    assert.deepEqual(
      smsc.submits.map((s) => s.text),
      ['again', 'again'],
    );
    assert.equal(id, smsc.submits[1]?.messageId);
    assert.equal(c.status().timeouts, 1);
    assert.equal(c.status().resent, 1);
  });

  test('unanswered too often: the submit fails after submitAttemptsMax sends', async () => {
    smsc.onSubmit = () => ({ kind: 'drop' });
    const c = client({ responseTimeoutMs: 50, submitAttemptsMax: 2 });
    await assert.rejects(c.submit(request('lost')), (error: unknown) => {
      assert.ok(error instanceof SmppError);
      assert.equal(error.code, 'no_response');
      assert.equal(error.permanent, false);
      return true;
    });
    assert.equal(smsc.submits.length, 2);
  });

  test('throttled and queue-full answers: back off, then delivered', async () => {
    smsc.onSubmit = (_s, i) =>
      i === 0
        ? { kind: 'status', status: 0x58 }
        : i === 1
          ? { kind: 'status', status: 0x14 }
          : { kind: 'ok' };
    const c = client();
    const id = await c.submit(request('busy'));
    assert.equal(smsc.submits.length, 3);
    assert.equal(id, smsc.submits[2]?.messageId);
    assert.equal(c.status().throttled, 2);
    assert.deepEqual(c.status().throttleDelaysMs, [5, 10]);
    // A success resets the back-off.
    smsc.onSubmit = (_s, i) => (i === 3 ? { kind: 'status', status: 0x58 } : { kind: 'ok' });
    await c.submit(request('busy again'));
    assert.deepEqual(c.status().throttleDelaysMs, [5, 10, 5]);
  });

  test('a refused message fails at once, permanently', async () => {
    smsc.onSubmit = () => ({ kind: 'status', status: 0x0b });
    const c = client();
    await assert.rejects(c.submit(request('nope')), (error: unknown) => {
      assert.ok(error instanceof SmppError);
      assert.equal(error.permanent, true);
      assert.match(error.message, /ESME_RINVDSTADR \(0x0B\)/);
      return true;
    });
    assert.equal(smsc.submits.length, 1);
  });

  test('the SMSC closes the connection mid-window: reconnect, resend only what was not acknowledged', async () => {
    const text = 'y'.repeat(400); // 3 parts
    smsc.onSubmit = (s) =>
      s.connection === firstConnection && s.concat?.seq === 2 ? { kind: 'close' } : { kind: 'ok' };
    const g = gateway();
    await g.transmitter.waitBound(5_000);
    const firstConnection = smsc.binds.at(-1)?.connection ?? -1;
    const accepted = await send(g, text, 17);
    assert.deepEqual(
      accepted.map((a) => a.part),
      [1, 2, 3],
    );
    const seen = smsc.submits.map((s) => [
      s.connection === firstConnection ? 'first' : 'second',
      s.concat?.seq,
    ]);
    // Part 1 was acknowledged on the first connection and never sent again.
    assert.deepEqual(
      seen.filter(([, seq]) => seq === 1),
      [['first', 1]],
    );
    assert.deepEqual(
      seen.filter(([conn]) => conn === 'second'),
      [
        ['second', 2],
        ['second', 3],
      ],
    );
    assert.equal(g.transmitter.status().bindsAccepted, 2);
    // The ids handed back are the ones the SMSC answered with.
    for (const a of accepted) {
      const answered = smsc.submits.filter((s) => s.concat?.seq === a.part && s.messageId !== null);
      assert.deepEqual(
        answered.map((s) => s.messageId),
        [a.messageId],
      );
    }
  });

  test('delivery receipts reach the handler, and deliver_sm_resp waits for it', async () => {
    const got: DeliveryReceipt[] = [];
    let failNext = false;
    const c = client({
      onReceipt: (r) => {
        if (failNext) return Promise.reject(new Error('database down'));
        got.push(r);
        return Promise.resolve();
      },
    });
    await c.waitBound(5_000);
    assert.equal(await smsc.sendReceipt('M1', { stat: 'DELIVRD' }), 0);
    assert.equal(await smsc.sendReceipt('M2', { stat: 'UNDELIV', err: '034' }), 0);
    assert.equal(await smsc.sendReceipt('M3', { stat: 'DELIVRD', tlvs: true, messageState: 5 }), 0);
    assert.deepEqual(
      got.map((r) => [r.messageId, r.state, r.stat, r.error]),
      [
        ['M1', 'delivered', 'DELIVRD', '000'],
        ['M2', 'undeliverable', 'UNDELIV', '034'],
        ['M3', 'undeliverable', 'DELIVRD', '000'],
      ],
    );
    // A handler that fails: the SMSC is told to try later (ESME_RX_T_APPN).
    failNext = true;
    assert.equal(await smsc.sendReceipt('M4'), 0x64);
    assert.equal(c.status().receipts, 4);
  });

  test('a receipted_message_id without its NUL does not swallow the next TLV', async () => {
    const got: DeliveryReceipt[] = [];
    const c = client({
      onReceipt: (r) => {
        got.push(r);
        return Promise.resolve();
      },
    });
    await c.waitBound(5_000);
    const connection = smsc.binds.at(-1)?.connection;
    assert.ok(connection !== undefined);
    // deliver_sm, no text, TLVs 0x001E "0000000001" (no NUL) and 0x0427 message_state 2.
    const body = Buffer.concat([
      Buffer.from([0]), // service_type ""
      Buffer.from([1, 1]),
      Buffer.from('821012345678\0'),
      Buffer.from([5, 0]),
      Buffer.from('OnePIN\0'),
      Buffer.from([0x04, 0, 0]), // esm_class receipt, protocol_id, priority
      Buffer.from([0, 0]), // schedule, validity
      Buffer.from([0, 0, 0, 0, 0]), // registered_delivery, replace, data_coding, default id, sm_length
      Buffer.from([0x00, 0x1e, 0x00, 0x0a]),
      Buffer.from('0000000001'),
      Buffer.from([0x04, 0x27, 0x00, 0x01, 0x02]),
    ]);
    const header = Buffer.alloc(16);
    header.writeUInt32BE(16 + body.length, 0);
    header.writeUInt32BE(0x00000005, 4);
    header.writeUInt32BE(0, 8);
    header.writeUInt32BE(77, 12);
    smsc.writeRaw(Buffer.concat([header, body]), connection);
    await waitUntil(() => got.length === 1, 'the raw receipt');
    assert.deepEqual(
      got.map((r) => [r.messageId, r.state, r.stat]),
      [['0000000001', 'delivered', 'message_state=2']],
    );
  });

  test('enquire_link: answered when the SMSC asks, sent when the link is idle', async () => {
    const c = client({ enquireLinkMs: 40 });
    await c.waitBound(5_000);
    await smsc.enquireLink();
    const before = smsc.enquireLinksAnswered.count;
    await waitUntil(() => smsc.enquireLinksAnswered.count >= before + 2, 'two idle enquire_links');
    assert.ok(c.status().enquireLinksAnswered >= 2);
  });

  test('a peer that stops answering is dropped and bound again', async () => {
    smsc.onSubmit = () => ({ kind: 'drop' });
    const c = client({ responseTimeoutMs: 80, submitAttemptsMax: 1 });
    await c.waitBound(5_000);
    const accepted = c.status().bindsAccepted;
    await assert.rejects(c.submit(request('x')), /no submit_sm_resp/);
    // The probe after the timeout was answered (the SMSC answers enquire_link), so the session
    // stays; a garbage PDU, though, ends it and the client binds again.
    const connection = smsc.binds.at(-1)?.connection;
    const garbage = Buffer.alloc(16);
    garbage.writeUInt32BE(0x7fffffff, 0);
    smsc.writeRaw(garbage, connection);
    await waitUntil(() => c.status().bindsAccepted === accepted + 1, 'a new bind');
    assert.equal(c.state, 'bound');
  });

  test('close unbinds gracefully and refuses new submits', async () => {
    const c = client();
    await c.waitBound(5_000);
    const connection = smsc.binds.at(-1)?.connection;
    await c.close();
    assert.deepEqual(smsc.unbinds, [connection]);
    assert.equal(c.state, 'closed');
    await waitUntil(() => smsc.connections().open === 0, 'the socket closed');
    await assert.rejects(
      c.submit(request('late')),
      (e: unknown) => e instanceof SmppError && e.code === 'closed',
    );
  });

  test('close with a part in flight: it gets the response timeout, then fails as closed', async () => {
    smsc.onSubmit = () => ({ kind: 'hold' });
    const c = client({ responseTimeoutMs: 100 });
    await c.waitBound(5_000);
    const pending = assert.rejects(
      c.submit(request('in flight')),
      (e: unknown) => e instanceof SmppError && e.code === 'closed',
    );
    await waitUntil(() => smsc.submits.length === 1, 'the part at the SMSC');
    await c.close();
    await pending;
    assert.equal(smsc.unbinds.length, 1);
    // A client that never bound rejects, on close, what waits for it.
    const unbound = client({ password: 'wrong' });
    const waiting = assert.rejects(
      unbound.submit(request('never sent')),
      (e: unknown) => e instanceof SmppError && e.code === 'closed',
    );
    await unbound.close();
    await waiting;
    assert.equal(smsc.submits.length, 1);
  });

  test('the SMSC unbinds: the client answers, binds again and goes on sending', async () => {
    const c = client();
    await c.waitBound(5_000);
    assert.equal(await smsc.unbind(), 0);
    await waitUntil(() => c.status().bindsAccepted === 2, 'a second bind');
    const id = await c.submit(request('after unbind'));
    assert.equal(id, smsc.submits.at(-1)?.messageId);
  });

  test('bind=pair: a transmitter submits, a receiver takes receipts', async () => {
    const got: SmsReceipt[] = [];
    const g = gateway({
      query: '?bind=pair',
      onReceipt: (r) => {
        got.push(r);
        return Promise.resolve();
      },
    });
    await g.transmitter.waitBound(5_000);
    await g.receiver?.waitBound(5_000);
    assert.deepEqual(smsc.binds.map((b) => b.command).sort(), [
      'bind_receiver',
      'bind_transmitter',
    ]);
    const [part] = await send(g, 'pair');
    assert.ok(part !== undefined);
    assert.equal(await smsc.sendReceipt(part.messageId), 0);
    assert.deepEqual(got, [
      { messageId: part.messageId, outcome: 'delivered', stat: 'DELIVRD', error: '000' },
    ]);
  });
});
