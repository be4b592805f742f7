import { Type } from 'typebox';
import { Quantity, TimePeriod, Uri, extensible, partyRoleBlocks } from '@operon/tmf';

/**
 * TMF669 v4 `PartyRole_Create` and the blocks it uses, rendered from the
 * official definitions: same attribute names, types (hrefs of references are
 * URIs in this API) and required lists. Blocks that carry no `@type`
 * attributes in the specification carry none here either. The blocks a
 * customer has too come from the kit, in their TMF669 spelling.
 */

const S = (description?: string) => Type.String(description ? { description } : {});
const opt = Type.Optional;

const { AccountRef, AgreementRef, PaymentMethodRef, Characteristic, ContactMedium, CreditProfile, RelatedParty } = partyRoleBlocks({
  holder: 'the party in this role',
  extensibleBlocks: false,
  uriHrefs: true,
  characteristicRelationships: true,
});

const PartyCreditProfile = Type.Object(
  {
    creditAgencyName: opt(S('Agency that gave the rating')),
    creditAgencyType: opt(S('Kind of agency that gave the rating')),
    ratingReference: opt(S('Reference of the rating at the agency')),
    ratingScore: opt(Type.Integer({ description: 'Creditworthiness score given by the agency' })),
    validFor: opt(TimePeriod),
  },
  { description: 'A credit rating of a party by an agency' },
);

const ExternalReference = Type.Object(
  {
    externalReferenceType: opt(S('Kind of external reference, e.g. web site, social identity')),
    name: opt(S('The reference itself')),
  },
  { description: 'How the party is known in another system' },
);

const TaxDefinition = Type.Object(
  {
    id: opt(S('Identifier of the tax')),
    name: opt(S('Name of the tax')),
    taxType: opt(S('Kind of tax')),
    '@referredType': opt(S('Concrete type of the tax definition')),
  },
  { description: 'A tax levied by a jurisdiction, to which an exemption applies' },
);

const AttachmentRefOrValue = Type.Object(
  {
    id: opt(S('Identifier of the attachment')),
    href: opt(Uri('Link to the attachment')),
    attachmentType: opt(S('Kind of attachment: video, picture, document…')),
    content: opt(S('The attachment itself, base64-encoded, when given by value')),
    description: opt(S('What the attachment shows')),
    mimeType: opt(S('Media type of the content')),
    name: opt(S('Name of the attachment')),
    url: opt(Uri('Where the content can be fetched')),
    size: opt(Quantity),
    validFor: opt(TimePeriod),
    ...extensible,
    '@referredType': opt(S('Concrete type of the attachment, when given by reference')),
  },
  { description: 'A document, picture or video, by reference or by value' },
);

const TaxExemptionCertificate = Type.Object(
  {
    id: opt(S('Identifier of the certificate, from the jurisdiction that granted it')),
    attachment: opt(AttachmentRefOrValue),
    taxDefinition: opt(Type.Array(TaxDefinition)),
    validFor: opt(TimePeriod),
  },
  { description: 'Proof that a party is exempted from some taxes' },
);

const RelatedPartyRefOrValue = Type.Object(
  {
    id: opt(S('Identifier of the party, when given by reference')),
    href: opt(Uri('Link to the party')),
    name: opt(S('Name of the party')),
    role: opt(S('Part the party plays')),
    contactMedium: opt(Type.Array(ContactMedium)),
    creditRating: opt(Type.Array(PartyCreditProfile)),
    externalReference: opt(Type.Array(ExternalReference)),
    partyCharacteristic: opt(Type.Array(Characteristic)),
    relatedParty: opt(Type.Array(RelatedParty)),
    taxExemptionCertificate: opt(Type.Array(TaxExemptionCertificate)),
    ...extensible,
    '@referredType': opt(S('Concrete type of the party when given by reference: Individual, Organization')),
  },
  { description: 'A party, by reference (id, @referredType) or by value (@type and its attributes)' },
);

const RoleTypeRef = Type.Object(
  {
    // the specification requires `id` without listing it among the properties; it is the role type's identifier
    id: S('Identifier of the role type'),
    name: opt(S('Name of the role type, unique within its partnership type')),
    partnershipHref: opt(S('Link to the partnership type that defines the role type')),
    partnershipId: opt(S('Identifier of the partnership type that defines the role type')),
    partnershipName: opt(S('Name of the partnership type that defines the role type')),
    '@referredType': opt(S('Concrete type of the role type')),
  },
  { description: 'The kind of role, as defined by a partnership type (e.g. Supplier, Reseller, Employee)' },
);

export const PartyRole = Type.Object(
  {
    name: S('Name by which the party role is known and told apart from other party roles'),
    status: opt(S('Where the party role stands in its lifecycle')),
    statusReason: opt(S('Why the party role is in its current status, e.g. the reason for a rejection or suspension')),
    account: opt(Type.Array(AccountRef, { description: 'Accounts held in this role' })),
    agreement: opt(Type.Array(AgreementRef, { description: 'Agreements binding the party in this role' })),
    characteristic: opt(Type.Array(Characteristic, { description: 'Further characteristics of the party role' })),
    contactMedium: opt(Type.Array(ContactMedium, { description: 'Ways to reach the party in this role' })),
    creditProfile: opt(Type.Array(CreditProfile, { description: 'Credit assessments, current first' })),
    engagedParty: opt(RelatedPartyRefOrValue),
    paymentMethod: opt(Type.Array(PaymentMethodRef, { description: 'Means of payment used in this role' })),
    relatedParty: opt(Type.Array(RelatedPartyRefOrValue, { description: 'Other parties involved with the party role' })),
    roleType: RoleTypeRef,
    validFor: opt(TimePeriod),
    // TMF630 makes every resource extensible, and the kit stamps `@type`; the v4.0 file omits these three
    ...extensible,
  },
  { description: 'The part played by a party in a given context: supplier, partner, reseller, employee…' },
);
