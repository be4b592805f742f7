/**
 * The eTOM capability map: the Operations matrix (Fulfilment, Assurance,
 * Billing across CRM, SM&O, RM&O, S/PM) and the SIP areas, each L2 capability
 * coloured by how much of it Operon's components implement. Filters and search
 * run on the server (/etom/l3); the current view exports as CSV.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { api, apiList, qs } from '../../api.ts';
import { Button, ErrorBanner, Loading, PageHeader, SelectField, Table, TextField } from '../../ui/components.tsx';
import { downloadCsv } from '../../ui/csv.ts';
import type { Area, Coverage, Implementation, L2, Task, TaskCoverage } from './types.ts';

const VERTICALS = ['Fulfilment', 'Assurance'] as const;
const LAYERS = [
  { key: 'CRM', name: 'Customer Relationship Management' },
  { key: 'SM&O', name: 'Service Management & Operations' },
  { key: 'RM&O', name: 'Resource Management & Operations' },
  { key: 'S/PM', name: 'Supplier/Partner Relationship Management' },
] as const;

type CoverageFilter = 'all' | 'implemented' | 'uncovered';
interface Filters {
  q: string;
  systemType: string;
  owner: string;
  tmfApi: string;
  coverage: CoverageFilter;
}
const NO_FILTERS: Filters = { q: '', systemType: '', owner: '', tmfApi: '', coverage: 'all' };

export function EtomPage() {
  const areas = useQuery({ queryKey: ['etom', 'areas'], queryFn: () => api<Area[]>('/etom/areas'), staleTime: Infinity });
  const l2s = useQuery({ queryKey: ['etom', 'l2'], queryFn: () => api<L2[]>('/etom/l2'), staleTime: Infinity });
  const allTasks = useQuery({ queryKey: ['etom', 'l3', NO_FILTERS], queryFn: () => api<Task[]>('/etom/l3'), staleTime: Infinity });
  const coverage = useQuery({ queryKey: ['etom', 'coverage'], queryFn: () => api<Coverage>('/etom/coverage'), staleTime: 60_000 });

  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [q, setQ] = useState('');
  // search as one types, without a request per keystroke
  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.q === q.trim() ? f : { ...f, q: q.trim() })), 250);
    return () => clearTimeout(t);
  }, [q]);

  const serverFilters = { q: filters.q, systemType: filters.systemType, owner: filters.owner, tmfApi: filters.tmfApi };
  const filtered = Object.values(serverFilters).some(Boolean);
  const matching = useQuery({
    queryKey: ['etom', 'l3', serverFilters],
    queryFn: () => apiList<Task>(`/etom/l3${qs(serverFilters)}`),
    enabled: filtered,
    placeholderData: (prev) => prev,
    staleTime: Infinity,
  });

  const covered = useMemo(() => {
    const m = new Map<string, TaskCoverage>();
    for (const row of coverage.data?.implemented ?? []) m.set(row.task.id, row);
    return m;
  }, [coverage.data]);

  const tasks: Task[] = useMemo(() => {
    const base = filtered ? (matching.data?.items ?? []) : (allTasks.data ?? []);
    if (filters.coverage === 'all') return base;
    return base.filter((t) => covered.has(t.id) === (filters.coverage === 'implemented'));
  }, [filtered, matching.data, allTasks.data, filters.coverage, covered]);
  const active = filtered || filters.coverage !== 'all';

  const owners = useMemo(() => [...new Set((allTasks.data ?? []).map((t) => t.owner))].sort(), [allTasks.data]);
  const apis = useMemo(() => [...new Set((allTasks.data ?? []).flatMap((t) => t.tmfApis))].sort(), [allTasks.data]);

  const search = useSearch({ from: '/capabilities' });
  const navigate = useNavigate({ from: '/capabilities' });
  const openL2 = (id: string | undefined) => void navigate({ search: id ? { l2: id } : {}, replace: true });

  const error = areas.error ?? l2s.error ?? allTasks.error ?? coverage.error ?? matching.error;
  if (error) return <><PageHeader title="eTOM capability map" /><ErrorBanner error={error} /></>;
  if (!areas.data || !l2s.data || !allTasks.data || !coverage.data) return <><PageHeader title="eTOM capability map" /><Loading /></>;

  const totals = coverage.data.totals;
  const byArea = new Map<string, L2[]>();
  for (const c of l2s.data) byArea.set(c.area.id, [...(byArea.get(c.area.id) ?? []), c]);
  const tasksByL2 = new Map<string, Task[]>();
  for (const t of tasks) tasksByL2.set(t.l2.id, [...(tasksByL2.get(t.l2.id) ?? []), t]);
  const rollUp = new Map(coverage.data.l2.map((r) => [r.id, r]));

  const card = (c: L2) => {
    const r = rollUp.get(c.id);
    const percent = r?.percent ?? 0;
    const tone = percent === 100 ? 'full' : percent > 0 ? 'partial' : 'none';
    const matches = tasksByL2.get(c.id)?.length ?? 0;
    return (
      <li key={c.id}>
        <button
          type="button"
          className={`l2-card cov-${tone} ${active && matches === 0 ? 'dimmed' : ''}`}
          onClick={() => openL2(c.id)}
          aria-haspopup="dialog"
        >
          <span className="l2-name">{c.name}</span>
          <span className="l2-meta">
            {r ? `${r.covered} of ${r.l3} tasks implemented` : `${c.l3Count} tasks`}
            {active ? ` · ${matches} matching` : ''}
          </span>
        </button>
      </li>
    );
  };
  const areaCell = (areaId: string, extra?: string) => {
    const a = areas.data.find((x) => x.id === areaId);
    if (!a) return <div className={`area-cell ${extra ?? ''}`} />;
    return (
      <section className={`area-cell ${extra ?? ''}`} aria-label={a.name}>
        <h3 className="area-title">{a.vertical ?? a.layer ?? a.name}{a.layer && a.vertical ? <span className="muted"> · {a.layer}</span> : null}</h3>
        <ul className="l2-list">{(byArea.get(a.id) ?? []).map(card)}</ul>
      </section>
    );
  };
  const areaIdOf = (vertical: string, layer: string) =>
    areas.data.find((a) => a.domain === 'Operations' && a.vertical === vertical && a.layer === layer)?.id ?? '';
  const billing = areas.data.find((a) => a.domain === 'Operations' && a.layer === null);
  const sip = areas.data.filter((a) => a.domain !== 'Operations');

  const selected = search.l2 ? l2s.data.find((c) => c.id === search.l2) : undefined;

  const exportCsv = () => {
    const rows = tasks.map((t) => {
      const cov = covered.get(t.id);
      return {
        area: t.area.name, l2: t.l2.name, l3Id: t.id, l3: t.name, etomId: t.etomId, systemType: t.systemType, owner: t.owner,
        exampleSystems: t.exampleSystems.join('; '), tmfApis: t.tmfApis.join('; '),
        implemented: cov ? 'yes' : 'no',
        components: cov ? cov.implementedBy.map((i) => i.component).join('; ') : '',
        apisServed: cov ? cov.apisServed.join('; ') : '',
      };
    });
    downloadCsv(`etom-map${active ? '-filtered' : ''}.csv`, rows);
  };

  return (
    <>
      <PageHeader
        title="eTOM capability map"
        subtitle={`${totals.covered} of ${totals.l3} L3 tasks implemented by ${totals.components} components (${totals.percent}%) across ${totals.l2} L2 capabilities`}
        actions={<Button onClick={exportCsv}>Export CSV ({tasks.length} tasks)</Button>}
      />
      <form className="toolbar card" role="search" aria-label="Filter the map" onSubmit={(e) => e.preventDefault()}>
        <TextField label="Search tasks" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="e.g. order, trouble, billing" />
        <SelectField label="System type" value={filters.systemType} onChange={(e) => setFilters({ ...filters, systemType: e.target.value })}
          options={[{ value: '', label: 'Any' }, 'BSS', 'OSS', 'Shared']} />
        <SelectField label="Owning function" value={filters.owner} onChange={(e) => setFilters({ ...filters, owner: e.target.value })}
          options={[{ value: '', label: 'Any' }, ...owners]} />
        <SelectField label="TMF API" value={filters.tmfApi} onChange={(e) => setFilters({ ...filters, tmfApi: e.target.value })}
          options={[{ value: '', label: 'Any' }, ...apis]} />
        <SelectField label="Coverage" value={filters.coverage} onChange={(e) => setFilters({ ...filters, coverage: e.target.value as CoverageFilter })}
          options={[{ value: 'all', label: 'All tasks' }, { value: 'implemented', label: 'Implemented' }, { value: 'uncovered', label: 'Not implemented' }]} />
        {active || q ? <Button variant="link" onClick={() => { setQ(''); setFilters(NO_FILTERS); }}>Clear filters</Button> : null}
      </form>
      <p className="legend" aria-label="Legend">
        <span className="swatch cov-full" aria-hidden="true" /> all tasks implemented
        <span className="swatch cov-partial" aria-hidden="true" /> some
        <span className="swatch cov-none" aria-hidden="true" /> none
        {active ? <span className="muted"> · {tasks.length} matching tasks{matching.isFetching ? ' (updating…)' : ''}</span> : null}
      </p>

      <section aria-labelledby="ops-title" className="card">
        <h2 id="ops-title">Operations</h2>
        <div className="ops-grid">
          <div className="ops-corner" aria-hidden="true" />
          {VERTICALS.map((v) => <div key={v} className="ops-head" aria-hidden="true">{v}</div>)}
          <div className="ops-head" aria-hidden="true">Billing &amp; Revenue</div>
          {LAYERS.map((l, i) => (
            <div key={l.key} className="ops-row">
              <div className="ops-layer" title={l.name} aria-hidden="true">{l.key}</div>
              {VERTICALS.map((v) => <div key={v}>{areaCell(areaIdOf(v, l.key))}</div>)}
              {i === 0 && billing ? <div className="ops-billing">{areaCell(billing.id, 'billing')}</div> : null}
            </div>
          ))}
        </div>
      </section>

      <section aria-labelledby="sip-title" className="card">
        <h2 id="sip-title">Strategy, Infrastructure &amp; Product</h2>
        <div className="sip-grid">{sip.map((a) => <div key={a.id}>{areaCell(a.id)}</div>)}</div>
      </section>

      {active ? (
        <section aria-labelledby="matching-title" className="card">
          <h2 id="matching-title">Matching tasks</h2>
          <TaskTable tasks={tasks} covered={covered} onOpen={(t) => openL2(t.l2.id)} />
        </section>
      ) : null}

      {selected ? <L2Dialog l2={selected} highlight={active ? new Set(tasks.map((t) => t.id)) : null} covered={covered} onClose={() => openL2(undefined)} /> : null}
    </>
  );
}

function TaskTable({ tasks, covered, onOpen }: { tasks: Task[]; covered: Map<string, TaskCoverage>; onOpen: (t: Task) => void }) {
  return (
    <Table
      caption={`${tasks.length} tasks`}
      captionHidden
      rows={tasks}
      rowKey={(t) => t.id}
      empty="No task matches these filters."
      columns={[
        { key: 'name', header: 'L3 task', cell: (t) => <Button variant="link" onClick={() => onOpen(t)}>{t.name}</Button> },
        { key: 'l2', header: 'L2 capability', cell: (t) => t.l2.name },
        { key: 'area', header: 'Area', cell: (t) => t.area.name },
        { key: 'type', header: 'System', cell: (t) => t.systemType },
        { key: 'owner', header: 'Owner', cell: (t) => t.owner },
        { key: 'apis', header: 'TMF APIs', cell: (t) => t.tmfApis.join(', ') },
        { key: 'impl', header: 'Implemented by', cell: (t) => implementedText(covered.get(t.id)?.implementedBy) },
      ]}
    />
  );
}

function implementedText(impl: Implementation[] | undefined): string {
  if (!impl?.length) return 'not implemented';
  return impl.map((i) => `${i.title} (${i.apis.map((a) => a.id).join(', ')})`).join('; ');
}

/** One L2 capability's L3 tasks in a modal dialog (native: focus is trapped and Escape closes it). */
function L2Dialog({ l2, highlight, covered, onClose }: { l2: L2; highlight: Set<string> | null; covered: Map<string, TaskCoverage>; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const detail = useQuery({
    queryKey: ['etom', 'l2', l2.id],
    queryFn: () => api<L2 & { l3: Task[] }>(`/etom/l2/${encodeURIComponent(l2.id)}`),
    staleTime: Infinity,
  });
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="l2-dialog" aria-labelledby="l2-title" onClose={onClose} onCancel={onClose}>
      <div className="dialog-head">
        <div>
          <p className="muted small">{l2.area.name}</p>
          <h2 id="l2-title">{l2.name}</h2>
        </div>
        <Button onClick={() => ref.current?.close()}>Close</Button>
      </div>
      <p>{l2.description}</p>
      {detail.error ? <ErrorBanner error={detail.error} /> : null}
      {!detail.data ? <Loading /> : (
        <ul className="l3-list">
          {detail.data.l3.map((t) => {
            const cov = covered.get(t.id);
            return (
              <li key={t.id} className={highlight && !highlight.has(t.id) ? 'dimmed' : ''}>
                <details>
                  <summary>
                    <span className="l3-name">{t.name}</span>
                    <span className={`badge ${cov ? 'badge-ok' : 'badge-plain'}`}>{cov ? 'implemented' : 'not implemented'}</span>
                  </summary>
                  <div className="l3-body">
                    <p>{t.description}</p>
                    <dl className="details">
                      <div><dt>eTOM number</dt><dd title={t.etomRef.note}>{t.etomId}</dd></div>
                      <div><dt>System type</dt><dd>{t.systemType}</dd></div>
                      <div><dt>Owning function</dt><dd>{t.owner}</dd></div>
                      <div><dt>Example systems</dt><dd>{t.exampleSystems.join(', ') || '—'}</dd></div>
                      <div><dt>TMF APIs</dt><dd>{t.tmfApis.join(', ') || '—'}</dd></div>
                      <div><dt>Implemented by</dt><dd>{implementedText(cov?.implementedBy)}</dd></div>
                    </dl>
                  </div>
                </details>
              </li>
            );
          })}
        </ul>
      )}
    </dialog>
  );
}
