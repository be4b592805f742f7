/**
 * Set-up shared by the resource order test files: Operon with the component on
 * a fresh database, a client that checks every reply against the official
 * TMF652 v4 definitions, and the operations a flow would use.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { RequestContext } from '@operon/kernel';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { TmfErrorBody } from '@operon/tmf';
import { tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { ResourceOrdering, resourceOrderComponent } from './index.ts';

export type { ResourceOrder, CancelResourceOrder } from './index.ts';

// live bindings: set once the file's tests start, read by the tests
export let op: TestOperon;
export let client: TmfClient;
export let ordering: ResourceOrdering;
/** The context a flow acts in, with the test server's address for hrefs. */
export let system: RequestContext;

/** Starts Operon before the tests of the calling file and stops it after them. */
export function withResourceOrderOperon(): void {
  beforeAll(async () => {
    op = await startTestOperon({ components: [resourceOrderComponent] });
    client = tmfClient({
      baseUrl: `${op.url}/tmf-api/resourceOrderingManagement/v4`,
      spec: 'TMF652',
      types: { resourceOrder: 'ResourceOrder', cancelResourceOrder: 'CancelResourceOrder' },
    });
    ordering = new ResourceOrdering(op.runtime);
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

export const requester = () => ({ id: 'org-som', name: 'Operon SOM', role: 'requester', '@referredType': 'Organization' });

/** A resource reserved in the inventory, as an item names it. */
export const resource = (id: string) => ({ id, href: `https://inventory.example.com/resource/${id}`, name: id, '@referredType': 'LogicalResource' });

/** An item adding a resource of that specification, depending on the items named. */
export function item(id: string | undefined, spec: string, dependsOn: string[] = [], extra: Record<string, unknown> = {}) {
  return {
    ...(id === undefined ? {} : { id }), action: 'add',
    resourceSpecification: { id: spec, name: spec },
    resource: resource(`${spec}-res`),
    ...(dependsOn.length ? { orderItemRelationship: dependsOn.map((d) => ({ relationshipType: 'dependsOn', orderItem: { itemId: d } })) } : {}),
    ...extra,
  };
}

/** A resource order: the items given, or a VLAN depending on a GPON port. */
export function order(items: Array<Record<string, unknown>> = [item('1', 'gpon-port'), item('2', 'customer-vlan', ['1'])], extra: Record<string, unknown> = {}) {
  return { orderItem: items, relatedParty: [requester()], externalId: 'SO-1', orderType: 'provisioning', ...extra };
}

type OutboxRow = { event_type: string; resource_id: string; payload: { event: Record<string, Record<string, unknown>> } & Record<string, unknown> };

/** Events of the API in the outbox, oldest first. */
export async function events(api = 'resourceOrderingManagement'): Promise<OutboxRow[]> {
  const r = await op.db.query<OutboxRow>('SELECT event_type, resource_id, payload FROM outbox WHERE api = $1 ORDER BY seq', [api]);
  return r.rows;
}
