import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coverage, parseCsv } from '@operon/etom';
import { components } from '@operon/server';
import { testTarget } from '@operon/store/testing';
import { operon } from './testing/run-cli.ts';

// these commands never touch a database: running them on the second database target proves nothing more
const once = describe.skipIf(testTarget() === 'server');

once('operon help and errors', () => {
  it('prints help, per-command help, and refuses unknown commands with exit 2', async () => {
    const help = await operon(['help']);
    expect(help.code).toBe(0);
    for (const c of ['start', 'migrate', 'seed', 'etom', 'get', 'list']) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    const etomHelp = await operon(['etom', '--help']);
    expect(etomHelp.code).toBe(0);
    expect(etomHelp.stdout).toMatch(/Usage: operon etom/);
    expect((await operon(['help', 'list'])).stdout).toMatch(/--filter/);
    const bad = await operon(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command 'frobnicate'/);
    const badOpt = await operon(['etom', 'list', '--colour', 'red']);
    expect(badOpt.code).toBe(2);
    expect(badOpt.stderr).toMatch(/--colour/);
  });
});

once('operon etom', () => {
  it('lists tasks as a table, filtered, and as JSON', async () => {
    const all = await operon(['etom', 'list', '--json']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toHaveLength(108);

    const r = await operon(['etom', 'list', '--area', 'Fulfilment / CRM', '--system-type', 'shared']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+NAME\s+AREA\s+TYPE/m);
    expect(r.stdout).toContain('determine-customer-order-feasibility');
    expect(r.stdout).toContain('1 of 108 L3 tasks');

    const api = JSON.parse((await operon(['etom', 'list', '--api', 'TMF652', '--owner', 'network operations', '--json'])).stdout) as { id: string; tmfApis: string[] }[];
    expect(api.length).toBeGreaterThan(0);
    expect(api.every((t) => t.tmfApis.includes('TMF652'))).toBe(true);

    const bad = await operon(['etom', 'list', '--area', 'atlantis']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown area 'atlantis'/);
  });

  it('shows one task in full, and suggests ids for an unknown one', async () => {
    const r = await operon(['etom', 'show', 'issue-customer-orders']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Issue Customer Orders/);
    expect(r.stdout).toMatch(/eTOM id\s+1\.1\.1\.5\.6/);
    expect(r.stdout).toMatch(/TMF622 Product Ordering Management/);
    const loyalty = JSON.parse((await operon(['etom', 'show', 'manage-loyalty-program-account', '--json'])).stdout);
    expect(loyalty).toMatchObject({ etomId: '~v25.5:1.3.4.5', etomRef: { exact: false, numbering: 'v25.5' }, implementedBy: [] });
    const l2 = await operon(['etom', 'show', 'order-handling']);
    expect(l2.stdout).toMatch(/Order Handling \(L2 capability in Fulfilment \/ CRM\)/);
    const bad = await operon(['etom', 'show', 'close-customer-ordr']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no eTOM task/);
    expect(bad.stderr).toContain('close-customer-order');
  });

  it('searches names and descriptions', async () => {
    const r = await operon(['etom', 'search', 'dunning']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('manage-customer-debt-collection');
    const hits = JSON.parse((await operon(['etom', 'search', 'resource', 'trouble', '--json'])).stdout) as { id: string; score: number }[];
    expect(hits.length).toBeGreaterThan(2);
    expect(hits[0]!.id).toMatch(/resource-trouble/);
    expect((await operon(['etom', 'search', 'zzzqqq'])).stdout).toMatch(/no tasks match/);
  });

  it('reports coverage from the real manifests', async () => {
    const expected = coverage(components);
    const r = await operon(['etom', 'coverage', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.totals).toEqual(expected.totals);
    expect(report.implemented.map((x: { task: { id: string } }) => x.task.id)).toEqual(expected.implemented.map((x) => x.task.id));
    const text = await operon(['etom', 'coverage', '--uncovered']);
    expect(text.stdout).toContain(`eTOM coverage: ${expected.totals.covered} of 108 L3 tasks`);
    expect(text.stdout).toMatch(/Fulfilment \/ CRM\s+14\s+\d+\s+[█░]{20}/);
    expect(text.stdout).toContain(`Not covered yet (${expected.totals.uncovered})`);
  });

  it('exports CSV that parses back to 108 rows, and JSON', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-cli-'));
    try {
      const file = path.join(dir, 'etom.csv');
      const r = await operon(['etom', 'export', '--format', 'csv', '--out', file]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/wrote 108 tasks/);
      const rows = parseCsv(fs.readFileSync(file, 'utf8'));
      expect(rows).toHaveLength(108);
      expect(new Set(rows.map((x) => x['id'])).size).toBe(108);
      expect(rows.find((x) => x['id'] === 'apply-pricing-discounting-adjustments-and-rebates')!['name']).toBe('Apply Pricing, Discounting, Adjustments & Rebates');
      for (const id of new Set(components.flatMap((c) => c.etomTasks))) expect(rows.find((x) => x['id'] === id)!['implemented_by']).not.toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const j = await operon(['etom', 'export', '--format', 'json']);
    expect(j.code).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc.l3).toHaveLength(108);
    expect(doc.areas).toHaveLength(13);
    expect((await operon(['etom', 'export', '--format', 'xml'])).code).toBe(2);
  });
});
