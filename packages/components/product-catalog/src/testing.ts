/** What the product catalog's tests share: a spec-checking client that also keeps every response for the final counts. */
import { expect } from 'vitest';
import { tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';

export const BASE = '/tmf-api/productCatalogManagement/v4';

export interface Recorded {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/**
 * `call` and `post` through the TMF620 client of `root()` (known once the server runs), with `D`
 * as the body a reply is read as by default. Absolute URLs (downloads of exported documents,
 * which no definition describes) go unchecked and unrecorded.
 */
export function recordingClient<D>(root: () => string, types: Record<string, string>) {
  const responses: Recorded[] = [];
  const raw = tmfClient({ baseUrl: '' });
  let client: TmfClient | undefined;
  const api = () => (client ??= tmfClient({ baseUrl: root(), spec: 'TMF620', types }));
  async function call<T = D>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TmfReply<T>> {
    if (path.startsWith('http')) return raw.call<T>(method, path, body, headers);
    const r = await api().call<T>(method, path, body, headers);
    responses.push({ method, path, status: r.status, body: r.body });
    return r;
  }
  async function post(resource: string, body: Record<string, unknown>): Promise<D> {
    const r = await call<D>('POST', `/${resource}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  }
  return { call, post, responses };
}
