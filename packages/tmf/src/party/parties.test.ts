import { describe, expect, it } from 'vitest';
import { ENGAGED_PARTY_TYPES, checkEngagedParty, checkRelatedParties, partyForm } from './parties.ts';

const refused = (field: string) => expect.objectContaining({ status: 422, field });
const BY_VALUE = { byValue: true };

describe('partyForm', () => {
  it('reads a party with an id as a reference, and checks its href', () => {
    expect(partyForm({ id: 'p1', '@referredType': 'Individual' }, 'relatedParty[0]')).toBe('ref');
    expect(partyForm({ id: 'p1' }, 'relatedParty[0]', BY_VALUE)).toBe('ref');
    expect(() => partyForm({ id: 'p1', href: 'https://x/individual/p2' }, 'relatedParty[0]')).toThrow(refused('relatedParty[0].href'));
  });

  it('refuses a blank id in either form', () => {
    expect(() => partyForm({ id: ' ' }, 'engagedParty')).toThrow(refused('engagedParty.id'));
    expect(() => partyForm({ id: '', '@type': 'Organization' }, 'engagedParty', BY_VALUE)).toThrow(refused('engagedParty.id'));
  });

  it('reads a party without id as given by value where the API allows it, if it names its @type', () => {
    expect(partyForm({ '@type': 'Organization', name: 'Fibre Co' }, 'engagedParty', BY_VALUE)).toBe('value');
    expect(() => partyForm({ name: 'Nobody' }, 'engagedParty', BY_VALUE)).toThrow(refused('engagedParty.id'));
    expect(() => partyForm({ '@type': 'Organization' }, 'engagedParty')).toThrow(refused('engagedParty.id'));
  });
});

describe('checkRelatedParties', () => {
  const contact = { id: 'ind-1', '@referredType': 'Individual', role: 'contact' };

  it('accepts the same party in different roles', () => {
    expect(() => checkRelatedParties([contact, { ...contact, role: 'signatory' }, { ...contact, role: undefined }])).not.toThrow();
    expect(() => checkRelatedParties(undefined)).not.toThrow();
  });

  it('refuses the same party twice in the same role', () => {
    expect(() => checkRelatedParties([contact, { ...contact, name: 'Ann' }])).toThrow(refused('relatedParty[1].role'));
    expect(() => checkRelatedParties([contact, contact], { ...BY_VALUE, field: 'party' })).toThrow(refused('party[1].role'));
  });

  it('needs references to be identified and typed when a type is given', () => {
    expect(() => checkRelatedParties([{ id: '  ', '@referredType': 'Individual' }])).toThrow(refused('relatedParty[0].id'));
    expect(() => checkRelatedParties([{ id: 'x', '@referredType': ' ' }])).toThrow(refused('relatedParty[0].@referredType'));
    expect(() => checkRelatedParties([{ id: 'x', href: 'https://x/individual/y', '@referredType': 'Individual' }])).toThrow(refused('relatedParty[0].href'));
  });

  it('takes parties by value only where the API allows it', () => {
    const walkIn = { '@type': 'Individual', name: 'Walk-in contact', role: 'contact' };
    expect(() => checkRelatedParties([walkIn])).toThrow(refused('relatedParty[0].id'));
    // parties given by value have no identity to repeat
    expect(() => checkRelatedParties([walkIn, walkIn], BY_VALUE)).not.toThrow();
  });

  it('checks the details a party carries where the API takes them', () => {
    const badMedium = { contactMedium: [{ mediumType: 'email', characteristic: {} }] };
    const twice = { partyCharacteristic: [{ name: 'a', value: 1 }, { name: 'a', value: 2 }] };
    expect(() => checkRelatedParties([{ '@type': 'Individual', ...badMedium }], BY_VALUE)).toThrow(refused('relatedParty[0].contactMedium[0].characteristic.emailAddress'));
    expect(() => checkRelatedParties([{ id: 'x', ...badMedium }], BY_VALUE)).toThrow(refused('relatedParty[0].contactMedium[0].characteristic.emailAddress'));
    expect(() => checkRelatedParties([{ '@type': 'Organization', ...twice }], BY_VALUE)).toThrow(refused('relatedParty[0].partyCharacteristic[1].name'));
  });
});

describe('checkEngagedParty', () => {
  const as = (engagedParty: unknown) => ({ name: 'Role', engagedParty });
  const customer = { what: 'customer' };
  const role = { ...BY_VALUE, what: 'party role' };

  it('is an individual or an organization', () => {
    expect(ENGAGED_PARTY_TYPES).toEqual(['Individual', 'Organization']);
    for (const t of ENGAGED_PARTY_TYPES) expect(() => checkEngagedParty(as({ id: 'p1', '@referredType': t }), undefined, customer)).not.toThrow();
    expect(() => checkEngagedParty(as({ id: 'p1', '@referredType': 'ProductOffering' }), undefined, customer)).toThrow(refused('engagedParty.@referredType'));
    expect(() => checkEngagedParty(as({ id: 'p1' }), undefined, role)).toThrow(refused('engagedParty.@referredType'));
    expect(() => checkEngagedParty(as({ '@type': 'Organization', name: 'Fibre Co' }), undefined, role)).not.toThrow();
    expect(() => checkEngagedParty(as({ '@type': 'Product' }), undefined, role)).toThrow(refused('engagedParty.@type'));
  });

  it('is identified, by an href that designates it', () => {
    expect(() => checkEngagedParty(as({ id: ' ', '@referredType': 'Individual' }), undefined, customer)).toThrow(refused('engagedParty.id'));
    expect(() => checkEngagedParty(as({ id: 'p1', href: 'https://x/individual/p2', '@referredType': 'Individual' }), undefined, customer)).toThrow(refused('engagedParty.href'));
  });

  it('carries consistent details where the API takes them', () => {
    const party = { '@type': 'Organization', contactMedium: [{ mediumType: 'email', characteristic: {} }] };
    expect(() => checkEngagedParty(as(party), undefined, role)).toThrow(refused('engagedParty.contactMedium[0].characteristic.emailAddress'));
    const twice = { '@type': 'Organization', partyCharacteristic: [{ name: 'a', value: 1 }, { name: 'a', value: 2 }] };
    expect(() => checkEngagedParty(as(twice), undefined, role)).toThrow(refused('engagedParty.partyCharacteristic[1].name'));
  });

  it('stays the same party once set, though its details may change', () => {
    const before = as({ id: 'p1', name: 'Old name', '@referredType': 'Individual' });
    expect(() => checkEngagedParty(as({ id: 'p1', name: 'New name', '@referredType': 'Individual' }), before, customer)).not.toThrow();
    expect(() => checkEngagedParty(as({ id: 'p2', '@referredType': 'Individual' }), before, customer)).toThrow(expect.objectContaining({ status: 422, field: 'engagedParty.id', message: expect.stringContaining('new customer') }));
    expect(() => checkEngagedParty(as({ id: 'p1', '@referredType': 'Organization' }), before, role)).toThrow(refused('engagedParty.id'));
    // a role proposed without its party may be given one, and one given by value may become a reference
    expect(() => checkEngagedParty(as({ id: 'p9', '@referredType': 'Organization' }), { name: 'Role' }, role)).not.toThrow();
    expect(() => checkEngagedParty(as({ id: 'p9', '@referredType': 'Organization' }), as({ '@type': 'Organization' }), role)).not.toThrow();
  });

  it('has nothing to check when there is no engaged party', () => {
    expect(() => checkEngagedParty({ name: 'Role' }, undefined, role)).not.toThrow();
  });
});
