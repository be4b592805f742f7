/**
 * Set-up shared by the product inventory test files: Operon with the component
 * on a fresh database, and a client that checks every reply against the
 * official TMF637 definitions.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { TmfErrorBody } from '@operon/tmf';
import { tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { productInventoryComponent } from './index.ts';

/** A product as the API serves it; the bodies are checked against the spec by the client. */
export type Product = { id: string; href: string; '@type': string; status: string; name?: string } & Record<string, unknown>;

// live bindings: set once the file's tests start, read by the tests
export let op: TestOperon;
export let client: TmfClient;

/** Starts Operon before the tests of the calling file and stops it after them. */
export function withProductOperon(): void {
  beforeAll(async () => {
    op = await startTestOperon({ components: [productInventoryComponent] });
    client = tmfClient({ baseUrl: `${op.url}/tmf-api/productInventory/v4`, spec: 'TMF637', types: { product: 'Product' } });
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
