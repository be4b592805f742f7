import { unprocessable } from '@operon/kernel';
import { objects } from './values.ts';

/** Characteristic names identify them: none may be blank, no two may share a name. */
export function checkUniqueNames(list: unknown, field: string): void {
  const seen = new Map<string, number>();
  objects(list).forEach((c, i) => {
    const name = String(c['name'] ?? '');
    if (!name.trim()) throw unprocessable(`${field}[${i}].name must not be blank`, `${field}[${i}].name`);
    const first = seen.get(name);
    if (first !== undefined) throw unprocessable(`${field}[${i}]: '${name}' is already given by ${field}[${first}]; names must be unique`, `${field}[${i}].name`);
    seen.set(name, i);
  });
}
