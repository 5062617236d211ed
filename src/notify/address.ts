/**
 * A deliberately strict e-mail address check: what people type into an order form, nothing
 * exotic. No quoted local parts, no comments, no IP literals, no whitespace or control
 * characters (so an address can never carry a header break), at most 254 characters overall
 * (RFC 5321's path limit) and 64 before the @.
 */
export const EMAIL_ADDRESS_CHARS_MAX = 254;
const LOCAL_CHARS_MAX = 64;

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LEVEL = /^[A-Za-z]{2,63}$/;

/** The address as stored (domain in lower case), or null when it is not acceptable. */
export function normalizeEmailAddress(input: string): string | null {
  if (input.length === 0 || input.length > EMAIL_ADDRESS_CHARS_MAX) return null;
  const at = input.lastIndexOf('@');
  if (at <= 0 || input.indexOf('@') !== at) return null;
  const local = input.slice(0, at);
  const domain = input.slice(at + 1).toLowerCase();
  if (local.length > LOCAL_CHARS_MAX || !LOCAL.test(local)) return null;
  const labels = domain.split('.');
  if (labels.length < 2) return null;
  if (!labels.every((label) => LABEL.test(label))) return null;
  if (!TOP_LEVEL.test(labels.at(-1) ?? '')) return null;
  return `${local}@${domain}`;
}
