/** Export of the map (with coverage when manifests are given) as CSV or JSON, for spreadsheets and other tools. */
import { coverage, type ManifestLike } from './coverage.ts';
import { allTasks } from './map.ts';

export const EXPORT_COLUMNS = [
  'id', 'name', 'area_id', 'area', 'l2_id', 'l2', 'origin', 'etom_id', 'system_type', 'owner',
  'example_systems', 'tmf_apis', 'description', 'implemented_by',
] as const;

export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string>;

/** One flat row per L3 task; lists are `; `-separated as in the original map. */
export function exportRows(manifests: readonly ManifestLike[] = []): ExportRow[] {
  const byTask = new Map(coverage(manifests).implemented.map((r) => [r.task.id, r.implementedBy.map((i) => i.component)]));
  return allTasks().map((t) => ({
    id: t.id,
    name: t.name,
    area_id: t.area.id,
    area: t.area.name,
    l2_id: t.l2.id,
    l2: t.l2.name,
    origin: t.origin,
    etom_id: t.etomId,
    system_type: t.systemType,
    owner: t.owner,
    example_systems: t.exampleSystems.join('; '),
    tmf_apis: t.tmfApis.join('; '),
    description: t.description,
    implemented_by: (byTask.get(t.id) ?? []).join('; '),
  }));
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** RFC 4180 CSV with a header line and CRLF line ends. */
export function toCsv(rows: readonly ExportRow[]): string {
  const lines = [EXPORT_COLUMNS.join(',')];
  for (const r of rows) lines.push(EXPORT_COLUMNS.map((c) => csvField(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) into records keyed by the header. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
