/**
 * Test helpers: a fresh, migrated database per test file, on the PostgreSQL
 * the current Vitest project targets (embedded or the machine's server).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { Database, Tx } from './database.ts';
import { migrate, type MigrationSource } from './migrate.ts';

export interface TestDatabase {
  db: Database;
  url: string;
  target: 'embedded' | 'server';
  drop(): Promise<void>;
}

export function testTarget(): 'embedded' | 'server' {
  return inject('pgTarget');
}

/** Creates an empty database and returns its URL (no migrations). */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = inject('pgAdminUrl');
  const name = `operon_t_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      try {
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await d.end();
      }
    },
  };
}

export async function createTestDatabase(sources: MigrationSource[] = [], options: { max?: number } = {}): Promise<TestDatabase> {
  const empty = await createEmptyDatabase();
  const db = new Database({ url: empty.url, max: options.max ?? 6, applicationName: 'operon-test' });
  await migrate(db, sources);
  return {
    db,
    url: empty.url,
    target: testTarget(),
    async drop() {
      await db.close();
      await empty.drop();
    },
  };
}

/**
 * Runs `fn` in a transaction on a connection of its own, commits it, and
 * returns how many round trips it took in all (`soFar` tells along the way).
 */
export async function countRoundTrips(db: Database, fn: (tx: Tx, soFar: () => number) => Promise<void>): Promise<number> {
  const client = await db.pool.connect();
  const tx = new Tx(client);
  try {
    await fn(tx, () => tx.roundTrips);
    await tx.commit();
    return tx.roundTrips;
  } catch (e) {
    await tx.rollback();
    throw e;
  } finally {
    client.release();
  }
}
