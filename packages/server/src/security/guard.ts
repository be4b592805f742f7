import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OperonError, type Principal } from '@operon/kernel';
import type { RouteAccess } from '@operon/tmf';
import { API_KEY_PREFIX, keyPrincipal, type Credentials } from './credentials.ts';
import { KeyCache, type KeyLookup } from './key-cache.ts';
import { allows, isCovered } from './permissions.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Tokens } from './tokens.ts';

export interface GuardOptions {
  /** false only for local development: every caller acts as an administrator. */
  auth: boolean;
  credentials: Credentials;
  tokens: Tokens;
  limiter: RateLimiter;
}

/** The development principal when authentication is off; named so the audit trail says so. */
export const UNAUTHENTICATED_ADMIN: Principal = { id: 'anonymous', name: 'anonymous (authentication disabled)', roles: ['administrator'] };

const KEY_CACHE_MS = 5_000;
const KEY_REFRESH_AHEAD_MS = 1_000;

function presented(req: FastifyRequest): { kind: 'key' | 'bearer'; value: string } | undefined {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) return { kind: 'key', value: apiKey.trim() };
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m) return { kind: 'bearer', value: '' };
  return { kind: m[1]!.startsWith(API_KEY_PREFIX) ? 'key' : 'bearer', value: m[1]! };
}

const unauthorized = (message: string) =>
  new OperonError('unauthorized', message, { headers: { 'WWW-Authenticate': 'Bearer realm="operon"' } });

/**
 * Authentication and authorisation for every route: each route declares what
 * it does (its access), the permission table says which roles may, and a route
 * that declares nothing or something the table does not cover stops the
 * server from starting.
 */
export interface RouteEntry {
  method: string;
  url: string;
  access: RouteAccess;
}

export function installGuard(app: FastifyInstance, options: GuardOptions): RouteEntry[] {
  const routes: RouteEntry[] = [];
  const touched = new Map<string, number>();

  app.addHook('onRoute', (route) => {
    // routes of the API documentation plugin are public by nature
    if (route.url.startsWith('/docs')) route.config = { ...route.config, access: 'public' };
    const access = route.config?.access;
    if (!access) throw new Error(`route ${String(route.method)} ${route.url} does not declare its access (config.access)`);
    if (!isCovered(access)) throw new Error(`route ${String(route.method)} ${route.url}: the permission table has no entry for ${JSON.stringify(access)}`);
    for (const m of Array.isArray(route.method) ? route.method : [route.method]) routes.push({ method: String(m), url: route.url, access });
  });

  const keys = new KeyCache<Principal | undefined>({ ttlMs: KEY_CACHE_MS, refreshAheadMs: KEY_REFRESH_AHEAD_MS, maxEntries: 10_000 });

  async function lookupKey(value: string): Promise<KeyLookup<Principal | undefined>> {
    const key = await options.credentials.checkKey(value);
    if (!key) return { value: undefined };
    if ((touched.get(key.id) ?? 0) < Date.now() - 60_000) {
      touched.set(key.id, Date.now());
      void options.credentials.touchKey(key.id).catch(() => {});
    }
    return { value: keyPrincipal(key), ...(key.expiresAt ? { expiresAt: Date.parse(key.expiresAt) } : {}) };
  }

  // entries are named by the secret's hash, so the cache never holds a secret
  const fromKey = (value: string): Promise<Principal | undefined> =>
    keys.get(createHash('sha256').update(value).digest('hex'), () => lookupKey(value));

  async function authenticate(req: FastifyRequest): Promise<Principal | undefined> {
    const p = presented(req);
    if (!p) return undefined;
    const principal = p.kind === 'key' ? await fromKey(p.value) : p.value ? await options.tokens.verify(p.value) : undefined;
    if (!principal) throw unauthorized('the credential is not valid (unknown, expired or revoked)');
    return principal;
  }

  app.addHook('onRequest', async (req: FastifyRequest) => {
    // no route matched: the not-found handler answers
    if (req.routeOptions.url === undefined) return;
    const access: RouteAccess | undefined = req.routeOptions.config?.access;
    if (access === undefined) throw new OperonError('forbidden', 'this route does not declare what it does, so nobody may call it');
    const who = options.auth ? await authenticate(req) : UNAUTHENTICATED_ADMIN;
    if (who) req.ctx.principal = who;
    const limited = options.limiter.take(who?.id ?? `ip:${req.ip}`);
    if (!limited.ok) {
      throw new OperonError('tooManyRequests', `too many requests; retry in ${limited.retryAfterSeconds} s`, { headers: { 'Retry-After': String(limited.retryAfterSeconds) } });
    }
    if (access === 'public') return;
    if (!who) throw unauthorized('this operation needs a credential: an API key (X-API-Key or Authorization: Bearer opk_…) or a bearer token');
    if (!allows(who.roles, access.area, access.action)) {
      throw new OperonError('forbidden', `the roles ${who.roles.join(', ') || '(none)'} may not ${access.action} in ${access.area}`);
    }
  });
  return routes;
}
