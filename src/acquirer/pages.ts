import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyFormbody from '@fastify/formbody';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance } from 'fastify';
import type { Acquirer } from './acquirer.ts';
import { registerBankPage } from './bank-page.ts';
import { registerCardPage } from './card-page.ts';
import { CARD_BRAND } from './page-texts.ts';
import { sendNotice, sendPage } from './page-render.ts';

/**
 * The pages people see: the card company's hosted card form (`/pay/:id`) and the bank's
 * "send a transfer" form (`/bank`), in one scope with form bodies and Eta templates. No script:
 * plain forms that work in any browser.
 */
const VIEWS_DIR = fileURLToPath(new URL('./views/', import.meta.url));
const STYLESHEET = readFileSync(new URL('./views/acquirer.css', import.meta.url), 'utf8');
const FORM_BODY_LIMIT = 8 * 1024;

export async function registerPages(
  app: FastifyInstance,
  options: { readonly acquirer: Acquirer; readonly closing: AbortSignal },
): Promise<void> {
  const { acquirer, closing } = options;

  await app.register(async (pages) => {
    await pages.register(fastifyFormbody, { bodyLimit: FORM_BODY_LIMIT });
    await pages.register(fastifyView, {
      engine: { eta: new Eta({ views: VIEWS_DIR }) },
      templates: VIEWS_DIR,
      production: process.env.NODE_ENV === 'production',
    });

    pages.setErrorHandler(async (error, request, reply) => {
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== undefined && status >= 400 && status < 500) {
        return sendNotice(
          reply,
          {
            heading: { en: 'The request was not understood', ko: '요청을 처리할 수 없습니다' },
            message: { en: 'Go back and try again.', ko: '돌아가서 다시 시도하세요.' },
            tone: 'bad',
          },
          { status },
        );
      }
      request.log.error({ err: error }, 'acquirer page error');
      return sendNotice(
        reply,
        {
          heading: { en: 'Something went wrong', ko: '문제가 발생했습니다' },
          message: {
            en: 'The card company had a problem. Nothing was charged by this step.',
            ko: '카드사에 문제가 생겼습니다. 이 단계에서 결제되지 않았습니다.',
          },
          tone: 'bad',
        },
        { status: 500 },
      );
    });

    pages.get('/assets/acquirer.css', async (_request, reply) =>
      reply
        .type('text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(STYLESHEET),
    );

    pages.get('/', async (_request, reply) =>
      sendPage(reply, 'home.eta', { title: 'Sandbox acquirer', brand: CARD_BRAND }),
    );

    registerCardPage(pages, { acquirer, closing });
    registerBankPage(pages, { acquirer });
  });
}
