import { unprocessable } from '@operon/kernel';
import { checkUniqueNames } from './characteristics.ts';
import { checkContactMedia } from './contact-media.ts';
import { checkHref } from './references.ts';
import { isObject, objects, text, type Doc } from './values.ts';

/**
 * How an API lets a party be given: TMF629 and TMF666 take a RelatedParty, a
 * reference only; TMF669 takes a RelatedPartyRefOrValue, where a party without
 * id is given by value, with its class in `@type` and its own details.
 */
export interface PartyOptions {
  byValue?: boolean;
}

/**
 * A party given by reference carries a non-blank id, and an href (when given)
 * that designates it; where the API takes parties by value, one without id
 * names its class in `@type`. Returns which form the party is in.
 */
export function partyForm(p: Doc, at: string, options: PartyOptions = {}): 'ref' | 'value' {
  if (text(p['id'])) {
    checkHref(p, at);
    return 'ref';
  }
  if (!options.byValue || p['id'] !== undefined) throw unprocessable(`${at}.id must not be blank`, `${at}.id`);
  if (!text(p['@type'])) throw unprocessable(`${at}: a party is given either by reference (id) or by value (@type and its attributes)`, `${at}.id`);
  return 'value';
}

/** The details a RelatedPartyRefOrValue may carry must be consistent wherever the party appears. */
function checkPartyDetails(p: Doc, at: string): void {
  checkContactMedia(p['contactMedium'], `${at}.contactMedium`);
  checkUniqueNames(p['partyCharacteristic'], `${at}.partyCharacteristic`);
}

/** Related parties are identified, and the same party appears several times only in different roles. */
export function checkRelatedParties(list: unknown, options: PartyOptions & { field?: string } = {}): void {
  const field = options.field ?? 'relatedParty';
  const seen = new Map<string, number>();
  objects(list).forEach((p, i) => {
    const at = `${field}[${i}]`;
    const form = partyForm(p, at, options);
    if (options.byValue) checkPartyDetails(p, at);
    if (p['@referredType'] !== undefined && !text(p['@referredType'])) throw unprocessable(`${at}.@referredType must not be blank`, `${at}.@referredType`);
    // a party given by value has no identity that could be listed twice
    if (form === 'value') return;
    const key = `${String(p['id'])}\u0000${String(p['role'] ?? '')}`;
    const first = seen.get(key);
    if (first !== undefined) throw unprocessable(`${at}: party ${String(p['id'])} already appears in ${field}[${first}] with the same role`, `${at}.role`);
    seen.set(key, i);
  });
}

/** TMF629 and TMF669: the party engaged in a role is "an organization or an individual". */
export const ENGAGED_PARTY_TYPES = ['Individual', 'Organization'] as const;

/**
 * The party that plays a role (a Customer, a PartyRole) is an individual or an
 * organization, and stays the same once set: a role played by another party is
 * another role. `what` names the role resource in messages ('customer').
 */
export function checkEngagedParty(doc: Doc, before: Doc | undefined, options: PartyOptions & { what: string }): void {
  const ep = doc['engagedParty'];
  if (!isObject(ep)) return;
  const form = partyForm(ep, 'engagedParty', options);
  const kindField = form === 'ref' ? 'engagedParty.@referredType' : 'engagedParty.@type';
  const kind = form === 'ref' ? ep['@referredType'] : ep['@type'];
  if (!ENGAGED_PARTY_TYPES.some((t) => t === kind)) {
    throw unprocessable(`${kindField} must be ${ENGAGED_PARTY_TYPES.join(' or ')}, not '${String(kind)}'`, kindField);
  }
  if (options.byValue) checkPartyDetails(ep, 'engagedParty');
  const was = before?.['engagedParty'];
  if (isObject(was) && text(was['id']) && (was['id'] !== ep['id'] || was['@referredType'] !== ep['@referredType'])) {
    throw unprocessable(`engagedParty cannot designate another party once set; create a new ${options.what} instead`, 'engagedParty.id');
  }
}
