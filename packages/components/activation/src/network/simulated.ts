/**
 * The built-in simulated network: a network adapter that keeps what it has
 * configured in its own tables (elements.ts), answers after a configurable
 * latency, and fails when told to, so that demos and tests see real
 * asynchrony and real failures.
 *
 * Operations live in `activation_sim_operation`, keyed by the caller's
 * idempotency key. An operation is due at `due_at`; whoever awaits it (or
 * `completeDue`) then applies its change and records its outcome in one
 * transaction, so the change happens exactly once, on any node, even after a
 * restart.
 *
 * Failure injection (settings in config.ts):
 * - `failureRate` (0..1): that share of all operations fail with `unavailable` (transient: a
 *   repeat with the same key tries again);
 * - `failPattern`: activations and modifications whose request name (or id) matches are `refused`;
 * - a characteristic `simulateFailure` on the request, for activations and modifications:
 *   `refused` (422), `conflict` (409), `unavailable` (503, transient) or `partial` (the change is
 *   applied, then the element fails: everything is rolled back, 503, transient);
 * - a characteristic `simulateLatencyMs` sets this request's latency (no jitter).
 * Deactivations fail only by `failureRate`, so that a compensation can always undo.
 */
import { newId } from '@operon/kernel';
import type { Database, Queryable, Tx } from '@operon/store';
import {
  NetworkError, isNetworkError, isNetworkErrorCode,
  type MonitorState, type NetworkAdapter, type NetworkCallOptions, type NetworkCharacteristic, type NetworkFailure, type NetworkOperation,
  type NetworkOperationKind, type ResourceActivationRequest, type ResourceOutcome, type ServiceActivationRequest, type ServiceOutcome,
} from './adapter.ts';
import { characteristic, isRecord, requestHash, sleep, waitAborted } from './common.ts';
import { configureResource, configureService, type Defer, networkView, reconfigureResource, reconfigureService, removeResource, removeService } from './elements.ts';

export interface SimulatedNetworkOptions {
  /** Fixed part of every operation's duration. */
  latencyMs: number;
  /** Random extra duration, from 0 to this. */
  jitterMs: number;
  /** Share of operations (0..1) that fail as `unavailable`. */
  failureRate: number;
  /** Activations and modifications whose name (or id) matches are refused. */
  failPattern?: RegExp;
  /** Source of randomness (tests make it predictable). */
  random?: () => number;
}

type PlannedFailure = 'refused' | 'conflict' | 'unavailable' | 'partial';
const PLANNED: readonly PlannedFailure[] = ['refused', 'conflict', 'unavailable', 'partial'];

interface OperationRow {
  id: string;
  idempotency_key: string;
  kind: NetworkOperationKind;
  target_id: string;
  request: ResourceActivationRequest | ServiceActivationRequest;
  request_hash: string;
  state: MonitorState;
  due_at: Date;
  planned_failure: PlannedFailure | null;
  attempts: number;
  outcome: ResourceOutcome | ServiceOutcome | null;
  error: NetworkFailure | null;
}

/** An operation due at once and not planned to fail: applied in the call (applyAtOnce). */
interface QuickOperation {
  kind: NetworkOperationKind;
  request: ResourceActivationRequest | ServiceActivationRequest;
  key: string;
  hash: string;
  dueAt: Date;
}

interface WaitingOperation {
  op: QuickOperation;
  resolve: (row: OperationRow | undefined) => void;
  reject: (e: unknown) => void;
}

/** Most quick operations one transaction applies (applyTogether). */
const MAX_TOGETHER = 32;

const isService = (kind: NetworkOperationKind) => kind.endsWith('Service');
const changes = (kind: NetworkOperationKind) => kind.startsWith('activate') || kind.startsWith('modify');

function requestCharacteristics(kind: NetworkOperationKind, request: ResourceActivationRequest | ServiceActivationRequest): NetworkCharacteristic[] | undefined {
  return isService(kind) ? (request as ServiceActivationRequest).serviceCharacteristic : (request as ResourceActivationRequest).resourceCharacteristic;
}

function checkRequest(kind: NetworkOperationKind, request: ResourceActivationRequest | ServiceActivationRequest, options: NetworkCallOptions): void {
  if (!isRecord(request) || typeof request.id !== 'string' || request.id === '' || request.id.length > 200) {
    throw new NetworkError('invalidRequest', `${kind}: the request needs the id of the ${isService(kind) ? 'service' : 'resource'} (1 to 200 characters)`);
  }
  if (typeof options?.idempotencyKey !== 'string' || options.idempotencyKey === '' || options.idempotencyKey.length > 255) {
    throw new NetworkError('invalidRequest', `${kind}: an idempotency key of 1 to 255 characters is needed`);
  }
  if (kind === 'activateService') {
    const spec = (request as ServiceActivationRequest).serviceSpecification;
    if (!isRecord(spec) || typeof spec.id !== 'string') throw new NetworkError('invalidRequest', `${kind}: the service needs its serviceSpecification (with an id)`);
  }
  const chars = requestCharacteristics(kind, request);
  if (chars !== undefined && (!Array.isArray(chars) || chars.some((c) => !isRecord(c) || typeof c.name !== 'string'))) {
    throw new NetworkError('invalidRequest', `${kind}: characteristics must be a list of { name, value }`);
  }
}

/** A database error the network's own constraints raised, as the network would answer it. */
function asFailure(e: unknown): NetworkFailure {
  if (isNetworkError(e)) return e.toFailure();
  const code = (e as { code?: string }).code;
  if (code === '23505') return { code: 'conflict', message: 'what the request needs is already configured for another resource or service' };
  if (code === '23514' || code === '22P02' || code === '23503') return { code: 'invalidRequest', message: 'the network refused a value of the request' };
  throw e;
}

/** An error of the network's own tables that asFailure turns into the network's answer. */
const isConstraintError = (e: unknown) => ['23505', '23514', '22P02', '23503'].includes(String((e as { code?: string }).code));

export class SimulatedNetwork implements NetworkAdapter {
  readonly kind = 'simulated';
  /** At (near) zero latency an operation completes in the call; a request's own simulateLatencyMs is the caller's to see. */
  get quick(): boolean {
    return this.options.latencyMs + this.options.jitterMs <= 5;
  }
  private readonly random: () => number;
  /** Quick operations waiting for the network's current transaction to end (applyTogether). */
  private readonly waiting: WaitingOperation[] = [];
  private applying = false;

  constructor(private readonly db: Database, readonly options: SimulatedNetworkOptions) {
    this.random = options.random ?? Math.random;
  }

  activateResource(request: ResourceActivationRequest, options: NetworkCallOptions) {
    return this.begin<ResourceOutcome>('activateResource', request, options);
  }
  deactivateResource(request: ResourceActivationRequest, options: NetworkCallOptions) {
    return this.begin<ResourceOutcome>('deactivateResource', request, options);
  }
  modifyResource(request: ResourceActivationRequest, options: NetworkCallOptions) {
    return this.begin<ResourceOutcome>('modifyResource', request, options);
  }
  activateService(request: ServiceActivationRequest, options: NetworkCallOptions) {
    return this.begin<ServiceOutcome>('activateService', request, options);
  }
  deactivateService(request: ServiceActivationRequest, options: NetworkCallOptions) {
    return this.begin<ServiceOutcome>('deactivateService', request, options);
  }
  modifyService(request: ServiceActivationRequest, options: NetworkCallOptions) {
    return this.begin<ServiceOutcome>('modifyService', request, options);
  }

  /** What the network holds for a resource or service id. */
  view(id: string, q: Queryable = this.db) {
    return networkView(q, id);
  }

  /** Completes every operation already due (those whose caller went away); returns how many. */
  async completeDue(): Promise<number> {
    const due = await this.db.query<{ id: string }>(`SELECT id FROM activation_sim_operation WHERE state = 'InProgress' AND due_at <= $1 ORDER BY due_at`, [new Date()]);
    for (const r of due.rows) await this.complete(r.id);
    return due.rows.length;
  }

  /** How long this request takes and whether it fails, decided once per attempt. */
  private plan(kind: NetworkOperationKind, request: ResourceActivationRequest | ServiceActivationRequest): { dueAt: Date; failure: PlannedFailure | null } {
    const chars = requestCharacteristics(kind, request);
    const latency = Number(characteristic(chars, 'simulateLatencyMs'));
    const jitter = this.options.jitterMs > 0 ? this.random() * this.options.jitterMs : 0;
    const ms = Number.isFinite(latency) && latency >= 0 ? latency : this.options.latencyMs + jitter;
    let failure: PlannedFailure | null = null;
    if (changes(kind)) {
      const asked = characteristic(chars, 'simulateFailure');
      if (typeof asked === 'string' && (PLANNED as readonly string[]).includes(asked)) failure = asked as PlannedFailure;
      else if (this.options.failPattern && (this.options.failPattern.test(request.name ?? '') || this.options.failPattern.test(request.id))) failure = 'refused';
    }
    if (failure === null && this.options.failureRate > 0 && this.random() < this.options.failureRate) failure = 'unavailable';
    return { dueAt: new Date(Date.now() + Math.round(ms)), failure };
  }

  private async begin<R>(kind: NetworkOperationKind, request: ResourceActivationRequest | ServiceActivationRequest, options: NetworkCallOptions): Promise<NetworkOperation<R>> {
    checkRequest(kind, request, options);
    const key = options.idempotencyKey;
    const hash = requestHash(kind, request);
    const plan = this.plan(kind, request);
    if (plan.failure === null && plan.dueAt.getTime() <= Date.now()) {
      const done = await this.applyTogether({ kind, request, key, hash, dueAt: plan.dueAt });
      if (done) return this.handle<R>(done);
    }
    const inserted = await this.db.query<OperationRow>(
      `INSERT INTO activation_sim_operation (id, idempotency_key, kind, target_id, request, request_hash, state, due_at, planned_failure)
       VALUES ($1, $2, $3, $4, $5, $6, 'InProgress', $7, $8) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [newId(), key, kind, request.id, JSON.stringify(request), hash, plan.dueAt, plan.failure],
    );
    let row = inserted.rows[0] ?? (await this.byKey(key));
    if (!inserted.rows[0]) {
      if (row.request_hash !== hash) {
        throw new NetworkError('invalidRequest', `idempotency key '${key}' was used for a different request (${row.kind} of ${row.target_id}); use a new key for a new request`);
      }
      // a transient failure did nothing: the repeat is a new attempt under the same key
      if (row.state === 'InError' && row.error && NetworkError.from(row.error).retryable) {
        const retried = await this.db.query<OperationRow>(
          `UPDATE activation_sim_operation SET state = 'InProgress', due_at = $2, planned_failure = $3, attempts = attempts + 1, error = NULL, completed_at = NULL
           WHERE id = $1 AND state = 'InError' RETURNING *`,
          [row.id, plan.dueAt, plan.failure],
        );
        row = retried.rows[0] ?? (await this.load(row.id));
      }
    }
    if (row.state === 'InProgress' && row.due_at.getTime() <= Date.now()) row = await this.complete(row.id);
    return this.handle<R>(row);
  }

  /**
   * Applies a quick operation together with those asked for in the same turn
   * of the event loop (a caller's requests made at once) and those that arrive
   * while the network's previous transaction runs: one commit for all of them
   * instead of one each (group commit). Nobody waits for a batch to fill.
   */
  private applyTogether(op: QuickOperation): Promise<OperationRow | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ op, resolve, reject });
      if (!this.applying) {
        this.applying = true;
        queueMicrotask(() => void this.applyWaiting());
      }
    });
  }

  private async applyWaiting(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, MAX_TOGETHER);
        if (batch.length > 1 && (await this.applyAll(batch))) continue;
        // alone, or one of them failed the batch: each in its own transaction, as it would have been
        await Promise.all(batch.map((w) => this.applyAtOnce(w.op).then(w.resolve, w.reject)));
      }
    } finally {
      this.applying = false;
    }
  }

  /**
   * Several operations in one transaction, all or nothing: false when it
   * fails, whatever the reason, so that each goes again alone and gets the
   * answer it would have had alone (a refusal, or its own error; one already
   * recorded by a commit whose answer was lost is found by its key).
   */
  private async applyAll(batch: WaitingOperation[]): Promise<boolean> {
    let rows: OperationRow[];
    try {
      rows = await this.db.tx(async (tx) => {
        const done: OperationRow[] = [];
        for (const w of batch) done.push(await this.applyIn(tx, w.op));
        return done;
      });
    } catch {
      return false;
    }
    batch.forEach((w, i) => w.resolve(rows[i]));
    return true;
  }

  /**
   * A new operation due at once and not planned to fail: applied and recorded
   * in one transaction (the general path costs two, and three more round trips).
   * Anything else — the key seen before, a change the network's constraints
   * refuse — rolls it all back and goes the general way, which records it.
   */
  private async applyAtOnce(op: QuickOperation): Promise<OperationRow | undefined> {
    try {
      return await this.db.tx((tx) => this.applyIn(tx, op));
    } catch (e) {
      if (isNetworkError(e) || isConstraintError(e)) return undefined;
      throw e;
    }
  }

  /** Applies a quick operation in `tx` and records it there; a refusal fails the transaction. */
  private async applyIn(tx: Tx, { kind, request, key, hash, dueAt }: QuickOperation): Promise<OperationRow> {
    const id = newId();
    // its checks and claims go ahead of the next statement: a refusal undoes it all (below)
    const defer: Defer = (text, params, mapError) => tx.writeWithNext(text, params, mapError);
    const outcome = JSON.parse(JSON.stringify(await this.apply(tx, { id, kind, target_id: request.id, request } as OperationRow, defer))) as OperationRow['outcome'];
    // the record goes with the commit: a key seen before fails it on the key's unique index, and
    // everything applied is undone with it (the general way then answers from what was recorded)
    tx.writeWithNext(
      `INSERT INTO activation_sim_operation (id, idempotency_key, kind, target_id, request, request_hash, state, due_at, planned_failure, outcome, completed_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'Completed', $7, NULL, $8, now())`,
      [id, key, kind, request.id, JSON.stringify(request), hash, dueAt, JSON.stringify(outcome)],
    );
    return {
      id, idempotency_key: key, kind, target_id: request.id, request: JSON.parse(JSON.stringify(request)) as OperationRow['request'], request_hash: hash,
      state: 'Completed', due_at: dueAt, planned_failure: null, attempts: 1, outcome, error: null,
    };
  }

  private async byKey(key: string): Promise<OperationRow> {
    const r = await this.db.query<OperationRow>('SELECT * FROM activation_sim_operation WHERE idempotency_key = $1', [key]);
    if (!r.rows[0]) throw new NetworkError('unavailable', `operation with key '${key}' vanished; retry`);
    return r.rows[0];
  }

  private async load(id: string): Promise<OperationRow> {
    const r = await this.db.query<OperationRow>('SELECT * FROM activation_sim_operation WHERE id = $1', [id]);
    if (!r.rows[0]) throw new NetworkError('unavailable', `operation ${id} vanished; retry`);
    return r.rows[0];
  }

  /** Applies a due operation's change and records its outcome, in one transaction; idempotent. */
  private complete(id: string): Promise<OperationRow> {
    return this.db.tx(async (tx) => {
      const r = await tx.query<OperationRow>('SELECT * FROM activation_sim_operation WHERE id = $1 FOR UPDATE', [id]);
      const op = r.rows[0];
      if (!op) throw new NetworkError('unavailable', `operation ${id} vanished; retry`);
      if (op.state !== 'InProgress' || op.due_at.getTime() > Date.now()) return op;
      let outcome: ResourceOutcome | ServiceOutcome | undefined;
      let failure: NetworkFailure | undefined;
      if (op.planned_failure === 'refused') failure = { code: 'refused', message: `the network refused to ${describe(op)}` };
      else if (op.planned_failure === 'conflict') failure = { code: 'conflict', message: `the network found what ${describe(op)} needs already in use` };
      else if (op.planned_failure === 'unavailable') failure = { code: 'unavailable', message: `the network element did not answer; nothing was done to ${describe(op, true)}` };
      else {
        await tx.query('SAVEPOINT network_change');
        try {
          outcome = await this.apply(tx, op);
          if (op.planned_failure === 'partial') {
            throw new NetworkError('unavailable', `the network element failed half-way through the change; everything done for ${describe(op, true)} was rolled back`);
          }
          await tx.query('RELEASE SAVEPOINT network_change');
        } catch (e) {
          await tx.query('ROLLBACK TO SAVEPOINT network_change');
          outcome = undefined;
          failure = asFailure(e);
        }
      }
      const done = await tx.query<OperationRow>(
        `UPDATE activation_sim_operation SET state = $2, outcome = $3, error = $4, completed_at = now() WHERE id = $1 RETURNING *`,
        [id, failure ? 'InError' : 'Completed', outcome ? JSON.stringify(outcome) : null, failure ? JSON.stringify(failure) : null],
      );
      return done.rows[0]!;
    });
  }

  private async apply(q: Queryable, op: OperationRow, defer?: Defer): Promise<ResourceOutcome | ServiceOutcome> {
    switch (op.kind) {
      case 'activateResource':
        return { state: 'active', resourceCharacteristic: await configureResource(q, op.request as ResourceActivationRequest, op.id, defer) };
      case 'modifyResource':
        return { state: 'active', resourceCharacteristic: await reconfigureResource(q, op.request as ResourceActivationRequest, op.id) };
      case 'deactivateResource':
        return { state: 'inactive', resourceCharacteristic: await removeResource(q, op.target_id) };
      case 'activateService':
        return { state: 'active', serviceCharacteristic: await configureService(q, op.request as ServiceActivationRequest, op.id, defer) };
      case 'modifyService':
        return { state: 'active', serviceCharacteristic: await reconfigureService(q, op.request as ServiceActivationRequest, op.id) };
      case 'deactivateService':
        return { state: 'inactive', serviceCharacteristic: await removeService(q, op.target_id) };
    }
  }

  private handle<R>(first: OperationRow): NetworkOperation<R> {
    return {
      id: first.id,
      idempotencyKey: first.idempotency_key,
      kind: first.kind,
      state: first.state,
      done: async (options = {}) => {
        const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
        let row = first;
        for (;;) {
          if (row.state === 'InProgress' && row.due_at.getTime() <= Date.now()) row = await this.complete(row.id);
          if (row.state === 'Completed') return row.outcome as R;
          if (row.state === 'InError') {
            const f = row.error ?? { code: 'unavailable', message: 'the operation failed' };
            throw new NetworkError(isNetworkErrorCode(f.code) ? f.code : 'unavailable', f.message, { operationId: row.id });
          }
          const now = Date.now();
          if (options.signal?.aborted) throw waitAborted(describe(row), row.id);
          if (now >= deadline) throw new NetworkError('timeout', `${describe(row)} did not finish within ${options.timeoutMs} ms; it goes on`, { operationId: row.id });
          // another node may complete it first: look again at least every second
          await sleep(Math.min(Math.max(row.due_at.getTime() - now, 1), deadline - now, 1000), options.signal);
          if (options.signal?.aborted) throw waitAborted(describe(row), row.id);
          row = await this.load(row.id);
        }
      },
    };
  }
}

function describe(op: Pick<OperationRow, 'kind' | 'target_id'>, object = false): string {
  const what = isService(op.kind) ? 'service' : 'resource';
  if (object) return `${what} ${op.target_id}`;
  const verb = op.kind.startsWith('activate') ? 'activate' : op.kind.startsWith('deactivate') ? 'deactivate' : 'modify';
  return `${verb} ${what} ${op.target_id}`;
}
