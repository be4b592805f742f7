import { describe, expect, it } from 'vitest';
import { addressKey, compare, levenshtein, normaliseText, streetKey } from './matching.ts';

describe('address normalisation', () => {
  it('folds case, whitespace, punctuation and diacritics', () => {
    expect(normaliseText('  Großer   Stern ')).toBe('grosser stern');
    expect(normaliseText('Champs-Élysées')).toBe('champs elysees');
    expect(normaliseText('Łódź')).toBe('lodz');
    expect(normaliseText('Ærøskøbing')).toBe('aeroskobing');
  });

  it('reads streets the same however they are written', () => {
    const key = streetKey('Hauptstraße');
    for (const s of ['Hauptstr.', 'HAUPTSTRASSE', 'Haupt Straße', 'haupt str']) expect(streetKey(s)).toBe(key);
    expect(streetKey('Main', 'St')).toBe(streetKey('Main Street'));
    expect(streetKey('Main Street', 'street')).toBe(streetKey('Main Street'));
    expect(streetKey(undefined)).toBeUndefined();
  });

  it('keys numbers with their suffixes and ranges', () => {
    expect(addressKey({ streetNr: '12', streetNrSuffix: 'a' }).streetNr).toBe('12a');
    expect(addressKey({ streetNr: '12 A' }).streetNr).toBe('12a');
    expect(addressKey({ streetNr: '12', streetNrLast: '14', streetNrLastSuffix: 'b' }).streetNr).toBe('12-14b');
    expect(addressKey({ postcode: 'SW1A 1AA' }).postcode).toBe('sw1a1aa');
  });

  it('tells exact, near, same-street and unrelated addresses apart', () => {
    const stored = addressKey({ streetName: 'Hauptstraße', streetNr: '7', postcode: '10827', city: 'Berlin', country: 'DE' });
    const cmp = (a: Record<string, unknown>) => compare(addressKey(a), stored).closeness;
    expect(cmp({ streetName: 'hauptstr.', streetNr: '7', city: 'berlin' })).toBe('exact');
    expect(cmp({ streetName: 'Hauptsrasse', streetNr: '7', city: 'Berlin' })).toBe('near');
    expect(cmp({ streetName: 'Hauptstraße', streetNr: '7', city: 'Berlin', country: 'Germany' })).toBe('near');
    expect(cmp({ streetName: 'Hauptstraße', streetNr: '8', city: 'Berlin' })).toBe('sameStreet');
    expect(cmp({ streetName: 'Hauptstraße', streetNr: '7', city: 'Hamburg' })).toBe('none');
    expect(cmp({ streetName: 'Lindenallee', streetNr: '7', city: 'Berlin' })).toBe('none');
    expect(levenshtein('kitten', 'sitting')).toBe(3);
  });
});
