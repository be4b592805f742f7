import { createRequire } from 'node:module';
import type pg from 'pg';

const require = createRequire(import.meta.url);
// the driver's own conversion of values to their text form, and its result builder, so a batch
// answers exactly as the same statements sent one by one
const { prepareValue } = require('pg/lib/utils.js') as { prepareValue(v: unknown): string | Buffer | null };
const Result = require('pg/lib/result.js') as new () => DriverResult;

interface DriverResult extends pg.QueryResult {
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): pg.QueryResultRow;
  addRow(row: pg.QueryResultRow): void;
  addCommandComplete(msg: unknown): void;
}

interface FieldsMessage {
  fields: unknown[];
}

/** The driver's connection, as a batch writes to it. */
interface Wire {
  /** Names of the statements prepared on this connection, with their text (the driver's own record). */
  parsedStatements: Record<string, string>;
  stream: { cork?(): void; uncork?(): void };
  parse(q: { text: string; name: string }): void;
  bind(c: { portal: string; statement: string; values: ReadonlyArray<string | Buffer | null> }): void;
  describe(m: { type: 'P'; name: string }): void;
  execute(c: { portal: string; rows: number }): void;
  close(m: { type: 'S'; name: string }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

/** One statement of a batch: prepared under `name` when it has one. */
export interface BatchStatement {
  readonly text: string;
  readonly name?: string | undefined;
  readonly values: readonly unknown[];
}

/** Why a batch failed: the error of the statement at `index` (those after it did not run). */
export class BatchFailure extends Error {
  constructor(readonly index: number, readonly error: unknown) {
    super(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Names a failed batch may or may not have prepared on a connection (the failing
 * statement's Parse may have succeeded before its execution failed): the next
 * batch closes such a name before preparing it again.
 */
const doubtful = new WeakMap<Wire, Set<string>>();

/**
 * Statements sent to PostgreSQL in one write, with one sync point at the end:
 * one round trip, and PostgreSQL answers them in one write too. They run in
 * order; at the first error the rest are skipped (PostgreSQL's rule for
 * everything before a sync point), which inside a transaction is what would
 * have happened anyway. A query object the driver accepts in its queue, as it
 * accepts cursors and COPY streams.
 */
export class StatementBatch {
  readonly done: Promise<pg.QueryResult[]>;
  private resolve!: (r: pg.QueryResult[]) => void;
  private reject!: (e: BatchFailure) => void;
  private readonly results: pg.QueryResult[] = [];
  private current: DriverResult = new Result();
  /** Names this batch prepares, by statement index. */
  private readonly parsing = new Map<number, string>();
  private wire: Wire | undefined;
  private rowError: unknown;

  constructor(private readonly statements: readonly BatchStatement[]) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** The statements' texts, as a log or a trace would show the batch. */
  get text(): string {
    return this.statements.map((s) => s.text).join(';\n');
  }

  /** @internal Called by the driver when the connection is free. */
  submit(connection: Wire): Error | null {
    let values: Array<Array<string | Buffer | null>>;
    try {
      // converted before anything is written: a value that cannot be sent fails the batch before any of it runs
      values = this.statements.map((s) => s.values.map((v) => prepareValue(v)));
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
    this.wire = connection;
    const parsed = connection.parsedStatements;
    const unsure = doubtful.get(connection);
    const parsingNow = new Set<string>();
    connection.stream.cork?.();
    try {
      this.statements.forEach((s, i) => {
        const name = s.name ?? '';
        if (!name || (parsed[name] === undefined && !parsingNow.has(name))) {
          parsingNow.add(name);
          if (name && unsure?.delete(name)) connection.close({ type: 'S', name });
          connection.parse({ text: s.text, name });
          if (name) this.parsing.set(i, name);
        }
        connection.bind({ portal: '', statement: name, values: values[i]! });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  /** @internal */
  handleRowDescription(msg: FieldsMessage): void {
    this.current.addFields(msg.fields);
  }

  /** @internal */
  handleDataRow(msg: FieldsMessage): void {
    if (this.rowError !== undefined) return;
    try {
      this.current.addRow(this.current.parseRow(msg.fields));
    } catch (e) {
      this.rowError = e;
    }
  }

  /** @internal */
  handleCommandComplete(msg: unknown): void {
    this.current.addCommandComplete(msg);
    this.completed();
  }

  /** @internal */
  handleEmptyQuery(): void {
    this.completed();
  }

  private completed(): void {
    const i = this.results.length;
    const name = this.parsing.get(i);
    // it ran, so it is prepared: the driver's own queries reuse it too
    if (name && this.wire) this.wire.parsedStatements[name] = this.statements[i]!.text;
    this.results.push(this.current);
    this.current = new Result();
  }

  /** @internal The driver calls this instead of handleReadyForQuery when PostgreSQL reports an error. */
  handleError(error: unknown): void {
    const i = this.results.length;
    const name = this.parsing.get(i);
    if (name && this.wire) {
      let set = doubtful.get(this.wire);
      if (!set) doubtful.set(this.wire, (set = new Set()));
      set.add(name);
    }
    this.reject(new BatchFailure(i, error));
  }

  /** @internal */
  handleReadyForQuery(): void {
    if (this.rowError !== undefined) this.reject(new BatchFailure(this.results.length - 1, this.rowError));
    else this.resolve(this.results);
  }

  /** @internal Batches never hold a portal open. */
  handlePortalSuspended(): void {}

  /** @internal A COPY … FROM STDIN in a batch has no data to send. */
  handleCopyInResponse(connection: Wire): void {
    connection.sendCopyFail('a statement batch sends no COPY data');
  }

  /** @internal */
  handleCopyData(): void {}
}
