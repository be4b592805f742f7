import { defineLifecycle, type Lifecycle } from '@operon/kernel';

export const CATALOG_STATES = ['In study', 'In design', 'In test', 'Active', 'Launched', 'Retired', 'Obsolete', 'Rejected'] as const;
export type CatalogState = (typeof CATALOG_STATES)[number];

/**
 * The lifecycle every catalog entity follows (TMF620/633/634 `lifecycleStatus`):
 * designed and tested, made active, launched for sale, retired from sale, and
 * finally obsolete. Backward moves are allowed only during design; a launched
 * entity can only be retired. Deleting is allowed before launch or once obsolete.
 */
export function catalogLifecycle(name: string): Lifecycle<CatalogState> {
  return defineLifecycle<CatalogState>({
    name,
    field: 'lifecycleStatus',
    initial: 'In design',
    creatable: ['In study', 'In design'],
    transitions: {
      'In study': ['In design', 'Rejected'],
      'In design': ['In test', 'In study', 'Rejected'],
      'In test': ['Active', 'In design', 'Rejected'],
      Active: ['Launched', 'Retired'],
      Launched: ['Retired'],
      Retired: ['Obsolete'],
      Obsolete: [],
      Rejected: [],
    },
    deletable: ['In study', 'In design', 'In test', 'Rejected', 'Obsolete'],
  });
}
