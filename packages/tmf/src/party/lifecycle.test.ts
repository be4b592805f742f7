import { describe, expect, it } from 'vitest';
import { PARTY_ROLE_STATES, partyRoleLifecycle } from './lifecycle.ts';

describe('partyRoleLifecycle', () => {
  const lc = partyRoleLifecycle('Customer');

  it('is named after the resource and held in status', () => {
    expect(lc.name).toBe('Customer');
    expect(lc.field).toBe('status');
    expect(lc.initial).toBe('Initialized');
    expect([...lc.states].sort()).toEqual([...PARTY_ROLE_STATES].sort());
  });

  it('goes from prospect to active and closed, with suspension and rejection on the way', () => {
    const path = ['Initialized', 'Validated', 'Approved', 'Active', 'Suspended', 'Active', 'Closed'] as const;
    for (let i = 1; i < path.length; i++) expect(lc.canMove(path[i - 1]!, path[i]!), `${path[i - 1]} → ${path[i]}`).toBe(true);
    expect(lc.next('Initialized')).toEqual(['Validated', 'Rejected']);
    expect(lc.next('Approved')).toEqual(['Active', 'Closed']);
    expect(lc.isTerminal('Rejected')).toBe(true);
    expect(lc.isTerminal('Closed')).toBe(true);
  });

  it('refuses jumps and returns from terminal states', () => {
    expect(() => lc.assertMove('Initialized', 'Active')).toThrow(expect.objectContaining({ status: 422, code: 'forbiddenTransition' }));
    expect(() => lc.assertMove('Closed', 'Active')).toThrow(expect.objectContaining({ status: 422 }));
    expect(() => lc.assertMove('Initialized', 'Dormant')).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('creates in the states a channel may register and deletes what never became or no longer is live', () => {
    for (const s of ['Initialized', 'Validated', 'Approved']) expect(() => lc.assertCreatable(s)).not.toThrow();
    for (const s of ['Active', 'Suspended', 'Rejected', 'Closed']) expect(() => lc.assertCreatable(s)).toThrow(expect.objectContaining({ status: 422 }));
    for (const s of ['Initialized', 'Validated', 'Rejected', 'Closed']) expect(() => lc.assertDeletable(s)).not.toThrow();
    for (const s of ['Approved', 'Active', 'Suspended']) expect(() => lc.assertDeletable(s)).toThrow(expect.objectContaining({ status: 422 }));
  });

  it('is the same table for every party role resource', () => {
    const other = partyRoleLifecycle('PartyRole');
    expect(other.name).toBe('PartyRole');
    expect(other.transitions).toEqual(lc.transitions);
    expect(other.deletable).toEqual(lc.deletable);
  });
});
