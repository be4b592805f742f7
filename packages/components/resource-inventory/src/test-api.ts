/**
 * Set-up shared by the resource inventory test files: Operon with the
 * component on a fresh database, a client that checks every reply against the
 * official TMF639 definitions, and one for the pools (an Operon extension, so
 * only its errors are checked against the specification).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { TmfErrorBody } from '@operon/tmf';
import { tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { resourceInventoryComponent, resourcePools, type ResourcePools } from './index.ts';

/** A resource as the API serves it; the bodies are checked against the spec by the client. */
export type Resource = { id: string; href: string; '@type': string; name: string; resourceStatus: string } & Record<string, unknown>;
export type Pool = { id: string; href: string; name: string; kind: string; capacity: { total: number; used: number; free: number; units: string } } & Record<string, unknown>;

// live bindings: set once the file's tests start, read by the tests
export let op: TestOperon;
export let client: TmfClient;
export let pools: ResourcePools;

export const TYPES = { resource: 'Resource', physicalResource: 'PhysicalResource', logicalResource: 'LogicalResource' };

/** Starts Operon before the tests of the calling file and stops it after them. */
export function withResourceOperon(): void {
  beforeAll(async () => {
    op = await startTestOperon({ components: [resourceInventoryComponent] });
    client = tmfClient({ baseUrl: `${op.url}/tmf-api/resourceInventoryManagement/v4`, spec: 'TMF639', types: TYPES });
    pools = resourcePools(op.runtime);
  });
  afterAll(async () => op?.close());
}

/** The reply is a TMF Error of that status whose message names the attribute (or words) at fault. */
export function refused(r: TmfReply, status: number, field: string): TmfErrorBody {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  const error = r.body as TmfErrorBody;
  expect(error['@type']).toBe('Error');
  expect(error.message).toContain(field);
  return error;
}

export const spec = (id: string, name = id) => ({ id, href: `https://operon.example/tmf-api/resourceCatalog/v4/resourceSpecification/${id}`, name });
