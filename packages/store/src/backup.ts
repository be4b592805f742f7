/**
 * Backups made by Operon itself (the embedded PostgreSQL ships no pg_dump, and
 * a user's machine may have none): one consistent snapshot of the database in
 * one gzip file, and its restore into an empty database.
 *
 * The file, once gunzipped, is
 *
 *     OPERON-BACKUP <format version>\n
 *     <header: JSON on one line>\n
 *     <each table's COPY text, back to back, in header order>
 *
 * The header names the Operon version, the applied migrations, the time, and
 * per table its columns, row count, byte length and SHA-256, so that a restore
 * finds each table's data by length and proves it intact before committing.
 * It is written as two gzip members (header, then data), which every gunzip
 * reads as one stream: the data is compressed once, while it is read.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { Database } from './database.ts';
import { coreMigrations, type MigrationSource } from './migrate.ts';

export const BACKUP_FORMAT_VERSION = 1;
const MAGIC = 'OPERON-BACKUP';
/** Same key as migrate(): a restore and a starting server never change the schema together. */
const MIGRATION_LOCK = 4242001;
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export interface BackupTable {
  name: string;
  /** Stored columns, in COPY order (generated columns are recomputed on restore). */
  columns: string[];
  rows: number;
  /** Length of the table's COPY text in the file (uncompressed). */
  bytes: number;
  /** SHA-256 (hex) of that COPY text. */
  sha256: string;
}

/** A sequence behind a serial or identity column, as it stood when the backup was made. */
export interface BackupSequence {
  table: string;
  column: string;
  /** The value the next nextval() would have returned. */
  next: number;
}

export interface BackupHeader {
  formatVersion: number;
  operonVersion: string;
  createdAt: string;
  postgresVersion: string;
  /** Applied migrations (id and checksum), in the order they were applied. */
  migrations: { id: string; checksum: string }[];
  tables: BackupTable[];
  sequences: BackupSequence[];
}

/** A backup that cannot be made or restored, with a message meant for the person running it. */
export class BackupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupError';
  }
}

export interface TableProgress {
  table: string;
  /** 1-based position of the table, out of `count`. */
  index: number;
  count: number;
  rows: number;
  bytes: number;
}

export interface BackupOptions {
  /** The file to write; it must not exist. Written beside as `<file>.partial`, then renamed. */
  file: string;
  operonVersion: string;
  /** Called after each table. */
  onTable?: (p: TableProgress) => void;
}

export interface BackupResult {
  file: string;
  header: BackupHeader;
  /** Size of the file written. */
  fileBytes: number;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Settings that make COPY text read back exactly as it was written, whatever
 * the server's or the role's defaults (pg_dump sets the same).
 */
async function setSession(client: pg.PoolClient): Promise<void> {
  await client.query(`SET LOCAL client_encoding = 'UTF8'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres';
    SET LOCAL TimeZone = 'UTC'; SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = 'hex';
    SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0`);
}

interface TableInfo {
  name: string;
  columns: string[];
  /** Tables this one references by foreign key. */
  references: string[];
}

/** The ordinary tables of the current schema with their stored columns and foreign keys. */
async function listTables(client: pg.PoolClient): Promise<TableInfo[]> {
  const rows = (await client.query<{ name: string; columns: string[] | null; refs: string[] | null }>(`
    SELECT c.relname AS name,
           (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') AS columns,
           (SELECT array_agg(DISTINCT r.relname::text) FROM pg_constraint k JOIN pg_class r ON r.oid = k.confrelid
             WHERE k.conrelid = c.oid AND k.contype = 'f' AND k.confrelid <> c.oid) AS refs
      FROM pg_class c
     WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind = 'r' AND NOT c.relispartition
     ORDER BY c.relname`)).rows;
  return rows.map((r) => ({ name: r.name, columns: r.columns ?? [], references: r.refs ?? [] }));
}

/** Tables in load order: every table after those it references; otherwise by name, the migration ledger first. */
function loadOrder(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const sorted = [...tables].sort((a, b) => (a.name === 'operon_migration' ? -1 : b.name === 'operon_migration' ? 1 : a.name.localeCompare(b.name)));
  const out: TableInfo[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: TableInfo) => {
    const s = state.get(t.name);
    if (s === 'done') return;
    // a reference cycle cannot be ordered; COPY then meets the constraint and says so
    if (s === 'visiting') return;
    state.set(t.name, 'visiting');
    for (const r of t.references) {
      const dep = byName.get(r);
      if (dep) visit(dep);
    }
    state.set(t.name, 'done');
    out.push(t);
  };
  for (const t of sorted) visit(t);
  return out;
}

interface SequenceInfo {
  table: string;
  column: string;
  /** Schema-qualified, quoted: usable as a regclass literal. */
  sequence: string;
}

async function listSequences(client: pg.PoolClient): Promise<SequenceInfo[]> {
  return (await client.query<SequenceInfo>(`
    SELECT t.relname AS "table", a.attname AS "column", quote_ident(n.nspname) || '.' || quote_ident(s.relname) AS sequence
      FROM pg_depend d
      JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
      JOIN pg_namespace n ON n.oid = s.relnamespace
      JOIN pg_class t ON t.oid = d.refobjid
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       AND t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
     ORDER BY 1, 2`)).rows;
}

function tempBeside(file: string, what: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${what}-${randomBytes(4).toString('hex')}`);
}

/**
 * Writes a backup of the whole database: one REPEATABLE READ, READ ONLY
 * transaction, so every table is read as of the same instant while the
 * server keeps running; one COPY per table, in load order. Nothing in the
 * database is changed. The file (mode 0600: it holds password hashes and
 * signing keys) appears only when complete.
 */
export async function createBackup(db: Database, options: BackupOptions): Promise<BackupResult> {
  const file = path.resolve(options.file);
  if (fs.existsSync(file)) throw new BackupError(`${file} already exists; a backup never overwrites a file`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const dataFile = tempBeside(file, 'data');
  const partial = `${file}.partial`;
  const client = await db.pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await setSession(client);
    const hasLedger = (await client.query<{ t: string | null }>(`SELECT to_regclass('operon_migration')::text AS t`)).rows[0]?.t;
    if (!hasLedger) throw new BackupError('this database has no Operon schema (no operon_migration table): nothing to back up');
    const tables = loadOrder(await listTables(client));
    // keep schema changes out while the tables are read (pg_dump does the same)
    await client.query(`LOCK TABLE ${tables.map((t) => ident(t.name)).join(', ')} IN ACCESS SHARE MODE`);
    const migrations = (await client.query<{ id: string; checksum: string }>('SELECT id, checksum FROM operon_migration ORDER BY applied_at, id')).rows;
    // now() is the start of this transaction: the instant the snapshot shows
    const facts = (await client.query<{ v: string; at: Date }>(`SELECT current_setting('server_version') AS v, now() AS at`)).rows[0]!;
    const sequences: BackupSequence[] = [];
    for (const s of await listSequences(client)) {
      const r = (await client.query<{ last_value: number; is_called: boolean }>(`SELECT last_value, is_called FROM ${s.sequence}`)).rows[0]!;
      sequences.push({ table: s.table, column: s.column, next: r.is_called ? r.last_value + 1 : r.last_value });
    }

    const gzip = zlib.createGzip({ level: 6 });
    const written = pipeline(gzip, fs.createWriteStream(dataFile, { mode: 0o600 }));
    written.catch(() => {}); // awaited below; an early failure must not go unhandled meanwhile
    const out: BackupTable[] = [];
    try {
      for (const [i, t] of tables.entries()) {
        const hash = createHash('sha256');
        let bytes = 0;
        let rows = 0;
        const copy = client.query(copyTo(`COPY ${ident(t.name)} (${t.columns.map(ident).join(', ')}) TO STDOUT`));
        for await (const chunk of copy as AsyncIterable<Buffer>) {
          hash.update(chunk);
          bytes += chunk.length;
          // in COPY text every row ends with a newline and newlines inside values are escaped
          for (let p = chunk.indexOf(10); p !== -1; p = chunk.indexOf(10, p + 1)) rows++;
          if (!gzip.write(chunk)) await new Promise((r) => gzip.once('drain', r));
        }
        out.push({ name: t.name, columns: t.columns, rows, bytes, sha256: hash.digest('hex') });
        options.onTable?.({ table: t.name, index: i + 1, count: tables.length, rows, bytes });
      }
    } finally {
      gzip.end();
      await written;
    }
    await client.query('COMMIT');

    const header: BackupHeader = {
      formatVersion: BACKUP_FORMAT_VERSION,
      operonVersion: options.operonVersion,
      createdAt: facts.at.toISOString(),
      postgresVersion: facts.v,
      migrations,
      tables: out,
      sequences,
    };
    const head = zlib.gzipSync(Buffer.from(`${MAGIC} ${BACKUP_FORMAT_VERSION}\n${JSON.stringify(header)}\n`));
    const fd = fs.openSync(partial, 'w', 0o600);
    try {
      fs.writeSync(fd, head);
      await pipeline(fs.createReadStream(dataFile), fs.createWriteStream('', { fd, autoClose: false }));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(partial, file);
    return { file, header, fileBytes: fs.statSync(file).size };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    fs.rmSync(partial, { force: true });
    if (e instanceof BackupError) throw e;
    throw new BackupError(`backup failed: ${(e as Error).message}`, { cause: e });
  } finally {
    fs.rmSync(dataFile, { force: true });
    client.release(broken);
  }
}

// ---- reading ------------------------------------------------------------------------------

/** Reads a backup file as lines and exact byte runs, turning gzip failures into clear errors. */
class BackupReader {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly chunks: AsyncIterator<Buffer>;
  private ended = false;
  private readonly source: fs.ReadStream;

  constructor(private readonly file: string) {
    this.source = fs.createReadStream(file);
    const gunzip = zlib.createGunzip();
    // errors of either stream surface through the gunzip iterator
    void pipeline(this.source, gunzip).catch(() => {});
    this.chunks = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    let r: IteratorResult<Buffer>;
    try {
      r = await this.chunks.next();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') throw new BackupError(`${this.file}: no such file`);
      if (err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message)) {
        throw new BackupError(`${this.file} is truncated: the compressed data ends before the backup does`);
      }
      if (err.code?.startsWith('Z_')) throw new BackupError(`${this.file} is corrupt or not an Operon backup (gzip: ${err.message})`);
      throw new BackupError(`cannot read ${this.file}: ${err.message}`);
    }
    if (r.done) {
      this.ended = true;
      return false;
    }
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, r.value]) : r.value;
    return true;
  }

  /** The next line without its newline, or undefined at the end; refuses lines longer than `max`. */
  async line(max: number): Promise<string | undefined> {
    let from = 0;
    for (;;) {
      const nl = this.buffered.indexOf(10, from);
      if (nl !== -1) {
        const text = this.buffered.subarray(0, nl).toString('utf8');
        this.buffered = this.buffered.subarray(nl + 1);
        return text;
      }
      if (this.buffered.length > max) return undefined;
      from = this.buffered.length;
      if (!(await this.more())) return undefined;
    }
  }

  /** Exactly `n` bytes, in chunks; a file that ends sooner is truncated. */
  async *take(n: number, what: string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buffered.length === 0 && !(await this.more())) {
        throw new BackupError(`${this.file} is truncated: it ends inside ${what}`);
      }
      const piece = this.buffered.subarray(0, Math.min(left, this.buffered.length));
      this.buffered = this.buffered.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
  }

  async atEnd(): Promise<boolean> {
    while (this.buffered.length === 0) if (!(await this.more())) return true;
    return false;
  }

  close(): void {
    this.source.destroy();
  }
}

function isHeader(v: unknown): v is BackupHeader {
  if (!v || typeof v !== 'object') return false;
  const h = v as Record<string, unknown>;
  const str = (x: unknown) => typeof x === 'string';
  const count = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  return (
    count(h['formatVersion']) && str(h['operonVersion']) && str(h['createdAt']) &&
    Array.isArray(h['migrations']) && h['migrations'].every((m: unknown) => !!m && str((m as Record<string, unknown>)['id']) && str((m as Record<string, unknown>)['checksum'])) &&
    Array.isArray(h['tables']) && h['tables'].every((t: unknown) => {
      const r = t as Record<string, unknown>;
      return !!t && str(r['name']) && Array.isArray(r['columns']) && r['columns'].every(str) && count(r['rows']) && count(r['bytes']) && typeof r['sha256'] === 'string' && /^[0-9a-f]{64}$/.test(r['sha256']);
    }) &&
    Array.isArray(h['sequences']) && h['sequences'].every((s: unknown) => {
      const r = s as Record<string, unknown>;
      return !!s && str(r['table']) && str(r['column']) && typeof r['next'] === 'number';
    })
  );
}

async function readHeader(reader: BackupReader, file: string): Promise<BackupHeader> {
  const magic = await reader.line(64);
  const m = magic === undefined ? null : /^OPERON-BACKUP (\d+)$/.exec(magic);
  if (!m) throw new BackupError(`${file} is not an Operon backup (it does not start with '${MAGIC}')`);
  if (Number(m[1]) > BACKUP_FORMAT_VERSION) {
    throw new BackupError(`${file} is in backup format ${m[1]}, made by a newer Operon; this one reads format ${BACKUP_FORMAT_VERSION}`);
  }
  const text = await reader.line(MAX_HEADER_BYTES);
  if (text === undefined) throw new BackupError(`${file} is truncated or corrupt: its header is incomplete`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    throw new BackupError(`${file} is corrupt: its header is not readable`);
  }
  if (!isHeader(header)) throw new BackupError(`${file} is corrupt: its header lacks required fields`);
  return header;
}

/** The header of a backup file (what it holds), without reading its data. */
export async function readBackupHeader(file: string): Promise<BackupHeader> {
  const reader = new BackupReader(file);
  try {
    return await readHeader(reader, file);
  } finally {
    reader.close();
  }
}

/** Reads a whole backup file and checks every table against its length and checksum, without a database. */
export async function verifyBackup(file: string, onTable?: (p: TableProgress) => void): Promise<BackupHeader> {
  const reader = new BackupReader(file);
  try {
    const header = await readHeader(reader, file);
    for (const [i, t] of header.tables.entries()) {
      const hash = createHash('sha256');
      for await (const piece of reader.take(t.bytes, `table ${t.name}`)) hash.update(piece);
      if (hash.digest('hex') !== t.sha256) throw new BackupError(`${file} is corrupt: the data of table ${t.name} does not match its checksum`);
      onTable?.({ table: t.name, index: i + 1, count: header.tables.length, rows: t.rows, bytes: t.bytes });
    }
    if (!(await reader.atEnd())) throw new BackupError(`${file} is corrupt: there is data after the last table`);
    return header;
  } finally {
    reader.close();
  }
}

// ---- restoring ------------------------------------------------------------------------------

interface KnownMigration {
  id: string;
  sql: string;
  checksum: string;
}

/** This Operon's migrations in the order migrate() applies them (the same files and checksums). */
function knownMigrations(sources: MigrationSource[]): KnownMigration[] {
  const out: KnownMigration[] = [];
  for (const src of [coreMigrations, ...sources.filter((s) => s.owner !== 'core')]) {
    if (!fs.existsSync(src.dir)) continue;
    for (const f of fs.readdirSync(src.dir).filter((x) => /^\d{4}_[\w-]+\.sql$/.test(x)).sort()) {
      const sql = fs.readFileSync(path.join(src.dir, f), 'utf8');
      out.push({ id: `${src.owner}/${f}`, sql, checksum: createHash('sha256').update(sql).digest('hex') });
    }
  }
  return out;
}

export interface RestoreOptions {
  /** Migration folders of the components (the core's are always included), as for migrate(). */
  sources: MigrationSource[];
  /** Called once the schema is in place, with the number of migrations applied. */
  onSchema?: (migrations: number) => void;
  /** Called after each table is loaded. */
  onTable?: (p: TableProgress) => void;
}

export interface RestoreResult {
  header: BackupHeader;
  migrations: number;
  rows: number;
}

/**
 * Restores a backup into an empty database, in one transaction: the schema
 * is built by applying exactly the backup's migrations (this Operon must know
 * each of them, unchanged), then each table is loaded with COPY and checked
 * against the header; sequences are set past what was loaded. Anything wrong
 * (a non-empty database, an unknown migration, a truncated or corrupt file)
 * rolls everything back: the database is left as it was.
 *
 * The audit log's append-only trigger stays on: it forbids UPDATE and DELETE,
 * and COPY only inserts.
 */
export async function restoreBackup(db: Database, file: string, options: RestoreOptions): Promise<RestoreResult> {
  const reader = new BackupReader(file);
  let client: pg.PoolClient | undefined;
  let broken = false;
  try {
    const header = await readHeader(reader, file);
    const known = knownMigrations(options.sources);
    const knownById = new Map(known.map((m) => [m.id, m]));
    const unknown = header.migrations.filter((m) => !knownById.has(m.id)).map((m) => m.id);
    if (unknown.length) {
      throw new BackupError(
        `the backup was made by an Operon (${header.operonVersion}) with migrations this one does not know: ${unknown.join(', ')}; restore it with that version or a later one`,
      );
    }
    const changed = header.migrations.filter((m) => knownById.get(m.id)!.checksum !== m.checksum).map((m) => m.id);
    if (changed.length) throw new BackupError(`migrations ${changed.join(', ')} differ from the ones the backup was made with; restore it with the Operon version that made it`);
    const wanted = new Set(header.migrations.map((m) => m.id));

    client = await db.pool.connect();
    await client.query('BEGIN');
    await setSession(client);
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const present = (await client.query<{ n: number; first: string | null }>(`
      SELECT count(*)::int AS n, min(n.nspname || '.' || c.relname) AS first FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
         AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`)).rows[0]!;
    if (present.n > 0) {
      const dbName = (await client.query<{ d: string }>('SELECT current_database() AS d')).rows[0]?.d;
      throw new BackupError(
        `database ${dbName} is not empty (it has ${present.n} relation${present.n === 1 ? '' : 's'}, e.g. ${present.first}); a backup is restored only into an empty database`,
      );
    }

    // the same ledger migrate() keeps; its rows come from the backup
    await client.query(`CREATE TABLE operon_migration (
      id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    let applied = 0;
    for (const m of known) {
      if (!wanted.has(m.id)) continue;
      try {
        await client.query(m.sql);
      } catch (e) {
        throw new BackupError(`migration ${m.id} failed while rebuilding the schema: ${(e as Error).message}`, { cause: e });
      }
      applied++;
    }
    options.onSchema?.(applied);

    const actual = new Map((await listTables(client)).map((t) => [t.name, t]));
    for (const t of header.tables) {
      const a = actual.get(t.name);
      if (!a) throw new BackupError(`the backup has table ${t.name}, which its migrations do not create here`);
      const same = a.columns.length === t.columns.length && t.columns.every((c) => a.columns.includes(c));
      if (!same) throw new BackupError(`table ${t.name} has columns (${a.columns.join(', ')}) here but (${t.columns.join(', ')}) in the backup`);
    }
    // rows a migration seeded are in the backup too (as they stood then): the backup's win
    for (const t of [...header.tables].reverse()) {
      const seeded = (await client.query(`SELECT 1 FROM ${ident(t.name)} LIMIT 1`)).rowCount;
      if (seeded) await client.query(`DELETE FROM ${ident(t.name)}`);
    }

    let rows = 0;
    for (const [i, t] of header.tables.entries()) {
      const hash = createHash('sha256');
      let lines = 0;
      let consumed = 0;
      const corrupt = () => new BackupError(`${file} is corrupt: the data of table ${t.name} does not match its checksum`);
      const pieces = async function* () {
        for await (const piece of reader.take(t.bytes, `table ${t.name}`)) {
          hash.update(piece);
          consumed += piece.length;
          for (let p = piece.indexOf(10); p !== -1; p = piece.indexOf(10, p + 1)) lines++;
          yield piece;
        }
        // checked before the COPY ends, so a corrupt table never completes
        if (hash.digest('hex') !== t.sha256 || lines !== t.rows) throw corrupt();
      };
      const copy = client.query(copyFrom(`COPY ${ident(t.name)} (${t.columns.map(ident).join(', ')}) FROM STDIN`));
      try {
        await pipeline(Readable.from(pieces()), copy);
      } catch (e) {
        if (e instanceof BackupError) throw e;
        // PostgreSQL may trip over damaged data before its end: say it is the file, when it is
        for await (const piece of reader.take(t.bytes - consumed, `table ${t.name}`)) hash.update(piece);
        if (hash.digest('hex') !== t.sha256) throw corrupt();
        throw new BackupError(`loading table ${t.name} failed: ${(e as Error).message}`, { cause: e });
      }
      rows += t.rows;
      options.onTable?.({ table: t.name, index: i + 1, count: header.tables.length, rows: t.rows, bytes: t.bytes });
    }
    if (!(await reader.atEnd())) throw new BackupError(`${file} is corrupt: there is data after the last table`);

    const ledger = (await client.query<{ id: string }>('SELECT id FROM operon_migration')).rows.map((r) => r.id).sort();
    if (ledger.join('\n') !== [...wanted].sort().join('\n')) throw new BackupError(`${file} is inconsistent: its migration ledger does not match its header`);

    // past both what the backup's sequences had handed out and what was loaded
    const recorded = new Map(header.sequences.map((s) => [`${s.table}.${s.column}`, s.next]));
    for (const s of await listSequences(client)) {
      const max = (await client.query<{ m: number | null }>(`SELECT max(${ident(s.column)})::bigint AS m FROM ${ident(s.table)}`)).rows[0]?.m ?? null;
      const next = Math.max(recorded.get(`${s.table}.${s.column}`) ?? 1, max === null ? 1 : max + 1);
      await client.query('SELECT setval($1::regclass, $2, false)', [s.sequence, next]);
    }
    await client.query('COMMIT');
    // fresh planner statistics; the data is in either way
    await client.query('ANALYZE').catch(() => {});
    return { header, migrations: applied, rows };
  } catch (e) {
    if (client) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
    }
    if (e instanceof BackupError) throw e;
    throw new BackupError(`restore failed: ${(e as Error).message}`, { cause: e });
  } finally {
    reader.close();
    client?.release(broken);
  }
}
