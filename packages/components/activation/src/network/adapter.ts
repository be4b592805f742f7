/**
 * The network adapter: how Operon asks the network to configure and activate
 * resources (TMF702-shaped) and services (TMF640-shaped). The lead-to-cash
 * flow calls it directly; the TMF640 and TMF702 APIs of this component call it
 * for their clients. Two implementations: the simulated network (simulated.ts)
 * and an external activation system over HTTP (http.ts).
 */
import { OperonError, type ErrorKind } from '@operon/kernel';

/** A name/value pair, as TMF carries characteristics. */
export interface NetworkCharacteristic {
  name: string;
  value: unknown;
  valueType?: string;
  id?: string;
}

/** A reference to another entity, by id. */
export interface NetworkRef {
  id: string;
  href?: string;
  name?: string;
  version?: string;
  role?: string;
  '@referredType'?: string;
}

/** A resource to configure: the resource as the inventory (TMF639) holds it. */
export interface ResourceActivationRequest {
  /** Its id in the resource inventory; the network knows it by this id from then on. */
  id: string;
  href?: string;
  name?: string;
  '@type'?: string;
  category?: string;
  /** Value of a logical resource (a number, an address), when it has one. */
  value?: string;
  resourceSpecification?: NetworkRef;
  resourceCharacteristic?: NetworkCharacteristic[];
  place?: NetworkRef;
  relatedParty?: NetworkRef[];
}

/** A service to configure: the service as the inventory (TMF638) holds it. */
export interface ServiceActivationRequest {
  /** Its id in the service inventory; the network knows it by this id from then on. */
  id: string;
  href?: string;
  name?: string;
  '@type'?: string;
  category?: string;
  serviceSpecification: NetworkRef;
  serviceCharacteristic?: NetworkCharacteristic[];
  /** Resources the service runs on: each must be configured on the network already. */
  supportingResource?: NetworkRef[];
  supportingService?: NetworkRef[];
  relatedParty?: NetworkRef[];
  place?: NetworkRef[];
}

/** A resource or service as the network holds it after the operation. */
export interface ResourceOutcome {
  /** `active`: configured and in service; `inactive`: no longer configured. */
  state: 'active' | 'inactive';
  /** The characteristics as configured, including those the network chose (e.g. an ONU id). */
  resourceCharacteristic?: NetworkCharacteristic[];
}

export interface ServiceOutcome {
  state: 'active' | 'inactive';
  serviceCharacteristic?: NetworkCharacteristic[];
}

export type NetworkOperationKind =
  | 'activateResource' | 'deactivateResource' | 'modifyResource'
  | 'activateService' | 'deactivateService' | 'modifyService';

/** The TMF monitor states. */
export type MonitorState = 'InProgress' | 'Completed' | 'InError';

export interface NetworkCallOptions {
  /**
   * One key per intended change (e.g. per workflow task): a repeat with the
   * same key returns the first operation and its outcome, never a second
   * effect. The same key with a different request is refused.
   */
  idempotencyKey: string;
}

/** An operation the network is carrying out: its monitor, which the caller can await. */
export interface NetworkOperation<R> {
  /** Identifier of the operation (the same for every repeat with its key). */
  readonly id: string;
  readonly idempotencyKey: string;
  readonly kind: NetworkOperationKind;
  /** The state when this handle was returned. */
  readonly state: MonitorState;
  /**
   * The outcome once the network has finished: resolves with it, or rejects
   * with a NetworkError. With `timeoutMs`, gives up waiting after that long,
   * and when `signal` aborts, at once (both a retryable `timeout` error); the
   * operation itself goes on, and a repeat with its key finds it.
   */
  done(options?: WaitOptions): Promise<R>;
}

/** How long a caller is prepared to wait for an operation. */
export interface WaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface NetworkAdapter {
  /** `simulated` or `http`. */
  readonly kind: string;
  /**
   * Answers within a few milliseconds, with no think time (a simulated network
   * without latency): a caller may keep its transaction open across a call.
   */
  readonly quick?: boolean;
  activateResource(request: ResourceActivationRequest, options: NetworkCallOptions): Promise<NetworkOperation<ResourceOutcome>>;
  deactivateResource(request: ResourceActivationRequest, options: NetworkCallOptions): Promise<NetworkOperation<ResourceOutcome>>;
  modifyResource(request: ResourceActivationRequest, options: NetworkCallOptions): Promise<NetworkOperation<ResourceOutcome>>;
  activateService(request: ServiceActivationRequest, options: NetworkCallOptions): Promise<NetworkOperation<ServiceOutcome>>;
  deactivateService(request: ServiceActivationRequest, options: NetworkCallOptions): Promise<NetworkOperation<ServiceOutcome>>;
  modifyService(request: ServiceActivationRequest, options: NetworkCallOptions): Promise<NetworkOperation<ServiceOutcome>>;
}

/**
 * Why the network did not do what was asked. `code` says what happened:
 * - `conflict`: something it needs is already configured for another resource or service (409);
 * - `refused`: the network will not configure this (422);
 * - `unknownResource`: the network does not know this kind of resource or element (422);
 * - `notConfigured`: a deactivation or modification of something not configured (422) —
 *   for a compensation, this means there is nothing left to undo;
 * - `invalidRequest`: the request is malformed, or its key was used for another request (422);
 * - `unavailable`: the network (or the link to it) failed; nothing was done (503);
 * - `timeout`: no answer in time; the operation may still complete (503).
 * `retryable` errors may be retried with the same key: since nothing was done,
 * a repeat starts a fresh attempt; other failures are final for their key.
 */
export type NetworkErrorCode = 'conflict' | 'refused' | 'unknownResource' | 'notConfigured' | 'invalidRequest' | 'unavailable' | 'timeout';

const KIND_OF: Record<NetworkErrorCode, ErrorKind> = {
  conflict: 'conflict',
  refused: 'unprocessable',
  unknownResource: 'unprocessable',
  notConfigured: 'unprocessable',
  invalidRequest: 'unprocessable',
  unavailable: 'unavailable',
  timeout: 'unavailable',
};

export const RETRYABLE: ReadonlySet<NetworkErrorCode> = new Set(['unavailable', 'timeout']);

/** A network failure as it is stored beside an operation. */
export interface NetworkFailure {
  code: NetworkErrorCode;
  message: string;
}

export class NetworkError extends OperonError {
  readonly networkCode: NetworkErrorCode;
  readonly retryable: boolean;
  /** The operation that failed, when there is one. */
  readonly operationId: string | undefined;
  constructor(code: NetworkErrorCode, message: string, options: { operationId?: string; cause?: unknown } = {}) {
    super(KIND_OF[code], message, { code, ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.name = 'NetworkError';
    this.networkCode = code;
    this.retryable = RETRYABLE.has(code);
    this.operationId = options.operationId;
  }

  toFailure(): NetworkFailure {
    return { code: this.networkCode, message: this.message };
  }

  static from(failure: NetworkFailure, operationId?: string): NetworkError {
    return new NetworkError(failure.code, failure.message, operationId === undefined ? {} : { operationId });
  }
}

export function isNetworkError(e: unknown): e is NetworkError {
  return e instanceof NetworkError;
}

export const isNetworkErrorCode = (v: unknown): v is NetworkErrorCode => typeof v === 'string' && v in KIND_OF;
