import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendPage } from '../pay/web.ts';

/** Where the dev mailbox lives, and its stylesheets. */
export const MAILBOX_PATH = '/dev/mailbox';
export const MAILBOX_STYLESHEET = `${MAILBOX_PATH}/assets/pages.css`;
export const MAILBOX_OWN_STYLESHEET = `${MAILBOX_PATH}/assets/mailbox.css`;

/** Renders a mailbox page inside the mailbox layout. */
export async function sendMailboxPage(
  reply: FastifyReply,
  template: string,
  data: Record<string, unknown>,
  status = 200,
): Promise<FastifyReply> {
  return sendPage(
    reply,
    template,
    { base: MAILBOX_PATH, mailboxStylesheet: MAILBOX_OWN_STYLESHEET, ...data },
    { status, stylesheetPath: MAILBOX_STYLESHEET },
  );
}

export async function sendMailboxMessage(
  request: FastifyRequest,
  reply: FastifyReply,
  kind: 'not_found' | 'error',
): Promise<FastifyReply> {
  const notFound = kind === 'not_found';
  return sendMailboxPage(
    reply,
    'mailbox-message.eta',
    {
      title: 'OnePIN mailbox',
      heading: notFound ? 'E-mail not found' : 'Something went wrong',
      headingKo: notFound ? '메일을 찾을 수 없습니다' : '문제가 발생했습니다',
      message: notFound
        ? { en: 'There is no such e-mail in the outbox.', ko: '보관함에 그런 메일이 없습니다.' }
        : {
            en: 'The mailbox could not show this page. Try again.',
            ko: '페이지를 표시하지 못했습니다. 다시 시도하세요.',
          },
      requestId: request.id,
    },
    notFound ? 404 : 500,
  );
}
