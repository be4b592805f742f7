/**
 * The id of a task is the slug of its name: lower case, `&` → `and`, runs of
 * anything else that is not a letter or digit → `-`, trimmed of dashes.
 * `&` is read as a word (` and `) so that `SM&O` gives `sm-and-o` rather than
 * `smando`; for every L3 name this equals the plain rule.
 */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
