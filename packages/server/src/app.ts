import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { RequestContext } from '@operon/kernel';
import type { Database, EventRelay } from '@operon/store';
import {
  HubService, Ports, createServices, installTmfHttp, mountApi, tmfServerOptions, type ApiServices, type ComponentManifest, type ComponentRuntime,
} from '@operon/tmf';
import type { OperonConfig } from './config.ts';
import { DEFAULT_CONSOLE_DIR, consoleRoutes } from './console.ts';
import { etomRoutes } from './routes/etom.ts';
import { opsRoutes } from './routes/ops.ts';
import { eventStreamRoutes } from './routes/stream.ts';
import type { Credentials } from './security/credentials.ts';
import { installGuard, type RouteEntry } from './security/guard.ts';
import { installHeaders } from './security/headers.ts';
import { installIdempotency } from './security/idempotency.ts';
import { RateLimiter } from './security/rate-limit.ts';
import { securityRoutes } from './security/routes.ts';
import { tmf672Routes } from './security/tmf672.ts';
import type { Tokens } from './security/tokens.ts';

export interface AppDeps {
  config: OperonConfig;
  db: Database;
  relay: EventRelay;
  components: readonly ComponentManifest[];
  credentials: Credentials;
  tokens: Tokens;
  /** Extra route sets composed by the caller (eTOM map, console…). */
  extensions?: readonly ((app: FastifyInstance, runtime: ComponentRuntime) => void | Promise<void>)[];
}

export interface BuiltApp {
  app: FastifyInstance;
  runtime: ComponentRuntime;
  /** Every route with what it does, as the guard registered it. */
  routes: readonly RouteEntry[];
}

/** A readiness probe must answer even when the database hangs (a lost network, a full pool). */
const READY_TIMEOUT_MS = 2000;

/** Whether some node holds the event relay's leader lock (4242002 in relay.ts) on this database. */
const RELAY_LEADER_HELD = `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = 4242002 AND objsubid = 1
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS led`;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  // a query that answers after the timeout must not surface as an unhandled rejection
  p.catch(() => {});
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function systemContext(config: OperonConfig): RequestContext {
  return { baseUrl: config.publicUrl?.replace(/\/+$/, '') ?? `http://localhost:${config.port}`, correlationId: 'system' };
}

/** Builds the HTTP application: docs, the TMF kit, every component's APIs, operations routes. */
export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const { config, db, relay } = deps;
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : {
      level: config.logLevel,
      // credentials never reach the logs, even when a serializer is widened
      redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.password', '*.secret', '*.apiKey'], censor: '[redacted]' },
    },
    bodyLimit: config.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // bad URLs and unreadable requests are refused with the TMF Error body too
    ...tmfServerOptions,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    // one line per request only when debugging; errors are always logged
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
  });

  const services = new Map<string, ApiServices>();
  for (const c of deps.components) for (const api of c.exposes) services.set(api.name, createServices(api, db));
  const runtime: ComponentRuntime = { db, relay, services, systemContext: systemContext(config), ports: new Ports() };

  installTmfHttp(app, {
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    maxJsonDepth: config.maxJsonDepth,
    log: (msg, detail) => app.log.error(detail, msg),
  });
  installHeaders(app, config.corsOrigins);
  const routes = installGuard(app, { auth: config.auth, credentials: deps.credentials, tokens: deps.tokens, limiter: new RateLimiter(config.rateLimit.perSecond, config.rateLimit.burst) });
  installIdempotency(app, db, config.idempotencyTtlSeconds);
  // before every other route, so that it learns which paths are the API's and never answers them with the console's page
  consoleRoutes(app, { dir: config.consoleDir ?? DEFAULT_CONSOLE_DIR });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Operon',
        version: '0.1.0',
        description: 'TM Forum Open APIs served by Operon, an eTOM-organised BSS/OSS. Each tag is one API.',
        license: { name: 'Apache-2.0' },
      },
      tags: deps.components.flatMap((c) => c.exposes.map((a) => ({ name: `${a.id} ${a.title}`, description: `${a.basePath} — v${a.version}` }))),
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A token from POST /auth/token (or your OpenID Connect provider), or an API key (opk_…)' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key (opk_…), created with `operon key create`' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  securityRoutes(app, { db, credentials: deps.credentials, tokens: deps.tokens, tokenTtlSeconds: config.tokenTtlSeconds });
  tmf672Routes(app, deps.credentials);

  const hub = new HubService(db);
  for (const c of deps.components) {
    for (const api of c.exposes) mountApi(app, api, services.get(api.name)!, hub);
    c.routes?.(app, runtime);
  }
  opsRoutes(app, relay, hub);
  eventStreamRoutes(app, runtime, config.eventStreams);
  etomRoutes(app, deps.components, runtime);

  app.get('/health/live', { config: { access: 'public' }, schema: { tags: ['Operations: health'], summary: 'The process is up' } }, async () => ({ status: 'up' }));
  app.get('/health/ready', {
    config: { access: 'public' },
    schema: { tags: ['Operations: health'], summary: 'Ready when the database answers; says which node relays events (none leading does not make a node unready)' },
  }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    try {
      // one round trip: the database answers, and whether any node holds the relay's leader lock
      const r = await withTimeout(db.query<{ led: boolean }>(RELAY_LEADER_HELD), READY_TIMEOUT_MS);
      checks['database'] = 'up';
      checks['eventRelay'] = relay.isLeader ? 'leading' : r.rows[0]?.led ? 'standby' : 'noLeader';
    } catch {
      checks['database'] = 'down';
      checks['eventRelay'] = relay.isLeader ? 'leading' : 'unknown';
    }
    // events wait safely in the outbox until some node leads again: only the database decides readiness
    const ok = checks['database'] === 'up';
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', checks });
  });

  for (const ext of deps.extensions ?? []) await ext(app, runtime);
  return { app, runtime, routes };
}
