import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { ManualClock } from '../../src/kernel/index.ts';
import type { EmailData, NotifyContext } from '../../src/notify/index.ts';
import type { Database } from '../../src/storage/index.ts';

/** Helpers shared by the notify tests. */
export const PUBLIC_URL = 'http://127.0.0.1:3000';
export const FROM = 'OnePIN <no-reply@onepin.example>';

export function notifyContext(
  db: Database,
  clock = new ManualClock(),
): NotifyContext & {
  readonly clock: ManualClock;
} {
  return { db, clock, bodyKey: randomBytes(32), publicUrl: PUBLIC_URL, from: FROM };
}

/** A PIN in its grouped form, as the sales module would pass it. */
export const GIFT_PIN = '4929 1837 6650 2918 3345';

export const SAMPLE: { readonly [K in keyof EmailData]: EmailData[K] } = {
  order_receipt: {
    buyerName: 'Kim Minji',
    orderId: 'ord_7h2k',
    lines: [
      { name: 'OnePIN card 10,000', quantity: '2', amount: '20,000 won' },
      { name: 'OnePIN card 50,000', quantity: '1', amount: '50,000 won' },
    ],
    total: '70,000 won',
    method: 'card',
    paidAt: '2026-01-01 09:00 KST',
    purpose: 'self',
    siteUrl: `${PUBLIC_URL}/`,
  },
  gift: {
    senderName: 'Kim Minji',
    recipientName: 'Lee Joon',
    message: 'Happy birthday, Joon!',
    design: 'birthday',
    amount: '50,000 won',
    pin: GIFT_PIN,
    serial: 'OP-0001-2345',
    claimUrl: `${PUBLIC_URL}/claim/act_9x8y7z?lang=en`,
    claimExpiresAt: '2026-01-08',
    siteUrl: `${PUBLIC_URL}/`,
  },
  bank_transfer_instructions: {
    buyerName: 'Kim Minji',
    orderId: 'ord_b4nk',
    bank: 'OnePIN Sandbox Bank',
    accountNumber: '110-234-567890',
    accountHolder: 'OnePIN Co.',
    amount: '30,000 won',
    dueAt: '2026-01-03 23:59 KST',
  },
  recharge_receipt: {
    cardLast4: '3345',
    amount: '20,000 won',
    balanceAfter: '45,000 won',
    method: 'Credit card',
    at: '2026-01-02 10:15 KST',
  },
  balance_refund: {
    step: 'rejected',
    cardLast4: '3345',
    amount: '45,000 won',
    fee: '0 won',
    payout: '45,000 won',
    reason: 'Less than 60% of the value was used.',
    instrument: 'Card ending 4242',
  },
  one_time_code: {
    code: '482913',
    purpose: 'password_reset',
    cardLast4: '3345',
    expiresInMinutes: '10',
  },
  card_rekeyed: { oldLast4: '3345', newLast4: '9012', at: '2026-01-05 12:00 KST' },
  password_changed: { cardLast4: '3345', at: '2026-01-06 08:30 KST' },
  foreign_pin: {
    providerName: 'GlobalCall',
    value: '10.00 USD',
    pin: 'GC-7731-0042-9918',
    paid: '13,853 KRW',
    rate: '1 USD = 1,385.27 KRW',
    cardLast4: '3345',
    reference: 'fxs_sample',
    at: '2026-01-06 09:00 KST',
  },
  foreign_low_stock: {
    providerName: 'GlobalCall',
    value: '10.00 USD',
    available: '4',
    threshold: '5',
    at: '2026-01-06 09:00 KST',
  },
  card_expiring: {
    cardLast4: '3345',
    balance: '7,000 KRW',
    expiresAt: '2026-12-31 23:59 KST',
    daysLeft: '30',
    siteUrl: `${PUBLIC_URL}/`,
  },
};

export interface Received {
  /** Who logged in to send it (undefined: no login). */
  readonly user: unknown;
  readonly envelopeTo: readonly string[];
  readonly raw: Buffer;
  readonly parsed: ParsedMail;
}

export interface TestSmtp {
  readonly url: string;
  readonly received: Received[];
  /** RCPT TO attempts seen, accepted or not. */
  readonly rcptAttempts: string[];
  close(): Promise<void>;
}

/**
 * A real SMTP peer on 127.0.0.1, port 0: no TLS, a login that must match the URL's user and
 * password, and optionally refusing every recipient (a mail server that will not take mail).
 */
export async function startSmtp(
  options: { readonly rejectRecipients?: boolean } = {},
): Promise<TestSmtp> {
  const received: Received[] = [];
  const rcptAttempts: string[] = [];
  const user = 'mailer@onepin';
  const pass = 'p@ss:w/rd';
  const config: SMTPServerOptions = {
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === pass) callback(null, { user });
      else callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      rcptAttempts.push(address.address);
      if (options.rejectRecipients === true) {
        const error = new Error('Mailbox unavailable') as Error & { responseCode: number };
        error.responseCode = 550;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            received.push({
              user: session.user,
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
            });
            callback();
          })
          .catch((error: unknown) => callback(error as Error));
      });
    },
  };
  const server = new SMTPServer(config);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}`,
    received,
    rcptAttempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every text column of a raw row, joined: what someone with a copy of the database reads. */
export function rawText(row: Record<string, unknown>): string {
  return Object.values(row)
    .map((v) => {
      if (v === null || v === undefined) return '';
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'bigint') return v.toString();
      return v instanceof Buffer ? v.toString('latin1') : JSON.stringify(v);
    })
    .join('\n');
}
