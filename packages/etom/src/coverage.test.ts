import { describe, expect, it } from 'vitest';
import { components } from '@operon/server';
import { assertValidManifests, coverage, exportRows, parseCsv, toCsv, validateManifests, type ManifestLike } from './index.ts';

const fake = (over: Partial<ManifestLike> = {}): ManifestLike => ({
  name: 'ordering',
  title: 'Product Ordering',
  exposes: [{ id: 'TMF622', title: 'Product Ordering' }],
  dependsOn: ['TMF620', 'TMF632'],
  etomTasks: ['issue-customer-orders', 'track-and-manage-customer-order-handling'],
  ...over,
});

describe('the real component manifests', () => {
  it('name only eTOM L3 tasks and TMF APIs that exist', () => {
    expect(components.length).toBeGreaterThan(0);
    const problems = validateManifests(components);
    expect(problems.map((p) => `${p.component}.${p.field}: ${p.message}`)).toEqual([]);
    expect(() => assertValidManifests(components)).not.toThrow();
  });

  it('cover at least the tasks they claim', () => {
    const report = coverage(components);
    const claimed = new Set(components.flatMap((c) => c.etomTasks));
    expect(report.totals.covered).toBe(claimed.size);
    expect(report.implemented.map((r) => r.task.id).sort()).toEqual([...claimed].sort());
  });
});

describe('manifest validation', () => {
  it('catches an unknown task id, suggesting the nearest real one', () => {
    const problems = validateManifests([fake({ etomTasks: ['issue-customer-order', 'close-customer-order'] })]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ component: 'ordering', field: 'etomTasks', value: 'issue-customer-order' });
    expect(problems[0]!.message).toMatch(/did you mean 'issue-customer-orders'/);
    expect(() => assertValidManifests([fake({ etomTasks: ['nope'] })])).toThrow(/nope/);
  });

  it('catches unknown API ids in exposes and dependsOn', () => {
    const problems = validateManifests([fake({ exposes: [{ id: 'TMF999', title: 'Nothing' }], dependsOn: ['TMF620', 'TMF000'] })]);
    expect(problems.map((p) => [p.field, p.value])).toEqual([['exposes', 'TMF999'], ['dependsOn', 'TMF000']]);
  });

  it('accepts a valid manifest', () => {
    expect(validateManifests([fake()])).toEqual([]);
  });
});

describe('coverage', () => {
  it('reports implemented tasks with component and APIs, gaps, overlaps and roll-ups', () => {
    const billing = fake({ name: 'billing', title: 'Billing', exposes: [{ id: 'TMF678', title: 'Customer Bill' }], dependsOn: [], etomTasks: ['manage-customer-billing', 'issue-customer-orders', 'bogus-task'] });
    const r = coverage([fake(), billing]);
    expect(r.totals).toMatchObject({ areas: 13, l2: 31, l3: 108, covered: 3, uncovered: 105, percent: 3, components: 2 });
    const issue = r.implemented.find((x) => x.task.id === 'issue-customer-orders')!;
    expect(issue.implementedBy.map((i) => i.component)).toEqual(['ordering', 'billing']);
    expect(issue.implementedBy[0]!.apis).toEqual([{ id: 'TMF622', title: 'Product Ordering Management' }]);
    expect(issue.apisServed).toEqual(['TMF622']);
    expect(r.overlaps.map((x) => x.task.id)).toEqual(['issue-customer-orders']);
    expect(r.uncovered.map((x) => x.task.id)).toContain('manage-prospect');
    expect(r.areas.find((a) => a.id === 'fulfilment-crm')).toEqual({ id: 'fulfilment-crm', name: 'Fulfilment / CRM', l3: 14, covered: 2, percent: 14 });
    expect(r.l2.find((c) => c.id === 'order-handling')).toMatchObject({ l3: 7, covered: 2, percent: 29, area: { id: 'fulfilment-crm' } });
    expect(r.areas.reduce((n, a) => n + a.l3, 0)).toBe(108);
    // a task that does not exist is reported, never counted
    expect(r.problems.map((p) => p.value)).toEqual(['bogus-task']);
  });

  it('exports CSV that parses back to one row per task', () => {
    const csv = toCsv(exportRows([fake()]));
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(108);
    const row = rows.find((x) => x['id'] === 'implement-configure-and-activate-service')!;
    expect(row['name']).toBe('Implement, Configure & Activate Service');
    expect(rows.find((x) => x['id'] === 'issue-customer-orders')!['implemented_by']).toBe('ordering');
    expect(rows.find((x) => x['id'] === 'manage-prospect')!['tmf_apis']).toBe('TMF699; TMF632');
  });
});
