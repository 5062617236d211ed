import type { FastifyInstance } from 'fastify';
import { isoFromMs } from '../../kernel/index.ts';
import {
  EMAIL_STATUSES,
  getEmail,
  isEmailStatus,
  listEmails,
  type NotifyContext,
} from '../../notify/index.ts';
import { linksIn } from './links.ts';
import { MAILBOX_PATH, sendMailboxMessage, sendMailboxPage } from './pages.ts';

/** Mails on one mailbox page. */
export const MAILBOX_PAGE_SIZE = 50;

/** A query-string value: '' when absent, repeated or too long. */
function queryText(query: unknown, name: string, charsMax = 300): string {
  if (typeof query !== 'object' || query === null) return '';
  const value = (query as Record<string, unknown>)[name];
  return typeof value === 'string' && value.length <= charsMax ? value.trim() : '';
}

/**
 * Shown in the mail's frame: the HTML body as a document of its own, sandboxed (no script, no
 * same-origin access, no forms), with styles only from the mail itself and no remote loads.
 * Links open in a new tab, where the gift's claim page works as it would from a mail client.
 */
const BODY_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    styleSrc: ["'unsafe-inline'"],
    imgSrc: ['data:'],
    formAction: ["'none'"],
    frameAncestors: ["'self'"],
    sandbox: ['allow-popups', 'allow-popups-to-escape-sandbox'],
  },
};

function withNewTabLinks(html: string): string {
  const base = '<base target="_blank">';
  return /<head[^>]*>/i.test(html)
    ? html.replace(/<head[^>]*>/i, (head) => `${head}${base}`)
    : `${base}${html}`;
}

export function registerMailboxRoutes(app: FastifyInstance, notify: NotifyContext): void {
  app.get(MAILBOX_PATH, { schema: { hide: true } }, async (request, reply) => {
    const to = queryText(request.query, 'to');
    const statusText = queryText(request.query, 'status');
    const cursor = queryText(request.query, 'cursor');
    const status = isEmailStatus(statusText) ? statusText : undefined;
    const page = await listEmails(notify, notify.db.kysely, {
      limit: MAILBOX_PAGE_SIZE,
      ...(to !== '' ? { to } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(cursor !== '' ? { cursor } : {}),
    });
    const filter = { to, status: status ?? '' };
    if (!page.ok) {
      const badAddress = page.error.code === 'email_invalid';
      return sendMailboxPage(
        reply,
        'mailbox-list.eta',
        {
          title: 'OnePIN mailbox',
          statuses: EMAIL_STATUSES,
          filter,
          rows: [],
          next: null,
          error: badAddress
            ? {
                en: 'That is not a whole e-mail address. Type the full address, e.g. kim@example.com.',
                ko: '전체 이메일 주소를 입력하세요. 예: kim@example.com',
              }
            : { en: 'That page does not exist any more.', ko: '그 페이지는 더 이상 없습니다.' },
        },
        400,
      );
    }
    const last = page.value.nextCursor;
    const params = new URLSearchParams();
    if (to !== '') params.set('to', to);
    if (status !== undefined) params.set('status', status);
    if (last !== null) params.set('cursor', last);
    return sendMailboxPage(reply, 'mailbox-list.eta', {
      title: 'OnePIN mailbox',
      statuses: EMAIL_STATUSES,
      filter,
      error: null,
      next: last === null ? null : `${MAILBOX_PATH}?${params.toString()}`,
      rows: page.value.data.map((m) => ({
        id: m.id,
        to: m.to,
        subject: m.subject,
        status: m.status,
        time: isoFromMs(m.createdAtMs),
      })),
    });
  });

  app.get<{ Params: { id: string } }>(
    `${MAILBOX_PATH}/:id`,
    { schema: { hide: true } },
    async (request, reply) => {
      const mail = await getEmail(notify, notify.db.kysely, request.params.id);
      if (mail === undefined) return sendMailboxMessage(request, reply, 'not_found');
      return sendMailboxPage(reply, 'mailbox-mail.eta', {
        title: `${mail.subject} · OnePIN mailbox`,
        from: notify.from,
        bodyUrl: `${MAILBOX_PATH}/${mail.id}/body`,
        links: linksIn(mail.text),
        mail: {
          to: mail.to,
          subject: mail.subject,
          status: mail.status,
          template: mail.template,
          locale: mail.locale,
          attempts: mail.attempts,
          lastError: mail.lastError,
          text: mail.text,
          created: isoFromMs(mail.createdAtMs),
          sendAfter: mail.sendAfterMs > mail.createdAtMs ? isoFromMs(mail.sendAfterMs) : null,
          sent: mail.sentAtMs === null ? null : isoFromMs(mail.sentAtMs),
        },
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    `${MAILBOX_PATH}/:id/body`,
    {
      schema: { hide: true },
      helmet: { contentSecurityPolicy: BODY_CSP, frameguard: { action: 'sameorigin' } },
    },
    async (request, reply) => {
      const mail = await getEmail(notify, notify.db.kysely, request.params.id);
      if (mail === undefined) {
        return reply.code(404).type('text/plain; charset=utf-8').send('No such e-mail');
      }
      return reply.type('text/html; charset=utf-8').send(withNewTabLinks(mail.html));
    },
  );
}
