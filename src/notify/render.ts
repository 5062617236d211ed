import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { GIFT_DESIGN_LOOKS, type GiftDesignLook } from './designs.ts';
import { MAIL_STYLES } from './styles.ts';
import { subjectOf } from './subjects.ts';
import type { EmailData, Locale, TemplateName } from './templates.ts';

/**
 * Renders a mail from its template: `templates/<locale>/<template>.html.eta` (inline-styled
 * HTML, escaped with `<%= %>`) and `<template>.txt.eta` (plain text, nothing escaped; it is
 * never read as HTML). Templates are read once and cached.
 */
const TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

const htmlEngine = new Eta({ views: TEMPLATES_DIR, autoEscape: true, cache: true });
// Text templates trim only where a tag asks for it (`-%>`): a line that ends in a value keeps
// its line break.
const textEngine = new Eta({
  views: TEMPLATES_DIR,
  autoEscape: false,
  autoTrim: false,
  cache: true,
});

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** What every template sees besides its own data, under `it.mail` and `it.s`. */
interface MailFrame {
  readonly locale: Locale;
  readonly subject: string;
  readonly publicUrl: string;
  /** The gift design's colours and heading (gift mails only). */
  readonly look: (GiftDesignLook & { readonly title: string }) | null;
}

/** Tidy plain text: LF line ends, no trailing spaces, at most one blank line in a row. */
function tidyText(text: string): string {
  return `${text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

export function renderEmail<K extends TemplateName>(input: {
  readonly template: K;
  readonly locale: Locale;
  readonly data: EmailData[K];
  readonly publicUrl: string;
}): RenderedEmail {
  const subject = subjectOf(input.template, input.locale, input.data);
  const design = (input.data as { readonly design?: unknown }).design;
  const look =
    input.template === 'gift' &&
    typeof design === 'string' &&
    Object.hasOwn(GIFT_DESIGN_LOOKS, design)
      ? GIFT_DESIGN_LOOKS[design as keyof typeof GIFT_DESIGN_LOOKS]
      : null;
  const mail: MailFrame = {
    locale: input.locale,
    subject,
    publicUrl: input.publicUrl,
    look: look === null ? null : { ...look, title: look.heading[input.locale] },
  };
  const scope = { ...input.data, mail, s: MAIL_STYLES };
  const base = `./${input.locale}/${input.template}`;
  const html = htmlEngine.render(`${base}.html.eta`, scope);
  const text = tidyText(textEngine.render(`${base}.txt.eta`, scope));
  return { subject, text, html };
}
