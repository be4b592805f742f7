/**
 * Coverage of the map by component manifests: which L3 tasks Operon
 * implements, by which component and APIs, which are gaps, and whether the
 * manifests name only real tasks and real TMF APIs.
 */
import { OperonError } from '@operon/kernel';
import { allTasks, areas, isKnownApi, isTaskId, l2List, tmfApi, tmfApis } from './map.ts';
import type { EtomTask, Ref, SystemType } from './model.ts';
import { closest } from './text.ts';

/**
 * The part of a component manifest coverage needs. `ComponentManifest` from
 * `@operon/tmf` fits it as it is; keeping it structural spares this package a
 * dependency on the HTTP kit.
 */
export interface ManifestLike {
  name: string;
  title: string;
  exposes: readonly { id: string; title: string }[];
  dependsOn: readonly string[];
  etomTasks: readonly string[];
}

export interface ManifestProblem {
  component: string;
  field: 'etomTasks' | 'exposes' | 'dependsOn';
  value: string;
  message: string;
}

/** Every L3 id a manifest names must exist in the map; every API it exposes or depends on must be a known TMF Open API. */
export function validateManifests(manifests: readonly ManifestLike[]): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const taskIds = allTasks().map((t) => t.id);
  for (const m of manifests) {
    for (const id of m.etomTasks) {
      if (isTaskId(id)) continue;
      const hint = closest(id, taskIds);
      problems.push({ component: m.name, field: 'etomTasks', value: id, message: `'${id}' is not an eTOM L3 task id${hint ? ` (did you mean '${hint}'?)` : ''}` });
    }
    const apis: [ManifestProblem['field'], string][] = [
      ...m.exposes.map((a): [ManifestProblem['field'], string] => ['exposes', a.id]),
      ...m.dependsOn.map((id): [ManifestProblem['field'], string] => ['dependsOn', id]),
    ];
    for (const [field, id] of apis) {
      if (isKnownApi(id)) continue;
      problems.push({ component: m.name, field, value: id, message: `'${id}' is not a known TM Forum Open API id` });
    }
  }
  return problems;
}

/** Throws (422) listing every problem, for start-up checks and tests. */
export function assertValidManifests(manifests: readonly ManifestLike[]): void {
  const problems = validateManifests(manifests);
  if (problems.length) {
    throw new OperonError('unprocessable', `component manifests refer to unknown ids: ${problems.map((p) => `${p.component}.${p.field}: ${p.message}`).join('; ')}`);
  }
}

export interface ApiRef {
  id: string;
  title: string;
}

export interface Implementation {
  component: string;
  title: string;
  /** APIs the component exposes. */
  apis: ApiRef[];
}

export interface TaskCoverage {
  task: { id: string; name: string; area: Ref; l2: Ref; systemType: SystemType; tmfApis: readonly string[] };
  implementedBy: Implementation[];
  /** Of the APIs the map suggests for the task, those some mounted component exposes. */
  apisServed: string[];
}

export interface RollUp {
  id: string;
  name: string;
  l3: number;
  covered: number;
  /** Whole percent of L3 tasks covered. */
  percent: number;
}

export interface CoverageReport {
  totals: { areas: number; l2: number; l3: number; covered: number; uncovered: number; percent: number; components: number };
  implemented: TaskCoverage[];
  uncovered: TaskCoverage[];
  /** Tasks claimed by more than one component: worth a look, sometimes deliberate. */
  overlaps: TaskCoverage[];
  areas: RollUp[];
  l2: (RollUp & { area: Ref })[];
  /** Manifest entries naming tasks or APIs that do not exist (they do not count as coverage). */
  problems: ManifestProblem[];
}

const pct = (n: number, of: number) => (of === 0 ? 0 : Math.round((100 * n) / of));

function taskSummary(t: EtomTask): TaskCoverage['task'] {
  return { id: t.id, name: t.name, area: t.area, l2: t.l2, systemType: t.systemType, tmfApis: t.tmfApis };
}

/** Which L3 tasks the given components implement, with roll-ups per area and L2. */
export function coverage(manifests: readonly ManifestLike[]): CoverageReport {
  const exposedApis = new Set(manifests.flatMap((m) => m.exposes.map((a) => a.id)));
  const byTask = new Map<string, Implementation[]>();
  for (const m of manifests) {
    const impl: Implementation = {
      component: m.name,
      title: m.title,
      apis: m.exposes.map((a) => ({ id: a.id, title: tmfApi(a.id)?.title ?? a.title })),
    };
    for (const id of new Set(m.etomTasks)) {
      if (!isTaskId(id)) continue;
      byTask.set(id, [...(byTask.get(id) ?? []), impl]);
    }
  }
  const rows: TaskCoverage[] = allTasks().map((t) => ({
    task: taskSummary(t),
    implementedBy: byTask.get(t.id) ?? [],
    apisServed: t.tmfApis.filter((a) => exposedApis.has(a)),
  }));
  const implemented = rows.filter((r) => r.implementedBy.length > 0);
  const uncovered = rows.filter((r) => r.implementedBy.length === 0);
  const isCovered = new Set(implemented.map((r) => r.task.id));
  const tasks = allTasks();

  const areaRows: RollUp[] = areas().map((a) => {
    const ts = tasks.filter((t) => t.area.id === a.id);
    const covered = ts.filter((t) => isCovered.has(t.id)).length;
    return { id: a.id, name: a.name, l3: ts.length, covered, percent: pct(covered, ts.length) };
  });
  const l2Rows = l2List().map((c) => {
    const ts = tasks.filter((t) => t.l2.id === c.id);
    const covered = ts.filter((t) => isCovered.has(t.id)).length;
    return { id: c.id, name: c.name, area: c.area, l3: ts.length, covered, percent: pct(covered, ts.length) };
  });
  return {
    totals: {
      areas: areas().length,
      l2: l2List().length,
      l3: tasks.length,
      covered: implemented.length,
      uncovered: uncovered.length,
      percent: pct(implemented.length, tasks.length),
      components: manifests.length,
    },
    implemented,
    uncovered,
    overlaps: implemented.filter((r) => r.implementedBy.length > 1),
    areas: areaRows,
    l2: l2Rows,
    problems: validateManifests(manifests),
  };
}

/** Known API ids as a set, e.g. for other validators. */
export function knownApiIds(): Set<string> {
  return new Set(tmfApis().map((a) => a.id));
}
