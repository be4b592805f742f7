/**
 * @operon/lead-to-cash — the Fulfilment vertical end to end, the only code
 * that composes the selling, ordering, inventory and activation components:
 * it provides their ports (qualification, pricing, order capture checks), and
 * runs one durable workflow per product order — service order, resource
 * order, reservations from the pools, activation on the network, inventories,
 * milestones and jeopardy, compensation on failure and cancellation — and
 * reports the KPIs. Decomposition follows catalog data only.
 */
import { fileURLToPath } from 'node:url';
import { clock } from '@operon/kernel';
import { activator } from '@operon/activation';
import { productOrdering, TABLES as PRODUCT_ORDER_TABLES, type ProductOrder } from '@operon/product-order';
import { resourceOrdering } from '@operon/resource-order';
import { resourcePools } from '@operon/resource-inventory';
import { serviceOrdering } from '@operon/service-order';
import type { RelayEvent, Tx } from '@operon/store';
import { defineFlow, type ComponentRuntime, type FlowDefinition } from '@operon/tmf';
import { WorkflowEngine, workflowMigrations, type RunEndContext, type JeopardyContext, type WorkflowEngineOptions } from '@operon/workflow';
import { Admission } from './admission.ts';
import { Catalogs } from './catalog.ts';
import { registerTasks, type Fulfilment } from './fulfilment.ts';
import { kpiRoutes } from './kpi.ts';
import { runRoutes } from './runs.ts';
import { RUN_TYPE, planOrder, tasksOf, type TaskName } from './plan.ts';
import { productOfferingQualifier, productOrderValidator, quotePricer, serviceQualifier } from './ports.ts';

export { Catalogs, CONTROL_CHARACTERISTICS, type Decomposition, type CfsPlan, type RfsPlan, type ResourcePlan } from './catalog.ts';
export { RUN_TYPE, TASKS, planOrder, tasksOf, type OrderPlan, type ItemPlan } from './plan.ts';
export { leadToCashKpis, type LeadToCashKpis, type OfferingKpi } from './kpi.ts';
export { productOfferingQualifier, productOrderValidator, quotePricer, serviceQualifier } from './ports.ts';

export interface LeadToCashOptions {
  /** Workflow engine settings (concurrency, lease, poll, retries). */
  engine?: WorkflowEngineOptions;
  /** Expected duration of each step, past which a jeopardy alert is raised on the product order. */
  expectedMs?: Partial<Record<TaskName, number>>;
  /** Longest wait for one network operation before the attempt fails (and is retried). */
  networkTimeoutMs?: number;
  /**
   * Orders in fulfilment at once, across every node; beyond it, new orders wait `acknowledged`.
   * Default: four times the engine's concurrency when the network answers at once (the machine is
   * the limit); with a slower network, no limit (runs mostly wait on the network).
   */
  maxRunsInFlight?: number;
  /** Longest an order waits for room before it is admitted anyway (default 5 s): the limit is a pace, not a wall. */
  maxAdmissionWaitMs?: number;
}

/**
 * What the environment sets of the flow's options (an option given in code wins):
 * `OPERON_MAX_ORDERS_IN_FLIGHT` (maxRunsInFlight) and `OPERON_WORKFLOW_CONCURRENCY`
 * (the engine's tasks at once on this node).
 */
export function leadToCashEnv(env: NodeJS.ProcessEnv = process.env): { maxRunsInFlight?: number; concurrency?: number } {
  const positive = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1, got '${v}'`);
    return n;
  };
  const maxRunsInFlight = positive('OPERON_MAX_ORDERS_IN_FLIGHT');
  const concurrency = positive('OPERON_WORKFLOW_CONCURRENCY');
  return { ...(maxRunsInFlight ? { maxRunsInFlight } : {}), ...(concurrency ? { concurrency } : {}) };
}

const CANCELLING = ['assessingCancellation', 'pendingCancellation'];
const CLOSED = ['rejected', 'cancelled', 'completed', 'failed', 'partial'];

/** Expected durations by default: generous, so that only real trouble raises jeopardy. */
const DEFAULT_EXPECTED: Partial<Record<TaskName, number>> = {
  openServiceOrder: 60_000, openResourceOrder: 60_000, reserveResources: 60_000, activateResources: 300_000, activateResource: 300_000,
  activateService: 300_000, modifyServices: 300_000, terminateProduct: 300_000, completeProduct: 60_000, closeOrders: 60_000,
};

interface Running {
  engine: WorkflowEngine;
  f: Fulfilment;
  admission: Admission;
}

/** The flow with its settings; `leadToCashFlow` is the one Operon ships. */
export function createLeadToCashFlow(options: LeadToCashOptions = {}): FlowDefinition {
  const running = new Map<ComponentRuntime, Running>();
  const expected = { ...DEFAULT_EXPECTED, ...options.expectedMs };

  const engineOf = (runtime: ComponentRuntime) => {
    const r = running.get(runtime);
    if (!r) throw new Error('the lead-to-cash flow has not started');
    return r.engine;
  };

  /** The order's create event: its plan is worked out and its run started, with the order in progress, in one commit. */
  async function onOrderCreated(runtime: ComponentRuntime, r: Running, orderId: string): Promise<boolean> {
    return runtime.db.tx(async (tx) => {
      const locked = await r.f.productOrders.orders.retrieveForUpdate(orderId, tx);
      if (!locked) return false;
      const order = locked.doc as ProductOrder;
      // delivered at least once: a started (or refused, or cancelled) order is left as it is; the run
      // starts in the commit that moves the order on, so an order still acknowledged has none
      if (order.state !== 'acknowledged') return false;
      let plan;
      try {
        plan = await planOrder(r.f.catalogs, order, tx);
      } catch (e) {
        await r.f.productOrders.fail(orderId, { code: 'decompositionFailed', reason: 'The order cannot be decomposed', message: (e as Error).message }, r.f.ctx, {}, tx);
        return false;
      }
      await r.f.productOrders.start(orderId, r.f.ctx, tx);
      await r.engine.startRun(tx, { type: RUN_TYPE, subject: orderId, input: plan, tasks: tasksOf(plan, expected) });
      return true;
    });
  }

  /**
   * A cancellation request: an order in progress goes pendingCancellation and
   * its run is cancelled (compensated); the run's end completes the
   * cancellation. An order whose run never started is cancelled at once.
   */
  async function onCancelRequested(runtime: ComponentRuntime, r: Running, requestId: string): Promise<void> {
    const request = await r.f.productOrders.cancellations.find(requestId);
    const orderId = String((request?.['productOrder'] as { id?: string } | undefined)?.id ?? '');
    if (!request || !orderId) return;
    const toCancel = await runtime.db.tx(async (tx) => {
      await tx.query(`SELECT 1 FROM ${PRODUCT_ORDER_TABLES.productOrder} WHERE id = $1 FOR UPDATE`, [orderId]);
      const order = (await r.f.productOrders.orders.retrieve(orderId, tx)).doc;
      if (order['state'] !== 'assessingCancellation') return undefined;
      const run = await runOf(tx, orderId);
      if (!run || run.status === 'failed' || run.status === 'cancelled') {
        await r.f.productOrders.completeCancellation(requestId, r.f.ctx, tx);
        return undefined;
      }
      if (run.status !== 'running') return undefined;
      await r.f.productOrders.acceptCancellation(requestId, r.f.ctx, tx);
      return run.id;
    });
    if (toCancel) await r.engine.cancel(toCancel, String(request['cancellationReason'] ?? 'the customer cancelled the order'));
  }

  /** The run ended in failure or cancellation: the order is cancelled (if asked) or failed, with the reason. */
  async function onRunEnd(r: Running, { tx, run, status, outcome }: RunEndContext): Promise<void> {
    if (status === 'succeeded' || !run.subject) return;
    const orderId = run.subject;
    const order = (await r.f.productOrders.orders.retrieve(orderId, tx)).doc;
    const state = String(order['state']);
    if (CANCELLING.includes(state)) {
      const open = await tx.query<{ id: string }>(
        `SELECT id FROM ${PRODUCT_ORDER_TABLES.cancelProductOrder} WHERE doc->'productOrder'->>'id' = $1 AND doc->>'state' IN ('acknowledged', 'inProgress') ORDER BY id LIMIT 1`,
        [orderId],
      );
      if (open.rows[0]) {
        await r.f.productOrders.completeCancellation(open.rows[0].id, r.f.ctx, tx);
        return;
      }
    }
    if (CLOSED.includes(state)) return;
    const reason = outcome.error ?? outcome.reason ?? 'fulfilment stopped';
    const undone = outcome.notCompensated?.length ? ` (not undone: ${outcome.notCompensated.join(', ')})` : '';
    await r.f.productOrders.fail(orderId, {
      code: 'fulfilmentFailed', reason: 'The order could not be delivered', message: `${reason}${undone}`,
    }, r.f.ctx, {}, tx);
  }

  /** A step past its expected duration: a jeopardy alert on the product order, naming the step. */
  async function onJeopardy(r: Running, { tx, run, task, elapsedMs }: JeopardyContext): Promise<void> {
    if (!run.subject) return;
    const order = (await r.f.productOrders.orders.retrieve(run.subject, tx)).doc;
    if (CLOSED.includes(String(order['state']))) return;
    await r.f.productOrders.addJeopardyAlert(run.subject, {
      name: `${task.etomTask ?? task.kind} late`,
      jeopardyType: 'Hazard',
      exception: 'stepLate',
      message: `${task.key} has run ${elapsedMs} ms, ${task.expectedMs} ms expected (attempt ${task.attempts})`,
      alertDate: clock.iso(),
    }, r.f.ctx, tx);
  }

  return defineFlow({
    name: 'lead-to-cash',
    title: 'Lead to Cash',
    description: 'From a qualified, quoted and ordered offering to active products, services and resources, with billing hand-off and KPIs.',
    etomTasks: [
      'track-and-manage-service-provisioning', 'track-and-manage-resource-provisioning', 'issue-service-orders', 'issue-resource-orders',
      'close-service-order', 'close-resource-order', 'report-customer-order-handling',
    ],
    migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
    migrationSources: [workflowMigrations],
    subscribes: ['ProductOrderCreateEvent', 'CancelProductOrderCreateEvent'],
    routes(app, runtime) {
      kpiRoutes(app, runtime.db, () => engineOf(runtime));
      runRoutes(app, () => engineOf(runtime));
    },
    async start(runtime) {
      runtime.ports.provide('productOrderValidator', productOrderValidator(runtime));
      runtime.ports.provide('productOfferingQualifier', productOfferingQualifier(runtime));
      runtime.ports.provide('serviceQualifier', serviceQualifier(runtime));
      runtime.ports.provide('quotePricer', quotePricer(runtime));

      const services = (api: string, resource: string) => {
        const s = runtime.services.get(api)?.get(resource);
        if (!s) throw new Error(`the lead-to-cash flow needs the ${api} API`);
        return s;
      };
      const f: Fulfilment = {
        ctx: runtime.systemContext,
        productOrders: productOrdering(runtime),
        serviceOrders: serviceOrdering(runtime),
        resourceOrders: resourceOrdering(runtime),
        products: services('productInventory', 'product'),
        services: services('serviceInventory', 'service'),
        resources: services('resourceInventoryManagement', 'resource'),
        pools: () => resourcePools(runtime),
        activator: () => activator(runtime),
        catalogs: new Catalogs(runtime),
        networkTimeoutMs: options.networkTimeoutMs ?? 60_000,
        // the engine's default is 5 attempts per task
        maxAttempts: options.engine?.retry?.maxAttempts ?? 5,
      };
      // a task holds its transaction's connection while activation and pool reads take a second one: with
      // more tasks than half the pool (less what the relay and HTTP requests need) they would wait on each other forever
      const fits = Math.max(1, Math.floor((runtime.db.max - 4) / 2));
      const env = leadToCashEnv();
      const concurrency = Math.min(options.engine?.concurrency ?? env.concurrency ?? 8, fits);
      const maxRunsInFlight = options.maxRunsInFlight ?? env.maxRunsInFlight;
      const engine = new WorkflowEngine(runtime.db, { ...options.engine, concurrency });
      const admission = new Admission({
        limit: () => maxRunsInFlight ?? (f.activator().adapter.quick ? 4 * concurrency : undefined),
        count: async () => (await runtime.db.query<{ n: number }>(IN_FLIGHT, [RUN_TYPE])).rows[0]?.n ?? 0,
        ...(options.maxAdmissionWaitMs !== undefined ? { maxWaitMs: options.maxAdmissionWaitMs } : {}),
      });
      const r: Running = { engine, f, admission };
      registerTasks(engine, f);
      engine.onRunEnd(RUN_TYPE, async (c) => {
        await onRunEnd(r, c);
        c.tx.afterCommit(() => admission.ended());
      });
      engine.onJeopardy(RUN_TYPE, (c) => onJeopardy(r, c));
      running.set(runtime, r);
      await runtime.relay.subscribe({
        name: 'lead-to-cash',
        eventTypes: ['ProductOrderCreateEvent'],
        // each order is taken into fulfilment in a transaction of its own, under its row lock: orders
        // do not depend on each other, and one at a time would cap how many start per second
        concurrency: fits,
        async handle(e: RelayEvent) {
          await admission.enter();
          let started = false;
          try {
            started = await onOrderCreated(runtime, r, e.resourceId);
          } finally {
            admission.leave(started);
          }
        },
      });
      // cancellations have a consumer of their own: they never wait behind orders waiting for admission.
      // It starts from the oldest event kept, so that none is missed where the shared consumer handled them
      // before (each is looked at once; one already handled finds its order past assessingCancellation).
      await runtime.relay.subscribe({
        name: 'lead-to-cash-cancellation',
        eventTypes: ['CancelProductOrderCreateEvent'],
        from: 'beginning',
        async handle(e: RelayEvent) {
          await onCancelRequested(runtime, r, e.resourceId);
        },
      });
      await engine.start();
    },
    async stop() {
      for (const [runtime, r] of running) {
        r.admission.stop();
        await r.engine.stop();
        running.delete(runtime);
      }
    },
  });
}

/** Runs of the flow in flight, on every node (the partial index of active runs holds only these). */
const IN_FLIGHT = `SELECT count(*)::int AS n FROM workflow_run WHERE type = $1 AND status IN ('running', 'compensating', 'cancelling')`;

async function runOf(tx: Tx, orderId: string): Promise<{ id: string; status: string } | undefined> {
  const r = await tx.query<{ id: string; status: string }>('SELECT id, status FROM workflow_run WHERE type = $1 AND subject = $2 ORDER BY created_at DESC LIMIT 1', [RUN_TYPE, orderId]);
  return r.rows[0];
}

/** The flow as Operon ships it. */
export const leadToCashFlow: FlowDefinition = createLeadToCashFlow();
