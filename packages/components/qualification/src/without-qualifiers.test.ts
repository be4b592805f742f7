import { describe, expect, it } from 'vitest';
import { customer, installation, poqs, settled, sq, withQualificationOperon, type Check, type Poq, type Query } from './test-api.ts';

// no flow provides the qualifier ports: Operon must say it cannot answer, never invent an answer
withQualificationOperon({});

describe('qualification without qualifiers', () => {
  it('ends every qualification terminatedWithError, naming the missing port', async () => {
    const poq = await poqs.post<Poq>('/productOfferingQualification', {
      instantSyncQualification: true, place: [installation()], productOfferingQualificationItem: [{ id: '1', productOffering: { id: 'po-fibre-1g' } }],
    });
    expect(poq.status).toBe(200);
    expect(poq.body.state).toBe('terminatedWithError');
    expect(poq.body.qualificationResult).toBeUndefined();
    expect(poq.body.terminationError![0]!.value).toContain("'productOfferingQualifier' port");
    expect(poq.body.productOfferingQualificationItem!.map((i) => [i.state, i['qualificationItemResult']])).toEqual([['terminatedWithError', undefined]]);

    const task = await sq.post<Check>('/checkServiceQualification', {
      relatedParty: [customer()], serviceQualificationItem: [{ service: { serviceSpecification: { id: 'ss-voip' }, place: [installation()] } }],
    });
    expect(task.status).toBe(201);
    const check = await settled<Check>(sq, `/checkServiceQualification/${task.body.id}`);
    expect(check.state).toBe('terminatedWithError');
    expect(check.terminationError![0]!.value).toContain("'serviceQualifier' port");
    expect(check.serviceQualificationItem[0]!.state).toBe('terminatedWithError');

    const query = await sq.post<Query>('/queryServiceQualification', { instantSyncQualification: true, searchCriteria: { service: { place: [installation()] } } });
    expect(query.body.state).toBe('terminatedWithError');
    expect(query.body.serviceQualificationItem).toBeUndefined();
  });
});
