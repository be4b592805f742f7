import { describe, expect, it } from 'vitest';
import {
  allTasks, area, areas, countsByArea, etomIdNotation, l2, l2List, owners, parseEtomId, search, slugify, suggestTasks, task, tasks,
  tasksByApi, tasksByOwner, tasksBySystemType, tasksOfArea, tasksOfL2, tmfApi, tmfApis,
} from './index.ts';

// the seed's coverage summary (seeds/000, "eTOM L1–L3 Coverage Summary")
const SEED_SUMMARY: [string, number, number][] = [
  ['Fulfilment / CRM', 3, 14],
  ['Fulfilment / SM&O', 2, 10],
  ['Fulfilment / RM&O', 2, 9],
  ['Fulfilment / S/PM', 1, 3],
  ['Assurance / CRM', 2, 10],
  ['Assurance / SM&O', 2, 9],
  ['Assurance / RM&O', 3, 13],
  ['Assurance / S/PM', 2, 5],
  ['Billing & Revenue', 4, 12],
  ['SIP / Marketing', 3, 8],
  ['SIP / Service', 2, 4],
  ['SIP / Resource', 2, 4],
  ['SIP / Infrastructure', 3, 7],
];

describe('the eTOM map data', () => {
  it('has the counts of the seed coverage summary: 13 areas, 31 L2, 108 L3', () => {
    expect(areas()).toHaveLength(13);
    expect(l2List()).toHaveLength(31);
    expect(allTasks()).toHaveLength(108);
    expect(countsByArea().map((c) => [c.area.name, c.l2, c.l3])).toEqual(SEED_SUMMARY);
  });

  it('gives every area, L2 and L3 a real description of its own', () => {
    const texts = [...areas(), ...l2List(), ...allTasks()].map((x) => x.description);
    for (const d of texts) {
      expect(d.trim().length).toBeGreaterThan(30);
      expect(d).toMatch(/[.!?]$/);
    }
    // written per item, not one sentence pasted everywhere
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('has unique ids that are the slugs of the names', () => {
    for (const items of [areas(), l2List(), allTasks()]) expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    for (const t of allTasks()) expect(t.id).toBe(slugify(t.name));
    expect(slugify('Track & Manage Customer Order Handling')).toBe('track-and-manage-customer-order-handling');
    expect(slugify('Implement, Configure & Activate Service')).toBe('implement-configure-and-activate-service');
    expect(slugify('Cross/Up Sell')).toBe('cross-up-sell');
    expect(task('track-and-manage-customer-order-handling')?.l2.name).toBe('Order Handling');
  });

  it('keeps the classification of every task', () => {
    const t = task('manage-prospect')!;
    expect(t).toMatchObject({
      name: 'Manage Prospect', origin: 'seed', etomId: '1.1.1.4.1', systemType: 'BSS', owner: 'Sales',
      area: { id: 'fulfilment-crm', name: 'Fulfilment / CRM' }, l2: { id: 'selling', name: 'Selling' },
      exampleSystems: ['CRM', 'Lead Management'], tmfApis: ['TMF699', 'TMF632'],
    });
    expect(allTasks().filter((x) => x.origin === 'seed')).toHaveLength(21);
    expect(task('manage-revenue-assurance-operations')!.tmfApis).toEqual([]);
    expect(area('billing-revenue')).toMatchObject({ path: 'Operations / Billing & Revenue', layer: null });
    expect(area('SIP / Marketing')?.path).toBe('SIP / Marketing');
  });

  it('preserves and explains the ~ and v25.5: markers of GB921 ids', () => {
    const loyalty = task('manage-loyalty-program-account')!;
    expect(loyalty.etomId).toBe('~v25.5:1.3.4.5');
    expect(loyalty.etomRef).toMatchObject({ number: '1.3.4.5', exact: false, numbering: 'v25.5' });
    expect(loyalty.etomRef.note).toMatch(/nearest equivalent/);
    expect(parseEtomId('1.1.1.5.4')).toMatchObject({ number: '1.1.1.5.4', exact: true, numbering: 'classic' });
    expect(() => parseEtomId('1.x')).toThrow();
    expect(Object.keys(etomIdNotation)).toEqual(expect.arrayContaining(['~', 'v25.5:']));
    // the SIP / Infrastructure rows have only nearest equivalents
    expect(tasksOfArea('sip-infrastructure').every((t) => !t.etomRef.exact)).toBe(true);
  });

  it('names only known TMF APIs, and knows the official spec files', () => {
    const known = new Set(tmfApis().map((a) => a.id));
    for (const t of allTasks()) for (const a of t.tmfApis) expect(known, `${t.id} names ${a}`).toContain(a);
    expect(tmfApi('tmf622')).toMatchObject({ title: 'Product Ordering Management', officialSpec: '4.0.0' });
    expect(tmfApi('TMF630')?.kind).toBe('guideline');
    // every API of the official spec set (shared/tmf/README.md) is known
    for (const id of ['TMF620', 'TMF629', 'TMF663', 'TMF669', 'TMF672', 'TMF673', 'TMF674', 'TMF701', 'TMF702']) expect(tmfApi(id)?.officialSpec).toBeTruthy();
  });
});

describe('queries', () => {
  it('finds areas and L2 by id or by name', () => {
    expect(area('Fulfilment / CRM')?.id).toBe('fulfilment-crm');
    expect(area('fulfilment-crm')?.name).toBe('Fulfilment / CRM');
    expect(area('nowhere')).toBeUndefined();
    expect(l2('SM&O Support & Readiness')?.id).toBe('sm-and-o-support-and-readiness');
    expect(l2List({ area: 'billing-revenue' }).map((c) => c.name)).toEqual(['Billing & Collections Management', 'Charging', 'Revenue Assurance Management', 'Manage Balances']);
    expect(tasksOfL2('order-handling')).toHaveLength(7);
  });

  it('filters tasks by area, L2, system type, owner and API, together', () => {
    expect(tasks({ area: 'Fulfilment / SM&O' })).toHaveLength(10);
    expect(tasks({ systemType: 'shared' }).every((t) => t.systemType === 'Shared')).toBe(true);
    const bss = tasksBySystemType('BSS').length;
    expect(bss + tasksBySystemType('OSS').length + tasksBySystemType('Shared').length).toBe(108);
    expect(tasksByOwner('network operations').every((t) => t.owner.toLowerCase().includes('network operations'))).toBe(true);
    expect(tasksByOwner('network operations').length).toBeGreaterThan(10);
    expect(tasksByApi('TMF622').map((t) => t.id)).toContain('issue-customer-orders');
    expect(tasks({ area: 'fulfilment-crm', tmfApi: 'tmf622' }).map((t) => t.id)).toEqual([
      'track-and-manage-customer-order-handling', 'complete-customer-order', 'issue-customer-orders', 'report-customer-order-handling', 'close-customer-order',
    ]);
    expect(tasks({ owner: 'nobody at all' })).toEqual([]);
    expect(owners()).toContain('Order Management');
  });

  it('refuses filters naming things that do not exist', () => {
    expect(() => tasks({ area: 'fulfilment-xyz' })).toThrow(/unknown area/);
    expect(() => tasks({ l2: 'nope' })).toThrow(/unknown L2/);
    expect(() => tasks({ systemType: 'ERP' })).toThrow(/systemType/);
    expect(() => tasks({ tmfApi: '622' })).toThrow(/not a TMF API id/);
  });

  it('searches names and descriptions, best match first', () => {
    const order = search('customer order');
    expect(order[0]!.task.name).toMatch(/Customer Order/);
    expect(order.map((h) => h.task.id)).toContain('close-customer-order');
    // words from descriptions only
    expect(search('dunning').map((h) => h.task.id)).toContain('manage-customer-debt-collection');
    expect(search('VLAN').map((h) => h.task.id)).toEqual(['allocate-specific-service-parameters-to-services']);
    // British and American spelling, plurals, case
    expect(search('analyse resource').map((h) => h.task.id)).toContain('analyze-resource-performance');
    expect(search('ALARMS').length).toBeGreaterThan(0);
    expect(search('zzzz')).toEqual([]);
    expect(search('   ')).toEqual([]);
    // every word must match
    expect(search('billing zzzz')).toEqual([]);
    const filtered = tasks({ q: 'trouble', area: 'assurance-rmo' });
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((t) => t.area.id === 'assurance-rmo')).toBe(true);
  });

  it('suggests what a mistyped id probably meant', () => {
    expect(suggestTasks('close-customer-ordr')[0]!.id).toBe('close-customer-order');
    expect(suggestTasks('dunning').map((t) => t.id)).toContain('manage-customer-debt-collection');
    expect(suggestTasks('qqqqqqqqqq')).toEqual([]);
  });
});
