/**
 * The TPC-C input streams (clause 2.4–2.8, 5.2.3): each terminal draws its transactions from a
 * seeded generator, so cellar and hand-written pg run exactly the same work in every run.
 * Scaled down to load quickly: {@link SCALE} says by how much.
 */
export const SCALE = {
  warehouses: 2,
  districts: 10,
  customersPerDistrict: 300,
  items: 10_000,
  /** Orders loaded per district (one per customer); the last `newOrdersPerDistrict` of them undelivered. */
  ordersPerDistrict: 300,
  newOrdersPerDistrict: 90,
  linesPerLoadedOrder: 10,
} as const;

export interface NewOrderInput {
  readonly kind: 'newOrder';
  readonly w: number;
  readonly d: number;
  readonly c: number;
  /** Distinct items; the last is unused (id 0) in the 1% that must roll back. */
  readonly lines: readonly { readonly itemId: number; readonly supplyWId: number; readonly quantity: number }[];
}
export type CustomerRef = { readonly id: number } | { readonly last: string };
export interface PaymentInput {
  readonly kind: 'payment';
  readonly w: number;
  readonly d: number;
  /** The customer's warehouse and district (remote in 15%). */
  readonly cw: number;
  readonly cd: number;
  readonly customer: CustomerRef;
  readonly amountCents: number;
}
export interface OrderStatusInput {
  readonly kind: 'orderStatus';
  readonly w: number;
  readonly d: number;
  readonly customer: CustomerRef;
}
export interface DeliveryInput {
  readonly kind: 'delivery';
  readonly w: number;
  readonly carrierId: number;
}
export interface StockLevelInput {
  readonly kind: 'stockLevel';
  readonly w: number;
  readonly d: number;
  readonly threshold: number;
}
export type TpccInput = NewOrderInput | PaymentInput | OrderStatusInput | DeliveryInput | StockLevelInput;
export type TpccKind = TpccInput['kind'];
export const KINDS: readonly TpccKind[] = ['newOrder', 'payment', 'orderStatus', 'delivery', 'stockLevel'];

const SYLLABLES = ['BAR', 'OUGHT', 'ABLE', 'PRI', 'PRES', 'ESE', 'ANTI', 'CALLY', 'ATION', 'EING'];

/** Clause 4.3.2.3: the last name of number n (0–999). */
export function lastName(n: number): string {
  return `${SYLLABLES[Math.floor(n / 100)]}${SYLLABLES[Math.floor(n / 10) % 10]}${SYLLABLES[n % 10]}`;
}

/** The last-name number of customer c when loaded (scaled: three customers per name). */
export function lastNameNumber(c: number): number {
  return (c - 1) % 100;
}

/** A small seeded generator (mulberry32): the same stream for the same seed. */
export class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** Clause 2.1.6 NURand(A, x, y), with C fixed. */
  nurand(a: number, lo: number, hi: number, c: number): number {
    return ((((this.int(0, a) | this.int(lo, hi)) + c) % (hi - lo + 1)) + lo);
  }
}

/** The transactions of one terminal: the standard mix (45/43/4/4/4), home warehouse `w`. */
export function terminalStream(seed: number, w: number, count: number): TpccInput[] {
  const r = new Random(seed);
  const out: TpccInput[] = [];
  const customer = (): number => r.nurand(255, 1, SCALE.customersPerDistrict, 7);
  const byName = (): CustomerRef => (r.int(1, 100) <= 60 ? { last: lastName(lastNameNumber(customer())) } : { id: customer() });
  for (let i = 0; i < count; i++) {
    const pick = r.int(1, 100);
    const d = r.int(1, SCALE.districts);
    if (pick <= 45) {
      const n = r.int(5, 15);
      const items = new Set<number>();
      while (items.size < n) items.add(r.nurand(8191, 1, SCALE.items, 11));
      const rollback = r.int(1, 100) === 1;
      const lines = [...items].map((itemId, k) => ({
        itemId: rollback && k === n - 1 ? 0 : itemId,
        supplyWId: SCALE.warehouses > 1 && r.int(1, 100) === 1 ? ((w % SCALE.warehouses) + 1) : w,
        quantity: r.int(1, 10),
      }));
      out.push({ kind: 'newOrder', w, d, c: customer(), lines });
    } else if (pick <= 88) {
      const remote = SCALE.warehouses > 1 && r.int(1, 100) <= 15;
      out.push({ kind: 'payment', w, d, cw: remote ? (w % SCALE.warehouses) + 1 : w, cd: remote ? r.int(1, SCALE.districts) : d, customer: byName(), amountCents: r.int(100, 500_000) });
    } else if (pick <= 92) out.push({ kind: 'orderStatus', w, d, customer: byName() });
    else if (pick <= 96) out.push({ kind: 'delivery', w, carrierId: r.int(1, 10) });
    else out.push({ kind: 'stockLevel', w, d, threshold: r.int(10, 20) });
  }
  return out;
}
