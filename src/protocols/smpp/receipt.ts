/**
 * Delivery receipts (SMPP 3.4 §5.2.12 and Appendix B): a deliver_sm whose esm_class message type
 * is "SMSC delivery receipt" (0x04) or "intermediate delivery notification" (0x20). The text is
 * conventionally `id:… sub:… dlvrd:… submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:… err:…
 * text:…`; SMPP 3.4 also defines the receipted_message_id (0x001E) and message_state (0x0427)
 * TLVs, which win when present. Pure functions.
 */
export const ESM_CLASS_TYPE_MASK = 0x3c;
export const ESM_CLASS_RECEIPT = 0x04;
export const ESM_CLASS_INTERMEDIATE = 0x20;

export type ReceiptState =
  | 'scheduled'
  | 'enroute'
  | 'delivered'
  | 'expired'
  | 'deleted'
  | 'undeliverable'
  | 'accepted'
  | 'unknown'
  | 'rejected'
  | 'skipped';

/** message_state TLV values (SMPP 3.4 §5.2.28; 0 and 9 from SMPP 5.0). */
const STATE_BY_TLV: readonly ReceiptState[] = [
  'scheduled',
  'enroute',
  'delivered',
  'expired',
  'deleted',
  'undeliverable',
  'accepted',
  'unknown',
  'rejected',
  'skipped',
];

/** The 7-letter `stat:` words of the receipt text. */
const STATE_BY_STAT: Readonly<Record<string, ReceiptState>> = {
  SCHEDUL: 'scheduled',
  ENROUTE: 'enroute',
  DELIVRD: 'delivered',
  EXPIRED: 'expired',
  DELETED: 'deleted',
  UNDELIV: 'undeliverable',
  ACCEPTD: 'accepted',
  UNKNOWN: 'unknown',
  REJECTD: 'rejected',
  SKIPPED: 'skipped',
};

export interface ReceiptText {
  readonly id: string | null;
  readonly sub: string | null;
  readonly dlvrd: string | null;
  readonly submitDate: string | null;
  readonly doneDate: string | null;
  readonly stat: string | null;
  readonly err: string | null;
}

export interface DeliveryReceipt {
  /** The SMSC's id of the part, as its submit_sm_resp gave it. */
  readonly messageId: string;
  readonly state: ReceiptState;
  /** The receipt's own words: `stat:` of the text, or `message_state=N` from the TLV. */
  readonly stat: string;
  /** The `err:` field (network or SMSC error code), when given. */
  readonly error: string | null;
  /** `YYMMDDhhmm[ss]` as the SMSC wrote it (its time zone), when given. */
  readonly doneDate: string | null;
  /** Intermediate notification (not final). */
  readonly intermediate: boolean;
}

const FIELD_CHARS = 64;

function field(head: string, pattern: RegExp): string | null {
  const value = pattern.exec(head)?.[1];
  return value === undefined || value === '' ? null : value.slice(0, FIELD_CHARS);
}

/**
 * Reads the conventional receipt text. Only the part before `text:` is read (the quoted start
 * of the message may contain anything); field names are case-insensitive.
 */
export function parseReceiptText(text: string): ReceiptText {
  const cut = /\btext:/i.exec(text);
  const head = cut === null ? text : text.slice(0, cut.index);
  return {
    id: field(head, /(?:^|\s)id:(\S+)/i),
    sub: field(head, /\bsub:(\S+)/i),
    dlvrd: field(head, /\bdlvrd:(\S+)/i),
    submitDate: field(head, /\bsubmit date:(\d+)/i),
    doneDate: field(head, /\bdone date:(\d+)/i),
    stat: field(head, /\bstat:(\S+)/i),
    err: field(head, /\berr:(\S+)/i),
  };
}

export function isReceiptEsmClass(esmClass: number): boolean {
  const type = esmClass & ESM_CLASS_TYPE_MASK;
  return type === ESM_CLASS_RECEIPT || type === ESM_CLASS_INTERMEDIATE;
}

/**
 * A receipt from a deliver_sm's fields, or `malformed` when it names no message or no state it
 * could be matched with. The TLVs win over the text; a receipted_message_id is trimmed of the
 * NUL a C-Octet string ends with.
 */
export function receiptOf(input: {
  readonly esmClass: number;
  readonly text: string;
  readonly receiptedMessageId?: string | undefined;
  readonly messageState?: number | undefined;
}): DeliveryReceipt | 'malformed' {
  const parsed = parseReceiptText(input.text);
  const tlvId = input.receiptedMessageId?.replace(/\0[\s\S]*$/, '').trim();
  const messageId = tlvId !== undefined && tlvId !== '' ? tlvId : parsed.id;
  let state: ReceiptState | undefined;
  let stat: string | null = parsed.stat;
  if (input.messageState !== undefined) {
    state = STATE_BY_TLV[input.messageState];
    if (state !== undefined && stat === null) stat = `message_state=${input.messageState}`;
  }
  if (state === undefined && parsed.stat !== null) {
    state = STATE_BY_STAT[parsed.stat.toUpperCase()];
  }
  if (
    messageId === null ||
    messageId.length > FIELD_CHARS ||
    state === undefined ||
    stat === null
  ) {
    return 'malformed';
  }
  return {
    messageId,
    state,
    stat,
    error: parsed.err,
    doneDate: parsed.doneDate,
    intermediate: (input.esmClass & ESM_CLASS_TYPE_MASK) === ESM_CLASS_INTERMEDIATE,
  };
}
