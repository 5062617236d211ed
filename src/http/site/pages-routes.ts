import type { FastifyInstance } from 'fastify';
import { listDenominations, type Denomination, type ValidityRule } from '../../cards/index.ts';
import { formatMoney } from '../../kernel/index.ts';
import { listApiKeys, listAssociates, type Associate } from '../../payments/index.ts';
import type { Locale, TextFn } from './i18n.ts';
import { directorySections } from './directory.ts';
import { HOME_NEWS_COUNT, NEWS, type NewsItem } from './news.ts';
import type { SiteKit } from './site-web.ts';
import { siteDate } from './site-time.ts';

const DAYS_PER_YEAR = 365n;

/** "Valid for 5 years after purchase", from the denomination's validity rule. */
export function validityText(rule: ValidityRule, t: TextFn): string {
  switch (rule.kind) {
    case 'fixed_date':
      return t('validity.until', { date: siteDate(rule.untilMs) });
    case 'days_after_sale':
      return rule.days % DAYS_PER_YEAR === 0n
        ? t('validity.yearsAfterSale', { years: rule.days / DAYS_PER_YEAR })
        : t('validity.daysAfterSale', { days: rule.days });
    case 'days_after_first_use':
      return rule.days % DAYS_PER_YEAR === 0n
        ? t('validity.yearsAfterFirstUse', { years: rule.days / DAYS_PER_YEAR })
        : t('validity.daysAfterFirstUse', { days: rule.days });
  }
}

function denominationView(d: Denomination, t: TextFn) {
  return {
    id: d.id,
    amount: formatMoney(d.amountMinor, d.currency),
    validity: validityText(d.validity, t),
    buyHref: `/buy?denomination=${encodeURIComponent(d.id)}`,
  };
}

function newsView(item: NewsItem, locale: Locale) {
  return { id: item.id, date: item.date, title: item.title[locale], body: item.body[locale] };
}

/**
 * An associate is listed when it is active and takes real cards: it holds a live API key that
 * is neither revoked nor expired. Associates still integrating with test keys are not shown.
 */
async function isListed(site: SiteKit, associate: Associate, nowMs: bigint): Promise<boolean> {
  if (associate.status !== 'active') return false;
  const keys = await listApiKeys(site.payments.db.kysely, associate.id);
  return keys.some(
    (k) =>
      k.livemode && k.revokedAtMs === null && (k.expiresAtMs === null || k.expiresAtMs > nowMs),
  );
}

/** Home, "What is OnePIN?", terms, about, news and the associates directory. */
export function registerPagesRoutes(app: FastifyInstance, site: SiteKit): void {
  const hidden = { schema: { hide: true } } as const;

  app.get('/', hidden, async (request, reply) => {
    const locale = site.localeOf(request);
    const t = site.textOf(locale);
    const denominations = (await listDenominations(site.payments.db.kysely)).filter(
      (d) => d.onSale,
    );
    return site.render(request, reply, 'site/home.eta', {
      titleKey: 'home.title',
      denominations: denominations.map((d) => denominationView(d, t)),
      news: NEWS.slice(0, HOME_NEWS_COUNT).map((n) => newsView(n, locale)),
    });
  });

  app.get('/about/onepin', hidden, async (request, reply) =>
    site.render(request, reply, 'site/what-is.eta', { titleKey: 'whatIs.title' }),
  );

  app.get('/about/terms', hidden, async (request, reply) =>
    site.render(request, reply, 'site/terms.eta', { titleKey: 'terms.title' }),
  );

  app.get('/about', hidden, async (request, reply) =>
    site.render(request, reply, 'site/about.eta', { titleKey: 'about.title' }),
  );

  app.get('/news', hidden, async (request, reply) => {
    const locale = site.localeOf(request);
    return site.render(request, reply, 'site/news.eta', {
      titleKey: 'news.title',
      news: NEWS.map((n) => newsView(n, locale)),
    });
  });

  app.get('/associates', hidden, async (request, reply) => {
    const nowMs = site.payments.clock.nowMs();
    const listed: Associate[] = [];
    for (const associate of await listAssociates(site.payments.db.kysely)) {
      if (await isListed(site, associate, nowMs)) listed.push(associate);
    }
    return site.render(request, reply, 'site/associates.eta', {
      titleKey: 'associates.title',
      sections: directorySections(listed),
    });
  });
}
