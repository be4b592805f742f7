import { Type } from 'typebox';
import { DateTime, TimePeriod, Uri, extensible } from '../schemas.ts';

/**
 * The blocks a party role is made of (TMF629 Customer, TMF669 PartyRole),
 * rendered from the official definitions: same attribute names, types and
 * required lists. The two APIs spell some blocks differently, which the
 * options below capture; everything else is the same in both.
 */
export interface PartyRoleBlockOptions {
  /** Whom the blocks belong to, for descriptions: 'the customer', 'the party in this role'. */
  holder: string;
  /**
   * TMF629 gives every block `@type`, `@baseType` and `@schemaLocation`; TMF669
   * v4.0 only its references and characteristics, not AccountRef,
   * ContactMedium, MediumCharacteristic or CreditProfile.
   */
  extensibleBlocks: boolean;
  /** TMF669 types the href of AgreementRef, PaymentMethodRef and RelatedParty as a URI; TMF629 as a plain string. */
  uriHrefs: boolean;
  /** TMF669 gives a characteristic an id and relationships to other characteristics. */
  characteristicRelationships: boolean;
}

const S = (description?: string) => Type.String(description ? { description } : {});
const opt = Type.Optional;

export function partyRoleBlocks(o: PartyRoleBlockOptions) {
  const blockExtensible = o.extensibleBlocks ? extensible : {};
  const href = (description: string) => opt(o.uriHrefs ? Uri(description) : S(description));

  const AccountRef = Type.Object(
    {
      id: opt(S('Identifier of the account')),
      href: opt(S('Link to the account')),
      description: opt(S('What the account is for')),
      name: S('Name of the account'),
      ...blockExtensible,
      '@referredType': opt(S('Concrete type of the account (billing, party, settlement, financial…)')),
    },
    { description: `An account of ${o.holder}: a party account or a financial one` },
  );

  /** Reference shape shared by AgreementRef and PaymentMethodRef: `id` is mandatory. */
  const idRef = (description: string, what: string) =>
    Type.Object(
      {
        id: S(`Identifier of the ${what}`),
        href: href(`Link to the ${what}`),
        name: opt(S(`Name of the ${what}`)),
        ...extensible,
        '@referredType': opt(S(`Concrete type of the ${what}, when it needs disambiguating`)),
      },
      { description },
    );

  const CharacteristicRelationship = Type.Object(
    {
      id: opt(S('Identifier of the related characteristic')),
      relationshipType: opt(S('How the two characteristics relate')),
    },
    { description: 'Another characteristic this one relates to' },
  );

  const Characteristic = Type.Object(
    {
      ...(o.characteristicRelationships ? { id: opt(S('Identifier of the characteristic')) } : {}),
      name: S('What the characteristic describes'),
      valueType: opt(S('Data type of the value')),
      ...(o.characteristicRelationships ? { characteristicRelationship: opt(Type.Array(CharacteristicRelationship)) } : {}),
      value: Type.Unknown({ description: 'The value itself, of any JSON type' }),
      ...extensible,
    },
    { description: 'A name/value pair describing one aspect of the entity' },
  );

  const MediumCharacteristic = Type.Object(
    {
      city: opt(S('City')),
      contactType: opt(S('Kind of contact, e.g. mobile, fixed home or office, shipping address')),
      country: opt(S('Country')),
      emailAddress: opt(S('E-mail address')),
      faxNumber: opt(S('Fax number')),
      phoneNumber: opt(S('Phone number')),
      postCode: opt(S('Postal code')),
      socialNetworkId: opt(S('Member identifier on a social network')),
      stateOrProvince: opt(S('State or province')),
      street1: opt(S('Street and number')),
      street2: opt(S('Additional street information')),
      ...blockExtensible,
    },
    { description: 'The coordinates behind a contact medium: address, number, e-mail…' },
  );

  const ContactMedium = Type.Object(
    {
      mediumType: S('Kind of medium: email, phone, postalAddress, fax…'),
      preferred: opt(Type.Boolean({ description: 'True for the medium to use first for this kind' })),
      characteristic: MediumCharacteristic,
      validFor: opt(TimePeriod),
      ...blockExtensible,
    },
    { description: `A way to reach ${o.holder}` },
  );

  const CreditProfile = Type.Object(
    {
      creditProfileDate: DateTime('When the profile was established'),
      creditRiskRating: opt(Type.Integer({ description: 'Risk rating on the scale used by the operator' })),
      creditScore: opt(Type.Integer({ description: 'Creditworthiness score, derived from income, credit history and the like' })),
      validFor: TimePeriod,
      ...blockExtensible,
    },
    { description: `A credit assessment of ${o.holder}; the first of the list is the current one` },
  );

  const RelatedParty = Type.Object(
    {
      id: S('Identifier of the party or party role'),
      href: href('Link to the party or party role'),
      name: opt(S('Name of the party or party role')),
      role: opt(S('Part it plays in the relationship, e.g. account manager, legal representative')),
      ...extensible,
      '@referredType': S('Concrete type: Individual, Organization, PartyRole…'),
    },
    { description: `A party or party role linked to ${o.holder}, with the role it plays` },
  );

  return {
    AccountRef,
    AgreementRef: idRef(`A contract or arrangement binding ${o.holder} (SLA, price agreement…)`, 'agreement'),
    PaymentMethodRef: idRef(`A means of payment used by ${o.holder} (direct debit, card…)`, 'payment method'),
    Characteristic,
    MediumCharacteristic,
    ContactMedium,
    CreditProfile,
    RelatedParty,
  };
}
