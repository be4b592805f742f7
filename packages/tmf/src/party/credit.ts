import { unprocessable } from '@operon/kernel';
import { checkTimePeriod } from '../rules.ts';
import { objects } from './values.ts';

/**
 * Credit profiles (TMF629/TMF669 CreditProfile): scores are non-negative, a
 * profile cannot have been established after `now`, and its validity period
 * is well ordered.
 */
export function checkCreditProfiles(list: unknown, now: Date, field = 'creditProfile'): void {
  objects(list).forEach((cp, i) => {
    const at = `${field}[${i}]`;
    for (const k of ['creditScore', 'creditRiskRating']) {
      const v = cp[k];
      if (typeof v === 'number' && v < 0) throw unprocessable(`${at}.${k} must not be negative`, `${at}.${k}`);
    }
    const date = typeof cp['creditProfileDate'] === 'string' ? Date.parse(cp['creditProfileDate']) : NaN;
    if (!Number.isNaN(date) && date > now.getTime()) {
      throw unprocessable(`${at}.creditProfileDate is in the future; a profile is dated when it was established`, `${at}.creditProfileDate`);
    }
    checkTimePeriod(cp['validFor'], `${at}.validFor`);
  });
}
