import type { Page } from '../http/pages-support.ts';

/** Longest one request of these tests may take before it counts as no answer. */
export const REQUEST_TIMEOUT_MS = 15_000;

/**
 * A cookie-keeping client over real HTTP (fetch), for servers that are not in this process or
 * URLs that must be opened as a mail reader would. It does not follow redirects, so each hop
 * can be checked; answers have the same shape as the inject-based `Browser`'s.
 */
export class HttpClient {
  readonly jar = new Map<string, string>();

  /** `base` is prefixed to paths that start with '/'; absolute URLs are used as they are. */
  constructor(readonly base: string) {}

  get(url: string): Promise<Page> {
    return this.send('GET', url, undefined);
  }

  post(url: string, fields: Record<string, string>): Promise<Page> {
    return this.send('POST', url, new URLSearchParams(fields).toString());
  }

  private async send(method: 'GET' | 'POST', url: string, form: string | undefined): Promise<Page> {
    const target = url.startsWith('/') ? `${this.base}${url}` : url;
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers: Record<string, string> = {};
    if (cookie !== '') headers.cookie = cookie;
    if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(target, {
      method,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      ...(form !== undefined ? { body: form } : {}),
    });
    const body = await res.text();
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(line)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const location = res.headers.get('location');
    return {
      status: res.status,
      body,
      location: location ?? undefined,
      headers: Object.fromEntries(res.headers),
      setCookies,
    };
  }
}
