import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseParser, orderKeys, runEventStream, staleKeysOf, streamUrl, type StreamMessage, type StreamStatus, type TmfEvent } from './live.ts';

describe('SseParser', () => {
  it('dispatches a message at a blank line, with its id and event type', () => {
    const p = new SseParser();
    expect(p.feed('id: 7\nevent: ProductOrderStateChangeEvent\ndata: {"a":1}\n')).toEqual([]);
    expect(p.feed('\n')).toEqual([{ id: '7', event: 'ProductOrderStateChangeEvent', data: '{"a":1}' }]);
    expect(p.lastEventId).toBe('7');
  });

  it('reads lines cut anywhere across chunks, CRLF split between two of them included', () => {
    const p = new SseParser();
    const wire = 'id: 1\r\nevent: X\r\ndata: one\r\n\r\nid: 2\r\ndata: two\r\n\r\n';
    const out: StreamMessage[] = [];
    for (const piece of [wire.slice(0, 9), wire.slice(9, 25), wire.slice(25, 26), wire.slice(26, 40), wire.slice(40)]) out.push(...p.feed(piece));
    expect(out).toEqual([{ id: '1', event: 'X', data: 'one' }, { id: '2', event: 'message', data: 'two' }]);
  });

  it('joins data lines, skips comments, keeps the last id, and reads retry', () => {
    const p = new SseParser();
    const out = p.feed(': heartbeat\n\nretry: 3000\n\nid: 5\ndata: a\ndata:b\n\ndata: c\n\n');
    expect(out).toEqual([{ id: '5', event: 'message', data: 'a\nb' }, { id: '5', event: 'message', data: 'c' }]);
    expect(p.retryMs).toBe(3000);
  });

  it('sends nothing for a message without data, and ignores an id holding NUL', () => {
    const p = new SseParser();
    expect(p.feed('id: 3\nevent: Y\n\nid: 4\0\ndata: x\n\n')).toEqual([{ id: '3', event: 'message', data: 'x' }]);
  });
});

describe('streamUrl', () => {
  it('adds the filters it is given', () => {
    expect(streamUrl('/ops/events/stream')).toBe('/ops/events/stream');
    expect(streamUrl('/s', ['A', 'B'], ['x'])).toBe('/s?eventType=A%2CB&resourceId=x');
  });
});

describe('staleKeysOf', () => {
  const ev = (eventType: string, property: string, resource: Record<string, unknown>): TmfEvent => ({ eventType, event: { [property]: resource } });

  it('names the queries an event about the order, its service orders or their resource orders makes stale', () => {
    expect(staleKeysOf(ev('ProductOrderStateChangeEvent', 'productOrder', { id: 'po1' }), 'po1', [])).toEqual([orderKeys.one('po1'), orderKeys.runs('po1')]);
    expect(staleKeysOf(ev('ProductOrderStateChangeEvent', 'productOrder', { id: 'other' }), 'po1', [])).toEqual([]);
    expect(staleKeysOf(ev('ServiceOrderCreateEvent', 'serviceOrder', { id: 'so1', externalId: 'po1' }), 'po1', [])).toEqual([orderKeys.serviceOrders('po1'), orderKeys.runs('po1')]);
    expect(staleKeysOf(ev('ServiceOrderStateChangeEvent', 'serviceOrder', { id: 'so9', externalId: 'po9' }), 'po1', ['so1'])).toEqual([]);
    expect(staleKeysOf(ev('ResourceOrderStateChangeEvent', 'resourceOrder', { id: 'ro1', externalId: 'so1' }), 'po1', ['so1'])).toEqual([['resourceOrder', 'of'], orderKeys.runs('po1')]);
    expect(staleKeysOf(ev('ResourceOrderStateChangeEvent', 'resourceOrder', { id: 'ro1', externalId: 'so2' }), 'po1', ['so1'])).toEqual([]);
    expect(staleKeysOf(ev('CancelProductOrderStateChangeEvent', 'cancelProductOrder', { id: 'c1', productOrder: { id: 'po1' } }), 'po1', [])).toEqual([orderKeys.cancellations('po1'), orderKeys.one('po1')]);
  });
});

describe('runEventStream', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  it('reconnects after the server ends the stream, resuming from the last id with its bearer token', async () => {
    const seen: Array<{ lastEventId: string | undefined; auth: string | undefined; url: string | undefined }> = [];
    server = http.createServer((req, res) => {
      seen.push({ lastEventId: req.headers['last-event-id'] as string | undefined, auth: req.headers.authorization, url: req.url });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (seen.length === 1) {
        // two events, then the stream ends (as the server does after a while)
        res.end('retry: 10\n: connected\n\nid: 1\nevent: E\ndata: {"eventType":"E","n":1}\n\nid: 2\nevent: E\ndata: {"eventType":"E","n":2}\n\n');
      } else {
        res.end('id: 3\nevent: E\ndata: {"eventType":"E","n":3}\n\n');
      }
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const abort = new AbortController();
    const events: number[] = [];
    const statuses: StreamStatus[] = [];
    let opened = 0;
    const done = runEventStream({
      path: `${url}/ops/events/stream`, token: 't0k', eventTypes: ['E'], signal: abort.signal,
      onEvent: (_m, e) => {
        events.push((e as unknown as { n: number }).n);
        if (events.length === 3) abort.abort();
      },
      onOpen: () => opened++,
      onStatus: (s) => statuses.push(s),
    });
    await done;
    expect(events).toEqual([1, 2, 3]);
    expect(opened).toBe(2);
    expect(seen.map((s) => s.lastEventId)).toEqual([undefined, '2']);
    expect(seen.every((s) => s.auth === 'Bearer t0k' && s.url === '/ops/events/stream?eventType=E')).toBe(true);
    expect(statuses[0]).toBe('connecting');
    expect(statuses).toContain('reconnecting');
    expect(statuses.at(-1)).toBe('closed');
  });

  it('stops at a 403: the credential may not read events', async () => {
    let calls = 0;
    server = http.createServer((_req, res) => {
      calls++;
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"code":"forbidden"}');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const statuses: StreamStatus[] = [];
    await runEventStream({
      path: `http://127.0.0.1:${(server.address() as AddressInfo).port}/s`, token: null, signal: new AbortController().signal,
      onEvent: () => {}, onStatus: (s) => statuses.push(s),
    });
    expect(calls).toBe(1);
    expect(statuses).toEqual(['connecting', 'denied']);
  });
});
