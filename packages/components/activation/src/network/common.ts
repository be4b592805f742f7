/** Small helpers shared by the network adapters. */
import { createHash } from 'node:crypto';
import { NetworkError, type NetworkCharacteristic } from './adapter.ts';

/** JSON with object keys sorted, so that equal requests hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(kind: string, request: unknown): string {
  return createHash('sha256').update(`${kind}\n${canonicalJson(request)}`).digest('hex');
}

/** A timer that never keeps the process alive on its own; ends early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, Math.max(0, ms));
    t.unref();
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The error of a wait the caller gave up: the operation itself goes on. */
export function waitAborted(what: string, operationId: string): NetworkError {
  return new NetworkError('timeout', `stopped waiting for ${what}: the caller aborted; it goes on, and a repeat with its key follows it`, { operationId });
}

export function characteristic(chars: readonly NetworkCharacteristic[] | undefined, name: string): unknown {
  return chars?.find((c) => c.name === name)?.value;
}

/** `base` with every characteristic of `update` put in (by name), new ones appended. */
export function mergeCharacteristics(base: readonly NetworkCharacteristic[] | undefined, update: readonly NetworkCharacteristic[] | undefined): NetworkCharacteristic[] {
  const out = [...(base ?? [])].map((c) => ({ ...c }));
  for (const u of update ?? []) {
    const i = out.findIndex((c) => c.name === u.name);
    if (i >= 0) out[i] = { ...out[i]!, ...u };
    else out.push({ ...u });
  }
  return out;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
