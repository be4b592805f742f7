import { describe, expect, it } from 'vitest';
import { OperonError } from '@operon/kernel';
import { MAX_POOL_SIZE } from './index.ts';
import { client, op, pools, refused, spec, withResourceOperon, type Pool, type Resource } from './test-api.ts';

withResourceOperon();

const ctx = () => ({ baseUrl: op.url });
type Reservation = { reservationKey: string; resource: Resource[] };

async function pool(body: Record<string, unknown>): Promise<Pool> {
  const r = await client.post<Pool>('/resourcePool', { resourceSpecification: spec('rs-any'), ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

const reserve = (body: Record<string, unknown>) => client.post<Reservation>('/resourcePool/reserve', body);
const release = (body: Record<string, unknown>) => client.post<Reservation>('/resourcePool/release', body);
const charOf = (r: Resource, name: string) => (r['resourceCharacteristic'] as { name: string; value: unknown }[] | undefined)?.find((c) => c.name === name)?.value;

describe('resource pools of every kind', () => {
  it('ipv4: a CIDR hands out its hosts (not the network and broadcast addresses), in order, as reserved logical resources', async () => {
    const p = await pool({ name: 'Public /29', kind: 'ipv4', cidr: '192.0.2.0/29', exclude: ['192.0.2.1'], accessArea: 'BER-MITTE-OLT01', resourceSpecification: spec('rs-ipv4', 'Public IPv4 address') });
    expect(p.capacity).toEqual({ total: 5, used: 0, free: 5, units: 'ipv4Address' });
    expect(p.href).toBe(`${client.baseUrl}/resourcePool/${p.id}`);
    const r = await reserve({ resourcePool: { id: p.id }, count: 2, reservationKey: 'ipv4-a', relatedParty: [{ id: 'c-1', role: 'customer', '@referredType': 'Individual' }] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.resource.map((x) => x['value'])).toEqual(['192.0.2.2', '192.0.2.3']);
    const first = r.body.resource[0]!;
    expect(first).toMatchObject({ '@type': 'LogicalResource', name: '192.0.2.2', category: 'ipv4', resourceStatus: 'reserved', usageState: 'idle', resourceSpecification: { id: 'rs-ipv4' }, relatedParty: [{ id: 'c-1' }] });
    expect(charOf(first, 'resourcePool')).toEqual({ id: p.id, href: p.href, name: 'Public /29' });
    expect(charOf(first, 'reservationKey')).toBe('ipv4-a');
    // the resource is a TMF639 resource like any other
    expect((await client.get<Resource>(`/resource/${first.id}`)).body).toEqual(first);
    expect((await client.get<Resource[]>('/resource?value=192.0.2.3')).body.map((x) => x.id)).toEqual([r.body.resource[1]!.id]);
    expect((await client.get<Pool>(`/resourcePool/${p.id}`)).body.capacity).toEqual({ total: 5, used: 2, free: 3, units: 'ipv4Address' });
  });

  it('ipv6: a block hands out delegated prefixes, or addresses with prefixLength 128', async () => {
    const p = await pool({ name: 'Customer /56s', kind: 'ipv6', cidr: '2001:DB8:100::/48', prefixLength: 56 });
    expect(p.capacity.total).toBe(256);
    const a = await pools.allocate({ poolId: p.id, count: 2 }, ctx());
    expect(a.items.map((i) => i.value)).toEqual(['2001:db8:100::/56', '2001:db8:100:100::/56']);
    const hosts = await pool({ name: 'Loopbacks', kind: 'ipv6', cidr: '2001:db8:ffff::/126', prefixLength: 128 });
    expect(hosts.capacity.total).toBe(4);
    expect((await pools.allocate({ poolId: hosts.id }, ctx())).items[0]!.value).toBe('2001:db8:ffff::/128');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv6', cidr: '2001:db8::/32', prefixLength: 56, resourceSpecification: spec('rs') }), 422, 'at most');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv6', cidr: '2001:db8::1/64', resourceSpecification: spec('rs') }), 422, 'host bits');
  });

  it('msisdn: a number range, found by kind and area (a national pool serves every area)', async () => {
    const p = await pool({ name: 'Mobile numbers', kind: 'msisdn', range: { start: '491700000000', end: '491700000999' }, exclude: ['491700000000'], resourceSpecification: spec('rs-msisdn', 'MSISDN') });
    expect(p.capacity.total).toBe(999);
    const a = await pools.allocate({ kind: 'msisdn', area: 'HAM-ALTONA-OLT02', reservationKey: 'msisdn-1' }, ctx());
    expect(a.items.map((i) => [i.value, i.poolId])).toEqual([['491700000001', p.id]]);
    expect(a.items[0]!.resource).toMatchObject({ '@type': 'LogicalResource', value: '491700000001', category: 'msisdn', resourceStatus: 'reserved' });
    const bySpec = await pools.allocate({ resourceSpecificationId: 'rs-msisdn' }, ctx());
    expect(bySpec.items[0]!.value).toBe('491700000002');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'msisdn', range: { start: '0170', end: '0179' }, resourceSpecification: spec('rs') }), 422, 'range.start');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'msisdn', range: { start: '491700', end: '49170099' }, resourceSpecification: spec('rs') }), 422, 'as many digits');
  });

  it('vlan: ids 1–4094, unique within an access area, the area\'s pool first', async () => {
    const berlin = await pool({ name: 'Berlin C-VLANs', kind: 'vlan', range: { start: '100', end: '102' }, accessArea: 'BER-MITTE-OLT01' });
    // the same ids in another area are other VLANs
    const hamburg = await pool({ name: 'Hamburg C-VLANs', kind: 'vlan', range: { start: '100', end: '199' }, accessArea: 'HAM-ALTONA-OLT02' });
    expect(hamburg.capacity.total).toBe(100);
    refused(await client.post('/resourcePool', { name: 'overlap', kind: 'vlan', range: { start: '102', end: '110' }, accessArea: 'BER-MITTE-OLT01', resourceSpecification: spec('rs') }), 409, '102 already belongs');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'vlan', range: { start: '4000', end: '4095' }, resourceSpecification: spec('rs') }), 422, 'range.end');
    const a = await pools.allocate({ kind: 'vlan', area: 'BER-MITTE-OLT01', count: 3 }, ctx());
    expect(a.items.map((i) => [i.resource['name'], i.poolId])).toEqual([['VLAN 100', berlin.id], ['VLAN 101', berlin.id], ['VLAN 102', berlin.id]]);
    const err = await pools.allocate({ kind: 'vlan', area: 'BER-MITTE-OLT01' }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperonError);
    expect((err as OperonError).status).toBe(409);
    expect((err as OperonError).code).toBe('noCapacity');
    const capacity = await client.get<{ total: number; free: number; pools: { id: string }[] }>('/resourcePool/capacity?kind=vlan&accessArea=HAM-ALTONA-OLT02');
    expect(capacity.body).toMatchObject({ total: 100, free: 100, used: 0 });
    expect(capacity.body.pools.map((x) => x.id)).toEqual([hamburg.id]);
  });

  it('port: the ports of a network element, handed out as physical resources related to it', async () => {
    const olt = await client.create<Resource>('/physicalResource', { name: 'OLT01', category: 'olt', serialNumber: 'HW-OLT-0001', resourceStatus: 'available' });
    const p = await pool({
      name: 'OLT01 PON ports', kind: 'port', values: ['OLT01/1/1/1', 'OLT01/1/1/2'], accessArea: 'BER-MITTE-OLT01',
      resourceSpecification: spec('rs-gpon-port', 'GPON ONT port'),
      resourceRelationship: [{ id: olt.id, href: olt.href, relationshipType: 'isContainedIn' }],
    });
    const a = await pools.allocate({ kind: 'port', area: 'BER-MITTE-OLT01', reservationKey: 'port-1' }, ctx());
    expect(a.items[0]!.resource).toMatchObject({ '@type': 'PhysicalResource', name: 'OLT01/1/1/1', resourceRelationship: [{ id: olt.id, relationshipType: 'isContainedIn' }] });
    expect(a.items[0]!.resource['value']).toBeUndefined();
    // what an OLT contains, found from the OLT
    expect((await client.get<Resource[]>(`/resource?resourceRelationship.id=${olt.id}`)).body.map((r) => r.id)).toEqual([a.items[0]!.resourceId]);
    expect((await client.get<Resource>(`/physicalResource/${a.items[0]!.resourceId}`)).status).toBe(200);
    refused(await client.post('/resourcePool', { name: 'dup', kind: 'port', values: ['OLT01/1/1/2'], resourceSpecification: spec('rs') }), 409, 'OLT01/1/1/2 already belongs');
    refused(await client.post('/resourcePool', { name: 'dup', kind: 'port', values: ['a', 'a'], resourceSpecification: spec('rs') }), 422, 'twice');
    expect(p.capacity.total).toBe(2);
  });

  it('sim: SIM cards with ICCID and IMSI, as physical resources', async () => {
    const p = await pool({ name: 'SIM batch 7', kind: 'sim', simCards: [{ iccid: '8949020000000000017', imsi: '262020000000017' }, { iccid: '8949020000000000025', imsi: '262020000000025' }], resourceSpecification: spec('rs-sim', 'SIM card') });
    const a = await pools.allocate({ poolId: p.id }, ctx());
    expect(a.items[0]!.resource).toMatchObject({ '@type': 'PhysicalResource', name: 'SIM 8949020000000000017', serialNumber: '8949020000000000017', category: 'sim' });
    expect(a.items[0]!.resource['resourceCharacteristic']).toContainEqual({ name: 'imsi', valueType: 'string', value: '262020000000017' });
    refused(await client.post('/resourcePool', { name: 'x', kind: 'sim', simCards: [{ iccid: '12', imsi: '262020000000099' }], resourceSpecification: spec('rs') }), 422, 'simCards[0].iccid');
  });

  it('refuses pools that do not hold together, storing nothing', async () => {
    const before = (await client.get<Pool[]>('/resourcePool')).body.length;
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv4', resourceSpecification: spec('rs') }), 422, 'cidr or a range');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv4', cidr: '10.0.0.0/8', resourceSpecification: spec('rs') }), 422, 'at most');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv4', cidr: '10.0.0.0/24', range: { start: '10.0.0.1', end: '10.0.0.2' }, resourceSpecification: spec('rs') }), 422, 'not both');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv4', cidr: '10.0.0.0/24', values: ['a'], resourceSpecification: spec('rs') }), 422, 'values');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv4', range: { start: '10.0.0.9', end: '10.0.0.1' }, resourceSpecification: spec('rs') }), 422, 'range.end');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv4', cidr: '10.0.0.0/30', exclude: ['10.0.0.9'], resourceSpecification: spec('rs') }), 422, 'exclude[0]');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv4', cidr: '10.0.0.0/30', exclude: ['10.0.0.1', '10.0.0.2'], resourceSpecification: spec('rs') }), 422, 'every value is excluded');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'dns', resourceSpecification: spec('rs') }), 400, 'kind');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv4', cidr: '10.0.0.0/30' }), 400, 'resourceSpecification');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv4', cidr: '10.0.0.0/30', accessArea: 'no spaces', resourceSpecification: spec('rs') }), 400, 'accessArea');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv4', cidr: '10.0.0.0/30', colour: 'red', resourceSpecification: spec('rs') }), 400, 'colour');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv4', cidr: '10.0.0.0/30', capacity: { total: 1 }, resourceSpecification: spec('rs') }), 400, 'capacity');
    // overlapping an existing block, even partly (192.0.2.0/29 exists)
    refused(await client.post('/resourcePool', { name: 'x', kind: 'ipv4', range: { start: '192.0.2.6', end: '192.0.2.20' }, resourceSpecification: spec('rs') }), 409, '192.0.2.6 already belongs');
    const r = await client.call('POST', '/resourcePool', undefined, { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect((await client.get<Pool[]>('/resourcePool')).body.length).toBe(before);
    const n = await op.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource_pool_item WHERE value LIKE '10.0.0.%'`);
    expect(n.rows[0]!.n).toBe(0);
  });

  it('lists, filters, patches and deletes pools; what a pool holds cannot change', async () => {
    const p = await pool({ name: 'Lab block', kind: 'ipv4', cidr: '198.51.100.0/30', accessArea: 'LAB-1' });
    const listed = await client.get<Pool[]>('/resourcePool?kind=ipv4&accessArea=LAB-1');
    expect(listed.body.map((x) => [x.id, x.capacity.free])).toEqual([[p.id, 2]]);
    expect((await client.get<Pool[]>('/resourcePool?kind=ipv4&fields=name&accessArea=LAB-1')).body).toEqual([{ id: p.id, href: p.href, '@type': 'ResourcePool', name: 'Lab block' }]);
    refused(await client.get('/resourcePool?capacity.free.gt=1'), 400, 'capacity');
    const patched = await client.patch<Pool>(`/resourcePool/${p.id}`, { description: 'for the lab' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ description: 'for the lab', capacity: { total: 2 } });
    refused(await client.patch(`/resourcePool/${p.id}`, { cidr: '198.51.100.0/29' }), 400, 'cidr');
    refused(await client.patch(`/resourcePool/${p.id}`, { kind: 'vlan' }), 400, 'kind');
    refused(await client.patch(`/resourcePool/${p.id}`, { description: 'x' }, { 'if-match': '"1"' }), 412, 'version');
    const a = await pools.allocate({ poolId: p.id }, ctx());
    refused(await client.del(`/resourcePool/${p.id}`), 409, 'release them first');
    // a pooled resource goes with its pool, not on its own
    await pools.release({ reservationKey: a.reservationKey }, ctx());
    refused(await client.del(`/resource/${a.items[0]!.resourceId}`), 409, 'goes with the pool');
    expect((await client.del(`/resourcePool/${p.id}`)).status).toBe(204);
    expect((await client.get(`/resourcePool/${p.id}`)).status).toBe(404);
    expect((await client.get(`/resource/${a.items[0]!.resourceId}`)).status).toBe(404);
    // the block is free for a new pool
    expect((await client.post('/resourcePool', { name: 'Lab again', kind: 'ipv4', cidr: '198.51.100.0/30', resourceSpecification: spec('rs') })).status).toBe(201);
    const events = await op.db.query<{ event_type: string }>(`SELECT event_type FROM outbox WHERE resource_id = $1 ORDER BY seq`, [p.id]);
    expect(events.rows.map((e) => e.event_type)).toEqual(['ResourcePoolCreateEvent', 'ResourcePoolAttributeValueChangeEvent', 'ResourcePoolDeleteEvent']);
  });
});

describe('allocation and release', () => {
  it('a reservationKey makes allocation idempotent: same key, same values; another request under it is refused', async () => {
    const p = await pool({ name: 'Idempotent', kind: 'ipv4', range: { start: '203.0.113.10', end: '203.0.113.19' } });
    const first = await reserve({ resourcePool: { id: p.id }, count: 3, reservationKey: 'order-1/rfs-ip' });
    expect(first.status).toBe(201);
    const again = await reserve({ resourcePool: { id: p.id }, count: 3, reservationKey: 'order-1/rfs-ip' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const twice = await Promise.all([1, 2, 3].map(() => pools.allocate({ poolId: p.id, count: 2, reservationKey: 'order-2' }, ctx())));
    expect(new Set(twice.map((a) => a.items.map((i) => i.value).join()))).toHaveProperty('size', 1);
    expect(twice.filter((a) => a.created)).toHaveLength(1);
    expect((await client.get<Pool>(`/resourcePool/${p.id}`)).body.capacity).toMatchObject({ used: 5, free: 5 });
    const e = refused(await reserve({ resourcePool: { id: p.id }, count: 1, reservationKey: 'order-1/rfs-ip' }), 409, 'another allocation');
    expect(e.code).toBe('reservationKeyInUse');
  });

  it('release puts values back, idempotently; the freed value is handed out again, as the same resource', async () => {
    const p = await pool({ name: 'Recycle', kind: 'ipv4', range: { start: '203.0.113.100', end: '203.0.113.101' } });
    const a = await reserve({ resourcePool: { id: p.id }, count: 2, reservationKey: 'rel-a', relatedParty: [{ id: 'c-9', '@referredType': 'Individual' }] });
    refused(await reserve({ resourcePool: { id: p.id }, reservationKey: 'rel-b' }), 409, 'no free value');
    // in use, then released by the flow's compensation
    const used = await client.patch<Resource>(`/resource/${a.body.resource[0]!.id}`, { usageState: 'active' });
    expect(used.status).toBe(200);
    // a pooled value goes back through the pool, not by a status change
    expect(refused(await client.patch(`/resource/${a.body.resource[0]!.id}`, { resourceStatus: 'available', usageState: 'idle' }), 422, 'release the allocation').code).toBe('allocated');
    const r = await release({ reservationKey: 'rel-a' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.resource.map((x) => [x.resourceStatus, x['usageState'], x['relatedParty']])).toEqual([['available', 'idle', undefined], ['available', 'idle', undefined]]);
    expect(r.body.resource.every((x) => charOf(x, 'reservationKey') === undefined && charOf(x, 'resourcePool') !== undefined)).toBe(true);
    const again = await release({ reservationKey: 'rel-a' });
    expect(again.status).toBe(200);
    expect(again.body.resource).toEqual([]);
    // the key is spent: a new allocation takes a new key
    expect(refused(await reserve({ resourcePool: { id: p.id }, count: 2, reservationKey: 'rel-a' }), 409, 'released').code).toBe('released');
    const b = await reserve({ resourcePool: { id: p.id }, count: 1, reservationKey: 'rel-b' });
    expect(b.status).toBe(201);
    expect(b.body.resource[0]).toMatchObject({ id: a.body.resource[0]!.id, value: '203.0.113.100', resourceStatus: 'reserved' });
    // one resource released on its own
    const one = await release({ resource: { id: b.body.resource[0]!.id } });
    expect(one.body).toMatchObject({ reservationKey: 'rel-b', resource: [{ id: b.body.resource[0]!.id, resourceStatus: 'available' }] });
    expect((await release({ resource: { id: b.body.resource[0]!.id } })).body).toEqual({ resource: [] });
    const states = await op.db.query<{ payload: { event: { resource: { resourceStatus: string } } } }>(
      `SELECT payload FROM outbox WHERE event_type = 'ResourceStateChangeEvent' AND resource_id = $1 ORDER BY seq`, [a.body.resource[0]!.id],
    );
    expect(states.rows.map((e) => e.payload.event.resource.resourceStatus)).toEqual(['available', 'reserved', 'available']);
  });

  it('refuses bad reserve and release requests with 4xx, changing nothing', async () => {
    const p = await pool({ name: 'Errors', kind: 'vlan', range: { start: '10', end: '11' }, accessArea: 'ERR-1' });
    refused(await reserve({ resourcePool: { id: 'none' } }), 404, 'none');
    refused(await reserve({}), 400, 'kind');
    refused(await reserve({ resourcePool: { id: p.id }, kind: 'vlan' }), 400, 'not both');
    refused(await reserve({ resourcePool: { id: p.id }, count: 0 }), 400, 'count');
    refused(await reserve({ resourcePool: { id: p.id }, count: 1001 }), 400, 'count');
    refused(await reserve({ resourcePool: { id: p.id }, count: 3 }), 409, 'only 2 free');
    refused(await reserve({ kind: 'vlan', accessArea: 'NOWHERE-1', reservationKey: 'k-none' }), 409, 'no resource pool matches');
    refused(await reserve({ resourcePool: { id: p.id }, colour: 'red' }), 400, 'colour');
    refused(await release({}), 400, 'reservationKey');
    refused(await release({ reservationKey: 'never-used' }), 404, 'never-used');
    refused(await release({ resource: { id: 'none' } }), 404, 'none');
    const plain = await client.create<Resource>('/logicalResource', { value: '10.9.9.9' });
    refused(await release({ resource: { id: plain.id } }), 422, 'not allocated from a resource pool');
    expect((await client.get<Pool>(`/resourcePool/${p.id}`)).body.capacity).toMatchObject({ used: 0, free: 2 });
    const keys = await op.db.query(`SELECT 1 FROM resource_allocation WHERE reservation_key = 'k-none'`);
    expect(keys.rowCount).toBe(0);
  });

  it('allocates in the caller\'s transaction: a rollback leaves the value free and emits nothing', async () => {
    const p = await pool({ name: 'Tx', kind: 'msisdn', range: { start: '491550000000', end: '491550000001' } });
    const boom = new Error('the workflow step failed after allocating');
    await expect(op.db.tx(async (tx) => {
      const a = await pools.allocate({ poolId: p.id, reservationKey: 'tx-1' }, ctx(), tx);
      expect(a.items[0]!.value).toBe('491550000000');
      throw boom;
    })).rejects.toBe(boom);
    expect((await pools.capacity({ poolId: p.id })).free).toBe(2);
    expect((await client.get<Resource[]>('/resource?value=491550000000')).body).toEqual([]);
    // committed with the caller's own writes
    const a = await op.db.tx(async (tx) => pools.allocate({ poolId: p.id, reservationKey: 'tx-1' }, ctx(), tx));
    expect(a.items[0]!.value).toBe('491550000000');
    expect((await pools.capacity({ poolId: p.id })).used).toBe(1);
    await op.db.tx(async (tx) => pools.release({ reservationKey: 'tx-1' }, ctx(), tx));
    expect((await pools.capacity({ poolId: p.id })).free).toBe(2);
  });

  it('leaves out free values whose resource is out of service (in alarm, or locked)', async () => {
    const p = await pool({ name: 'Ports with faults', kind: 'port', values: ['OLT09/1/1/1', 'OLT09/1/1/2'] });
    const a = await pools.allocate({ poolId: p.id, count: 2, reservationKey: 'oos' }, ctx());
    await pools.release({ reservationKey: 'oos' }, ctx());
    const [p1, p2] = a.items.map((i) => i.resourceId);
    expect((await client.patch(`/resource/${p1}`, { resourceStatus: 'alarm' })).status).toBe(200);
    expect((await client.patch(`/resource/${p2}`, { administrativeState: 'locked' })).status).toBe(200);
    expect(await pools.capacity({ poolId: p.id })).toMatchObject({ total: 2, used: 0, free: 0, outOfService: 2 });
    await expect(pools.allocate({ poolId: p.id }, ctx())).rejects.toMatchObject({ code: 'noCapacity' });
    expect((await client.patch(`/resource/${p1}`, { resourceStatus: 'available' })).status).toBe(200);
    expect((await pools.allocate({ poolId: p.id }, ctx())).items[0]!.resourceId).toBe(p1);
  });
});

describe('materialisation', () => {
  it(`writes a pool of ${MAX_POOL_SIZE} values, the most a pool may hold, in seconds`, async () => {
    const started = Date.now();
    const p = await pools.createPool({ name: 'Big MSISDN block', kind: 'msisdn', range: { start: '491600000000', end: String(491600000000 + MAX_POOL_SIZE - 1) }, resourceSpecification: spec('rs-msisdn') }, ctx());
    const written = Date.now() - started;
    const t = Date.now();
    const a = await pools.allocate({ poolId: String(p.doc['id']), count: 10 }, ctx());
    const allocated = Date.now() - t;
    expect(a.items).toHaveLength(10);
    expect((await pools.capacity({ poolId: String(p.doc['id']) })).free).toBe(MAX_POOL_SIZE - 10);
    console.info(`pool of ${MAX_POOL_SIZE} values written in ${written} ms; 10 values allocated in ${allocated} ms`);
    expect(written).toBeLessThan(30_000);
  }, 60_000);
});
