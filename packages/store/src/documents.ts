import { OperonError, badRequest, cloneJson, conflict } from '@operon/kernel';
import type { DocumentCache } from './cache.ts';
import { JsonParam, Tx, prepared, type AuditRecord, type OutboxEvent, type Queryable } from './database.ts';

/** One stored resource: the TMF document plus what the store keeps beside it. */
export interface StoredDocument<D = Record<string, unknown>> {
  id: string;
  version: number;
  doc: D;
  createdAt: Date;
  updatedAt: Date;
}

export type FilterOp = 'eq' | 'gt' | 'gte' | 'lt' | 'lte';

/** `a.b.gte=v1,v2` → `{ path: ['a','b'], op: 'gte', values: ['v1','v2'] }`; several values mean OR. */
export interface Filter {
  path: string[];
  op: FilterOp;
  values: string[];
}

export interface SortKey {
  path: string[];
  desc: boolean;
}

export interface ListQuery {
  filters: Filter[];
  sort: SortKey[];
  offset: number;
  limit: number;
  /** Only documents where one of `paths` holds one of `values` (a caller confined to its own party). */
  scope?: { paths: string[][]; values: string[] };
}

export interface ListResult<D> {
  rows: StoredDocument<D>[];
  total: number;
}

export interface DocumentTableOptions {
  table: string;
  /** Attribute that carries the state (mirrored into the indexed `status` column). */
  statusAttribute?: string;
  /** Attribute the kit fills with the last update time (mirrored from `updated_at`). */
  lastUpdateAttribute?: string;
  /** Attribute the kit fills with the creation time, if any. */
  createdAttribute?: string;
  /**
   * Top-level string attributes with a B-tree expression index `((doc->>'attr'))`
   * in the migration: equality filters and sorts on them use that index.
   */
  indexedAttributes?: readonly string[];
  /**
   * Keeps documents in memory between reads (DocumentChanges.of(db).cache(table)),
   * for tables read far more often than written; the table's migration must
   * call `operon_cache_documents`, or the cache stays unused.
   */
  cache?: DocumentCache;
}

interface Row {
  id: string;
  version: number;
  doc: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

type Column = { sql: string; kind: 'text' | 'time' };

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const SAFE_TABLE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Normalises an ISO 8601 date-time to UTC with milliseconds, the form the store keeps. */
export function normaliseDateTime(v: string): string | undefined {
  if (!ISO_DATE_TIME.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

function pathLiteral(path: string[]): string {
  return '$' + path.map((k) => '.' + JSON.stringify(k)).join('');
}

/** The jsonpath literals a query-string value may stand for (query strings carry no types). */
function literals(v: string): string[] {
  if (v === 'true' || v === 'false') return [v, JSON.stringify(v)];
  if (NUMBER.test(v) && Number.isFinite(Number(v))) return [String(Number(v)), JSON.stringify(v)];
  const dt = normaliseDateTime(v);
  if (dt && dt !== v) return [JSON.stringify(dt), JSON.stringify(v)];
  return [JSON.stringify(v)];
}

const jsonpathOp: Record<FilterOp, string> = { eq: '==', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const sqlOp: Record<FilterOp, string> = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * A table of TMF documents (created by `operon_create_resource_table`).
 * Filters on mirrored attributes use their B-tree columns; every other
 * attribute is matched with a jsonpath predicate served by the GIN index,
 * which also looks inside arrays (`relatedParty.id=…`).
 */
export class DocumentTable<D extends Record<string, unknown> = Record<string, unknown>> {
  readonly table: string;
  private readonly columns = new Map<string, Column>();
  private readonly returning = 'id, version, doc, created_at, updated_at';
  /**
   * Whether the table's rows answer to nothing but their primary key: no
   * unique index, constraint or trigger of a component's own that could refuse
   * a write. Asked of the database once, at the first write that could use it.
   */
  private plain: Promise<boolean> | undefined;
  /** A row written ahead of the next statement (Tx.writeWithNext), as it then is: new, or changed from `$4`. */
  private readonly insertAhead: string;
  private readonly updateAhead: string;

  constructor(readonly options: DocumentTableOptions) {
    if (!SAFE_TABLE.test(options.table)) throw new Error(`invalid table name ${options.table}`);
    this.table = options.table;
    this.insertAhead = `INSERT INTO ${this.table} (id, version, doc, created_at, updated_at) VALUES ($1, $4, $2, $3, $5)`;
    this.updateAhead = `WITH u AS (UPDATE ${this.table} SET doc = $2, version = $6, updated_at = $3 WHERE id = $1 AND version = $4 RETURNING 1)
         SELECT operon_expect_rows((SELECT count(*) FROM u), 1, $5)`;
    this.columns.set('id', { sql: 'id', kind: 'text' });
    this.columns.set('name', { sql: 'name', kind: 'text' });
    if (options.statusAttribute) this.columns.set(options.statusAttribute, { sql: 'status', kind: 'text' });
    if (options.lastUpdateAttribute) this.columns.set(options.lastUpdateAttribute, { sql: 'updated_at', kind: 'time' });
    if (options.createdAttribute) this.columns.set(options.createdAttribute, { sql: 'created_at', kind: 'time' });
    for (const attr of options.indexedAttributes ?? []) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(attr)) throw new Error(`cannot index attribute '${attr}'`);
      if (!this.columns.has(attr)) this.columns.set(attr, { sql: `(doc->>'${attr}')`, kind: 'text' });
    }
  }

  private toStored(r: Row): StoredDocument<D> {
    return { id: r.id, version: r.version, doc: r.doc as D, createdAt: r.created_at, updatedAt: r.updated_at };
  }

  /** The transaction's map of rows it holds locked, when `q` is a transaction (or a view of one). */
  private lockedIn(q: Queryable): Map<string, unknown> | undefined {
    return q instanceof Tx ? q.lockedRows : undefined;
  }

  /** Remembers a row the transaction holds; callers get copies, so the kept one stays as stored. */
  private keep(q: Queryable, stored: StoredDocument<D>): StoredDocument<D> {
    this.lockedIn(q)?.set(`${this.table}:${stored.id}`, stored);
    return stored;
  }

  /**
   * A write of row `id` in `q`: the cache forgets the row now and again once
   * the write commits (a read in between may have kept the row as it was).
   */
  private async writing<T>(q: Queryable, id: string, write: () => Promise<T>): Promise<T> {
    const cache = this.options.cache;
    if (!cache) return write();
    cache.forget(id);
    if (q instanceof Tx) {
      q.afterCommit(() => cache.forget(id));
      return write();
    }
    // without a transaction the write commits on its own, before the caller hears back
    try {
      return await write();
    } finally {
      cache.forget(id);
    }
  }

  private kept(q: Queryable, id: string): StoredDocument<D> | undefined {
    const s = this.lockedIn(q)?.get(`${this.table}:${id}`) as StoredDocument<D> | undefined;
    return s ? { ...s, doc: cloneJson(s.doc) } : undefined;
  }

  // the caller holds the document already: reading it back would only cost a parse
  private insertStatement(id: string, doc: D, at: Date) {
    return {
      text: `INSERT INTO ${this.table} (id, version, doc, created_at, updated_at) VALUES ($1, 1, $2, $3, $3) RETURNING version` as const,
      params: [id, JSON.stringify(doc), at] as unknown[],
    };
  }

  /**
   * `fresh`: the id was just made (newId), so no row can hold it: in a
   * transaction the insert is then sent ahead of its next statement
   * (Tx.writeWithNext), which saves its round trip.
   */
  insert(q: Queryable, id: string, doc: D, at: Date, opts: { fresh?: boolean } = {}): Promise<StoredDocument<D>> {
    return this.writing(q, id, () => this.insertRow(q, id, doc, at, opts));
  }

  private async insertRow(q: Queryable, id: string, doc: D, at: Date, opts: { fresh?: boolean }): Promise<StoredDocument<D>> {
    if (opts.fresh && (await this.mayWriteAhead(q, id, doc))) {
      const kept = cloneJson(doc);
      (q as Tx).writeWithNext(this.insertAhead, [id, new JsonParam(kept), at, 1, at], (e) => this.refusedHere(e, id), `${this.table}:${id}`);
      this.keep(q, { id, version: 1, doc: kept, createdAt: at, updatedAt: at });
      return { id, version: 1, doc, createdAt: at, updatedAt: at };
    }
    const s = this.insertStatement(id, doc, at);
    try {
      await q.query(prepared(s.text), s.params);
      this.keep(q, { id, version: 1, doc: cloneJson(doc), createdAt: at, updatedAt: at });
      return { id, version: 1, doc, createdAt: at, updatedAt: at };
    } catch (e) {
      throw this.uniqueViolation(e, id);
    }
  }

  /** Inserts as the last write of `tx`, with its events (one round trip when nothing else ran). */
  insertLast(tx: Tx, id: string, doc: D, at: Date, events: OutboxEvent[], audits: AuditRecord[] = []): Promise<StoredDocument<D>> {
    return this.writing(tx, id, async () => {
      const s = this.insertStatement(id, doc, at);
      try {
        await tx.finalWrite(s.text, s.params, events, audits);
        return { id, version: 1, doc, createdAt: at, updatedAt: at };
      } catch (e) {
        throw this.uniqueViolation(e, id);
      }
    });
  }

  /** A refusal by this table, as uniqueViolation names it; anything else is left as it is. */
  private refusedHere(e: unknown, id: string): unknown {
    return (e as { table?: string }).table === this.table ? this.uniqueViolation(e, id) : e;
  }

  /** A unique index that refuses a write is the caller's conflict (409), an index that cannot hold a value its bad input (400): not server errors. */
  private uniqueViolation(e: unknown, id: string): unknown {
    const pgErr = e as { code?: string; constraint?: string; detail?: string; message?: string };
    // an indexed value beyond what a btree entry holds (~2.7 kB) is the caller's oversized input
    if (pgErr.code === '54000' && /index row/.test(pgErr.message ?? '')) return badRequest('a value is too long to be stored in a searchable attribute (at most about 2,000 characters)');
    if (pgErr.code !== '23505') return e;
    if (pgErr.constraint === `${this.table}_pkey`) return conflict(`a resource with id ${id} already exists`);
    return conflict(`this change would duplicate a value that must be unique (${pgErr.constraint ?? 'unique index'})`);
  }

  async get(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<StoredDocument<D> | undefined> {
    // a row this transaction holds locked is as it left it
    const held = this.kept(q, id);
    if (held) return held;
    const cache = opts.forUpdate ? undefined : this.options.cache;
    const generation = cache ? await cache.open(q) : undefined;
    if (generation !== undefined) {
      const hit = cache!.get(id);
      if (hit) return hit as StoredDocument<D>;
    }
    const text = prepared(`SELECT ${this.returning} FROM ${this.table} WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`);
    // a read of one row by its key cannot see the transaction's queued writes of other rows: they stay queued
    const r = q instanceof Tx && !q.queues(`${this.table}:${id}`) ? await q.queryBeside<Row>(text, [id]) : await q.query<Row>(text, [id]);
    if (!r.rows[0]) return undefined;
    const stored = this.toStored(r.rows[0]);
    if (opts.forUpdate) this.keep(q, { ...stored, doc: cloneJson(stored.doc) });
    else if (generation !== undefined) cache!.put(generation, stored);
    return stored;
  }

  /** The stored document as PostgreSQL renders it, for passing through without parsing. */
  async getText(q: Queryable, id: string): Promise<{ version: number; text: string } | undefined> {
    const r = await q.query<{ version: number; text: string }>(prepared(`SELECT version, doc::text AS text FROM ${this.table} WHERE id = $1`), [id]);
    return r.rows[0];
  }

  /**
   * Whether a write of `doc` may be sent ahead of the next statement: on a
   * plain table the one error it could meet is a value too long for a B-tree
   * entry, ruled out here for the indexes the table knows (the id and the
   * indexed attributes together stay well under the ~2.7 kB an entry holds);
   * one a component's own expression index refuses is reported late, as the
   * same 400 (refusedHere).
   */
  private fitsIndexes(id: string, doc: D): boolean {
    let bytes = Buffer.byteLength(id);
    for (const attr of ['name', this.options.statusAttribute, ...(this.options.indexedAttributes ?? [])]) {
      const v = attr === undefined ? undefined : (doc as Record<string, unknown>)[attr];
      if (typeof v === 'string') bytes += Buffer.byteLength(v);
      else if (v !== undefined && v !== null) return false;
    }
    return bytes <= 2_000;
  }

  /** Whether a write of `doc` in `q` may go ahead of the next statement (see fitsIndexes and plain). */
  private async mayWriteAhead(q: Queryable, id: string, doc: D): Promise<boolean> {
    if (!(q instanceof Tx) || !this.fitsIndexes(id, doc)) return false;
    this.plain ??= q
      .query<{ n: number }>(
        `SELECT (SELECT count(*) FROM pg_index WHERE indrelid = $1::regclass AND indisunique AND NOT indisprimary)
              + (SELECT count(*) FROM pg_constraint WHERE conrelid = $1::regclass AND contype NOT IN ('p', 'n'))
              + (SELECT count(*) FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal) AS n`,
        [this.table],
      )
      .then((r) => Number(r.rows[0]?.n) === 0);
    try {
      return await this.plain;
    } catch (e) {
      this.plain = undefined;
      throw e;
    }
  }

  /**
   * Writes a new version if the stored one is still `expectedVersion`; undefined if it moved on or is gone.
   * A row this transaction holds locked cannot have moved on: its update is sent ahead of the
   * transaction's next statement (Tx.writeWithNext), which saves its round trip; it states the one
   * row it expects to change, so a write that found nothing fails the transaction.
   */
  update(q: Queryable, id: string, doc: D, expectedVersion: number, at: Date): Promise<StoredDocument<D> | undefined> {
    return this.writing(q, id, () => this.updateRow(q, id, doc, expectedVersion, at));
  }

  private async updateRow(q: Queryable, id: string, doc: D, expectedVersion: number, at: Date): Promise<StoredDocument<D> | undefined> {
    const held = this.lockedIn(q)?.get(`${this.table}:${id}`) as StoredDocument<D> | undefined;
    if (held?.version === expectedVersion && (await this.mayWriteAhead(q, id, doc))) {
      const tx = q as Tx;
      const kept = cloneJson(doc);
      const version = expectedVersion + 1;
      const row = `${this.table}:${id}`;
      // the row's last write still waits to be sent: it is sent as the row now is, in one statement
      const queued = tx.queuedWrite(row);
      if (queued?.text === this.insertAhead) queued.params = [id, new JsonParam(kept), held.createdAt, version, at];
      else if (queued?.text === this.updateAhead) queued.params = [id, new JsonParam(kept), at, queued.params[3], queued.params[4], version];
      else tx.writeWithNext(this.updateAhead, [id, new JsonParam(kept), at, expectedVersion, `update of ${this.table} ${id}`, version], (e) => this.refusedHere(e, id), row);
      const stored: StoredDocument<D> = { id, version, doc, createdAt: held.createdAt, updatedAt: at };
      this.keep(q, { ...stored, doc: kept });
      return stored;
    }
    try {
      const r = await q.query<Row>(
        prepared(`UPDATE ${this.table} SET doc = $2, version = version + 1, updated_at = $3 WHERE id = $1 AND version = $4 RETURNING ${this.returning}`),
        [id, JSON.stringify(doc), at, expectedVersion],
      );
      if (!r.rows[0]) {
        this.lockedIn(q)?.delete(`${this.table}:${id}`);
        return undefined;
      }
      const stored = this.toStored(r.rows[0]);
      this.keep(q, { ...stored, doc: cloneJson(stored.doc) });
      return stored;
    } catch (e) {
      throw this.uniqueViolation(e, id);
    }
  }

  delete(q: Queryable, id: string, expectedVersion?: number): Promise<StoredDocument<D> | undefined> {
    return this.writing(q, id, () => this.deleteRow(q, id, expectedVersion));
  }

  private async deleteRow(q: Queryable, id: string, expectedVersion?: number): Promise<StoredDocument<D> | undefined> {
    this.lockedIn(q)?.delete(`${this.table}:${id}`);
    const r = await q.query<Row>(
      `DELETE FROM ${this.table} WHERE id = $1${expectedVersion === undefined ? '' : ' AND version = $2'} RETURNING ${this.returning}`,
      expectedVersion === undefined ? [id] : [id, expectedVersion],
    );
    return r.rows[0] ? this.toStored(r.rows[0]) : undefined;
  }

  /** Builds the WHERE clause of a list query; exposed for components that list with extra conditions. */
  where(filters: Filter[], params: unknown[], scope?: ListQuery['scope']): string {
    const parts: string[] = [];
    if (scope) {
      if (scope.values.length === 0 || scope.paths.length === 0) return 'WHERE false';
      const alts = scope.paths.flatMap((p) => scope.values.map((v) => `${pathLiteral(p)} == ${JSON.stringify(v)}`));
      params.push(alts.join(' || '));
      parts.push(`doc @@ $${params.length}::jsonpath`);
    }
    for (const f of filters) {
      if (f.values.length === 0) continue;
      const col = f.path.length === 1 ? this.columns.get(f.path[0]!) : undefined;
      if (col) {
        const alts = f.values.map((v) => {
          if (col.kind === 'time') {
            const t = Date.parse(v);
            if (Number.isNaN(t)) throw badRequest(`'${v}' is not a date-time`, f.path.join('.'));
            params.push(new Date(t));
          } else {
            params.push(v);
          }
          return `${col.sql} ${sqlOp[f.op]} $${params.length}`;
        });
        parts.push(alts.length === 1 ? alts[0]! : `(${alts.join(' OR ')})`);
        continue;
      }
      const lhs = pathLiteral(f.path);
      const alts = f.values.flatMap((v) => literals(v).map((lit) => `${lhs} ${jsonpathOp[f.op]} ${lit}`));
      params.push(alts.join(' || '));
      parts.push(`doc @@ $${params.length}::jsonpath`);
    }
    return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
  }

  private orderBy(sort: SortKey[]): string {
    const keys = sort.map((s) => {
      const col = s.path.length === 1 ? this.columns.get(s.path[0]!) : undefined;
      const expr = col ? col.sql : `doc #> '{${s.path.map((p) => `"${p.replace(/["\\]/g, '\\$&')}"`).join(',')}}'`;
      return `${expr} ${s.desc ? 'DESC' : 'ASC'}${col ? '' : ' NULLS LAST'}`;
    });
    if (!sort.some((s) => s.path.length === 1 && s.path[0] === 'id')) keys.push('id ASC');
    return `ORDER BY ${keys.join(', ')}`;
  }

  async list(q: Queryable, query: ListQuery): Promise<ListResult<D>> {
    const params: unknown[] = [];
    const where = this.where(query.filters, params, query.scope);
    const pageParams = [...params, query.limit, query.offset];
    const pageSql = `SELECT ${this.returning} FROM ${this.table} ${where} ${this.orderBy(query.sort)} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`;
    const countSql = `SELECT count(*)::int AS n FROM ${this.table} ${where}`;
    try {
      const page = await q.query<Row>(pageSql, pageParams);
      // a short first page already tells the total; count only when it does not
      const total =
        page.rows.length < query.limit && (page.rows.length > 0 || query.offset === 0)
          ? query.offset + page.rows.length
          : ((await q.query<{ n: number }>(countSql, params)).rows[0]?.n ?? 0);
      return { rows: page.rows.map((r) => this.toStored(r)), total };
    } catch (e) {
      if (e instanceof OperonError) throw e;
      const code = (e as { code?: string }).code;
      // malformed values that reach PostgreSQL (e.g. a jsonpath it cannot read) are the caller's fault
      // PostgreSQL's own message would describe its internals; the caller gets what to fix
      if (code === '42601' || code === '22P02' || code === '2203A' || code === '22007' || code === '22008') {
        throw badRequest('a filter value could not be read; check the attribute names and values of the query');
      }
      throw e;
    }
  }
}
