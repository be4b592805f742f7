/**
 * Realistic, reproducible TMF632 individuals: the body a CRM would POST
 * (names, birth date, three contact media, a language), and the document the
 * kit stores for it, so bulk-loaded rows are indistinguishable from rows
 * created through the API. Value spreads are chosen for the list benchmark:
 * ~2,000 family names (≈50 people each at 100k), ~200 cities (≈500 each),
 * half the people `validated`.
 */
import type { RequestContext } from '@operon/kernel';
import { individual } from '@operon/party';
import type { Queryable } from '@operon/store';
import { assertValid, normaliseDates, type Doc } from '@operon/tmf';

/** mulberry32: tiny, fast and good enough to spread test data; seeded so runs load the same rows. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GIVEN = [
  'Aino', 'Ben', 'Chloé', 'Dario', 'Elif', 'Femi', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kaja', 'Luca', 'Maja', 'Nils', 'Olga', 'Pablo',
  'Queenie', 'Rafael', 'Sofia', 'Tomás', 'Ugne', 'Viktor', 'Wiebke', 'Xavier', 'Yara', 'Zoltán', 'Amelia', 'Bruno', 'Clara', 'David',
  'Emma', 'Finn', 'Hanna', 'Ivan', 'Julia', 'Karl', 'Lea', 'Mateo', 'Nora', 'Oskar', 'Paula', 'Rosa', 'Samuel', 'Tilda', 'Vera', 'Wout',
];
const FAMILY_HEAD = [
  'Aal', 'Berg', 'Cor', 'Dahl', 'Eck', 'Fern', 'Gold', 'Hal', 'Is', 'Jung', 'Kor', 'Lind', 'Mar', 'Nord', 'Ost', 'Pel', 'Quar', 'Ros',
  'Sand', 'Thal', 'Ul', 'Van', 'Wald', 'Xan', 'Yr', 'Zell', 'Ash', 'Brun', 'Caster', 'Dorn', 'Elm', 'Falk', 'Grau', 'Hart', 'Ibs', 'Kast',
  'Lorn', 'Moss', 'Nie', 'Orl',
];
const FAMILY_TAIL = [
  'berg', 'strom', 'mann', 'sen', 'ström', 'ova', 'ini', 'elli', 'vik', 'dal', 'ley', 'ford', 'wick', 'ton', 'hof', 'stein', 'quist', 'holm',
  'gaard', 'lund', 'ski', 'escu', 'ides', 'akis', 'oglu', 'enko', 'ec', 'as', 'os', 'ez', 'inen', 'ainen', 'son', 'dottir', 'ard', 'el',
  'ier', 'ot', 'et', 'eau', 'ard', 'ing', 'by', 'rup', 'ham', 'worth', 'stead', 'more', 'well', 'field',
];
const CITY_HEAD = ['North', 'South', 'East', 'West', 'Old', 'New', 'High', 'Low', 'Great', 'Little', 'Upper', 'Lower', 'Port', 'Saint', 'Fort', 'Lake', 'Glen', 'Kings', 'Queens', 'Red'];
const CITY_TAIL = ['bridge', 'field', 'haven', 'ford', 'mouth', 'wood', 'dale', 'minster', 'gate', 'borough'];
const COUNTRY = ['FI', 'DE', 'FR', 'NL', 'ES', 'IT', 'SE', 'PL', 'PT', 'IE'];
const LANGUAGE: Record<string, string> = { FI: 'fi', DE: 'de', FR: 'fr', NL: 'nl', ES: 'es', IT: 'it', SE: 'sv', PL: 'pl', PT: 'pt', IE: 'en' };
const STREET = ['Harbour Road', 'Station Street', 'Mill Lane', 'Church Square', 'Market Place', 'Linden Avenue', 'Park Row', 'Castle Hill'];

export const FAMILY_NAMES: readonly string[] = FAMILY_HEAD.flatMap((h) => FAMILY_TAIL.map((t) => h + t));
export const CITIES: readonly string[] = CITY_HEAD.flatMap((h) => CITY_TAIL.map((t) => h + t));

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/** The body a client POSTs to /individual: person `n` of the stream seeded by `seed`. */
export function individualBody(seed: number, n: number): Doc {
  const r = prng(seed * 1_000_003 + n);
  const given = pick(r, GIVEN);
  const family = pick(r, FAMILY_NAMES);
  const country = pick(r, COUNTRY);
  const city = pick(r, CITIES);
  const year = 1940 + Math.floor(r() * 65);
  const month = 1 + Math.floor(r() * 12);
  const day = 1 + Math.floor(r() * 28);
  const two = (x: number) => String(x).padStart(2, '0');
  const local = `${given}.${family}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
  const body: Doc = {
    givenName: given,
    familyName: family,
    title: pick(r, ['Mr', 'Ms', 'Mx', 'Dr']),
    gender: pick(r, ['female', 'male', 'other']),
    birthDate: `${year}-${two(month)}-${two(day)}T00:00:00Z`,
    nationality: country,
    countryOfBirth: country,
    contactMedium: [
      { mediumType: 'email', preferred: true, characteristic: { contactType: 'home', emailAddress: `${local}.${n}@example.net` } },
      { mediumType: 'phone', preferred: false, characteristic: { contactType: 'mobile', phoneNumber: `+3584${String(Math.floor(r() * 1e8)).padStart(8, '0')}` } },
      {
        mediumType: 'postalAddress',
        preferred: false,
        characteristic: {
          contactType: 'home',
          street1: `${1 + Math.floor(r() * 180)} ${pick(r, STREET)}`,
          city,
          postCode: String(10000 + Math.floor(r() * 89999)),
          country,
        },
        validFor: { startDateTime: `20${two(10 + Math.floor(r() * 15))}-01-01T00:00:00Z` },
      },
    ],
    languageAbility: [{ languageCode: LANGUAGE[country]!, isFavouriteLanguage: true }],
  };
  // half the people are validated, the rest start as 'initialized' (the lifecycle's default)
  if (r() < 0.5) body['status'] = 'validated';
  return body;
}

const noDatabase: Queryable = {
  query() {
    throw new Error('the bulk loader builds documents without a database; onCreate now needs one, so bulk loading must change');
  },
};

/**
 * The document the kit stores for `body` under `id`: the same defaults
 * (@type, @baseType, initial status), the component's onCreate, date
 * normalisation and schema validation. The benchmark checks this against a
 * document created through the API in every run, so drift fails loudly.
 */
export function storedIndividual(body: Doc, id: string): Doc {
  const draft: Doc = { id, ...body };
  draft['@type'] ??= individual.type;
  if (individual.baseType) draft['@baseType'] ??= individual.baseType;
  const lc = individual.lifecycle;
  if (lc) draft[lc.field] ??= lc.initial;
  const ctx: RequestContext = { baseUrl: 'http://bench.invalid', correlationId: 'bench' };
  const created = individual.onCreate?.(draft, ctx, noDatabase);
  if (created instanceof Promise) throw new Error('an asynchronous onCreate cannot be replayed by the bulk loader');
  const doc = normaliseDates(individual.schema, draft) as Doc;
  assertValid(individual.schema, doc, 'bulk individual');
  return doc;
}
