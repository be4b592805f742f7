import { describe, expect, it } from 'vitest';
import { checkHref, checkRefs, hrefDesignates } from './references.ts';

const refused = (field: string) => expect.objectContaining({ status: 422, field });

describe('hrefDesignates', () => {
  it('reads the id an href ends with, ignoring query, fragment and trailing slash', () => {
    expect(hrefDesignates('https://x/tmf-api/partnershipManagement/v4/partnershipType/pt-1', 'pt-1')).toBe(true);
    expect(hrefDesignates('https://x/partnershipType/pt-1/?fields=name#top', 'pt-1')).toBe(true);
    expect(hrefDesignates('partnershipType/pt%2F1', 'pt/1')).toBe(true);
    expect(hrefDesignates('https://x/partnershipType/pt-2', 'pt-1')).toBe(false);
    expect(hrefDesignates('https://x/', 'pt-1')).toBe(false);
  });
});

describe('checkHref', () => {
  it('accepts an href that ends with the id, absolute or relative, encoded or with a trailing slash', () => {
    for (const href of ['https://x/tmf-api/party/v4/individual/p1', '/individual/p1', 'individual/p1/', 'p1']) {
      expect(() => checkHref({ id: 'p1', href }, 'engagedParty')).not.toThrow();
    }
    expect(() => checkHref({ id: 'a b', href: 'https://x/individual/a%20b' }, 'engagedParty')).not.toThrow();
  });

  it('refuses an href that designates another entity', () => {
    expect(() => checkHref({ id: 'p1', href: 'https://x/individual/p2' }, 'relatedParty[3]')).toThrow(refused('relatedParty[3].href'));
    expect(() => checkHref({ id: 'p1', href: 'https://x/' }, 'engagedParty')).toThrow(refused('engagedParty.href'));
  });

  it('has nothing to compare without both an id and an href', () => {
    expect(() => checkHref({ id: 'p1' }, 'x')).not.toThrow();
    expect(() => checkHref({ href: 'https://x/p2' }, 'x')).not.toThrow();
  });
});

describe('checkRefs', () => {
  it('accepts identified references, each once', () => {
    expect(() => checkRefs([{ id: 'a', href: 'https://x/agreement/a' }, { id: 'b' }], 'agreement', 'agreement')).not.toThrow();
    expect(() => checkRefs(undefined, 'agreement', 'agreement')).not.toThrow();
  });

  it('needs the id of what is referenced', () => {
    expect(() => checkRefs([{ name: 'Billing' }], 'account', 'account')).toThrow(refused('account[0].id'));
    expect(() => checkRefs([{ id: '  ' }], 'account', 'account')).toThrow(refused('account[0].id'));
  });

  it('refuses an href that does not designate the id, and an entity referenced twice', () => {
    expect(() => checkRefs([{ id: 'pm-1', href: 'https://x/paymentMethod/pm-2' }], 'paymentMethod', 'payment method')).toThrow(refused('paymentMethod[0].href'));
    expect(() => checkRefs([{ id: 'pm-1' }, { id: ' pm-1 ' }], 'paymentMethod', 'payment method')).toThrow(refused('paymentMethod[1].id'));
  });
});
