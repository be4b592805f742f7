/** What every server benchmark run stands on: a fresh database and a server on it, gone afterwards. */
import { Database } from '@operon/store';
import type { BenchDatabase } from './database.ts';
import { onInterrupt, type BenchContext } from './harness.ts';
import { startServer, type BenchServer, type ServerOptions } from './server.ts';

export interface RunScope {
  database: BenchDatabase;
  server: BenchServer;
  /** The benchmark's own pool on the run's database, for ceilings and checks. */
  db: Database;
}

/**
 * Creates the run's database, starts the server on it and opens a pool of
 * `clients` (+4) connections; stops and drops everything after `body`, and
 * on Ctrl-C too, so no server or large database is left behind.
 */
export async function withRunScope<T>(
  ctx: BenchContext,
  server: Omit<ServerOptions, 'databaseUrl'>,
  clients: number,
  describe: string,
  body: (scope: RunScope) => Promise<T>,
): Promise<T> {
  const database = await ctx.db.createDatabase();
  let db: Database | undefined;
  let running: BenchServer | undefined;
  const unregister = onInterrupt(async () => {
    await running?.stop();
    await database.drop();
  });
  try {
    ctx.progress(`database ${database.name} on the ${ctx.db.kind} PostgreSQL; ${describe}`);
    running = await startServer({ ...server, databaseUrl: database.url });
    ctx.progress(`server ${running.url} (pid ${running.pid})`);
    db = new Database({ url: database.url, max: clients + 4, applicationName: 'operon-bench' });
    return await body({ database, server: running, db });
  } finally {
    unregister();
    await running?.stop().catch(() => {});
    await db?.close().catch(() => {});
    await database.drop().catch((e: unknown) => ctx.progress(`could not drop ${database.name}: ${String(e)}`));
  }
}
