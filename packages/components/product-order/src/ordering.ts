import { clock, type RequestContext } from '@operon/kernel';
import type { Tx } from '@operon/store';
import { OrderOperations, checkCreateInput, completingWith, type ComponentRuntime, type Doc, type Versioned } from '@operon/tmf';
import { productOrderingConfig, type CancelProductOrder, type ProductOrder, type ProductOrderInput } from './resources.ts';

/** One reason an order is refused. `field` is the attribute at fault, e.g. `productOrderItem[0].productOffering.id`. */
export interface ProductOrderRefusal {
  code: string;
  reason: string;
  message: string;
  field?: string;
}

export type ProductOrderVerdict =
  /** Accepted; the validator may say when the order should be delivered (e.g. from the catalog's lead times). */
  | { ok: true; expectedCompletionDate?: string }
  | { ok: false; errors: readonly ProductOrderRefusal[] };

/**
 * Port `productOrderValidator`: the business checks of order capture that
 * need other components — offerings launched and sold on this channel,
 * characteristics valid, prices as in the catalog, the customer and billing
 * account known and active, and for modify/delete items the product existing
 * and owned by the customer. Provided by the lead-to-cash flow. The order it
 * is given is valid against TMF622 and has no id yet.
 */
export interface ProductOrderValidator {
  validate(order: ProductOrderInput, ctx: RequestContext): ProductOrderVerdict | Promise<ProductOrderVerdict>;
}

declare module '@operon/tmf' {
  interface OperonPorts {
    productOrderValidator: ProductOrderValidator;
  }
}

const ITEM_AT = /^productOrderItem\[(\d+)\]/;

/**
 * The operations on product orders: capture (what POST does) and everything
 * the order state machine lets a flow do (see OrderOperations).
 */
export class ProductOrdering extends OrderOperations<ProductOrder, CancelProductOrder> {
  private readonly ports: ComponentRuntime['ports'] | undefined;

  constructor(runtime: Pick<ComponentRuntime, 'db' | 'services'> & Partial<Pick<ComponentRuntime, 'ports'>>) {
    super(productOrderingConfig, runtime);
    this.ports = runtime.ports;
  }

  /**
   * Order capture: the order is checked as a document (a malformed one is
   * refused and nothing is stored), then by the `productOrderValidator` when a
   * flow provides it. An order the validator refuses is still created, in
   * state `rejected` with its reasons in `productOrderErrorMessage`: the
   * customer's order exists and says why it will not be delivered. Without a
   * validator (a component on its own) the order is acknowledged.
   */
  async capture(input: unknown, ctx: RequestContext, tx?: Tx): Promise<Versioned<ProductOrder>> {
    const order = checkCreateInput(this.orders, this.config.order, input);
    const validator = this.ports?.has('productOrderValidator') ? this.ports.get('productOrderValidator') : undefined;
    const verdict: ProductOrderVerdict = validator ? await validator.validate(order as unknown as ProductOrderInput, ctx) : { ok: true };
    return this.orders.create(input, completingWith(ctx, (draft) => {
      if (verdict.ok) {
        if (verdict.expectedCompletionDate !== undefined) draft['expectedCompletionDate'] = verdict.expectedCompletionDate;
        return;
      }
      draft['state'] = 'rejected';
      const errors = verdict.errors.length > 0 ? verdict.errors : [{ code: 'rejected', reason: 'The order was refused', message: 'The order validator refused the order without saying why' }];
      draft['productOrderErrorMessage'] = errors.map((e) => refusalMessage(draft, e));
    }), tx);
  }
}

/** A refusal as a TMF622 v5 ProductOrderErrorMessage, naming the item it is about. */
function refusalMessage(order: Doc, e: ProductOrderRefusal): Doc {
  const items = Array.isArray(order['productOrderItem']) ? order['productOrderItem'] : [];
  const m = e.field ? ITEM_AT.exec(e.field) : null;
  const item = m ? (items[Number(m[1])] as Doc | undefined) : undefined;
  const message = e.field && !e.message.includes(e.field) ? `${e.field}: ${e.message}` : e.message;
  return {
    code: e.code,
    reason: e.reason,
    message,
    timestamp: clock.iso(),
    ...(item && typeof item['id'] === 'string'
      ? { productOrderItem: [{ productOrderId: String(order['id']), productOrderItemId: item['id'], '@referredType': 'ProductOrderItem' }] }
      : {}),
    '@type': 'ProductOrderErrorMessage',
  };
}
