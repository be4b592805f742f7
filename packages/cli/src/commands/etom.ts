/** `operon etom …`: the eTOM map and Operon's coverage of it, read from the etom package and the manifests (no server). */
import fs from 'node:fs';
import path from 'node:path';
import * as etom from '@operon/etom';
import type { ComponentManifest } from '@operon/tmf';
import { CliError, bar, json, keyValues, parse, table, usageError, type Command, type Io } from '../io.ts';

const usage = `Usage: operon etom <subcommand> [options]

The eTOM process map (13 areas, 31 L2 capabilities, 108 L3 tasks) and which
tasks Operon's components implement. Reads the map and the component
manifests directly; no server needed.

Subcommands:
  list                      L3 tasks, as a table
      --area <id|name>        e.g. fulfilment-crm or "Fulfilment / CRM"
      --l2 <id|name>          e.g. order-handling
      --system-type <type>    BSS, OSS or Shared
      --owner <text>          owning function contains text, e.g. "Network Operations"
      --api <TMFnnn>          tasks a TMF Open API serves, e.g. TMF622
  areas                     the 13 areas with their L2 and L3 counts
  show <id>                 one L3 task (or L2 capability, or area) in full
  search <text>             full-text search over names and descriptions
  coverage                  which tasks Operon implements, per area
      --l2                    roll up per L2 capability instead
      --uncovered             also list the tasks not covered yet
  export --format csv|json  the whole map with coverage
      --out <file>            write to a file instead of standard output

Every subcommand takes --json for machine-readable output.`;

async function manifests(): Promise<readonly ComponentManifest[]> {
  // loaded on demand: the server package pulls in every component
  const { components } = await import('@operon/server');
  return components;
}

function implementedBy(report: etom.CoverageReport): Map<string, string[]> {
  return new Map(report.implemented.map((r) => [r.task.id, r.implementedBy.map((i) => i.component)]));
}

function taskTable(tasks: readonly etom.EtomTask[], by: Map<string, string[]>, io: Io): string {
  return table(
    ['ID', 'NAME', 'AREA', 'TYPE', 'OWNER', 'TMF APIS', 'OPERON'],
    tasks.map((t) => [t.id, t.name, t.area.name, t.systemType, t.owner, t.tmfApis.join(' ') || '—', (by.get(t.id) ?? []).join(', ')]),
    { width: io.width },
  );
}

async function list(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    area: { type: 'string' }, l2: { type: 'string' }, 'system-type': { type: 'string' }, owner: { type: 'string' }, api: { type: 'string' }, json: { type: 'boolean' },
  }, usage);
  if (positionals.length) throw usageError(`etom list takes no arguments (got '${positionals.join(' ')}'); filter with --area, --l2, --system-type, --owner, --api`);
  const filter: etom.TaskFilter = {
    ...(values.area !== undefined ? { area: values.area } : {}),
    ...(values.l2 !== undefined ? { l2: values.l2 } : {}),
    ...(values['system-type'] !== undefined ? { systemType: values['system-type'] } : {}),
    ...(values.owner !== undefined ? { owner: values.owner } : {}),
    ...(values.api !== undefined ? { tmfApi: values.api } : {}),
  };
  let tasks: etom.EtomTask[];
  try {
    tasks = etom.tasks(filter);
  } catch (e) {
    throw usageError((e as Error).message);
  }
  if (values.json) {
    io.out(json(tasks));
    return 0;
  }
  const by = implementedBy(etom.coverage(await manifests()));
  io.out(taskTable(tasks, by, io));
  io.out(`\n${tasks.length} of ${etom.allTasks().length} L3 tasks`);
  return 0;
}

async function areas(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean' } }, usage);
  const rows = etom.countsByArea();
  if (values.json) {
    io.out(json(etom.areas().map((a, i) => ({ ...a, l2Count: rows[i]!.l2, l3Count: rows[i]!.l3 }))));
    return 0;
  }
  io.out(table(['ID', 'AREA', 'PATH', 'L2', 'L3'], etom.areas().map((a, i) => [a.id, a.name, a.path, String(rows[i]!.l2), String(rows[i]!.l3)]), { right: [3, 4], width: io.width }));
  io.out(`\n${etom.areas().length} areas, ${etom.l2List().length} L2 capabilities, ${etom.allTasks().length} L3 tasks`);
  return 0;
}

async function show(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, usage);
  const id = positionals.join(' ').trim();
  if (!id) throw usageError('etom show needs a task id, e.g. operon etom show issue-customer-orders');
  const t = etom.task(id);
  if (t) {
    const report = etom.coverage(await manifests());
    const impl = report.implemented.find((r) => r.task.id === t.id)?.implementedBy ?? [];
    if (values.json) {
      io.out(json({ ...t, implementedBy: impl }));
      return 0;
    }
    const apis = t.tmfApis.map((a) => `${a} ${etom.tmfApi(a)?.title ?? ''}`.trim());
    io.out(`${t.name}\n`);
    io.out(keyValues([
      ['id', t.id],
      ['area', `${t.area.name} (${t.area.id})`],
      ['L2', `${t.l2.name} (${t.l2.id})`],
      ['eTOM id', `${t.etomId} — ${t.etomRef.note}`],
      ['origin', t.origin === 'seed' ? 'seed (in the seed document)' : 'reconstructed (filled in from GB921)'],
      ['system type', t.systemType],
      ['owner', t.owner],
      ['systems', t.exampleSystems.join('; ')],
      ['TMF APIs', apis.length ? apis.join('; ') : 'none fits'],
      ['in Operon', impl.length ? impl.map((i) => `${i.component} (${i.apis.map((a) => a.id).join(', ') || 'no API'})`).join('; ') : 'not implemented yet'],
      ['description', t.description],
    ], io.width));
    return 0;
  }
  const c = etom.l2(id);
  if (c) {
    const tasks = etom.tasksOfL2(c.id);
    if (values.json) {
      io.out(json({ ...c, l3: tasks }));
      return 0;
    }
    io.out(`${c.name} (L2 capability in ${c.area.name})\n\n  ${c.description}\n`);
    io.out(taskTable(tasks, implementedBy(etom.coverage(await manifests())), io));
    return 0;
  }
  const a = etom.area(id);
  if (a) {
    const caps = etom.l2List({ area: a.id });
    if (values.json) {
      io.out(json({ ...a, l2: caps.map((x) => ({ ...x, l3: etom.tasksOfL2(x.id).map((t2) => ({ id: t2.id, name: t2.name })) })) }));
      return 0;
    }
    io.out(`${a.name} (${a.path})\n\n  ${a.description}\n`);
    for (const x of caps) io.out(`${x.name}\n${etom.tasksOfL2(x.id).map((t2) => `  ${t2.id}`).join('\n')}`);
    return 0;
  }
  const maybe = etom.suggestTasks(id);
  throw new CliError(`no eTOM task, L2 capability or area '${id}'${maybe.length ? `; did you mean:\n${maybe.map((t2) => `  ${t2.id}`).join('\n')}` : ''}`);
}

async function search(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, limit: { type: 'string' } }, usage);
  const text = positionals.join(' ').trim();
  if (!text) throw usageError('etom search needs some text, e.g. operon etom search trouble ticket');
  const hits = etom.search(text);
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (values.limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw usageError('--limit must be a positive integer');
  const shown = hits.slice(0, limit);
  if (values.json) {
    io.out(json(shown.map((h) => ({ score: h.score, ...h.task }))));
    return 0;
  }
  if (!shown.length) {
    io.out(`no tasks match '${text}'`);
    return 0;
  }
  io.out(table(['ID', 'NAME', 'AREA', 'DESCRIPTION'], shown.map((h) => [h.task.id, h.task.name, h.task.area.name, h.task.description]), { width: io.width }));
  io.out(`\n${hits.length} match${hits.length === 1 ? '' : 'es'}`);
  return 0;
}

async function coverage(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean' }, l2: { type: 'boolean' }, uncovered: { type: 'boolean' } }, usage);
  const report = etom.coverage(await manifests());
  if (values.json) {
    io.out(json(report));
    return report.problems.length ? 1 : 0;
  }
  const t = report.totals;
  io.out(`eTOM coverage: ${t.covered} of ${t.l3} L3 tasks (${t.percent}%) implemented by ${t.components} component${t.components === 1 ? '' : 's'}\n`);
  const rolls = values.l2 ? report.l2.map((r) => ({ ...r, name: `${r.name}  (${r.area.name})` })) : report.areas;
  io.out(table(
    [values.l2 ? 'L2 CAPABILITY' : 'AREA', 'L3', 'DONE', 'COVERAGE', '%'],
    rolls.map((r) => [r.name, String(r.l3), String(r.covered), bar(r.percent), `${r.percent}%`]),
    { right: [1, 2, 4], width: io.width },
  ));
  io.out('\nImplemented');
  io.out(report.implemented.length
    ? table(['TASK', 'AREA', 'COMPONENT', 'APIS'], report.implemented.map((r) => [
      r.task.id, r.task.area.name, r.implementedBy.map((i) => i.component).join(', '), [...new Set(r.implementedBy.flatMap((i) => i.apis.map((a) => a.id)))].join(' '),
    ]), { width: io.width })
    : '  (none yet)');
  if (report.overlaps.length) io.out(`\nClaimed by more than one component: ${report.overlaps.map((r) => `${r.task.id} (${r.implementedBy.map((i) => i.component).join(', ')})`).join('; ')}`);
  if (values.uncovered) {
    io.out(`\nNot covered yet (${report.uncovered.length})`);
    io.out(table(['TASK', 'AREA', 'L2', 'TMF APIS'], report.uncovered.map((r) => [r.task.id, r.task.area.name, r.task.l2.name, r.task.tmfApis.join(' ')]), { width: io.width }));
  } else if (report.uncovered.length) {
    io.out(`\n${report.uncovered.length} tasks not covered yet (--uncovered lists them)`);
  }
  if (report.problems.length) {
    io.err(`\nManifest problems:\n${report.problems.map((p) => `  ${p.component}.${p.field}: ${p.message}`).join('\n')}`);
    return 1;
  }
  return 0;
}

async function exportMap(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { format: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } }, usage);
  if (positionals.length) throw usageError(`etom export takes no arguments (got '${positionals.join(' ')}')`);
  const format = values.format ?? (values.json ? 'json' : undefined);
  if (format !== 'csv' && format !== 'json') throw usageError('etom export needs --format csv or --format json');
  const ms = await manifests();
  let text: string;
  if (format === 'csv') text = etom.toCsv(etom.exportRows(ms));
  else {
    const impl = new Map(etom.coverage(ms).implemented.map((r) => [r.task.id, r.implementedBy]));
    text = `${json({
      areas: etom.areas(),
      l2: etom.l2List(),
      l3: etom.allTasks().map((t) => ({ ...t, implementedBy: impl.get(t.id) ?? [] })),
      etomIdNotation: etom.etomIdNotation,
    })}\n`;
  }
  if (values.out) {
    const file = path.resolve(values.out);
    try {
      fs.writeFileSync(file, text);
    } catch (e) {
      throw new CliError(`cannot write ${file}: ${(e as Error).message}`);
    }
    io.err(`wrote ${etom.allTasks().length} tasks as ${format} to ${file}`);
  } else io.out(text);
  return 0;
}

const subcommands: Record<string, (args: string[], io: Io) => Promise<number>> = {
  list, areas, show, search, coverage, export: exportMap,
};

export const command: Command = {
  usage,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (!sub) throw usageError(`etom needs a subcommand\n\n${usage}`);
    const fn = subcommands[sub];
    if (!fn) throw usageError(`unknown etom subcommand '${sub}'; use one of ${Object.keys(subcommands).join(', ')}`);
    return fn(rest, io);
  },
};
