/**
 * A network adapter for an external activation system that speaks TMF640
 * (services) and TMF702 (resources): POST the service or resource (PATCH it
 * once the external system knows it), follow the monitor it answers 202 with
 * until it is done or the time is up, and turn failures into NetworkErrors.
 *
 * Each call is recorded in `activation_http_operation` under its idempotency
 * key, with the monitor being followed: a repeat returns the recorded outcome,
 * or resumes following the same monitor, and never sends a second request for
 * the same change. Requests carry the key as `Idempotency-Key`, so an external
 * system that honours it (Operon does) also ignores a resend after a crash.
 * The external ids of our services and resources are kept in `activation_http_binding`.
 */
import { newId } from '@operon/kernel';
import type { Database } from '@operon/store';
import {
  NetworkError, isNetworkError, isNetworkErrorCode,
  type MonitorState, type NetworkAdapter, type NetworkCallOptions, type NetworkCharacteristic, type NetworkErrorCode, type NetworkFailure,
  type NetworkOperation, type NetworkOperationKind, type ResourceActivationRequest, type ResourceOutcome, type ServiceActivationRequest, type ServiceOutcome,
} from './adapter.ts';
import { isRecord, requestHash, sleep, waitAborted } from './common.ts';

export interface HttpNetworkOptions {
  /** Root of the external TMF640 API, e.g. https://oss.example/tmf-api/ServiceActivationAndConfiguration/v4 */
  serviceApiUrl: string;
  /** Root of the external TMF702 API, e.g. https://oss.example/tmf-api/ResourceActivationAndConfiguration/v4 */
  resourceApiUrl: string;
  /** Sent with every request (e.g. Authorization). */
  headers?: Record<string, string>;
  /** How long one call may take in all, its monitor followed included. */
  timeoutMs: number;
  /** Pause between two looks at a monitor (a Retry-After from the monitor wins). */
  pollMs: number;
  /** Limit for each single HTTP request (default: 10 s, or less when the call has less left). */
  requestTimeoutMs?: number;
}

interface OperationRow {
  id: string;
  idempotency_key: string;
  kind: NetworkOperationKind;
  target_id: string;
  request: ResourceActivationRequest | ServiceActivationRequest;
  request_hash: string;
  state: MonitorState;
  monitor_url: string | null;
  outcome: ResourceOutcome | ServiceOutcome | null;
  error: NetworkFailure | null;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  url: string;
  method: string;
}

const isService = (kind: NetworkOperationKind) => kind.endsWith('Service');
const wantsActive = (kind: NetworkOperationKind) => !kind.startsWith('deactivate');
const MERGE_PATCH = 'application/merge-patch+json';
/** A claim on sending the first request of an operation, so that two callers never both send it. */
const CLAIM_SECONDS = 60;

function pick(source: object, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = (source as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

const SERVICE_ATTRIBUTES = ['name', 'category', '@type', 'serviceSpecification', 'serviceCharacteristic', 'supportingResource', 'supportingService', 'relatedParty', 'place'] as const;
const RESOURCE_ATTRIBUTES = ['name', 'category', '@type', 'value', 'resourceSpecification', 'resourceCharacteristic', 'place', 'relatedParty'] as const;

/** The external system's words for a finished or failed monitor. */
function monitorState(v: unknown): 'done' | 'failed' | 'running' {
  const s = typeof v === 'string' ? v.toLowerCase() : '';
  if (['completed', 'complete', 'succeeded', 'done'].includes(s)) return 'done';
  if (['inerror', 'failed', 'error', 'cancelled'].includes(s)) return 'failed';
  return 'running';
}

/** A request's own time limit, ended early by the caller's signal when there is one. */
function limit(ms: number, signal?: AbortSignal): AbortSignal {
  const own = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([own, signal]) : own;
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return text;
  }
}

/** A refusal of the external system as a NetworkError code: its own code when it is Operon. */
function codeOf(status: number, body: unknown, method: string): NetworkErrorCode {
  const own = isRecord(body) ? body['code'] : undefined;
  if (isNetworkErrorCode(own)) return own;
  if (status === 409) return 'conflict';
  if (status === 404) return method === 'POST' ? 'refused' : 'notConfigured';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'unavailable';
  return 'refused';
}

function messageOf(body: unknown): string {
  if (isRecord(body)) {
    const m = body['message'] ?? body['reason'];
    if (typeof m === 'string') return m;
  }
  return typeof body === 'string' && body.length < 300 ? body : '';
}

export class HttpNetworkAdapter implements NetworkAdapter {
  readonly kind = 'http';
  private readonly serviceApi: string;
  private readonly resourceApi: string;

  constructor(private readonly db: Database, readonly options: HttpNetworkOptions) {
    this.serviceApi = options.serviceApiUrl.replace(/\/+$/, '');
    this.resourceApi = options.resourceApiUrl.replace(/\/+$/, '');
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

  private async begin<R>(kind: NetworkOperationKind, request: ResourceActivationRequest | ServiceActivationRequest, options: NetworkCallOptions): Promise<NetworkOperation<R>> {
    if (!isRecord(request) || typeof request.id !== 'string' || request.id === '' || request.id.length > 200) {
      throw new NetworkError('invalidRequest', `${kind}: the request needs the id of the ${isService(kind) ? 'service' : 'resource'}`);
    }
    const key = options?.idempotencyKey;
    if (typeof key !== 'string' || key === '' || key.length > 255) throw new NetworkError('invalidRequest', `${kind}: an idempotency key of 1 to 255 characters is needed`);
    const started = Date.now();
    const hash = requestHash(kind, request);
    const inserted = await this.db.query<OperationRow>(
      `INSERT INTO activation_http_operation (id, idempotency_key, kind, target_id, request, request_hash, state)
       VALUES ($1, $2, $3, $4, $5, $6, 'InProgress') ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [newId(), key, kind, request.id, JSON.stringify(request), hash],
    );
    let row = inserted.rows[0] ?? (await this.byKey(key));
    if (!inserted.rows[0]) {
      if (row.request_hash !== hash) {
        throw new NetworkError('invalidRequest', `idempotency key '${key}' was used for a different request (${row.kind} of ${row.target_id}); use a new key for a new request`);
      }
      if (row.state === 'InError' && row.error && NetworkError.from(row.error).retryable && row.monitor_url === null) {
        // the first attempt never reached the external system's books: try again, under the same key
        const retried = await this.db.query<OperationRow>(
          `UPDATE activation_http_operation SET state = 'InProgress', error = NULL, attempts = attempts + 1, claimed_until = NULL, updated_at = now()
           WHERE id = $1 AND state = 'InError' RETURNING *`,
          [row.id],
        );
        row = retried.rows[0] ?? (await this.load(row.id));
      } else if (row.state === 'InError' && row.error?.code === 'timeout' && row.monitor_url !== null) {
        // the external system may still finish: follow the same monitor again
        const resumed = await this.db.query<OperationRow>(
          `UPDATE activation_http_operation SET state = 'InProgress', error = NULL, updated_at = now() WHERE id = $1 AND state = 'InError' RETURNING *`,
          [row.id],
        );
        row = resumed.rows[0] ?? (await this.load(row.id));
      }
    }
    if (row.state === 'InProgress' && row.monitor_url === null) {
      const claimed = await this.db.query<OperationRow>(
        `UPDATE activation_http_operation SET claimed_until = now() + make_interval(secs => ${CLAIM_SECONDS}), updated_at = now()
         WHERE id = $1 AND state = 'InProgress' AND monitor_url IS NULL AND (claimed_until IS NULL OR claimed_until < now()) RETURNING *`,
        [row.id],
      );
      if (claimed.rows[0]) row = await this.send(claimed.rows[0], started);
    }
    return this.handle<R>(row, started);
  }

  private async byKey(key: string): Promise<OperationRow> {
    const r = await this.db.query<OperationRow>('SELECT * FROM activation_http_operation WHERE idempotency_key = $1', [key]);
    if (!r.rows[0]) throw new NetworkError('unavailable', `operation with key '${key}' vanished; retry`);
    return r.rows[0];
  }

  private async load(id: string): Promise<OperationRow> {
    const r = await this.db.query<OperationRow>('SELECT * FROM activation_http_operation WHERE id = $1', [id]);
    if (!r.rows[0]) throw new NetworkError('unavailable', `operation ${id} vanished; retry`);
    return r.rows[0];
  }

  private async record(id: string, change: { outcome: ResourceOutcome | ServiceOutcome } | { failure: NetworkFailure } | { monitorUrl: string }): Promise<OperationRow> {
    const r = 'outcome' in change
      ? await this.db.query<OperationRow>(`UPDATE activation_http_operation SET state = 'Completed', outcome = $2, claimed_until = NULL, updated_at = now() WHERE id = $1 AND state = 'InProgress' RETURNING *`, [id, JSON.stringify(change.outcome)])
      : 'failure' in change
        ? await this.db.query<OperationRow>(`UPDATE activation_http_operation SET state = 'InError', error = $2, claimed_until = NULL, updated_at = now() WHERE id = $1 AND state = 'InProgress' RETURNING *`, [id, JSON.stringify(change.failure)])
        : await this.db.query<OperationRow>(`UPDATE activation_http_operation SET monitor_url = $2, claimed_until = NULL, updated_at = now() WHERE id = $1 AND state = 'InProgress' RETURNING *`, [id, change.monitorUrl]);
    return r.rows[0] ?? this.load(id);
  }

  private async binding(kind: 'service' | 'resource', localId: string): Promise<{ external_id: string; external_href: string | null } | undefined> {
    const r = await this.db.query<{ external_id: string; external_href: string | null }>('SELECT external_id, external_href FROM activation_http_binding WHERE kind = $1 AND local_id = $2', [kind, localId]);
    return r.rows[0];
  }

  private async bind(kind: 'service' | 'resource', localId: string, entity: unknown): Promise<void> {
    if (!isRecord(entity) || typeof entity['id'] !== 'string') return;
    await this.db.query(
      `INSERT INTO activation_http_binding (kind, local_id, external_id, external_href) VALUES ($1, $2, $3, $4)
       ON CONFLICT (kind, local_id) DO UPDATE SET external_id = EXCLUDED.external_id, external_href = EXCLUDED.external_href`,
      [kind, localId, entity['id'], typeof entity['href'] === 'string' ? entity['href'] : null],
    );
  }

  private async call(method: string, url: string, key: string, body: unknown, deadline: number, signal?: AbortSignal): Promise<Answer> {
    const left = deadline - Date.now();
    if (left <= 0) throw new NetworkError('timeout', `no time left to call ${method} ${url}`);
    const headers: Record<string, string> = { accept: 'application/json', ...(this.options.headers ?? {}) };
    if (body !== undefined) {
      headers['content-type'] = method === 'PATCH' ? MERGE_PATCH : 'application/json';
      headers['idempotency-key'] = key;
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: limit(Math.max(1, Math.min(left, this.options.requestTimeoutMs ?? 10_000)), signal),
      });
    } catch (e) {
      throw new NetworkError('unavailable', `the external activation system did not answer ${method} ${url}: ${(e as Error).message}`, { cause: e });
    }
    return { status: res.status, headers: res.headers, body: parseJson(await res.text()), url, method };
  }

  private refusal(a: Answer): NetworkError {
    const detail = messageOf(a.body);
    return new NetworkError(codeOf(a.status, a.body, a.method), `the external activation system answered ${a.method} ${a.url} with ${a.status}${detail ? `: ${detail}` : ''}`);
  }

  /** The first request of an operation; records what it answered. */
  private async send(row: OperationRow, started: number): Promise<OperationRow> {
    const deadline = started + this.options.timeoutMs;
    try {
      const service = isService(row.kind);
      const api = service ? this.serviceApi : this.resourceApi;
      const collection = service ? 'service' : 'resource';
      const bound = await this.binding(collection, row.target_id);
      let method: 'POST' | 'PATCH';
      let url: string;
      let body: Record<string, unknown>;
      const config = pick(row.request, service ? SERVICE_ATTRIBUTES : RESOURCE_ATTRIBUTES);
      const desired = service ? { state: wantsActive(row.kind) ? 'active' : 'inactive' } : { administrativeState: wantsActive(row.kind) ? 'unlocked' : 'locked' };
      if (row.kind.startsWith('activate') && !bound) {
        method = 'POST';
        url = `${api}/${collection}`;
        // TMF702 names the resource by its id (and href) on create; TMF640 lets the server choose
        body = service ? { ...config, ...desired } : { id: row.target_id, href: row.request.href ?? `urn:operon:resource:${row.target_id}`, ...config, ...desired };
      } else {
        if (!bound) throw new NetworkError('notConfigured', `the external activation system has never configured ${collection} ${row.target_id}`);
        method = 'PATCH';
        url = `${api}/${collection}/${encodeURIComponent(bound.external_id)}`;
        body = row.kind.startsWith('deactivate') ? desired : row.kind.startsWith('activate') ? { ...config, ...desired } : config;
        delete body['@type'];
      }
      const answer = await this.call(method, url, row.idempotency_key, body, deadline);
      return await this.answered(row, answer, api, deadline);
    } catch (e) {
      if (!isNetworkError(e)) throw e;
      return this.record(row.id, { failure: e.toFailure() });
    }
  }

  /** Records the answer to the first request: done, failed, or a monitor to follow. */
  private async answered(row: OperationRow, a: Answer, api: string, deadline: number): Promise<OperationRow> {
    const collection = isService(row.kind) ? 'service' : 'resource';
    if (a.status === 202) {
      await this.bind(collection, row.target_id, a.body);
      const monitorId = a.headers.get('monitorid');
      const location = a.headers.get('location');
      const bodyMonitor = isRecord(a.body) && typeof a.body['sourceHref'] === 'string' && typeof a.body['href'] === 'string' ? a.body['href'] : undefined;
      const monitorUrl = monitorId ? `${api}/monitor/${encodeURIComponent(monitorId)}` : location ? new URL(location, `${api}/`).toString() : bodyMonitor;
      if (!monitorUrl) return this.record(row.id, { failure: { code: 'unavailable', message: `the external activation system accepted ${a.method} ${a.url} without saying where to follow it (no monitorId or Location)` } });
      return this.record(row.id, { monitorUrl });
    }
    if (a.status === 200 || a.status === 201 || a.status === 204) {
      if (row.kind.startsWith('activate')) await this.bind(collection, row.target_id, a.body);
      const entity = a.status === 204 ? await this.fetchEntity(row, deadline) : a.body;
      return this.settle(row, entity);
    }
    return this.record(row.id, { failure: this.refusal(a).toFailure() });
  }

  private async fetchEntity(row: OperationRow, deadline: number, sourceHref?: string): Promise<unknown> {
    const collection = isService(row.kind) ? 'service' : 'resource';
    const bound = await this.binding(collection, row.target_id);
    const url = sourceHref ?? bound?.external_href ?? (bound ? `${isService(row.kind) ? this.serviceApi : this.resourceApi}/${collection}/${encodeURIComponent(bound.external_id)}` : undefined);
    if (!url) return undefined;
    const a = await this.call('GET', url, row.idempotency_key, undefined, deadline);
    return a.status === 200 ? a.body : undefined;
  }

  /** Whether the service or resource, as the external system now shows it, is as asked. */
  private settle(row: OperationRow, entity: unknown): Promise<OperationRow> {
    const active = wantsActive(row.kind);
    const e = isRecord(entity) ? entity : {};
    const chars = Array.isArray(e[isService(row.kind) ? 'serviceCharacteristic' : 'resourceCharacteristic']) ? (e[isService(row.kind) ? 'serviceCharacteristic' : 'resourceCharacteristic'] as NetworkCharacteristic[]) : undefined;
    const shown = isService(row.kind) ? e['state'] : e['administrativeState'];
    const ok = typeof shown !== 'string'
      || (isService(row.kind) ? (active ? shown === 'active' : shown === 'inactive' || shown === 'terminated') : active ? shown === 'unlocked' : shown === 'locked' || shown === 'shutdown');
    if (!ok) {
      return this.record(row.id, { failure: { code: 'refused', message: `the external activation system left ${isService(row.kind) ? 'service' : 'resource'} ${row.target_id} ${isService(row.kind) ? 'in state' : 'administratively'} ${String(shown)}` } });
    }
    const outcome = isService(row.kind)
      ? { state: active ? ('active' as const) : ('inactive' as const), ...(chars ? { serviceCharacteristic: chars } : {}) }
      : { state: active ? ('active' as const) : ('inactive' as const), ...(chars ? { resourceCharacteristic: chars } : {}) };
    return this.record(row.id, { outcome });
  }

  /** One look at the monitor; returns the row, finished or not, and how long to wait before the next look. */
  private async look(row: OperationRow, deadline: number, signal?: AbortSignal): Promise<{ row: OperationRow; waitMs: number }> {
    let a: Answer;
    try {
      a = await this.call('GET', row.monitor_url!, row.idempotency_key, undefined, deadline, signal);
    } catch (e) {
      // the link failing while the external system works is not the operation failing
      if (isNetworkError(e) && e.retryable) return { row, waitMs: this.options.pollMs };
      throw e;
    }
    const retryAfter = Number(a.headers.get('retry-after'));
    const waitMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : this.options.pollMs;
    if (a.status >= 500 || a.status === 429) return { row, waitMs };
    if (a.status !== 200 || !isRecord(a.body)) return { row: await this.record(row.id, { failure: this.refusal(a).toFailure() }), waitMs };
    const monitor = a.body;
    const state = monitorState(monitor['state']);
    if (state === 'running') return { row, waitMs };
    const response = isRecord(monitor['response']) ? monitor['response'] : {};
    const responseBody = typeof response['body'] === 'string' ? parseJson(response['body']) : response['body'];
    if (state === 'failed') {
      const status = Number(response['statusCode']);
      const code = codeOf(Number.isFinite(status) ? status : 500, responseBody, 'POST');
      const detail = messageOf(responseBody);
      return { row: await this.record(row.id, { failure: { code, message: `the external activation system failed the request (monitor ${String(monitor['id'] ?? row.monitor_url)})${detail ? `: ${detail}` : ''}` } }), waitMs };
    }
    const collection = isService(row.kind) ? 'service' : 'resource';
    let entity: unknown = isRecord(responseBody) && typeof responseBody['id'] === 'string' ? responseBody : undefined;
    if (entity !== undefined && row.kind.startsWith('activate')) await this.bind(collection, row.target_id, entity);
    entity ??= await this.fetchEntity(row, deadline, typeof monitor['sourceHref'] === 'string' ? monitor['sourceHref'] : undefined);
    return { row: await this.settle(row, entity), waitMs };
  }

  private handle<R>(first: OperationRow, started: number): NetworkOperation<R> {
    return {
      id: first.id,
      idempotencyKey: first.idempotency_key,
      kind: first.kind,
      state: first.state,
      done: async (options = {}) => {
        const deadline = Math.min(started + this.options.timeoutMs, options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs);
        let row = first;
        for (;;) {
          if (row.state === 'Completed') return row.outcome as R;
          if (row.state === 'InError') {
            const f = row.error ?? { code: 'unavailable', message: 'the operation failed' };
            throw new NetworkError(isNetworkErrorCode(f.code) ? f.code : 'unavailable', f.message, { operationId: row.id });
          }
          if (options.signal?.aborted) throw waitAborted(`${row.kind} of ${row.target_id}`, row.id);
          let waitMs = this.options.pollMs;
          if (row.monitor_url !== null) {
            const looked = await this.look(row, deadline, options.signal);
            row = looked.row;
            waitMs = looked.waitMs;
            if (row.state !== 'InProgress') continue;
          }
          const left = deadline - Date.now();
          if (left <= 0) {
            const ownLimit = started + this.options.timeoutMs <= deadline;
            const message = `the external activation system did not finish ${row.kind} of ${row.target_id} in time${row.monitor_url ? ` (monitor ${row.monitor_url})` : ''}`;
            // past the adapter's own limit the call is given up (a repeat follows the monitor again);
            // a caller's shorter wait only ends the wait
            if (ownLimit) row = await this.record(row.id, { failure: { code: 'timeout', message } });
            throw new NetworkError('timeout', message, { operationId: row.id });
          }
          await sleep(Math.min(waitMs, left), options.signal);
          if (options.signal?.aborted) throw waitAborted(`${row.kind} of ${row.target_id}`, row.id);
          row = await this.load(row.id);
        }
      },
    };
  }
}
