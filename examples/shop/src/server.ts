import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { cartCookie, cartLines, cartTotal, parseCart, withQuantity, type Cart } from './cart.ts';
import { productById } from './catalog.ts';
import { STYLE, cartPage, messagePage, orderPage, ordersPage, productsPage } from './pages.ts';
import { verifyReturnLink } from './return-link.ts';
import type { Shop } from './shop.ts';

const BODY_MAX_BYTES = 64 * 1024;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > BODY_MAX_BYTES) throw new HttpFailure(413, 'the body is too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(
  response: ServerResponse,
  status: number,
  body: string,
  type = 'text/html; charset=utf-8',
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(body);
}

function redirect(response: ServerResponse, location: string, cart?: Cart): void {
  response.writeHead(303, {
    Location: location,
    ...(cart === undefined ? {} : { 'Set-Cookie': cartCookie(cart) }),
  });
  response.end();
}

function count(cart: Cart): number {
  let n = 0;
  for (const quantity of cart.values()) n += quantity;
  return n;
}

function singleHeaders(request: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value) && value[0] !== undefined) out[name] = value[0];
  }
  return out;
}

/** The shop's routes on plain node:http. */
export function shopServer(shop: Shop, webhookSecret: string): Server {
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://shop.invalid');
    const cart = parseCart(request.headers.cookie);
    const route = `${request.method ?? 'GET'} ${url.pathname}`;
    switch (route) {
      case 'GET /':
        return send(response, 200, productsPage(count(cart)));
      case 'GET /style.css':
        return send(response, 200, STYLE, 'text/css; charset=utf-8');
      case 'GET /healthz':
        return send(response, 200, '{"status":"ok"}', 'application/json');
      case 'GET /cart': {
        const lines = cartLines(cart);
        return send(response, 200, cartPage(lines, cartTotal(lines)));
      }
      case 'POST /cart/add':
      case 'POST /cart/remove': {
        const productId = new URLSearchParams(await readBody(request)).get('product') ?? '';
        if (productById(productId) === undefined) throw new HttpFailure(400, 'no such product');
        const change = url.pathname === '/cart/add' ? 1 : -1;
        return redirect(response, '/cart', withQuantity(cart, productId, change));
      }
      case 'POST /checkout': {
        const result = await shop.checkout(cart);
        if (!result.ok) {
          const lines = cartLines(cart);
          return send(response, 502, cartPage(lines, cartTotal(lines), result.message));
        }
        return redirect(response, result.hostedUrl);
      }
      case 'GET /return': {
        const link = verifyReturnLink(
          url.searchParams,
          webhookSecret,
          Math.floor(Date.now() / 1000),
        );
        if (!link.ok)
          throw new HttpFailure(400, `This return link is not from OnePIN: ${link.reason}.`);
        const order = shop.orders.byPayment(link.paymentId);
        if (order === undefined) throw new HttpFailure(404, 'We have no order for this payment.');
        await shop.settle(order);
        // The order is paid: empty the cart (the cookie is this browser's).
        return redirect(
          response,
          `/orders/${order.id}`,
          order.status === 'paid' ? new Map() : undefined,
        );
      }
      case 'POST /webhooks': {
        const status = shop.receiveWebhook(await readBody(request), singleHeaders(request));
        response.writeHead(status).end();
        return;
      }
      case 'GET /orders':
        return send(
          response,
          200,
          ordersPage(shop.orders.all(), shop.rejectedWebhooks, count(cart)),
        );
      case 'GET /orders.json':
        return send(
          response,
          200,
          JSON.stringify({ orders: shop.orders.all(), rejected_webhooks: shop.rejectedWebhooks }),
          'application/json',
        );
      default: {
        const match = /^GET \/orders\/(ord_[0-9a-f]{16})$/.exec(route);
        const order = match?.[1] === undefined ? undefined : shop.orders.get(match[1]);
        if (order === undefined) throw new HttpFailure(404, 'There is nothing here.');
        return send(response, 200, orderPage(order, count(cart)));
      }
    }
  };

  return createServer((request, response) => {
    const started = Date.now();
    const path = new URL(request.url ?? '/', 'http://shop.invalid').pathname;
    handle(request, response)
      .catch((error: unknown) => {
        const status = error instanceof HttpFailure ? error.status : 500;
        if (status === 500) console.error(error);
        const message =
          error instanceof HttpFailure ? error.message : 'Something went wrong; try again.';
        if (!response.headersSent) send(response, status, messagePage('Sorry', message, 0));
        else response.end();
      })
      .finally(() => {
        if (path === '/healthz') return;
        const ms = Date.now() - started;
        console.log(`${request.method ?? '?'} ${path} ${response.statusCode} ${ms} ms`);
      });
  });
}
