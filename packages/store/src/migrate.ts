import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';

/** A folder of `NNNN_name.sql` files owned by one component (or the core). */
export interface MigrationSource {
  owner: string;
  dir: string;
}

export const coreMigrations: MigrationSource = {
  owner: 'core',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};

export interface MigrationResult {
  applied: string[];
  skipped: number;
}

interface Migration {
  id: string;
  sql: string;
  checksum: string;
}

function readMigrations(sources: MigrationSource[]): Migration[] {
  const out: Migration[] = [];
  for (const src of sources) {
    if (!fs.existsSync(src.dir)) continue;
    const files = fs.readdirSync(src.dir).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
    for (const f of files) {
      const sql = fs.readFileSync(path.join(src.dir, f), 'utf8');
      out.push({ id: `${src.owner}/${f}`, sql, checksum: createHash('sha256').update(sql).digest('hex') });
    }
  }
  return out;
}

/**
 * Applies pending migrations in order, each in its own transaction, under an
 * advisory lock so that nodes starting together do not race. A migration that
 * changed after it was applied is an error: migrations are append-only.
 */
export async function migrate(db: Database, sources: MigrationSource[]): Promise<MigrationResult> {
  const all = readMigrations([coreMigrations, ...sources.filter((s) => s.owner !== 'core')]);
  const client = await db.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(4242001)');
    await client.query(`CREATE TABLE IF NOT EXISTS operon_migration (
      id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map(
      (await client.query<{ id: string; checksum: string }>('SELECT id, checksum FROM operon_migration')).rows.map((r) => [r.id, r.checksum]),
    );
    const applied: string[] = [];
    for (const m of all) {
      const prior = done.get(m.id);
      if (prior !== undefined) {
        if (prior !== m.checksum) throw new Error(`migration ${m.id} was changed after it was applied; add a new migration instead`);
        continue;
      }
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO operon_migration (id, checksum) VALUES ($1, $2)', [m.id, m.checksum]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.id} failed: ${(e as Error).message}`, { cause: e });
      }
      applied.push(m.id);
    }
    return { applied, skipped: all.length - applied.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock(4242001)').catch(() => {});
    client.release();
  }
}
