/**
 * Set-up shared by the service order test files: Operon with the component on
 * a fresh database, a client that checks every reply against the official
 * TMF641 v4.1 definitions, and the operations a flow would use.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { RequestContext } from '@operon/kernel';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { TmfErrorBody } from '@operon/tmf';
import { tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { ServiceOrdering, serviceOrderComponent } from './index.ts';

export type { ServiceOrder, CancelServiceOrder } from './index.ts';

// live bindings: set once the file's tests start, read by the tests
export let op: TestOperon;
export let client: TmfClient;
export let ordering: ServiceOrdering;
/** The context a flow acts in, with the test server's address for hrefs. */
export let system: RequestContext;

/** Starts Operon before the tests of the calling file and stops it after them. */
export function withServiceOrderOperon(): void {
  beforeAll(async () => {
    op = await startTestOperon({ components: [serviceOrderComponent] });
    client = tmfClient({
      baseUrl: `${op.url}/tmf-api/serviceOrdering/v4`,
      spec: 'TMF641',
      types: { serviceOrder: 'ServiceOrder', cancelServiceOrder: 'CancelServiceOrder' },
    });
    ordering = new ServiceOrdering(op.runtime);
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

/** The service call fails with that status, and its message (or field) names `field`. */
export async function refusedBy(call: Promise<unknown>, status: number, field?: string): Promise<void> {
  const e = await call.then(() => undefined, (err: unknown) => err);
  expect(e, 'the call should have failed').toBeDefined();
  expect((e as { status?: number }).status, String(e)).toBe(status);
  if (field !== undefined) expect(`${String((e as { field?: string }).field ?? '')} ${String((e as Error).message)}`).toContain(field);
}

export const requester = () => ({ id: 'org-com', name: 'Operon COM', role: 'requester', '@referredType': 'Organization' });

/** A service order: the items given, or a CFS relying on an RFS. */
export function order(items: Array<Record<string, unknown>> = [cfs('1', ['2']), rfs('2')], extra: Record<string, unknown> = {}) {
  return { serviceOrderItem: items, relatedParty: [requester()], externalId: 'PO-1', ...extra };
}

/** An item adding a service of that specification, depending on the items named. */
export function item(id: string, spec: string, dependsOn: string[] = [], extra: Record<string, unknown> = {}) {
  return {
    id, action: 'add',
    service: { serviceSpecification: { id: spec, name: spec, '@referredType': 'ServiceSpecification' }, serviceCharacteristic: [{ name: 'speed', value: '1G' }], '@type': 'Service' },
    ...(dependsOn.length ? { serviceOrderItemRelationship: dependsOn.map((d) => ({ relationshipType: 'dependsOn', orderItem: { itemId: d } })) } : {}),
    ...extra,
  };
}
export const cfs = (id: string, dependsOn: string[] = [], extra: Record<string, unknown> = {}) => item(id, 'cfs-internet', dependsOn, extra);
export const rfs = (id: string, dependsOn: string[] = [], extra: Record<string, unknown> = {}) => item(id, 'rfs-ftth', dependsOn, extra);

type OutboxRow = { event_type: string; resource_id: string; payload: { event: Record<string, Record<string, unknown>> } & Record<string, unknown> };

/** Events of the API in the outbox, oldest first. */
export async function events(api = 'serviceOrdering'): Promise<OutboxRow[]> {
  const r = await op.db.query<OutboxRow>('SELECT event_type, resource_id, payload FROM outbox WHERE api = $1 ORDER BY seq', [api]);
  return r.rows;
}
