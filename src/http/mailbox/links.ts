/** Links a mailbox page lists under a mail, so the claim link is one click away. */
export const MAIL_LINKS_MAX = 20;

/**
 * The web links in a mail's plain-text body, in order, without repeats. Only http(s): the
 * page shows each as a link, and a link must never run script.
 */
export function linksIn(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/https?:\/\/[^\s<>"'`]+/g)) {
    const link = match[0].replace(/[.,;:!?)\]]+$/, '');
    if (found.includes(link)) continue;
    try {
      const url = new URL(link);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    } catch {
      continue;
    }
    found.push(link);
    if (found.length >= MAIL_LINKS_MAX) break;
  }
  return found;
}

/** True for requests from this machine: the mailbox shows PINs, so by default only to them. */
export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
