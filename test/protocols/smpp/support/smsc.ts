import type { AddressInfo } from 'node:net';
import smpp, { type Pdu, type Session } from 'smpp';

/**
 * A small SMSC for the tests, on the `smpp` package's server (the SMSC side of the same
 * package: its own decoder reads what our client encoded), on 127.0.0.1 and a free port.
 * It accepts binds with the right system id and password (and answers ESME_RINVPASWD
 * otherwise), records every submit_sm it receives, answers with message ids, can be told to
 * hold, drop or refuse answers or to close the socket, answers enquire_link and unbind, and
 * sends delivery receipts.
 */
export const SYSTEM_ID = 'onepin';
export const PASSWORD = 'sEcr3t:/';

export interface ReceivedSubmit {
  /** Which connection it came on (1 = the first accepted). */
  readonly connection: number;
  readonly sequence: number;
  readonly source: string;
  readonly sourceTon: number;
  readonly sourceNpi: number;
  readonly destination: string;
  readonly destTon: number;
  readonly destNpi: number;
  readonly dataCoding: number;
  readonly esmClass: number;
  readonly registeredDelivery: number;
  /** The concatenation header, when the part has one. */
  readonly concat: { readonly ref: number; readonly total: number; readonly seq: number } | null;
  /** The text, decoded by the package from data_coding. */
  readonly text: string;
  /** The message id we answered with (null: not answered). */
  messageId: string | null;
}

export type SubmitAction =
  | { readonly kind: 'ok' }
  | { readonly kind: 'status'; readonly status: number }
  /** Answer later, when release() is called. */
  | { readonly kind: 'hold' }
  /** Never answer. */
  | { readonly kind: 'drop' }
  /** Close the connection instead of answering. */
  | { readonly kind: 'close' };

export interface BindSeen {
  readonly connection: number;
  readonly command: string;
  readonly systemId: string;
  readonly systemType: string;
  readonly interfaceVersion: number;
  readonly accepted: boolean;
}

export interface ReceiptOptions {
  readonly stat?: string;
  readonly err?: string;
  /** Send receipted_message_id and message_state TLVs too. */
  readonly tlvs?: boolean;
  readonly messageState?: number;
  /** Which connection to send it on; default: the last bound one that can receive. */
  readonly connection?: number;
}

export interface TestSmsc {
  readonly port: number;
  url(options?: { readonly password?: string; readonly query?: string }): string;
  readonly submits: ReceivedSubmit[];
  readonly binds: BindSeen[];
  readonly unbinds: number[];
  readonly enquireLinksAnswered: { count: number };
  /** Decides how each submit_sm is answered; default: ok. */
  onSubmit: (submit: ReceivedSubmit, index: number) => SubmitAction;
  /** Send a DELIVRD receipt right after every accepted submit (the outbox end-to-end). */
  autoReceipt: ReceiptOptions | null;
  /** Connections accepted so far, and those still open. */
  connections(): { readonly accepted: number; readonly open: number };
  /** The message id the next accepted submit_sm gets. */
  nextMessageId(): string;
  /** Answers every held submit_sm (ok, with a message id). */
  release(): number;
  /** Sends a delivery receipt and resolves with the command_status of deliver_sm_resp. */
  sendReceipt(messageId: string, options?: ReceiptOptions): Promise<number>;
  /** Writes raw octets on a connection (a PDU the package would not make). */
  writeRaw(bytes: Buffer, connection?: number): void;
  /** Sends enquire_link to the client; resolves when answered. */
  enquireLink(connection?: number): Promise<void>;
  /** Sends unbind to the client; resolves with the command_status of its unbind_resp. */
  unbind(connection?: number): Promise<number>;
  /** Closes every open connection (the SMSC going away). */
  dropAll(): void;
  close(): Promise<void>;
}

interface Conn {
  readonly number: number;
  readonly session: Session;
  bound: string | null;
  open: boolean;
}

export async function startSmsc(): Promise<TestSmsc> {
  const submits: ReceivedSubmit[] = [];
  const binds: BindSeen[] = [];
  const unbinds: number[] = [];
  const enquireLinksAnswered = { count: 0 };
  const conns: Conn[] = [];
  const held: { pdu: Pdu; conn: Conn; record: ReceivedSubmit }[] = [];
  let nextMessage = 0;

  const smsc: TestSmsc = {
    port: 0,
    url: () => '',
    submits,
    binds,
    unbinds,
    enquireLinksAnswered,
    onSubmit: () => ({ kind: 'ok' }),
    autoReceipt: null,
    connections: () => ({ accepted: conns.length, open: conns.filter((c) => c.open).length }),
    nextMessageId: () => `M${String(nextMessage + 1).padStart(9, '0')}`,
    release() {
      const now = held.splice(0);
      for (const h of now) accept(h.conn, h.pdu, h.record);
      return now.length;
    },
    sendReceipt(messageId, options = {}) {
      const conn = pick(options.connection);
      const stat = options.stat ?? 'DELIVRD';
      const err = options.err ?? '000';
      const text = `id:${messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2601010900 done date:2601010901 stat:${stat} err:${err} text:`;
      const fields: Record<string, unknown> = {
        source_addr_ton: 1,
        source_addr_npi: 1,
        source_addr: '821012345678',
        dest_addr_ton: 5,
        dest_addr_npi: 0,
        destination_addr: 'OnePIN',
        esm_class: 0x04,
        data_coding: 0,
        short_message: { message: text },
      };
      if (options.tlvs === true) {
        fields.receipted_message_id = messageId;
        fields.message_state = options.messageState ?? 2;
      }
      return new Promise<number>((resolve) => {
        conn.session.send(new smpp.PDU('deliver_sm', fields), (response) =>
          resolve(response.command_status),
        );
      });
    },
    writeRaw(bytes, connection) {
      pick(connection).session.socket.write(bytes);
    },
    enquireLink(connection) {
      const conn = pick(connection);
      return new Promise<void>((resolve) => {
        conn.session.send(new smpp.PDU('enquire_link', {}), () => resolve());
      });
    },
    unbind(connection) {
      const conn = pick(connection);
      return new Promise<number>((resolve) => {
        conn.session.send(new smpp.PDU('unbind', {}), (response) => {
          conn.bound = null;
          resolve(response.command_status);
        });
      });
    },
    dropAll() {
      for (const c of conns) {
        if (!c.open) continue;
        c.open = false;
        c.session.destroy();
      }
    },
    async close() {
      smsc.dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function pick(connection: number | undefined): Conn {
    const conn =
      connection === undefined
        ? conns.filter((c) => c.open && c.bound !== null && c.bound !== 'bind_transmitter').at(-1)
        : conns[connection - 1];
    if (!conn?.open) throw new Error('no such open connection at the SMSC');
    return conn;
  }

  function accept(conn: Conn, pdu: Pdu, record: ReceivedSubmit): void {
    nextMessage += 1;
    const messageId = `M${String(nextMessage).padStart(9, '0')}`;
    record.messageId = messageId;
    if (!conn.open) return;
    conn.session.send(pdu.response({ message_id: messageId }));
    if (smsc.autoReceipt !== null) {
      void smsc.sendReceipt(messageId, smsc.autoReceipt);
    }
  }

  const server = smpp.createServer((session) => {
    const conn: Conn = { number: conns.length + 1, session, bound: null, open: true };
    conns.push(conn);
    session.on('error', () => session.destroy());
    session.socket.on('close', () => {
      conn.open = false;
    });
    session.on('pdu', (pdu: Pdu) => {
      // A connection we closed reads nothing more (the package may still hold buffered PDUs).
      if (!conn.open || pdu.isResponse()) return;
      switch (pdu.command) {
        case 'bind_transceiver':
        case 'bind_transmitter':
        case 'bind_receiver': {
          const ok = pdu.system_id === SYSTEM_ID && pdu.password === PASSWORD;
          binds.push({
            connection: conn.number,
            command: pdu.command,
            systemId: String(pdu.system_id),
            systemType: String(pdu.system_type),
            interfaceVersion: Number(pdu.interface_version),
            accepted: ok,
          });
          if (ok) {
            conn.bound = pdu.command;
            session.send(pdu.response({ system_id: 'TESTSMSC' }));
          } else {
            session.send(pdu.response({ command_status: smpp.errors.ESME_RINVPASWD }));
          }
          return;
        }
        case 'enquire_link':
          enquireLinksAnswered.count += 1;
          session.send(pdu.response());
          return;
        case 'unbind':
          unbinds.push(conn.number);
          conn.bound = null;
          session.send(pdu.response());
          return;
        case 'submit_sm': {
          if (conn.bound === null || conn.bound === 'bind_receiver') {
            session.send(pdu.response({ command_status: smpp.errors.ESME_RINVBNDSTS }));
            return;
          }
          const sm = pdu.short_message as { udh?: Buffer[]; message?: unknown };
          const iei = sm.udh?.find((u) => u[0] === 0x00);
          const record: ReceivedSubmit = {
            connection: conn.number,
            sequence: pdu.sequence_number,
            source: String(pdu.source_addr),
            sourceTon: Number(pdu.source_addr_ton),
            sourceNpi: Number(pdu.source_addr_npi),
            destination: String(pdu.destination_addr),
            destTon: Number(pdu.dest_addr_ton),
            destNpi: Number(pdu.dest_addr_npi),
            dataCoding: Number(pdu.data_coding),
            esmClass: Number(pdu.esm_class),
            registeredDelivery: Number(pdu.registered_delivery),
            concat:
              iei === undefined
                ? null
                : { ref: iei[2] ?? -1, total: iei[3] ?? -1, seq: iei[4] ?? -1 },
            text: typeof sm.message === 'string' ? sm.message : '',
            messageId: null,
          };
          submits.push(record);
          const action = smsc.onSubmit(record, submits.length - 1);
          switch (action.kind) {
            case 'ok':
              accept(conn, pdu, record);
              return;
            case 'status':
              session.send(pdu.response({ command_status: action.status }));
              return;
            case 'hold':
              held.push({ pdu, conn, record });
              return;
            case 'drop':
              return;
            case 'close':
              conn.open = false;
              session.destroy();
              return;
          }
          return;
        }
        default:
          session.send(pdu.response({ command_status: smpp.errors.ESME_RINVCMDID }));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  Object.assign(smsc, {
    port,
    url: (options: { password?: string; query?: string } = {}) =>
      `smpp://${SYSTEM_ID}:${encodeURIComponent(options.password ?? PASSWORD)}@127.0.0.1:${port}${options.query ?? ''}`,
  });
  return smsc;
}

/** Polls `done` every 5 ms, at most `maxMs`; throws naming `what` when it never holds. */
export async function waitUntil(done: () => boolean, what: string, maxMs = 5_000): Promise<void> {
  for (let waited = 0; waited <= maxMs; waited += 5) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
