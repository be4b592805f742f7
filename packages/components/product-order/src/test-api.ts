/**
 * Set-up shared by the product order test files: Operon with the component on
 * a fresh database (with a test `productOrderValidator` when asked), a client
 * that checks every reply against the official TMF622 definitions, and the
 * operations a flow would use.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { RequestContext } from '@operon/kernel';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { defineFlow, type TmfErrorBody } from '@operon/tmf';
import { tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { ProductOrdering, productOrderComponent, type ProductOrderValidator } from './index.ts';

export type { ProductOrder, CancelProductOrder } from './index.ts';

// live bindings: set once the file's tests start, read by the tests
export let op: TestOperon;
export let client: TmfClient;
export let ordering: ProductOrdering;
/** The context a flow acts in, with the test server's address for hrefs. */
export let system: RequestContext;

/** Starts Operon before the tests of the calling file (with `validator` provided by a test flow) and stops it after them. */
export function withProductOrderOperon(validator?: ProductOrderValidator): void {
  beforeAll(async () => {
    const flows = validator
      ? [defineFlow({
        name: 'test-order-validation',
        title: 'Order validation for tests',
        description: 'Provides the productOrderValidator port',
        etomTasks: [],
        subscribes: [],
        async start(runtime) {
          runtime.ports.provide('productOrderValidator', validator);
        },
      })]
      : [];
    op = await startTestOperon({ components: [productOrderComponent], flows });
    client = tmfClient({
      baseUrl: `${op.url}/tmf-api/productOrderingManagement/v4`,
      spec: 'TMF622',
      types: { productOrder: 'ProductOrder', cancelProductOrder: 'CancelProductOrder' },
    });
    ordering = new ProductOrdering(op.runtime);
    system = { baseUrl: op.url, correlationId: 'test-flow' };
  });
  afterAll(async () => op?.close());
}

/** The reply is a TMF Error of that status whose message names the attribute at fault. */
export function refused(r: TmfReply, status: number, field: string): TmfErrorBody {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  const error = r.body as TmfErrorBody;
  expect(error['@type']).toBe('Error');
  expect(error.message).toContain(field);
  return error;
}

/** The service call fails with that status, and its message names `field`. */
export async function refusedBy(call: Promise<unknown>, status: number, field?: string): Promise<void> {
  const e = await call.then(() => undefined, (err: unknown) => err);
  expect(e, 'the call should have failed').toBeDefined();
  expect((e as { status?: number }).status, String(e)).toBe(status);
  // a service error names the attribute in its message or, like the HTTP error body, beside it
  if (field !== undefined) expect(`${String((e as { field?: string }).field ?? '')} ${String((e as Error).message)}`).toContain(field);
}

export const customer = (id = 'ind-42') => ({ id, name: 'Jean Dupont', role: 'customer', '@referredType': 'Individual' });

/** A small order: one broadband item, or the items given. */
export function order(items: Array<Record<string, unknown>> = [item('1')], extra: Record<string, unknown> = {}) {
  return { productOrderItem: items, relatedParty: [customer()], ...extra };
}

export function item(id: string, extra: Record<string, unknown> = {}) {
  return { id, action: 'add', quantity: 1, productOffering: { id: 'po-fibre-1g', name: 'Fibre 1 Gbit/s' }, ...extra };
}

/** Events of the API in the outbox, oldest first. */
export async function events(api = 'productOrderingManagement'): Promise<Array<{ event_type: string; resource_id: string; payload: { event: Record<string, Record<string, unknown>> } & Record<string, unknown> }>> {
  const r = await op.db.query<{ event_type: string; resource_id: string; payload: { event: Record<string, Record<string, unknown>> } & Record<string, unknown> }>(
    'SELECT event_type, resource_id, payload FROM outbox WHERE api = $1 ORDER BY seq', [api],
  );
  return r.rows;
}
