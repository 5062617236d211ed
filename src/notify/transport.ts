import nodemailer from 'nodemailer';

/** One mail, ready to go: the transport adds nothing but the envelope. */
export interface OutgoingEmail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** `<id@domain>`: the same on every attempt, so a receiver can drop a duplicate. */
  readonly messageId?: string;
}

/** Sends one mail or throws; what it throws is logged on the row (without the body). */
export interface EmailTransport {
  send(mail: OutgoingEmail): Promise<{ messageId: string }>;
}

/** How long each SMTP step may take before the attempt counts as failed. */
export const SMTP_CONNECTION_TIMEOUT_MS = 10_000;
export const SMTP_GREETING_TIMEOUT_MS = 10_000;
export const SMTP_SOCKET_TIMEOUT_MS = 30_000;
/** Longest one send may take, end to end: the delivery lease must outlast it. */
export const SMTP_SEND_TIMEOUT_MS = 60_000;

/** The URL without its password, for logs and start-up messages. */
export function redactSmtpUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'smtp://(unparsable)';
  }
}

/**
 * Sends through an SMTP server: `smtp://user:pass@host:587` (STARTTLS when the server offers
 * it), `smtps://user:pass@host:465` (TLS from the start). User and password are
 * percent-encoded in the URL. Each mail opens its own connection, which keeps the transport
 * free of state to close; every step has a timeout and the whole send is cut off at
 * SMTP_SEND_TIMEOUT_MS.
 */
export function smtpTransport(url: string): EmailTransport {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`SMTP_URL is not a URL: ${redactSmtpUrl(url)}`);
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new Error('SMTP_URL must start with smtp:// or smtps://');
  }
  if (parsed.hostname === '') throw new Error('SMTP_URL must name a host');
  const mailer = nodemailer.createTransport({
    url,
    connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
  });
  return {
    async send(mail) {
      const info = await mailer.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        ...(mail.messageId !== undefined ? { messageId: mail.messageId } : {}),
        // Our bodies are whole documents; nodemailer must not fetch anything they mention.
        disableUrlAccess: true,
        disableFileAccess: true,
        signal: AbortSignal.timeout(SMTP_SEND_TIMEOUT_MS),
      });
      return { messageId: info.messageId };
    },
  };
}
