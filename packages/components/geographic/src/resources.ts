import { clock, conflict, defineLifecycle, newId, unprocessable, type RequestContext } from '@operon/kernel';
import { Tx, type Queryable } from '@operon/store';
import { checkTimePeriods, defineApi, envelope, type ComponentRuntime, type Doc, type ResourceDefinition } from '@operon/tmf';
import { addressKey, compare, houseNumber, type Comparison } from './matching.ts';
import { GeographicAddress, GeographicAddressValidation, GeographicSite, type TaskState, type ValidationResult } from './schemas.ts';

export const TABLES = {
  address: 'geographic_address',
  addressKey: 'geographic_address_key',
  validation: 'geographic_address_validation',
  site: 'geographic_site',
} as const;

export const ADDRESS_BASE_PATH = '/tmf-api/geographicAddressManagement/v4';
export const SITE_BASE_PATH = '/tmf-api/geographicSiteManagement/v4';

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

// --- geographic address ----------------------------------------------------------------------

/** Sub-addresses are served as resources of their own (…/geographicSubAddress/{id}): each needs an id, unique in its address. */
function identifySubAddresses(doc: Doc): void {
  const subs = doc['geographicSubAddress'];
  if (!Array.isArray(subs)) return;
  for (const s of subs) if (isObject(s) && s['id'] === undefined) s['id'] = newId();
}

function checkAddress(doc: Doc): void {
  // an address nobody can place is of no use to qualification or to a technician
  if (str(doc['city']) === undefined && str(doc['postcode']) === undefined) {
    throw unprocessable('an address needs a city or a postcode', 'city');
  }
  const seen = new Set<string>();
  (Array.isArray(doc['geographicSubAddress']) ? doc['geographicSubAddress'] : []).forEach((s, i) => {
    const id = isObject(s) ? str(s['id']) : undefined;
    if (id === undefined) return;
    if (seen.has(id)) throw unprocessable(`sub-address id '${id}' is used twice in this address`, `geographicSubAddress[${i}].id`);
    seen.add(id);
  });
}

/** Keeps the address's matching keys beside it, in the same transaction (see the migration). */
async function writeKey(q: Queryable, doc: Doc): Promise<void> {
  const k = addressKey(doc);
  await q.query(
    `INSERT INTO ${TABLES.addressKey} (address_id, street, street_nr, city, postcode, country) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (address_id) DO UPDATE SET street = $2, street_nr = $3, city = $4, postcode = $5, country = $6`,
    [doc['id'], k.street ?? null, k.streetNr ?? null, k.city ?? null, k.postcode ?? null, k.country ?? null],
  );
}

export const geographicAddress: ResourceDefinition = {
  name: 'geographicAddress',
  type: 'GeographicAddress',
  table: TABLES.address,
  // read at every qualification and order (its access area), changed rarely
  cached: true,
  schema: GeographicAddress,
  indexed: ['accessArea', 'postcode', 'city'],
  // TMF673 serves addresses read-only; Operon maintains its referential through extra routes (routes.ts)
  operations: ['list', 'retrieve'],
  onCreate: (doc) => identifySubAddresses(doc),
  onUpdate: (doc) => identifySubAddresses(doc),
  async validate(doc, _change, _ctx, q) {
    checkAddress(doc);
    await writeKey(q, doc);
  },
  async beforeDelete(doc, _ctx, q) {
    const r = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${TABLES.site} WHERE doc->'place' @> jsonb_build_array(jsonb_build_object('id', $1::text))`,
      [doc['id']],
    );
    const n = r.rows[0]?.n ?? 0;
    if (n > 0) throw conflict(`this address is the place of ${n} geographic site(s); change their place first`);
  },
};

// --- address validation ----------------------------------------------------------------------

export interface AddressMatch {
  result: ValidationResult;
  /** The stored address the submitted one is, when the result is `success`. */
  valid?: Doc;
  /** Stored addresses close to the submitted one, closest first. */
  alternates: Doc[];
}

const MAX_CANDIDATES = 500;
const MAX_ALTERNATES = 10;

/**
 * Looks a submitted address up in the referential: `success` with the stored
 * address when street, number and every given city, postcode and country match
 * once normalised (case, whitespace, diacritics, street abbreviations);
 * `partial` with the near matches (a typo in the street, a wrong postcode or
 * country); `fails` otherwise, with other numbers on the same street as alternates.
 */
export async function matchAddress(q: Queryable, submitted: Doc): Promise<AddressMatch> {
  const key = addressKey(submitted);
  if (key.street === undefined || (key.city === undefined && key.postcode === undefined)) return { result: 'fails', alternates: [] };
  // candidates share the city or postcode and look like the street (same start or end, for typos)
  const r = await q.query<{ doc: Doc }>(
    `SELECT a.doc FROM ${TABLES.addressKey} k JOIN ${TABLES.address} a ON a.id = k.address_id
      WHERE (k.postcode = $1 OR k.city = $2)
        AND (k.street = $3 OR left(k.street, 3) = left($3, 3) OR right(k.street, 4) = right($3, 4))
      ORDER BY a.id LIMIT ${MAX_CANDIDATES}`,
    [key.postcode ?? null, key.city ?? null, key.street],
  );
  const scored = r.rows
    .map((row) => ({ doc: row.doc, c: compare(key, addressKey(row.doc)) }))
    .filter((s): s is { doc: Doc; c: Comparison } => s.c.closeness !== 'none');
  const exact = scored.find((s) => s.c.closeness === 'exact');
  if (exact) return { result: 'success', valid: exact.doc, alternates: [] };
  const near = scored
    .filter((s) => s.c.closeness === 'near')
    .sort((a, b) => a.c.streetDistance - b.c.streetDistance || a.c.placeMismatches - b.c.placeMismatches);
  if (near.length) return { result: 'partial', alternates: near.slice(0, MAX_ALTERNATES).map((s) => s.doc) };
  const wanted = houseNumber(key.streetNr);
  const distance = (d: Doc) => {
    const n = houseNumber(addressKey(d).streetNr);
    return Number.isNaN(n) || Number.isNaN(wanted) ? Infinity : Math.abs(n - wanted);
  };
  const sameStreet = scored
    .filter((s) => s.c.closeness === 'sameStreet')
    .sort((a, b) => a.c.streetDistance - b.c.streetDistance || distance(a.doc) - distance(b.doc));
  return { result: 'fails', alternates: sameStreet.slice(0, MAX_ALTERNATES).map((s) => s.doc) };
}

/** A stored address as it appears inside another resource: with its absolute href. */
function addressValue(ctx: RequestContext, doc: Doc): Doc {
  const { id, ...rest } = doc;
  return { id, href: `${ctx.baseUrl}${ADDRESS_BASE_PATH}/geographicAddress/${encodeURIComponent(String(id))}`, ...rest };
}

export const validationLifecycle = defineLifecycle<TaskState>({
  name: 'GeographicAddressValidation',
  field: 'state',
  initial: 'accepted',
  transitions: {
    accepted: ['inProgress', 'done', 'terminatedWithError'],
    inProgress: ['done', 'terminatedWithError'],
    done: [],
    terminatedWithError: [],
  },
});

export const geographicAddressValidation: ResourceDefinition = {
  name: 'geographicAddressValidation',
  type: 'GeographicAddressValidation',
  table: TABLES.validation,
  schema: GeographicAddressValidation,
  lifecycle: validationLifecycle,
  readOnly: ['validationDate', 'validationResult', 'alternateGeographicAddress', 'validGeographicAddress', 'state'],
  immutable: ['submittedGeographicAddress', 'provideAlternative'],
  operations: ['list', 'retrieve', 'create', 'patch'],
  // the referential is local: the answer is known at once, so the task is created done
  async onCreate(doc, ctx, q) {
    const submitted = doc['submittedGeographicAddress'];
    if (!isObject(submitted)) return; // the schema check that follows says what is wrong
    const m = await matchAddress(q, submitted);
    doc['validationResult'] = m.result;
    doc['validationDate'] = clock.iso();
    doc['state'] = 'done';
    if (m.valid) doc['validGeographicAddress'] = addressValue(ctx, m.valid);
    if (doc['provideAlternative'] === true && m.result !== 'success' && m.alternates.length > 0) {
      doc['alternateGeographicAddress'] = m.alternates.map((a) => addressValue(ctx, a));
    }
  },
};

// --- geographic site -------------------------------------------------------------------------

interface PlaceArea {
  index: number;
  area: string | undefined;
}

/** The access area of each place of a site that is a stored address (by id) or an address by value naming one. */
async function placeAreas(q: Queryable, doc: Doc): Promise<PlaceArea[]> {
  const places = Array.isArray(doc['place']) ? doc['place'] : [];
  const out: PlaceArea[] = [];
  for (const [index, p] of places.entries()) {
    if (!isObject(p)) continue;
    const id = str(p['id']);
    if (id !== undefined) {
      const r = await q.query<{ area: string | null }>(`SELECT doc->>'accessArea' AS area FROM ${TABLES.address} WHERE id = $1`, [id]);
      // an unknown id may be an address of another system (TMF APIs are federated)
      if (r.rows[0]) out.push({ index, area: r.rows[0].area ?? undefined });
      continue;
    }
    if (str(p['accessArea']) !== undefined) {
      out.push({ index, area: str(p['accessArea']) });
    } else if (str(p['streetName']) !== undefined) {
      // an address by value that the referential knows is served where the stored one is
      const m = await matchAddress(q, p);
      if (m.valid) out.push({ index, area: str(m.valid['accessArea']) });
    }
  }
  return out;
}

/**
 * A site served from the area of its address: without an accessArea of its own
 * it takes the one its places agree on; with one, it must be among theirs.
 */
async function deriveAccessArea(doc: Doc, q: Queryable): Promise<void> {
  const areas = (await placeAreas(q, doc)).filter((p): p is { index: number; area: string } => p.area !== undefined);
  const distinct = [...new Set(areas.map((a) => a.area))];
  const given = str(doc['accessArea']);
  if (given === undefined) {
    if (distinct.length === 1) doc['accessArea'] = distinct[0];
    return;
  }
  if (distinct.length > 0 && !distinct.includes(given)) {
    throw unprocessable(`accessArea '${given}' is not the area serving the site's places (${distinct.join(', ')})`, 'accessArea');
  }
}

function checkSite(doc: Doc): void {
  checkTimePeriods(doc['siteRelationship'], 'siteRelationship');
  (Array.isArray(doc['siteRelationship']) ? doc['siteRelationship'] : []).forEach((r, i) => {
    if (isObject(r) && r['id'] === doc['id']) throw unprocessable('a site cannot be related to itself', `siteRelationship[${i}].id`);
  });
}

export const SITE_STATUS_CHANGE_EVENT = 'GeographicSiteStatusChangeEvent';
const geographicSiteApiName = 'geographicSiteManagement';

export const geographicSite: ResourceDefinition = {
  name: 'geographicSite',
  type: 'GeographicSite',
  table: TABLES.site,
  cached: true,
  schema: GeographicSite,
  // a customer's premises are the customer's data
  partyPaths: ['relatedParty.id'],
  indexed: ['accessArea', 'status', 'code'],
  onCreate: (doc, _ctx, q) => deriveAccessArea(doc, q),
  async onUpdate(doc, before, _ctx, q) {
    // a site that moves takes the area of its new place, unless the same change names one
    if (JSON.stringify(doc['place']) !== JSON.stringify(before['place']) && doc['accessArea'] === before['accessArea']) delete doc['accessArea'];
    await deriveAccessArea(doc, q);
  },
  validate(doc, change, ctx, q) {
    checkSite(doc);
    // TMF674 names the state event of a site StatusChange; the kit publishes a status change as an attribute change, so this adds it
    if (change.op === 'update' && change.before?.['status'] !== doc['status'] && q instanceof Tx) {
      const { id, ...rest } = doc;
      const resource = { id, href: `${ctx.baseUrl}${SITE_BASE_PATH}/geographicSite/${encodeURIComponent(String(id))}`, ...rest };
      const payload = envelope({ api: geographicSiteApiName, resourceType: 'GeographicSite', kind: 'StateChange', resource, ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}) });
      q.emit({
        api: geographicSiteApiName, eventType: SITE_STATUS_CHANGE_EVENT, resourceType: 'GeographicSite', resourceId: String(id),
        payload: { ...payload, eventType: SITE_STATUS_CHANGE_EVENT, title: 'GeographicSite status changed', description: `GeographicSite ${String(id)} status changed to ${String(doc['status'])}` },
      });
    }
  },
};

export const geographicAddressApi = defineApi({
  id: 'TMF673',
  name: 'geographicAddressManagement',
  title: 'Geographic Address Management',
  version: '4.0.1',
  basePath: ADDRESS_BASE_PATH,
  resources: [geographicAddress, geographicAddressValidation],
});

export const geographicSiteApi = defineApi({
  id: 'TMF674',
  name: geographicSiteApiName,
  title: 'Geographic Site Management',
  version: '4.0.0',
  basePath: SITE_BASE_PATH,
  resources: [geographicSite],
});

// --- for flows -------------------------------------------------------------------------------

/**
 * The access area serving a place, as qualification needs it: a stored
 * address or site given by id (read through their services, which keep them
 * in memory between reads), or an address given by value that the
 * referential knows exactly. Undefined when the place is unknown or unserved.
 */
export async function accessAreaOf(runtime: Pick<ComponentRuntime, 'services' | 'db'>, place: unknown, q: Queryable = runtime.db): Promise<string | undefined> {
  if (!isObject(place)) return undefined;
  const id = str(place['id']);
  if (id !== undefined) {
    const address = runtime.services.get(geographicAddressApi.name)?.get(geographicAddress.name);
    const site = runtime.services.get(geographicSiteApi.name)?.get(geographicSite.name);
    if (!address || !site) throw new Error('the geographic component is not part of this Operon: add it to the components');
    const doc = (await address.find(id, q)) ?? (await site.find(id, q));
    return str(doc?.['accessArea']);
  }
  const m = await matchAddress(q, place);
  return m.valid ? str(m.valid['accessArea']) : undefined;
}
