import type { CartLine } from './cart.ts';
import { PRODUCTS, formatKrw } from './catalog.ts';
import type { Order, OrderStatus } from './orders.ts';

/** HTML pages as template strings; every value from outside goes through `esc`. */
export function esc(text: string | number): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1d2430; }
header { display: flex; gap: 1.5rem; align-items: baseline; border-bottom: 1px solid #dde; margin-bottom: 1.5rem; }
header a { color: #245; }
.products { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 1rem; }
.product { border: 1px solid #dde; border-radius: .5rem; padding: 1rem; }
.price { font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #eef; }
button { font: inherit; padding: .4rem .9rem; border-radius: .4rem; border: 1px solid #245; background: #245; color: #fff; cursor: pointer; }
button.plain { background: #fff; color: #245; }
.status-paid { color: #176b2c; font-weight: 600; }
.status-awaiting_payment { color: #8a6100; }
.status-payment_failed { color: #a11; font-weight: 600; }
.notice { padding: .6rem 1rem; border-radius: .4rem; background: #eef4ff; }
.error { padding: .6rem 1rem; border-radius: .4rem; background: #fde8e8; }
`;

function layout(title: string, body: string, cartCount: number): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · OnePIN Demo Shop</title><link rel="stylesheet" href="/style.css"></head>
<body>
<header><h1>OnePIN Demo Shop</h1><a href="/">Products</a><a href="/cart">Cart (${cartCount})</a><a href="/orders">Orders</a></header>
<main>
${body}
</main>
</body>
</html>
`;
}

export function productsPage(cartCount: number): string {
  const cards = PRODUCTS.map(
    (p) => `<div class="product">
  <h2>${esc(p.name)}</h2>
  <p>${esc(p.description)}</p>
  <p class="price">${esc(formatKrw(p.priceKrw))}</p>
  <form method="post" action="/cart/add"><input type="hidden" name="product" value="${esc(p.id)}">
  <button type="submit" data-product="${esc(p.id)}">Add to cart</button></form>
</div>`,
  ).join('\n');
  return layout(
    'Products',
    `<p>Pay with your OnePIN card: PIN and password, on OnePIN's own page.</p>
<div class="products">
${cards}
</div>`,
    cartCount,
  );
}

export function cartPage(lines: readonly CartLine[], total: number, message?: string): string {
  const cartCount = lines.reduce((n, l) => n + l.quantity, 0);
  const notice = message === undefined ? '' : `<p class="error">${esc(message)}</p>`;
  if (lines.length === 0)
    return layout(
      'Cart',
      `${notice}<p>Your cart is empty. <a href="/">Browse the products</a>.</p>`,
      0,
    );
  const rows = lines
    .map(
      (
        l,
      ) => `<tr><td>${esc(l.product.name)}</td><td>${l.quantity}</td><td>${esc(formatKrw(l.amount))}</td>
<td><form method="post" action="/cart/remove"><input type="hidden" name="product" value="${esc(l.product.id)}"><button class="plain" type="submit">Remove one</button></form></td></tr>`,
    )
    .join('\n');
  return layout(
    'Cart',
    `${notice}<h2>Your cart</h2>
<table><thead><tr><th>Product</th><th>Quantity</th><th>Amount</th><th></th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th>Total</th><th></th><th id="total">${esc(formatKrw(total))}</th><th></th></tr></tfoot></table>
<form method="post" action="/checkout"><p><button type="submit" id="checkout">Pay with OnePIN</button></p></form>`,
    cartCount,
  );
}

const STATUS_TEXT: Record<OrderStatus, string> = {
  awaiting_payment: 'awaiting payment',
  paid: 'paid',
  payment_failed: 'payment failed',
};

function webhookCell(order: Order): string {
  if (order.webhooks.length === 0) return '—';
  const types = order.webhooks.map((w) => esc(w.type)).join(', ');
  return `<span class="webhook-verified">webhook verified ✓</span> <small>(${types})</small>`;
}

export function orderPage(order: Order, cartCount: number): string {
  const heading =
    order.status === 'paid'
      ? `Thank you! Order ${esc(order.id)} is paid.`
      : `Order ${esc(order.id)}: ${esc(STATUS_TEXT[order.status])}`;
  const retry =
    order.status === 'awaiting_payment' && order.hostedUrl !== null
      ? `<p><a href="${esc(order.hostedUrl)}">Go back to the payment page</a></p>`
      : '';
  const lines = order.lines
    .map((l) => `<li>${l.quantity} × ${esc(l.name)} (${esc(formatKrw(l.unitPriceKrw))})</li>`)
    .join('\n');
  return layout(
    `Order ${order.id}`,
    `<h2 id="order-heading" class="status-${order.status}">${heading}</h2>
<ul>
${lines}
</ul>
<table>
<tr><th>Status</th><td id="order-status" class="status-${order.status}">${esc(STATUS_TEXT[order.status])}</td></tr>
<tr><th>Total</th><td>${esc(formatKrw(order.amountKrw))}</td></tr>
<tr><th>Captured</th><td>${esc(formatKrw(order.amountCapturedKrw))}</td></tr>
<tr><th>OnePIN payment</th><td>${esc(order.paymentId ?? '—')} (${esc(order.paymentStatus ?? '—')})</td></tr>
<tr><th>Webhooks</th><td>${webhookCell(order)}</td></tr>
</table>
${order.problem === null ? '' : `<p class="notice">${esc(order.problem)}</p>`}
${retry}`,
    cartCount,
  );
}

export function ordersPage(
  orders: readonly Order[],
  rejectedWebhooks: number,
  cartCount: number,
): string {
  const rows = orders
    .map(
      (
        o,
      ) => `<tr data-order="${esc(o.id)}"><td><a href="/orders/${esc(o.id)}">${esc(o.id)}</a></td><td>${esc(o.createdAt)}</td>
<td>${esc(formatKrw(o.amountKrw))}</td><td class="status-${o.status}">${esc(STATUS_TEXT[o.status])}</td><td>${webhookCell(o)}</td></tr>`,
    )
    .join('\n');
  const rejected =
    rejectedWebhooks === 0
      ? ''
      : `<p class="error">${rejectedWebhooks} webhook(s) refused: bad signature.</p>`;
  return layout(
    'Orders',
    `<h2>Orders</h2>${rejected}
${
  orders.length === 0
    ? '<p>No orders yet.</p>'
    : `<table><thead><tr><th>Order</th><th>Placed</th><th>Total</th><th>Status</th><th>Webhooks</th></tr></thead>
<tbody>
${rows}
</tbody></table>`
}`,
    cartCount,
  );
}

export function messagePage(title: string, message: string, cartCount: number): string {
  return layout(title, `<h2>${esc(title)}</h2><p class="error">${esc(message)}</p>`, cartCount);
}
