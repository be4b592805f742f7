/**
 * Address matching: the normalised keys an address is compared by, and how
 * close a stored address is to a submitted one. Pure functions; the store
 * keeps each address's keys (geographic_address_key) to find candidates.
 */

type Doc = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

// letters NFD does not decompose into a base letter and a mark
const FOLDS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** Lower case, without diacritics, punctuation as spaces, whitespace collapsed. */
export function normaliseText(value: string): string {
  return value
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[ßæœøłđðþı]/g, (c) => FOLDS[c] ?? c)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

// common street-type abbreviations, so that Hauptstr. matches Hauptstraße and Main St matches Main Street
const STREET_WORDS: Record<string, string> = {
  str: 'strasse', ave: 'avenue', av: 'avenue', blvd: 'boulevard', bd: 'boulevard', rd: 'road', st: 'street',
  ln: 'lane', dr: 'drive', pl: 'place', sq: 'square', ct: 'court', hwy: 'highway',
};

/** The street as one token: words expanded, in a fixed order, without spaces (`Haupt Str.` = `Hauptstraße`). */
export function streetKey(streetName: unknown, streetType?: unknown, streetSuffix?: unknown): string | undefined {
  const parts = [streetName, streetType, streetSuffix].map(str).filter((p): p is string => p !== undefined);
  if (parts.length === 0) return undefined;
  const words = normaliseText(parts.join(' '))
    .split(' ')
    .filter(Boolean)
    .map((w) => STREET_WORDS[w] ?? w.replace(/str$/, 'strasse'));
  // "street" given both in the name and as its type counts once
  const unique = [...new Set(words)].sort();
  return unique.length ? unique.join('') : undefined;
}

/** `12`, `a` → `12a`; a range adds `-14b`. */
export function numberKey(address: Doc): string | undefined {
  const first = [address['streetNr'], address['streetNrSuffix']].map(str).filter(Boolean).join('');
  if (!first) return undefined;
  const last = [address['streetNrLast'], address['streetNrLastSuffix']].map(str).filter(Boolean).join('');
  const part = (v: string) => normaliseText(v).replace(/ /g, '');
  const key = last ? `${part(first)}-${part(last)}` : part(first);
  return key || undefined;
}

const compact = (v: unknown): string | undefined => {
  const s = str(v);
  if (s === undefined) return undefined;
  return normaliseText(s).replace(/ /g, '') || undefined;
};

export interface AddressKey {
  street: string | undefined;
  streetNr: string | undefined;
  city: string | undefined;
  postcode: string | undefined;
  country: string | undefined;
}

export function addressKey(address: Doc): AddressKey {
  return {
    street: streetKey(address['streetName'], address['streetType'], address['streetSuffix']),
    streetNr: numberKey(address),
    city: compact(address['city']),
    postcode: compact(address['postcode']),
    country: compact(address['country']),
  };
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Typos tolerated in a street name: one in a short name, up to three in a long one. */
function streetTolerance(key: string): number {
  return key.length <= 6 ? 1 : key.length <= 12 ? 2 : 3;
}

export type Closeness =
  /** Same street, number and every place attribute given. */
  | 'exact'
  /** Same number on the same or a near-identical street, in the same city or postcode, but something differs. */
  | 'near'
  /** Same or near-identical street, in the same city or postcode, another number. */
  | 'sameStreet'
  | 'none';

export interface Comparison {
  closeness: Closeness;
  /** Edits between the street names (0: identical). */
  streetDistance: number;
  /** How many of city, postcode and country differ. */
  placeMismatches: number;
}

export function compare(submitted: AddressKey, stored: AddressKey): Comparison {
  const none: Comparison = { closeness: 'none', streetDistance: Infinity, placeMismatches: 3 };
  if (!submitted.street || !stored.street) return none;
  const streetDistance = levenshtein(submitted.street, stored.street);
  if (streetDistance > streetTolerance(submitted.street)) return none;
  const same = (k: 'city' | 'postcode' | 'country') => submitted[k] !== undefined && submitted[k] === stored[k];
  const differs = (k: 'city' | 'postcode' | 'country') => submitted[k] !== undefined && submitted[k] !== stored[k];
  // the street must be the one in the submitted city or postcode: same-named streets abound
  if (!same('city') && !same('postcode')) return none;
  const placeMismatches = (['city', 'postcode', 'country'] as const).filter(differs).length;
  const sameNumber = submitted.streetNr !== undefined && submitted.streetNr === stored.streetNr;
  if (!sameNumber) return { closeness: 'sameStreet', streetDistance, placeMismatches };
  return { closeness: streetDistance === 0 && placeMismatches === 0 ? 'exact' : 'near', streetDistance, placeMismatches };
}

/** The numeric part of a street number, for ordering alternatives by distance along the street. */
export function houseNumber(key: string | undefined): number {
  const m = key ? /^\d+/.exec(key) : null;
  return m ? Number(m[0]) : Number.NaN;
}
