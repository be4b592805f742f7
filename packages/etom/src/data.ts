/**
 * Loads the shipped data files once and checks them: the JSON is edited by
 * hand, so a typo must fail loudly at start-up rather than surface as a
 * missing task later.
 */
import fs from 'node:fs';
import type { EtomArea, EtomL2, EtomRef, EtomTask, Origin, SystemType, TmfApiInfo } from './model.ts';
import { SYSTEM_TYPES } from './model.ts';
import { slugify } from './slug.ts';

type Json = Record<string, unknown>;

function readJson(file: string): Json {
  const url = new URL(`../data/${file}`, import.meta.url);
  const v: unknown = JSON.parse(fs.readFileSync(url, 'utf8'));
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${file}: expected an object`);
  return v as Json;
}

function str(o: Json, k: string, where: string): string {
  const v = o[k];
  if (typeof v !== 'string' || !v.trim()) throw new Error(`${where}: '${k}' must be a non-empty string`);
  return v;
}

function strOrNull(o: Json, k: string, where: string): string | null {
  const v = o[k];
  if (v === null) return null;
  if (typeof v !== 'string' || !v.trim()) throw new Error(`${where}: '${k}' must be a non-empty string or null`);
  return v;
}

function strList(o: Json, k: string, where: string): string[] {
  const v = o[k];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string' && x.trim() !== '')) {
    throw new Error(`${where}: '${k}' must be a list of non-empty strings`);
  }
  return v;
}

function objects(o: Json, k: string, where: string): Json[] {
  const v = o[k];
  if (!Array.isArray(v) || !v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) throw new Error(`${where}: '${k}' must be a list of objects`);
  return v as Json[];
}

function oneOf<T extends string>(o: Json, k: string, allowed: readonly T[], where: string): T {
  const v = str(o, k, where);
  if (!(allowed as readonly string[]).includes(v)) throw new Error(`${where}: '${k}' must be one of ${allowed.join(', ')}, not '${v}'`);
  return v as T;
}

/** Reads `~v25.5:1.3.4.5` as: nearest equivalent, v25.5 numbering, number 1.3.4.5. */
export function parseEtomId(etomId: string): EtomRef {
  const m = /^(~?)(v25\.5:)?(\d+(?:\.\d+)*)$/.exec(etomId);
  if (!m) throw new Error(`'${etomId}' is not a GB921 process number`);
  const exact = m[1] === '';
  const numbering = m[2] ? 'v25.5' : 'classic';
  const which = numbering === 'v25.5' ? 'GB921 v25.5 numbering' : 'classic GB921 numbering';
  const note = exact
    ? `GB921 process ${m[3]!} (${which})`
    : `no exact GB921 process of this name; ${m[3]!} is the nearest equivalent (${which})`;
  return { number: m[3]!, exact, numbering, note };
}

export interface EtomData {
  notation: Record<string, string>;
  areas: readonly EtomArea[];
  l2: readonly EtomL2[];
  l3: readonly EtomTask[];
}

function unique<T extends { id: string }>(items: readonly T[], what: string): void {
  const seen = new Set<string>();
  for (const i of items) {
    if (seen.has(i.id)) throw new Error(`etom.json: ${what} id '${i.id}' appears twice`);
    seen.add(i.id);
  }
}

export function loadEtomData(): EtomData {
  const doc = readJson('etom.json');
  const notationRaw = doc['etomIdNotation'];
  const notation: Record<string, string> = {};
  if (notationRaw && typeof notationRaw === 'object') {
    for (const [k, v] of Object.entries(notationRaw)) if (typeof v === 'string') notation[k] = v;
  }

  const areas: EtomArea[] = objects(doc, 'areas', 'etom.json').map((a, i) => {
    const w = `etom.json areas[${i}]`;
    return {
      id: str(a, 'id', w),
      name: str(a, 'name', w),
      path: str(a, 'path', w),
      domain: oneOf(a, 'domain', ['Operations', 'Strategy, Infrastructure & Product'] as const, w),
      vertical: strOrNull(a, 'vertical', w),
      layer: strOrNull(a, 'layer', w),
      layerName: strOrNull(a, 'layerName', w),
      primarySystemDomain: str(a, 'primarySystemDomain', w),
      description: str(a, 'description', w),
    };
  });
  unique(areas, 'area');
  const areaById = new Map(areas.map((a) => [a.id, a]));

  const l2: EtomL2[] = objects(doc, 'l2', 'etom.json').map((c, i) => {
    const w = `etom.json l2[${i}]`;
    const areaId = str(c, 'area', w);
    const area = areaById.get(areaId);
    if (!area) throw new Error(`${w}: unknown area '${areaId}'`);
    const id = str(c, 'id', w);
    const name = str(c, 'name', w);
    if (slugify(name) !== id) throw new Error(`${w}: id '${id}' is not the slug of '${name}'`);
    return { id, name, area: { id: area.id, name: area.name }, description: str(c, 'description', w) };
  });
  unique(l2, 'L2');
  const l2ById = new Map(l2.map((c) => [c.id, c]));

  const l3: EtomTask[] = objects(doc, 'l3', 'etom.json').map((t, i) => {
    const w = `etom.json l3[${i}]`;
    const l2Id = str(t, 'l2', w);
    const cap = l2ById.get(l2Id);
    if (!cap) throw new Error(`${w}: unknown l2 '${l2Id}'`);
    const id = str(t, 'id', w);
    const name = str(t, 'name', w);
    if (slugify(name) !== id) throw new Error(`${w}: id '${id}' is not the slug of '${name}'`);
    const etomId = str(t, 'etomId', w);
    const tmfApis = strList(t, 'tmfApis', w);
    for (const api of tmfApis) if (!/^TMF\d{3}$/.test(api)) throw new Error(`${w}: '${api}' is not a TMF API id`);
    return {
      id,
      name,
      l2: { id: cap.id, name: cap.name },
      area: cap.area,
      origin: oneOf<Origin>(t, 'origin', ['seed', 'reconstructed'], w),
      etomId,
      etomRef: parseEtomId(etomId),
      systemType: oneOf<SystemType>(t, 'systemType', SYSTEM_TYPES, w),
      owner: str(t, 'owner', w),
      exampleSystems: strList(t, 'exampleSystems', w),
      tmfApis,
      description: str(t, 'description', w),
    };
  });
  unique(l3, 'L3');
  return { notation, areas, l2, l3 };
}

export function loadTmfApis(): TmfApiInfo[] {
  const doc = readJson('tmf-apis.json');
  const apis = objects(doc, 'apis', 'tmf-apis.json').map((a, i) => {
    const w = `tmf-apis.json apis[${i}]`;
    const id = str(a, 'id', w);
    if (!/^TMF\d{3}$/.test(id)) throw new Error(`${w}: '${id}' is not a TMF API id`);
    return {
      id,
      title: str(a, 'title', w),
      kind: oneOf(a, 'kind', ['api', 'guideline'] as const, w),
      officialSpec: strOrNull(a, 'officialSpec', w),
      description: str(a, 'description', w),
    };
  });
  unique(apis, 'API');
  return apis;
}
