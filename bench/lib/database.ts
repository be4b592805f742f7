/**
 * Where a benchmark's data lives: the machine's PostgreSQL server, or an
 * embedded one started for the run. Every run gets its own database, dropped
 * afterwards, so runs never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbedded } from '@operon/store';
import { SERVER_ADMIN_URL, serverAvailable } from '../../packages/store/src/testing/server-url.ts';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export interface DbTarget {
  kind: 'server' | 'embedded';
  /** A URL to a maintenance database, used to create and drop benchmark databases. */
  adminUrl: string;
  createDatabase(): Promise<BenchDatabase>;
  /** `PostgreSQL 15.2 …`, for the record of the run. */
  version(): Promise<string>;
  close(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl, application_name: 'operon-bench' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A target on an already running PostgreSQL (the server, or the embedded one of a test run). */
export function targetFromAdminUrl(kind: DbTarget['kind'], adminUrl: string, onClose: () => Promise<void> = async () => {}): DbTarget {
  return {
    kind,
    adminUrl,
    async createDatabase() {
      const name = `operon_bench_${randomBytes(5).toString('hex')}`;
      await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      return {
        name,
        url: u.toString(),
        drop: () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
      };
    },
    version: () => withAdmin(adminUrl, async (c) => String((await c.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v)),
    close: onClose,
  };
}

/** An embedded PostgreSQL in a temporary folder, removed when the target closes. */
export async function startEmbeddedTarget(): Promise<DbTarget> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-bench-pg-'));
  fs.chmodSync(dir, 0o755);
  const embedded = await startEmbedded({ dataDir: dir });
  const admin = new URL(embedded.url);
  admin.pathname = '/postgres';
  return targetFromAdminUrl('embedded', admin.toString(), async () => {
    await embedded.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

/** `server` when asked for or when the machine's server answers; `embedded` otherwise. */
export async function openTarget(wanted: 'server' | 'embedded' | undefined): Promise<DbTarget> {
  if (wanted === 'embedded') return startEmbeddedTarget();
  if (await serverAvailable(SERVER_ADMIN_URL)) return targetFromAdminUrl('server', SERVER_ADMIN_URL);
  if (wanted === 'server') throw new Error(`no PostgreSQL server answers at ${SERVER_ADMIN_URL}`);
  return startEmbeddedTarget();
}
