/**
 * A request whose node stopped while the network worked is finished by the
 * next start on the same database: its monitor completes and the answer is
 * applied to the service or resource, once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startOperon, type RunningOperon } from '@operon/server';
import { tmfClient } from '@operon/tmf/testing';
import { createActivationComponent, TMF702_BASE_PATH } from './index.ts';
import { char, monitorDone, simulatedConfig, startActivationOperon, vlan, type ActivationOperon } from './test-api.ts';

type Doc = Record<string, unknown> & { id: string; href: string };

let first: ActivationOperon | undefined;
let second: RunningOperon | undefined;
afterAll(async () => {
  await second?.stop();
  // stops the first node (already stopped) and drops the database
  await first?.op.close();
});

describe('a restart while the network works', () => {
  it('completes the monitors left in progress and applies the answers', async () => {
    const config = simulatedConfig({}, 100);
    first = await startActivationOperon(config);
    const inInventory = <T extends { id: string }>(r: T) => ({ ...r, href: `https://inventory.example/resource/${r.id}` });
    // one the network finishes while no node runs, one it finishes after the restart
    const early = await first.resources.post<Doc>('/resource', inInventory(vlan('restart-early', 800, [char('simulateLatencyMs', 300)])));
    const late = await first.resources.post<Doc>('/resource', inInventory(vlan('restart-late', 801, [char('simulateLatencyMs', 1500)])));
    expect([early.status, late.status]).toEqual([202, 202]);
    await first.op.stop();
    await new Promise((r) => setTimeout(r, 500));

    second = await startOperon(first.op.config, { components: [createActivationComponent({ config })] });
    const resources = tmfClient({ baseUrl: `${second.url}${TMF702_BASE_PATH}`, spec: 'TMF702', types: { resource: 'Resource', monitor: 'Monitor' } });
    for (const [reply, id] of [[early, 'restart-early'], [late, 'restart-late']] as const) {
      const m = await monitorDone(resources, reply.headers.get('monitorid')!);
      expect(m['state'], id).toBe('Completed');
      expect((await resources.get<Doc>(`/resource/${id}`)).body).toMatchObject({ administrativeState: 'unlocked', operationalState: 'enable' });
    }
    const ops = await second.db.query<{ target_id: string; attempts: number }>(`SELECT target_id, attempts FROM activation_sim_operation WHERE target_id LIKE 'restart-%' ORDER BY target_id`);
    expect(ops.rows).toEqual([{ target_id: 'restart-early', attempts: 1 }, { target_id: 'restart-late', attempts: 1 }]);
    const open = await second.db.query(`SELECT 1 FROM activation_request WHERE state = 'InProgress'`);
    expect(open.rowCount).toBe(0);
  });
});
