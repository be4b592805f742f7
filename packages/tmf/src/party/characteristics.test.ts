import { describe, expect, it } from 'vitest';
import { checkUniqueNames } from './characteristics.ts';

const refused = (field: string) => expect.objectContaining({ status: 422, field });

describe('checkUniqueNames', () => {
  it('accepts characteristics with distinct names', () => {
    expect(() => checkUniqueNames([{ name: 'segment', value: 'gold' }, { name: 'Segment', value: 1 }], 'characteristic')).not.toThrow();
    expect(() => checkUniqueNames(undefined, 'characteristic')).not.toThrow();
  });

  it('refuses blank names', () => {
    expect(() => checkUniqueNames([{ name: 'a' }, { name: ' ' }], 'characteristic')).toThrow(refused('characteristic[1].name'));
    expect(() => checkUniqueNames([{ value: 1 }], 'partyCharacteristic')).toThrow(refused('partyCharacteristic[0].name'));
  });

  it('refuses a name given twice, naming the second', () => {
    expect(() => checkUniqueNames([{ name: 'a' }, { name: 'b' }, { name: 'a' }], 'characteristic')).toThrow(refused('characteristic[2].name'));
  });
});
