import pg from 'pg';
import type { Database, Queryable } from './database.ts';
import type { StoredDocument } from './documents.ts';

/** Where PostgreSQL says a cached table's row changed (`table:id`, or `table:*` for all of them). */
const CHANNEL = 'operon_document_changed';

interface Entry {
  version: number;
  /** The document as JSON: each hit parses a copy of its own, so callers may change what they get. */
  text: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A table's documents kept in memory between reads, for what is read at every
 * order and changed a few times a day (catalog specifications, offerings,
 * prices). The table's trigger (`operon_cache_documents`) notifies every change
 * when it commits, whoever makes it, on whichever node; a write through this
 * node's DocumentTable also forgets the row as soon as it commits, so that the
 * writer's next request reads what it wrote. The cache serves only while this
 * node listens: when the connection is lost, everything is forgotten and reads
 * go to the database until it listens again.
 */
export class DocumentCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every change: a read that began before it must not fill the cache with what it saw. */
  private generation = 0;
  /** Whether the table has the trigger: asked once, at the first read. */
  private watched: Promise<boolean> | undefined;
  hits = 0;
  misses = 0;

  constructor(readonly table: string, private readonly changes: DocumentChanges, private readonly maxEntries: number) {}

  /** A generation to give back to `put`, or undefined when the cache cannot serve now. */
  async open(q: Queryable): Promise<number | undefined> {
    if (!this.changes.listening()) {
      this.changes.start();
      return undefined;
    }
    this.watched ??= q
      .query<{ on: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname = 'operon_document_changed') AS on`,
        [this.table],
      )
      .then((r) => r.rows[0]?.on === true)
      .catch((e: unknown) => {
        this.watched = undefined;
        throw e;
      });
    return (await this.watched) ? this.generation : undefined;
  }

  get(id: string): StoredDocument | undefined {
    const e = this.entries.get(id);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // most recently used last: the first entries are the ones to let go when full
    this.entries.delete(id);
    this.entries.set(id, e);
    return { id, version: e.version, doc: JSON.parse(e.text) as Record<string, unknown>, createdAt: e.createdAt, updatedAt: e.updatedAt };
  }

  put(generation: number, stored: StoredDocument): void {
    if (generation !== this.generation || !this.changes.listening()) return;
    this.entries.set(stored.id, { version: stored.version, text: JSON.stringify(stored.doc), createdAt: stored.createdAt, updatedAt: stored.updatedAt });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** A row changed (or every row, without an id). */
  forget(id?: string): void {
    this.generation++;
    if (id === undefined) this.entries.clear();
    else this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}

const byDatabase = new WeakMap<Database, DocumentChanges>();

/** One connection per database listening for changes of cached tables, for all of them. */
export class DocumentChanges {
  private readonly caches = new Map<string, DocumentCache>();
  private client: pg.Client | undefined;
  private online = false;
  private starting = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  private constructor(private readonly db: Database) {
    db.onClose(() => this.close());
  }

  static of(db: Database): DocumentChanges {
    let c = byDatabase.get(db);
    if (!c) {
      c = new DocumentChanges(db);
      byDatabase.set(db, c);
    }
    return c;
  }

  cache(table: string, maxEntries = 10_000): DocumentCache {
    let c = this.caches.get(table);
    if (!c) {
      c = new DocumentCache(table, this, maxEntries);
      this.caches.set(table, c);
    }
    return c;
  }

  listening(): boolean {
    return this.online;
  }

  /** Starts listening (once; again after a lost connection). */
  start(): void {
    if (this.online || this.starting || this.closed || this.retry) return;
    this.starting = true;
    void this.connect().finally(() => {
      this.starting = false;
    });
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.db.url, application_name: 'operon-cache' });
    client.on('error', () => {});
    client.on('end', () => {
      if (this.client !== client) return;
      this.lost();
    });
    client.on('notification', (n) => {
      if (n.channel !== CHANNEL || !n.payload) return;
      const at = n.payload.lastIndexOf(':');
      const table = n.payload.slice(0, at);
      const id = n.payload.slice(at + 1);
      this.caches.get(table)?.forget(id === '*' ? undefined : id);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      this.online = true;
    } catch {
      await client.end().catch(() => {});
      if (!this.closed) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          this.start();
        }, 1000);
        this.retry.unref();
      }
    }
  }

  /** Changes may have gone unheard: nothing kept can be trusted. */
  private lost(): void {
    this.online = false;
    this.client = undefined;
    for (const c of this.caches.values()) c.forget();
  }

  private async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.lost();
    await c?.end().catch(() => {});
  }
}
