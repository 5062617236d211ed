/**
 * The part of the `smpp` package (farhadi/node-smpp, MIT, plain JavaScript without types) that
 * we use: its PDU codec and its session over a socket. Values are typed as they decode.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface Pdu {
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): Pdu;
    toBuffer(): Buffer;
  }

  export interface PduConstructor {
    new (command: string, options?: Record<string, unknown>): Pdu;
    new (buffer: Buffer): Pdu;
    maxLength: number;
  }

  export interface TlvType {
    read(buffer: Buffer, offset: number, length: number): unknown;
    write(value: unknown, buffer: Buffer, offset: number): void;
    size(value: unknown): number;
    default: unknown;
  }

  export class Session extends EventEmitter {
    socket: Socket;
    server?: Server;
    send(pdu: Pdu, onResponse?: (pdu: Pdu) => void, onSent?: (pdu: Pdu) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
  }

  export interface Server extends NetServer {
    sessions: Session[];
  }

  interface SmppPackage {
    PDU: PduConstructor;
    Session: typeof Session;
    connect(options: { host: string; port: number }): Session;
    createServer(listener?: (session: Session) => void): Server;
    addTLV(tag: string, options: { id: number; type: TlvType }): void;
    errors: Readonly<Record<string, number>>;
    tlvs: Readonly<Record<string, { id: number; type: TlvType }>>;
    encodings: Readonly<Record<string, { decode(value: Buffer): string }>>;
  }

  const smpp: SmppPackage;
  export default smpp;
}
