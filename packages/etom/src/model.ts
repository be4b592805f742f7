/** The shapes of the eTOM map as Operon ships it (see data/etom.json). */

export type SystemType = 'BSS' | 'OSS' | 'Shared';
export const SYSTEM_TYPES: readonly SystemType[] = ['BSS', 'OSS', 'Shared'];

/** `seed`: the row is in the seed document; `reconstructed`: filled in from GB921 where the seed was truncated. */
export type Origin = 'seed' | 'reconstructed';

export interface Ref {
  id: string;
  name: string;
}

/** A Level 1 process area: an eTOM domain crossed with a horizontal layer (e.g. Fulfilment × CRM). */
export interface EtomArea {
  id: string;
  /** As the seed names it, e.g. `Fulfilment / CRM`. */
  name: string;
  /** Domain, vertical and layer, e.g. `Operations / Fulfilment / CRM`. */
  path: string;
  domain: 'Operations' | 'Strategy, Infrastructure & Product';
  /** Fulfilment, Assurance or Billing & Revenue for Operations; null in SIP. */
  vertical: string | null;
  /** CRM, SM&O, RM&O, S/PM, or the SIP layer; null for Billing & Revenue, which spans layers. */
  layer: string | null;
  layerName: string | null;
  /** Where the work mostly runs, as the seed's coverage summary puts it. */
  primarySystemDomain: string;
  description: string;
}

/** A Level 2 capability. */
export interface EtomL2 {
  id: string;
  name: string;
  area: Ref;
  description: string;
}

/** How to read an `etomId`: the GB921 number, whether it is exact, and which numbering it uses. */
export interface EtomRef {
  number: string;
  /** False when the id had a leading `~`: the nearest GB921 equivalent, not the same process. */
  exact: boolean;
  numbering: 'classic' | 'v25.5';
  note: string;
}

/** A Level 3 task: the unit components implement and business steps record. */
export interface EtomTask {
  /** Slug of the name: lower case, `&` → `and`, other runs of punctuation → `-`. */
  id: string;
  name: string;
  l2: Ref;
  area: Ref;
  origin: Origin;
  /** GB921 number as the map gives it, markers included (`~`, `v25.5:`); read it with `etomRef`. */
  etomId: string;
  etomRef: EtomRef;
  systemType: SystemType;
  /** Primary owning function. */
  owner: string;
  exampleSystems: readonly string[];
  /** TMF Open API ids that typically serve the task; empty when none fits. */
  tmfApis: readonly string[];
  description: string;
}

/** One TM Forum Open API known to Operon. */
export interface TmfApiInfo {
  id: string;
  title: string;
  /** `guideline` for TMF630, which is design rules rather than an API. */
  kind: 'api' | 'guideline';
  /** Version of the official specification file Operon tests against, or null. */
  officialSpec: string | null;
  description: string;
}
