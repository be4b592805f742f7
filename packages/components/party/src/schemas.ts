import { Type } from 'typebox';
import {
  AttachmentRefOrValue, Characteristic, ContactMedium, DateTime, ExternalReference, PartyCreditProfile,
  RelatedParty, TaxExemptionCertificate, TimePeriod, entity, ref,
} from '@operon/tmf';

const S = (description?: string) => Type.String(description ? { description } : {});
const opt = Type.Optional;

const LanguageAbility = entity({
  isFavouriteLanguage: opt(Type.Boolean()),
  languageCode: opt(S('Language code (RFC 5646)')),
  languageName: opt(S()),
  listeningProficiency: opt(S()),
  readingProficiency: opt(S()),
  speakingProficiency: opt(S()),
  writingProficiency: opt(S()),
  validFor: opt(TimePeriod),
}, 'A language the individual speaks, and how well');

const Skill = entity({
  comment: opt(S()), evaluatedLevel: opt(S()), skillCode: opt(S()), skillName: opt(S()), validFor: opt(TimePeriod),
}, 'A skill of the individual');

const Disability = entity({ disabilityCode: opt(S()), disabilityName: opt(S()), validFor: opt(TimePeriod) }, 'A disability of the individual');

const Identification = (what: string) => entity({
  identificationId: opt(S('Identifier (passport number, company registration…)')),
  identificationType: opt(S('Type of identification')),
  issuingAuthority: opt(S()),
  issuingDate: opt(DateTime()),
  attachment: opt(AttachmentRefOrValue),
  validFor: opt(TimePeriod),
}, `An official identification of the ${what}`);

const OtherNameIndividual = entity({
  aristocraticTitle: opt(S()), familyName: opt(S()), familyNamePrefix: opt(S()), formattedName: opt(S()), fullName: opt(S()),
  generation: opt(S()), givenName: opt(S()), legalName: opt(S()), middleName: opt(S()), preferredGivenName: opt(S()),
  title: opt(S()), validFor: opt(TimePeriod),
}, 'Another name the individual is known by');

const OtherNameOrganization = entity({
  name: opt(S()), nameType: opt(S()), tradingName: opt(S()), validFor: opt(TimePeriod),
}, 'Another name the organization is known by');

const OrganizationRelationship = (kind: string) => entity({
  relationshipType: opt(S('Type of the relationship, e.g. subsidiary, department')),
  organization: opt(ref(`The ${kind} organization`)),
}, `A ${kind} organization`);

const partyCommon = {
  contactMedium: opt(Type.Array(ContactMedium)),
  creditRating: opt(Type.Array(PartyCreditProfile)),
  externalReference: opt(Type.Array(ExternalReference)),
  partyCharacteristic: opt(Type.Array(Characteristic)),
  relatedParty: opt(Type.Array(RelatedParty)),
  taxExemptionCertificate: opt(Type.Array(TaxExemptionCertificate)),
};

export const Individual = entity({
  aristocraticTitle: opt(S('e.g. Baron, Graf, Earl')),
  birthDate: opt(DateTime('Birth date')),
  countryOfBirth: opt(S()),
  deathDate: opt(DateTime('Date of death')),
  familyName: S('Family name'),
  familyNamePrefix: opt(S()),
  formattedName: opt(S('Full name as it should be displayed')),
  fullName: opt(S()),
  gender: opt(S()),
  generation: opt(S('e.g. Sr, Jr, III')),
  givenName: S('Given (first) name'),
  legalName: opt(S()),
  location: opt(S('Temporary current location, e.g. a city')),
  maritalStatus: opt(S()),
  middleName: opt(S()),
  nationality: opt(S()),
  placeOfBirth: opt(S()),
  preferredGivenName: opt(S()),
  title: opt(S('e.g. Mr, Mrs, Dr')),
  disability: opt(Type.Array(Disability)),
  individualIdentification: opt(Type.Array(Identification('individual'))),
  languageAbility: opt(Type.Array(LanguageAbility)),
  otherName: opt(Type.Array(OtherNameIndividual)),
  skill: opt(Type.Array(Skill)),
  // the official enumeration spells the last state 'deceaded'; responses must validate against it
  status: opt(Type.Union([Type.Literal('initialized'), Type.Literal('validated'), Type.Literal('deceaded')], { description: 'Status of the individual' })),
  ...partyCommon,
}, 'A person: a customer, a contact, an employee');

export const Organization = entity({
  isHeadOffice: opt(Type.Boolean()),
  isLegalEntity: opt(Type.Boolean()),
  name: opt(S('Organization name (department name for example)')),
  nameType: opt(S('Type of the name: Co, Inc, Ltd…')),
  organizationType: opt(S('Type of organization: company, department…')),
  tradingName: S('Name the organization trades under'),
  existsDuring: opt(TimePeriod),
  organizationChildRelationship: opt(Type.Array(OrganizationRelationship('child'))),
  organizationIdentification: opt(Type.Array(Identification('organization'))),
  organizationParentRelationship: opt(OrganizationRelationship('parent')),
  otherName: opt(Type.Array(OtherNameOrganization)),
  status: opt(Type.Union([Type.Literal('initialized'), Type.Literal('validated'), Type.Literal('closed')], { description: 'Status of the organization' })),
  ...partyCommon,
}, 'A company, a department, a partner: any group of people');
