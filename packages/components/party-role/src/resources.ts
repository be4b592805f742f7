import { clock, conflict, unprocessable } from '@operon/kernel';
import type { Queryable } from '@operon/store';
import {
  PARTY_ROLE_STATES, checkEngagedParty, checkRoleBlocks, checkRoleName, checkRoleStatus, defineApi, hrefDesignates,
  partyRoleLifecycle as roleLifecycle,
  type ChangeInfo, type Doc, type PartyOptions, type PartyRoleState, type ResourceDefinition,
} from '@operon/tmf';
import { PartyRole } from './schemas.ts';

export { PARTY_ROLE_STATES, type PartyRoleState };

/**
 * A party role (supplier, partner, reseller, employee…) follows the party role
 * lifecycle of the kit, which TMF629 customers follow as well.
 */
export const partyRoleLifecycle = roleLifecycle('PartyRole');

/** States in which the role is played by a known party. */
export const STATES_NEEDING_PARTY: readonly PartyRoleState[] = ['Validated', 'Approved', 'Active', 'Suspended', 'Closed'];
/** States in which the role counts as held: a party holds a given role type at most once at a time. */
export const LIVE_STATES: readonly PartyRoleState[] = ['Initialized', 'Validated', 'Approved', 'Active', 'Suspended'];
/** TMF669 takes parties by reference or by value (RelatedPartyRefOrValue). */
const PARTIES: PartyOptions = { byValue: true };

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

function checkRoleType(doc: Doc, change: ChangeInfo): void {
  const rt = doc['roleType'];
  if (!isObject(rt)) return;
  if (!text(rt['id'])) throw unprocessable('roleType.id must identify the role type', 'roleType.id');
  const href = text(rt['partnershipHref']);
  const pid = text(rt['partnershipId']);
  if (href && pid && !hrefDesignates(href, pid)) {
    throw unprocessable(`roleType.partnershipHref '${href}' does not designate partnership type '${pid}'`, 'roleType.partnershipHref');
  }
  const before = change.before?.['roleType'];
  if (isObject(before) && before['id'] !== rt['id']) {
    // a different role type is a different role, with its own onboarding
    throw unprocessable('roleType cannot designate another role type once the party role exists; create a new party role instead', 'roleType.id');
  }
}

/** From Validated on, a role names the party playing it; that party is checked as for any party role. */
function checkPartyOfRole(doc: Doc, change: ChangeInfo): void {
  const status = doc['status'] as PartyRoleState;
  if (!isObject(doc['engagedParty']) && STATES_NEEDING_PARTY.includes(status)) {
    throw unprocessable(`a party role in status ${status} must name its engagedParty`, 'engagedParty');
  }
  checkEngagedParty(doc, change.before, { ...PARTIES, what: 'party role' });
}

/** A party holds a given role type at most once at a time (no duplicate suppliers, resellers…). */
async function checkSingleLiveRole(doc: Doc, q: Queryable): Promise<void> {
  const partyId = isObject(doc['engagedParty']) ? text(doc['engagedParty']['id']) : undefined;
  const roleTypeId = isObject(doc['roleType']) ? text(doc['roleType']['id']) : undefined;
  if (!partyId || !roleTypeId || !LIVE_STATES.includes(doc['status'] as PartyRoleState)) return;
  // serialises concurrent checks for the same party and role type until the transaction ends
  await q.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [partyId, roleTypeId]);
  const r = await q.query<{ id: string }>(
    `SELECT id FROM party_role
      WHERE (doc->'engagedParty'->>'id') = $1 AND (doc->'roleType'->>'id') = $2
        AND status NOT IN ('Rejected', 'Closed') AND id <> $3
      LIMIT 1`,
    [partyId, roleTypeId, String(doc['id'])],
  );
  const other = r.rows[0];
  if (other) throw conflict(`party ${partyId} already holds role type ${roleTypeId} in party role ${other.id}; close it first`);
}

export const partyRole: ResourceDefinition = {
  name: 'partyRole',
  type: 'PartyRole',
  partyPaths: ['engagedParty.id', 'relatedParty.id'],
  table: 'party_role',
  schema: PartyRole,
  lifecycle: partyRoleLifecycle,
  async validate(doc, change, _ctx, q) {
    const now = clock.now();
    checkRoleName(doc);
    checkRoleType(doc, change);
    checkPartyOfRole(doc, change);
    checkRoleStatus(doc, change, 'party role', now);
    checkRoleBlocks(doc, now, PARTIES);
    await checkSingleLiveRole(doc, q);
  },
};

export const partyRoleApi = defineApi({
  id: 'TMF669',
  name: 'partyRoleManagement',
  title: 'Party Role Management',
  version: '4.0.0',
  basePath: '/tmf-api/partyRoleManagement/v4',
  resources: [partyRole],
});
