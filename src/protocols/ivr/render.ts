import type { Verb } from './machine.ts';
import { SAY_LANGUAGE, messageText } from './messages.ts';

/**
 * TwiML-style XML for the verbs. No XML library is among the dependencies, and this output is
 * a flat, fixed set of seven elements whose text and attribute values are our own prompts,
 * digits, numbers and URLs: escaping the five XML special characters (and dropping the control
 * characters XML 1.0 forbids) is all it takes, so a dependency would add nothing.
 */

/** Escapes text or an attribute value (always double-quoted). */
export function escapeXml(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- removing exactly the characters XML forbids
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

function element(
  name: string,
  attributes: readonly (readonly [string, string | number | null])[],
  content: string | null,
): string {
  const attrs = attributes
    .filter((a): a is readonly [string, string | number] => a[1] !== null)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('');
  return content === null ? `<${name}${attrs}/>` : `<${name}${attrs}>${content}</${name}>`;
}

export interface RenderTargets {
  /** Where a Gather posts its digits (and the Redirect after it goes on timeout). */
  readonly gatherUrl: string | null;
  /** Where a Dial posts how the leg ended. */
  readonly dialUrl: string | null;
  /** The caller id for outgoing legs; null: the platform's default. */
  readonly callerId?: string | null;
}

function need(url: string | null, verb: string): string {
  if (url === null) throw new Error(`ivr: a ${verb} needs an action URL`);
  return url;
}

function renderVerb(verb: Verb, targets: RenderTargets): string {
  switch (verb.kind) {
    case 'say':
      return element(
        'Say',
        [['language', SAY_LANGUAGE[verb.lang]]],
        escapeXml(messageText(verb.message, verb.lang)),
      );
    case 'gather':
      return element(
        'Gather',
        [
          ['input', 'dtmf'],
          ['action', need(targets.gatherUrl, 'Gather')],
          ['method', 'POST'],
          ['timeout', verb.timeoutSeconds],
          ['finishOnKey', verb.finishOnKey],
          ['numDigits', verb.numDigits],
          ['actionOnEmptyResult', 'true'],
        ],
        verb.prompts.map((p) => renderVerb(p, targets)).join(''),
      );
    case 'redirect':
      return element(
        'Redirect',
        [['method', 'POST']],
        escapeXml(need(targets.gatherUrl, 'Redirect')),
      );
    case 'dial':
      return element(
        'Dial',
        [
          ['action', need(targets.dialUrl, 'Dial')],
          ['method', 'POST'],
          ['timeLimit', verb.timeLimitSeconds],
          ['callerId', targets.callerId ?? null],
        ],
        element('Number', [], escapeXml(verb.number)),
      );
    case 'play':
      return element('Play', [], escapeXml(verb.url));
    case 'pause':
      return element('Pause', [['length', verb.seconds]], null);
    case 'hangup':
      return element('Hangup', [], null);
  }
}

/** The whole response document. */
export function renderResponse(verbs: readonly Verb[], targets: RenderTargets): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(
    'Response',
    [],
    verbs.map((v) => renderVerb(v, targets)).join(''),
  )}\n`;
}
