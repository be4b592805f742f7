import type { RequestContext } from '@operon/kernel';
import type { Tx } from '@operon/store';
import { OrderOperations, checkCreateInput, type ComponentRuntime, type Versioned } from '@operon/tmf';
import { serviceOrderingConfig, type CancelServiceOrder, type ServiceOrder } from './resources.ts';

/**
 * The operations on service orders: capture (what POST does) and everything
 * the order state machine lets a flow do — start, move items, hold, close,
 * fail, milestones, jeopardy alerts, information requests, cancellations (see
 * OrderOperations). Each takes an optional transaction to commit with the
 * flow's own work.
 */
export class ServiceOrdering extends OrderOperations<ServiceOrder, CancelServiceOrder> {
  constructor(runtime: Pick<ComponentRuntime, 'db' | 'services'>) {
    super(serviceOrderingConfig, runtime);
  }

  /**
   * Order capture: the order is checked as a document (schema, item ids unique,
   * relationships naming items of the order, modify/delete items naming their
   * service, item states only `acknowledged`) and created `acknowledged`.
   * A malformed order is refused with a TMF Error and nothing is stored.
   */
  capture(input: unknown, ctx: RequestContext, tx?: Tx): Promise<Versioned<ServiceOrder>> {
    checkCreateInput(this.orders, this.config.order, input);
    return this.orders.create(input, ctx, tx);
  }
}
