/**
 * Inventory: what customers hold and what delivers it — products (TMF637),
 * services (TMF638) and resources (TMF639), each listed with filters, and the
 * relationship view from a product down to its services and resources (or up
 * from a resource to what it serves). `?productOrder=<id>` opens the products
 * of one order, `?product=<id>` (or service, resource) the relationships of one item.
 */
import { useRef, useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiList, qs } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Button, ErrorBanner, Loading, PageHeader, Pager, Section, SelectField, StateBadge, Table, Tabs, TextField } from '../../ui/components.tsx';
import { useCustomerOptions } from '../orders/parts.tsx';
import { API, customerOf, type Doc, type Ref } from '../orders/tmf.ts';
import { RelationshipView, nodeOf, type InventoryKind } from './relations.tsx';

const PAGE = 20;

const AREAS: Record<InventoryKind, string> = { product: 'productInventory', service: 'serviceInventory', resource: 'resourceInventoryManagement' };
const PATHS: Record<InventoryKind, string> = { product: API.product, service: API.service, resource: API.resource };
const TITLES: Record<InventoryKind, string> = { product: 'Products', service: 'Services', resource: 'Resources' };

interface FilterDef {
  key: string;
  label: string;
  /** The TMF attribute filtered on. */
  param: string;
  options?: readonly string[];
  /** Chosen among the customers. */
  customers?: boolean;
  hint?: string;
}

const FILTERS: Record<InventoryKind, readonly FilterDef[]> = {
  product: [
    { key: 'status', label: 'Status', param: 'status', options: ['created', 'pendingActive', 'active', 'suspended', 'pendingTerminate', 'terminated', 'cancelled'] },
    { key: 'customer', label: 'Customer', param: 'relatedParty.id', customers: true },
    { key: 'productOrder', label: 'Product order id', param: 'productOrderItem.productOrderId' },
  ],
  service: [
    { key: 'state', label: 'State', param: 'state', options: ['feasibilityChecked', 'designed', 'reserved', 'inactive', 'active', 'terminated'] },
    { key: 'category', label: 'Category', param: 'category', options: ['CFS', 'RFS'] },
    { key: 'customer', label: 'Customer', param: 'relatedParty.id', customers: true },
  ],
  resource: [
    { key: 'resourceStatus', label: 'Status', param: 'resourceStatus', options: ['standby', 'available', 'reserved', 'alarm', 'suspended', 'unknown'] },
    { key: 'usageState', label: 'Usage', param: 'usageState', options: ['idle', 'active', 'busy'] },
    { key: 'value', label: 'Value', param: 'value', hint: 'Exactly, e.g. a port, VLAN id or address' },
    { key: 'customer', label: 'Customer', param: 'relatedParty.id', customers: true },
  ],
};

type Filters = Record<string, string>;

/** What the address asks for when the page opens. */
function initialFromUrl(): { tab?: InventoryKind; filters: Filters; selected?: { kind: InventoryKind; id: string } } {
  const p = new URLSearchParams(window.location.search);
  for (const kind of ['product', 'service', 'resource'] as const) {
    const id = p.get(kind);
    if (id) return { tab: kind, filters: {}, selected: { kind, id } };
  }
  const order = p.get('productOrder');
  return order ? { tab: 'product', filters: { productOrder: order } } : { filters: {} };
}

export function InventoryPage() {
  const { can, confined } = useSession();
  const readable = (['product', 'service', 'resource'] as const).filter((k) => can(AREAS[k], 'read'));
  const start = useRef(initialFromUrl()).current;
  const [tab, setTab] = useState<InventoryKind>(start.tab && readable.includes(start.tab) ? start.tab : readable[0] ?? 'product');
  const [selected, setSelected] = useState<{ kind: InventoryKind; id: string } | undefined>(start.selected);
  const relationsRef = useRef<HTMLDivElement>(null);

  const show = (kind: InventoryKind, id: string) => {
    setSelected({ kind, id });
    // the view opens below the list: bring it into sight and give it the focus
    requestAnimationFrame(() => {
      relationsRef.current?.scrollIntoView({ block: 'start' });
      relationsRef.current?.focus();
    });
  };

  if (readable.length === 0) {
    return (
      <>
        <PageHeader title="Inventory" />
        <p className="empty">Your role does not read the inventories.</p>
      </>
    );
  }

  return (
    <>
      <PageHeader title="Inventory" subtitle={confined ? 'Your products and services' : 'Products, services and resources, and how they relate'} />
      <Tabs<InventoryKind> label="Inventory" value={tab} onChange={setTab} tabs={readable.map((k) => ({ key: k, label: TITLES[k] }))} />
      <InventoryList key={tab} kind={tab} initial={tab === start.tab ? start.filters : {}} onShow={show} confined={confined} />
      <div ref={relationsRef} tabIndex={-1}>
        <Section title="Relationships" actions={selected ? <Button onClick={() => setSelected(undefined)}>Close</Button> : undefined}>
          {selected ? (
            <RelationshipView kind={selected.kind} id={selected.id} can={(k) => can(AREAS[k], 'read')} onShow={show} />
          ) : (
            <p className="muted">Choose “Relationships” on a product, service or resource to see what it relies on and what it serves.</p>
          )}
        </Section>
      </div>
    </>
  );
}

function InventoryList({ kind, initial, onShow, confined }: { kind: InventoryKind; initial: Filters; onShow: (kind: InventoryKind, id: string) => void; confined: boolean }) {
  const customers = useCustomerOptions();
  const defs = FILTERS[kind].filter((f) => !(f.customers && (confined || !customers.enabled)));
  const [draft, setDraft] = useState<Filters>(initial);
  const [filters, setFilters] = useState<Filters>(initial);
  const [offset, setOffset] = useState(0);

  const params: Record<string, string | number> = { offset, limit: PAGE };
  for (const f of defs) if (filters[f.key]) params[f.param] = filters[f.key]!.trim();
  const items = useQuery({
    queryKey: ['inventory', kind, filters, offset],
    queryFn: () => apiList<Doc>(`${PATHS[kind]}${qs(params)}`),
    placeholderData: keepPreviousData,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    setOffset(0);
  };

  return (
    <>
      <Section title={`${TITLES[kind]}: filters`}>
        <form className="filters" onSubmit={submit} aria-label={`${TITLES[kind]} filters`}>
          {defs.map((f) => f.customers ? (
            <SelectField key={f.key} label={f.label} value={draft[f.key] ?? ''} onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })} options={customers.options} />
          ) : f.options ? (
            <SelectField key={f.key} label={f.label} value={draft[f.key] ?? ''} onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
              options={[{ value: '', label: 'Any' }, ...f.options.map((o) => ({ value: o, label: o }))]} />
          ) : (
            <TextField key={f.key} label={f.label} value={draft[f.key] ?? ''} hint={f.hint} onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })} autoComplete="off" />
          ))}
          <div className="filter-actions">
            <Button type="submit" variant="primary">Apply</Button>
            <Button onClick={() => { setDraft({}); setFilters({}); setOffset(0); }}>Clear</Button>
          </div>
        </form>
      </Section>
      <Section title={TITLES[kind]}>
        <ErrorBanner error={items.error} onRetry={() => void items.refetch()} title={`The ${TITLES[kind].toLowerCase()} could not be listed`} />
        {items.isPending ? <Loading /> : null}
        {items.data ? (
          <>
            <Table<Doc>
              caption={`${TITLES[kind]} in the inventory`}
              captionHidden
              rows={items.data.items}
              rowKey={(d) => String(d['id'])}
              empty={`No ${kind} matches these filters.`}
              columns={[
                { key: 'name', header: 'Name', cell: (d) => nodeOf(kind, d).name },
                { key: 'state', header: kind === 'product' ? 'Status' : kind === 'service' ? 'State' : 'Status', cell: (d) => <StateBadge state={nodeOf(kind, d).state} /> },
                { key: 'detail', header: 'Details', cell: (d) => nodeOf(kind, d).detail || '—' },
                { key: 'customer', header: 'Customer', cell: (d) => { const c = customerOf(d['relatedParty'] as Ref[] | undefined); return c ? c.name ?? c.id : '—'; } },
                { key: 'id', header: 'Id', cell: (d) => <span className="mono">{String(d['id'])}</span> },
                {
                  key: 'rel', header: <span className="visually-hidden">Actions</span>,
                  cell: (d) => <Button variant="link" onClick={() => onShow(kind, String(d['id']))} aria-label={`Relationships of ${nodeOf(kind, d).name}`}>Relationships</Button>,
                },
              ]}
            />
            <Pager label={`${TITLES[kind]} pages`} offset={offset} limit={PAGE} total={items.data.total} shown={items.data.items.length} onChange={setOffset} />
          </>
        ) : null}
      </Section>
    </>
  );
}
