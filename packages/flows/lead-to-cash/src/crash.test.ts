import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '@operon/store/testing';
import { explainLeaks, reconcile } from './test-reconcile.ts';
import { PATHS, addOrder, defineArea, defineCustomer, defineOffering, ftthDefinition, operonApi, type Doc } from './testing.ts';

const BIN = fileURLToPath(new URL('../../../cli/bin/operon.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  while (cleanups.length) await Promise.resolve(cleanups.pop()!()).catch(() => {});
});

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: not reached in ${ms} ms; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `operon start` as a child process on `databaseUrl`; resolves with its URL once it listens. */
async function startNode(databaseUrl: string, name: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `operon-l2c-${name}-`));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATABASE_URL: databaseUrl, PORT: '0', OPERON_AUTH: 'false', OPERON_DEMO_DATA: 'false', OPERON_DATA_DIR: dataDir,
    // slow network steps: orders are in the middle of their runs when the node dies
    OPERON_NETWORK_LATENCY_MS: '200', OPERON_NETWORK_JITTER_MS: '200', OPERON_EVENT_POLL_MS: '200', OPERON_RATE_LIMIT: '0',
  };
  for (const k of ['OPERON_URL', 'OPERON_NETWORK_FAIL_PATTERN', 'OPERON_NETWORK_FAILURE_RATE']) delete env[k];
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await until(async () => output, (o) => /Press Ctrl\+C to stop/.test(o) || child.exitCode !== null, 120_000, `${name} starts`);
  const url = /listening\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
  if (!url) throw new Error(`${name} did not start:\n${output}`);
  return { child, url, output: () => output };
}

const TERMINAL = ['completed', 'failed', 'partial', 'cancelled', 'rejected'];

describe('Lead-to-Cash survives kill -9', () => {
  it('orders in flight when the node is killed all end, nothing allocated twice, inventories reconcile', async () => {
    const db = await createEmptyDatabase();
    cleanups.push(() => db.drop());
    const first = await startNode(db.url, 'first');
    const api = operonApi(first.url);
    const ftth = await defineOffering(api, ftthDefinition());
    const { address } = await defineArea(api, { area: 'BER-MITTE-OLT01', street: 'Invalidenstraße', olt: 'OLT01', ports: 24, vlans: { start: 100, end: 123 }, cidr: '192.0.2.0/27' }, ftth.resourceSpecs);
    const customer = await defineCustomer(api, 'Crash', 'Test');

    // 20 orders: 16 to deliver, 4 the network refuses (their compensation may be cut by the kill too)
    const refused = new Set([3, 8, 13, 18]);
    const placed = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      api.post(`${PATHS.productOrder}/productOrder`, addOrder(customer, ftth.offering, address, { downloadSpeed: '1000', ...(refused.has(i) ? { simulateFailure: 'refused' } : {}) }))));
    expect(placed.every((o) => o['state'] === 'acknowledged')).toBe(true);

    // kill -9 once the runs are under way and before they are all over
    const midFlight = (r: Awaited<ReturnType<typeof reconcile>>) => (r.orders['inProgress'] ?? 0) >= 5 && (r.orders['completed'] ?? 0) + (r.orders['failed'] ?? 0) >= 2;
    const atKill = await until(() => reconcile(db.url), midFlight, 60_000, 'orders in progress');
    first.child.kill('SIGKILL');
    await until(async () => first.child.signalCode, (s) => s === 'SIGKILL', 10_000, 'first node dies');
    console.log('crash: orders when the node was killed', atKill.orders);

    // a new node on the same database takes the runs over (once the dead node's leases expire)
    const second = await startNode(db.url, 'second');
    const api2 = operonApi(second.url);
    const orders = await until(
      () => Promise.all(placed.map((o) => api2.get(`${PATHS.productOrder}/productOrder/${o.id}`))),
      (list) => list.every((o) => TERMINAL.includes(String(o['state']))),
      240_000, 'every order ends',
    );
    for (const [i, o] of orders.entries()) {
      expect(o['state'], `order ${i}: ${JSON.stringify(o['productOrderErrorMessage'])}`).toBe(refused.has(i) ? 'failed' : 'completed');
      if (refused.has(i)) expect(JSON.stringify(o['productOrderErrorMessage'])).toMatch(/refused/);
    }

    // every pool value held belongs to exactly one active product; the refused orders hold nothing
    const r = await reconcile(db.url);
    const delivered = 20 - refused.size;
    // an FTTH product holds a port, a VLAN and an address
    // a leak fails the test below; first say where each leaked value went
    if (r.leaked.length) console.log(`leaked values:\n${(await explainLeaks(db.url, r.leaked)).join('\n')}`);
    expect(r).toMatchObject({ used: delivered * 3, activeResources: delivered * 3, distinctValues: delivered * 3, leaked: [], unheld: [] });
    const pools = await api2.get<Array<{ capacity?: { free: number } }>>(`${PATHS.resourceInventory}/resourcePool`);
    expect(pools.map((p) => p.capacity?.free).sort()).toEqual([24 - delivered, 24 - delivered, 30 - delivered].sort());
    const products = await api2.get<Doc[]>(`${PATHS.productInventory}/product?relatedParty.id=${customer.party.id}&limit=100`);
    expect(products.filter((p) => p['status'] === 'active')).toHaveLength(delivered);
    expect(products.filter((p) => p['status'] !== 'active').every((p) => ['cancelled', 'terminated'].includes(String(p['status'])))).toBe(true);
    second.child.kill('SIGTERM');
  }, 420_000);
});
