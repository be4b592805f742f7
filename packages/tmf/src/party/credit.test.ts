import { describe, expect, it } from 'vitest';
import { checkCreditProfiles } from './credit.ts';

const refused = (field: string) => expect.objectContaining({ status: 422, field });
const now = new Date('2025-06-01T00:00:00Z');
const profile = (extra: Record<string, unknown> = {}) => ({
  creditProfileDate: '2025-01-01T00:00:00Z', creditScore: 720, creditRiskRating: 2, validFor: { startDateTime: '2025-01-01T00:00:00Z' }, ...extra,
});

describe('checkCreditProfiles', () => {
  it('accepts profiles established up to now', () => {
    expect(() => checkCreditProfiles([profile(), profile({ creditProfileDate: now.toISOString(), creditScore: 0 })], now)).not.toThrow();
    expect(() => checkCreditProfiles(undefined, now)).not.toThrow();
  });

  it('refuses negative scores and ratings', () => {
    expect(() => checkCreditProfiles([profile({ creditScore: -1 })], now)).toThrow(refused('creditProfile[0].creditScore'));
    expect(() => checkCreditProfiles([profile(), profile({ creditRiskRating: -3 })], now)).toThrow(refused('creditProfile[1].creditRiskRating'));
  });

  it('refuses a profile dated after now', () => {
    expect(() => checkCreditProfiles([profile({ creditProfileDate: '2025-06-01T00:00:01Z' })], now)).toThrow(refused('creditProfile[0].creditProfileDate'));
  });

  it('checks the validity period, under the list name given', () => {
    const validFor = { startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2025-01-01T00:00:00Z' };
    expect(() => checkCreditProfiles([profile({ validFor })], now, 'rating')).toThrow(refused('rating[0].validFor.endDateTime'));
  });
});
