/**
 * What the lead-to-cash flow calls from its workflow tasks: activate, modify
 * or deactivate a resource or service on the network and wait for the end,
 * in one call. Each call carries the task's idempotency key, so that a task
 * run again (a retry, or after its node died) finds the first operation and
 * its outcome instead of configuring anything twice; it stops waiting at
 * `timeoutMs` or when the task's `signal` aborts, and the operation goes on.
 *
 * Failures are NetworkErrors: `retryable` ones (`unavailable`, `timeout`) may
 * be retried with the same key; the others are final for that key.
 */
import {
  NetworkError, type NetworkAdapter, type NetworkOperation, type ResourceActivationRequest, type ResourceOutcome,
  type ServiceActivationRequest, type ServiceOutcome,
} from './network/adapter.ts';

export interface ActivationCallOptions {
  /** One per intended change, stable across retries (a workflow task's `idempotencyKey`). */
  idempotencyKey: string;
  /** Longest wait for the network's answer. */
  timeoutMs?: number;
  /** Stops the wait (e.g. the workflow attempt's signal). */
  signal?: AbortSignal;
}

export interface DeactivationCallOptions extends ActivationCallOptions {
  /**
   * For compensations: what the network does not hold (never activated, or
   * deactivated already) counts as deactivated instead of a `notConfigured` error.
   */
  ifConfigured?: boolean;
}

export interface Activator {
  /** The adapter underneath (simulated or http), for what this interface does not cover. */
  readonly adapter: NetworkAdapter;
  activateResource(request: ResourceActivationRequest, options: ActivationCallOptions): Promise<ResourceOutcome>;
  modifyResource(request: ResourceActivationRequest, options: ActivationCallOptions): Promise<ResourceOutcome>;
  deactivateResource(request: ResourceActivationRequest, options: DeactivationCallOptions): Promise<ResourceOutcome>;
  activateService(request: ServiceActivationRequest, options: ActivationCallOptions): Promise<ServiceOutcome>;
  modifyService(request: ServiceActivationRequest, options: ActivationCallOptions): Promise<ServiceOutcome>;
  deactivateService(request: ServiceActivationRequest, options: DeactivationCallOptions): Promise<ServiceOutcome>;
}

function aborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new NetworkError('timeout', `${what} not started: the caller aborted`);
}

async function complete<R>(start: () => Promise<NetworkOperation<R>>, options: ActivationCallOptions, what: string): Promise<R> {
  const { timeoutMs, signal } = options ?? {};
  aborted(signal, what);
  const op = await start();
  return op.done({ ...(timeoutMs === undefined ? {} : { timeoutMs }), ...(signal ? { signal } : {}) });
}

async function deactivate<R>(start: () => Promise<NetworkOperation<R>>, options: DeactivationCallOptions, what: string, nothing: R): Promise<R> {
  try {
    return await complete(start, options, what);
  } catch (e) {
    if (options?.ifConfigured && e instanceof NetworkError && e.networkCode === 'notConfigured') return nothing;
    throw e;
  }
}

/** The calls on top of any network adapter. */
export function createActivator(adapter: NetworkAdapter): Activator {
  const only = (o: ActivationCallOptions) => ({ idempotencyKey: o?.idempotencyKey });
  return {
    adapter,
    activateResource: (r, o) => complete(() => adapter.activateResource(r, only(o)), o, `activation of resource ${r?.id}`),
    modifyResource: (r, o) => complete(() => adapter.modifyResource(r, only(o)), o, `modification of resource ${r?.id}`),
    deactivateResource: (r, o) => deactivate(() => adapter.deactivateResource(r, only(o)), o, `deactivation of resource ${r?.id}`, { state: 'inactive' }),
    activateService: (s, o) => complete(() => adapter.activateService(s, only(o)), o, `activation of service ${s?.id}`),
    modifyService: (s, o) => complete(() => adapter.modifyService(s, only(o)), o, `modification of service ${s?.id}`),
    deactivateService: (s, o) => deactivate(() => adapter.deactivateService(s, only(o)), o, `deactivation of service ${s?.id}`, { state: 'inactive' }),
  };
}
