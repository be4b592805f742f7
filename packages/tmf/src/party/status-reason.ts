import { unprocessable } from '@operon/kernel';
import type { ChangeInfo, Doc } from '../resource.ts';
import { periodState } from '../rules.ts';
import type { PartyRoleState } from './lifecycle.ts';

/** States that must be explained (TMF629, TMF669: statusReason gives, e.g., the reason for a rejection). */
export const PARTY_ROLE_STATES_NEEDING_REASON: readonly PartyRoleState[] = ['Suspended', 'Rejected', 'Closed'];

/**
 * Rules on entering a status of the party role lifecycle: Suspended, Rejected
 * and Closed need a reason of their own, and Active is reached only within
 * validFor. `what` names the resource in messages ('customer').
 */
export function checkRoleStatus(doc: Doc, change: ChangeInfo, what: string, now: Date): void {
  const status = doc['status'] as PartyRoleState;
  const entered = change.op === 'create' || change.before?.['status'] !== status;
  if (!entered) return;
  if (PARTY_ROLE_STATES_NEEDING_REASON.includes(status)) {
    const reason = typeof doc['statusReason'] === 'string' ? doc['statusReason'].trim() : '';
    if (!reason) throw unprocessable(`statusReason is required to move a ${what} to ${status}`, 'statusReason');
    // the reason left from the previous status explains that status, not this one
    if (change.before && change.before['statusReason'] === doc['statusReason']) {
      throw unprocessable(`statusReason must give the reason for moving to ${status}; the current one explains the previous status`, 'statusReason');
    }
  }
  if (status === 'Active') {
    const when = periodState(doc['validFor'], now);
    if (when !== 'within') {
      throw unprocessable(`a ${what} can only be Active within its validFor period, which ${when === 'before' ? 'has not started' : 'has ended'}`, 'validFor');
    }
  }
}
