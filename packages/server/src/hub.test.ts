import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partyComponent } from '@operon/party';
import { startTestOperon, type TestOperon } from './testing.ts';

interface Received {
  path: string;
  body: { eventId: string; eventType: string; event: { individual?: { id: string; location?: string; givenName?: string; familyName: string } } };
}

/** A TMF listener that can be stopped and started again on the same port. */
class Listener {
  received: Received[] = [];
  failWith: number | undefined;
  private server: http.Server | undefined;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        if (this.failWith) {
          res.writeHead(this.failWith).end();
          return;
        }
        this.received.push({ path: req.url ?? '', body: JSON.parse(data) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  get callback() {
    return `http://127.0.0.1:${this.port}/listener-root`;
  }
}

let op: TestOperon;
let api: string;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(api + path, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in time');
}

beforeAll(async () => {
  op = await startTestOperon({
    components: [partyComponent],
    config: { relay: { retryBaseMs: 50, retryMaxMs: 400, maxAttempts: 6, pollMs: 100 } },
  });
  api = `${op.url}/tmf-api/party/v4`;
});
afterAll(async () => op?.close());

describe('hub listeners', () => {
  it('receive every event exactly once, in order per resource, under concurrent changes', async () => {
    const l = new Listener();
    await l.start();
    const sub = await call('POST', '/hub', { callback: l.callback });
    expect(sub.status).toBe(201);
    try {
      const people = await Promise.all(
        Array.from({ length: 8 }, (_, i) => call('POST', '/individual', { givenName: 'P', familyName: `Order${i}` })),
      );
      // each person is changed 10 times in sequence; the people change concurrently
      await Promise.all(
        people.map(async (p) => {
          for (let n = 1; n <= 10; n++) {
            const r = await call('PATCH', `/individual/${p.body.id}`, { location: String(n) });
            expect(r.status).toBe(200);
          }
        }),
      );
      await until(() => l.received.length >= 88);
      await op.relay.idle();
      expect(l.received).toHaveLength(88);
      expect(new Set(l.received.map((r) => r.body.eventId)).size).toBe(88);
      for (const p of people) {
        const mine = l.received.filter((r) => r.body.event.individual?.id === p.body.id);
        expect(mine.map((r) => r.body.eventType)).toEqual(['IndividualCreateEvent', ...Array(10).fill('IndividualAttributeValueChangeEvent')]);
        expect(mine.slice(1).map((r) => r.body.event.individual?.location)).toEqual(Array.from({ length: 10 }, (_, i) => String(i + 1)));
      }
      expect(l.received[0]!.path).toBe('/listener-root/listener/individualCreateEvent');
    } finally {
      await call('DELETE', `/hub/${sub.body.id}`);
      await l.stop();
    }
  });

  it('get everything that happened while they were down, once they come back', async () => {
    const l = new Listener();
    await l.start();
    const sub = await call('POST', '/hub', { callback: l.callback, query: 'eventType=IndividualCreateEvent' });
    try {
      await call('POST', '/individual', { givenName: 'Before', familyName: 'Outage' });
      await until(() => l.received.length === 1);
      const port = l.port;
      await l.stop();
      for (let i = 0; i < 5; i++) await call('POST', '/individual', { givenName: `During${i}`, familyName: 'Outage' });
      await new Promise((r) => setTimeout(r, 300));
      await l.start(port);
      await until(() => l.received.length === 6);
      await op.relay.idle();
      expect(l.received.map((r) => r.body.event.individual?.familyName)).toEqual(Array(6).fill('Outage'));
      expect(new Set(l.received.map((r) => r.body.eventId)).size).toBe(6);
    } finally {
      await call('DELETE', `/hub/${sub.body.id}`);
      await l.stop();
    }
  });

  it('never receive an event for a change that was rolled back', async () => {
    const l = new Listener();
    await l.start();
    const sub = await call('POST', '/hub', { callback: l.callback });
    try {
      const svc = op.runtime.services.get('party')!.get('individual')!;
      await expect(op.db.tx(async (tx) => {
        await svc.create({ givenName: 'Never', familyName: 'Happened' }, op.runtime.systemContext, tx);
        throw new Error('changed my mind');
      })).rejects.toThrow('changed my mind');
      const bad = await call('POST', '/individual', { givenName: 'Invalid' });
      expect(bad.status).toBe(400);
      await call('POST', '/individual', { givenName: 'Did', familyName: 'Happen' });
      await until(() => l.received.length >= 1);
      await op.relay.idle();
      expect(l.received.map((r) => r.body.event.individual?.familyName)).toEqual(['Happen']);
    } finally {
      await call('DELETE', `/hub/${sub.body.id}`);
      await l.stop();
    }
  });

  it('end in the dead-letter list after the retries, and can be replayed through the API', async () => {
    const l = new Listener();
    await l.start();
    l.failWith = 503;
    const sub = await call('POST', '/hub', { callback: l.callback, query: 'eventType=IndividualCreateEvent&event.individual.familyName=Dead' });
    try {
      const p = await call('POST', '/individual', { givenName: 'Letter', familyName: 'Dead' });
      let dead: { id: string; eventType: string; consumerId: string; attempts: number; lastError: string }[] = [];
      await until(async () => {
        const r = await fetch(`${op.url}/ops/events/deadLetters?consumerId=${sub.body.id}`);
        dead = (await r.json()) as typeof dead;
        return dead.length === 1;
      });
      expect(dead[0]).toMatchObject({ eventType: 'IndividualCreateEvent', consumerId: sub.body.id, attempts: 6 });
      expect(dead[0]!.lastError).toContain('503');
      // the listener is not blocked by the dead letter: later events still flow
      l.failWith = undefined;
      await call('POST', '/individual', { givenName: 'Later', familyName: 'Dead' });
      await until(() => l.received.length === 1);
      const failed = await fetch(`${op.url}/ops/events/deadLetters/${dead[0]!.id}/replay`, { method: 'POST' });
      expect(failed.status).toBe(200);
      expect(((await failed.json()) as { delivered: boolean }).delivered).toBe(true);
      expect(l.received.map((r) => r.body.event.individual?.givenName)).toEqual(['Later', 'Letter']);
      expect(l.received[1]!.body.event.individual?.id).toBe(p.body.id);
      const after = (await (await fetch(`${op.url}/ops/events/deadLetters/${dead[0]!.id}`)).json()) as { status: string };
      expect(after.status).toBe('replayed');
      const consumers = (await (await fetch(`${op.url}/ops/events/consumers`)).json()) as { id: string; deadLetters: number; lag: number }[];
      expect(consumers.find((c) => c.id === sub.body.id)).toMatchObject({ deadLetters: 0 });
      expect((await fetch(`${op.url}/ops/events/deadLetters/nope`)).status).toBe(404);
    } finally {
      await call('DELETE', `/hub/${sub.body.id}`);
      await l.stop();
    }
  });

  it('replay of a dead letter whose listener is still down reports the error and keeps it', async () => {
    const l = new Listener();
    await l.start();
    l.failWith = 500;
    const sub = await call('POST', '/hub', { callback: l.callback, query: 'event.individual.familyName=StillDown' });
    try {
      await call('POST', '/individual', { givenName: 'X', familyName: 'StillDown' });
      let dead: { id: string }[] = [];
      await until(async () => {
        dead = (await (await fetch(`${op.url}/ops/events/deadLetters?consumerId=${sub.body.id}&status=dead`)).json()) as { id: string }[];
        return dead.length === 1;
      });
      const r = await fetch(`${op.url}/ops/events/deadLetters/${dead[0]!.id}/replay`, { method: 'POST' });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { delivered: boolean; error: string; deadLetter: { status: string; attempts: number } };
      expect(body.delivered).toBe(false);
      expect(body.deadLetter).toMatchObject({ status: 'dead', attempts: 7 });
    } finally {
      await call('DELETE', `/hub/${sub.body.id}`);
      await l.stop();
    }
  });
});
