import { describe, expect, it } from 'vitest';
import { checkContactMedia, mediumKind } from './contact-media.ts';

const refused = (field: string) => expect.objectContaining({ status: 422, field });
const email = (emailAddress: string, preferred?: boolean) => ({ mediumType: 'email', ...(preferred === undefined ? {} : { preferred }), characteristic: { emailAddress } });
const phone = (phoneNumber: string, preferred?: boolean) => ({ mediumType: 'phone', ...(preferred === undefined ? {} : { preferred }), characteristic: { phoneNumber } });

describe('mediumKind', () => {
  it('reads the well-known kinds whatever their spelling', () => {
    expect(['email', 'Email', 'e-mail', 'emailAddress'].map(mediumKind)).toEqual(['email', 'email', 'email', 'email']);
    expect(['phone', 'telephoneNumber', 'Mobile', 'mobile_phone', 'SMS'].map(mediumKind)).toEqual(['phone', 'phone', 'phone', 'phone', 'phone']);
    expect(['fax', 'faxNumber'].map(mediumKind)).toEqual(['fax', 'fax']);
    expect(['postalAddress', 'postal', 'address', 'post address'].map(mediumKind)).toEqual(['postal', 'postal', 'postal', 'postal']);
    expect(mediumKind('socialNetwork')).toBeUndefined();
  });
});

describe('checkContactMedia', () => {
  it('accepts usable media of every kind, and kinds it does not know as they are', () => {
    expect(() => checkContactMedia([
      email('a@x.example', true), email('b@x.example', false), phone('+44 (20) 7946-0000', true),
      { mediumType: 'fax', characteristic: { faxNumber: '+33.1.23.45.67.89' } },
      { mediumType: 'postalAddress', characteristic: { city: 'Cork' } },
      { mediumType: 'socialNetwork', characteristic: { socialNetworkId: '@x' } },
    ])).not.toThrow();
    expect(() => checkContactMedia(undefined)).not.toThrow();
  });

  it('needs a medium type', () => {
    expect(() => checkContactMedia([{ mediumType: '  ', characteristic: {} }])).toThrow(refused('contactMedium[0].mediumType'));
  });

  it('needs a valid address for e-mail', () => {
    expect(() => checkContactMedia([{ mediumType: 'email', characteristic: {} }])).toThrow(refused('contactMedium[0].characteristic.emailAddress'));
    expect(() => checkContactMedia([{ mediumType: 'email' }])).toThrow(refused('contactMedium[0].characteristic.emailAddress'));
    expect(() => checkContactMedia([email('not-an-address')])).toThrow(refused('contactMedium[0].characteristic.emailAddress'));
  });

  it('needs a number for phone and fax', () => {
    expect(() => checkContactMedia([phone(' ')])).toThrow(refused('contactMedium[0].characteristic.phoneNumber'));
    expect(() => checkContactMedia([phone('call me')])).toThrow(refused('contactMedium[0].characteristic.phoneNumber'));
    expect(() => checkContactMedia([phone('+1')])).toThrow(refused('contactMedium[0].characteristic.phoneNumber'));
    expect(() => checkContactMedia([{ mediumType: 'fax', characteristic: { faxNumber: 'none' } }])).toThrow(refused('contactMedium[0].characteristic.faxNumber'));
  });

  it('needs a street, a city or a post code for a postal address', () => {
    expect(() => checkContactMedia([{ mediumType: 'postalAddress', characteristic: { country: 'FR' } }])).toThrow(refused('contactMedium[0].characteristic'));
    expect(() => checkContactMedia([{ mediumType: 'address', characteristic: { postCode: 'T12' } }])).not.toThrow();
  });

  it('checks the validity period of each medium', () => {
    const backwards = { startDateTime: '2024-02-01T00:00:00Z', endDateTime: '2024-01-01T00:00:00Z' };
    expect(() => checkContactMedia([email('a@x.example'), { ...email('b@x.example'), validFor: backwards }])).toThrow(refused('contactMedium[1].validFor.endDateTime'));
  });

  it('allows one preferred medium per medium type, whatever its case', () => {
    expect(() => checkContactMedia([email('a@x.example', true), email('b@x.example', true)])).toThrow(refused('contactMedium[1].preferred'));
    expect(() => checkContactMedia([email('a@x.example', true), { ...email('b@x.example', true), mediumType: 'EMAIL' }])).toThrow(refused('contactMedium[1].preferred'));
    expect(() => checkContactMedia([email('a@x.example', true), phone('+1 555 0100', true)])).not.toThrow();
  });

  it('names the list it checks', () => {
    expect(() => checkContactMedia([email('x')], 'engagedParty.contactMedium')).toThrow(refused('engagedParty.contactMedium[0].characteristic.emailAddress'));
  });
});
