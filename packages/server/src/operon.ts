import type { FastifyInstance } from 'fastify';
import { Database, EventRelay, migrate, startEmbedded, type EmbeddedDatabase, type MigrationResult, type MigrationSource } from '@operon/store';
import type { ComponentManifest, ComponentRuntime, FlowDefinition } from '@operon/tmf';
import { buildApp, type AppDeps } from './app.ts';
import type { RouteEntry } from './security/guard.ts';
import { components as allComponents, flows as allFlows } from './components.ts';
import type { OperonConfig } from './config.ts';
import { ensureFirstAdmin, type FirstAdmin } from './security/bootstrap.ts';
import { Credentials } from './security/credentials.ts';
import { purgeIdempotency } from './security/idempotency.ts';
import { Tokens } from './security/tokens.ts';
import { fileURLToPath } from 'node:url';

export interface RunningOperon {
  /** Where the API listens, e.g. http://127.0.0.1:8080 */
  url: string;
  app: FastifyInstance;
  db: Database;
  relay: EventRelay;
  runtime: ComponentRuntime;
  config: OperonConfig;
  /** True when this process runs its own embedded PostgreSQL. */
  embedded: boolean;
  credentials: Credentials;
  /** Every route with its declared access. */
  routes: readonly RouteEntry[];
  /** Set on the very first start: where the first administrator's credentials are. */
  firstAdmin?: FirstAdmin;
  stop(): Promise<void>;
}

export interface StartOptions {
  components?: readonly ComponentManifest[];
  flows?: readonly FlowDefinition[];
  extensions?: AppDeps['extensions'];
  /** Loads demo data after migrations on an empty database. */
  seed?: (runtime: ComponentRuntime) => Promise<void>;
  /** Progress lines for the person starting Operon. */
  progress?: (line: string) => void;
  /** Do not listen on a port (tests that use `app.inject`). */
  listen?: boolean;
}

/** The server's own tables: users, keys, signing keys, idempotency records. */
const serverMigrations: MigrationSource = { owner: 'server', dir: fileURLToPath(new URL('../migrations', import.meta.url)) };

export function migrationSources(components: readonly ComponentManifest[], flows: readonly FlowDefinition[] = []): MigrationSource[] {
  return [
    serverMigrations,
    ...components.filter((c) => c.migrations).map((c) => ({ owner: c.name, dir: c.migrations! })),
    // libraries several flows may run on (the workflow engine) are migrated once, before the flows
    ...[...new Map(flows.flatMap((f) => f.migrationSources ?? []).map((s) => [s.owner, s])).values()],
    ...flows.filter((f) => f.migrations).map((f) => ({ owner: `flow-${f.name}`, dir: f.migrations! })),
  ];
}

/** Connects to (or starts) the database and applies migrations; used by `start`, `migrate` and `seed`. */
export async function openDatabase(config: OperonConfig, components: readonly ComponentManifest[] = allComponents, progress?: (l: string) => void, flows: readonly FlowDefinition[] = allFlows) {
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (!url) {
    progress?.(`starting embedded PostgreSQL in ${config.dataDir}`);
    embedded = await startEmbedded({ dataDir: config.dataDir });
    url = embedded.url;
  }
  const db = new Database({ url, max: config.dbPoolSize });
  let migrations: MigrationResult;
  try {
    migrations = await migrate(db, migrationSources(components, flows));
    progress?.(migrations.applied.length ? `applied ${migrations.applied.length} migrations` : 'database schema is up to date');
  } catch (e) {
    await db.close();
    await embedded?.stop();
    throw e;
  }
  return {
    db,
    embedded,
    migrations,
    async close() {
      await db.close();
      await embedded?.stop();
    },
  };
}

/** Starts everything: database, migrations, demo data, event relay, components and the HTTP server. */
export async function startOperon(config: OperonConfig, options: StartOptions = {}): Promise<RunningOperon> {
  const components = options.components ?? allComponents;
  // flows drive specific components: with a chosen subset of components, only the flows asked for
  const flows = options.flows ?? (options.components ? [] : allFlows);
  const progress = options.progress ?? (() => {});
  const store = await openDatabase(config, components, progress, flows);
  const { db } = store;
  const relay = new EventRelay(db, {
    retry: { baseMs: config.relay.retryBaseMs, maxMs: config.relay.retryMaxMs, maxAttempts: config.relay.maxAttempts },
    pollMs: config.relay.pollMs,
  });
  let app: FastifyInstance | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  try {
    const credentials = new Credentials(db);
    const tokens = new Tokens(db, config.oidc);
    await tokens.init();
    const firstAdmin = config.auth ? await ensureFirstAdmin(db, credentials, config.dataDir) : undefined;
    if (firstAdmin) progress(firstAdmin.file ? `created the first administrator; credentials in ${firstAdmin.file}` : 'created the first administrator');
    if (!config.auth) progress('AUTHENTICATION IS OFF: every caller acts as an administrator; for local development only');
    const built = await buildApp({ config, db, relay, components, credentials, tokens, ...(options.extensions ? { extensions: options.extensions } : {}) });
    app = built.app;
    relay.setLogger((level, msg, detail) => built.app.log[level](detail ?? {}, msg));
    for (const c of components) await c.start?.(built.runtime);
    for (const f of flows) {
      f.routes?.(built.app, built.runtime);
      await f.start(built.runtime);
    }
    if (options.seed) await options.seed(built.runtime);
    await relay.start();
    let url = `http://${config.host}:${config.port}`;
    if (options.listen !== false) {
      await built.app.listen({ port: config.port, host: config.host });
      const addr = built.app.server.address();
      if (addr && typeof addr === 'object') url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${addr.port}`;
    } else {
      await built.app.ready();
    }
    purgeTimer = setInterval(() => void purgeIdempotency(db).catch(() => {}), 10 * 60_000);
    purgeTimer.unref();
    let stopping: Promise<void> | undefined;
    return {
      url, app: built.app, db, relay, runtime: built.runtime, config, embedded: store.embedded !== undefined, credentials, routes: built.routes,
      ...(firstAdmin ? { firstAdmin } : {}),
      stop() {
        // stop taking requests and finish those in flight, deliver what is pending, then close the database
        stopping ??= (async () => {
          clearInterval(purgeTimer);
          // a connection kept alive after its last answer would hold the close for the keep-alive timeout
          // (72 s): answers from now on say Connection: close, and idle connections are closed as they appear
          const server = built.app.server;
          server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
          const idle = setInterval(() => server.closeIdleConnections(), 100);
          try {
            await built.app.close();
          } finally {
            clearInterval(idle);
          }
          for (const f of [...flows].reverse()) await f.stop?.();
          await relay.stop({ flush: true, timeoutMs: 5000 });
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (e) {
    if (purgeTimer) clearInterval(purgeTimer);
    await app?.close().catch(() => {});
    await relay.stop().catch(() => {});
    await store.close();
    throw e;
  }
}
