/** `operon backup` and `operon restore`: the whole database in one file, and back. */
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '@operon/store';
import type { OperonConfig } from '@operon/server';
import { CliError, VERSION, bytes, parse, progressLine, usageError, type Command, type Io } from '../io.ts';
import { describeDatabase, loadConfigFrom } from './server.ts';

const env = `The database is the one 'operon start' uses: DATABASE_URL, or the embedded
PostgreSQL in OPERON_DATA_DIR (default .operon). No pg_dump is needed.`;

const backupUsage = `Usage: operon backup [--out <file>]

Writes a consistent copy of the whole database (one snapshot, taken while
Operon keeps running) to one gzip file: every table, the applied migrations,
row counts and a checksum per table. The file holds password hashes, API key
hashes and token-signing keys: keep it as safe as the database itself.

Options:
  --out <file>   where to write (default: operon-backup-<time>.gz here);
                 an existing file is never overwritten

${env}`;

const restoreUsage = `Usage: operon restore <file> [--check]

Restores a backup into an EMPTY database (a non-empty one is refused): builds
the schema with the backup's migrations, loads every table and checks it
against its checksum, all in one transaction, so a damaged file changes
nothing. Then 'operon start' on that database applies newer migrations, if any.

Options:
  --check        only read the file and verify every checksum; no database

${env}`;

interface Opened {
  db: Database;
  close(): Promise<void>;
}

/** The configured database, without migrating it (a backup changes nothing; a restore needs it empty). */
async function connect(config: OperonConfig, purpose: 'backup' | 'restore'): Promise<Opened> {
  const { Database, startEmbedded } = await import('@operon/store');
  let url = config.databaseUrl;
  let stop = async () => {};
  if (!url) {
    if (purpose === 'backup' && !fs.existsSync(path.join(config.dataDir, 'pg', 'PG_VERSION'))) {
      throw new CliError(`there is no embedded database in ${config.dataDir} to back up; set OPERON_DATA_DIR to Operon's data folder, or DATABASE_URL`);
    }
    try {
      const embedded = await startEmbedded({ dataDir: config.dataDir });
      url = embedded.url;
      stop = () => embedded.stop();
    } catch (e) {
      throw new CliError(`cannot start the embedded PostgreSQL: ${(e as Error).message}`);
    }
  }
  const db = new Database({ url, max: 2, applicationName: `operon-${purpose}` });
  try {
    await db.query('SELECT 1');
  } catch (e) {
    await db.close();
    await stop();
    throw new CliError(`cannot connect to ${describeDatabase(config)}: ${(e as Error).message}`);
  }
  return {
    db,
    async close() {
      await db.close();
      await stop();
    },
  };
}

function defaultName(): string {
  return `operon-backup-${new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.gz`;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

function tableLine(io: Io, label: string) {
  const line = progressLine(io, label);
  return {
    update: (p: { table: string; index: number; count: number; rows: number }) => line.update(p.index, p.count, `${p.table} (${plural(p.rows, 'row')})`),
    done: (summary: string) => line.done(summary),
  };
}

export const backupCommand: Command = {
  usage: backupUsage,
  async run(args, io) {
    const { values, positionals } = parse(args, { out: { type: 'string' } }, backupUsage);
    if (positionals.length) throw usageError(`backup takes no arguments (the file goes in --out)\n\n${backupUsage}`);
    const file = path.resolve(values.out ?? defaultName());
    if (fs.existsSync(file)) throw usageError(`${file} already exists; choose another --out (a backup never overwrites a file)`);
    const config = await loadConfigFrom();
    const { createBackup, BackupError } = await import('@operon/store');
    io.out(`Backing up ${describeDatabase(config)}`);
    const opened = await connect(config, 'backup');
    try {
      const line = tableLine(io, 'tables');
      const r = await createBackup(opened.db, { file, operonVersion: VERSION, onTable: line.update }).catch((e: unknown) => {
        throw e instanceof BackupError ? new CliError(e.message) : e;
      });
      const rows = r.header.tables.reduce((n, t) => n + t.rows, 0);
      line.done(`${plural(r.header.tables.length, 'table')}, ${plural(rows, 'row')}`);
      io.out(`  ${'migrations'.padEnd(10)} ${r.header.migrations.length} (latest ${r.header.migrations.at(-1)?.id ?? 'none'})`);
      io.out(`  ${'file'.padEnd(10)} ${r.file} (${bytes(r.fileBytes)}, snapshot of ${r.header.createdAt})`);
      io.out(`\nThe file holds password hashes, API key hashes and token-signing keys: keep it as safe as the database.`);
      io.out(`Restore it into an empty database with: operon restore ${shortPath(r.file)}`);
      return 0;
    } finally {
      await opened.close();
    }
  },
};

export const restoreCommand: Command = {
  usage: restoreUsage,
  async run(args, io) {
    const { values, positionals } = parse(args, { check: { type: 'boolean' } }, restoreUsage);
    const [given, ...extra] = positionals;
    if (!given) throw usageError(`restore needs the backup file\n\n${restoreUsage}`);
    if (extra.length) throw usageError(`unexpected arguments: ${extra.join(' ')}`);
    const file = path.resolve(given);
    if (!fs.existsSync(file)) throw new CliError(`${file}: no such file`);
    const store = await import('@operon/store');
    const asCliError = (e: unknown) => {
      throw e instanceof store.BackupError ? new CliError(e.message) : e;
    };
    const header = await store.readBackupHeader(file).catch(asCliError);
    const rows = header.tables.reduce((n, t) => n + t.rows, 0);
    io.out(`${values.check ? 'Checking' : 'Restoring'} ${file}`);
    io.out(`  ${'backup'.padEnd(10)} of ${header.createdAt} by Operon ${header.operonVersion}: ${plural(header.tables.length, 'table')}, ${plural(rows, 'row')}, ${plural(header.migrations.length, 'migration')}`);

    if (values.check) {
      const line = tableLine(io, 'tables');
      await store.verifyBackup(file, line.update).catch(asCliError);
      line.done('every table matches its checksum');
      return 0;
    }

    const config = await loadConfigFrom();
    const server = await import('@operon/server');
    io.out(`  ${'database'.padEnd(10)} ${describeDatabase(config)}`);
    const opened = await connect(config, 'restore');
    try {
      const line = tableLine(io, 'tables');
      await store.restoreBackup(opened.db, file, {
        sources: server.migrationSources(server.components, server.flows),
        onSchema: (n) => io.out(`  ${'schema'.padEnd(10)} ${plural(n, 'migration')} applied`),
        onTable: line.update,
      }).catch((e: unknown) => {
        if (e instanceof store.BackupError && /is not empty/.test(e.message)) {
          const hint = config.databaseUrl
            ? 'create an empty database (e.g. createdb operon_restored) and point DATABASE_URL at it'
            : `restore into a new data folder: OPERON_DATA_DIR=<new folder> operon restore ${given}`;
          throw new CliError(`${e.message}.\nNothing was changed. To restore, ${hint}.`);
        }
        if (e instanceof store.BackupError) throw new CliError(`${e.message}\nNothing was restored: the database is as it was.`);
        throw e;
      });
      line.done(`${plural(header.tables.length, 'table')}, ${plural(rows, 'row')} loaded and verified`);
      io.out(`\nRestored. Start Operon on this database with: operon start`);
      return 0;
    } finally {
      await opened.close();
    }
  },
};

/** The path as typed from here when it is below the working directory, else absolute. */
function shortPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
