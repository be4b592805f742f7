/** Queries over the eTOM map: areas, L2 capabilities, L3 tasks, filters and full-text search. */
import { badRequest } from '@operon/kernel';
import { loadEtomData, loadTmfApis } from './data.ts';
import { SYSTEM_TYPES, type EtomArea, type EtomL2, type EtomTask, type Ref, type SystemType, type TmfApiInfo } from './model.ts';
import { slugify } from './slug.ts';
import { distance, nearEnough } from './text.ts';

const data = loadEtomData();
const apiList = loadTmfApis();
const areaById = new Map(data.areas.map((a) => [a.id, a]));
const l2ById = new Map(data.l2.map((c) => [c.id, c]));
const taskById = new Map(data.l3.map((t) => [t.id, t]));
const apiById = new Map(apiList.map((a) => [a.id, a]));

/** What the `~` and `v25.5:` markers of an etomId mean. */
export const etomIdNotation: Readonly<Record<string, string>> = data.notation;

export function areas(): readonly EtomArea[] {
  return data.areas;
}

// ids, names and slugs of names all work, so people can type what they read
function findBy<T extends Ref>(items: readonly T[], byId: ReadonlyMap<string, T>, key: string): T | undefined {
  const direct = byId.get(key);
  if (direct) return direct;
  const k = key.trim().toLowerCase();
  const s = slugify(key);
  return items.find((i) => i.name.toLowerCase() === k || slugify(i.name) === s);
}

/** An area by id (`fulfilment-crm`) or name (`Fulfilment / CRM`). */
export function area(idOrName: string): EtomArea | undefined {
  return findBy(data.areas, areaById, idOrName);
}

export function l2List(filter: { area?: string } = {}): readonly EtomL2[] {
  if (filter.area === undefined) return data.l2;
  const a = requireArea(filter.area);
  return data.l2.filter((c) => c.area.id === a.id);
}

/** An L2 capability by id (`order-handling`) or name (`Order Handling`). */
export function l2(idOrName: string): EtomL2 | undefined {
  return findBy(data.l2, l2ById, idOrName);
}

/** An L3 task by its id; names are accepted too. */
export function task(idOrName: string): EtomTask | undefined {
  return findBy(data.l3, taskById, idOrName);
}

export function allTasks(): readonly EtomTask[] {
  return data.l3;
}

export function isTaskId(id: string): boolean {
  return taskById.has(id);
}

export function tasksOfArea(areaIdOrName: string): EtomTask[] {
  const a = requireArea(areaIdOrName);
  return data.l3.filter((t) => t.area.id === a.id);
}

export function tasksOfL2(l2IdOrName: string): EtomTask[] {
  const c = requireL2(l2IdOrName);
  return data.l3.filter((t) => t.l2.id === c.id);
}

export function tasksBySystemType(type: SystemType): EtomTask[] {
  return data.l3.filter((t) => t.systemType === type);
}

/** Tasks whose owning function contains `owner` (case-insensitive): `Network Operations` finds all NOC variants. */
export function tasksByOwner(owner: string): EtomTask[] {
  const o = owner.trim().toLowerCase();
  return data.l3.filter((t) => t.owner.toLowerCase().includes(o));
}

export function tasksByApi(apiId: string): EtomTask[] {
  const id = apiId.trim().toUpperCase();
  return data.l3.filter((t) => t.tmfApis.includes(id));
}

/** Distinct owning functions, sorted. */
export function owners(): string[] {
  return [...new Set(data.l3.map((t) => t.owner))].sort();
}

export interface TaskFilter {
  area?: string;
  l2?: string;
  systemType?: string;
  owner?: string;
  tmfApi?: string;
  /** Full-text query; when given, results come best match first. */
  q?: string;
}

function requireArea(v: string): EtomArea {
  const a = area(v);
  if (!a) throw badRequest(`unknown area '${v}'; areas are ${data.areas.map((x) => x.id).join(', ')}`, 'area');
  return a;
}

function requireL2(v: string): EtomL2 {
  const c = l2(v);
  if (!c) throw badRequest(`unknown L2 capability '${v}'`, 'l2');
  return c;
}

export function parseSystemType(v: string): SystemType {
  const t = SYSTEM_TYPES.find((s) => s.toLowerCase() === v.trim().toLowerCase());
  if (!t) throw badRequest(`systemType must be one of ${SYSTEM_TYPES.join(', ')}, not '${v}'`, 'systemType');
  return t;
}

/**
 * L3 tasks matching every given filter. Unknown areas, L2s and system types
 * and malformed API ids are errors (400), because they are closed sets: an
 * empty answer would hide a typo. Owner and text queries simply match nothing.
 */
export function tasks(filter: TaskFilter = {}): EtomTask[] {
  let out: EtomTask[] = [...data.l3];
  if (filter.area !== undefined) {
    const a = requireArea(filter.area);
    out = out.filter((t) => t.area.id === a.id);
  }
  if (filter.l2 !== undefined) {
    const c = requireL2(filter.l2);
    out = out.filter((t) => t.l2.id === c.id);
  }
  if (filter.systemType !== undefined) {
    const s = parseSystemType(filter.systemType);
    out = out.filter((t) => t.systemType === s);
  }
  if (filter.owner !== undefined) {
    const o = filter.owner.trim().toLowerCase();
    out = out.filter((t) => t.owner.toLowerCase().includes(o));
  }
  if (filter.tmfApi !== undefined) {
    const id = filter.tmfApi.trim().toUpperCase();
    if (!/^TMF\d{3}$/.test(id)) throw badRequest(`'${filter.tmfApi}' is not a TMF API id (e.g. TMF622)`, 'tmfApi');
    out = out.filter((t) => t.tmfApis.includes(id));
  }
  if (filter.q !== undefined && filter.q.trim() !== '') {
    const hits = search(filter.q);
    const keep = new Set(out.map((t) => t.id));
    out = hits.filter((h) => keep.has(h.task.id)).map((h) => h.task);
  }
  return out;
}

export interface CountRow {
  area: Ref;
  l2: number;
  l3: number;
}

/** L2 and L3 counts per area, in map order (the seed's coverage summary). */
export function countsByArea(): CountRow[] {
  return data.areas.map((a) => ({
    area: { id: a.id, name: a.name },
    l2: data.l2.filter((c) => c.area.id === a.id).length,
    l3: data.l3.filter((t) => t.area.id === a.id).length,
  }));
}

// ---- full-text search --------------------------------------------------------------------

const STOP = new Set(['and', 'the', 'of', 'a', 'an', 'to', 'for', 'in', 'on', 'with', 'by']);

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/&/g, ' and ')
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.replace(/^analys/, 'analyz')); // the map mixes British and American spelling
}

function queryTokens(text: string): string[] {
  const all = tokens(text);
  const meaningful = all.filter((w) => !STOP.has(w));
  // a query term matches any word it begins, so a plural is cut back to match the singular too
  return (meaningful.length ? meaningful : all).map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

interface Indexed {
  task: EtomTask;
  fields: { weight: number; words: string[]; text: string }[];
}

const index: Indexed[] = data.l3.map((t) => {
  const f = (weight: number, text: string) => ({ weight, words: tokens(text), text: tokens(text).join(' ') });
  return {
    task: t,
    fields: [
      f(6, t.name),
      f(3, t.description),
      f(2, t.l2.name),
      f(2, t.area.name),
      f(1, t.owner),
      f(1, t.exampleSystems.join(' ')),
      f(1, t.tmfApis.join(' ')),
      f(1, t.id),
    ],
  };
});

export interface SearchHit {
  task: EtomTask;
  score: number;
}

/**
 * Full-text search over task names and descriptions (and, with less weight,
 * their L2, area, owner, example systems and APIs). Every query word must
 * match the start of some word; name matches and whole phrases rank higher.
 */
export function search(text: string): SearchHit[] {
  const q = queryTokens(text);
  if (q.length === 0) return [];
  const phrase = tokens(text).join(' ');
  const hits: SearchHit[] = [];
  for (const doc of index) {
    let score = 0;
    let all = true;
    for (const term of q) {
      let best = 0;
      for (const field of doc.fields) {
        for (const w of field.words) {
          if (!w.startsWith(term)) continue;
          best = Math.max(best, field.weight * (w === term ? 1.5 : 1));
        }
      }
      if (best === 0) {
        all = false;
        break;
      }
      score += best;
    }
    if (!all) continue;
    if (q.length > 1 || phrase.includes(' ')) {
      if (doc.fields[0]!.text.includes(phrase)) score += 10;
      else if (doc.fields[1]!.text.includes(phrase)) score += 4;
    }
    hits.push({ task: doc.task, score });
  }
  return hits.sort((a, b) => b.score - a.score || a.task.name.localeCompare(b.task.name));
}

/** Tasks someone probably meant by a mistyped id or name: close spellings first, then text matches. */
export function suggestTasks(text: string, max = 5): EtomTask[] {
  const s = slugify(text);
  const near = data.l3
    .map((t) => ({ t, d: distance(s, t.id) }))
    .filter((x) => nearEnough(s, x.d))
    .sort((a, b) => a.d - b.d)
    .map((x) => x.t);
  const found = search(text.replace(/[-_]/g, ' ')).map((h) => h.task);
  return [...new Set([...near, ...found])].slice(0, max);
}

// ---- TMF Open APIs -----------------------------------------------------------------------

/** Every TM Forum Open API id Operon knows: those the map names plus those with an official spec in the test oracle. */
export function tmfApis(): readonly TmfApiInfo[] {
  return apiList;
}

export function tmfApi(id: string): TmfApiInfo | undefined {
  return apiById.get(id.trim().toUpperCase());
}

export function isKnownApi(id: string): boolean {
  return apiById.has(id);
}
