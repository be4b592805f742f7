import { createHash } from 'node:crypto';
import pg from 'pg';
import { equalJson, newId } from '@operon/kernel';
import { BatchFailure, StatementBatch, type BatchStatement } from './batch.ts';
import { sqlLiteral } from './literal.ts';
import { OUTBOX_ROW_EVENTS, type StoredEvent } from './outbox.ts';

// bigint columns (outbox positions, counts) fit comfortably in a JS number
pg.types.setTypeParser(20, (v) => Number(v));

/** SQL text, or a named statement that PostgreSQL parses and plans once per connection. */
export type Statement = string | { readonly name: string; readonly text: string };

const preparedNames = new Map<string, { readonly name: string; readonly text: string }>();

/**
 * Marks a statement whose text never varies (per table) as prepared: after its
 * first run on a connection, PostgreSQL skips parsing and planning it.
 */
export function prepared(text: string): Statement {
  let s = preparedNames.get(text);
  if (!s) {
    s = { name: `op_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
    preparedNames.set(text, s);
  }
  return s;
}

/**
 * Statements with parameters are prepared once their text has come twice (it is
 * then a statement of the code, not one built for a single request), up to this
 * many texts: each connection keeps every text it has prepared, with its plan.
 */
const MAX_AUTO_PREPARED = 500;
const seenOnce = new Set<string>();
let autoPrepared = 0;
/** Texts whose prepared plan PostgreSQL refused after a schema change (its result type changed): sent unprepared from then on. */
const unpreparable = new Set<string>();

function statementFor(statement: Statement, params: readonly unknown[] | undefined): Statement {
  if (typeof statement !== 'string') return unpreparable.has(statement.text) ? statement.text : statement;
  if (!params?.length || unpreparable.has(statement)) return statement;
  if (preparedNames.has(statement)) return preparedNames.get(statement)!;
  if (autoPrepared >= MAX_AUTO_PREPARED) return statement;
  if (!seenOnce.has(statement)) {
    // texts met once are forgotten in bulk: built-per-request texts must not fill the process
    if (seenOnce.size >= 10_000) seenOnce.clear();
    seenOnce.add(statement);
    return statement;
  }
  seenOnce.delete(statement);
  autoPrepared++;
  return prepared(statement);
}

/** PostgreSQL's answer to a prepared statement whose result columns changed under it (an ALTER TABLE while running). */
function planOutdated(e: unknown): boolean {
  return (e as { code?: string }).code === '0A000' && /cached plan must not change result type/.test(String((e as Error).message));
}

function send<R extends pg.QueryResultRow>(c: pg.Pool | pg.PoolClient, statement: Statement, params?: readonly unknown[]): Promise<pg.QueryResult<R>> {
  const s = statementFor(statement, params);
  if (typeof s === 'string') return c.query<R>(s, params as unknown[] | undefined);
  return c.query<R>({ name: s.name, text: s.text, values: (params ?? []) as unknown[] }).catch((e: unknown) => {
    if (planOutdated(e)) unpreparable.add(s.text);
    throw e;
  });
}

/** A statement on its own (outside a transaction): one whose prepared plan went out of date is sent again unprepared. */
async function run<R extends pg.QueryResultRow>(c: pg.Pool | pg.PoolClient, statement: Statement, params?: readonly unknown[]): Promise<pg.QueryResult<R>> {
  try {
    return await send<R>(c, statement, params);
  } catch (e) {
    if (!planOutdated(e)) throw e;
    return send<R>(c, statement, params);
  }
}

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(statement: Statement, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** An event waiting in the transaction for the outbox; written in the same commit. */
export interface OutboxEvent {
  api: string;
  eventType: string;
  resourceType: string;
  resourceId: string;
  payload: Record<string, unknown>;
}

/** One write, as the audit trail keeps it. */
export interface AuditRecord {
  at: Date;
  principalId: string;
  principalName?: string;
  roles: readonly string[];
  action: 'create' | 'update' | 'delete';
  api: string;
  resourceType: string;
  resourceId: string;
  version?: number;
  before?: unknown;
  after?: unknown;
  correlationId?: string;
}

/** What restores an update's document before from its document after: its changed top-level attributes (migration 0011, `operon_audit_before`). */
interface AuditUndo {
  /** Attributes the update changed or removed, with their values before. */
  set: Record<string, unknown>;
  /** Attributes the update added. */
  unset: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** An update of one document to another keeps the change to undo; anything else keeps `before` itself. */
function beforeOf(a: AuditRecord): { before: unknown; undo: AuditUndo | null } {
  const { before, after } = a;
  if (a.action !== 'update' || !isObject(before) || !isObject(after)) return { before: before ?? null, undo: null };
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const k of Object.keys(before)) {
    const was = before[k];
    if (was !== undefined && !equalJson(was, after[k])) set[k] = was;
  }
  for (const k of Object.keys(after)) if (after[k] !== undefined && before[k] === undefined) unset.push(k);
  return { before: null, undo: { set, unset } };
}

/** The audit rows for `records` as one multi-row INSERT, with parameters numbered from `offset`. */
function auditInsert(records: AuditRecord[], offset: number): { text: string; params: unknown[] } {
  const values: string[] = [];
  const params: unknown[] = [];
  for (const a of records) {
    const i = offset + params.length;
    const { before, undo } = beforeOf(a);
    values.push(`($${i + 1}, $${i + 2}, $${i + 3}, $${i + 4}, $${i + 5}, $${i + 6}, $${i + 7}, $${i + 8}, $${i + 9}, $${i + 10}::jsonb, $${i + 11}::jsonb, $${i + 12}::jsonb, $${i + 13})`);
    params.push(
      a.at, a.principalId, a.principalName ?? null, a.roles, a.action, a.api, a.resourceType, a.resourceId, a.version ?? null,
      before === null ? null : JSON.stringify(before), undo === null ? null : JSON.stringify(undo), a.after === undefined ? null : JSON.stringify(a.after), a.correlationId ?? null,
    );
  }
  return {
    text: `INSERT INTO audit_log (at, principal_id, principal_name, roles, action, api, resource_type, resource_id, version, before, undo, after, correlation_id) VALUES ${values.join(',')}`,
    params,
  };
}

/**
 * Audit rows and outbox rows written at commit, each as one statement whatever
 * their number: the rows travel as one JSON parameter, so the text never
 * varies and is prepared once per connection.
 */
const AUDIT_AT_COMMIT = prepared(`INSERT INTO audit_log (at, principal_id, principal_name, roles, action, api, resource_type, resource_id, version, before, undo, after, correlation_id)
    SELECT at, principal_id, principal_name, coalesce(roles, '{}'), action, api, resource_type, resource_id, version, before, undo, after, correlation_id
      FROM jsonb_to_recordset($1::jsonb) AS x(at timestamptz, principal_id text, principal_name text,
           roles text[], action text, api text, resource_type text, resource_id text, version integer, before jsonb, undo jsonb, after jsonb, correlation_id text)`);

// a transaction's events are one row, in the order they were raised (see outbox.ts)
const OUTBOX_AT_COMMIT = prepared(`INSERT INTO outbox_batch (n, types, apis, events) VALUES ($1, $2, $3, $4)`);

function auditRows(records: AuditRecord[]): string {
  return JSON.stringify(records.map((a) => ({
    at: a.at.toISOString(), principal_id: a.principalId, principal_name: a.principalName ?? null, roles: a.roles, action: a.action, api: a.api,
    resource_type: a.resourceType, resource_id: a.resourceId, version: a.version ?? null, ...beforeOf(a), after: a.after ?? null,
    correlation_id: a.correlationId ?? null,
  })));
}

/** The outbox rows of `events`, each its parameters (n, types, apis, events): one row per OUTBOX_ROW_EVENTS events. */
function outboxRows(events: OutboxEvent[]): unknown[][] {
  const rows: unknown[][] = [];
  for (let from = 0; from < events.length; from += OUTBOX_ROW_EVENTS) {
    const part = events.slice(from, from + OUTBOX_ROW_EVENTS);
    const types = new Set<string>();
    const apis = new Set<string>();
    const stored: StoredEvent[] = [];
    for (const e of part) {
      types.add(e.eventType);
      apis.add(e.api);
      stored.push({ eventId: String(e.payload['eventId'] ?? newId()), api: e.api, eventType: e.eventType, resourceType: e.resourceType, resourceId: e.resourceId, payload: e.payload });
    }
    rows.push([part.length, [...types], [...apis], JSON.stringify(stored)]);
  }
  return rows;
}

/** The outbox rows for `events` as one multi-row INSERT, with parameters numbered from `offset`. */
function outboxInsert(events: OutboxEvent[], offset: number): { text: string; params: unknown[] } {
  const values: string[] = [];
  const params: unknown[] = [];
  for (const row of outboxRows(events)) {
    const i = offset + params.length;
    values.push(`($${i + 1}::integer, $${i + 2}::text[], $${i + 3}::text[], $${i + 4}::json)`);
    params.push(...row);
  }
  return { text: `INSERT INTO outbox_batch (n, types, apis, events) VALUES ${values.join(',')}`, params };
}

const SAVEPOINT_STATEMENT = /^\s*(SAVEPOINT|RELEASE|ROLLBACK\s+TO)\s+(?:SAVEPOINT\s+)?("?[\w$]+"?)\s*;?\s*$/i;

/** A string as an SQL literal, for writes sent as text (Tx.writeAtCommit). */
export { sqlLiteral };

/** A statement and its values. */
export interface BoundStatement {
  readonly text: string;
  readonly params: readonly unknown[];
}

/** A write sent with the commit (Tx.writeAtCommit); `tag` and `value` let the transaction read it back. */
type PendingWrite =
  | { sql: string | BoundStatement; tag?: string; value?: unknown; rows?: undefined }
  /** Rows of one statement (Tx.writeRowAtCommit), which `build` makes at the commit. */
  | { tag: string; rows: unknown[]; build: (rows: unknown[]) => BoundStatement };

/** A savepoint's name as PostgreSQL folds it. */
function savepointName(written: string): string {
  return written.startsWith('"') ? written.replace(/"/g, '') : written.toLowerCase();
}

/** A write queued ahead of the next statement; its writer may rewrite it while it waits (Tx.queuedWrite). */
export interface QueuedWrite {
  text: string;
  params: readonly unknown[];
}

/** A write sent ahead of the next statement (Tx.writeWithNext), or a savepoint statement. */
interface AheadWrite extends QueuedWrite {
  /** The savepoint this statement takes. */
  savepoint?: string;
  /** SAVEPOINT, RELEASE or ROLLBACK TO. */
  control?: boolean;
  /** The row this write leaves as it will be at the commit (`table:id`), if its writer says. */
  row?: string;
  /** What its failure means to the caller that queued it (the error as it would have had it at once). */
  mapError?: (e: unknown) => unknown;
}

/**
 * A value sent as JSON text, written out only when its statement is sent: a
 * queued write that a later one replaces (Tx.queuedWrite) is never written out.
 * The driver asks for the text through `toPostgres`.
 */
export class JsonParam {
  constructor(readonly value: unknown) {}
  toPostgres(): string {
    return JSON.stringify(this.value);
  }
}

/** A statement of a batch, with what its failure means to whoever queued it. */
interface Sent extends BatchStatement {
  mapError?: ((e: unknown) => unknown) | undefined;
}

function toSend(statement: Statement, params: readonly unknown[] | undefined, mapError?: (e: unknown) => unknown): Sent {
  const s = statementFor(statement, params);
  return typeof s === 'string' ? { text: s, values: params ?? [], mapError } : { text: s.text, name: s.name, values: params ?? [], mapError };
}

/**
 * Sends `batch` in one round trip and returns its results, or throws the first
 * failure as its writer explains it (the statements after it did not run).
 */
async function answers(client: pg.PoolClient, batch: readonly Sent[]): Promise<pg.QueryResult[]> {
  const b = new StatementBatch(batch);
  void client.query(b as unknown as pg.QueryConfig);
  try {
    return await b.done;
  } catch (e) {
    if (!(e instanceof BatchFailure)) throw e;
    if (planOutdated(e.error)) unpreparable.add(batch[e.index]!.text);
    const mapped = batch[e.index]?.mapError?.(e.error);
    throw mapped === undefined ? e.error : mapped;
  }
}

/**
 * A unit of work: queries run on one connection; events go to the outbox in
 * the same commit. Statements that must run first travel with the next one in
 * one round trip (a StatementBatch): BEGIN with the first query (so a unit
 * whose whole work is one write, `finalWrite`, costs one round trip, not four),
 * writes queued with `writeWithNext` with the next one, and queued writes,
 * audit rows, outbox rows and COMMIT together. Statements the code runs often
 * are prepared on the connection, so PostgreSQL parses and plans them once.
 */
export class Tx implements Queryable {
  private readonly events: OutboxEvent[] = [];
  private readonly audits: AuditRecord[] = [];
  private readonly afterCommitHooks: Array<() => void | Promise<void>> = [];
  private readonly writes: PendingWrite[] = [];
  /** Statements to run ahead of the next query, in its round trip (writeWithNext). */
  private readonly ahead: AheadWrite[] = [];
  /** Open savepoints, with how many pending writes were queued when each was taken. */
  private readonly savepoints: Array<{ name: string; writes: number }> = [];
  private begun = false;
  private committedAlone = false;
  private wroteEvents = false;
  private trips = 0;
  /**
   * Rows this transaction holds locked (read FOR UPDATE, or written), by
   * `table:id`: nobody else can change them before the commit, so a second read
   * costs no round trip. Dropped whole at a rollback to a savepoint.
   */
  readonly lockedRows = new Map<string, unknown>();
  /** What callers keep for the rest of the transaction (same lifetime and rollback rule as `lockedRows`). */
  readonly memo = new Map<string, unknown>();
  constructor(private readonly client: pg.PoolClient) {}

  /** @internal Round trips so far (a batch is one). */
  get roundTrips(): number {
    return this.trips;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(statement: Statement, params?: unknown[]): Promise<pg.QueryResult<R>> {
    if (this.committedAlone) throw new Error('a final write already ended this transaction');
    if (typeof statement === 'string') {
      const savepoint = SAVEPOINT_STATEMENT.exec(statement);
      if (savepoint && !params?.length) return this.savepoint(statement, savepoint) as pg.QueryResult<R>;
    }
    this.trips++;
    if (this.begun && this.ahead.length === 0) return send<R>(this.client, statement, params);
    // what must run first rides in this statement's round trip
    const results = await answers(this.client, [...this.opening(), toSend(statement, params)]);
    return results[results.length - 1] as pg.QueryResult<R>;
  }

  /**
   * A statement over tables that none of the writes queued ahead touch (the
   * workflow engine's own, say): those writes stay queued for the statement
   * after it, or the commit, so a row that a later step of the transaction
   * changes again is still written once. BEGIN goes with it if not yet sent.
   * With a savepoint statement queued, everything goes in order, as query does.
   */
  async queryBeside<R extends pg.QueryResultRow = pg.QueryResultRow>(statement: Statement, params?: unknown[]): Promise<pg.QueryResult<R>> {
    if (this.committedAlone || this.ahead.some((w) => w.control)) return this.query<R>(statement, params);
    if (!this.begun) return (await this.queriesBeside([[statement, params]]))[0] as pg.QueryResult<R>;
    this.trips++;
    return send<R>(this.client, statement, params);
  }

  /**
   * Statements run one after the other in one round trip, each seeing what
   * those before it did (each takes its own snapshot): beside the queued
   * writes as queryBeside goes, or after them when `inOrder`. The first
   * failure is thrown; the statements after it do not run.
   */
  async queriesBeside(statements: ReadonlyArray<readonly [Statement, (readonly unknown[])?]>, inOrder = false): Promise<pg.QueryResult[]> {
    if (this.committedAlone) throw new Error('a final write already ended this transaction');
    const list = statements.map(([s, p]) => toSend(s, p));
    this.trips++;
    if (inOrder || this.ahead.some((w) => w.control)) return (await answers(this.client, [...this.opening(), ...list])).slice(-list.length);
    const opening: Sent[] = this.begun ? [] : [{ text: 'BEGIN', values: [] }];
    this.begun = true;
    return (await answers(this.client, [...opening, ...list])).slice(opening.length);
  }

  /**
   * SAVEPOINT, RELEASE and ROLLBACK TO answer nothing a caller waits for: they
   * go ahead of the next statement, in its round trip, in their place among
   * the writes queued there. A statement that fails after a savepoint was
   * taken this way finds it taken (it ran before, in the same round trip).
   */
  private savepoint(statement: string, m: RegExpExecArray): pg.QueryResult {
    const verb = m[1]!.toUpperCase().replace(/\s+/g, ' ');
    const name = savepointName(m[2]!);
    if (verb === 'ROLLBACK TO') {
      this.lockedRows.clear();
      this.memo.clear();
      // what is still queued after the savepoint is undone before it is sent; if the savepoint is
      // queued itself it stays, with what came before it
      let at = -1;
      for (let i = this.ahead.length - 1; i >= 0 && at < 0; i--) if (this.ahead[i]!.savepoint === name) at = i;
      this.ahead.length = at + 1;
    }
    this.trackSavepoint(statement);
    this.ahead.push({ text: statement, params: [], control: true, ...(verb === 'SAVEPOINT' ? { savepoint: name } : {}) });
    return { command: verb === 'ROLLBACK TO' ? 'ROLLBACK' : verb, rowCount: null, oid: 0, rows: [], fields: [] };
  }

  /** BEGIN if not yet sent, and the writes queued ahead. */
  private opening(): Sent[] {
    const batch: Sent[] = [];
    if (!this.begun) batch.push({ text: 'BEGIN', values: [] });
    this.begun = true;
    for (const w of this.ahead.splice(0)) batch.push(toSend(w.text, w.params, w.mapError));
    return batch;
  }

  /**
   * A write whose result this transaction does not need, but which later
   * statements may read: it runs ahead of the transaction's next statement, in
   * that statement's round trip, or with the commit. Its error (it should have
   * none: callers queue only writes they know will succeed) surfaces there, as
   * `mapError` explains it.
   */
  writeWithNext(text: string, params: readonly unknown[] = [], mapError?: (e: unknown) => unknown, row?: string): void {
    if (this.committedAlone) throw new Error('a final write already ended this transaction');
    this.ahead.push({ text, params, ...(mapError ? { mapError } : {}), ...(row ? { row } : {}) });
  }

  /** Whether a write of `row` (writeWithNext's `row`) waits to be sent. */
  queues(row: string): boolean {
    return this.ahead.some((w) => w.row === row);
  }

  /**
   * The write of `row` queued with writeWithNext, while it still waits and no
   * savepoint was taken, released or rolled back to after it (a rollback to one
   * must find the row as it was then): its writer may rewrite it in place, so a
   * row changed twice before the next statement is written once, as it ends.
   */
  queuedWrite(row: string): QueuedWrite | undefined {
    for (let i = this.ahead.length - 1; i >= 0; i--) {
      const w = this.ahead[i]!;
      if (w.control) return undefined;
      if (w.row === row) return w;
    }
    return undefined;
  }

  /** Keeps pending writes in step with savepoints: a rollback to one drops those queued after it. */
  private trackSavepoint(statement: string): void {
    const m = SAVEPOINT_STATEMENT.exec(statement);
    if (!m) return;
    const verb = m[1]!.toUpperCase().replace(/\s+/g, ' ');
    const name = savepointName(m[2]!);
    if (verb === 'SAVEPOINT') {
      this.savepoints.push({ name, writes: this.writes.length });
      return;
    }
    let at = -1;
    for (let i = this.savepoints.length - 1; i >= 0; i--) {
      if (this.savepoints[i]!.name === name) {
        at = i;
        break;
      }
    }
    if (at < 0) return;
    if (verb === 'RELEASE') {
      this.savepoints.length = at;
      return;
    }
    this.writes.length = Math.min(this.writes.length, this.savepoints[at]!.writes);
    this.savepoints.length = at + 1;
  }

  /**
   * A write whose result this transaction does not need: queued, and sent
   * with the commit in the same round trip. It is not visible to this
   * transaction's queries; `tag` and `value` let callers read queued writes
   * back (pendingWrites). A rollback to an earlier savepoint drops it.
   */
  writeAtCommit(sql: string | BoundStatement, tag?: string, value?: unknown): void {
    // after a final write there is no commit left to carry it: it would be lost without a word
    if (this.committedAlone) throw new Error('a final write already ended this transaction');
    this.writes.push({ sql, ...(tag !== undefined ? { tag, value } : {}) });
  }

  /**
   * A row of a write sent with the commit: the rows queued under `tag` since the
   * innermost open savepoint go in one statement, `build(rows)` (a rollback to
   * a savepoint must drop only the rows queued after it), so a transaction that
   * records ten rows sends one INSERT, not ten. pendingWrites lists the rows.
   */
  writeRowAtCommit(tag: string, row: unknown, build: (rows: unknown[]) => BoundStatement): void {
    if (this.committedAlone) throw new Error('a final write already ended this transaction');
    const since = this.savepoints.at(-1)?.writes ?? 0;
    for (let i = this.writes.length - 1; i >= since; i--) {
      const w = this.writes[i]!;
      if (w.tag === tag && w.rows) {
        w.rows.push(row);
        return;
      }
    }
    this.writes.push({ tag, rows: [row], build });
  }

  /** The values of the writes queued under `tag`, oldest first. */
  pendingWrites(tag: string): unknown[] {
    return this.writes.filter((w) => w.tag === tag).flatMap((w) => (w.rows ? w.rows : [w.value]));
  }

  /** Queue an event; it reaches the outbox only if the transaction commits. */
  emit(event: OutboxEvent): void {
    this.events.push(event);
  }

  /** Queue an audit record; it is written in the same commit as the change it describes. */
  audit(record: AuditRecord): void {
    this.audits.push(record);
  }

  /**
   * The last write of the unit, with the events it causes. When nothing else
   * ran, the write and its outbox rows go as one statement, atomic on its own;
   * otherwise they join the open transaction. `text` must be an INSERT … RETURNING
   * (a data-modifying CTE runs its outbox insert even when an UPDATE matches nothing).
   */
  async finalWrite<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string, params: unknown[], events: OutboxEvent[], audits: AuditRecord[] = [],
  ): Promise<pg.QueryResult<R>> {
    if (this.begun || this.events.length > 0 || this.audits.length > 0 || this.writes.length > 0 || this.ahead.length > 0 || events.length === 0) {
      const r = await this.query<R>(text, params);
      for (const e of events) this.emit(e);
      for (const a of audits) this.audit(a);
      return r;
    }
    if (this.committedAlone) throw new Error('a final write already ended this transaction');
    const outbox = outboxInsert(events, params.length);
    const audit = audits.length ? auditInsert(audits, params.length + outbox.params.length) : undefined;
    this.trips++;
    const r = await send<R>(
      this.client,
      prepared(`WITH w AS (${text}), o AS (${outbox.text})${audit ? `, a AS (${audit.text})` : ''} SELECT * FROM w`),
      [...params, ...outbox.params, ...(audit?.params ?? [])],
    );
    this.committedAlone = true;
    this.wroteEvents = true;
    return r;
  }

  /** Run after a successful commit (never after a rollback). */
  afterCommit(fn: () => void | Promise<void>): void {
    this.afterCommitHooks.push(fn);
  }

  /** @internal Writes queued events and commits; returns whether events were written. */
  async commit(): Promise<boolean> {
    if (this.committedAlone) return this.wroteEvents;
    if (this.writes.length > 0 || this.ahead.length > 0 || this.audits.length > 0 || this.events.length > 0) {
      // BEGIN if not yet sent, queued writes, audit rows, outbox rows and COMMIT in one round trip:
      // on a small machine each round trip costs more CPU than the statements themselves
      this.trips++;
      const batch = this.opening();
      for (const w of this.writes.splice(0)) {
        const sql = w.rows ? w.build(w.rows) : w.sql;
        batch.push(typeof sql === 'string' ? { text: sql, values: [] } : toSend(sql.text, sql.params));
      }
      if (this.audits.length) batch.push(toSend(AUDIT_AT_COMMIT, [auditRows(this.audits)]));
      for (const row of this.events.length ? outboxRows(this.events) : []) batch.push(toSend(OUTBOX_AT_COMMIT, row));
      batch.push({ text: 'COMMIT', values: [] });
      this.wroteEvents ||= this.events.length > 0;
      this.audits.length = 0;
      this.events.length = 0;
      const results = await answers(this.client, batch);
      // a transaction aborted without an error of ours (none can be: every statement's failure is thrown above)
      if (results[results.length - 1]!.command !== 'COMMIT') throw new Error('the transaction was rolled back at its commit');
      return this.wroteEvents;
    }
    if (this.begun) {
      this.trips++;
      await this.client.query('COMMIT');
    }
    return this.wroteEvents;
  }

  /** @internal */
  async rollback(): Promise<void> {
    if (this.begun) await this.client.query('ROLLBACK');
  }

  /** Sends queued events now, inside the open transaction (e.g. before waiting on something). */
  async flush(): Promise<void> {
    if (this.events.length === 0) return;
    for (const row of outboxRows(this.events)) await this.query(OUTBOX_AT_COMMIT, row);
    this.events.length = 0;
    this.wroteEvents = true;
  }

  /** @internal */
  get hooks() {
    return this.afterCommitHooks;
  }
}

export interface DatabaseOptions {
  url: string;
  /** Pool size; PostgreSQL throughput on small machines peaks around 2–4× the core count. */
  max?: number;
  applicationName?: string;
}

export class Database implements Queryable {
  readonly pool: pg.Pool;
  readonly url: string;
  /** Connections in the pool: what workers that hold a transaction while asking for another must stay under. */
  readonly max: number;
  private readonly commitListeners = new Set<() => void>();
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(options: DatabaseOptions) {
    this.url = options.url;
    this.max = options.max ?? 16;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: this.max,
      application_name: options.applicationName ?? 'operon',
    });
    // an idle client losing its connection must not crash the process
    this.pool.on('error', () => {});
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(statement: Statement, params?: unknown[]): Promise<pg.QueryResult<R>> {
    return run<R>(this.pool, statement, params);
  }

  /** Called after every commit that wrote events, so the relay can wake at once. */
  onEventsCommitted(fn: () => void): () => void {
    this.commitListeners.add(fn);
    return () => this.commitListeners.delete(fn);
  }

  async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx = new Tx(client);
    let result: T;
    let hadEvents = false;
    try {
      result = await fn(tx);
      hadEvents = await tx.commit();
    } catch (e) {
      try {
        await tx.rollback();
      } catch {
        // connection is gone; release it as broken below
        client.release(true);
        throw e;
      }
      client.release();
      throw e;
    }
    client.release();
    if (hadEvents) for (const l of this.commitListeners) l();
    for (const hook of tx.hooks) await hook();
    return result;
  }

  /**
   * A reader for statements made at the same time (in one tick, e.g. the
   * reads of a `Promise.all`): they go in one round trip on one connection,
   * each on its own (not in a transaction), instead of one connection and
   * round trip each. Only for reads: one that fails is reported as its own, and
   * those after it in the batch are sent again.
   */
  together(): Queryable {
    return new ReadsTogether(this.pool);
  }

  /** Run when the database is closed (connections of its own that a helper keeps, say). */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    for (const c of this.closers.splice(0)) await c();
    await this.pool.end();
  }
}

interface WaitingRead {
  statement: Statement;
  params: unknown[] | undefined;
  sent: Sent;
  resolve: (r: pg.QueryResult) => void;
  reject: (e: unknown) => void;
}

/** Database.together: reads made in one tick, sent as one batch. */
class ReadsTogether implements Queryable {
  private waiting: WaitingRead[] = [];

  constructor(private readonly pool: pg.Pool) {}

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(statement: Statement, params?: unknown[]): Promise<pg.QueryResult<R>> {
    return new Promise<pg.QueryResult>((resolve, reject) => {
      this.waiting.push({ statement, params, sent: toSend(statement, params), resolve, reject });
      // the reads a caller starts together are all asked before its first await resumes
      if (this.waiting.length === 1) queueMicrotask(() => void this.flush());
    }) as Promise<pg.QueryResult<R>>;
  }

  private async flush(): Promise<void> {
    const reads = this.waiting.splice(0);
    if (reads.length === 1) {
      const r = reads[0]!;
      run(this.pool, r.statement, r.params).then(r.resolve, r.reject);
      return;
    }
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      for (const r of reads) r.reject(e);
      return;
    }
    try {
      let rest = reads;
      while (rest.length) {
        const b = new StatementBatch(rest.map((r) => r.sent));
        void client.query(b as unknown as pg.QueryConfig);
        try {
          const results = await b.done;
          rest.forEach((r, i) => r.resolve(results[i]!));
          rest = [];
        } catch (e) {
          if (!(e instanceof BatchFailure)) throw e;
          // the batch stopped at its failure: that read gets it (or, its plan outdated, goes again
          // unprepared), the others go again
          const failed = rest[e.index]!;
          if (planOutdated(e.error)) unpreparable.add(failed.sent.text);
          else failed.reject(e.error);
          rest = planOutdated(e.error) ? rest.map((r) => (r === failed ? { ...r, sent: toSend(r.statement, r.params) } : r)) : rest.filter((r) => r !== failed);
        }
      }
      client.release();
    } catch (e) {
      // the connection failed under the batch: it is not given back to the pool
      client.release(true);
      for (const r of reads) r.reject(e);
    }
  }
}
