import { inject, injectable } from 'inversify';
import { CellarTokens, EntityApi, type Rop, type SessionSource } from '../src/index.js';
import { Receipt, ReceiptLine } from './model.js';

/** Domain methods of receipts, injected as a stateless singleton acting on the ambient session. */
@injectable()
export class ReceiptService extends EntityApi<typeof Receipt> {
  constructor(@inject(CellarTokens.SessionSource) session: SessionSource) {
    super(Receipt, session);
  }

  /** Approves a draft receipt: totals its lines (walking the collection) and changes its state. */
  async approve(receipt: Rop<typeof Receipt>): Promise<void> {
    if (receipt.get('state') !== 'draft') return;
    let cents = 0n;
    for (const line of await this.api(ReceiptLine).byParent(receipt)) {
      cents += (toMillis(line.get('qty')) * toCents(line.get('price'))) / 1000n;
    }
    receipt.set('total', `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`).set('state', 'approved');
  }
}

/** '2.500' → 2500n (numeric(18,3) as thousandths), exact. */
function toMillis(qty: string): bigint {
  const [whole, fraction = ''] = qty.split('.');
  return BigInt(whole as string) * 1000n + BigInt(fraction.padEnd(3, '0'));
}

/** '10.25' → 1025n (numeric(18,2) as cents), exact. */
function toCents(price: string): bigint {
  const [whole, fraction = ''] = price.split('.');
  return BigInt(whole as string) * 100n + BigInt(fraction.padEnd(2, '0'));
}
