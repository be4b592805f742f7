/**
 * The fuzz suite as the test and `npm run fuzz` run it: a server with
 * authentication on and the demo data, then three runs — without a
 * credential, as a customer confined to one party, as an administrator — and
 * the checks of the stored data after them.
 */
import type { RunningOperon } from '../operon.ts';
import { seedDemo } from '../demo/seed.ts';
import { endpointsOf, fetchOpenApi, type Endpoint } from './endpoints.ts';
import { runFuzz, type FuzzReport } from './runner.ts';

export interface FuzzSettings {
  /** Cases per endpoint of the administrator's run. */
  runs: number;
  seed: number;
  /** Only endpoints whose `METHOD /url` contains this text. */
  only?: string;
  concurrency?: number;
  shrink?: boolean;
  progress?: (line: string) => void;
}

export interface FuzzSetup {
  endpoints: Endpoint[];
  admin: Record<string, string>;
  customer: { credential: Record<string, string>; principalId: string; partyId: string };
  protectedIds: ReadonlySet<string>;
}

const keyId = (secret: string) => secret.split('_')[1]!;

/** The settings from the environment: FUZZ_RUNS, FUZZ_SEED, FUZZ_ONLY, FUZZ_CONCURRENCY, FUZZ_SHRINK. */
export function settingsFromEnv(defaultRuns: number, env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  const int = (name: string, fallback: number) => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    if (!/^-?\d+$/.test(v)) throw new Error(`${name} must be an integer, got '${v}'`);
    return Number(v);
  };
  return {
    runs: int('FUZZ_RUNS', defaultRuns),
    seed: int('FUZZ_SEED', (Math.random() * 2 ** 31) | 0),
    ...(env['FUZZ_ONLY'] ? { only: env['FUZZ_ONLY'] } : {}),
    concurrency: int('FUZZ_CONCURRENCY', 6),
    shrink: env['FUZZ_SHRINK'] === '1',
  };
}

/** Demo data, the credentials of the runs, and the endpoints from the route table and the OpenAPI document. */
export async function prepareFuzz(op: RunningOperon, settings: Pick<FuzzSettings, 'only'>): Promise<FuzzSetup> {
  await seedDemo(op.runtime);
  await demoSettled(op);
  const admin = await op.credentials.createKey({ name: 'fuzz administrator', roles: ['administrator'] });
  const individuals = op.runtime.services.get('party')!.get('individual')!;
  const jane = (await individuals.list({ filters: [{ path: ['familyName'], op: 'eq', values: ['Doe'] }], sort: [], offset: 0, limit: 1 })).items[0];
  if (!jane) throw new Error('the demo data has no Jane Doe to act as the confined customer');
  const partyId = String(jane['id']);
  const customer = await op.credentials.createKey({ name: 'fuzz customer', roles: ['customer'], partyId });
  const all = endpointsOf(op, await fetchOpenApi(op.url));
  const endpoints = settings.only ? all.filter((e) => e.key.includes(settings.only!)) : all;
  if (endpoints.length === 0) throw new Error(`no endpoint matches '${settings.only}'`);
  return {
    endpoints,
    admin: { authorization: `Bearer ${admin.secret}` },
    customer: { credential: { 'x-api-key': customer.secret }, principalId: `key:${customer.key.id}`, partyId },
    protectedIds: new Set([keyId(admin.secret), keyId(customer.secret)]),
  };
}

/**
 * The demo's orders are fulfilled in the background; the runs compare the audit trail and the
 * outbox before and after, so they start once that work is done and its events are out.
 */
async function demoSettled(op: RunningOperon, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  const orders = op.runtime.services.get('productOrderingManagement')?.get('productOrder');
  for (;;) {
    // the runs start when the relay hands the orders to the flow: wait for the orders themselves to close
    const placed = orders ? (await orders.list({ filters: [], sort: [], offset: 0, limit: 1000 })).items : [];
    const waiting = placed.filter((o) => !['completed', 'failed', 'partial', 'cancelled', 'rejected'].includes(String(o['state']))).length;
    const open = await op.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM workflow_run WHERE status NOT IN ('succeeded', 'failed', 'cancelled')",
    ).catch(() => ({ rows: [{ n: 0 }] }));
    if (waiting === 0 && open.rows[0]!.n === 0) break;
    if (Date.now() > end) throw new Error(`the demo's orders were not fulfilled within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await op.relay.idle();
}

export type RunKind = 'anonymous' | 'customer' | 'administrator';

/** Cases per endpoint of each run: the runs without and with a confined credential are smaller. */
export function runsOf(kind: RunKind, runs: number): number {
  if (kind === 'administrator') return runs;
  return Math.max(20, Math.round(runs / (kind === 'anonymous' ? 10 : 4)));
}

export function runOne(op: RunningOperon, setup: FuzzSetup, kind: RunKind, settings: FuzzSettings): Promise<FuzzReport> {
  const common = {
    baseUrl: op.url,
    endpoints: setup.endpoints,
    runsPerEndpoint: runsOf(kind, settings.runs),
    seed: settings.seed,
    admin: setup.admin,
    protectedIds: setup.protectedIds,
    ...(settings.concurrency ? { concurrency: settings.concurrency } : {}),
    ...(settings.shrink ? { shrink: true } : {}),
    ...(settings.progress ? { progress: settings.progress } : {}),
  };
  switch (kind) {
    case 'anonymous':
      return runFuzz({ ...common, label: 'without a credential', caller: { kind: 'anonymous' }, credential: {} });
    case 'customer':
      return runFuzz({
        ...common, label: 'as a customer confined to one party', caller: { kind: 'confined', roles: ['customer'], partyId: setup.customer.partyId }, credential: setup.customer.credential,
      });
    case 'administrator':
      return runFuzz({ ...common, label: 'as an administrator', caller: { kind: 'administrator' }, credential: setup.admin });
  }
}
