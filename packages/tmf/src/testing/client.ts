/**
 * An HTTP client for tests of a TMF API that checks every reply against the
 * official specification: the resource's definition for resource bodies,
 * `Error` for failures, `EventSubscription` for the hub.
 */
import { expect } from 'vitest';
import { loadSpec, type SpecOracle } from './spec.ts';

export interface TmfReply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TmfClientOptions {
  /** API root, e.g. http://127.0.0.1:1234/tmf-api/party/v4 */
  baseUrl: string;
  /** The API whose v4 specification bodies are checked against (e.g. TMF632); no checks without it. */
  spec?: string;
  /** Collection → definition, e.g. { individual: 'Individual' }; other paths are not checked. */
  types?: Record<string, string>;
}

export interface TmfClient {
  readonly baseUrl: string;
  readonly oracle: SpecOracle | undefined;
  call<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TmfReply<T>>;
  get<T = unknown>(path: string, headers?: Record<string, string>): Promise<TmfReply<T>>;
  post<T = unknown>(path: string, body: unknown, headers?: Record<string, string>): Promise<TmfReply<T>>;
  /** Merge patch (application/merge-patch+json). */
  patch<T = unknown>(path: string, body: unknown, headers?: Record<string, string>): Promise<TmfReply<T>>;
  /** JSON Patch (application/json-patch+json). */
  jsonPatch<T = unknown>(path: string, ops: unknown[], headers?: Record<string, string>): Promise<TmfReply<T>>;
  del<T = unknown>(path: string, headers?: Record<string, string>): Promise<TmfReply<T>>;
  /** POST that must answer 201; returns the created body. */
  create<T = Record<string, unknown>>(path: string, body: unknown): Promise<T>;
}

export function tmfClient(options: TmfClientOptions): TmfClient {
  const oracle = options.spec ? loadSpec(options.spec) : undefined;
  const definitionOf = (path: string): string | undefined => {
    const collection = path.replace(/^\//, '').split(/[/?]/)[0] ?? '';
    if (collection === 'hub') return 'EventSubscription';
    return options.types?.[collection];
  };
  const check = (method: string, path: string, r: TmfReply) => {
    if (!oracle || r.body === undefined) return;
    const def = r.status >= 400 ? 'Error' : definitionOf(path);
    if (!def) return;
    const partial = /[?&]fields=/.test(path);
    for (const b of Array.isArray(r.body) ? r.body : [r.body]) {
      expect(oracle.errors(def, b, { partial }), `${method} ${path} → ${r.status} as ${def}: ${JSON.stringify(b)}`).toEqual([]);
    }
  };
  const call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TmfReply<T>> => {
    const res = await fetch(options.baseUrl + path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const reply: TmfReply<T> = { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
    check(method, path, reply);
    return reply;
  };
  return {
    baseUrl: options.baseUrl,
    oracle,
    call,
    get: (path, headers) => call('GET', path, undefined, headers),
    post: (path, body, headers) => call('POST', path, body, headers),
    patch: (path, body, headers = {}) => call('PATCH', path, body, { 'content-type': 'application/merge-patch+json', ...headers }),
    jsonPatch: (path, ops, headers = {}) => call('PATCH', path, ops, { 'content-type': 'application/json-patch+json', ...headers }),
    del: (path, headers) => call('DELETE', path, undefined, headers),
    async create<T>(path: string, body: unknown): Promise<T> {
      const r = await call<T>('POST', path, body);
      if (r.status !== 201) throw new Error(`POST ${path} → ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
  };
}
