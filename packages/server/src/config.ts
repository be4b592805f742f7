import path from 'node:path';
import type { OidcSettings } from './security/tokens.ts';

/** Operon's settings, from the environment; every one has a working default. */
export interface OperonConfig {
  port: number;
  host: string;
  /** PostgreSQL server to use; when unset Operon runs its own embedded one in `dataDir`. */
  databaseUrl?: string;
  /** Where the embedded database and other local state live. */
  dataDir: string;
  /** Base URL clients use to reach Operon (for hrefs); taken from the Host header when unset. */
  publicUrl?: string;
  /** Load the demo operator and catalog into an empty database. */
  demoData: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Maximum request body size in bytes. */
  bodyLimit: number;
  relay: { retryBaseMs: number; retryMaxMs: number; maxAttempts: number; pollMs: number };
  dbPoolSize: number;
  /** Authentication and authorisation; off only for local development (everyone acts as an administrator). */
  auth: boolean;
  /** An external OpenID Connect provider whose tokens Operon accepts, beside its own. */
  oidc?: OidcSettings;
  /** Lifetime of the tokens Operon issues at sign-in. */
  tokenTtlSeconds: number;
  /** Requests per second per caller (0: no limit) and the burst allowed above it. */
  rateLimit: { perSecond: number; burst: number };
  /** How long the answer to a POST with an Idempotency-Key is kept for replay. */
  idempotencyTtlSeconds: number;
  /** Origins allowed to call the API from a browser (`*` for any); none by default. */
  corsOrigins: string[];
  /** Deepest nesting accepted in a JSON body. */
  maxJsonDepth: number;
  /** The web console's built files (index.html, assets/); the console package's dist when unset. */
  consoleDir?: string;
  /**
   * Live event streams (`GET /ops/events/stream`) on this node: how many at once, and per
   * caller; the heartbeat; how long one stream lasts before the client must resume it.
   */
  eventStreams: { max: number; perPrincipal: number; heartbeatMs: number; maxAgeMs: number; pollMs?: number; lingerMs?: number };
}

function num(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got '${v}'`);
  return n;
}

function bool(v: string | undefined, fallback: boolean): boolean {
  if (v === undefined || v === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(v.toLowerCase());
}

function list(v: string | undefined): string[] {
  return (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
}

function oidcFrom(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  const issuer = env['OPERON_OIDC_ISSUER'];
  if (!issuer) return undefined;
  const audience = env['OPERON_OIDC_AUDIENCE'];
  if (!audience) throw new Error('OPERON_OIDC_AUDIENCE is needed with OPERON_OIDC_ISSUER (the audience Operon\'s tokens are issued for)');
  const roleMap: Record<string, string> = {};
  for (const pair of list(env['OPERON_OIDC_ROLE_MAP'])) {
    const [from, to] = pair.split('=');
    if (!from || !to) throw new Error(`OPERON_OIDC_ROLE_MAP: '${pair}' is not provider-role=operonRole`);
    roleMap[from] = to;
  }
  return {
    issuer, audience,
    ...(env['OPERON_OIDC_JWKS_URL'] ? { jwksUrl: env['OPERON_OIDC_JWKS_URL'] } : {}),
    rolesClaim: env['OPERON_OIDC_ROLES_CLAIM'] ?? 'roles',
    partyClaim: env['OPERON_OIDC_PARTY_CLAIM'] ?? 'party_id',
    roleMap,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<OperonConfig> = {}): OperonConfig {
  const level = (env['LOG_LEVEL'] ?? 'info') as OperonConfig['logLevel'];
  return {
    port: num(env['PORT'], 8080, 'PORT'),
    host: env['HOST'] ?? '127.0.0.1',
    ...(env['DATABASE_URL'] ? { databaseUrl: env['DATABASE_URL'] } : {}),
    dataDir: path.resolve(env['OPERON_DATA_DIR'] ?? '.operon'),
    ...(env['OPERON_PUBLIC_URL'] ? { publicUrl: env['OPERON_PUBLIC_URL'] } : {}),
    demoData: bool(env['OPERON_DEMO_DATA'], true),
    logLevel: level,
    bodyLimit: num(env['OPERON_BODY_LIMIT'], 1024 * 1024, 'OPERON_BODY_LIMIT'),
    relay: {
      retryBaseMs: num(env['OPERON_EVENT_RETRY_BASE_MS'], 500, 'OPERON_EVENT_RETRY_BASE_MS'),
      retryMaxMs: num(env['OPERON_EVENT_RETRY_MAX_MS'], 60_000, 'OPERON_EVENT_RETRY_MAX_MS'),
      maxAttempts: num(env['OPERON_EVENT_MAX_ATTEMPTS'], 15, 'OPERON_EVENT_MAX_ATTEMPTS'),
      pollMs: num(env['OPERON_EVENT_POLL_MS'], 1000, 'OPERON_EVENT_POLL_MS'),
    },
    dbPoolSize: num(env['OPERON_DB_POOL'], 16, 'OPERON_DB_POOL'),
    auth: bool(env['OPERON_AUTH'], true),
    ...(oidcFrom(env) ? { oidc: oidcFrom(env)! } : {}),
    tokenTtlSeconds: num(env['OPERON_TOKEN_TTL'], 3600, 'OPERON_TOKEN_TTL'),
    rateLimit: { perSecond: num(env['OPERON_RATE_LIMIT'], 200, 'OPERON_RATE_LIMIT'), burst: num(env['OPERON_RATE_BURST'], 400, 'OPERON_RATE_BURST') },
    idempotencyTtlSeconds: num(env['OPERON_IDEMPOTENCY_TTL'], 24 * 3600, 'OPERON_IDEMPOTENCY_TTL'),
    corsOrigins: list(env['OPERON_CORS_ORIGINS']),
    maxJsonDepth: num(env['OPERON_JSON_MAX_DEPTH'], 32, 'OPERON_JSON_MAX_DEPTH'),
    ...(env['OPERON_CONSOLE_DIR'] ? { consoleDir: path.resolve(env['OPERON_CONSOLE_DIR']) } : {}),
    eventStreams: {
      max: num(env['OPERON_EVENT_STREAMS_MAX'], 200, 'OPERON_EVENT_STREAMS_MAX'),
      perPrincipal: num(env['OPERON_EVENT_STREAMS_PER_CALLER'], 10, 'OPERON_EVENT_STREAMS_PER_CALLER'),
      heartbeatMs: 15_000,
      maxAgeMs: 15 * 60_000,
    },
    ...overrides,
  };
}
