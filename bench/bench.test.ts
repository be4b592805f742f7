/**
 * Keeps the benchmark harness from rotting: runs tmf-crud and lead-to-cash end
 * to end at smoke scale (about a second per phase, 200 rows; 20 orders) on the
 * current test database and checks that every figure was produced. It asserts
 * nothing about speed — performance is measured by `npm run bench`, never by
 * tests.
 */
import { describe, expect, inject, it } from 'vitest';
import { targetFromAdminUrl } from './lib/database.ts';
import { renderTable } from './lib/harness.ts';
import { runBenchmark } from './lib/runner.ts';
import { leadToCash } from './lead-to-cash.ts';
import { tmfCrud } from './tmf-crud.ts';

describe('benchmark harness', () => {
  it('runs tmf-crud end to end at smoke scale and produces every figure', async () => {
    const target = targetFromAdminUrl(inject('pgTarget'), inject('pgAdminUrl'));
    const report = await runBenchmark(tmfCrud, {
      target,
      options: { scale: 'smoke', diagnose: true, phases: [], rows: 200 },
      runs: 1,
      progress: () => {},
      status: () => {},
    });
    const byKey = new Map(report.summary.map((s) => [s.key, s]));
    const keys = [
      'ceiling.insert', 'ceiling.select', 'create.rps', 'create.p50', 'create.p99', 'get.rps', 'get.p50', 'get.p99',
      'list.familyName.p99', 'list.status.p99', 'list.city.p99', 'list.sort.p99',
    ];
    for (const k of keys) {
      const s = byKey.get(k);
      expect(s, k).toBeDefined();
      expect(Number.isFinite(s!.median) && s!.median > 0, `${k} = ${s?.median}`).toBe(true);
    }
    // every request succeeded, and the figures read against their ceilings and targets
    expect(byKey.get('create.failed')?.median).toBe(0);
    expect(byKey.get('get.failed')?.median).toBe(0);
    expect(byKey.get('create.rps')?.ceiling?.key).toBe('ceiling.insert');
    expect(byKey.get('create.rps')?.pass).toBeTypeOf('boolean');
    expect(renderTable(report.title, report.summary, 1, { color: false })).toMatch(/creates\/s .*ceiling .* commits\/s/);
  }, 180_000);

  it('runs lead-to-cash end to end at smoke scale: orders are captured, delivered, and every figure is produced', async () => {
    const target = targetFromAdminUrl(inject('pgTarget'), inject('pgAdminUrl'));
    const report = await runBenchmark(leadToCash, {
      target,
      options: { scale: 'smoke', diagnose: true, phases: [] },
      runs: 1,
      progress: () => {},
      status: () => {},
    });
    const byKey = new Map(report.summary.map((s) => [s.key, s]));
    const positive = ['ceiling.insert', 'orders.capturedPerSecond', 'orders.post.p50', 'orders.post.p99', 'orders.e2e.p50', 'orders.e2e.p99', 'cost.statements', 'cost.commits'];
    for (const k of positive) {
      const s = byKey.get(k);
      expect(s, k).toBeDefined();
      expect(Number.isFinite(s!.median) && s!.median > 0, `${k} = ${s?.median}`).toBe(true);
    }
    // a rate, possibly 0 when a slow machine completes nothing inside the short smoke window
    expect(Number.isFinite(byKey.get('orders.completedPerSecond')?.median)).toBe(true);
    // every order was accepted and delivered (the smoke scale waits up to 90 s for 20 orders)
    expect(byKey.get('orders.failed')?.median).toBe(0);
    expect(byKey.get('orders.completedPerSecond')?.ceiling?.key).toBe('ceiling.insert');
    expect(byKey.get('orders.post.p99')?.pass).toBeTypeOf('boolean');
    expect(renderTable(report.title, report.summary, 1, { color: false })).toMatch(/orders completed\/s .*ceiling .* commits\/s/);
  }, 240_000);
});
