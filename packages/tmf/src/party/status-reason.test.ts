import { describe, expect, it } from 'vitest';
import { PARTY_ROLE_STATES_NEEDING_REASON, checkRoleStatus } from './status-reason.ts';

const refused = (field: string) => expect.objectContaining({ status: 422, field });
const now = new Date('2025-06-01T00:00:00Z');
const created = { op: 'create' as const };
const from = (before: Record<string, unknown>) => ({ op: 'update' as const, before });

describe('checkRoleStatus', () => {
  it('needs a reason to suspend, reject or close', () => {
    expect(PARTY_ROLE_STATES_NEEDING_REASON).toEqual(['Suspended', 'Rejected', 'Closed']);
    for (const status of PARTY_ROLE_STATES_NEEDING_REASON) {
      expect(() => checkRoleStatus({ status }, from({ status: 'Active' }), 'customer', now)).toThrow(refused('statusReason'));
      expect(() => checkRoleStatus({ status, statusReason: '  ' }, from({ status: 'Active' }), 'customer', now)).toThrow(refused('statusReason'));
      expect(() => checkRoleStatus({ status, statusReason: 'Unpaid bills' }, from({ status: 'Active' }), 'customer', now)).not.toThrow();
    }
    expect(() => checkRoleStatus({ status: 'Rejected' }, created, 'party role', now)).toThrow(expect.objectContaining({ message: expect.stringContaining('a party role') }));
  });

  it('needs a reason of its own: the one left explains the previous status', () => {
    const before = { status: 'Suspended', statusReason: 'Unpaid bills' };
    expect(() => checkRoleStatus({ status: 'Closed', statusReason: 'Unpaid bills' }, from(before), 'customer', now)).toThrow(refused('statusReason'));
    expect(() => checkRoleStatus({ status: 'Closed', statusReason: 'Debt written off' }, from(before), 'customer', now)).not.toThrow();
  });

  it('checks only on entering a status', () => {
    const before = { status: 'Suspended', statusReason: 'Unpaid bills' };
    expect(() => checkRoleStatus({ status: 'Suspended', statusReason: 'Unpaid bills', name: 'Renamed' }, from(before), 'customer', now)).not.toThrow();
    expect(() => checkRoleStatus({ status: 'Validated' }, from({ status: 'Initialized' }), 'customer', now)).not.toThrow();
  });

  it('makes a role Active only within its validity period', () => {
    const active = (validFor: unknown) => ({ status: 'Active', validFor });
    expect(() => checkRoleStatus(active({ startDateTime: '2025-07-01T00:00:00Z' }), from({ status: 'Approved' }), 'customer', now))
      .toThrow(expect.objectContaining({ field: 'validFor', message: expect.stringContaining('has not started') }));
    expect(() => checkRoleStatus(active({ endDateTime: '2025-06-01T00:00:00Z' }), from({ status: 'Approved' }), 'customer', now))
      .toThrow(expect.objectContaining({ field: 'validFor', message: expect.stringContaining('has ended') }));
    expect(() => checkRoleStatus(active({ startDateTime: '2025-01-01T00:00:00Z' }), from({ status: 'Suspended' }), 'customer', now)).not.toThrow();
    expect(() => checkRoleStatus(active(undefined), from({ status: 'Approved' }), 'customer', now)).not.toThrow();
    // an active role whose period has since ended is not refused every other change
    expect(() => checkRoleStatus(active({ endDateTime: '2025-01-01T00:00:00Z' }), from({ status: 'Active' }), 'customer', now)).not.toThrow();
  });
});
