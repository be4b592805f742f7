import { unprocessable } from '@operon/kernel';
import { objects, text, type Doc } from './values.ts';

/** The identifier an href ends with, if the href can be read. */
function hrefId(href: string): string | undefined {
  let path = href;
  try {
    path = new URL(href, 'http://relative.invalid').pathname;
  } catch {
    return undefined;
  }
  const last = path.replace(/\/+$/, '').split('/').pop();
  if (!last) return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** Whether an href (absolute or relative, percent-encoded or not) ends with the id it should designate. */
export function hrefDesignates(href: string, id: string): boolean {
  return hrefId(href) === id;
}

/** An href given beside an id must designate the same entity. */
export function checkHref(ref: Doc, at: string): void {
  const href = text(ref['href']);
  const id = text(ref['id']);
  if (!href || !id) return;
  if (!hrefDesignates(href, id)) throw unprocessable(`${at}: href '${href}' does not designate id '${id}'`, `${at}.href`);
}

/**
 * References must identify what they point at: a non-blank id, an href (when
 * given) that ends with that id, and no entity referenced twice in the list.
 * `what` names the entity in messages, e.g. 'payment method'.
 */
export function checkRefs(list: unknown, field: string, what: string): void {
  const seen = new Map<string, number>();
  objects(list).forEach((r, i) => {
    const at = `${field}[${i}]`;
    const id = text(r['id']);
    if (!id) throw unprocessable(`${at}: a ${what} reference needs the id of the ${what}`, `${at}.id`);
    checkHref(r, at);
    const first = seen.get(id);
    if (first !== undefined) throw unprocessable(`${at}: ${what} ${id} is already referenced by ${field}[${first}]`, `${at}.id`);
    seen.set(id, i);
  });
}
