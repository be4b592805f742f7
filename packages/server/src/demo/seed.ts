import type { Lifecycle, RequestContext } from '@operon/kernel';
import type { Tx } from '@operon/store';
import type { ComponentRuntime, ResourceService } from '@operon/tmf';
import { productCatalogSteps, resourceCatalogSteps, serviceCatalogSteps } from './catalog.ts';
import { placeSteps, poolSteps, sellingSteps } from './lead-to-cash.ts';
import { partyLinks, partySteps } from './parties.ts';
import type { DemoLink, DemoRef, DemoRefs, DemoStep } from './steps.ts';

export const demoSteps: readonly DemoStep[] = [...partySteps, ...resourceCatalogSteps, ...serviceCatalogSteps, ...productCatalogSteps, ...placeSteps, ...poolSteps];
export const demoLinks: readonly DemoLink[] = [...partyLinks];
/**
 * What customers did with it, in a second commit: the flow's checks (order
 * capture, pricing) read the catalog and parties as committed data.
 */
export const demoActivitySteps: readonly DemoStep[] = [...sellingSteps];

/** Shortest path through a lifecycle's transition table, excluding the start. */
export function pathTo(lc: Lifecycle, from: string, to: string): string[] {
  if (from === to) return [];
  const prev = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length) {
    const s = queue.shift()!;
    for (const n of lc.next(s)) {
      if (prev.has(n)) continue;
      prev.set(n, s);
      if (n === to) {
        const path = [n];
        let c = s;
        while (c !== from) {
          path.unshift(c);
          c = prev.get(c)!;
        }
        return path;
      }
      queue.push(n);
    }
  }
  throw new Error(`${lc.name}: no way from '${from}' to '${to}'`);
}

export interface SeedResult {
  seeded: boolean;
  created: number;
  byResource: Record<string, number>;
}

/**
 * Loads the demo operator and catalog into a database that has never had it,
 * through the same services (validation, lifecycles, events) as the API, in
 * one transaction: all of it or nothing. Then, in a second one, the
 * customers' qualifications, quote and orders: the orders' create events
 * reach the Lead-to-Cash flow once the event relay runs, which fulfils them.
 */
export async function seedDemo(runtime: ComponentRuntime, progress?: (done: number, total: number, what: string) => void): Promise<SeedResult> {
  const { db } = runtime;
  const already = await db.query(`SELECT 1 FROM operon_meta WHERE key = 'demoData'`);
  if (already.rowCount) return { seeded: false, created: 0, byResource: {} };
  const ctx: RequestContext = { ...runtime.systemContext, correlationId: 'demo-data' };
  const service = (step: DemoStep): ResourceService => {
    const s = step.service?.(runtime) ?? runtime.services.get(step.api)?.get(step.resource);
    if (!s) throw new Error(`demo data needs ${step.api}/${step.resource}, which no mounted component serves`);
    return s;
  };
  const known = new Map<string, { ref: DemoRef; step: DemoStep }>();
  const refs: DemoRefs = {
    ref(key) {
      const k = known.get(key);
      if (!k) throw new Error(`demo data refers to '${key}' before it exists`);
      return { ...k.ref };
    },
    id: (key) => refs.ref(key).id,
  };
  const byResource: Record<string, number> = {};
  const total = demoSteps.length + demoLinks.length + demoActivitySteps.length;
  let done = 0;
  const apply = async (step: DemoStep, tx: Tx) => {
    const svc = service(step);
    const body = step.body(refs);
    const created = step.create ? await step.create(runtime, body, ctx, tx) : await svc.create(body, ctx, tx);
    const doc = created.doc;
    const id = String(doc['id']);
    const lc = svc.def.lifecycle;
    if (step.state && lc) {
      for (const s of pathTo(lc, String(doc[lc.field]), step.state)) await svc.transition(id, s, ctx, {}, tx);
    }
    const name = typeof doc['name'] === 'string' ? doc['name'] : typeof doc['formattedName'] === 'string' ? doc['formattedName'] : undefined;
    known.set(step.key, { step, ref: { id, href: svc.href(ctx, id), ...(name ? { name } : {}), '@referredType': String(doc['@type'] ?? svc.def.type) } });
    byResource[`${step.api}/${step.resource}`] = (byResource[`${step.api}/${step.resource}`] ?? 0) + 1;
    progress?.(++done, total, `${svc.def.type} ${name ?? id}`);
  };
  const loaded = await db.tx(async (tx: Tx) => {
    const locked = await tx.query(`INSERT INTO operon_meta (key, value) VALUES ('demoData', $1) ON CONFLICT (key) DO NOTHING`, [JSON.stringify({ loadedAt: new Date().toISOString() })]);
    if (locked.rowCount === 0) return false;
    for (const step of demoSteps) await apply(step, tx);
    for (const link of demoLinks) {
      const k = known.get(link.key);
      if (!k) throw new Error(`demo link to unknown '${link.key}'`);
      const svc = service(k.step);
      await svc.patch(k.ref.id, { kind: 'merge', body: link.patch(refs) }, ctx, {}, tx);
      progress?.(++done, total, `${svc.def.type} ${k.ref.name ?? k.ref.id} linked`);
    }
    return true;
  });
  if (loaded) {
    await db.tx(async (tx: Tx) => {
      for (const step of demoActivitySteps) await apply(step, tx);
    });
  }
  const created = Object.values(byResource).reduce((a, b) => a + b, 0);
  return { seeded: created > 0, created, byResource };
}
