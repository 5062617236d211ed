import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';

/** Helpers shared by the page tests (hosted payment page, holder verification). */
export interface Page {
  readonly status: number;
  readonly body: string;
  readonly location: string | undefined;
  readonly headers: Record<string, unknown>;
  readonly setCookies: readonly string[];
}

/** A cookie-keeping client on one IP that records everything the server sent back. */
export class Browser {
  readonly jar = new Map<string, string>();
  constructor(
    readonly server: FastifyInstance,
    readonly seen: string[],
    readonly ip: string,
  ) {}

  get(url: string): Promise<Page> {
    return this.send('GET', url, undefined);
  }

  post(url: string, fields: Record<string, string>): Promise<Page> {
    return this.send('POST', url, new URLSearchParams(fields).toString());
  }

  private async send(method: 'GET' | 'POST', url: string, form: string | undefined) {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.server.inject({
      method,
      url,
      remoteAddress: this.ip,
      headers: {
        ...(cookie !== '' ? { cookie } : {}),
        ...(form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form !== undefined ? { payload: form } : {}),
    });
    const raw = res.headers['set-cookie'];
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    for (const line of setCookies) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(line)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const location = res.headers.location;
    this.seen.push(res.body, String(location ?? ''), ...setCookies);
    return {
      status: res.statusCode,
      body: res.body,
      location: typeof location === 'string' ? location : undefined,
      headers: res.headers,
      setCookies,
    };
  }
}

export function csrfOf(page: Page): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(token, 'the page carries a CSRF token');
  return token;
}
