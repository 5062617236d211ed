import { productById, type Product } from './catalog.ts';

/**
 * The cart lives in a cookie: product id → quantity. It holds no prices, so a visitor who edits
 * it can only change what they order, never what it costs.
 */
export const CART_COOKIE = 'onepin_shop_cart';
export const QUANTITY_MAX = 9;

export type Cart = ReadonlyMap<string, number>;

export interface CartLine {
  readonly product: Product;
  readonly quantity: number;
  readonly amount: number;
}

export function parseCart(cookieHeader: string | undefined): Cart {
  const cart = new Map<string, number>();
  const raw = cookieHeader
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${CART_COOKIE}=`))
    ?.slice(CART_COOKIE.length + 1);
  if (raw === undefined || raw === '') return cart;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return cart;
    for (const [id, quantity] of Object.entries(parsed)) {
      if (productById(id) !== undefined && Number.isInteger(quantity))
        cart.set(id, Math.min(Math.max(quantity as number, 1), QUANTITY_MAX));
    }
  } catch {
    // A cookie we cannot read is an empty cart.
  }
  return cart;
}

export function cartCookie(cart: Cart): string {
  const value = Buffer.from(JSON.stringify(Object.fromEntries(cart))).toString('base64url');
  const maxAge = cart.size === 0 ? 0 : 7 * 86_400;
  return `${CART_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}`;
}

export function withQuantity(cart: Cart, productId: string, change: number): Cart {
  const next = new Map(cart);
  const quantity = Math.min((next.get(productId) ?? 0) + change, QUANTITY_MAX);
  if (quantity <= 0) next.delete(productId);
  else next.set(productId, quantity);
  return next;
}

export function cartLines(cart: Cart): CartLine[] {
  const lines: CartLine[] = [];
  for (const [id, quantity] of cart) {
    const product = productById(id);
    if (product !== undefined)
      lines.push({ product, quantity, amount: product.priceKrw * quantity });
  }
  return lines;
}

export function cartTotal(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.amount, 0);
}
