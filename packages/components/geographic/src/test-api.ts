/**
 * Set-up shared by the geographic component's test files: Operon with the
 * component on a fresh database, and clients that check every reply against
 * the official TMF673 and TMF674 definitions.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { TmfErrorBody } from '@operon/tmf';
import { tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { geographicComponent } from './index.ts';

export type Served = Record<string, unknown> & { id: string; href: string; '@type': string };

// live bindings: set once the file's tests start, read by the tests
export let op: TestOperon;
export let addresses: TmfClient;
export let sites: TmfClient;

export function withGeographicOperon(): void {
  beforeAll(async () => {
    op = await startTestOperon({ components: [geographicComponent] });
    addresses = tmfClient({
      baseUrl: `${op.url}/tmf-api/geographicAddressManagement/v4`,
      spec: 'TMF673',
      types: { geographicAddress: 'GeographicAddress', geographicAddressValidation: 'GeographicAddressValidation' },
    });
    sites = tmfClient({ baseUrl: `${op.url}/tmf-api/geographicSiteManagement/v4`, spec: 'TMF674', types: { geographicSite: 'GeographicSite' } });
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
