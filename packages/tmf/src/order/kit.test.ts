import { describe, expect, it } from 'vitest';
import { OperonError } from '@operon/kernel';
import { ITEM_DEPENDENCY, checkOrderDocument, itemsOf, orderItemLifecycle, orderLifecycle, readyItems, type OrderKind } from './kit.ts';

const kind: OrderKind = {
  type: 'TestOrder', name: 'testOrder', items: 'item', subItems: 'item', subject: 'thing',
  relatedItems: (i) => (Array.isArray(i['rel']) ? (i['rel'] as Array<{ id: string }>) : []).map((r, n) => ({ id: r.id, field: `rel[${n}].id` })),
  dependsOn: (i) => (Array.isArray(i['rel']) ? (i['rel'] as Array<{ id: string; type: string }>) : []).filter((r) => ITEM_DEPENDENCY.test(r.type)).map((r) => r.id),
  itemStates: ['acknowledged', 'inProgress', 'completed'], itemStateOnCreate: 'server', cancellationAttributes: false, mandatory: ['party'],
};

const failure = (fn: () => void) => {
  try {
    fn();
  } catch (e) {
    return e as OperonError;
  }
  throw new Error('expected a failure');
};

describe('the ordering kit', () => {
  it('lists items depth first with their paths', () => {
    const doc = { item: [{ id: '1', item: [{ id: '1.1' }] }, { id: '2' }] };
    expect(itemsOf(kind, doc).map((i) => [i.path, i.top])).toEqual([['item[0]', true], ['item[0].item[0]', false], ['item[1]', true]]);
  });

  it('checks the order as a document: mandatory attributes, unique ids, relations within the order', () => {
    expect(failure(() => checkOrderDocument(kind, { item: [{ id: '1' }] }))).toMatchObject({ kind: 'badRequest', field: 'party' });
    expect(failure(() => checkOrderDocument(kind, { party: [], item: [{ id: '1' }] }))).toMatchObject({ field: 'party' });
    expect(failure(() => checkOrderDocument(kind, { party: 'p', item: [{ id: '1', item: [{ id: '1' }] }] }))).toMatchObject({ kind: 'unprocessable', field: 'item[0].item[0].id' });
    expect(failure(() => checkOrderDocument(kind, { party: 'p', item: [{ id: '1', rel: [{ id: '9', type: 'dependsOn' }] }] }))).toMatchObject({ field: 'item[0].rel[0].id' });
    expect(failure(() => checkOrderDocument(kind, { party: 'p', item: [{ id: '1', action: 'modify' }] }))).toMatchObject({ field: 'item[0].thing.id' });
    expect(() => checkOrderDocument(kind, { party: 'p', item: [{ id: '1', action: 'modify', thing: { id: 't' } }, { id: '2', rel: [{ id: '1', type: 'x' }] }] })).not.toThrow();
  });

  it('finds the items ready to work on from their dependencies', () => {
    const doc = (s1: string, s2: string) => ({ item: [{ id: '1', state: s1 }, { id: '2', state: s2, rel: [{ id: '1', type: 'reliesOn' }] }, { id: '3', state: 'acknowledged', rel: [{ id: '1', type: 'bundles' }] }] });
    expect(readyItems(kind, doc('inProgress', 'inProgress'))).toEqual(['1', '3']);
    expect(readyItems(kind, doc('completed', 'inProgress'))).toEqual(['2', '3']);
    expect(readyItems(kind, doc('failed', 'inProgress'))).toEqual(['3']);
  });

  it('builds the order and item state machines as transition tables', () => {
    const order = orderLifecycle('TestOrder');
    expect(order.canMove('acknowledged', 'inProgress')).toBe(true);
    expect(order.canMove('completed', 'inProgress')).toBe(false);
    expect(order.canMove('pendingCancellation', 'inProgress')).toBe(false);
    const items = orderItemLifecycle('TestOrderItem', ['acknowledged', 'inProgress', 'completed']);
    expect([...items.states].sort()).toEqual(['acknowledged', 'completed', 'inProgress']);
    expect([...items.next('inProgress')].sort()).toEqual(['completed']);
  });
});
