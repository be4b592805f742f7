/**
 * The console's only way to the server: Operon's public HTTP APIs, same origin,
 * with the signed-in user's bearer token. Non-2xx answers become an ApiError
 * carrying the TMF Error body's fields.
 */

/**
 * A server type as it arrives over HTTP: JSON turns every Date into its ISO
 * string. For the server's own types, imported with `import type`.
 */
export type Jsonified<T> = T extends Date ? string
  : T extends readonly (infer U)[] ? Jsonified<U>[]
  : T extends object ? { [K in keyof T]: Jsonified<T[K]> }
  : T;

export interface ApiInit {
  method?: string;
  /** Sent as JSON (unless it is already a string). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Defaults to application/json when there is a body; PATCH may use application/merge-patch+json. */
  contentType?: string;
  signal?: AbortSignal;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly reason: string;
  /** The TMF Error body as sent, when the answer was JSON. */
  readonly body: unknown;

  constructor(status: number, code: string, reason: string, message: string, body: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.reason = reason;
    this.body = body;
  }
}

const TOKEN_KEY = 'operon.token';
let token: string | null = readStoredToken();
const unauthorizedListeners = new Set<() => void>();

function readStoredToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  return token;
}

/** Kept in sessionStorage: a reload keeps the session, closing the tab ends it. */
export function setToken(value: string | null): void {
  token = value;
  try {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage may be unavailable (private mode): the session then lasts as long as the page
  }
}

/** Called when the server answers 401 to a request that carried a token (expired or revoked). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

async function request(path: string, init: ApiInit = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  const sentToken = token;
  if (sentToken && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) headers['authorization'] = `Bearer ${sentToken}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['content-type'] = init.contentType ?? 'application/json';
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  }
  const res = await fetch(path, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  if (res.ok) return res;
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const e = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (res.status === 401 && sentToken) for (const l of unauthorizedListeners) l();
  throw new ApiError(
    res.status,
    str(e['code']) ?? String(res.status),
    str(e['reason']) ?? res.statusText,
    str(e['message']) ?? str(e['reason']) ?? (text.slice(0, 200) || `HTTP ${res.status}`),
    parsed ?? text,
  );
}

async function json<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** One call; answers the parsed JSON body (undefined for 204). */
export async function api<T>(path: string, init?: ApiInit): Promise<T> {
  return json<T>(await request(path, init));
}

export interface ApiList<T> {
  items: T[];
  /** From X-Total-Count; null when the server did not say. */
  total: number | null;
}

/** A GET of a collection: its items and the total the server reports. */
export async function apiList<T>(path: string, init?: Omit<ApiInit, 'method' | 'body' | 'contentType'>): Promise<ApiList<T>> {
  const res = await request(path, init);
  const body = await json<unknown>(res);
  const header = res.headers.get('x-total-count');
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : null;
  return { items: Array.isArray(body) ? (body as T[]) : [], total };
}

/** A query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** A human message for any error a query or mutation may raise. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return `${e.message} (${e.status}${e.reason && e.reason !== e.message ? ` ${e.reason}` : ''})`;
  if (e instanceof Error) return e.message;
  return String(e);
}
