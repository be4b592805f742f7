/**
 * Set-up shared by the qualification test files: Operon with the component on
 * a fresh database (with test qualifiers provided by a test flow, when given),
 * clients that check every reply against the official TMF679 and TMF645
 * definitions, and helpers to wait for a qualification evaluated as a task.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { defineFlow, type TmfErrorBody } from '@operon/tmf';
import { tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { qualificationComponent, type ProductOfferingQualifier, type ServiceQualifier } from './index.ts';

export type Served = Record<string, unknown> & { id: string; href: string; '@type': string; state: string };
export type Item = Record<string, unknown> & { id: string; state: string };
export type Poq = Served & { qualificationResult?: string; productOfferingQualificationItem?: Item[]; terminationError?: Array<{ value: string }> };
export type Check = Served & { qualificationResult?: string; serviceQualificationItem: Item[]; terminationError?: Array<{ value: string }> };
export type Query = Served & { serviceQualificationItem?: Item[]; terminationError?: Array<{ value: string }> };

// live bindings: set once the file's tests start, read by the tests
export let op: TestOperon;
export let poqs: TmfClient;
export let sq: TmfClient;

export interface TestQualifiers {
  productOfferingQualifier?: ProductOfferingQualifier;
  serviceQualifier?: ServiceQualifier;
}

/** Starts Operon before the tests of the calling file, with `qualifiers` provided by a test flow, and stops it after them. */
export function withQualificationOperon(qualifiers: TestQualifiers = {}): void {
  beforeAll(async () => {
    const flow = defineFlow({
      name: 'test-qualifiers',
      title: 'Qualifiers for tests',
      description: 'Provides the qualification ports the Lead-to-Cash flow provides in production',
      etomTasks: [],
      subscribes: [],
      async start(runtime) {
        if (qualifiers.productOfferingQualifier) runtime.ports.provide('productOfferingQualifier', qualifiers.productOfferingQualifier);
        if (qualifiers.serviceQualifier) runtime.ports.provide('serviceQualifier', qualifiers.serviceQualifier);
      },
    });
    op = await startTestOperon({ components: [qualificationComponent], flows: [flow] });
    poqs = tmfClient({
      baseUrl: `${op.url}/tmf-api/productOfferingQualification/v4`,
      spec: 'TMF679',
      types: { productOfferingQualification: 'ProductOfferingQualification' },
    });
    sq = tmfClient({
      baseUrl: `${op.url}/tmf-api/serviceQualificationManagement/v4`,
      spec: 'TMF645',
      types: { checkServiceQualification: 'CheckServiceQualification', queryServiceQualification: 'QueryServiceQualification' },
    });
  });
  afterAll(async () => op?.close());
}

/** The qualification at `path` once the component has evaluated it (its create event is handled after commit). */
export async function settled<T extends Served>(client: TmfClient, path: string, timeoutMs = 8000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await client.get<T>(path);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    if (r.body.state === 'done' || r.body.state === 'terminatedWithError') return r.body;
    if (Date.now() > until) throw new Error(`${path} is still ${r.body.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The reply is a TMF Error of that status whose message names the attribute at fault. */
export function refused(r: TmfReply, status: number, field: string): TmfErrorBody {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  const error = r.body as TmfErrorBody;
  expect(error['@type']).toBe('Error');
  expect(error.message).toContain(field);
  return error;
}

export type OutboxRow = { event_type: string; resource_id: string; payload: { event: Record<string, Record<string, unknown>> } & Record<string, unknown> };

/** Events of one qualification (or of an API), oldest first. */
export async function eventsOf(where: { resourceId?: string; api?: string }): Promise<OutboxRow[]> {
  const r = await op.db.query<OutboxRow>(
    `SELECT event_type, resource_id, payload FROM outbox WHERE ($1::text IS NULL OR resource_id = $1) AND ($2::text IS NULL OR api = $2) ORDER BY seq`,
    [where.resourceId ?? null, where.api ?? null],
  );
  return r.rows;
}

export const customer = (id = 'ind-42') => ({ id, name: 'Jeanne Martin', role: 'customer', '@referredType': 'Individual' });
export const installation = (id = 'addr-served') => ({ id, role: 'installationAddress', '@referredType': 'GeographicAddress' });
