/** What the shop sells. Prices are whole won (KRW has no minor unit). */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly priceKrw: number;
}

export const PRODUCTS: readonly Product[] = [
  {
    id: 'green-tea',
    name: 'Jeju green tea',
    description: 'First-flush leaves from Jeju, 50 g tin.',
    priceKrw: 8_000,
  },
  {
    id: 'celadon-mug',
    name: 'Celadon mug',
    description: 'Hand-thrown in Icheon, 300 ml.',
    priceKrw: 24_000,
  },
  {
    id: 'hanji-notebook',
    name: 'Hanji notebook',
    description: 'Mulberry-paper notebook, 96 pages.',
    priceKrw: 12_500,
  },
  {
    id: 'yuja-tea',
    name: 'Yuja tea',
    description: 'Citron marmalade for tea, 500 g jar.',
    priceKrw: 9_900,
  },
];

export function productById(id: string): Product | undefined {
  return PRODUCTS.find((p) => p.id === id);
}

const krw = new Intl.NumberFormat('ko-KR', { style: 'currency', currency: 'KRW' });

export function formatKrw(amount: number): string {
  return krw.format(amount);
}
