import { describe, expect, it } from 'vitest';
import { OperonError } from '@operon/kernel';
import { AllocationRefused, MAX_POOL_SIZE } from './index.ts';
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

    // an allocation reads the pool without its list of ports, and sees what was changed since
    const summary = await op.db.query<{ s: Record<string, unknown> }>('SELECT summary AS s FROM resource_pool WHERE id = $1', [p.id]);
    expect(summary.rows[0]!.s['values']).toBeUndefined();
    expect(summary.rows[0]!.s).toMatchObject({ kind: 'port', accessArea: 'BER-MITTE-OLT01', resourceSpecification: { id: 'rs-gpon-port' } });
    expect((await client.patch(`/resourcePool/${p.id}`, { name: 'OLT01 PON ports (card 1)' })).status).toBe(200);
    const b = await pools.allocate({ kind: 'port', area: 'BER-MITTE-OLT01', reservationKey: 'port-2' }, ctx());
    expect(b.items[0]!.resource).toMatchObject({ name: 'OLT01/1/1/2', resourceRelationship: [{ id: olt.id, relationshipType: 'isContainedIn' }] });
    expect(charOf(b.items[0]!.resource as Resource, 'resourcePool')).toMatchObject({ id: p.id, name: 'OLT01 PON ports (card 1)' });
    expect(charOf(a.items[0]!.resource as Resource, 'resourcePool')).toMatchObject({ id: p.id, name: 'OLT01 PON ports' });
  });

  it('sim: SIM cards with ICCID and IMSI, as physical resources', async () => {
    const p = await pool({ name: 'SIM batch 7', kind: 'sim', simCards: [{ iccid: '8949020000000000017', imsi: '262020000000017' }, { iccid: '8949020000000000025', imsi: '262020000000025' }], resourceSpecification: spec('rs-sim', 'SIM card') });
    const a = await pools.allocate({ poolId: p.id }, ctx());
    expect(a.items[0]!.resource).toMatchObject({ '@type': 'PhysicalResource', name: 'SIM 8949020000000000017', serialNumber: '8949020000000000017', category: 'sim' });
    expect(a.items[0]!.resource['resourceCharacteristic']).toContainEqual({ name: 'imsi', valueType: 'string', value: '262020000000017' });
    refused(await client.post('/resourcePool', { name: 'x', kind: 'sim', simCards: [{ iccid: '12', imsi: '262020000000099' }], resourceSpecification: spec('rs') }), 422, 'simCards[0].iccid');
  });

  it('did: geographic numbers, in the one numbering space they share with mobile numbers', async () => {
    await pool({ name: 'Mobile block', kind: 'msisdn', range: { start: '491730000000', end: '491730000099' }, resourceSpecification: spec('rs-msisdn') });
    const p = await pool({ name: 'Bremen numbers', kind: 'did', range: { start: '494215550000', end: '494215550009' }, accessArea: 'BRE-IND-OLT01', resourceSpecification: spec('rs-did', 'Geographic number') });
    expect(p.capacity).toEqual({ total: 10, used: 0, free: 10, units: 'telephoneNumber' });
    const a = await pools.allocate({ resourceSpecificationId: 'rs-did', area: 'BRE-IND-OLT01' }, ctx());
    expect(a.items[0]!.resource).toMatchObject({ '@type': 'LogicalResource', name: '494215550000', value: '494215550000', category: 'did', resourceStatus: 'reserved' });
    // a number is in one pool, mobile or geographic
    refused(await client.post('/resourcePool', { name: 'x', kind: 'did', range: { start: '491730000050', end: '491730000060' }, resourceSpecification: spec('rs') }), 409, '491730000050 already belongs');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'msisdn', range: { start: '494215550009', end: '494215550010' }, resourceSpecification: spec('rs') }), 409, '494215550009 already belongs');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'did', range: { start: '0421555', end: '0421556' }, resourceSpecification: spec('rs') }), 422, 'range.start');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'did', range: { start: '494210000000', end: '494210099999' }, resourceSpecification: spec('rs') }), 422, 'at most');
  });

  it('sip: SIP accounts, a prefix and a zero-padded number in a domain, as logical resources with username and domain', async () => {
    const p = await pool({
      name: 'SIP accounts', kind: 'sip', range: { start: 'sip-0000001', end: 'sip-0000100' }, sipDomain: 'Voice.Operon.example', exclude: ['sip-0000002'],
      resourceSpecification: spec('rs-sip', 'SIP account'),
    });
    expect(p.capacity).toEqual({ total: 99, used: 0, free: 99, units: 'sipAccount' });
    expect(p['sipDomain']).toBe('Voice.Operon.example');
    const r = await reserve({ kind: 'sip', count: 2, reservationKey: 'sip-a', relatedParty: [{ id: 'org-1', role: 'customer', '@referredType': 'Organization' }] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.resource.map((x) => x['value'])).toEqual(['sip-0000001', 'sip-0000003']);
    const first = r.body.resource[0]!;
    expect(first).toMatchObject({ '@type': 'LogicalResource', name: 'sip-0000001@voice.operon.example', category: 'sip', resourceStatus: 'reserved', resourceSpecification: { id: 'rs-sip' }, relatedParty: [{ id: 'org-1' }] });
    expect(charOf(first, 'username')).toBe('sip-0000001');
    expect(charOf(first, 'domain')).toBe('voice.operon.example');
    // a TMF639 resource like any other, found by its characteristics
    expect((await client.get<Resource>(`/logicalResource/${first.id}`)).body).toEqual({ ...first, href: `${client.baseUrl}/logicalResource/${first.id}` });
    expect((await client.get<Resource[]>('/resource?category=sip&resourceCharacteristic.value=sip-0000003')).body.map((x) => x.id)).toEqual([r.body.resource[1]!.id]);

    // the same user names in another domain are other accounts; in the same domain (however it is written) they overlap
    const other = await pool({ name: 'Lab accounts', kind: 'sip', range: { start: 'sip-0000050', end: 'sip-0000051' }, sipDomain: 'lab.operon.example' });
    expect(other.capacity.total).toBe(2);
    refused(await client.post('/resourcePool', { name: 'x', kind: 'sip', range: { start: 'sip-0000100', end: 'sip-0000101' }, sipDomain: 'VOICE.operon.example', resourceSpecification: spec('rs') }), 409, 'sip-0000100 already belongs');

    // released, then handed out again: the same resource, each characteristic once
    const back = await release({ reservationKey: 'sip-a' });
    expect(back.body.resource.map((x) => x.resourceStatus)).toEqual(['available', 'available']);
    const again = await pools.allocate({ poolId: p.id, reservationKey: 'sip-b' }, ctx());
    expect(again.items[0]).toMatchObject({ value: 'sip-0000001', resourceId: first.id });
    const names = (again.items[0]!.resource['resourceCharacteristic'] as { name: string }[]).map((c) => c.name).sort();
    expect(names).toEqual(['domain', 'reservationKey', 'resourcePool', 'username']);
  });

  it('sip: concurrent allocations, each in its own transaction, hand out every account once', async () => {
    const p = await pools.createPool({ name: 'Contended accounts', kind: 'sip', range: { start: 'race-001', end: 'race-040' }, sipDomain: 'race.operon.example', resourceSpecification: spec('rs-sip') }, ctx());
    const id = String(p.doc['id']);
    const results = await Promise.allSettled(Array.from({ length: 80 }, (_, i) =>
      op.db.tx((tx) => pools.allocate({ poolId: id, reservationKey: `sip-race-${i}` }, ctx(), tx))));
    const ok = results.flatMap((x) => (x.status === 'fulfilled' ? [x.value] : []));
    const failed = results.flatMap((x) => (x.status === 'rejected' ? [x.reason as OperonError] : []));
    expect(ok).toHaveLength(40);
    expect(failed.every((e) => e instanceof OperonError && e.status === 409 && e.code === 'noCapacity')).toBe(true);
    const users = ok.map((a) => a.items[0]!.value);
    expect(new Set(users).size).toBe(40);
    expect(new Set(ok.map((a) => a.items[0]!.resourceId)).size).toBe(40);
    expect(users.every((u) => /^race-0(?:[0-3]\d|40)$/.test(u))).toBe(true);
    expect(await pools.capacity({ poolId: id })).toMatchObject({ total: 40, used: 40, free: 0 });
    const rows = await op.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource_inventory WHERE doc->>'category' = 'sip' AND doc->>'value' LIKE 'race-%'`);
    expect(rows.rows[0]!.n).toBe(40);
  }, 60_000);

  it('sip: refuses definitions that do not hold together (422), storing nothing', async () => {
    const before = (await client.get<Pool[]>('/resourcePool')).body.length;
    const sip = (body: Record<string, unknown>) => client.post('/resourcePool', { name: 'x', kind: 'sip', resourceSpecification: spec('rs'), ...body });
    const range = { start: 'bad-0001', end: 'bad-0009' };
    refused(await sip({ range: { start: '0000001', end: '0000009' }, sipDomain: 'voice.example.org' }), 422, 'no prefix');
    refused(await sip({ range: { start: 'sip-0001', end: 'voip-0009' }, sipDomain: 'voice.example.org' }), 422, 'same prefix');
    refused(await sip({ range: { start: 'sip-001', end: 'sip-0009' }, sipDomain: 'voice.example.org' }), 422, 'as many digits');
    refused(await sip({ range: { start: 'sip-0009', end: 'sip-0001' }, sipDomain: 'voice.example.org' }), 422, 'range.end comes before');
    refused(await sip({ range: { start: 'sip-', end: 'sip-9' }, sipDomain: 'voice.example.org' }), 422, 'range.start');
    refused(await sip({ range: { start: 'sip 0001', end: 'sip 0009' }, sipDomain: 'voice.example.org' }), 422, 'range.start');
    refused(await sip({ range: { start: `${'u'.repeat(60)}00001`, end: `${'u'.repeat(60)}00009` }, sipDomain: 'voice.example.org' }), 422, 'at most 64');
    // the limit every kind keeps: 65,536 values a pool
    refused(await sip({ range: { start: 'sip-0000001', end: 'sip-0100000' }, sipDomain: 'voice.example.org' }), 422, 'at most 65536');
    refused(await sip({ range }), 422, 'sipDomain');
    for (const domain of ['', 'localhost', 'voice..example.org', '-voice.example.org', 'voice.example.org.', '192.0.2.1', 'voice_1.example.org', 'sip:voice.example.org', `${'a'.repeat(64)}.example.org`]) {
      refused(await sip({ range, sipDomain: domain }), 422, 'sipDomain');
    }
    refused(await sip({ sipDomain: 'voice.example.org' }), 422, 'range');
    refused(await sip({ range, sipDomain: 'voice.example.org', values: ['a'] }), 422, 'values');
    refused(await sip({ range, sipDomain: 'voice.example.org', exclude: ['bad-0010'] }), 422, 'exclude[0]');
    refused(await client.post('/resourcePool', { name: 'x', kind: 'msisdn', range: { start: '491990000000', end: '491990000001' }, sipDomain: 'voice.example.org', resourceSpecification: spec('rs') }), 422, 'sipDomain');
    refused(await sip({ range, sipDomain: 42 }), 400, 'sipDomain');
    expect((await client.get<Pool[]>('/resourcePool')).body.length).toBe(before);
    const n = await op.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource_pool_item WHERE domain = 'sip@voice.example.org'`);
    expect(n.rows[0]!.n).toBe(0);
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

  it('a refusal in the caller\'s transaction writes nothing and leaves the transaction and the key usable', async () => {
    const p = await pool({ name: 'Short', kind: 'msisdn', range: { start: '491560000000', end: '491560000001' } });
    const a = await op.db.tx(async (tx) => {
      await expect(pools.allocate({ poolId: p.id, count: 3, reservationKey: 'short-1' }, ctx(), tx)).rejects.toMatchObject({ code: 'noCapacity', message: expect.stringMatching(/only 2 free values: 3 asked/) });
      await expect(pools.allocate({ kind: 'msisdn', area: 'nowhere-at-all', resourceSpecificationId: 'rs-none', reservationKey: 'short-1' }, ctx(), tx)).rejects.toMatchObject({ code: 'noCapacity' });
      await expect(pools.allocate({ poolId: 'no-such-pool', reservationKey: 'short-1' }, ctx(), tx)).rejects.toMatchObject({ kind: 'notFound' });
      // the key was not taken by the refused requests: a request that fits uses it
      return pools.allocate({ poolId: p.id, count: 2, reservationKey: 'short-1' }, ctx(), tx);
    });
    expect(a.items.map((i) => i.value)).toEqual(['491560000000', '491560000001']);
    expect((await pools.capacity({ poolId: p.id })).used).toBe(2);
    expect((await pools.allocate({ poolId: p.id, count: 2, reservationKey: 'short-1' }, ctx())).created).toBe(false);
  });

  it('relates what it allocates to the resource it goes with (dependsOn), once, also when a value is handed out again', async () => {
    const p = await pool({ name: 'Related', kind: 'msisdn', range: { start: '491570000000', end: '491570000000' } });
    const on = { id: 'port-1', href: 'http://x/resource/port-1' };
    const rels = (r: Record<string, unknown>) => r['resourceRelationship'];
    const first = await pools.allocate({ poolId: p.id, dependsOn: on }, ctx());
    expect(rels(first.items[0]!.resource)).toEqual([{ relationshipType: 'dependsOn', resource: on }]);
    await pools.release({ reservationKey: first.reservationKey }, ctx());
    const again = await pools.allocate({ poolId: p.id, dependsOn: on }, ctx());
    expect(again.items[0]!.resourceId).toBe(first.items[0]!.resourceId);
    expect(rels(again.items[0]!.resource)).toEqual([{ relationshipType: 'dependsOn', resource: on }]);
  });

  it('allocates several at once in one round trip; one refused leaves none made, the transaction and the keys usable', async () => {
    const ports = await pool({ name: 'Batch ports', kind: 'port', values: ['OLT21/1/1/1', 'OLT21/1/1/2'] });
    const vlans = await pool({ name: 'Batch VLANs', kind: 'vlan', range: { start: '3001', end: '3002' }, accessArea: 'BATCH-AREA' });
    const numbers = await pool({ name: 'Batch numbers', kind: 'msisdn', range: { start: '491580000000', end: '491580000000' } });
    const used = async () => Promise.all([ports, vlans, numbers].map(async (p) => (await pools.capacity({ poolId: p.id })).used));

    // the third cannot be made (one number, two asked): neither the first nor the second is, and the caller goes on
    const after = await op.db.tx(async (tx) => {
      const refusal = await pools.allocateAll([
        { poolId: ports.id, reservationKey: 'batch-port' },
        { poolId: vlans.id, reservationKey: 'batch-vlan', dependsOnRequest: 0 },
        { poolId: numbers.id, count: 2, reservationKey: 'batch-number', dependsOnRequest: 0 },
      ], ctx(), tx).then(() => undefined, (e: unknown) => e);
      expect(refusal).toBeInstanceOf(AllocationRefused);
      expect(refusal).toMatchObject({ request: 2, kind: 'conflict', code: 'noCapacity', message: expect.stringMatching(/only 1 free values: 2 asked/) });
      return tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource_allocation WHERE reservation_key LIKE 'batch-%'`);
    });
    expect(after.rows[0]!.n).toBe(0);
    expect(await used()).toEqual([0, 0, 0]);
    expect((await client.get<Resource[]>('/resource?name=OLT21/1/1/1')).body).toEqual([]);

    // the same keys, a request that fits: one round trip for the three, each after the first on it
    const made = await op.db.tx(async (tx) => {
      const before = tx.roundTrips;
      const all = await pools.allocateAll([
        { poolId: ports.id, reservationKey: 'batch-port' },
        { poolId: vlans.id, reservationKey: 'batch-vlan', dependsOnRequest: 0 },
        { poolId: numbers.id, reservationKey: 'batch-number', dependsOnRequest: 0 },
      ], ctx(), tx);
      expect(tx.roundTrips - before).toBe(1);
      return all;
    });
    expect(made.map((a) => a.items.map((i) => i.value))).toEqual([['OLT21/1/1/1'], ['3001'], ['491580000000']]);
    const port = made[0]!.items[0]!;
    const on = [{ relationshipType: 'dependsOn', resource: { id: port.resourceId, href: `${op.url}/tmf-api/resourceInventoryManagement/v4/resource/${port.resourceId}` } }];
    for (const a of made.slice(1)) expect((await client.get<Resource>(`/resource/${a.items[0]!.resourceId}`)).body['resourceRelationship']).toEqual(on);
    expect(await used()).toEqual([1, 1, 1]);

    // a repeat gives the same values back; a key used for another request refuses the whole call
    const again = await pools.allocateAll([{ poolId: ports.id, reservationKey: 'batch-port' }, { poolId: vlans.id, reservationKey: 'batch-vlan', dependsOnRequest: 0 }], ctx());
    expect(again.map((a) => [a.created, a.items[0]!.resourceId])).toEqual(made.slice(0, 2).map((a) => [false, a.items[0]!.resourceId]));
    await expect(pools.allocateAll([{ poolId: ports.id, reservationKey: 'batch-port-2' }, { poolId: ports.id, count: 2, reservationKey: 'batch-vlan' }], ctx()))
      .rejects.toMatchObject({ request: 1, code: 'reservationKeyInUse' });
    expect(await used()).toEqual([1, 1, 1]);
    await expect(pools.allocateAll([{ poolId: ports.id }, { poolId: ports.id, dependsOnRequest: 1 }], ctx())).rejects.toMatchObject({ kind: 'badRequest', field: 'dependsOnRequest' });
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
