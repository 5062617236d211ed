import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  completeRegistration,
  requestRegistrationCode,
  type CarriersContext,
} from '../../carriers/index.ts';
import type { ErrorCode } from '../../kernel/index.ts';
import { statusOf } from '../shared/errors.ts';
import { secretField } from './card-routes.ts';
import type { Locale } from './i18n.ts';
import type { SiteKit, SiteRoutes } from './site-web.ts';
import { CARRIER_TEXT } from './text/carrier.ts';

/**
 * Registering a PIN sold by a mobile carrier (FIG. 7–8): PIN + the phone the PIN was texted to
 * → a one-time code by SMS to that phone (SMS limits per number, prefix and IP) → code + a new
 * password → the card is active. See docs/carriers.md.
 */

interface Refusal {
  readonly code: ErrorCode;
  readonly param?: string;
}

function messageOf(site: SiteKit, code: ErrorCode, locale: Locale): string {
  const own = CARRIER_TEXT[`carrier.error.${code}`];
  return own !== undefined ? own[locale] : site.messageOf(code, locale);
}

const FIELDS = ['pin', 'phone', 'code', 'new_password'];

export function carrierRoutes(carriers: CarriersContext): SiteRoutes {
  return (app: FastifyInstance, site: SiteKit): void => {
    const hidden = { schema: { hide: true } } as const;

    async function show(
      request: FastifyRequest,
      reply: FastifyReply,
      extra: {
        readonly step?: 'ask' | 'code' | 'done';
        readonly last4?: string;
        readonly error?: Refusal;
      } = {},
    ): Promise<FastifyReply> {
      const locale = site.localeOf(request);
      const error = extra.error;
      const onField =
        error !== undefined &&
        FIELDS.includes(error.param ?? '') &&
        CARRIER_TEXT[`carrier.error.${error.code}`] === undefined;
      return site.render(
        request,
        reply,
        'carrier/register.eta',
        {
          titleKey: 'carrier.title',
          step: extra.step ?? 'ask',
          last4: extra.last4 ?? '',
          errors:
            onField && error !== undefined
              ? site.fieldErrors(locale, { [error.param ?? '']: error.code })
              : {},
          formError:
            error === undefined || onField
              ? null
              : { id: 'carrier-error', message: messageOf(site, error.code, locale) },
        },
        { status: error === undefined ? 200 : statusOf(error.code) },
      );
    }

    app.get('/carrier/register', hidden, async (request, reply) => show(request, reply));

    app.post('/carrier/register', site.postRoute('carrier-register'), async (request, reply) => {
      const sent = await requestRegistrationCode(carriers, {
        pin: site.formField(request.body, 'pin'),
        phone: site.formField(request.body, 'phone'),
        ip: request.ip,
      });
      request.log.info({ result: sent.ok ? 'sent' : sent.error.code }, 'carrier registration code');
      if (!sent.ok) return show(request, reply, { error: sent.error });
      return show(request, reply, { step: 'code' });
    });

    app.post(
      '/carrier/register/confirm',
      site.postRoute('carrier-register-confirm'),
      async (request, reply) => {
        const done = await completeRegistration(carriers, {
          pin: site.formField(request.body, 'pin'),
          code: secretField(site, request.body, 'code'),
          password: secretField(site, request.body, 'new_password'),
        });
        request.log.info(
          { result: done.ok ? 'registered' : done.error.code },
          'carrier registration',
        );
        if (!done.ok) return show(request, reply, { step: 'code', error: done.error });
        return show(request, reply, { step: 'done', last4: done.value.pinLast4 });
      },
    );
  };
}
