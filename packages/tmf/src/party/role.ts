import { badRequest } from '@operon/kernel';
import type { Doc } from '../resource.ts';
import { checkTimePeriod } from '../rules.ts';
import { checkUniqueNames } from './characteristics.ts';
import { checkContactMedia } from './contact-media.ts';
import { checkCreditProfiles } from './credit.ts';
import { checkRelatedParties, type PartyOptions } from './parties.ts';
import { checkRefs } from './references.ts';

/** A role's name tells it apart from the others: given, it must say something. */
export function checkRoleName(doc: Doc): void {
  if (typeof doc['name'] === 'string' && doc['name'].trim() === '') throw badRequest('name must not be blank', 'name');
}

/**
 * Rules on the blocks a party role is made of (TMF629 Customer, TMF669
 * PartyRole): its validity period, contact media, characteristics, account,
 * agreement and payment method references, credit profiles and related parties.
 */
export function checkRoleBlocks(doc: Doc, now: Date, options: PartyOptions = {}): void {
  checkTimePeriod(doc['validFor'], 'validFor');
  checkContactMedia(doc['contactMedium']);
  checkUniqueNames(doc['characteristic'], 'characteristic');
  checkRefs(doc['account'], 'account', 'account');
  checkRefs(doc['agreement'], 'agreement', 'agreement');
  checkRefs(doc['paymentMethod'], 'paymentMethod', 'payment method');
  checkCreditProfiles(doc['creditProfile'], now);
  checkRelatedParties(doc['relatedParty'], options);
}
