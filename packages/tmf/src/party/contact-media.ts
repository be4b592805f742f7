import { unprocessable } from '@operon/kernel';
import { checkTimePeriod } from '../rules.ts';
import { isObject, objects, text } from './values.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// international or national notation: digits with optional +, spaces, dots, dashes and brackets
const PHONE = /^\+?[0-9 ().-]+$/;

export type MediumKind = 'email' | 'phone' | 'fax' | 'postal';

/** The well-known kind a `mediumType` names, whatever its spelling; undefined for others (social, web…). */
export function mediumKind(mediumType: string): MediumKind | undefined {
  const t = mediumType.toLowerCase().replace(/[^a-z]/g, '');
  if (t === 'email' || t === 'emailaddress') return 'email';
  if (['phone', 'telephone', 'telephonenumber', 'phonenumber', 'mobile', 'mobilephone', 'mobilenumber', 'sms'].includes(t)) return 'phone';
  if (t === 'fax' || t === 'faxnumber') return 'fax';
  if (t === 'postaladdress' || t === 'postal' || t === 'address' || t === 'postaddress') return 'postal';
  return undefined;
}

function checkNumber(value: unknown, field: string, what: string): void {
  const v = text(value);
  if (!v) throw unprocessable(`${field}: a ${what} contact medium needs a number`, field);
  if (!PHONE.test(v) || v.replace(/\D/g, '').length < 3) throw unprocessable(`${field}: '${v}' is not a ${what} number`, field);
}

/**
 * Contact media must be usable: an e-mail medium carries a valid address, a
 * phone or fax medium a number, a postal one an address; at most one medium
 * of each kind is preferred; validity periods are well ordered.
 */
export function checkContactMedia(list: unknown, field = 'contactMedium'): void {
  const preferred = new Map<string, number>();
  objects(list).forEach((cm, i) => {
    const at = `${field}[${i}]`;
    const mediumType = text(cm['mediumType']);
    if (!mediumType) throw unprocessable(`${at}.mediumType must not be blank`, `${at}.mediumType`);
    const ch = isObject(cm['characteristic']) ? cm['characteristic'] : {};
    const kind = mediumKind(mediumType);
    if (kind === 'email') {
      const email = text(ch['emailAddress']);
      if (!email) throw unprocessable(`${at}: an email contact medium needs characteristic.emailAddress`, `${at}.characteristic.emailAddress`);
      if (!EMAIL.test(email)) throw unprocessable(`${at}: '${email}' is not an e-mail address`, `${at}.characteristic.emailAddress`);
    } else if (kind === 'phone') {
      checkNumber(ch['phoneNumber'], `${at}.characteristic.phoneNumber`, 'phone');
    } else if (kind === 'fax') {
      checkNumber(ch['faxNumber'], `${at}.characteristic.faxNumber`, 'fax');
    } else if (kind === 'postal') {
      if (!text(ch['street1']) && !text(ch['city']) && !text(ch['postCode'])) {
        throw unprocessable(`${at}: a postal address needs at least street1, city or postCode`, `${at}.characteristic`);
      }
    }
    checkTimePeriod(cm['validFor'], `${at}.validFor`);
    if (cm['preferred'] === true) {
      const key = mediumType.toLowerCase();
      const first = preferred.get(key);
      if (first !== undefined) {
        throw unprocessable(`${at}: ${field}[${first}] is already the preferred '${mediumType}' medium; only one may be preferred per mediumType`, `${at}.preferred`);
      }
      preferred.set(key, i);
    }
  });
}
