/**
 * Live updates: Operon's event stream (`GET /ops/events/stream`, server-sent
 * events) read with fetch() so that the bearer token travels in the
 * Authorization header, which EventSource cannot send. The stream resumes
 * after a break from the last event seen (Last-Event-ID); pages turn events
 * into invalidated TanStack Query keys, so what they show is refetched, never polled.
 */
import { useEffect, useRef, useState } from 'react';
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useSession } from './session.tsx';

/** One message of the stream. */
export interface StreamMessage {
  /** The stream position (`id:`), '' when the message had none. */
  id: string;
  /** The event type (`event:`), 'message' by default as in the SSE standard. */
  event: string;
  data: string;
}

/** A TMF event as the stream carries it (TMF688 envelope). */
export interface TmfEvent {
  eventId?: string;
  eventTime?: string;
  eventType: string;
  title?: string;
  description?: string;
  /** `{ productOrder: {...} }`: the resource as it stands after the change. */
  event?: Record<string, unknown>;
}

/**
 * The SSE wire format, fed chunk by chunk: lines end with CRLF, LF or CR; a
 * blank line dispatches the message; `:` starts a comment; one space after
 * the colon is dropped. Kept apart from fetch so that it can be tested alone.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private sawField = false;
  /** The id the stream resumes from (kept across messages, as the standard says). */
  lastEventId = '';
  /** A reconnection delay the server asked for (`retry:`). */
  retryMs: number | undefined;
  /** A chunk that ended in CR: an LF opening the next one belongs to it. */
  private pendingCr = false;

  feed(chunk: string): StreamMessage[] {
    let text = chunk;
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = text.endsWith('\r');
    this.buffer += text;
    const out: StreamMessage[] = [];
    const lines = this.buffer.split(/\r\n|\r|\n/);
    // the last piece has no line ending yet
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      const m = this.line(line);
      if (m) out.push(m);
    }
    return out;
  }

  private line(line: string): StreamMessage | undefined {
    if (line === '') {
      if (!this.sawField) return undefined;
      const message: StreamMessage | undefined = this.data.length > 0 ? { id: this.lastEventId, event: this.event || 'message', data: this.data.join('\n') } : undefined;
      this.data = [];
      this.event = '';
      this.sawField = false;
      return message;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.sawField = true;
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        // an id with NUL is ignored, as the standard says
        if (!value.includes('\0')) {
          this.lastEventId = value;
        }
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
    return undefined;
  }
}

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'denied' | 'closed';

export interface StreamOptions {
  token: string | null;
  /** Only these event types (`?eventType=a,b`). */
  eventTypes?: readonly string[];
  /** Only events about these resources (`?resourceId=a,b`). */
  resourceIds?: readonly string[];
  onEvent(message: StreamMessage, event: TmfEvent | undefined): void;
  onStatus?(status: StreamStatus, detail?: string): void;
  /** Called each time the stream is (re)opened: what happened while it was not may need fetching. */
  onOpen?(): void;
  signal: AbortSignal;
  /** Stream path; the default is Operon's. */
  path?: string;
}

const MAX_BACKOFF_MS = 15_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

/** The stream URL with its filters. */
export function streamUrl(path: string, eventTypes?: readonly string[], resourceIds?: readonly string[]): string {
  const p = new URLSearchParams();
  if (eventTypes && eventTypes.length > 0) p.set('eventType', eventTypes.join(','));
  if (resourceIds && resourceIds.length > 0) p.set('resourceId', resourceIds.join(','));
  const q = p.toString();
  return q ? `${path}?${q}` : path;
}

function parseEvent(data: string): TmfEvent | undefined {
  try {
    const v: unknown = JSON.parse(data);
    return typeof v === 'object' && v !== null && typeof (v as { eventType?: unknown }).eventType === 'string' ? (v as TmfEvent) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the stream until `signal` aborts: on a break it waits (the server's
 * `retry:`, else a growing back-off) and reconnects with Last-Event-ID, so
 * that nothing published meanwhile is lost. A 401 or 403 stops it (the
 * credential may not read events), as does any other 4xx but 408 and 429:
 * asking again would not change the answer.
 */
export async function runEventStream(o: StreamOptions): Promise<void> {
  const parser = new SseParser();
  const url = streamUrl(o.path ?? '/ops/events/stream', o.eventTypes, o.resourceIds);
  let failures = 0;
  while (!o.signal.aborted) {
    o.onStatus?.(failures === 0 && parser.lastEventId === '' ? 'connecting' : 'reconnecting');
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (o.token) headers['authorization'] = `Bearer ${o.token}`;
      if (parser.lastEventId) headers['last-event-id'] = parser.lastEventId;
      const res = await fetch(url, { headers, signal: o.signal, cache: 'no-store' });
      if (res.status === 401 || res.status === 403) {
        o.onStatus?.('denied', `the event stream answered ${res.status}`);
        return;
      }
      // any other refusal of the request itself (a bad filter) would be refused again
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        o.onStatus?.('closed', `the event stream answered ${res.status}`);
        return;
      }
      if (!res.ok || !res.body) throw new Error(`the event stream answered ${res.status}`);
      failures = 0;
      o.onStatus?.('open');
      o.onOpen?.();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const m of parser.feed(value)) o.onEvent(m, parseEvent(m.data));
      }
    } catch (e) {
      if (o.signal.aborted) break;
      failures++;
      o.onStatus?.('reconnecting', e instanceof Error ? e.message : String(e));
    }
    if (o.signal.aborted) break;
    // an ended stream is resumed after the server's retry; failures wait longer each time
    const backoff = failures === 0 ? parser.retryMs ?? 500 : Math.max(parser.retryMs ?? 0, Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 5)));
    await sleep(backoff, o.signal);
  }
  o.onStatus?.('closed');
}

export interface EventStreamHook {
  status: StreamStatus;
  detail: string | undefined;
}

/**
 * Keeps a stream open while the component is mounted (and the user signed
 * in). `onEvent` may change between renders without reopening the stream;
 * the filters reopen it when they change.
 */
export function useEventStream(o: {
  eventTypes?: readonly string[];
  resourceIds?: readonly string[];
  onEvent(event: TmfEvent, message: StreamMessage): void;
  onOpen?(): void;
  enabled?: boolean;
}): EventStreamHook {
  const { token } = useSession();
  const [state, setState] = useState<EventStreamHook>({ status: 'connecting', detail: undefined });
  const handlers = useRef(o);
  handlers.current = o;
  const types = (o.eventTypes ?? []).join(',');
  const ids = (o.resourceIds ?? []).join(',');
  const enabled = o.enabled ?? true;
  useEffect(() => {
    if (!enabled || !token) {
      setState({ status: 'closed', detail: undefined });
      return;
    }
    const abort = new AbortController();
    void runEventStream({
      token,
      ...(types ? { eventTypes: types.split(',') } : {}),
      ...(ids ? { resourceIds: ids.split(',') } : {}),
      signal: abort.signal,
      onEvent: (m, e) => {
        if (e) handlers.current.onEvent(e, m);
      },
      onOpen: () => handlers.current.onOpen?.(),
      onStatus: (status, detail) => {
        if (!abort.signal.aborted) setState({ status, detail });
      },
    });
    return () => abort.abort();
  }, [token, types, ids, enabled]);
  return state;
}

// --- orders ----------------------------------------------------------------------------------------

const KINDS = ['Create', 'AttributeValueChange', 'StateChange', 'Delete', 'Milestone', 'JeopardyAlert', 'ErrorMessage'];
const typesOf = (resourceType: string, kinds: readonly string[] = KINDS) => kinds.map((k) => `${resourceType}${k}Event`);

/** The events that change what an order page shows. */
export const ORDER_EVENT_TYPES: readonly string[] = [
  ...typesOf('ProductOrder'),
  ...typesOf('ServiceOrder'),
  ...typesOf('ResourceOrder'),
  ...typesOf('CancelProductOrder', ['Create', 'StateChange']),
];

/** Query keys the order pages use, so that events and pages agree on them. */
export const orderKeys = {
  all: ['productOrder'] as const,
  list: (filters: Record<string, string>) => ['productOrder', 'list', filters] as const,
  one: (id: string) => ['productOrder', 'one', id] as const,
  cancellations: (id: string) => ['productOrder', 'cancellations', id] as const,
  serviceOrders: (productOrderId: string) => ['serviceOrder', 'of', productOrderId] as const,
  resourceOrders: (serviceOrderIds: readonly string[]) => ['resourceOrder', 'of', ...serviceOrderIds] as const,
  runs: (productOrderId: string) => ['workflowRun', 'of', productOrderId] as const,
};

function resourceOf(e: TmfEvent, property: string): Record<string, unknown> | undefined {
  const r = e.event?.[property];
  return typeof r === 'object' && r !== null ? (r as Record<string, unknown>) : undefined;
}

/**
 * Which queries of one order's page an event makes stale: the order itself,
 * its cancellation requests, its service orders (externalId = the order), their
 * resource orders (externalId = a service order) and the orchestration run.
 */
export function staleKeysOf(e: TmfEvent, orderId: string, serviceOrderIds: readonly string[]): QueryKey[] {
  const t = e.eventType;
  if (t.startsWith('CancelProductOrder')) {
    const c = resourceOf(e, 'cancelProductOrder');
    const po = c?.['productOrder'] as { id?: unknown } | undefined;
    return po?.id === orderId ? [orderKeys.cancellations(orderId), orderKeys.one(orderId)] : [];
  }
  if (t.startsWith('ProductOrder')) {
    return resourceOf(e, 'productOrder')?.['id'] === orderId ? [orderKeys.one(orderId), orderKeys.runs(orderId)] : [];
  }
  if (t.startsWith('ServiceOrder')) {
    const so = resourceOf(e, 'serviceOrder');
    return so?.['externalId'] === orderId || serviceOrderIds.includes(String(so?.['id'])) ? [orderKeys.serviceOrders(orderId), orderKeys.runs(orderId)] : [];
  }
  if (t.startsWith('ResourceOrder')) {
    const ro = resourceOf(e, 'resourceOrder');
    return serviceOrderIds.includes(String(ro?.['externalId'])) ? [['resourceOrder', 'of'], orderKeys.runs(orderId)] : [];
  }
  return [];
}

/**
 * Keeps one order's page live: every event about the order, its service
 * orders or their resource orders refetches what it changed. On (re)opening
 * the stream everything is refetched once, for what happened before it opened.
 */
export function useLiveOrder(orderId: string, serviceOrderIds: readonly string[]): EventStreamHook {
  const queryClient = useQueryClient();
  const soIds = useRef(serviceOrderIds);
  soIds.current = serviceOrderIds;
  return useEventStream({
    eventTypes: ORDER_EVENT_TYPES,
    onEvent: (e) => {
      for (const key of staleKeysOf(e, orderId, soIds.current)) void queryClient.invalidateQueries({ queryKey: key });
    },
    onOpen: () => {
      for (const key of [orderKeys.one(orderId), orderKeys.cancellations(orderId), orderKeys.serviceOrders(orderId), ['resourceOrder', 'of'], orderKeys.runs(orderId)]) {
        void queryClient.invalidateQueries({ queryKey: key });
      }
    },
  });
}

/**
 * `fn`, called at most once per `ms`: a burst of events becomes one refetch
 * at its start and one at its end, not one per event.
 */
export function useThrottled(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const state = useRef<{ last: number; timer: ReturnType<typeof setTimeout> | null }>({ last: 0, timer: null });
  useEffect(() => () => {
    if (state.current.timer) clearTimeout(state.current.timer);
  }, []);
  const call = useRef(() => {
    const s = state.current;
    if (s.timer) return;
    const wait = Math.max(0, s.last + ms - Date.now());
    s.timer = setTimeout(() => {
      s.timer = null;
      s.last = Date.now();
      latest.current();
    }, wait);
  });
  return call.current;
}

/** Keeps order lists live: product orders placed, changing state or deleted refetch them. */
export function useLiveOrderList(): EventStreamHook {
  const queryClient = useQueryClient();
  const refetch = useThrottled(() => void queryClient.invalidateQueries({ queryKey: ['productOrder', 'list'] }), 1000);
  return useEventStream({
    eventTypes: typesOf('ProductOrder', ['Create', 'StateChange', 'Delete']),
    onEvent: refetch,
    onOpen: refetch,
  });
}
