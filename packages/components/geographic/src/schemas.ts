import { Type } from 'typebox';
import { DateTime, Uri, entity, extensible } from '@operon/tmf';

/**
 * TypeBox renderings of TMF673 Geographic Address v4.0.1 and TMF674 Geographic
 * Site v4.0.0, plus one Operon extension: `accessArea`, the code of the access
 * area (exchange, OLT or cabinet area) that serves an address or a site.
 */

const S = (description?: string) => Type.String(description ? { description } : {});
const opt = Type.Optional;

/** Access area codes: letters, digits and `._:/-`, up to 64 characters, e.g. `BER-MITTE-OLT01`. */
export const ACCESS_AREA_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$';

export const AccessArea = Type.String({
  pattern: ACCESS_AREA_PATTERN,
  description:
    'Operon extension: code of the access area (exchange, OLT or street-cabinet area) that serves this place. ' +
    'Qualification checks free network capacity in this area. Letters, digits and ._:/- (at most 64), e.g. BER-MITTE-OLT01. Filter with ?accessArea=…',
});

export const GEO_JSON_TYPES = ['GeoJsonPoint', 'GeoJsonMultiPoint', 'GeoJsonLineString', 'GeoJsonMultiLineString', 'GeoJsonPolygon'] as const;

const GeoJson = Type.Object(
  {
    type: S('GeoJSON geometry type: Point, MultiPoint, LineString, MultiLineString or Polygon'),
    coordinates: Type.Unknown({ description: 'GeoJSON coordinates of the geometry' }),
    ...extensible,
  },
  { description: 'A GeoJSON geometry' },
);

export const GeographicLocationRefOrValue = Type.Object(
  {
    id: opt(S('Unique identifier of the location')),
    href: opt(S('Link to the location')),
    name: opt(S('A user-friendly name for the location')),
    bbox: opt(Type.Array(Type.Number(), { description: 'Bounding box of the geometry, in the axis order of the geometry' })),
    geoJson: opt(GeoJson),
    '@type': Type.Union(GEO_JSON_TYPES.map((t) => Type.Literal(t)), { description: 'Which GeoJSON structure the location uses' }),
    '@baseType': opt(S('When sub-classing, the name of the super-class')),
    '@schemaLocation': opt(Uri('A URI to a JSON-Schema file that defines additional attributes')),
    '@referredType': opt(S('The actual type of the referred location')),
  },
  { description: 'A geographic location (point, line, polygon…), by reference or by value' },
);

export const GeographicSubAddress = entity(
  {
    id: opt(S('Identifier of the sub-address within its address; set by the server when not given')),
    href: opt(S('Link to the sub-address')),
    buildingName: opt(S('Name of a well-known building')),
    levelNumber: opt(S('Level, where a level type repeats, e.g. BASEMENT 1')),
    levelType: opt(S('Type of level within the building')),
    name: opt(S('Meaningful name of the sub-address')),
    privateStreetName: opt(S('Name of a private street inside the property')),
    privateStreetNumber: opt(S('Number on a private street inside the property')),
    subAddressType: opt(S('Kind of sub-address: subunit or private street')),
    subUnitNumber: opt(S('Number of the subunit, e.g. 5 for FLAT 5')),
    subUnitType: opt(S('Type of subunit: FLAT, SUITE, SHOP, UNIT…')),
  },
  'A place within an address: a building, a floor, a flat',
);

/** The attributes of a geographic address (TMF673 GeographicAddress, without id and href). */
export const addressAttributes = {
  city: opt(S('City the address is in')),
  country: opt(S('Country the address is in')),
  locality: opt(S('Locality or suburb')),
  name: opt(S('A user-friendly name for the place, e.g. Main Home')),
  postcode: opt(S('Postal code')),
  stateOrProvince: opt(S('State or province')),
  streetName: opt(S('Name of the street')),
  streetNr: opt(S('Number of the property on the street')),
  streetNrLast: opt(S('Last number of a range of street numbers')),
  streetNrLastSuffix: opt(S('Suffix of the last number of a range')),
  streetNrSuffix: opt(S('Suffix of the street number, e.g. a in 12a')),
  streetSuffix: opt(S('A modifier denoting a relative direction')),
  streetType: opt(S('Type of street: alley, avenue, boulevard…')),
  geographicLocation: opt(GeographicLocationRefOrValue),
  geographicSubAddress: opt(Type.Array(GeographicSubAddress)),
};

export const GeographicAddress = entity(
  { ...addressAttributes, accessArea: opt(AccessArea) },
  'A structured postal address, as the operator knows it in its address referential, with the access area serving it',
);

/** An address given by value inside another resource (validation requests and answers). */
export const GeographicAddressValue = entity(
  { id: opt(S('Identifier of the address')), href: opt(S('Link to the address')), ...addressAttributes, accessArea: opt(AccessArea) },
  'A geographic address given by value',
);

export const TASK_STATES = ['accepted', 'inProgress', 'done', 'terminatedWithError'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const VALIDATION_RESULTS = ['success', 'partial', 'fails'] as const;
export type ValidationResult = (typeof VALIDATION_RESULTS)[number];

export const GeographicAddressValidation = entity(
  {
    provideAlternative: Type.Boolean({ description: 'Whether alternate addresses are wanted when the result is partial or fails' }),
    submittedGeographicAddress: GeographicAddressValue,
    validationDate: opt(DateTime('When the validation was performed; set by the server')),
    validationResult: opt(Type.Union(VALIDATION_RESULTS.map((r) => Type.Literal(r)), {
      description: 'success: the address is known (validGeographicAddress); partial: only near matches (alternateGeographicAddress); fails: unknown. Set by the server',
    })),
    alternateGeographicAddress: opt(Type.Array(GeographicAddressValue, { description: 'Known addresses close to the submitted one; set by the server' })),
    state: opt(Type.Union(TASK_STATES.map((s) => Type.Literal(s)), { description: 'State of the validation task; set by the server' })),
    validGeographicAddress: opt(GeographicAddressValue),
  },
  'A request to check an address against the operator\'s address referential, and its answer',
);

// --- TMF674 ----------------------------------------------------------------------------------

const HourPeriod = entity(
  {
    id: opt(S()),
    href: opt(Uri()),
    endHour: opt(S('Hour the period ends, e.g. 17:00')),
    startHour: opt(S('Hour the period starts, e.g. 08:00')),
  },
  'Hours of a day',
);

const CalendarPeriod = entity(
  {
    id: opt(S()),
    href: opt(Uri()),
    day: opt(S('Day of the week, e.g. monday, or weekdays')),
    status: S('Whether the site is open or closed in this period'),
    timeZone: opt(S('IANA time zone, e.g. Europe/Berlin')),
    hourPeriod: opt(Type.Array(HourPeriod)),
  },
  'When the site is open',
);

const TimePeriod674 = Type.Object(
  {
    id: opt(S()),
    href: opt(Uri()),
    startDateTime: opt(DateTime('Start of the period')),
    endDateTime: opt(DateTime('End of the period')),
    ...extensible,
  },
  { description: 'A period of time' },
);

const PlaceRefOrValue = entity(
  {
    id: opt(S('Identifier of the place, e.g. a geographic address of TMF673')),
    href: opt(S('Link to the place')),
    name: opt(S('Name of the place')),
    '@referredType': opt(S('Kind of place referred to, e.g. GeographicAddress')),
  },
  'A place of the site: a reference to a geographic address, or the address by value (@type GeographicAddress)',
);

const RelatedParty674 = Type.Object(
  {
    id: S('Identifier of the related party'),
    href: opt(Uri('Link to the related party')),
    name: opt(S('Name of the related party')),
    role: opt(S('Role of the party for the site, e.g. owner, contact')),
    '@referredType': S('Kind of party: Individual, Organization, PartyRole…'),
    ...extensible,
  },
  { description: 'A party playing a role for the site' },
);

const GeographicSiteRelationship = entity(
  {
    id: S('Identifier of the related site'),
    href: opt(S('Link to the related site')),
    relationshipType: S('Kind of relationship, e.g. parent, child, adjacent'),
    role: opt(S('Role of the related site')),
    validFor: opt(TimePeriod674),
  },
  'A link to another site',
);

export const GeographicSite = entity(
  {
    code: opt(S('Code identifying the site, e.g. a store or exchange code')),
    description: opt(S('Description of the site')),
    name: opt(S('Name of the site')),
    status: opt(S('Condition of the site, e.g. planned, underConstruction, active, inactive, former')),
    calendar: opt(Type.Array(CalendarPeriod)),
    place: opt(Type.Array(PlaceRefOrValue)),
    relatedParty: opt(Type.Array(RelatedParty674)),
    siteRelationship: opt(Type.Array(GeographicSiteRelationship)),
    accessArea: opt(AccessArea),
  },
  'A site: a building, campus or premises at one or more places, with the access area serving it',
);
